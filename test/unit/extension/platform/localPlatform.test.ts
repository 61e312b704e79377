import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalPlatform } from '../../../../src/extension/platform/localPlatform';
import { findLocalPlatform } from '../../../../src/platform/local';
import { PlatformError } from '../../../../src/platform/errors';
import { recordingLogger } from '../recordingLogger';

const lines: string[] = [];
const log = recordingLogger(lines);

/** A stand-in for dist/cli.js: `serve --state-dir D … --json` records itself like paved serve, then waits for SIGTERM. */
const FAKE_SERVE = `
const fs = require('fs'), path = require('path'), http = require('http'), crypto = require('crypto');
const instanceId = crypto.randomBytes(16).toString('hex');
const args = process.argv.slice(2);
const dir = args[args.indexOf('--state-dir') + 1];
if (process.env.FAKE_SERVE_FAIL) { console.error('paved serve: port in use'); process.exit(2); }
fs.writeFileSync(path.join(dir, 'args.json'), JSON.stringify({ args, electron: process.env.ELECTRON_RUN_AS_NODE }));
const server = http.createServer((q, r) => {
  let body = '';
  q.on('data', (c) => (body += c));
  q.on('end', () => {
    const health = /^\\/v1\\/health\\?challenge=([\\w-]+)$/.exec(q.url);
    if (health) {
      // The identity proof (src/core/api/identity.ts), asked for before the token is sent.
      const proof = crypto.createHmac('sha256', 'tok-123').update('paved-serve-identity/v1\\n' + instanceId + '\\n' + health[1]).digest('base64url');
      r.writeHead(200, { 'content-type': 'application/json' });
      r.end(JSON.stringify({ status: 'ok', instanceId, proof }));
      return;
    }
    fs.appendFileSync(path.join(dir, 'requests.jsonl'), JSON.stringify({ method: q.method, url: q.url, auth: q.headers.authorization, body }) + '\\n');
    const m = /^\\/v1\\/workspaces\\/([^/]+)$/.exec(q.url);
    if (m && process.env.FAKE_SERVE_OLD) {
      r.writeHead(404, { 'content-type': 'application/problem+json' });
      r.end(JSON.stringify({ type: 'https://paved.dev/problems/not-found', title: 'Not found', status: 404, detail: 'no such endpoint: ' + q.url, code: 'not-found' }));
    } else if (m && q.method === 'PUT') {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.end(JSON.stringify({ id: decodeURIComponent(m[1]), ...JSON.parse(body), attachedAt: new Date().toISOString() }));
    } else if (m && q.method === 'DELETE') {
      r.writeHead(204);
      r.end();
    } else r.end('ok');
  });
}).listen(0, '127.0.0.1', () => {
  fs.writeFileSync(path.join(dir, 'token'), 'tok-123\\n', { mode: 0o600 });
  const info = { pid: process.pid, url: 'http://127.0.0.1:' + server.address().port, tokenFile: path.join(dir, 'token'), instanceId };
  fs.writeFileSync(path.join(dir, 'serve.json.tmp'), JSON.stringify(info));
  fs.renameSync(path.join(dir, 'serve.json.tmp'), path.join(dir, 'serve.json'));
});
process.on('SIGTERM', () => { fs.rmSync(path.join(dir, 'serve.json'), { force: true }); process.exit(0); });
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('LocalPlatform (the detached paved serve)', function () {
  this.timeout(20_000);
  let dir: string;
  let cli: string;
  const started: number[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-local-'));
    cli = path.join(dir, 'cli.js');
    fs.writeFileSync(cli, FAKE_SERVE);
  });

  afterEach(() => {
    for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    delete process.env.FAKE_SERVE_FAIL;
    delete process.env.FAKE_SERVE_OLD;
    lines.length = 0;
  });

  const platform = (over: Partial<ConstructorParameters<typeof LocalPlatform>[0]> = {}) =>
    new LocalPlatform({ stateDir: path.join(dir, 'state'), cliPath: cli, log, locate: (d) => findLocalPlatform(d), nodePath: process.execPath, ...over });

  /** What the fake platform was asked, in order: `METHOD url body`. */
  const requests = (): string[] =>
    fs
      .readFileSync(path.join(dir, 'state', 'requests.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { method: string; url: string; body: string; auth: string })
      .map((r) => `${r.method} ${r.url} ${r.auth} ${r.body}`);
  const attachBody = (folders: string[]) => JSON.stringify({ folders, pid: process.pid, label: `VS Code window (extension host pid ${process.pid})` });

  it('starts paved serve detached in its own process group, reads its token and attaches the window’s folders', async () => {
    const local = platform({ windowId: 'window-1' });
    const instance = await local.ensureRunning(['/ws/a', '/ws/b']);
    started.push(instance.pid);
    assert.equal(instance.started, true);
    assert.equal(instance.token, 'tok-123');
    assert.match(instance.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const { args, electron } = JSON.parse(fs.readFileSync(path.join(dir, 'state', 'args.json'), 'utf8')) as { args: string[]; electron: string };
    // No --workspace: the folders are this window's attachment, which ends with the window.
    assert.deepEqual(args, ['serve', '--state-dir', path.join(dir, 'state'), '--json']);
    assert.deepEqual(requests(), [`PUT /v1/workspaces/window-1 Bearer tok-123 ${attachBody(['/ws/a', '/ws/b'])}`]);
    assert.equal(electron, '1');
    // Detached: the server leads its own process group, so closing the window's group does not take it down.
    const stat = fs.readFileSync(`/proc/${instance.pid}/stat`, 'utf8');
    const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    assert.equal(pgid, instance.pid);
  });

  it('reuses the recorded instance (another window’s) instead of starting a second one, and adds its own folders', async () => {
    const first = await platform({ windowId: 'window-1' }).ensureRunning(['/ws/a']);
    started.push(first.pid);
    const second = await platform({ windowId: 'window-2' }).ensureRunning(['/ws/b']);
    assert.equal(second.started, false);
    assert.equal(second.pid, first.pid);
    assert.equal(second.url, first.url);
    assert.deepEqual(requests(), [`PUT /v1/workspaces/window-1 Bearer tok-123 ${attachBody(['/ws/a'])}`, `PUT /v1/workspaces/window-2 Bearer tok-123 ${attachBody(['/ws/b'])}`]);
  });

  it('follows the window’s folder changes and detaches them when the window closes', async () => {
    const local = platform({ windowId: 'w' });
    assert.equal(await local.updateFolders(['/ws/a']), false, 'nothing attached yet');
    started.push((await local.ensureRunning(['/ws/a'])).pid);
    assert.equal(await local.updateFolders(['/ws/a', '/ws/c']), true);
    await local.detach();
    assert.equal(await local.updateFolders(['/ws/a']), false, 'detached: nothing to update');
    await local.detach();
    assert.deepEqual(requests(), [`PUT /v1/workspaces/w Bearer tok-123 ${attachBody(['/ws/a'])}`, `PUT /v1/workspaces/w Bearer tok-123 ${attachBody(['/ws/a', '/ws/c'])}`, 'DELETE /v1/workspaces/w Bearer tok-123 ']);
  });

  it('an instance from an earlier version (no /v1/workspaces: 404) is still used, and the log says how to get a current one', async () => {
    process.env.FAKE_SERVE_OLD = '1';
    const instance = await platform({ windowId: 'w' }).ensureRunning(['/ws/a']);
    started.push(instance.pid);
    assert.equal(instance.token, 'tok-123');
    assert.ok(
      lines.includes(`the running local platform (pid ${instance.pid}) cannot add this window's folders to its catalog; run "Paved: Stop Local Platform" to start a current one`),
      lines.join('\n'),
    );
  });

  it('logs an instance an earlier version still runs from its old state directory', async () => {
    const legacy = path.join(dir, 'legacy');
    fs.mkdirSync(legacy);
    fs.writeFileSync(path.join(legacy, 'serve.json'), JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:1', tokenFile: 'token' }));
    started.push((await platform({ legacyStateDir: legacy }).ensureRunning([])).pid);
    assert.ok(lines.includes(`a local platform started by an earlier Paved version still runs from ${legacy} (pid ${process.pid}, http://127.0.0.1:1); it is no longer used: stop it with kill ${process.pid}`), lines.join('\n'));
  });

  it('defaults to the state directory the CLI uses ($PAVED_STATE_DIR here)', () => {
    const saved = process.env.PAVED_STATE_DIR;
    process.env.PAVED_STATE_DIR = path.join(dir, 'shared');
    try {
      assert.equal(new LocalPlatform({ cliPath: cli, log, locate: (d) => findLocalPlatform(d) }).stateDir, path.join(dir, 'shared'));
    } finally {
      if (saved === undefined) delete process.env.PAVED_STATE_DIR;
      else process.env.PAVED_STATE_DIR = saved;
    }
  });

  it('shares one start between concurrent callers of a window', async () => {
    const local = platform();
    const [a, b] = await Promise.all([local.ensureRunning([]), local.ensureRunning([])]);
    started.push(a.pid);
    assert.equal(a.pid, b.pid);
    assert.equal(a.started, true);
  });

  it('fails with unreachable and the server’s last words when it exits at start', async () => {
    process.env.FAKE_SERVE_FAIL = '1';
    await assert.rejects(platform().ensureRunning([]), (err: unknown) => {
      assert.ok(PlatformError.isPlatformError(err, 'unreachable'));
      assert.equal(err.message, 'The local platform exited at start (2). paved serve: port in use');
      assert.equal(err.action, 'show-log');
      return true;
    });
  });

  it('fails with unreachable when dist/cli.js is missing', async () => {
    await assert.rejects(platform({ cliPath: path.join(dir, 'nope.js') }).ensureRunning([]), (err: unknown) => {
      assert.ok(PlatformError.isPlatformError(err, 'unreachable'));
      assert.match(err.message, /nope\.js is missing/);
      return true;
    });
  });

  it('stops the recorded instance with SIGTERM, and says when none runs', async () => {
    const local = platform();
    const instance = await local.ensureRunning([]);
    started.push(instance.pid);
    const stopped = await local.stop();
    assert.equal(stopped?.pid, instance.pid);
    await new Promise<void>((resolve) => {
      const check = () => (alive(instance.pid) ? setImmediate(check) : resolve());
      check();
    });
    assert.equal(await local.stop(), undefined);
  });
});
