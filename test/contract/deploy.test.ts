import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { answers, call, followDeployment, pidAlive, portBase, serve, tempDir, waitForEvent, writeServer, writeService, type Served } from './helpers';
import type { Deployment, DeploymentEvent, DoraMetrics, Page, Problem, ScaffoldTask, ServiceDetails, TaskEventsPage } from '../../src/core/api/types';

async function deploy(s: Served, service: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ events: DeploymentEvent[]; deployment: Deployment }> {
  const r = await call<Deployment>(s, 'POST', `/v1/services/${service}/deployments`, { body, headers });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return followDeployment(s, r.body.id);
}

async function json(url: string): Promise<any> {
  const r = await fetch(url);
  return r.json();
}

describe('Platform API contract: deployments', function () {
  this.timeout(120000);
  let s: Served;
  let ws: string;
  const shop = (): string => path.join(ws, 'shop');
  let first: Deployment;
  let third: Deployment;

  before(async () => {
    ws = tempDir('deploy-ws');
    writeService(path.join(ws, 'shop'), 'shop', { approval: true, lifecycle: 'production', productionReady: true });
    writeService(path.join(ws, 'slow'), 'slow', { extraBuild: '"node build.js && sleep 60"' });
    s = await serve(['--state-dir', tempDir('deploy-state'), '--workspace', ws, '--port-base', String(portBase()), '--idle-timeout', '0']);
  });

  after(async () => {
    if (s) assert.equal(await s.stop(), 0);
  });

  it('deploys: snapshot, build, start with PORT, health check, switch; every step is an event with process output', async () => {
    const { events, deployment } = await deploy(s, 'shop', { environment: 'local' }, { 'Idempotency-Key': 'shop-1' });
    first = deployment;
    assert.equal(deployment.state, 'succeeded');
    assert.equal(deployment.kind, 'deploy');
    assert.match(deployment.release ?? '', /^r-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    const states = events.filter((e) => e.state).map((e) => e.state);
    assert.deepEqual(states, ['pending', 'building', 'starting', 'health-checking', 'succeeded']);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    assert.ok(events.some((e) => e.type === 'log' && e.step === 'build' && e.message === 'build of shop ok'));
    assert.ok(events.some((e) => e.type === 'log' && e.step === 'start' && e.message === `listening on ${deployment.port} version v1`));
    assert.deepEqual(events.filter((e) => e.step && e.type === 'step').map((e) => e.step), ['snapshot', 'build', 'start', 'switch']);
    assert.deepEqual(await json(`${deployment.url}/`), { version: 'v1', greeting: 'hello', env: 'local' });
    const svc = await call<ServiceDetails>(s, 'GET', '/v1/services/shop');
    const local = svc.body.environments.find((e) => e.environment === 'local');
    assert.deepEqual(local, { environment: 'local', state: 'running', release: deployment.release, since: local?.since, deploymentId: deployment.id, port: deployment.port, url: deployment.url });
    const list = await call(s, 'GET', '/v1/services?text=shop');
    assert.deepEqual(list.body.items[0].status, { local: 'running' });
  });

  it('Idempotency-Key: same key and body → the same deployment; another body → 422', async () => {
    const again = await call<Deployment>(s, 'POST', '/v1/services/shop/deployments', { body: { environment: 'local' }, headers: { 'Idempotency-Key': 'shop-1' } });
    assert.equal(again.status, 202);
    assert.equal(again.body.id, first.id);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await call<Problem>(s, 'POST', '/v1/services/shop/deployments', { body: { environment: 'staging' }, headers: { 'Idempotency-Key': 'shop-1' } });
    assert.equal(other.status, 422);
    assert.equal(other.body.code, 'idempotency-mismatch');
  });

  it('a failing health check stops the new release, keeps the old one serving and records an automatic rollback', async () => {
    writeServer(shop(), 500, 'v2');
    const { events, deployment } = await deploy(s, 'shop', { environment: 'local', healthTimeoutSeconds: 2 });
    assert.equal(deployment.state, 'rolled-back');
    assert.equal(deployment.automaticRollback, true);
    assert.equal(deployment.previousRelease, first.release);
    assert.equal(deployment.error, 'health check failed: GET /healthz answered 500 (timed out after 2s)');
    const last = events[events.length - 1];
    assert.equal(last.type, 'rollback');
    assert.equal(last.message, `automatic rollback: release ${first.release} keeps serving on port ${first.port}`);
    assert.deepEqual(await json(`${first.url}/`), { version: 'v1', greeting: 'hello', env: 'local' });
  });

  it('a healthy new release replaces the old one, which stops', async () => {
    writeServer(shop(), 200, 'v3');
    const { deployment } = await deploy(s, 'shop', { environment: 'local' });
    third = deployment;
    assert.equal(deployment.state, 'succeeded');
    assert.notEqual(deployment.port, first.port);
    assert.equal((await json(`${deployment.url}/`)).version, 'v3');
    assert.equal(await answers(`${first.url}/`), 'refused');
  });

  it('rollback serves the previous release again without rebuilding', async () => {
    const r = await call<Deployment>(s, 'POST', '/v1/services/shop/rollback', { body: { environment: 'local' } });
    assert.equal(r.status, 202);
    assert.equal(r.body.kind, 'rollback');
    assert.equal(r.body.release, first.release);
    const { events, deployment } = await followDeployment(s, r.body.id);
    assert.equal(deployment.state, 'succeeded');
    assert.equal(events.some((e) => e.step === 'build'), false);
    assert.equal(events.find((e) => e.step === 'snapshot')?.message.startsWith(`reusing release ${first.release}`), true);
    assert.equal((await json(`${deployment.url}/`)).version, 'v1');
    assert.equal(await answers(`${third.url}/`), 'refused');
  });

  it('rollback to a named release, and to an unknown one → 404', async () => {
    const { deployment } = await (async () => {
      const r = await call<Deployment>(s, 'POST', '/v1/services/shop/rollback', { body: { environment: 'local', release: third.release } });
      return followDeployment(s, r.body.id);
    })();
    assert.equal(deployment.state, 'succeeded');
    assert.equal((await json(`${deployment.url}/`)).version, 'v3');
    const bad = await call<Problem>(s, 'POST', '/v1/services/shop/rollback', { body: { environment: 'local', release: 'r-20200101T000000Z-abcdef' } });
    assert.equal(bad.status, 404);
  });

  it('promote reuses the release: local → staging, then production only with approval (per-environment env applies)', async () => {
    const r = await call<Deployment>(s, 'POST', '/v1/services/shop/promote', { body: { from: 'local' } });
    assert.equal(r.status, 202);
    assert.equal(r.body.environment, 'staging');
    assert.equal(r.body.release, third.release);
    const staged = await followDeployment(s, r.body.id);
    assert.equal(staged.deployment.state, 'succeeded');
    assert.equal(staged.events.some((e) => e.step === 'build'), false);
    assert.deepEqual(await json(`${staged.deployment.url}/`), { version: 'v3', greeting: 'hello', env: 'staging' });
    const envs = await call(s, 'GET', '/v1/environments');
    const staging = envs.body.items.find((e: { name: string }) => e.name === 'staging');
    assert.ok((staged.deployment.port ?? 0) >= staging.portRange.from && (staged.deployment.port ?? 0) <= staging.portRange.to);

    const refused = await call<Problem>(s, 'POST', '/v1/services/shop/promote', { body: { from: 'staging' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'approval-required');
    const wrongTarget = await call<Problem>(s, 'POST', '/v1/services/shop/promote', { body: { from: 'local', to: 'production' } });
    assert.equal(wrongTarget.status, 409);
    const ok = await call<Deployment>(s, 'POST', '/v1/services/shop/promote', { body: { from: 'staging', approved: true } });
    const prod = await followDeployment(s, ok.body.id);
    assert.equal(prod.deployment.state, 'succeeded');
    assert.deepEqual(await json(`${prod.deployment.url}/`), { version: 'v3', greeting: 'prod', env: 'production' });
    const last = await call<Problem>(s, 'POST', '/v1/services/shop/promote', { body: { from: 'production' } });
    assert.equal(last.status, 409);
    assert.equal(last.body.detail, 'production is the last environment; nothing to promote to');
  });

  it('a direct production deployment needs approval too', async () => {
    const r = await call<Problem>(s, 'POST', '/v1/services/shop/deployments', { body: { environment: 'production' } });
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 'approval-required');
  });

  it('lists deployments per service newest first, paged and filtered by environment', async () => {
    const all = await call<Page<Deployment>>(s, 'GET', '/v1/services/shop/deployments?limit=100');
    assert.deepEqual(all.body.items.map((d) => `${d.kind}:${d.environment}:${d.state}`), [
      'promote:production:succeeded',
      'promote:staging:succeeded',
      'rollback:local:succeeded',
      'rollback:local:succeeded',
      'deploy:local:succeeded',
      'deploy:local:rolled-back',
      'deploy:local:succeeded',
    ]);
    const p1 = await call<Page<Deployment>>(s, 'GET', '/v1/services/shop/deployments?limit=3');
    const p2 = await call<Page<Deployment>>(s, 'GET', `/v1/services/shop/deployments?limit=3&cursor=${p1.body.nextCursor}`);
    const p3 = await call<Page<Deployment>>(s, 'GET', `/v1/services/shop/deployments?limit=3&cursor=${p2.body.nextCursor}`);
    assert.deepEqual([...p1.body.items, ...p2.body.items, ...p3.body.items].map((d) => d.id), all.body.items.map((d) => d.id));
    assert.equal(p3.body.nextCursor, undefined);
    const staging = await call<Page<Deployment>>(s, 'GET', '/v1/services/shop/deployments?environment=staging');
    assert.equal(staging.body.items.length, 1);
    const across = await call<Page<Deployment>>(s, 'GET', '/v1/deployments?service=shop&limit=100');
    assert.deepEqual(across.body.items.map((d) => d.id), all.body.items.map((d) => d.id));
    const acrossPaged = await call<Page<Deployment>>(s, 'GET', '/v1/deployments?limit=2');
    assert.deepEqual(acrossPaged.body.items.map((d) => d.id), all.body.items.slice(0, 2).map((d) => d.id));
    assert.equal((await call<Page<Deployment>>(s, 'GET', '/v1/deployments?active=true')).body.items.length, 0);
  });

  it('events resume after N as SSE (query and Last-Event-ID) and as JSON', async () => {
    const headers = { authorization: `Bearer ${s.token}`, accept: 'text/event-stream' };
    const sse = await (await fetch(`${s.url}/v1/deployments/${first.id}/events?after=3`, { headers })).text();
    const ids = [...sse.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(ids[0], 4);
    assert.match(sse, /event: end\n/);
    const viaHeader = await (await fetch(`${s.url}/v1/deployments/${first.id}/events`, { headers: { ...headers, 'last-event-id': String(ids[ids.length - 2]) } })).text();
    assert.deepEqual([...viaHeader.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])), [ids[ids.length - 1]]);
    const page = await call(s, 'GET', `/v1/deployments/${first.id}/events?after=${ids[ids.length - 1]}`);
    assert.deepEqual(page.body, { items: [], done: true, lastSeq: ids[ids.length - 1] });
  });

  it('a second deployment to the same slot while one runs → 409; cancel stops the build and keeps nothing', async () => {
    const r = await call<Deployment>(s, 'POST', '/v1/services/slow/deployments', { body: { environment: 'local' } });
    await waitForEvent(s, r.body.id, (e) => e.message === 'build of slow ok');
    const busy = await call<Problem>(s, 'POST', '/v1/services/slow/deployments', { body: { environment: 'local' } });
    assert.equal(busy.status, 409);
    const active = await call<Page<Deployment>>(s, 'GET', '/v1/deployments?active=true');
    assert.deepEqual(active.body.items.map((d) => [d.id, d.state]), [[r.body.id, 'building']]);
    const record = JSON.parse(fs.readFileSync(path.join(s.stateDir, 'deployments', `${r.body.id}.json`), 'utf8')) as { pid: number };
    assert.ok(pidAlive(record.pid));
    const c = await call<Deployment>(s, 'POST', `/v1/deployments/${r.body.id}/cancel`);
    assert.equal(c.status, 202);
    const { deployment, events } = await followDeployment(s, r.body.id);
    assert.equal(deployment.state, 'cancelled');
    assert.equal(events[events.length - 1].message, 'cancelled; the previous release keeps serving');
    assert.equal(pidAlive(record.pid), false);
    assert.equal((await call(s, 'POST', `/v1/deployments/${r.body.id}/cancel`)).status, 409);
    assert.equal((await call(s, 'GET', '/v1/deployments/d-nope/events')).status, 404);
  });

  it('a golden-path service is scaffolded, passes its own tests, builds, deploys and answers on its port', async () => {
    const task = await call<ScaffoldTask>(s, 'POST', '/v1/scaffold-tasks', { body: { templateId: 'node-http-service', values: { name: 'hello-svc', owner: 'team-a', description: 'Says: "hello"' } } });
    let after = 0;
    for (;;) {
      const ev = await call<TaskEventsPage>(s, 'GET', `/v1/scaffold-tasks/${task.body.id}/events?after=${after}&wait=10`);
      after = ev.body.lastSeq;
      if (ev.body.done) break;
    }
    const done = await call<ScaffoldTask>(s, 'GET', `/v1/scaffold-tasks/${task.body.id}`);
    assert.equal(done.body.state, 'succeeded');
    const target = path.join(tempDir('golden'), 'hello-svc');
    for (const f of done.body.result?.files ?? []) {
      fs.mkdirSync(path.dirname(path.join(target, f.path)), { recursive: true });
      fs.writeFileSync(path.join(target, f.path), f.content, { mode: f.mode });
    }
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8')).description, 'Says: "hello"');
    const build = spawnSync(process.execPath, ['scripts/build.js'], { cwd: target, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const tests = spawnSync(process.execPath, ['--test', 'test/'], { cwd: target, encoding: 'utf8' });
    assert.equal(tests.status, 0, tests.stdout + tests.stderr);
    assert.match(tests.stdout, /# pass 3/);
    const reg = await call(s, 'POST', '/v1/services', { body: { manifest: (await import('yaml')).parse(fs.readFileSync(path.join(target, 'paved.yaml'), 'utf8')), sourceDir: target } });
    assert.equal(reg.status, 201);
    const { deployment } = await deploy(s, 'hello-svc', { environment: 'local' });
    assert.equal(deployment.state, 'succeeded');
    assert.deepEqual(await json(`${deployment.url}/healthz`), { status: 'ok', service: 'hello-svc' });
    assert.deepEqual(await json(`${deployment.url}/`), { service: 'hello-svc', owner: 'team-a', message: 'Hello from hello-svc' });
  });

  it('unregistering a registered service stops what runs for it', async () => {
    const before = await call<ServiceDetails>(s, 'GET', '/v1/services/hello-svc');
    const url = before.body.environments.find((e) => e.environment === 'local')?.url as string;
    assert.equal(await answers(`${url}/healthz`), 200);
    assert.equal((await call(s, 'DELETE', '/v1/services/hello-svc')).status, 204);
    assert.equal(await answers(`${url}/healthz`), 'refused');
    assert.equal((await call(s, 'GET', '/v1/services/hello-svc')).status, 404);
  });

  it('stopping the platform stops every service it started and removes the port file', async () => {
    const svc = await call<ServiceDetails>(s, 'GET', '/v1/services/shop');
    const urls = svc.body.environments.filter((e) => e.state === 'running').map((e) => e.url as string);
    assert.equal(urls.length, 3);
    const health = await call(s, 'GET', '/v1/health');
    assert.equal(health.body.runningServices, 3);
    assert.equal(await s.stop(), 0);
    for (const u of urls) assert.equal(await answers(u), 'refused');
    assert.equal(fs.existsSync(path.join(s.stateDir, 'serve.json')), false);
    assert.equal(fs.existsSync(path.join(s.stateDir, 'serve.lock')), false);
  });
});

describe('Platform API contract: crash safety', function () {
  this.timeout(120000);

  it('kill -9 during a deployment: on restart the deployment is failed, its build is stopped, running services are adopted, state is intact', async () => {
    const ws = tempDir('crash-ws');
    writeService(path.join(ws, 'api'), 'api');
    writeService(path.join(ws, 'slow'), 'slow', { extraBuild: '"node build.js && sleep 60"' });
    const stateDir = tempDir('crash-state');
    const base = String(portBase());
    const s1 = await serve(['--state-dir', stateDir, '--workspace', ws, '--port-base', base, '--idle-timeout', '0']);
    let s2: Served | undefined;
    try {
      const okDeploy = await deploy(s1, 'api', { environment: 'local' });
      assert.equal(okDeploy.deployment.state, 'succeeded');
      const r = await call<Deployment>(s1, 'POST', '/v1/services/slow/deployments', { body: { environment: 'local' }, headers: { 'Idempotency-Key': 'k1' } });
      await waitForEvent(s1, r.body.id, (e) => e.message === 'build of slow ok');
      const buildPid = (JSON.parse(fs.readFileSync(path.join(stateDir, 'deployments', `${r.body.id}.json`), 'utf8')) as { pid: number }).pid;
      await s1.kill9();
      // The orphans are still there until a new instance reaps them.
      assert.equal(pidAlive(buildPid), true);
      assert.equal(await answers(`${okDeploy.deployment.url}/healthz`), 200);

      s2 = await serve(['--state-dir', stateDir, '--workspace', ws, '--port-base', base, '--idle-timeout', '0']);
      assert.equal(pidAlive(buildPid), false);
      // The running service was adopted: it keeps serving, and the new instance owns (and will stop) it.
      assert.equal(await answers(`${okDeploy.deployment.url}/healthz`), 200);
      assert.match(s2.stderr(), /adopted api\/local \(release r-\S+, pid \d+, port \d+\) left running by an earlier instance/);
      const d = await call<Deployment>(s2, 'GET', `/v1/deployments/${r.body.id}`);
      assert.equal(d.body.state, 'failed');
      assert.equal(d.body.error, 'the platform stopped while this deployment was running; it was marked failed on restart');
      const ev = await call(s2, 'GET', `/v1/deployments/${r.body.id}/events`);
      assert.equal(ev.body.done, true);
      assert.equal(ev.body.items[ev.body.items.length - 1].type, 'failed');
      const replay = await call<Deployment>(s2, 'POST', '/v1/services/slow/deployments', { body: { environment: 'local' }, headers: { 'Idempotency-Key': 'k1' } });
      assert.equal(replay.body.id, r.body.id);
      const svc = await call<ServiceDetails>(s2, 'GET', '/v1/services/api');
      assert.equal(svc.body.environments[0].state, 'running');
      assert.equal(svc.body.environments[0].url, okDeploy.deployment.url);
      // Every state file is complete JSON.
      for (const f of fs.readdirSync(path.join(stateDir, 'deployments')).filter((x) => x.endsWith('.json'))) {
        JSON.parse(fs.readFileSync(path.join(stateDir, 'deployments', f), 'utf8'));
      }
      const again = await deploy(s2, 'api', { environment: 'local', release: okDeploy.deployment.release });
      assert.equal(again.deployment.state, 'succeeded');
      assert.equal(again.deployment.previousRelease, okDeploy.deployment.release);
      assert.equal(await answers(`${again.deployment.url}/healthz`), 200);
      assert.equal(await answers(`${okDeploy.deployment.url}/healthz`), 'refused');
      assert.equal(await s2.stop(), 0);
      assert.equal(await answers(`${again.deployment.url}/healthz`), 'refused');
    } finally {
      if (s1.proc.exitCode === null && s1.proc.signalCode === null) await s1.stop();
      if (s2 && s2.proc.exitCode === null) await s2.stop();
    }
  });

  it('a service process that dies on its own shows as failed', async () => {
    const ws = tempDir('crash2-ws');
    writeService(path.join(ws, 'api'), 'api');
    const s = await serve(['--state-dir', tempDir('crash2-state'), '--workspace', ws, '--port-base', String(portBase()), '--idle-timeout', '0']);
    try {
      const { deployment } = await deploy(s, 'api', { environment: 'local' });
      const slots = JSON.parse(fs.readFileSync(path.join(s.stateDir, 'slots.json'), 'utf8')) as { pid: number; service: string }[];
      const pid = slots.find((x) => x.service === 'api')?.pid as number;
      process.kill(-pid, 'SIGKILL');
      while (pidAlive(pid)) await new Promise<void>((resolve) => setImmediate(resolve));
      const svc = await call<ServiceDetails>(s, 'GET', '/v1/services/api');
      assert.deepEqual([svc.body.environments[0].state, svc.body.environments[0].release, svc.body.environments[0].url], ['failed', deployment.release, undefined]);
      assert.equal((await call(s, 'GET', '/v1/health')).body.runningServices, 0);
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  it('a second start on the same state dir reuses the running instance; a non-loopback bind without a token is refused', async () => {
    const stateDir = tempDir('lock-state');
    const s1 = await serve(['--state-dir', stateDir, '--idle-timeout', '0']);
    try {
      const second = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'src/cli/main.ts', 'serve', '--json', '--state-dir', stateDir], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' });
      assert.equal(second.status, 0);
      const info = JSON.parse(second.stdout) as { url: string; pid: number; reused: boolean };
      assert.deepEqual([info.url, info.pid, info.reused], [s1.url, s1.pid, true]);
    } finally {
      assert.equal(await s1.stop(), 0);
    }
    const open = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'src/cli/main.ts', 'serve', '--host', '0.0.0.0', '--state-dir', tempDir('open-state')], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' });
    assert.equal(open.status, 2);
    assert.match(open.stderr, /refusing to listen on 0\.0\.0\.0 \(not loopback\) without --token-file/);
  });

  it('bad command-line options exit 2 with the reason and the usage', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--require', 'tsx/cjs', 'src/cli/main.ts', 'serve', ...args], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' });
    const port = run('--port', 'abc');
    assert.equal(port.status, 2);
    assert.match(port.stderr, /^paved serve: --port must be an integer from 0 to 65535, not 'abc'\nUsage: paved serve \[options\]/);
    const unknown = run('--colour');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^paved serve: unknown option '--colour'/);
    const missing = run('--workspace');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^paved serve: --workspace needs a value/);
  });

  it('stops by itself after the idle timeout when no service runs', async () => {
    const s = await serve(['--state-dir', tempDir('idle-state'), '--idle-timeout', '1']);
    assert.equal(await new Promise<number | null>((resolve) => s.proc.once('exit', resolve)), 0);
    assert.match(s.stderr(), /idle for 1s with no running service/);
  });
});

describe('Platform API contract: DORA metrics from a scripted history', function () {
  this.timeout(60000);

  it('computes frequency, lead time, change failure rate and time to restore over the window', async () => {
    const ws = tempDir('dora-ws');
    writeService(path.join(ws, 'pay'), 'pay');
    const now = Date.now();
    const at = (ms: number): string => new Date(now - ms).toISOString();
    const H = 3600_000;
    const D = 24 * H;
    const rec = (kind: string, state: string, env: string, rel: string, relAge: number, finishedAge: number): Record<string, string> => ({
      service: 'pay', environment: env, kind, state, release: rel, releaseCreatedAt: at(relAge), createdAt: at(finishedAge + 60_000), finishedAt: at(finishedAge),
    });
    const history = [
      rec('deploy', 'succeeded', 'production', 'r-20200101T000000Z-000001', 10 * D + 2 * H, 10 * D), // lead 2h
      rec('deploy', 'rolled-back', 'production', 'r-20200101T000000Z-000002', 5 * D + H, 5 * D), // failure
      rec('rollback', 'succeeded', 'production', 'r-20200101T000000Z-000001', 10 * D + 2 * H, 5 * D - 1800_000), // restored in 30 min
      rec('promote', 'succeeded', 'production', 'r-20200101T000000Z-000003', 3 * D + 4 * H, 3 * D), // lead 4h
      rec('deploy', 'succeeded', 'production', 'r-20200101T000000Z-000004', D + H, D), // lead 1h
      rec('deploy', 'cancelled', 'production', 'r-20200101T000000Z-000005', D, D - H), // not a change
      rec('deploy', 'succeeded', 'production', 'r-20200101T000000Z-000006', 41 * D, 40 * D), // outside 30 days
      rec('deploy', 'failed', 'staging', 'r-20200101T000000Z-000007', 2 * D, 2 * D), // other environment
    ];
    const file = path.join(tempDir('dora-history'), 'history.json');
    fs.writeFileSync(file, JSON.stringify(history));
    const s = await serve(['--state-dir', tempDir('dora-state'), '--workspace', ws, '--seed-history', file, '--idle-timeout', '0']);
    try {
      const m30 = await call<DoraMetrics>(s, 'GET', '/v1/services/pay/metrics');
      assert.deepEqual(m30.body, { windowDays: 30, deploymentFrequencyPerDay: 0.1, deployments: 3, leadTimeSeconds: 7200, changeFailureRate: 0.25, timeToRestoreSeconds: 1800, environment: 'production' });
      const m2 = await call<DoraMetrics>(s, 'GET', '/v1/services/pay/metrics?windowDays=2');
      assert.deepEqual(m2.body, { windowDays: 2, deploymentFrequencyPerDay: 0.5, deployments: 1, leadTimeSeconds: 3600, changeFailureRate: 0, environment: 'production' });
      const staging = await call<DoraMetrics>(s, 'GET', '/v1/services/pay/metrics?environment=staging');
      assert.deepEqual(staging.body, { windowDays: 30, deploymentFrequencyPerDay: 0, deployments: 0, changeFailureRate: 1, environment: 'staging' });
      const details = await call<ServiceDetails>(s, 'GET', '/v1/services/pay');
      assert.deepEqual(details.body.metrics, m30.body);
      assert.equal((await call(s, 'GET', '/v1/services/pay/metrics?windowDays=0')).status, 400);
      assert.equal((await call(s, 'GET', '/v1/services/pay/metrics?environment=moon')).status, 404);
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });
});
