import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lint } from '../../../../src/core/manifest/index';
import { applyFix, expectFinding, messages, MINIMAL, PRODUCTION } from './helpers';

const NO_POLICIES = { policies: { name: 'none', rules: [], notes: [] } };
const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'manifests');

describe('quick fixes (apply the edits, lint again: the finding is gone)', () => {
  it('adds a missing required key with its default, at the map\'s indentation', () => {
    const text = MINIMAL.replace('  run:\n    command: node dist/server.js\n    port: 8080\n', '  run:\n    port: 8080\n');
    const f = expectFinding(text, lint(text, 'paved.yaml', NO_POLICIES).findings, 'Missing required key "command" in spec.run.', 8, 2, 8, 5);
    assert.equal(f.fixes?.[0]?.title, 'Add missing key "command"');
    const after = applyFix(text, f, 'paved.yaml', NO_POLICIES);
    assert.equal(after.text, text.replace('    port: 8080\n', '    port: 8080\n    command: node dist/server.js\n'));
    assert.deepEqual(messages(after.findings), []);
  });

  it('adds a missing object with its required children', () => {
    const text = MINIMAL.replace('  run:\n    command: node dist/server.js\n    port: 8080\n', '');
    const f = expectFinding(text, lint(text, 'paved.yaml', NO_POLICIES).findings, 'Missing required key "run" in spec.', 6, 0, 6, 4);
    const after = applyFix(text, f, 'paved.yaml', NO_POLICIES);
    assert.equal(after.text, text + '  run:\n    command: node dist/server.js\n');
    assert.deepEqual(messages(after.findings), []);
  });

  it('adds a missing key to a flow map', () => {
    const text = MINIMAL.replace('runtime: { name: node, version: "20" }', 'runtime: { version: "20" }');
    const f = lint(text, 'paved.yaml', NO_POLICIES).findings[0];
    const after = applyFix(text, f, 'paved.yaml', NO_POLICIES);
    assert.ok(after.text.includes('runtime: { version: "20", name: node }'), after.text);
    assert.deepEqual(messages(after.findings), []);
  });

  it('adds missing top-level keys with CRLF line ends', () => {
    const text = MINIMAL.replace('kind: Service\n', '').replace(/\n/g, '\r\n');
    const f = lint(text, 'paved.yaml', NO_POLICIES).findings[0];
    assert.equal(f.message, 'Missing required key "kind" at the top level.');
    const after = applyFix(text, f, 'paved.yaml', NO_POLICIES);
    assert.ok(after.text.endsWith('    port: 8080\r\nkind: Service\r\n'), JSON.stringify(after.text));
    assert.deepEqual(messages(after.findings), []);
  });

  it('renames an unknown key to its near match', () => {
    const text = MINIMAL.replace('  owner: team-payments', '  ownr: team-payments');
    const f = lint(text, 'paved.yaml', NO_POLICIES).findings[0];
    const after = applyFix(text, f, 'paved.yaml', NO_POLICIES);
    assert.equal(after.text, MINIMAL);
    assert.deepEqual(after.findings, []);
  });

  it('replaces an enum value with its near match', () => {
    const text = MINIMAL.replace('lifecycle: experimental', 'lifecycle: Experimental');
    const f = lint(text, 'paved.yaml', NO_POLICIES).findings[0];
    assert.equal(f.message, 'metadata.lifecycle must be one of: experimental, production, deprecated. Did you mean "experimental"?');
    assert.equal(applyFix(text, f, 'paved.yaml', NO_POLICIES).text, MINIMAL);
  });

  it('moves a plaintext secret from env to a new spec.secrets reference', () => {
    const text = PRODUCTION.replace('    LOG_LEVEL: info\n', '    LOG_LEVEL: info\n    DB_PASSWORD: hunter2-hunter2\n');
    const findings = lint(text, 'paved.yaml').findings;
    const f = expectFinding(text, findings, 'Plaintext secret in spec.env; move it to spec.secrets as a secret reference.', 17, 4, 17, 15);
    assert.equal(f.fixes?.[0]?.title, 'Move DB_PASSWORD to a secret reference (vault://payments-api/db-password#value); store the value in your secret store');
    const after = applyFix(text, f);
    assert.ok(!after.text.includes('hunter2'), 'the plaintext value is gone');
    assert.ok(after.text.includes('  secrets:\n    DB_PASSWORD:\n      ref: vault://payments-api/db-password#value\n'), after.text);
    assert.deepEqual(messages(after.findings), []);
  });

  it('moves a plaintext secret into an existing spec.secrets map, and removes an emptied env', () => {
    const text = PRODUCTION.replace('    LOG_LEVEL: info\n', '    API_TOKEN: "abc"\n').replace(
      '  dependsOn:',
      '  secrets:\n    DB_PASSWORD: { ref: "vault://payments/db#password" }\n  dependsOn:',
    );
    const f = lint(text, 'paved.yaml').findings.find((x) => x.ruleId === 'no-plaintext-secret')!;
    const after = applyFix(text, f);
    assert.ok(!after.text.includes('  env:'), 'env had only the secret: removed');
    assert.ok(after.text.includes('    DB_PASSWORD: { ref: "vault://payments/db#password" }\n    API_TOKEN: { ref: vault://payments-api/api-token#value }\n'), after.text);
    assert.deepEqual(messages(after.findings), []);
  });

  it('moves a secret that is the last line of the file', () => {
    const text = MINIMAL + '  env:\n    LOG_LEVEL: info\n    GITHUB_TOKEN: x';
    const f = lint(text, 'paved.yaml').findings.find((x) => x.ruleId === 'no-plaintext-secret')!;
    const after = applyFix(text, f);
    assert.deepEqual(messages(after.findings), []);
    assert.ok(after.text.includes('    LOG_LEVEL: info\n  secrets:\n    GITHUB_TOKEN:\n      ref: vault://payments-api/github-token#value'), after.text);
  });

  it('offers the same move on a secret-scanner finding in env', () => {
    const text = MINIMAL + '  env:\n    GH: ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n';
    const f = expectFinding(
      text,
      lint(text, 'paved.yaml').findings,
      'This looks like a GitHub token. Never commit secrets: reference them from a secret store (spec.secrets).',
      12,
      8,
      12,
      48,
    );
    const after = applyFix(text, f);
    assert.deepEqual(messages(after.findings), []);
  });

  it('migrates v1alpha1 to v1, keeping comments', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'v1alpha1.paved.yaml'), 'utf8');
    const f = expectFinding(text, lint(text, 'paved.yaml').findings, 'paved.dev/v1alpha1 is deprecated: migrate this manifest to paved.dev/v1.', 1, 12, 1, 30);
    const after = applyFix(text, f);
    assert.equal(
      after.text,
      `# Payments API, still on the first manifest version.
apiVersion: paved.dev/v1
kind: Service
metadata:
  name: payments-api
  owner: team-payments # owning team
  lifecycle: experimental
spec:
  runtime: { name: node, version: "20" }
  # how the platform starts it
  run:
    command: node dist/server.js
    port: 8080
  health:
    path: /healthz
  replicas: { min: 2, max: 2 }
`,
    );
    assert.deepEqual(after.findings, []);
  });

  it('migrates one document of a multi-document file and leaves the others alone', () => {
    const v1alpha1 = fs.readFileSync(path.join(FIXTURES, 'v1alpha1.paved.yaml'), 'utf8');
    const text = MINIMAL + '---\n' + v1alpha1;
    const f = lint(text, 'paved.yaml', NO_POLICIES).findings.find((x) => x.ruleId === 'paved/deprecated-version')!;
    const after = applyFix(text, f, 'paved.yaml', NO_POLICIES);
    assert.ok(after.text.startsWith(MINIMAL + '---\n# Payments API'), after.text);
    assert.deepEqual(after.findings, []);
  });
});
