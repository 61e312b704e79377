/**
 * `paved logs | status | restart | stop` as real processes against a real `paved serve` (its own state dir).
 * Run: npm run test:cli
 */
import { spawn } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { answers, call, followDeployment, portBase, repoRoot, serve, tempDir, type Served } from '../contract/helpers';
import { writeOpsService } from '../contract/opsService';
import type { Deployment } from '../../src/core/api/types';
import { buildCli, runCli, type CliRun } from './helpers';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['PAVED_TOKEN', 'PAVED_BACKEND', 'PAVED_URL'].includes(k)));

describe('paved CLI: logs, status, restart, stop against paved serve', function () {
  this.timeout(120_000);
  let bundle = '';
  let served: Served;
  let stateDir: string;
  let ws: string;
  let d: Deployment;
  const paved = (args: string[]): Promise<CliRun> => runCli(bundle, args, { cwd: repoRoot, env: { ...cleanEnv, PAVED_STATE_DIR: stateDir } });

  before(async () => {
    bundle = buildCli('operations');
    stateDir = tempDir('cli-ops-state');
    ws = tempDir('cli-ops-ws');
    writeOpsService(path.join(ws, 'orders'), 'orders', { approval: true });
    served = await serve(['--port', '0', '--state-dir', stateDir, '--workspace', ws, '--port-base', String(portBase()), '--idle-timeout', '0'], {}, bundle);
    const r = await call<Deployment>(served, 'POST', '/v1/services/orders/deployments', { body: { environment: 'local' } });
    d = (await followDeployment(served, r.body.id)).deployment;
    assert.equal(d.state, 'succeeded');
  });

  after(async () => {
    await served?.stop();
    fs.rmSync(bundle, { force: true });
  });

  it('paved logs: the last N lines with time, stream and text; --json; usage errors exit 2; an unknown service 1', async () => {
    await answers(`${d.url}/?tag=cli`);
    await answers(`${d.url}/err?tag=cli`);
    let r: CliRun;
    do r = await paved(['logs', 'orders', '--env', 'local', '--tail', '2']);
    while (!r.stdout.includes('something went wrong cli'));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z stdout {3}GET \/ cli$/);
    assert.match(lines[1], /^\S+ stderr {3}something went wrong cli$/);
    const json = await paved(['logs', 'orders', '--env', 'local', '--tail', '1', '--json']);
    const line = JSON.parse(json.stdout.trim()) as { stream: string; text: string; release: string; cursor: string };
    assert.deepEqual([line.stream, line.text, line.release], ['stderr', 'something went wrong cli', d.release]);
    assert.equal((await paved(['logs', 'orders'])).code, 2);
    assert.equal((await paved(['logs', 'orders', '--env', 'local', '--tail', 'x'])).code, 2);
    assert.equal((await paved(['logs', 'orders', '--env', 'local', '--since', 'yesterday'])).code, 2);
    const unknown = await paved(['logs', 'nobody', '--env', 'local']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^paved logs: .*nobody/);
  });

  it('paved logs --follow prints new lines as they come; Ctrl-C ends it cleanly with exit 0', async () => {
    const proc = spawn(process.execPath, [bundle, 'logs', 'orders', '--env', 'local', '--tail', '0', '--follow'], { cwd: repoRoot, env: { ...cleanEnv, PAVED_STATE_DIR: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const saw = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => stdout.includes(text) && resolve();
        proc.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          check();
        });
        check();
      });
    // The follow is open once the platform streams; a request's line then arrives through it.
    const arrived = saw('GET / followed');
    for (let i = 0; i < 50 && !stdout.includes('GET / followed'); i++) {
      await answers(`${d.url}/?tag=followed`);
      await Promise.race([arrived, new Promise((r) => setTimeout(r, 200))]);
    }
    await arrived;
    proc.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.equal(stderr, '');
  });

  it('paved status: health, release and SLOs per environment, and says what the numbers are measured from', async () => {
    let r: CliRun;
    do r = await paved(['status', 'orders']);
    while (!/local +running +healthy/.test(r.stdout));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^orders\n {2}local {7}running {3}healthy since \S+\n {4}r1 r-\S+ {2}http:\/\/127\.0\.0\.1:\d+\n/);
    assert.match(r.stdout, /probes GET \/healthz every 1 s; unhealthy after 2 failures; not restarted automatically/);
    assert.match(r.stdout, /availability: 99% over 1d — (\d+\.\d+% (met|MISSED) \(\d+\/\d+ probes, error budget -?\d+% left|not measured)/);
    assert.match(r.stdout, /not from user traffic/);
    const json = JSON.parse((await paved(['status', 'orders', '--json'])).stdout) as { service: string; basis: string; environments: { environment: string }[] };
    assert.deepEqual([json.service, json.basis, json.environments.map((e) => e.environment)], ['orders', 'probes', ['local', 'staging', 'production']]);
    assert.equal((await paved(['status'])).code, 2);
  });

  it('paved restart --wait: a new process, exit 0; production needs --approve (exit 1 without)', async () => {
    const r = await paved(['restart', 'orders', '--env', 'local', '--wait']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^paved restart: deployment d-\S+ \(restart orders → local, r-\S+\) is (pending|starting)\n/);
    assert.match(r.stdout, /\d+ completed: r-\S+ is serving in local at http:\/\/127\.0\.0\.1:\d+\n/);
    assert.equal(await answers(`${d.url}/`), 'refused', 'the old process stopped');
    const prod = await call<Deployment>(served, 'POST', '/v1/services/orders/deployments', { body: { environment: 'production', approved: true } });
    await followDeployment(served, prod.body.id);
    const refused = await paved(['restart', 'orders', '--env', 'production']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /orders's manifest requires approval to restart orders in production; pass --approve/);
    const approved = await paved(['restart', 'orders', '--env', 'production', '--approve', '--wait', '--json']);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal((JSON.parse(approved.stdout.trim().split('\n').pop() as string) as { deployment: Deployment }).deployment.kind, 'restart');
  });

  it('paved stop: stops it (exit 0), again changes nothing (exit 0); production needs --approve', async () => {
    const first = await paved(['stop', 'orders', '--env', 'local']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^stopped orders in local \(release r-\S+\)\n$/);
    const again = await paved(['stop', 'orders', '--env', 'local']);
    assert.deepEqual([again.code, again.stdout], [0, 'orders was not running in local; nothing changed\n']);
    const refused = await paved(['stop', 'orders', '--env', 'production']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /requires approval to stop orders in production; pass --approve/);
    const json = await paved(['stop', 'orders', '--env', 'production', '--approve', '--json']);
    assert.deepEqual((JSON.parse(json.stdout) as { changed: boolean; environment: { state: string } }).environment.state, 'stopped');
    assert.equal((await paved(['stop', 'orders'])).code, 2);
  });
});
