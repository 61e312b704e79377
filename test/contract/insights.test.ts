/**
 * Platform insights against a real `paved serve` (issue 17): delivery (DORA per week and team) over a seeded history,
 * the services behind the numbers a page at a time, adoption agreeing with GET /v1/golden-paths, onboarding of a
 * service scaffolded through the API, compliance with its weekly trend, and the feedback inbox whose states the
 * platform team sets (kept across a restart). Every response is checked against the contract by `call`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Feedback, GoldenPathAdoption } from '../../src/core/api/types';
import type { AdoptionInsights, ComplianceInsights, DeliveryInsights, DeliveryService, FeedbackInsights, FeedbackItem, OnboardingInsights } from '../../src/core/insights';
import type { Page } from '../../src/core/api/types';
import { call, scaffoldTask, serve, tempDir, writeService, type Served } from './helpers';

const W0 = Date.parse('2026-11-02T00:00:00Z'); // a Monday
const H = 3600_000;
const D = 24 * H;
const iso = (t: number): string => new Date(t).toISOString();
const WINDOW = `since=${iso(W0)}&until=${iso(W0 + 14 * D)}`;

describe('Platform API contract: platform insights (GET /v1/insights/..., PUT /v1/feedback/{id}/state)', function () {
  this.timeout(120000);
  let s: Served;
  let ws: string;
  let state: string;
  const start = () => serve(['--state-dir', state, '--workspace', ws, '--idle-timeout', '0']);

  before(async () => {
    ws = tempDir('insights-ws');
    writeService(path.join(ws, 'pay'), 'pay', { owner: 'payments' });
    writeService(path.join(ws, 'ledger'), 'ledger', { owner: 'payments' });
    writeService(path.join(ws, 'web'), 'web', { owner: 'web' });
    let n = 0;
    const rec = (service: string, kind: string, st: string, finished: number, lead = H) => ({
      service, environment: 'production', kind, state: st, release: `r-20261101T000000Z-${String(++n).padStart(6, '0')}`, releaseCreatedAt: iso(finished - lead), createdAt: iso(finished - 60_000), finishedAt: iso(finished),
    });
    const history = [
      rec('pay', 'deploy', 'succeeded', W0 + D, 2 * H),
      rec('pay', 'deploy', 'failed', W0 + 6 * D + 23 * H),
      rec('pay', 'rollback', 'succeeded', W0 + 7 * D + H), // recovered 2 h later, in the next week
      rec('ledger', 'deploy', 'succeeded', W0 + 8 * D, 4 * H),
      rec('web', 'promote', 'succeeded', W0 + 9 * D, 3 * H),
      rec('web', 'deploy', 'cancelled', W0 + 9 * D + H),
      rec('web', 'deploy', 'succeeded', W0 + 20 * D), // after the window
    ];
    const file = path.join(tempDir('insights-history'), 'history.json');
    fs.writeFileSync(file, JSON.stringify(history));
    state = tempDir('insights-state');
    s = await serve(['--state-dir', state, '--workspace', ws, '--seed-history', file, '--idle-timeout', '0']);
  });
  after(async () => {
    await s?.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('delivery: DORA per week across services and per team, from the history', async () => {
    const r = await call<DeliveryInsights>(s, 'GET', `/v1/insights/delivery?${WINDOW}`);
    assert.equal(r.status, 200);
    const d = r.body;
    assert.deepEqual([d.total.deployments, d.total.changes, d.total.failedChanges, d.total.allDeployments, d.total.reworkDeployments], [3, 4, 1, 5, 1]);
    assert.equal(d.total.changeFailRate, 0.25);
    assert.equal(d.total.reworkRate, 0.2);
    assert.deepEqual(d.total.changeLeadTime, { count: 3, medianSeconds: 3 * 3600, p90Seconds: 4 * 3600 });
    assert.deepEqual(d.total.recoveryTime, { count: 1, medianSeconds: 2 * 3600, p90Seconds: 2 * 3600 });
    assert.deepEqual(d.weeks.map((w) => [w.weekStart, w.deployments, w.failedChanges, w.recoveryTime.count]), [
      [iso(W0), 1, 1, 1],
      [iso(W0 + 7 * D), 2, 0, 0],
    ]);
    assert.deepEqual(d.teams.map((t) => [t.team, t.services, t.deployments, t.failedChanges]), [
      ['payments', 2, 2, 1],
      ['web', 1, 1, 0],
    ]);
    const web = await call<DeliveryInsights>(s, 'GET', `/v1/insights/delivery?${WINDOW}&team=web`);
    assert.equal(web.body.team, 'web');
    assert.equal(web.body.total.deployments, 1);
    const staging = await call<DeliveryInsights>(s, 'GET', `/v1/insights/delivery?${WINDOW}&environment=staging`);
    assert.equal(staging.body.total.allDeployments, 0);
  });

  it('delivery: the services behind the numbers, a page at a time', async () => {
    const p1 = await call<Page<DeliveryService>>(s, 'GET', `/v1/insights/delivery/services?${WINDOW}&limit=2`);
    assert.equal(p1.status, 200);
    assert.deepEqual(p1.body.items.map((x) => [x.service, x.deployments]), [['ledger', 1], ['pay', 1]]);
    const p2 = await call<Page<DeliveryService>>(s, 'GET', `/v1/insights/delivery/services?${WINDOW}&limit=2&cursor=${encodeURIComponent(p1.body.nextCursor as string)}`);
    assert.deepEqual(p2.body.items.map((x) => x.service), ['web']);
    assert.equal(p2.body.nextCursor, undefined);
  });

  it('a window that ends before it starts, or a malformed time, is a 400', async () => {
    assert.equal((await call(s, 'GET', `/v1/insights/delivery?since=${iso(W0 + D)}&until=${iso(W0)}`)).status, 400);
    assert.equal((await call(s, 'GET', '/v1/insights/adoption?since=yesterday')).status, 400);
  });

  it('adoption: the per-version counts are those of GET /v1/golden-paths; new services per month', async () => {
    const a = await call<AdoptionInsights>(s, 'GET', `/v1/insights/adoption?${WINDOW}`);
    assert.equal(a.status, 200);
    const gp = await call<GoldenPathAdoption>(s, 'GET', '/v1/golden-paths');
    assert.deepEqual(a.body.goldenPaths, gp.body);
    assert.equal(a.body.goldenPaths.offPavedRoad.count, 3);
    assert.deepEqual(a.body.months.map((m) => [m.month, m.newServices, m.fromGoldenPath, m.services]), [['2026-11', 3, 0, ['ledger', 'pay', 'web']]]);
  });

  it('onboarding: a service scaffolded through the API is pending until its first healthy deployment', async () => {
    const task = await scaffoldTask(s, 'node-http-service', { name: 'fresh', owner: 'payments' });
    assert.equal(task.state, 'succeeded');
    const o = await call<OnboardingInsights>(s, 'GET', '/v1/insights/onboarding?limit=10');
    assert.equal(o.status, 200);
    assert.deepEqual(o.body.environments, ['local', 'staging', 'production']);
    assert.deepEqual(o.body.total.environments.local, { count: 0, pending: 1 });
    assert.deepEqual(o.body.services.items.map((x) => [x.service, x.template, x.templateVersion, x.seconds]), [['fresh', 'node-http-service', '1.3.0', {}]]);
    const a = await call<AdoptionInsights>(s, 'GET', '/v1/insights/adoption');
    assert.deepEqual(a.body.months.at(-1)?.tasks, { started: 1, succeeded: 1, failed: 0, inCatalog: 0, deployed: 0 });
  });

  it('compliance: per rule shares and mandatory failures over the catalog, a snapshot for the trend', async () => {
    const c = await call<ComplianceInsights>(s, 'GET', '/v1/insights/compliance');
    assert.equal(c.status, 200);
    assert.equal(c.body.services, 3);
    assert.ok(c.body.rules.length > 0, 'the default policy set applies to paved.yaml services');
    for (const r of c.body.rules) assert.equal(r.passing + r.waived + r.failingServices.length, r.services);
    assert.equal(c.body.compliant, 3 - new Set(c.body.mandatoryFailures.map((f) => f.service)).size);
    const last = c.body.trend.at(-1);
    assert.equal(last?.share, c.body.share, 'today’s snapshot is this week’s trend point');
    const team = await call<ComplianceInsights>(s, 'GET', '/v1/insights/compliance?team=web');
    assert.equal(team.body.services, 1);
  });

  it('feedback: the inbox with states the platform team sets, kept across a restart', async () => {
    const f1 = await call<Feedback>(s, 'POST', '/v1/feedback', { body: { message: 'deploys are slow', category: 'bug', service: 'pay', from: 'ana' } });
    const f2 = await call<Feedback>(s, 'POST', '/v1/feedback', { body: { message: 'love it', category: 'praise' } });
    let inbox = await call<FeedbackInsights>(s, 'GET', '/v1/insights/feedback');
    assert.equal(inbox.status, 200);
    assert.deepEqual(inbox.body.items.items.map((f) => [f.id, f.state]), [[f2.body.id, 'new'], [f1.body.id, 'new']]);
    assert.deepEqual(inbox.body.byState, { new: 2, acknowledged: 0, done: 0 });
    const set = await call<FeedbackItem>(s, 'PUT', `/v1/feedback/${f1.body.id}/state`, { body: { state: 'acknowledged', by: 'platform-team' } });
    assert.equal(set.status, 200);
    assert.equal(set.body.state, 'acknowledged');
    assert.equal(set.body.stateChangedBy, 'platform-team');
    assert.equal((await call(s, 'PUT', `/v1/feedback/${f1.body.id}/state`, { body: { state: 'archived' } })).status, 400);
    assert.equal((await call(s, 'PUT', '/v1/feedback/f-nope/state', { body: { state: 'done' } })).status, 404);
    assert.equal((await call(s, 'PUT', `/v1/feedback/${f1.body.id}/state`, { body: { state: 'done' }, token: s.readOnlyToken })).status, 403);
    await s.stop();
    s = await start();
    inbox = await call<FeedbackInsights>(s, 'GET', '/v1/insights/feedback?state=acknowledged');
    assert.deepEqual(inbox.body.items.items.map((f) => [f.id, f.state, f.stateChangedBy]), [[f1.body.id, 'acknowledged', 'platform-team']]);
    const team = await call<FeedbackInsights>(s, 'GET', '/v1/insights/feedback?team=payments');
    assert.equal(team.body.total, 1);
    assert.deepEqual(team.body.byCategory, [{ category: 'bug', count: 1 }]);
  });
});
