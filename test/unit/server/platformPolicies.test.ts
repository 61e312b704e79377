import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PavedError } from '../../../src/core/errors';
import { defaultPolicySetText } from '../../../src/core/policy/index';
import type { CatalogEntry } from '../../../src/core/catalog';
import { PolicyGate } from '../../../src/server/policy/gate';
import { policySet } from '../../../src/server/policy/policies';
import { DESCRIPTION_RULE, MINIMAL } from '../core/manifest/helpers';
import { parse } from 'yaml';

const EXTRA = DESCRIPTION_RULE;

describe('server: the platform policy set (<state-dir>/policies.yaml)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-policies-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the default set when the file does not exist', () => {
    const served = policySet(path.join(dir, 'policies.yaml'));
    assert.deepEqual(served, policySet());
    assert.equal(served.name, 'paved-default');
  });

  it('serves the file when it exists, and re-reads it after it changed', () => {
    const file = path.join(dir, 'policies.yaml');
    fs.writeFileSync(file, defaultPolicySetText().replace('name: paved-default', 'name: acme') + EXTRA);
    const served = policySet(file);
    assert.equal(served.name, 'acme');
    assert.deepEqual(served.rules.at(-1), {
      id: 'service-description',
      severity: 'warning',
      description: 'Every service says what it does.',
      mandatory: true,
      condition: { properties: { metadata: { required: ['description'] } } },
      message: 'Every service needs a description (metadata.description).',
      path: '/metadata/description',
    });
    assert.equal(served.rules.length, policySet().rules.length + 1);
    fs.writeFileSync(file, defaultPolicySetText().replace('name: paved-default', 'name: acme-2'));
    assert.equal(policySet(file).name, 'acme-2');
  });

  it("scorecards use the platform's set: its own rule counts; an invalid file leaves the default set", () => {
    const file = path.join(dir, 'policies.yaml');
    const manifest = parse(MINIMAL) as Record<string, unknown>;
    const names = { teams: [], systems: [], services: [], deprecatedServices: [], apis: [] };
    const gate = new PolicyGate({ policiesFile: file, catalog: { names: () => names, repositoryRoot: () => undefined }, now: () => new Date() });
    const ids = () => gate.scorecard({} as CatalogEntry, manifest).results.map((r) => `${r.ruleId}:${r.passed}`);
    const withDefault = ids();
    assert.ok(!withDefault.some((r) => r.startsWith('service-description:')));
    fs.writeFileSync(file, defaultPolicySetText() + EXTRA);
    assert.deepEqual(ids(), [...withDefault, 'service-description:false']);
    fs.writeFileSync(file, 'apiVersion: paved.dev/v1\nkind: PolicySet\nrules:\n  - { id: Bad }\n');
    assert.deepEqual(ids(), withDefault);
  });

  it('an invalid file is a server error naming the problem, not the default set', () => {
    const file = path.join(dir, 'policies.yaml');
    fs.writeFileSync(file, 'apiVersion: paved.dev/v1\nkind: PolicySet\nrules:\n  - { id: Bad }\n');
    assert.throws(
      () => policySet(file),
      (e: unknown) => PavedError.is(e, 'server-error') && e.message === `the platform policy set is invalid: ${file}: invalid policy set: rules.0.id must match pattern "^[a-z0-9]+(-[a-z0-9]+)*$"`,
    );
  });
});
