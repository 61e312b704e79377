import * as assert from 'node:assert/strict';
import { complianceInsights, complianceSnapshot, feedbackInbox, type ServiceCompliance } from '../../../../src/core/insights';
import type { Feedback } from '../../../../src/core/api/types';

const D = 86_400_000;
const NOW = Date.parse('2026-11-25T12:00:00Z');
const SINCE = Date.parse('2026-11-02T00:00:00Z');
const rules = [
  { id: 'owner-set', mandatory: true },
  { id: 'runbook', mandatory: true },
  { id: 'docs', mandatory: false },
];
const svc = (service: string, team: string, failing: string[], waivers: ServiceCompliance['waivers'] = []): ServiceCompliance => ({
  service,
  team,
  results: rules.map((r) => ({ ruleId: r.id, passed: !failing.includes(r.id) })),
  waivers,
});

describe('core/insights compliance and feedback', () => {
  it('share per rule, mandatory failures, waivers active and expiring', () => {
    const services = [
      svc('api', 'payments', ['runbook'], [{ rule: 'runbook', reason: 'migrating', expires: '2026-12-01', valid: true, approvedBy: 'cto' }]),
      svc('ledger', 'payments', ['runbook', 'docs'], [{ rule: 'runbook', reason: 'old', expires: '2026-11-01', valid: false }]),
      svc('web', 'web', [], [{ rule: 'docs', reason: 'later', expires: '2027-03-01', valid: true }]),
    ];
    const c = complianceInsights({ now: NOW, since: SINCE, services, rules, snapshots: [] });
    assert.equal(c.services, 3);
    assert.equal(c.compliant, 2, 'a valid waiver counts as passing, an expired one does not');
    assert.equal(c.share, 2 / 3);
    const runbook = c.rules.find((r) => r.ruleId === 'runbook');
    assert.deepEqual(runbook, { ruleId: 'runbook', mandatory: true, services: 3, passing: 1, waived: 1, share: 1 / 3, failingServices: ['ledger'] });
    assert.deepEqual(c.mandatoryFailures, [{ service: 'ledger', rule: 'runbook', team: 'payments' }]);
    assert.deepEqual(
      c.waivers.active.map((w) => [w.service, w.rule, w.daysLeft]),
      [
        ['api', 'runbook', 6],
        ['web', 'docs', 96],
      ],
    );
    assert.deepEqual(
      c.waivers.expiring.map((w) => w.service),
      ['api'],
    );
  });

  it('no services: no share; the trend per week from the last snapshot of each week, per team', () => {
    const services = [svc('api', 'payments', ['runbook']), svc('web', 'web', [])];
    const early = complianceSnapshot(services, rules, SINCE + D);
    const later = complianceSnapshot([svc('api', 'payments', []), svc('web', 'web', [])], rules, SINCE + 3 * D);
    const nextWeek = complianceSnapshot(services, rules, SINCE + 8 * D);
    const c = complianceInsights({ now: NOW, since: SINCE, services: [], rules, snapshots: [later, early, nextWeek] });
    assert.equal(c.share, undefined);
    assert.deepEqual(c.rules, []);
    assert.deepEqual(
      c.trend.map((w) => [w.weekStart.slice(0, 10), w.share, w.mandatoryFailures]),
      [
        ['2026-11-02', 1, 0],
        ['2026-11-09', 0.5, 1],
        ['2026-11-16', undefined, undefined],
        ['2026-11-23', undefined, undefined],
      ],
    );
    const team = complianceInsights({ now: NOW, since: SINCE, services, rules, snapshots: [nextWeek], team: 'web' });
    assert.equal(team.trend[1].share, 1);
    assert.equal(team.services, 1);
  });

  it('the feedback inbox: newest first with state, counts by state, category and service, filters and paging', () => {
    const items: Feedback[] = [
      { id: 'f1', message: 'deploys are slow', category: 'bug', service: 'api', from: 'ana', createdAt: '2026-11-03T10:00:00Z' },
      { id: 'f2', message: 'love the catalog', category: 'praise', createdAt: '2026-11-04T10:00:00Z' },
      { id: 'f3', message: 'logs please', category: 'idea', service: 'web', createdAt: '2026-11-05T10:00:00Z' },
      { id: 'f0', message: 'before the window', createdAt: '2026-10-01T10:00:00Z' },
    ];
    const changes = [
      { id: 'f1', state: 'acknowledged' as const, at: '2026-11-06T00:00:00Z' },
      { id: 'f1', state: 'done' as const, at: '2026-11-07T00:00:00Z', by: 'platform' },
    ];
    const teamOf = (s: string) => ({ api: 'payments', web: 'web' })[s];
    const inbox = feedbackInbox({ since: SINCE, until: NOW, items, changes, teamOf, limit: 2 });
    assert.equal(inbox.total, 3);
    assert.deepEqual(inbox.byState, { new: 2, acknowledged: 0, done: 1 });
    assert.deepEqual(
      inbox.items.items.map((f) => [f.id, f.state]),
      [
        ['f3', 'new'],
        ['f2', 'new'],
      ],
    );
    const rest = feedbackInbox({ since: SINCE, until: NOW, items, changes, teamOf, limit: 2, cursor: inbox.items.nextCursor });
    assert.deepEqual(
      rest.items.items.map((f) => [f.id, f.state, f.stateChangedBy]),
      [['f1', 'done', 'platform']],
    );
    assert.deepEqual(
      inbox.byService.map((x) => x.service),
      ['(platform)', 'api', 'web'],
    );
    assert.equal(feedbackInbox({ since: SINCE, until: NOW, items, changes, teamOf, limit: 10, state: 'done' }).items.items.length, 1);
    assert.equal(feedbackInbox({ since: SINCE, until: NOW, items, changes, teamOf, limit: 10, team: 'web' }).total, 1);
    assert.equal(feedbackInbox({ since: NOW, until: NOW, items, changes, teamOf, limit: 10 }).total, 0);
  });
});
