import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventsPage, Page, ServiceSummary } from '../../src/core/api/types';
import type { HealthHistory, LogLine, LogPage, OperationEvent, ServiceHealthList, ServiceStatus, StopResult } from '../../src/core/api/operations';
import type { Deployment, DeploymentEvent, Problem } from '../../src/core/api/types';
import { answers, call, followDeployment, portBase, serve, tempDir, type Served } from './helpers';
import { openSse, writeOpsService } from './opsService';

const SECRET = 'tok-5f3a9c2e7d11-secret';

async function deploy(s: Served, service: string, environment = 'local', extra: Record<string, unknown> = {}): Promise<Deployment> {
  const r = await call<Deployment>(s, 'POST', `/v1/services/${service}/deployments`, { body: { environment, ...extra } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const { deployment } = await followDeployment(s, r.body.id);
  assert.equal(deployment.state, 'succeeded', deployment.error);
  return deployment;
}

/** Waits (long-poll, no sleeps) for the service's operation event that matches. */
async function waitOperation(s: Served, service: string, env: string, pred: (e: OperationEvent) => boolean, after = 0): Promise<OperationEvent> {
  let cursor = after;
  for (;;) {
    const r = await call<EventsPage<OperationEvent>>(s, 'GET', `/v1/services/${service}/environments/${env}/events?after=${cursor}&wait=30`);
    assert.equal(r.status, 200);
    const hit = r.body.items.find(pred);
    if (hit) return hit;
    cursor = r.body.lastSeq;
  }
}

async function lastSeq(s: Served, service: string, env: string): Promise<number> {
  return (await call<EventsPage<OperationEvent>>(s, 'GET', `/v1/services/${service}/environments/${env}/events`)).body.lastSeq;
}

async function logs(s: Served, service: string, query: string, env = 'local'): Promise<LogPage> {
  const r = await call<LogPage>(s, 'GET', `/v1/services/${service}/environments/${env}/logs?${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** Reads the log until a line matches (the service writes asynchronously to its writer). */
async function logUntil(s: Served, service: string, pred: (l: LogLine) => boolean): Promise<LogLine[]> {
  let cursor: string | undefined;
  const seen: LogLine[] = [];
  for (;;) {
    const page = await logs(s, service, cursor ? `after=${cursor}&wait=10` : 'tail=1000');
    seen.push(...page.items);
    if (seen.some(pred)) return seen;
    cursor = page.cursor;
  }
}

describe('Platform API contract: day two (logs, health, SLOs, restart, stop)', function () {
  this.timeout(120000);
  let s: Served;
  let ws: string;
  let stateDir: string;

  before(async () => {
    ws = tempDir('ops-ws');
    writeOpsService(path.join(ws, 'shop'), 'shop', { approval: true });
    writeOpsService(path.join(ws, 'cart'), 'cart', { restartAfterSeconds: 2 });
    writeOpsService(path.join(ws, 'quiet'), 'quiet');
    writeOpsService(path.join(ws, 'builder'), 'builder', { buildPrintsSecret: true });
    stateDir = tempDir('ops-state');
    s = await serve(['--state-dir', stateDir, '--workspace', ws, '--port-base', String(portBase()), '--idle-timeout', '0'], { API_TOKEN: SECRET });
  });

  after(async () => {
    if (s) assert.equal(await s.stop(), 0);
  });

  describe('logs', () => {
    let d: Deployment;

    before(async () => {
      d = await deploy(s, 'shop');
    });

    it('the last N lines: stdout and stderr marked, the platform\'s own lines, each with its release and a cursor', async () => {
      await answers(`${d.url}/?tag=first`);
      await answers(`${d.url}/err?tag=oops`);
      const seen = await logUntil(s, 'shop', (l) => l.text === 'something went wrong oops');
      const started = seen.find((l) => l.stream === 'platform');
      assert.match(started?.text ?? '', new RegExp(`^started release ${d.release} \\(pid \\d+\\): node server\\.js$`));
      assert.deepEqual(
        seen.filter((l) => l.stream !== 'platform').map((l) => [l.stream, l.text]),
        [
          ['stdout', `listening on ${d.port}`],
          ['stdout', 'GET / first'],
          ['stderr', 'something went wrong oops'],
        ],
      );
      assert.ok(seen.every((l) => l.release === d.release && /^\d+\.\d+\.\d+$/.test(l.cursor) && !Number.isNaN(Date.parse(l.at))));
      const two = await logs(s, 'shop', 'tail=2');
      assert.deepEqual(two.items.map((l) => l.text), ['GET / first', 'something went wrong oops']);
      assert.equal(two.release, d.release);
      assert.equal(two.cursor, two.items[1].cursor);
    });

    it('after a cursor: exactly the lines after it; since a time: the lines written from then on', async () => {
      const before = await logs(s, 'shop', 'tail=1');
      const mark = new Date().toISOString();
      await answers(`${d.url}/burst?n=3&tag=after`);
      const seen = await logUntil(s, 'shop', (l) => l.text === 'after 3');
      assert.ok(seen.length > 0);
      const page = await logs(s, 'shop', `after=${before.cursor}`);
      assert.deepEqual(page.items.map((l) => l.text), ['after 1', 'after 2', 'after 3']);
      const since = await logs(s, 'shop', `since=${encodeURIComponent(mark)}`);
      assert.deepEqual(since.items.map((l) => l.text), ['after 1', 'after 2', 'after 3']);
      const limited = await logs(s, 'shop', `after=${before.cursor}&limit=2`);
      assert.deepEqual([limited.items.length, limited.more], [2, true]);
      const bad = await call<Problem>(s, 'GET', '/v1/services/shop/environments/local/logs?after=nope');
      assert.equal(bad.status, 400);
      assert.equal((await call<Problem>(s, 'GET', '/v1/services/nobody/environments/local/logs')).status, 404);
      assert.equal((await call<Problem>(s, 'GET', '/v1/services/shop/environments/moon/logs')).status, 404);
    });

    it('caps long lines and redacts secret values — in the API and in the file on disk', async () => {
      await answers(`${d.url}/long`);
      await answers(`${d.url}/secret`);
      const seen = await logUntil(s, 'shop', (l) => l.text.startsWith('token is'));
      const long = seen.find((l) => l.text.startsWith('xxxx'));
      assert.equal(long?.text.length, 8192);
      assert.equal(long?.truncated, true);
      assert.equal(seen.find((l) => l.text.startsWith('token is'))?.text, 'token is [redacted]');
      const dir = path.join(stateDir, 'logs', 'shop', 'local');
      const onDisk = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
      assert.ok(onDisk.includes('token is [redacted]'));
      assert.ok(!onDisk.includes(SECRET), 'the secret never reaches the file');
    });

    it('a build that prints a secret: its events, GET …/log and the build log on disk hide it', async () => {
      const built = await deploy(s, 'builder');
      const events = await call<EventsPage<DeploymentEvent>>(s, 'GET', `/v1/deployments/${built.id}/events`);
      const output = events.body.items.filter((e) => e.step === 'build' && e.type === 'log').flatMap((e) => e.message.split('\n'));
      assert.deepEqual(output, ['building', 'token is ********', 'built']);
      const log = await call<string>(s, 'GET', `/v1/deployments/${built.id}/log`);
      assert.equal(log.status, 200);
      assert.equal(log.body, 'building\ntoken is ********\nbuilt\n');
      const dir = path.join(stateDir, 'logs');
      const buildLogs = fs.readdirSync(dir).filter((f) => f.startsWith(`builder-${built.release}`) && f.endsWith('build.log'));
      assert.equal(buildLogs.length, 1);
      assert.ok(!fs.readFileSync(path.join(dir, buildLogs[0]), 'utf8').includes(SECRET), 'the secret does not rest in the build log');
    });

    it('follow (SSE): a reconnect with Last-Event-ID mid-stream loses and repeats no line', async () => {
      const url = `${s.url}/v1/services/shop/environments/local/logs?follow=true&tail=0`;
      const first = await openSse(url, s.token);
      assert.equal(first.status, 200);
      const got: string[] = [];
      let lastId: string | undefined;
      await answers(`${d.url}/burst?n=500&tag=follow`);
      while (got.length < 137) {
        const e = await first.next();
        assert.equal(e.event, 'line');
        assert.equal(e.id, e.data.cursor);
        if (e.data.stream === 'stdout') got.push(e.data.text);
        lastId = e.id;
      }
      first.close();
      const second = await openSse(url, s.token, { 'last-event-id': lastId as string });
      while (got.length < 500) {
        const e = await second.next();
        if (e.data.stream === 'stdout') got.push(e.data.text);
      }
      second.close();
      assert.deepEqual(got, Array.from({ length: 500 }, (_, i) => `follow ${i + 1}`));
    });

    it('follow across a new deployment: the old release\'s last lines, then the new release\'s from its first', async () => {
      const url = `${s.url}/v1/services/shop/environments/local/logs?follow=true&tail=0`;
      const stream = await openSse(url, s.token);
      const next = await deploy(s, 'shop');
      const seen: LogLine[] = [];
      while (!seen.some((l) => l.release === next.release && l.text === `listening on ${next.port}`)) seen.push((await stream.next()).data);
      stream.close();
      const story = seen.map((l) => `${l.release === d.release ? 'old' : 'new'} ${l.stream} ${l.text.replace(/\(pid \d+\)/, '(pid)').replace(/^listening on \d+$/, 'listening')}`);
      // The service exits 0 on SIGTERM; the shell that runs its command may report the signal itself.
      assert.match(story[1], /^old platform exited (with code 0|on SIGTERM)$/);
      story[1] = 'old platform exited';
      assert.deepEqual(story, ['old stdout SIGTERM received, closing', 'old platform exited', `new platform started release ${next.release} (pid): node server.js`, 'new stdout listening']);
      d = next;
    });
  });

  describe('health', () => {
    let d: Deployment;

    before(async () => {
      d = await deploy(s, 'quiet');
      await waitOperation(s, 'quiet', 'local', (e) => e.type === 'health' && e.state === 'healthy');
    });

    it('a release that starts failing its health check turns unhealthy within its interval × threshold, and back when it recovers', async () => {
      const from = await lastSeq(s, 'quiet', 'local');
      const flippedAt = Date.now();
      await answers(`${d.url}/flip?status=503`);
      const degraded = await waitOperation(s, 'quiet', 'local', (e) => e.type === 'health' && e.state === 'degraded', from);
      const unhealthy = await waitOperation(s, 'quiet', 'local', (e) => e.type === 'health' && e.state === 'unhealthy', from);
      assert.match(degraded.message, /^healthy → degraded: GET \/healthz answered 503$/);
      assert.match(unhealthy.message, /^degraded → unhealthy: GET \/healthz answered 503 \(2 failed probes in a row\); reported, not restarted: set spec\.health\.restartAfterSeconds/);
      // intervalSeconds 1, failureThreshold 2: the second failed probe comes at most 2 intervals after the flip (+ slack for a busy machine).
      assert.ok(Date.parse(unhealthy.at) - flippedAt <= 2 * 1000 + 1500, `unhealthy after ${Date.parse(unhealthy.at) - flippedAt} ms`);

      const status = await call<ServiceStatus>(s, 'GET', '/v1/services/quiet/status');
      const local = status.body.environments.find((e) => e.environment === 'local');
      assert.equal(local?.health?.state, 'unhealthy');
      assert.equal(local?.health?.lastError, 'GET /healthz answered 503');
      assert.equal(local?.health?.failureThreshold, 2);
      const list = await call<Page<ServiceSummary>>(s, 'GET', '/v1/services?text=quiet');
      assert.deepEqual(list.body.items[0].health, { local: 'unhealthy' });
      const overview = await call<ServiceHealthList>(s, 'GET', '/v1/service-health');
      assert.deepEqual(
        overview.body.items.filter((i) => i.service === 'quiet').map((i) => [i.environment, i.state, i.owner, i.lastError]),
        [['local', 'unhealthy', 'team-ops', 'GET /healthz answered 503']],
      );

      const back = await lastSeq(s, 'quiet', 'local');
      await answers(`${d.url}/flip?status=200`);
      const healthy = await waitOperation(s, 'quiet', 'local', (e) => e.type === 'health' && e.state === 'healthy', back);
      assert.equal(healthy.message, 'unhealthy → healthy');
      const history = await call<HealthHistory>(s, 'GET', '/v1/services/quiet/environments/local/health?hours=1');
      assert.equal(history.body.health?.state, 'healthy');
      assert.ok(history.body.buckets.reduce((n, b) => n + b.probes - b.ok, 0) >= 2, 'the failed probes are in the history');
      assert.deepEqual(history.body.changes.slice(0, 3).map((c) => c.state), ['healthy', 'unhealthy', 'degraded']);
    });

    it('a release unhealthy past restartAfterSeconds is restarted by the platform, which says so', async () => {
      const cart = await deploy(s, 'cart');
      await waitOperation(s, 'cart', 'local', (e) => e.type === 'health' && e.state === 'healthy');
      const from = await lastSeq(s, 'cart', 'local');
      await answers(`${cart.url}/flip?status=500`);
      const unhealthy = await waitOperation(s, 'cart', 'local', (e) => e.state === 'unhealthy', from);
      assert.match(unhealthy.message, /the platform restarts it once it has been unhealthy for 2 s \(spec\.health\.restartAfterSeconds\)/);
      const restart = await waitOperation(s, 'cart', 'local', (e) => e.type === 'restart', from);
      assert.equal(restart.automatic, true);
      assert.match(restart.message, new RegExp(`^unhealthy for \\d+ s: restarting release ${cart.release} as spec\\.health\\.restartAfterSeconds \\(2\\) asks — deployment ${restart.deploymentId}$`));
      const { deployment } = await followDeployment(s, restart.deploymentId as string);
      assert.deepEqual([deployment.kind, deployment.state, deployment.release], ['restart', 'succeeded', cart.release]);
      await waitOperation(s, 'cart', 'local', (e) => e.type === 'health' && e.state === 'healthy', restart.seq);
    });
  });

  describe('restart and stop', () => {
    it('restart: a deployment of kind restart with events; while it runs a second request gets the same one', async () => {
      const d = await deploy(s, 'quiet', 'staging');
      const from = await lastSeq(s, 'quiet', 'staging');
      const r1 = await call<Deployment>(s, 'POST', '/v1/services/quiet/environments/staging/restart', { body: {} });
      const r2 = await call<Deployment>(s, 'POST', '/v1/services/quiet/environments/staging/restart', { body: {} });
      assert.deepEqual([r1.status, r2.status], [202, 202]);
      assert.equal(r1.body.kind, 'restart');
      assert.equal(r2.body.id, r1.body.id, 'idempotent while it runs');
      const { deployment, events } = await followDeployment(s, r1.body.id);
      assert.equal(deployment.state, 'succeeded');
      assert.equal(deployment.release, d.release);
      assert.notEqual(deployment.port, d.port, 'a new process next to the old one');
      assert.ok(events.some((e) => e.type === 'step' && e.step === 'stop' && e.message.startsWith(`stopping previous release ${d.release}`)));
      assert.equal(await answers(`${d.url}/`), 'refused');
      const told = await waitOperation(s, 'quiet', 'staging', (e) => e.type === 'restart', from);
      assert.deepEqual([told.automatic, told.deploymentId], [false, r1.body.id]);
      const keyed = await call<Deployment>(s, 'POST', '/v1/services/quiet/environments/staging/restart', { body: {}, headers: { 'Idempotency-Key': 'quiet-restart-1' } });
      const again = await call<Deployment>(s, 'POST', '/v1/services/quiet/environments/staging/restart', { body: {}, headers: { 'Idempotency-Key': 'quiet-restart-1' } });
      assert.equal(again.body.id, keyed.body.id);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      await followDeployment(s, keyed.body.id);
    });

    it('stop: stops the release and says so once; stopping again changes nothing; restart starts it again', async () => {
      const st = await call<ServiceStatus>(s, 'GET', '/v1/services/quiet/status');
      const url = st.body.environments.find((e) => e.environment === 'staging')?.url as string;
      const from = await lastSeq(s, 'quiet', 'staging');
      const stop1 = await call<StopResult>(s, 'POST', '/v1/services/quiet/environments/staging/stop', { body: {} });
      assert.equal(stop1.status, 200);
      assert.equal(stop1.body.changed, true);
      assert.equal(stop1.body.environment.state, 'stopped');
      assert.equal(await answers(`${url}/`), 'refused');
      const stop2 = await call<StopResult>(s, 'POST', '/v1/services/quiet/environments/staging/stop', { body: {} });
      assert.deepEqual([stop2.status, stop2.body.changed, stop2.body.environment.state], [200, false, 'stopped']);
      const events = (await call<EventsPage<OperationEvent>>(s, 'GET', `/v1/services/quiet/environments/staging/events?after=${from}`)).body.items;
      assert.deepEqual(events.filter((e) => e.type === 'stop').length, 1);
      assert.match(events.find((e) => e.type === 'stop')?.message ?? '', /^stopped release r-\S+ \(pid \d+\) on request$/);
      const overview = await call<ServiceHealthList>(s, 'GET', '/v1/service-health');
      assert.ok(!overview.body.items.some((i) => i.service === 'quiet' && i.environment === 'staging'), 'a stopped release is not probed');
      const restarted = await call<Deployment>(s, 'POST', '/v1/services/quiet/environments/staging/restart', { body: {} });
      const { deployment } = await followDeployment(s, restarted.body.id);
      assert.equal(deployment.state, 'succeeded');
      assert.equal(await answers(`${deployment.url}/`), 200);
    });

    it('production follows the manifest\'s approval rule; a service never deployed there cannot be restarted', async () => {
      await deploy(s, 'shop', 'production', { approved: true });
      for (const op of ['restart', 'stop']) {
        const refused = await call<Problem>(s, 'POST', `/v1/services/shop/environments/production/${op}`, { body: {} });
        assert.equal(refused.status, 403);
        assert.equal(refused.body.code, 'approval-required');
      }
      const r = await call<Deployment>(s, 'POST', '/v1/services/shop/environments/production/restart', { body: { approved: true } });
      assert.equal(r.status, 202);
      await followDeployment(s, r.body.id);
      const stop = await call<StopResult>(s, 'POST', '/v1/services/shop/environments/production/stop', { body: { approved: true } });
      assert.equal(stop.body.changed, true);
      const never = await call<Problem>(s, 'POST', '/v1/services/cart/environments/production/restart', { body: {} });
      assert.equal(never.status, 409);
      assert.match(never.body.detail ?? '', /never deployed to production/);
    });
  });

  describe('SLO status from a scripted probe history', () => {
    it('availability and latency over the window, error budget and burn rate, from history the platform loaded from disk', async () => {
      // The platform stops; its health file for quiet/local is replaced by a scripted day: 1440 minutes × 6 probes,
      // 43 failures (1 a minute in the last 40 minutes, 3 ten hours ago), every answered probe at 20 ms except one
      // minute an hour at 400 ms. Then the platform starts again on the same state dir.
      // The day is scripted for the minute it is written in; should that minute turn before the platform has loaded
      // it and answered (the windows would then end a minute later), the day is scripted again for the new minute.
      const minute = () => Math.floor(Date.now() / 1000 / 60) * 60;
      let rows: number[][] = [];
      let st: { body: ServiceStatus } | undefined;
      for (let attempt = 1; st === undefined; attempt++) {
        assert.equal(await s.stop(), 0);
        const nowS = minute();
        rows = [];
        for (let ago = 1440; ago >= 1; ago--) {
          const bad = ago <= 40 ? 1 : ago === 600 ? 3 : 0;
          const ok = 6 - bad;
          const slow = ago % 60 === 0;
          const hist = new Array(10).fill(0);
          hist[slow ? 5 : 1] = ok; // 400 ms → ≤500 bucket; 20 ms → ≤25 bucket
          rows.push([nowS - ago * 60, 60, 6, ok, ok * (slow ? 400 : 20), ok ? (slow ? 400 : 20) : 0, ...hist]);
        }
        fs.writeFileSync(path.join(stateDir, 'health', 'quiet', 'local.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
        s = await serve(['--state-dir', stateDir, '--workspace', ws, '--port-base', String(portBase()), '--idle-timeout', '0'], { API_TOKEN: SECRET });
        const answer = await call<ServiceStatus>(s, 'GET', '/v1/services/quiet/status');
        if (minute() === nowS) st = answer;
        else assert.ok(attempt < 3, 'the minute turned while the platform loaded the scripted day, three times in a row');
      }
      assert.equal(st.body.basis, 'probes');
      assert.match(st.body.note, /not from user traffic/);
      const local = st.body.environments.find((e) => e.environment === 'local');
      assert.equal(local?.state, 'stopped', 'the platform stopped its services when it stopped');
      const [availability, latency] = local?.slos ?? [];
      assert.deepEqual(
        { name: availability.name, measured: availability.measured, total: availability.total, good: availability.good, value: availability.value, budget: availability.errorBudgetRemaining, burn: availability.burnRate, coverage: availability.coverage, met: availability.met },
        { name: 'availability', measured: true, total: 8640, good: 8597, value: 99.5023, budget: 0.5023, burn: 11.11, coverage: 1, met: true },
      );
      // 8597 answered, 24 slow minutes × ok probes at 400 ms; threshold 250 ms counted at the 250 bucket.
      const slow = rows.filter((r) => r[4] === r[3] * 400 && r[3] > 0).reduce((n, r) => n + r[3], 0);
      assert.deepEqual(
        { indicator: latency.indicator, total: latency.total, good: latency.good, counted: latency.countedThresholdMs, met: latency.met },
        { indicator: 'latency', total: 8597, good: 8597 - slow, counted: 250, met: true },
      );
    });
  });
});
