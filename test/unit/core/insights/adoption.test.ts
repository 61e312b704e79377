import * as assert from 'node:assert/strict';
import { adoptionInsights, onboardingInsights, type InsightTask } from '../../../../src/core/insights';
import { goldenPathAdoption } from '../../../../src/core/templates';

const H = 3600_000;
const D = 24 * H;
const SINCE = Date.parse('2026-10-01T00:00:00Z');
const UNTIL = Date.parse('2026-11-30T00:00:00Z');
const OCT = Date.parse('2026-10-10T00:00:00Z');
const NOV = Date.parse('2026-11-10T00:00:00Z');
const templates = [{ id: 'node-http-service', versions: ['1.2.0', '1.3.0'] }, { id: 'static-site', versions: ['1.0.0'] }];
const services = [
  { name: 'api', team: 'payments', goldenPath: { template: 'node-http-service', version: '1.2.0' } },
  { name: 'web', team: 'web', goldenPath: { template: 'static-site', version: '1.0.0' } },
  { name: 'legacy', team: 'payments' },
  { name: 'old', team: 'web' },
];
const task = (service: string | undefined, createdAt: number, state: InsightTask['state'] = 'succeeded', templateId = 'node-http-service'): InsightTask => ({ templateId, templateVersion: '1.3.0', state, createdAt, service });

describe('core/insights adoption and onboarding', () => {
  it('per golden path and version: the same counts as GET /v1/golden-paths/adoption', () => {
    const a = adoptionInsights({ since: SINCE, until: UNTIL, services, templates, tasks: [], firstDeployedAt: () => undefined });
    assert.deepEqual(a.goldenPaths, goldenPathAdoption(services, templates));
    assert.equal(a.goldenPaths.offPavedRoad.count, 2);
    assert.deepEqual(
      a.months.map((m) => [m.month, m.newServices, m.goldenPathShare]),
      [
        ['2026-10', 0, undefined],
        ['2026-11', 0, undefined],
      ],
    );
  });

  it('new services per month (first task or first deployment) and the share from a golden path', () => {
    const deployed: Record<string, number> = { legacy: OCT + D, old: SINCE - D, web: NOV };
    const a = adoptionInsights({ since: SINCE, until: UNTIL, services, templates, tasks: [task('api', NOV - D)], firstDeployedAt: (s) => deployed[s] });
    const [oct, nov] = a.months;
    assert.deepEqual([oct.newServices, oct.fromGoldenPath, oct.goldenPathShare, oct.services], [1, 0, 0, ['legacy']]);
    assert.deepEqual([nov.newServices, nov.fromGoldenPath, nov.goldenPathShare, nov.services], [2, 2, 1, ['api', 'web']]);
  });

  it('the scaffold funnel: started, succeeded, failed, in the catalog, deployed', () => {
    const tasks = [task('api', OCT), task('ghost', OCT + H), task(undefined, OCT, 'failed'), task('web', OCT, 'running'), task('api', SINCE - D)];
    const a = adoptionInsights({ since: SINCE, until: UNTIL, services, templates, tasks, firstDeployedAt: (s) => (s === 'api' ? OCT + H : undefined) });
    assert.deepEqual(a.months[0].tasks, { started: 4, succeeded: 2, failed: 1, inCatalog: 1, deployed: 1 });
    assert.deepEqual(a.months[1].tasks, { started: 0, succeeded: 0, failed: 0, inCatalog: 0, deployed: 0 });
  });

  it('a team’s view counts its own services and tasks only', () => {
    const a = adoptionInsights({ since: SINCE, until: UNTIL, services, templates, tasks: [task('api', OCT), task('web', OCT)], firstDeployedAt: () => undefined, team: 'web' });
    assert.equal(a.team, 'web');
    assert.equal(a.goldenPaths.total, 2);
    assert.deepEqual(a.months[0].services, ['web']);
    assert.equal(a.months[0].tasks.started, 1);
  });

  it('onboarding: time from the scaffold task to the first healthy deployment per environment, pending when not yet', () => {
    const healthy: Record<string, Record<string, number>> = {
      api: { local: OCT + 10 * 60_000, staging: OCT + 2 * D },
      web: { local: NOV + 30 * 60_000 },
      // Deployed before its task: an older service of the same name, not this one's onboarding.
      legacy: { local: OCT - D },
    };
    const o = onboardingInsights({
      since: SINCE,
      until: UNTIL,
      environments: ['local', 'staging', 'production'],
      tasks: [task('api', OCT), task('web', NOV, 'succeeded', 'static-site'), task('legacy', OCT), task('x', OCT, 'failed')],
      firstHealthy: (s, e) => healthy[s]?.[e],
      teamOf: (s) => services.find((x) => x.name === s)?.team,
    });
    assert.deepEqual(o.total.environments.local, { count: 2, medianSeconds: 1200, p90Seconds: 1800, pending: 1 });
    assert.deepEqual(o.total.environments.staging, { count: 1, medianSeconds: 2 * 86400, p90Seconds: 2 * 86400, pending: 2 });
    assert.deepEqual(o.total.environments.production, { count: 0, pending: 3 });
    assert.deepEqual(
      o.months.map((m) => [m.key, m.environments.local.count, m.environments.local.pending]),
      [
        ['2026-10', 1, 1],
        ['2026-11', 1, 0],
      ],
    );
    assert.deepEqual(
      o.goldenPaths.map((g) => [g.key, g.environments.local.medianSeconds]),
      [
        ['node-http-service', 600],
        ['static-site', 1800],
      ],
    );
    assert.deepEqual(
      o.services.items.map((s) => [s.service, s.seconds]),
      [
        ['web', { local: 1800 }],
        ['api', { local: 600, staging: 172800 }],
        ['legacy', {}],
      ],
    );
  });

  it('onboarding: an empty window, paging and a team', () => {
    const tasks = [task('api', OCT), task('legacy', OCT + H), task('web', OCT + 2 * H)];
    const teamOf = (s: string) => services.find((x) => x.name === s)?.team;
    const empty = onboardingInsights({ since: UNTIL, until: UNTIL + D, environments: ['local'], tasks, firstHealthy: () => undefined, teamOf });
    assert.deepEqual(empty.total.environments.local, { count: 0, pending: 0 });
    assert.deepEqual(empty.services.items, []);
    const page1 = onboardingInsights({ since: SINCE, until: UNTIL, environments: ['local'], tasks, firstHealthy: () => undefined, teamOf, team: 'payments', limit: 1 });
    assert.deepEqual(
      page1.services.items.map((s) => s.service),
      ['legacy'],
    );
    const page2 = onboardingInsights({ since: SINCE, until: UNTIL, environments: ['local'], tasks, firstHealthy: () => undefined, teamOf, team: 'payments', limit: 1, cursor: page1.services.nextCursor });
    assert.deepEqual(
      page2.services.items.map((s) => s.service),
      ['api'],
    );
    assert.equal(page2.services.nextCursor, undefined);
  });
});
