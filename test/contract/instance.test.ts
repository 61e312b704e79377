/**
 * One `paved serve` per state dir, and its token: concurrent starts (two windows opening together), a fresh token for
 * every start, the listener's identity proven before a client sends the token, the state dir's permissions and a
 * user-named token file. Real processes on loopback.
 * Run: npx mocha --no-package --require tsx/cjs --timeout 120000 test/contract/instance.test.ts
 */
import { spawn } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { verifyIdentity } from '../../src/core/api/identity';
import { buildCli } from '../cli/helpers';
import { repoRoot, serve, tempDir, type Served } from './helpers';

/** The CLI bundled from the current source: starts in a fraction of the time tsx takes, so starts really overlap. */
let bundle = '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `paved ARGS`; `firstLine` resolves with its first line of output (for `serve --json`: where it listens). */
function paved(args: string[], env: NodeJS.ProcessEnv = {}): { done: Promise<Run>; firstLine: Promise<string>; pid: number | undefined; kill(): void } {
  const proc = spawn(process.execPath, [bundle, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let resolveLine!: (l: string) => void;
  const firstLine = new Promise<string>((r) => (resolveLine = r));
  proc.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (stdout.includes('\n')) resolveLine(stdout.slice(0, stdout.indexOf('\n')));
  });
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Run>((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr })));
  void done.then((r) => resolveLine(r.stdout.split('\n')[0] ?? ''));
  return { done, firstLine, pid: proc.pid, kill: () => proc.kill('SIGTERM') };
}

async function status(url: string, token: string): Promise<number> {
  const r = await fetch(`${url}/v1/services?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  await r.arrayBuffer();
  return r.status;
}

describe('paved serve: one instance per state dir, and its token', function () {
  this.timeout(180_000);
  before(() => {
    bundle = buildCli('instance');
  });

  it('starts at the same moment on a fresh state dir: every client gets the token of the instance that serves (6 rounds of 3)', async () => {
    for (let round = 0; round < 6; round++) {
      const stateDir = path.join(tempDir(`race-${round}`), 'state');
      const starts = [0, 1, 2].map(() => paved(['serve', '--json', '--state-dir', stateDir, '--idle-timeout', '0']));
      const lines = await Promise.all(starts.map((s) => s.firstLine));
      const infos = lines.map((l) => JSON.parse(l) as { url: string; pid: number; reused: boolean; tokenFile: string });
      try {
        assert.equal(infos.filter((i) => !i.reused).length, 1, `round ${round}: one start serves, the others reuse it:\n${lines.join('\n')}`);
        assert.equal(new Set(infos.map((i) => i.url)).size, 1, `round ${round}: all report the same instance`);
        const token = fs.readFileSync(path.join(stateDir, 'token'), 'utf8').trim();
        assert.equal(await status(infos[0].url, token), 200, `round ${round}: the token in the file is the one the instance accepts`);
      } finally {
        for (const s of starts) s.kill();
        await Promise.all(starts.map((s) => s.done));
      }
    }
  });

  it('a start that finds the lock held writes no token while it waits, and takes over when the holder goes', async () => {
    const stateDir = path.join(tempDir('held'), 'state');
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    // A live process holds the lock (an instance still starting).
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const gone = new Promise((r) => holder.once('exit', r));
    fs.writeFileSync(path.join(stateDir, 'serve.lock'), String(holder.pid), { mode: 0o600 });
    const start = paved(['serve', '--json', '--state-dir', stateDir, '--idle-timeout', '0']);
    try {
      await new Promise((r) => setTimeout(r, 3_000));
      assert.equal(fs.existsSync(path.join(stateDir, 'token')), false, 'a start that has not got the lock writes no token');
      assert.equal(fs.existsSync(path.join(stateDir, 'token.readonly')), false);
      holder.kill('SIGKILL');
      await gone;
      // The holder died without serving: its lock is stale and the waiting start takes it.
      const info = JSON.parse(await start.firstLine) as { url: string; reused: boolean };
      assert.equal(info.reused, false);
      assert.equal(await status(info.url, fs.readFileSync(path.join(stateDir, 'token'), 'utf8').trim()), 200);
    } finally {
      holder.kill('SIGKILL');
      start.kill();
      await start.done;
    }
  });

  it('draws a fresh token and instance id at every start: the previous token opens nothing', async () => {
    const stateDir = tempDir('rotate');
    const first = await serve(['--state-dir', stateDir, '--idle-timeout', '0']);
    const firstInfo = JSON.parse(fs.readFileSync(path.join(stateDir, 'serve.json'), 'utf8')) as { instanceId: string };
    await first.stop();
    const second = await serve(['--state-dir', stateDir, '--idle-timeout', '0']);
    try {
      const secondInfo = JSON.parse(fs.readFileSync(path.join(stateDir, 'serve.json'), 'utf8')) as { instanceId: string };
      assert.notEqual(second.token, first.token);
      assert.notEqual(second.readOnlyToken, first.readOnlyToken);
      assert.notEqual(secondInfo.instanceId, firstInfo.instanceId);
      assert.equal(await status(second.url, first.token), 401);
      assert.equal(await status(second.url, second.token), 200);
    } finally {
      await second.stop();
    }
  });

  it('proves its identity for a challenge: an HMAC of its token (and one of its read-only token), nothing without one', async () => {
    const stateDir = tempDir('identity');
    const s = await serve(['--state-dir', stateDir, '--idle-timeout', '0']);
    try {
      const { instanceId } = JSON.parse(fs.readFileSync(path.join(stateDir, 'serve.json'), 'utf8')) as { instanceId: string };
      const challenge = 'c'.repeat(22) + Date.now().toString(36);
      const body = (await (await fetch(`${s.url}/v1/health?challenge=${challenge}`)).json()) as { instanceId: string; proof: string; readOnlyProof: string };
      assert.equal(body.instanceId, instanceId);
      assert.equal(verifyIdentity(s.token, instanceId, challenge, body.proof), true);
      assert.equal(verifyIdentity(s.readOnlyToken, instanceId, challenge, body.readOnlyProof), true);
      assert.equal(verifyIdentity('not-the-token', instanceId, challenge, body.proof, body.readOnlyProof), false);
      const plain = (await (await fetch(`${s.url}/v1/health`)).json()) as Record<string, unknown>;
      assert.equal('proof' in plain, false);
      assert.equal((await fetch(`${s.url}/v1/health?challenge=short`)).status, 400);
    } finally {
      await s.stop();
    }
  });

  it('a stale serve.json: the CLI sends the token only to a listener that proves it is the recorded instance', async () => {
    const stateDir = tempDir('stale');
    const s = await serve(['--state-dir', stateDir, '--idle-timeout', '0']);
    const recorded = fs.readFileSync(path.join(stateDir, 'serve.json'), 'utf8');
    const token = s.token;
    await s.kill9(); // serve.json stays behind
    // Another program now listens on the recorded port and answers like a platform.
    const seen: (string | undefined)[] = [];
    const impostor = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', version: '0', apiVersion: 'v1', platform: 'local', uptimeSeconds: 1, runningServices: 0, items: [] }));
    });
    const info = JSON.parse(recorded) as { port: number; pid: number };
    await new Promise<void>((resolve, reject) => impostor.once('error', reject).listen(info.port, '127.0.0.1', resolve));
    try {
      // The recorded pid is alive again (pid reuse): here, this test's own process.
      fs.writeFileSync(path.join(stateDir, 'serve.json'), JSON.stringify({ ...JSON.parse(recorded), pid: process.pid }), { mode: 0o600 });
      const r = await paved(['services', '--state-dir', stateDir], { PAVED_TOKEN: '' }).done;
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /is not the local platform recorded in serve\.json .*Paved did not send it/);
      assert.equal(seen.length > 0, true, 'the impostor was asked to prove itself');
      assert.deepEqual(seen.filter((a) => a !== undefined), [], `the token never went to it (it was ${token.slice(0, 4)}…)`);
      // `paved serve` does not take the impostor for a running instance either: it starts its own.
      const again: Served = await serve(['--state-dir', stateDir, '--idle-timeout', '0']);
      try {
        assert.notEqual(again.url, `http://127.0.0.1:${info.port}`);
        assert.equal(await status(again.url, again.token), 200);
      } finally {
        await again.stop();
      }
    } finally {
      impostor.close();
    }
  });

  it('a state dir others can read is made private (0700) before anything is written to it', async () => {
    const stateDir = tempDir('perm');
    fs.chmodSync(stateDir, 0o755);
    const s = await serve(['--state-dir', stateDir, '--idle-timeout', '0']);
    try {
      assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
      assert.match(s.stderr(), /the state dir .* was mode 755; made it 700/);
    } finally {
      await s.stop();
    }
  });

  it('--token-file: an existing file that holds no token is refused, never overwritten; a good one is kept across starts', async () => {
    const stateDir = tempDir('tokenfile');
    const short = path.join(stateDir, 'notes.txt');
    fs.writeFileSync(short, 'hello\n', { mode: 0o600 });
    const r = await paved(['serve', '--state-dir', stateDir, '--token-file', short]).done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /notes\.txt holds no token .*does not overwrite it/);
    assert.equal(fs.readFileSync(short, 'utf8'), 'hello\n');
    const own = path.join(stateDir, 'own-token');
    const first = await serve(['--state-dir', stateDir, '--token-file', own, '--idle-timeout', '0']);
    await first.stop();
    const second = await serve(['--state-dir', stateDir, '--token-file', own, '--idle-timeout', '0']);
    try {
      assert.equal(second.token, first.token, 'a token file the user named is the user’s: not rotated');
      assert.equal(fs.statSync(own).mode & 0o777, 0o600);
      assert.equal(await status(second.url, second.token), 200);
    } finally {
      await second.stop();
    }
  });

  it('keeps idle connections open far longer than it tells clients to (no reuse race at its keep-alive timeout)', async () => {
    const s = await serve(['--state-dir', tempDir('keepalive'), '--idle-timeout', '0']);
    try {
      const socket = await new Promise<import('node:net').Socket>((resolve, reject) => {
        const req = http.get(`${s.url}/v1/health`, { agent: new http.Agent({ keepAlive: true }) }, (res) => {
          assert.equal(res.headers['keep-alive'], 'timeout=4');
          res.resume();
          res.on('end', () => resolve(req.socket as import('node:net').Socket));
        });
        req.on('error', reject);
      });
      const { port } = socket.address() as AddressInfo;
      assert.ok(port > 0);
      // Well past the 4 s clients are told, the server still has not closed the idle connection.
      await new Promise((r) => setTimeout(r, 6_000));
      assert.equal(socket.destroyed || socket.readableEnded, false);
      socket.destroy();
    } finally {
      await s.stop();
    }
  });
});
