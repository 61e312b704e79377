import * as assert from 'node:assert/strict';
import { DeploymentTable, deliveryInsights, deliveryServices, weekStart, type HistoryRow } from '../../../../src/core/insights';

// Monday 2026-11-02 00:00 UTC; the window is four whole weeks from it.
const W0 = Date.parse('2026-11-02T00:00:00Z');
const H = 3600_000;
const D = 24 * H;
const SINCE = W0;
const UNTIL = W0 + 28 * D;
const teams: Record<string, string> = { api: 'payments', web: 'web', ledger: 'payments' };
const teamOf = (s: string): string => teams[s] ?? 'unknown';

function table(rows: Partial<HistoryRow>[]): DeploymentTable {
  const t = new DeploymentTable();
  for (const r of rows) t.add({ service: 'api', environment: 'production', kind: 'deploy', state: 'succeeded', finishedAt: W0, ...r });
  return t;
}

describe('core/insights delivery (DORA per week)', () => {
  it('weeks start on Monday UTC', () => {
    assert.equal(new Date(weekStart(Date.parse('2026-11-08T23:59:59Z'))).toISOString(), '2026-11-02T00:00:00.000Z');
    assert.equal(new Date(weekStart(Date.parse('2026-11-09T00:00:00Z'))).toISOString(), '2026-11-09T00:00:00.000Z');
  });

  it('an empty history gives every week of the window with zeros and no rates', () => {
    const d = deliveryInsights(new DeploymentTable(), { since: SINCE, until: UNTIL, teamOf });
    assert.equal(d.weeks.length, 4);
    assert.equal(d.total.deployments, 0);
    assert.equal(d.total.changeFailRate, undefined);
    assert.equal(d.total.reworkRate, undefined);
    assert.deepEqual(d.total.changeLeadTime, { count: 0 });
    assert.deepEqual(d.teams, []);
  });

  it('one deployment: frequency, lead time from the release snapshot, no failure', () => {
    const t = table([{ finishedAt: W0 + 8 * D, releaseCreatedAt: W0 + 8 * D - 2 * H }]);
    const d = deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf });
    assert.equal(d.total.deployments, 1);
    assert.equal(d.total.deploymentsPerDay, 1 / 28);
    assert.deepEqual(d.total.changeLeadTime, { count: 1, medianSeconds: 7200, p90Seconds: 7200 });
    assert.equal(d.total.changeFailRate, 0);
    assert.equal(d.total.reworkRate, 0);
    assert.deepEqual(
      d.weeks.map((w) => w.deployments),
      [0, 1, 0, 0],
    );
    assert.equal(d.weeks[1].days, 7);
    assert.deepEqual(
      d.teams.map((x) => [x.team, x.deployments, x.services]),
      [['payments', 1, 1]],
    );
  });

  it('only the environment asked for counts; cancelled deployments count nowhere', () => {
    const t = table([
      { environment: 'staging', finishedAt: W0 + D },
      { state: 'cancelled', finishedAt: W0 + D },
      { finishedAt: W0 + 2 * D },
    ]);
    assert.equal(deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf }).total.allDeployments, 1);
    assert.equal(deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf, environment: 'staging' }).total.allDeployments, 1);
    assert.equal(deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf, environment: 'nowhere' }).total.allDeployments, 0);
  });

  it('change fail rate, recovery time, and rework (rollbacks and fixes forward)', () => {
    const t = table([
      { finishedAt: W0 + D },
      { state: 'failed', finishedAt: W0 + 2 * D },
      // A second failure before recovery: the incident still starts at the first one.
      { state: 'rolled-back', finishedAt: W0 + 2 * D + H },
      // The fix forward recovers it: rework, and recovery = 3 h after the first failure.
      { finishedAt: W0 + 2 * D + 3 * H },
      { kind: 'rollback', finishedAt: W0 + 3 * D },
      { service: 'web', finishedAt: W0 + 3 * D },
    ]);
    const d = deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf });
    assert.equal(d.total.changes, 5);
    assert.equal(d.total.failedChanges, 2);
    assert.equal(d.total.changeFailRate, 2 / 5);
    assert.deepEqual(d.total.recoveryTime, { count: 1, medianSeconds: 3 * 3600, p90Seconds: 3 * 3600 });
    assert.equal(d.total.unrecovered, 0);
    // rework: the rolled-back attempt and the fix (made while the failure was open) and the rollback.
    assert.equal(d.total.allDeployments, 6);
    assert.equal(d.total.reworkDeployments, 3);
    assert.equal(d.total.reworkRate, 0.5);
    const byTeam = Object.fromEntries(d.teams.map((x) => [x.team, x]));
    assert.equal(byTeam.payments.failedChanges, 2);
    assert.equal(byTeam.web.failedChanges, 0);
    assert.equal(byTeam.web.deployments, 1);
  });

  it('a failure in one week recovered in the next is attributed to the week of the failure', () => {
    const t = table([
      { state: 'failed', finishedAt: W0 + 6 * D + 23 * H },
      { kind: 'rollback', finishedAt: W0 + 7 * D + 2 * H },
    ]);
    const d = deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf });
    assert.deepEqual(d.weeks[0].recoveryTime, { count: 1, medianSeconds: 3 * 3600, p90Seconds: 3 * 3600 });
    assert.equal(d.weeks[1].recoveryTime.count, 0);
    assert.equal(d.weeks[1].reworkDeployments, 1);
  });

  it('a failure before the window: its recovery is not the window’s, but the fix inside it is rework', () => {
    const t = table([
      { state: 'failed', finishedAt: W0 - H },
      { finishedAt: W0 + H },
    ]);
    const d = deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf });
    assert.equal(d.total.recoveryTime.count, 0);
    assert.equal(d.total.failedChanges, 0);
    assert.equal(d.total.reworkDeployments, 1);
    assert.equal(d.total.deployments, 1);
  });

  it('a failure at the end of the window not yet recovered is counted as unrecovered; nothing after `until` is read', () => {
    const t = table([
      { state: 'failed', finishedAt: UNTIL - H },
      { finishedAt: UNTIL + H },
    ]);
    const d = deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf });
    assert.equal(d.total.unrecovered, 1);
    assert.equal(d.weeks[3].unrecovered, 1);
    assert.equal(d.total.recoveryTime.count, 0);
    assert.equal(d.total.deployments, 0);
    const later = deliveryInsights(t, { since: SINCE, until: UNTIL + D, teamOf });
    assert.equal(later.total.unrecovered, 0);
    assert.equal(later.total.recoveryTime.medianSeconds, 7200);
  });

  it('rows added out of finish order are walked in time order', () => {
    const t = table([
      { finishedAt: W0 + 2 * D + 3 * H },
      { state: 'failed', finishedAt: W0 + 2 * D },
    ]);
    const d = deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf });
    assert.equal(d.total.recoveryTime.medianSeconds, 3 * 3600);
  });

  it('median and p90 of lead times over many deployments', () => {
    const rows: Partial<HistoryRow>[] = [];
    for (let i = 1; i <= 10; i++) rows.push({ finishedAt: W0 + i * H, releaseCreatedAt: W0 + i * H - i * 60_000 });
    const d = deliveryInsights(table(rows), { since: SINCE, until: UNTIL, teamOf });
    assert.deepEqual(d.total.changeLeadTime, { count: 10, medianSeconds: 330, p90Seconds: 540 });
  });

  it('one team’s view keeps only its services; the services behind the numbers', () => {
    const t = table([{ service: 'api', state: 'failed', finishedAt: W0 + D }, { service: 'ledger', finishedAt: W0 + D }, { service: 'web', finishedAt: W0 + D }]);
    const d = deliveryInsights(t, { since: SINCE, until: UNTIL, teamOf, team: 'web' });
    assert.equal(d.team, 'web');
    assert.equal(d.total.allDeployments, 1);
    assert.deepEqual(
      d.teams.map((x) => x.team),
      ['web'],
    );
    assert.deepEqual(deliveryServices(t, { since: SINCE, until: UNTIL, teamOf, team: 'payments' }), [
      { service: 'ledger', team: 'payments', deployments: 1, failedChanges: 0, reworkDeployments: 0, unrecovered: false },
      { service: 'api', team: 'payments', deployments: 0, failedChanges: 1, reworkDeployments: 0, unrecovered: true },
    ]);
  });

  it('refuses a deployment that has not finished', () => {
    assert.throws(() => new DeploymentTable().add({ service: 'a', environment: 'production', kind: 'deploy', state: 'building' as never, finishedAt: W0 }));
  });
});
