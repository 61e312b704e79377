import * as assert from 'node:assert/strict';
import type { PolicySet as WirePolicySet } from '../../../../src/core/api/types';
import { PavedError } from '../../../../src/core/errors';
import type { Finding } from '../../../../src/core/manifest/index';
import { lint } from '../../../../src/core/manifest/index';
import { defaultPolicySet, loadPolicySet, mergePolicySets } from '../../../../src/core/policy/index';
import { apiListAt, fromWire, matchNames, namesFor, reportedByRedHatYaml } from '../../../../src/extension/manifests/manifestData';
import { policySet } from '../../../../src/server/policy/policies';
import { MINIMAL, PRODUCTION } from '../../core/manifest/helpers';
import { toDiag } from '../../core/manifest/helpers';

const DESCRIPTION_RULE = {
  id: 'service-description',
  severity: 'warning' as const,
  mandatory: true,
  description: 'Every service says what it does.',
  docsUrl: 'https://platform.example.com/policies#service-description',
  condition: { properties: { metadata: { required: ['description'] } } },
  path: '/metadata/description',
  message: 'Every service needs a description (metadata.description).',
};

describe('extension/manifests/manifestData', () => {
  describe('fromWire: the platform policy set as an engine set', () => {
    it('reuses the default rules the platform serves unchanged (same objects, quick fix kept)', () => {
      const wire = policySet();
      const set = fromWire(wire, 'policies of the local platform');
      const defaults = defaultPolicySet();
      assert.equal(set.rules.length, defaults.rules.filter((r) => r.enabled).length);
      for (const r of set.rules) assert.equal(r, defaults.rules.find((d) => d.id === r.id), r.id);
      assert.equal(set.rules.find((r) => r.id === 'no-plaintext-secret')?.fix, 'move-env-to-secret');
    });

    it('compiles a rule the default set lacks and reports it on a manifest that violates only it', () => {
      const wire: WirePolicySet = { ...policySet(), name: 'acme-platform', rules: [...policySet().rules, DESCRIPTION_RULE] };
      const set = fromWire(wire, 'policies of Acme');
      assert.equal(set.name, 'acme-platform');
      const rule = set.rules.find((r) => r.id === 'service-description');
      assert.deepEqual(
        rule && { severity: rule.severity, mandatory: rule.mandatory, enabled: rule.enabled, source: rule.source, docsUrl: rule.docsUrl },
        { severity: 'warning', mandatory: true, enabled: true, source: 'policies of Acme', docsUrl: DESCRIPTION_RULE.docsUrl },
      );
      const findings = lint(MINIMAL, 'paved.yaml', { policies: set }).findings;
      assert.deepEqual(
        findings.map((f) => toDiag(MINIMAL, f)),
        [{ message: DESCRIPTION_RULE.message, ruleId: 'service-description', severity: 'warning', range: [2, 0, 2, 8] }],
      );
      assert.deepEqual(lint(MINIMAL, 'paved.yaml', { policies: defaultPolicySet() }).findings, []);
    });

    it('a changed default rule (other severity) is the platform version, not the default', () => {
      const wire = policySet();
      const changed = { ...wire, rules: wire.rules.map((r) => (r.id === 'production-slo' ? { ...r, severity: 'warning' as const } : r)) };
      const rule = fromWire(changed, 'p').rules.find((r) => r.id === 'production-slo');
      assert.equal(rule?.severity, 'warning');
      assert.notEqual(rule, defaultPolicySet().rules.find((r) => r.id === 'production-slo'));
      const noSlo = PRODUCTION.replace(/ {2}slos:\n.*\n/, '');
      assert.deepEqual(
        lint(noSlo, 'paved.yaml', { policies: fromWire(changed, 'p') }).findings.map((f) => [f.ruleId, f.severity]),
        [['production-slo', 'warning']],
      );
    });

    it('a repository cannot switch off a rule the platform marks mandatory (the merge the CLI uses)', () => {
      const platform = fromWire({ ...policySet(), rules: [...policySet().rules, DESCRIPTION_RULE] }, 'platform');
      const repo = loadPolicySet('apiVersion: paved.dev/v1\nkind: PolicySet\nrules:\n  - { id: service-description, enabled: false }\n', '.paved/policies.yaml');
      const merged = mergePolicySets(platform, repo);
      assert.deepEqual(merged.notes, ['.paved/policies.yaml: rule "service-description" is mandatory on this platform; refused to switch it off.']);
      assert.deepEqual(lint(MINIMAL, 'paved.yaml', { policies: merged }).findings.map((f) => f.ruleId), ['service-description']);
    });

    it('an invalid rule from the platform is an invalid-input error naming the source and the rule', () => {
      const wire: WirePolicySet = { version: '1', name: 'bad', rules: [{ ...DESCRIPTION_RULE, id: 'Bad Id' }] };
      assert.throws(
        () => fromWire(wire, 'policies of Acme'),
        (e: unknown) => PavedError.is(e, 'invalid-input') && e.message === 'policies of Acme: invalid policy set: rules.0.id must match pattern "^[a-z0-9]+(-[a-z0-9]+)*$"',
      );
    });
  });

  describe('matchNames', () => {
    it('keeps names containing the prefix (any case), those starting with it first, each once, capped', () => {
      const names = ['ledger', 'payments-ledger', 'Ledger-archive', 'search', 'ledger', 'old-ledger'];
      assert.deepEqual(matchNames(names, 'led', 10), ['Ledger-archive', 'ledger', 'old-ledger', 'payments-ledger']);
      assert.deepEqual(matchNames(names, 'LED', 2), ['Ledger-archive', 'ledger']);
      assert.deepEqual(matchNames(names, '', 3), ['Ledger-archive', 'ledger', 'old-ledger']);
      assert.deepEqual(matchNames(names, 'zzz', 10), []);
    });
  });

  describe('namesFor: completion from the cached catalog names', () => {
    const names = { teams: ['team-web', 'team-payments'], systems: ['checkout'], services: ['ledger', 'legacy-reports'], deprecatedServices: ['legacy-reports'] };
    it('answers owners, systems and services from the names held, matching the typed part (service: prefix or not)', () => {
      const refs = namesFor(names, new Set(['owners', 'systems', 'services']), 'team-p');
      assert.deepEqual(refs?.owners?.(), ['team-payments']);
      assert.deepEqual(refs?.systems?.(), []);
      assert.deepEqual(namesFor(names, new Set(['services']), 'service:le')?.services?.(), ['ledger', 'legacy-reports']);
      assert.deepEqual(Object.keys(namesFor(names, new Set(['owners']), '') ?? {}), ['owners'], 'only the kinds asked for');
    });
    it('is undefined when a kind asked for is not held whole (the platform is asked instead)', () => {
      assert.equal(namesFor({ ...names, teams: undefined }, new Set(['owners']), ''), undefined);
      assert.equal(namesFor(names, new Set(['resources']), ''), undefined);
    });
  });

  describe('reportedByRedHatYaml', () => {
    const finding = (ruleId: string, source: Finding['source'] = 'yaml'): Finding => ({ offset: 0, length: 1, severity: 'error', ruleId, source, message: 'm' });

    it('is true for what yaml-language-server reports too: yaml library errors/warnings and duplicate keys', () => {
      for (const id of ['yaml/BAD_INDENT', 'yaml/MISSING_CHAR', 'yaml/TAB_AS_INDENT', 'yaml/TAG_RESOLVE_FAILED', 'yaml/duplicate-key', 'yaml/unresolved-alias']) assert.equal(reportedByRedHatYaml(finding(id)), true, id);
    });

    it('is false for Paved-only YAML findings and for schema, policy and secret findings', () => {
      for (const id of ['yaml/binary', 'yaml/too-deep', 'yaml/alias-limit', 'yaml/recursive-alias', 'yaml/complex-key', 'yaml/unparseable']) assert.equal(reportedByRedHatYaml(finding(id)), false, id);
      assert.equal(reportedByRedHatYaml(finding('schema/required', 'schema')), false);
      assert.equal(reportedByRedHatYaml(finding('production-slo', 'policy')), false);
    });
  });
});

describe('extension/manifests/manifestData: apiListAt', () => {
  const base = 'apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: a\nspec:\n';
  /** `|` marks the cursor. */
  const at = (body: string, head = base) => {
    const text = head + body;
    return apiListAt(text.replace('|', ''), text.indexOf('|'));
  };

  it('finds block and flow items of spec.providesApis / spec.consumesApis with the typed part', () => {
    assert.deepEqual(at('  providesApis:\n    - pay|\n'), { field: 'providesApis', typed: 'pay' });
    assert.deepEqual(at('  providesApis:\n    - |\n'), { field: 'providesApis', typed: '' });
    assert.deepEqual(at('  consumesApis: [a, pa|]\n'), { field: 'consumesApis', typed: 'pa' });
    assert.deepEqual(at('  consumesApis: [|\n'), { field: 'consumesApis', typed: '' });
  });

  it('is undefined elsewhere: other lists, other depths, other manifests', () => {
    assert.equal(at('  dependsOn:\n    - pay|\n'), undefined);
    assert.equal(at('  providesApis:\n    - a\n  run:\n    - |\n'), undefined);
    assert.equal(at('  environments:\n    production:\n      providesApis:\n        - |\n'), undefined);
    assert.equal(at('  providesApis:\n    - pay|\n', 'apiVersion: backstage.io/v1alpha1\nkind: Component\nspec:\n'), undefined);
  });
});
