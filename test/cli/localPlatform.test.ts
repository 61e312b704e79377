/**
 * One local platform for the editor and the command line: the extension's way of starting `paved serve`
 * (src/extension/platform/localPlatform.ts, the same class, no vscode) in the default state dir, two "windows" each
 * attaching their folders, and `paved services` as a real process with no --state-dir seeing exactly what they see.
 * Run: npm run test:cli
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalPlatform } from '../../src/extension/platform/localPlatform';
import { findLocalPlatform } from '../../src/platform/local';
import { pidAlive, repoRoot, tempDir, writeService } from '../contract/helpers';
import { buildCli, runCli, type CliRun } from './helpers';
import { recordingLogger } from '../unit/extension/recordingLogger';

let bundle = '';

const lines: string[] = [];
const log = recordingLogger(lines);

/** `paved ARGS` with only PAVED_STATE_DIR set among the connection variables (no --state-dir, no token). */
function paved(args: string[], stateDir: string): Promise<CliRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAVED_') && k !== 'XDG_STATE_HOME'));
  return runCli(bundle, args, { cwd: repoRoot, env: { ...env, PAVED_STATE_DIR: stateDir } });
}

async function serviceNames(stateDir: string): Promise<string[]> {
  const r = await paved(['services', '--json'], stateDir);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { name: string }[]).map((s) => s.name);
}

describe('paved services and the local platform the extension starts', function () {
  this.timeout(120_000);
  let stateDir: string;
  let savedStateDir: string | undefined;
  let first: LocalPlatform;
  let second: LocalPlatform;
  let secondHost: ChildProcess;
  let ws1: string;
  let ws2: string;

  before(() => {
    bundle = buildCli('local');
    stateDir = path.join(tempDir('cli-local'), 'state');
    ws1 = tempDir('cli-local-ws1');
    ws2 = tempDir('cli-local-ws2');
    writeService(path.join(ws1, 'payments'), 'payments', { owner: 'team-payments', system: 'checkout' });
    writeService(path.join(ws2, 'search'), 'search', { owner: 'team-search' });
    writeService(path.join(ws2, 'ledger'), 'ledger', { owner: 'team-ledger' });
    // The extension's default state dir is the CLI's: here both come from PAVED_STATE_DIR, as under the test harness.
    savedStateDir = process.env.PAVED_STATE_DIR;
    process.env.PAVED_STATE_DIR = stateDir;
    // A stand-in for the second window's extension host: the platform drops that window's folders once it is gone.
    secondHost = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const common = { cliPath: bundle, log, locate: (d: string) => findLocalPlatform(d), nodePath: process.execPath };
    first = new LocalPlatform({ ...common, windowId: 'window-1' });
    second = new LocalPlatform({ ...common, windowId: 'window-2', pid: secondHost.pid });
  });

  after(async () => {
    if (savedStateDir === undefined) delete process.env.PAVED_STATE_DIR;
    else process.env.PAVED_STATE_DIR = savedStateDir;
    if (secondHost.exitCode === null && secondHost.signalCode === null) secondHost.kill('SIGKILL');
    const stopped = await first.stop();
    if (stopped) assert.equal(pidAlive(stopped.pid), false, 'paved serve stopped');
    fs.rmSync(bundle, { force: true });
  });

  it('sees the services of both windows’ folders in the instance the first window started', async () => {
    assert.equal(first.stateDir, stateDir);
    const a = await first.ensureRunning([ws1]);
    assert.equal(a.started, true);
    const b = await second.ensureRunning([ws2]);
    assert.equal(b.started, false, 'the second window reuses the instance');
    assert.equal(b.pid, a.pid);
    assert.deepEqual(await serviceNames(stateDir), ['ledger', 'payments', 'search']);
    const one = await paved(['service', 'payments', '--json'], stateDir);
    assert.equal(one.code, 0, one.stderr);
    assert.equal((JSON.parse(one.stdout) as { manifestPath: string }).manifestPath, path.join(ws1, 'payments', 'paved.yaml'));
  });

  it('follows a window’s folder change', async () => {
    assert.equal(await first.updateFolders([ws1, ws2]), true);
    await second.detach();
    assert.deepEqual(await serviceNames(stateDir), ['ledger', 'payments', 'search'], 'ws2 is still attached by the first window');
    assert.equal(await first.updateFolders([ws1]), true);
    assert.deepEqual(await serviceNames(stateDir), ['payments']);
  });

  it('drops a window’s folders when its extension host is gone without detaching', async () => {
    await second.ensureRunning([ws2]);
    assert.deepEqual(await serviceNames(stateDir), ['ledger', 'payments', 'search']);
    const exited = new Promise((r) => secondHost.once('exit', r));
    secondHost.kill('SIGKILL');
    await exited;
    assert.deepEqual(await serviceNames(stateDir), ['payments']);
  });

  it('a window that closes takes its folders with it', async () => {
    await first.detach();
    assert.deepEqual(await serviceNames(stateDir), []);
    const r = await paved(['services'], stateDir);
    assert.equal(r.code, 0, r.stderr);
  });

  it('paved serve --workspace on a running instance adds those folders to its catalog (the latest command wins)', async () => {
    const r = await paved(['serve', '--workspace', ws2], stateDir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Paved platform already running at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\); added 1 folder to its catalog\n$/);
    assert.deepEqual(await serviceNames(stateDir), ['ledger', 'search']);
    const again = await paved(['serve', '--workspace', ws1, '--json'], stateDir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { reused: boolean }).reused, true);
    assert.deepEqual(await serviceNames(stateDir), ['payments']);
  });
});
