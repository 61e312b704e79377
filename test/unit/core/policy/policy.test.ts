import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PavedError } from '../../../../src/core/errors';
import type { LintOptions } from '../../../../src/core/manifest/index';
import { lint, parsePavedManifest } from '../../../../src/core/manifest/index';
import { renderAll, ROOT } from '../../../../src/core/manifest/generate';
import { defaultPolicySet, defaultPolicySetText, loadPolicySet, mergePolicySets, scorecard } from '../../../../src/core/policy/index';
import { expectFinding, PRODUCTION, toDiag } from '../manifest/helpers';

function policyFindings(text: string, options: LintOptions = {}) {
  return lint(text, 'paved.yaml', options).findings.filter((f) => f.source === 'policy');
}

function expectOnly(text: string, ruleId: string, message: string, sl: number, sc: number, el: number, ec: number, options: LintOptions = {}): void {
  const findings = policyFindings(text, options);
  assert.deepEqual(
    findings.map((f) => f.ruleId),
    [ruleId],
    findings.map((f) => JSON.stringify(toDiag(text, f))).join('\n'),
  );
  const f = expectFinding(text, findings, message, sl, sc, el, ec);
  const rule = defaultPolicySet().rules.find((r) => r.id === ruleId)!;
  assert.equal(f.severity, rule.severity);
  assert.equal(f.docsUrl, `https://paved.dev/docs/policies#${ruleId}`);
}

describe('default policies: each rule at its place', () => {
  it('a production manifest that meets them all has no finding', () => {
    assert.deepEqual(lint(PRODUCTION, 'paved.yaml', { context: { environment: 'production', deprecatedServices: new Set(['old-billing']) } }).findings, []);
  });

  it('production rules do not apply to experimental services', () => {
    const text = PRODUCTION.replace('lifecycle: production', 'lifecycle: experimental').replace('  oncall: { schedule: payments-primary }\n', '');
    assert.deepEqual(policyFindings(text), []);
  });

  it('production-owner → the metadata key', () => {
    expectOnly(PRODUCTION.replace('  owner: team-payments\n', ''), 'production-owner', 'Production services need an owner (metadata.owner).', 2, 0, 2, 8);
  });

  it('production-slo → the spec key when slos is missing, the slos key when empty', () => {
    const missing = PRODUCTION.replace('  slos:\n    - { name: availability, objective: 99.9, window: 30d }\n', '');
    expectOnly(missing, 'production-slo', 'Production services need at least one SLO (spec.slos).', 8, 0, 8, 4);
    const empty = PRODUCTION.replace('  slos:\n    - { name: availability, objective: 99.9, window: 30d }\n', '  slos: []\n');
    expectOnly(empty, 'production-slo', 'Production services need at least one SLO (spec.slos).', 18, 2, 18, 6);
  });

  it('production-oncall', () => {
    expectOnly(PRODUCTION.replace('  oncall: { schedule: payments-primary }\n', ''), 'production-oncall', 'Production services need an on-call schedule (spec.oncall).', 8, 0, 8, 4);
  });

  it('production-health', () => {
    expectOnly(PRODUCTION.replace('  health: { path: /healthz }\n', ''), 'production-health', 'Production services need a health check (spec.health).', 8, 0, 8, 4);
  });

  it('production-resources → the resources key when memory is missing', () => {
    expectOnly(
      PRODUCTION.replace('resources: { cpu: 500m, memory: 512Mi }', 'resources: { cpu: 500m }'),
      'production-resources',
      'Production services need resources with cpu and memory (spec.resources).',
      13,
      2,
      13,
      11,
    );
  });

  it('production-replicas → the min value', () => {
    expectOnly(PRODUCTION.replace('replicas: { min: 2, max: 6 }', 'replicas: { min: 1, max: 6 }'), 'production-replicas', 'Production services need at least 2 replicas (spec.replicas.min >= 2).', 14, 19, 14, 20);
  });

  it('production-runbook → the links key', () => {
    expectOnly(PRODUCTION.replace('type: runbook', 'type: docs'), 'production-runbook', 'Production services need a runbook link (metadata.links with type runbook).', 6, 2, 6, 7);
  });

  it('production-approval applies only when linting for production', () => {
    const text = PRODUCTION.replace('approval: required', 'approval: none');
    assert.deepEqual(policyFindings(text), []);
    expectOnly(text, 'production-approval', 'Production deploys need an approval (spec.environments.production.approval: required).', 22, 59, 22, 63, {
      context: { environment: 'production' },
    });
  });

  it('no-plaintext-secret → each secret-looking env key', () => {
    const text = PRODUCTION.replace('    LOG_LEVEL: info\n', '    LOG_LEVEL: info\n    db_password: x\n    SLACK_TOKEN: y\n');
    const findings = policyFindings(text);
    assert.deepEqual(findings.map((f) => toDiag(text, f).range), [
      [17, 4, 17, 15],
      [18, 4, 18, 15],
    ]);
    assert.ok(findings.every((f) => f.ruleId === 'no-plaintext-secret' && f.fixes?.length === 1));
  });

  it('no-latest-image-tag → the image value, also without a tag and in an environment override', () => {
    const msg = 'Pin the image to a version tag or digest, not `latest` or no tag.';
    expectOnly(PRODUCTION.replace(':1.4.2', ':latest'), 'no-latest-image-tag', msg, 10, 9, 10, 49);
    expectOnly(PRODUCTION.replace(':1.4.2', ''), 'no-latest-image-tag', msg, 10, 9, 10, 42);
    assert.deepEqual(policyFindings(PRODUCTION.replace(':1.4.2', '@sha256:' + 'a'.repeat(64))), []);
    const env = PRODUCTION.replace('approval: required }', 'approval: required, image: "reg.example.com/p:latest" }');
    expectOnly(env, 'no-latest-image-tag', msg, 22, 76, 22, 102);
  });

  it('no-deprecated-dependency → the dependency, by name or ref', () => {
    const msg = 'This service depends on a deprecated service.';
    expectOnly(PRODUCTION, 'no-deprecated-dependency', msg, 17, 14, 17, 28, { context: { deprecatedServices: new Set(['ledger']) } });
    expectOnly(PRODUCTION, 'no-deprecated-dependency', msg, 17, 14, 17, 28, { context: { deprecatedServices: new Set(['service:ledger']) } });
  });

  it('v1alpha1 manifests are checked after migration, with findings at their v1alpha1 keys', () => {
    const text = fs.readFileSync(path.join(ROOT, 'test/fixtures/manifests/v1alpha1.paved.yaml'), 'utf8').replace('lifecycle: experimental', 'lifecycle: production').replace('replicas: 2', 'replicas: 1');
    const findings = policyFindings(text);
    const replicas = findings.find((f) => f.ruleId === 'production-replicas')!;
    assert.deepEqual(toDiag(text, replicas).range, [13, 12, 13, 13]);
    assert.deepEqual(findings.map((f) => f.ruleId).sort(), ['production-oncall', 'production-replicas', 'production-resources', 'production-runbook', 'production-slo']);
  });
});

describe('policy sets', () => {
  const repo = (rules: string) => `apiVersion: paved.dev/v1\nkind: PolicySet\nmetadata: { name: repo }\nrules:\n${rules}`;

  it('the default set is the YAML file, precompiled, and the generated files are up to date', () => {
    assert.equal(defaultPolicySetText(), fs.readFileSync(path.join(ROOT, 'schemas/policies.default.yaml'), 'utf8'));
    for (const [file, text] of Object.entries(renderAll())) {
      assert.equal(fs.readFileSync(path.join(ROOT, file), 'utf8'), text, `${file} is out of date: run npm run generate:manifests`);
    }
    assert.deepEqual(
      defaultPolicySet().rules.map((r) => r.id),
      loadPolicySet(defaultPolicySetText(), 'x').rules.map((r) => r.id),
    );
  });

  it('loading rejects bad sets with a clear message', () => {
    const cases: [string, string][] = [
      ['rules: [', 'bad.yaml: not valid YAML: '],
      [repo('  - { id: x, severity: fatal }\n'), 'bad.yaml: invalid policy set: rules.0.severity must be equal to one of the allowed values: error, warning, info, hint'],
      [repo('  - { id: x, colour: red }\n'), 'bad.yaml: invalid policy set: rules.0 must NOT have additional properties ("colour")'],
      [repo('  - { id: x }\n  - { id: x }\n'), 'bad.yaml: rules.1: rule id "x" appears twice'],
      [repo('  - { id: x, condition: { type: 12 } }\n'), 'bad.yaml: rule "x": its condition is not a valid JSON Schema: '],
      ['apiVersion: paved.dev/v1\nkind: PolicySet\n', "bad.yaml: invalid policy set: the policy set must have required property 'rules'"],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => loadPolicySet(text, 'bad.yaml'),
        (err: unknown) => PavedError.is(err, 'invalid-input') && err.message.startsWith(message),
        message,
      );
    }
  });

  it('a repository adds rules and tunes non-mandatory ones', () => {
    const merged = mergePolicySets(
      defaultPolicySet(),
      loadPolicySet(
        repo(`  - id: production-runbook
    severity: error
  - id: no-deprecated-dependency
    enabled: false
  - id: needs-title
    severity: warning
    condition: { properties: { metadata: { required: [title] } } }
    path: /metadata/title
    message: Give the service a title.
`),
        '.paved/policies.yaml',
      ),
    );
    assert.deepEqual(merged.notes, []);
    const text = PRODUCTION.replace('type: runbook', 'type: docs');
    const findings = policyFindings(text, { policies: merged, context: { deprecatedServices: new Set(['ledger']) } });
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity]),
      [
        ['needs-title', 'warning'],
        ['production-runbook', 'error'],
      ],
    );
    expectFinding(text, findings, 'Give the service a title.', 2, 0, 2, 8);
  });

  it('a repository cannot switch off or weaken a mandatory rule', () => {
    const merged = mergePolicySets(
      defaultPolicySet(),
      loadPolicySet(
        repo(`  - id: production-owner
    enabled: false
  - id: no-plaintext-secret
    severity: hint
    condition: true
`),
        '.paved/policies.yaml',
      ),
    );
    assert.deepEqual(merged.notes, [
      '.paved/policies.yaml: rule "production-owner" is mandatory on this platform; refused to switch it off.',
      '.paved/policies.yaml: rule "no-plaintext-secret" is mandatory on this platform; refused to lower its severity to hint, change its condition.',
    ]);
    const text = PRODUCTION.replace('  owner: team-payments\n', '').replace('LOG_LEVEL: info', 'API_KEY: x');
    assert.deepEqual(
      policyFindings(text, { policies: merged }).map((f) => [f.ruleId, f.severity]),
      [
        ['production-owner', 'error'],
        ['no-plaintext-secret', 'error'],
      ],
    );
  });

  it('when.schema limits a rule to the manifests that match it', () => {
    const set = loadPolicySet(
      repo(`  - id: checkout-needs-tags
    when: { schema: { properties: { metadata: { required: [system], properties: { system: { const: checkout } } } } } }
    condition: { properties: { metadata: { required: [tags] } } }
    path: /metadata/tags
    message: Checkout services need tags.
`),
      'p.yaml',
    );
    const withSystem = PRODUCTION.replace('  owner: team-payments\n', '  owner: team-payments\n  system: checkout\n');
    expectFinding(withSystem, policyFindings(withSystem, { policies: set }), 'Checkout services need tags.', 2, 0, 2, 8);
    assert.deepEqual(policyFindings(PRODUCTION, { policies: set }), []);
    assert.deepEqual(policyFindings(withSystem.replace('system: checkout', 'system: ledger'), { policies: set }), []);
  });

  it('a repository may make a mandatory rule stricter', () => {
    const platform = loadPolicySet(repo('  - { id: a, severity: warning, mandatory: true, condition: { required: [x] }, message: need x }\n'), 'platform');
    const merged = mergePolicySets(platform, loadPolicySet(repo('  - { id: a, severity: error }\n'), 'repo'));
    assert.equal(merged.rules[0].severity, 'error');
    assert.deepEqual(merged.notes, []);
  });
});

describe('scorecard', () => {
  const manifest = (text: string) => parsePavedManifest(text).manifest!;

  it('scores a compliant production service 100 with every applicable rule passed', () => {
    const card = scorecard(manifest(PRODUCTION), defaultPolicySet());
    assert.equal(card.score, 100);
    assert.deepEqual(
      card.results.map((r) => [r.ruleId, r.passed]),
      [
        ['production-owner', true],
        ['production-slo', true],
        ['production-oncall', true],
        ['production-health', true],
        ['production-resources', true],
        ['production-replicas', true],
        ['production-runbook', true],
        ['no-plaintext-secret', true],
        ['no-latest-image-tag', true],
        ['no-deprecated-dependency', true],
      ],
    );
  });

  it('weights failures by severity (error 3, warning 2)', () => {
    const card = scorecard(manifest(PRODUCTION.replace('  oncall: { schedule: payments-primary }\n', '')), defaultPolicySet());
    // applicable: 6 production errors + runbook warning + 2 errors + 1 warning = 28 points; on-call (3) fails.
    assert.equal(card.score, Math.round((100 * 25) / 28));
    const failed = card.results.filter((r) => !r.passed);
    assert.deepEqual(failed, [
      {
        ruleId: 'production-oncall',
        severity: 'error',
        passed: false,
        message: 'Production services need an on-call schedule (spec.oncall).',
        docsUrl: 'https://paved.dev/docs/policies#production-oncall',
      },
    ]);
  });

  it('includes environment rules only for that environment', () => {
    const m = manifest(PRODUCTION);
    assert.ok(!scorecard(m, defaultPolicySet()).results.some((r) => r.ruleId === 'production-approval'));
    assert.ok(scorecard(m, defaultPolicySet(), { environment: 'production' }).results.some((r) => r.ruleId === 'production-approval' && r.passed));
  });
});
