import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalPlatform } from '../../../../src/extension/platform/localPlatform';
import type { Logger } from '../../../../src/extension/log';
import { findLocalPlatform } from '../../../../src/platform/local';
import { PlatformError } from '../../../../src/platform/errors';

const lines: string[] = [];
const log: Logger = {
  trace: (m) => lines.push(m),
  debug: (m) => lines.push(m),
  info: (m) => lines.push(m),
  warn: (m) => lines.push(m),
  error: (m) => lines.push(String(m)),
  child: () => log,
};

/** A stand-in for dist/cli.js: `serve --state-dir D … --json` records itself like paved serve, then waits for SIGTERM. */
const FAKE_SERVE = `
const fs = require('fs'), path = require('path'), http = require('http');
const args = process.argv.slice(2);
const dir = args[args.indexOf('--state-dir') + 1];
if (process.env.FAKE_SERVE_FAIL) { console.error('paved serve: port in use'); process.exit(2); }
fs.writeFileSync(path.join(dir, 'args.json'), JSON.stringify({ args, electron: process.env.ELECTRON_RUN_AS_NODE }));
const server = http.createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => {
  fs.writeFileSync(path.join(dir, 'token'), 'tok-123\\n', { mode: 0o600 });
  const info = { pid: process.pid, url: 'http://127.0.0.1:' + server.address().port, tokenFile: path.join(dir, 'token') };
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
  });

  const platform = (over: Partial<ConstructorParameters<typeof LocalPlatform>[0]> = {}) =>
    new LocalPlatform({ stateDir: path.join(dir, 'state'), cliPath: cli, log, locate: (d) => findLocalPlatform(d), nodePath: process.execPath, ...over });

  it('starts paved serve detached in its own process group, with the workspaces, and reads its token', async () => {
    const local = platform();
    const instance = await local.ensureRunning(['/ws/a', '/ws/b']);
    started.push(instance.pid);
    assert.equal(instance.started, true);
    assert.equal(instance.token, 'tok-123');
    assert.match(instance.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const { args, electron } = JSON.parse(fs.readFileSync(path.join(dir, 'state', 'args.json'), 'utf8')) as { args: string[]; electron: string };
    assert.deepEqual(args, ['serve', '--state-dir', path.join(dir, 'state'), '--workspace', '/ws/a', '--workspace', '/ws/b', '--json']);
    assert.equal(electron, '1');
    // Detached: the server leads its own process group, so closing the window's group does not take it down.
    const stat = fs.readFileSync(`/proc/${instance.pid}/stat`, 'utf8');
    const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    assert.equal(pgid, instance.pid);
  });

  it('reuses the recorded instance (another window’s) instead of starting a second one', async () => {
    const first = await platform().ensureRunning([]);
    started.push(first.pid);
    const second = await platform().ensureRunning([]);
    assert.equal(second.started, false);
    assert.equal(second.pid, first.pid);
    assert.equal(second.url, first.url);
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
