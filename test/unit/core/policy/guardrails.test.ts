/**
 * The guardrails of issue 13 in the engine: the one merge (non-waivable rules, waiver caps, repository waivers),
 * waivers with an injected clock (valid → information, expired → counts again, refused), references resolved against
 * the catalog with near names, and secrets in spec.env whatever the key is called.
 */
import * as assert from 'node:assert/strict';
import { lint } from '../../../../src/core/manifest/index';
import type { CatalogNames, LintContext, PolicySet } from '../../../../src/core/policy/index';
import { daysUntil, defaultPolicySet, fromWire, loadPolicySet, mergePolicySets, policyFindings, policySetVersion, scorecard, toWire } from '../../../../src/core/policy/index';
import { parsePavedManifest } from '../../../../src/core/manifest/lint';
import { fakeTokens } from '../secrets/fakeTokens';
import { applyFix, MINIMAL, PRODUCTION, toDiag } from '../manifest/helpers';

const set = (rules: string, extra = '') => `apiVersion: paved.dev/v1\nkind: PolicySet\nmetadata: { name: test }\n${extra}rules:\n${rules}`;
const at = (iso: string) => () => new Date(`${iso}T12:00:00Z`);
const manifest = (text: string) => parsePavedManifest(text).manifest!;
const NO_REPLICAS = PRODUCTION.replace('  replicas: { min: 2, max: 6 }\n', '');
const waiver = (extra = '') => `  waivers:\n    - { rule: production-replicas, reason: one box until the migration, expires: 2027-01-31${extra} }\n`;
const lintAt = (text: string, now: string, policies: PolicySet = defaultPolicySet(), context: LintContext = {}) =>
  lint(text, 'paved.yaml', { policies, context: { ...context, now: at(now) } }).findings.filter((f) => f.source === 'policy').map((f) => ({ ...toDiag(text, f), path: f.path }));

describe('policy merge: waivability and waiver caps', () => {
  const platform = loadPolicySet(set('  - { id: a, severity: error, mandatory: true, waivable: false, condition: { required: [x] }, message: need x }\n  - { id: b, severity: warning, condition: { required: [y] }, message: need y }\n', 'maxWaiverDays: 90\n'), 'platform');

  it('a repository cannot make a non-waivable rule waivable, and its cap only shortens the platform’s', () => {
    const longer = mergePolicySets(platform, loadPolicySet(set('  - { id: a, waivable: true }\n', 'maxWaiverDays: 365\n'), 'repo'));
    assert.equal(longer.rules[0].waivable, false);
    assert.equal(longer.maxWaiverDays, 90);
    assert.deepEqual(longer.notes, ['repo: rule "a" is mandatory on this platform; refused to make it waivable.']);
    const shorter = mergePolicySets(platform, loadPolicySet(set('  - { id: b, severity: error }\n', 'maxWaiverDays: 30\n'), 'repo'));
    assert.equal(shorter.maxWaiverDays, 30);
    assert.equal(shorter.rules[1].severity, 'error');
  });

  it("keeps the repository's waivers, the platform's version, and travels the wire unchanged", () => {
    const repo = loadPolicySet(set('  []\n'.replace('  []\n', '  - { id: c, condition: true }\n'), 'waivers:\n  - { rule: b, reason: later, expires: 2027-01-31, approvedBy: cto }\n'), 'repo');
    const merged = mergePolicySets({ ...platform, version: '7' }, repo);
    assert.deepEqual(merged.waivers, [{ rule: 'b', reason: 'later', expires: '2027-01-31', approvedBy: 'cto', source: 'repo' }]);
    assert.equal(merged.version, '7');
    const back = fromWire(toWire(merged), 'wire');
    assert.deepEqual(back.rules.map((r) => [r.id, r.waivable, r.mandatory]), [['a', false, true], ['b', true, false], ['c', true, false]]);
    assert.equal(back.maxWaiverDays, 90);
    assert.equal(back.version, '7');
  });

  it('a set without a version gets a digest of its rules, which changes with any rule', () => {
    const v1 = policySetVersion(platform);
    assert.match(v1, /^sha-[0-9a-f]{8}$/);
    assert.equal(policySetVersion(loadPolicySet(set('  - { id: a, severity: error, mandatory: true, waivable: false, condition: { required: [x] }, message: need x }\n  - { id: b, severity: warning, condition: { required: [y] }, message: need y }\n', 'maxWaiverDays: 90\n'), 'again')), v1);
    assert.notEqual(policySetVersion({ ...platform, rules: platform.rules.slice(1) }), v1);
    assert.equal(policySetVersion(defaultPolicySet()), '2026.12.1');
  });
});

describe('waivers (time injected)', () => {
  const text = NO_REPLICAS + waiver(', approvedBy: jane');

  it('counts days in UTC and refuses what is not a date', () => {
    assert.equal(daysUntil('2027-01-31', new Date('2027-01-31T23:59:59Z')), 0);
    assert.equal(daysUntil('2027-01-31', new Date('2027-02-01T00:00:00Z')), -1);
    assert.equal(daysUntil('2027-02-30', new Date()), undefined);
  });

  it('a valid waiver turns the finding into information that says until when and why', () => {
    assert.deepEqual(lintAt(text, '2027-01-31'), [
      {
        message: 'Waived until 2027-01-31: one box until the migration (approved by jane). Production services need at least 2 replicas (spec.replicas.min >= 2).',
        ruleId: 'production-replicas',
        severity: 'info',
        range: [8, 0, 8, 4],
        path: '/spec/replicas/min',
      },
    ]);
  });

  it('an expired waiver counts again and says so, at the rule and at the waiver', () => {
    const findings = lintAt(text, '2027-02-01');
    assert.deepEqual(findings.map((f) => [f.ruleId, f.severity, f.range]), [
      ['production-replicas', 'error', [8, 0, 8, 4]],
      ['policy/waiver-expired', 'warning', [23, 81, 23, 91]],
    ]);
    assert.match(findings[0].message, /\(The waiver of this rule expired on 2027-01-31\.\)$/);
  });

  it('a non-waivable rule refuses the waiver: the rule counts, and the waiver gets its own finding at its rule id', () => {
    const platform = loadPolicySet(set('  - { id: production-replicas, severity: error, mandatory: true, waivable: false, when: { lifecycle: [production] }, condition: { properties: { spec: { required: [replicas] } } }, path: /spec/replicas, message: need replicas }\n'), 'platform');
    const findings = lintAt(text, '2026-12-01', platform);
    assert.deepEqual(findings.map((f) => [f.ruleId, f.severity, f.range]), [
      ['production-replicas', 'error', [8, 0, 8, 4]],
      ['policy/waiver-refused', 'warning', [23, 14, 23, 33]],
    ]);
    assert.equal(findings[1].message, 'This waiver is refused: rule "production-replicas" cannot be waived on this platform. The rule counts.');
  });

  it('the platform caps how long a waiver may last, counted from today', () => {
    const capped = { ...defaultPolicySet(), maxWaiverDays: 30 };
    assert.deepEqual(lintAt(text, '2027-01-01', capped).map((f) => f.severity), ['info'], '30 days ahead: allowed');
    const findings = lintAt(text, '2026-12-31', capped);
    assert.deepEqual(findings.map((f) => [f.ruleId, f.severity]), [['production-replicas', 'error'], ['policy/waiver-refused', 'warning']]);
    assert.match(findings[1].message, /waivers last at most 30 days on this platform \(this one runs 31 days, to 2027-01-31\)/);
  });

  it('a waiver in the repository set counts like one in the manifest', () => {
    const repo = loadPolicySet(set('  - { id: extra, severity: info, condition: true }\n', 'waivers:\n  - { rule: production-replicas, reason: migration, expires: 2027-01-31 }\n'), '.paved/policies.yaml');
    const merged = mergePolicySets(defaultPolicySet(), repo);
    assert.deepEqual(lintAt(NO_REPLICAS, '2027-01-30', merged).map((f) => [f.ruleId, f.severity, f.message.slice(0, 37)]), [['production-replicas', 'info', 'Waived until 2027-01-31: migration. P']]);
  });

  it('scorecards list waived rules apart, outside the score', () => {
    const card = scorecard(manifest(text), defaultPolicySet(), { now: at('2027-01-01') });
    assert.equal(card.score, 100);
    assert.ok(!card.results.some((r) => r.ruleId === 'production-replicas'));
    assert.deepEqual(card.waived, [{ ruleId: 'production-replicas', severity: 'error', reason: 'one box until the migration', expires: '2027-01-31', approvedBy: 'jane', message: 'Production services need at least 2 replicas (spec.replicas.min >= 2).' }]);
    const expired = scorecard(manifest(text), defaultPolicySet(), { now: at('2027-02-01') });
    assert.equal(expired.waived, undefined);
    assert.ok(expired.results.some((r) => r.ruleId === 'production-replicas' && !r.passed));
  });
});

describe('references against the catalog', () => {
  const catalog: CatalogNames = { teams: ['team-payments', 'team-data'], systems: ['checkout'], services: ['ledger', 'search', 'payments-api'], apis: ['payments'] };
  const text = `${MINIMAL.replace('owner: team-payments', 'owner: team-paymnets\n  system: chekout')}  dependsOn: [service:ledger, service:ledgr, resource:payments-db]\n  consumesApis: [paymnts]\n`;

  it('no catalog, no reference findings (and no scorecard entries)', () => {
    assert.deepEqual(lintAt(text, '2026-12-01'), []);
    assert.ok(!scorecard(manifest(MINIMAL), defaultPolicySet()).results.some((r) => r.ruleId.startsWith('known-')));
  });

  it('an unknown team, system, service or API is a warning at its exact range naming the nearest names', () => {
    const findings = lintAt(text, '2026-12-01', defaultPolicySet(), { catalog });
    assert.deepEqual(findings.map((f) => [f.ruleId, f.severity, f.range, f.path]), [
      ['known-owner', 'warning', [4, 9, 4, 22], '/metadata/owner'],
      ['known-system', 'warning', [5, 10, 5, 17], '/metadata/system'],
      ['known-dependency', 'warning', [12, 30, 12, 43], '/spec/dependsOn/1'],
      ['known-api', 'warning', [13, 17, 13, 24], '/spec/consumesApis/0'],
    ]);
    assert.equal(findings[0].message, "metadata.owner names no team of the platform's catalog. Did you mean team-payments?");
    assert.equal(findings[2].message, "This dependency names no service of the platform's catalog. Did you mean service:ledger?");
  });

  it('the nearest names are quick fixes that make the finding go away', () => {
    const options = { context: { catalog } };
    const f = lint(text, 'paved.yaml', options).findings.find((x) => x.ruleId === 'known-dependency')!;
    assert.deepEqual(f.fixes?.map((x) => x.title), ['Change to service:ledger']);
    const fixed = applyFix(text, f, 'paved.yaml', options);
    assert.ok(!fixed.findings.some((x) => x.ruleId === 'known-dependency'));
  });

  it('the platform can require known owners (the rule raised to a mandatory error), and the scorecard says so', () => {
    const strict = { ...defaultPolicySet(), rules: defaultPolicySet().rules.map((r) => (r.id === 'known-owner' ? { ...r, severity: 'error' as const, mandatory: true } : r)) };
    const card = scorecard(manifest(text), strict, { catalog });
    assert.deepEqual(card.results.find((r) => r.ruleId === 'known-owner'), { ruleId: 'known-owner', severity: 'error', passed: false, message: "metadata.owner names no team of the platform's catalog.", docsUrl: 'https://paved.dev/docs/policies#known-owner' });
    assert.ok(scorecard(manifest(MINIMAL), strict, { catalog }).results.some((r) => r.ruleId === 'known-owner' && r.passed));
  });
});

describe('no-plaintext-secret: a known secret format in spec.env, whatever the key is called', () => {
  const t = fakeTokens();
  it('fires on STRIPE_KEY with a live key, at the key, with the move-to-secret fix; not on an ordinary value', () => {
    const text = `${MINIMAL}  env:\n    STRIPE_KEY: ${t.stripe}\n    GREETING: hello there friend\n`;
    const findings = policyFindings(manifest(text), defaultPolicySet());
    assert.deepEqual(findings.map((f) => [f.ruleId, f.path, f.on]), [['no-plaintext-secret', '/spec/env/STRIPE_KEY', 'key']]);
    const lf = lint(text, 'paved.yaml').findings.filter((f) => f.severity === 'error');
    assert.deepEqual(lf.map((f) => [f.ruleId, toDiag(text, f).range]), [
      ['no-plaintext-secret', [12, 4, 12, 14]],
      ['secrets/stripe', [12, 16, 12, 16 + t.stripe.length]],
    ]);
    assert.match(lf[0].fixes?.[0].title ?? '', /^Move STRIPE_KEY to a secret reference/);
  });
});
