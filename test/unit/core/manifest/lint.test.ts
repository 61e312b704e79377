import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kindFromFileName, lineColumn, lint, parsePavedManifest } from '../../../../src/core/manifest/index';
import { expectFinding, messages, MINIMAL, toDiag } from './helpers';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'manifests');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const NO_POLICIES = { policies: { name: 'none', rules: [], notes: [] } };

function lintPaved(text: string) {
  return lint(text, 'paved.yaml', NO_POLICIES).findings;
}

describe('manifest lint: valid files', () => {
  for (const name of ['paved.yaml', 'catalog-info.yaml', 'score.yaml']) {
    it(`finds nothing in test/fixtures/manifests/${name}`, () => {
      const text = fixture(name);
      const r = lint(text, name);
      assert.deepEqual(r.findings.map((f) => toDiag(text, f)), []);
    });
  }

  it('detects the kind from the file name, then from apiVersion', () => {
    assert.equal(kindFromFileName('/repo/svc/paved.yaml'), 'paved');
    assert.equal(kindFromFileName('C:\\repo\\api.paved.yml'), 'paved');
    assert.equal(kindFromFileName('catalog-info.yaml'), 'backstage');
    assert.equal(kindFromFileName('score.yml'), 'score');
    assert.equal(kindFromFileName('values.yaml'), 'unknown');
    assert.equal(lint(MINIMAL, 'other.yaml').kind, 'paved');
    assert.equal(lint(fixture('score.yaml'), 'workload.yaml').kind, 'score');
    assert.equal(lint('a: 1\n', 'values.yaml').kind, 'unknown');
    assert.deepEqual(lint('a: 1\n', 'values.yaml').findings, [], 'no schema for files that are not manifests');
  });
});

describe('manifest lint: schema errors at the narrowest node', () => {
  it('a wrong value → the value', () => {
    const text = MINIMAL.replace('port: 8080', 'port: eighty');
    expectFinding(text, lintPaved(text), 'Incorrect type: spec.run.port must be an integer, not a string.', 10, 10, 10, 16);
  });

  it('a value outside its enum → the value, with did-you-mean and a fix', () => {
    const text = MINIMAL.replace('lifecycle: experimental', 'lifecycle: prodution');
    const f = expectFinding(text, lintPaved(text), 'metadata.lifecycle must be one of: experimental, production, deprecated. Did you mean "production"?', 5, 13, 5, 22);
    assert.equal(f.ruleId, 'schema/enum');
    assert.equal(f.fixes?.[0]?.title, 'Change to production');
  });

  it('an unknown key → the key, with did-you-mean for a near miss', () => {
    const text = MINIMAL.replace('  owner: team-payments', '  ownr: team-payments');
    const f = expectFinding(text, lintPaved(text), 'Unknown key "ownr" in metadata. Did you mean "owner"?', 4, 2, 4, 6);
    assert.equal(f.ruleId, 'schema/additionalProperties');
  });

  it('an unknown key without a near match has no suggestion', () => {
    const text = MINIMAL.replace('  owner: team-payments\n', '  owner: team-payments\n  colour: red\n');
    const f = expectFinding(text, lintPaved(text), 'Unknown key "colour" in metadata.', 5, 2, 5, 8);
    assert.equal(f.fixes, undefined);
  });

  it('an unknown top-level key', () => {
    const text = MINIMAL + 'specs: {}\n';
    expectFinding(text, lintPaved(text), 'Unknown key "specs" at the top level.', 11, 0, 11, 5);
  });

  it('a missing required key → the key of its parent map', () => {
    const text = MINIMAL.replace('  run:\n    command: node dist/server.js\n    port: 8080\n', '');
    expectFinding(text, lintPaved(text), 'Missing required key "run" in spec.', 6, 0, 6, 4);
  });

  it('a missing required key at the top level → the first key of the document', () => {
    const text = MINIMAL.replace('kind: Service\n', '');
    expectFinding(text, lintPaved(text), 'Missing required key "kind" at the top level.', 0, 0, 0, 10);
  });

  it('a missing required key in a flow map → the key of that map', () => {
    const text = MINIMAL.replace('runtime: { name: node, version: "20" }', 'runtime: { version: "20" }');
    expectFinding(text, lintPaved(text), 'Missing required key "name" in spec.runtime.', 7, 2, 7, 9);
  });

  it('a missing required key in a sequence item → the first key of that item', () => {
    const text = MINIMAL + '  slos:\n    - { name: availability, objective: 99.9 }\n';
    expectFinding(text, lintPaved(text), 'Missing required key "window" in spec.slos[0].', 12, 8, 12, 12);
  });

  it('a value failing a pattern → the value, with the schema\'s own message', () => {
    const text = MINIMAL.replace('name: payments-api', 'name: Payments_API');
    expectFinding(
      text,
      lintPaved(text),
      "metadata.name must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.",
      3,
      8,
      3,
      20,
    );
  });

  it('an empty value → its key', () => {
    const text = MINIMAL.replace('owner: team-payments', 'owner:');
    expectFinding(text, lintPaved(text), 'Incorrect type: metadata.owner must be a string, not a null.', 4, 2, 4, 7);
  });

  it('a scalar where a map belongs → the scalar; a map where a scalar belongs → its key', () => {
    const text = MINIMAL.replace('  run:\n    command: node dist/server.js\n    port: 8080\n', '  run: node dist/server.js\n').replace(
      'owner: team-payments',
      'owner:\n    team: payments',
    );
    const findings = lintPaved(text);
    expectFinding(text, findings, 'Incorrect type: spec.run must be an object, not a string.', 9, 7, 9, 26);
    expectFinding(text, findings, 'Incorrect type: metadata.owner must be a string, not an object.', 4, 2, 4, 7);
  });

  it('an invalid key name (propertyNames) → the key', () => {
    const text = MINIMAL + '  env:\n    log-level: info\n';
    expectFinding(text, lintPaved(text), 'Invalid key "log-level" in spec.env: must be a valid environment variable name.', 12, 4, 12, 13);
  });

  it('a repeated item (uniqueItems) → the repeat', () => {
    const text = MINIMAL + '  dependsOn: [service:ledger, service:ledger]\n';
    expectFinding(text, lintPaved(text), 'spec.dependsOn must not repeat items (item 1 repeats item 0).', 11, 30, 11, 44);
  });

  it('a number out of range → the value', () => {
    const text = MINIMAL.replace('port: 8080', 'port: 70000');
    expectFinding(text, lintPaved(text), 'spec.run.port must be <= 65535.', 10, 10, 10, 15);
  });

  it('an unknown paved apiVersion → the value, with a fix to v1', () => {
    const text = MINIMAL.replace('paved.dev/v1', 'paved.dev/v2');
    const findings = lintPaved(text);
    const f = expectFinding(text, findings, 'Unknown apiVersion "paved.dev/v2": this Paved knows paved.dev/v1 and paved.dev/v1alpha1.', 0, 12, 0, 24);
    assert.equal(f.fixes?.[0]?.edits[0]?.newText, 'paved.dev/v1');
    assert.equal(findings.length, 1, 'the const error on apiVersion is not reported twice');
  });

  it('a document that is not a map', () => {
    const text = '- a\n- b\n';
    expectFinding(text, lintPaved(text), 'A manifest must be a map of keys (apiVersion, kind, metadata, …).', 0, 0, 0, 3);
  });
});

describe('manifest lint: YAML problems at their position', () => {
  it('a syntax error (fast path gives way to the full parser)', () => {
    const text = MINIMAL.replace('name: payments-api', 'name: "payments-api');
    const yamlErrors = lintPaved(text).filter((f) => f.source === 'yaml');
    assert.equal(yamlErrors.length, 1);
    assert.equal(yamlErrors[0].ruleId, 'yaml/MISSING_CHAR');
    // `yaml` reports where the closing quote is missing: the end of the line.
    expectFinding(text, yamlErrors, 'Missing closing "quote', 3, 21, 4, 0);
  });

  it('a bad indentation', () => {
    const text = 'apiVersion: paved.dev/v1\nkind: Service\n  extra: 1\n';
    const f = lintPaved(text).find((x) => x.source === 'yaml');
    assert.ok(f);
    assert.equal(lineColumn(text, f.offset).line, 1);
  });

  it('a duplicate key → the second occurrence (fast path)', () => {
    const text = MINIMAL.replace('  owner: team-payments\n', '  owner: team-payments\n  owner: team-ledger\n');
    const f = expectFinding(text, lintPaved(text), 'Duplicate key "owner": keys of a map must be unique.', 5, 2, 5, 7);
    assert.equal(f.ruleId, 'yaml/duplicate-key');
  });

  it('a duplicate key → the second occurrence (full parser, which the anchor forces)', () => {
    const text = MINIMAL.replace('  owner: team-payments\n', '  owner: &o team-payments\n  title: *o\n  owner: team-ledger\n');
    expectFinding(text, lintPaved(text), 'Duplicate key "owner": keys of a map must be unique.', 6, 2, 6, 7);
  });

  it('a duplicate key in a flow map', () => {
    const text = MINIMAL.replace('runtime: { name: node, version: "20" }', 'runtime: { name: node, name: go }');
    expectFinding(text, lintPaved(text), 'Duplicate key "name": keys of a map must be unique.', 7, 25, 7, 29);
  });

  it('lints every document of a multi-document file at its own position', () => {
    const text = fixture('catalog-info.yaml').replace('  owner: team-payments\n  definition', '  ownr: team-payments\n  definition');
    const findings = lint(text, 'catalog-info.yaml').findings;
    expectFinding(text, findings, 'Missing required key "owner" in spec.', 18, 0, 18, 4);
    expectFinding(text, findings, 'Unknown key "ownr" in spec. Did you mean "owner"?', 21, 2, 21, 6);
  });

  it('keeps ranges right with CRLF line ends', () => {
    const text = MINIMAL.replace('port: 8080', 'port: eighty').replace(/\n/g, '\r\n');
    expectFinding(text, lintPaved(text), 'Incorrect type: spec.run.port must be an integer, not a string.', 10, 10, 10, 16);
  });

  it('keeps ranges right after a BOM (offsets count it)', () => {
    const bad = MINIMAL.replace('kind: Service', 'kind: Servic');
    const plain = lintPaved(bad);
    const withBom = lintPaved('\ufeff' + bad);
    assert.equal(withBom.length, 1);
    assert.equal(withBom[0].offset, plain[0].offset + 1);
    assert.equal(withBom[0].message, 'kind must be one of: Service. Did you mean "Service"?');
  });

  it('keeps ranges right with tabs (full parser)', () => {
    const text = MINIMAL.replace('lifecycle: experimental', 'lifecycle: experimental\n  description: "a\tb"').replace('port: 8080', 'port:\t8o80');
    const findings = lintPaved(text);
    expectFinding(text, findings, 'Incorrect type: spec.run.port must be an integer, not a string.', 11, 10, 11, 14);
  });

  it('reports tab indentation as a YAML error on that line', () => {
    const text = 'apiVersion: paved.dev/v1\nmetadata:\n\tname: x\n';
    const f = lintPaved(text).find((x) => x.source === 'yaml');
    assert.ok(f, 'a yaml finding');
    assert.equal(lineColumn(text, f.offset).line, 2);
  });
});

describe('Backstage and Score', () => {
  it('checks each Backstage kind against its schema', () => {
    const text = fixture('catalog-info.yaml').replace('  type: team\n', '');
    expectFinding(text, lint(text, 'catalog-info.yaml').findings, 'Missing required key "type" in spec.', 29, 0, 29, 4);
  });

  it('suggests the kind for a misspelled Backstage kind', () => {
    const text = fixture('catalog-info.yaml').replace('kind: Component', 'kind: Componnet');
    const f = expectFinding(
      text,
      lint(text, 'catalog-info.yaml').findings,
      'kind must be one of: Component, API, System, Domain, Resource, Group, User, Template, Location. Did you mean "Component"?',
      1,
      6,
      1,
      15,
    );
    assert.equal(f.fixes?.[0]?.edits[0]?.newText, 'Component');
  });

  it('checks Score files (draft 2020-12, $defs)', () => {
    const text = fixture('score.yaml').replace('port: 80,', 'port: "80",');
    expectFinding(text, lint(text, 'score.yaml').findings, 'Incorrect type: service.ports.www.port must be an integer, not a string.', 5, 17, 5, 21);
  });
});

describe('parsePavedManifest', () => {
  it('returns the typed v1 manifest', () => {
    const r = parsePavedManifest(fixture('paved.yaml'));
    assert.deepEqual(r.findings, []);
    assert.equal(r.manifest?.metadata.owner, 'team-payments');
    assert.deepEqual(r.manifest?.spec.replicas, { min: 2, max: 6 });
    assert.equal(r.manifest?.spec.environments?.production?.approval, 'required');
  });

  it('migrates v1alpha1 in memory', () => {
    const r = parsePavedManifest(fixture('v1alpha1.paved.yaml'));
    assert.deepEqual(messages(r.findings), ['paved.dev/v1alpha1 is deprecated: migrate this manifest to paved.dev/v1.']);
    assert.equal(r.manifest?.apiVersion, 'paved.dev/v1');
    assert.equal(r.manifest?.metadata.owner, 'team-payments');
    assert.deepEqual(r.manifest?.spec.run, { command: 'node dist/server.js', port: 8080 });
    assert.deepEqual(r.manifest?.spec.health, { path: '/healthz' });
    assert.deepEqual(r.manifest?.spec.replicas, { min: 2, max: 2 });
  });

  it('returns no manifest, and the errors, for an invalid file', () => {
    const r = parsePavedManifest(MINIMAL.replace('kind: Service\n', ''));
    assert.equal(r.manifest, undefined);
    assert.deepEqual(messages(r.findings), ['Missing required key "kind" at the top level.']);
  });

  it('rejects a file that is not a paved manifest', () => {
    const r = parsePavedManifest(fixture('score.yaml'), 'score.yaml');
    assert.equal(r.manifest, undefined);
    assert.deepEqual(messages(r.findings), ['Not a Paved manifest: apiVersion must be paved.dev/v1.']);
  });
});
