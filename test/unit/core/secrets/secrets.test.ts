import * as assert from 'node:assert/strict';
import { lineColumn, lint } from '../../../../src/core/manifest/index';
import { entropy, scanSecrets } from '../../../../src/core/secrets/index';
import { MINIMAL, PRODUCTION } from '../manifest/helpers';

/** [detector, line, startCol, endLine, endCol] of every match. */
function scan(text: string): [string, number, number, number, number][] {
  return scanSecrets(text).map((m) => {
    const s = lineColumn(text, m.offset);
    const e = lineColumn(text, m.offset + m.length);
    return [m.detector, s.line, s.column, e.line, e.column];
  });
}

describe('secret scanner', () => {
  it('an ~8 MB token (one line) neither overflows the stack nor costs the file its other findings', function () {
    this.timeout(60_000);
    const huge = Array.from({ length: 8 * 1024 * 1024 }, (_, i) => 'aZ9-_'[i % 5]).join('');
    const jwtish = `eyJ${'a'.repeat(8 * 1024 * 1024)}`;
    const words = 'a-'.repeat(4 * 1024 * 1024);
    for (const blob of [huge, jwtish, words]) {
      const text = `metadata:\n  key: AKIAIOSFODNN7EXAMPLE\n  blob: ${blob}\n`;
      assert.deepEqual(scan(text).filter(([d]) => d !== 'high-entropy').map(([d, l]) => [d, l]), [['aws-access-key-id', 1]], 'lines count from 0');
    }
    const lintText = `${PRODUCTION}\n# AKIAIOSFODNN7EXAMPLE\nx: ${huge}\n`;
    const ids = lint(lintText, 'paved.yaml', { maxSize: 20_000_000, maxFullParseSize: 20_000_000 }).findings.map((f) => f.ruleId);
    assert.ok(ids.includes('secrets/aws-access-key-id'), ids.join(', '));
    assert.ok(!ids.includes('paved/internal-error'), ids.join(', '));
  });

  it('a private key block without its end, a megabyte long, is found without running away', () => {
    const text = `k: |\n  -----BEGIN PRIVATE KEY-----\n${'  MIIEpAIBAAKCAQEA\n'.repeat(60_000)}`;
    assert.deepEqual(scan(text).map(([d, l]) => [d, l]).slice(0, 1), [['private-key', 1]]);
  });

  it('finds each kind of credential at its exact range', () => {
    const text = [
      'a: AKIAIOSFODNN7EXAMPLE',
      'aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'b: "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"',
      'c: glpat-Ab3dEf6hIj9kLm2nOp5q',
      'd: xoxb-123456789012-abcdefghij',
      'e: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'key: |',
      '  -----BEGIN RSA PRIVATE KEY-----',
      '  MIIEpAIBAAKCAQEA',
      '  -----END RSA PRIVATE KEY-----',
      'f: k8Fj2LmQz9XrT4vBn7WcYp1Hs6Gd3Ka0 # a random token',
      '',
    ].join('\n');
    assert.deepEqual(scan(text), [
      ['aws-access-key-id', 0, 3, 0, 23],
      ['aws-secret-access-key', 1, 23, 1, 63],
      ['github-token', 2, 4, 2, 44],
      ['gitlab-token', 3, 3, 3, 29],
      ['slack-token', 4, 3, 4, 31],
      ['jwt', 5, 3, 5, 111],
      ['private-key', 7, 2, 9, 31],
      ['high-entropy', 10, 3, 10, 35],
    ]);
  });

  it('finds secrets in comments and keys too', () => {
    assert.deepEqual(scan('# token: AKIAIOSFODNN7EXAMPLE\n'), [['aws-access-key-id', 0, 9, 0, 29]]);
  });

  it('leaves secret references, URLs, digests, ids and ordinary values alone', () => {
    const text = [
      'DB_PASSWORD: { ref: "vault://payments/db#password-for-the-primary-cluster" }',
      'url: https://wiki.example.com/payments/runbook/AbCdEfGhIjKlMnOpQrStUvWx12345',
      'image: registry.example.com/payments@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
      'id: 123e4567-e89b-12d3-a456-426614174000',
      'name: payments-api-production-eu-west-1-primary',
      'command: npm ci && npm run build',
      '',
    ].join('\n');
    assert.deepEqual(scan(text), []);
    assert.deepEqual(scan(PRODUCTION), []);
  });

  it('finds a high-entropy token of 24 characters or more wherever it starts and ends, and none shorter', () => {
    const token = 'k8Fj2LmQz9XrT4vBn7WcYp1Hs6Gd3Ka0';
    for (let pad = 0; pad < 50; pad++) {
      for (const len of [23, 24, 25, 32]) {
        for (const after of ['', ' x', '\n']) {
          const text = 'a: '.padEnd(3 + pad, ' ') + token.slice(0, len) + after;
          const expected = len >= 24 ? [{ offset: 3 + pad, length: len, detector: 'high-entropy', description: 'a high-entropy string (a likely secret)' }] : [];
          assert.deepEqual(scanSecrets(text), expected, JSON.stringify(text));
        }
      }
    }
    assert.deepEqual(scanSecrets(token).map((m) => [m.offset, m.length]), [[0, 32]]);
  });

  it('computes Shannon entropy', () => {
    assert.equal(entropy('aaaa'), 0);
    assert.equal(entropy('abcd'), 2);
  });

  it('reports through lint as errors (warnings for high entropy) in manifests only', () => {
    const text = MINIMAL.replace('lifecycle: experimental', 'lifecycle: experimental\n  description: k8Fj2LmQz9XrT4vBn7WcYp1Hs6Gd3Ka0 AKIAIOSFODNN7EXAMPLE');
    const findings = lint(text, 'paved.yaml').findings.filter((f) => f.source === 'secrets');
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity, f.offset, f.length]),
      [
        ['secrets/high-entropy', 'warning', text.indexOf('k8Fj'), 32],
        ['secrets/aws-access-key-id', 'error', text.indexOf('AKIA'), 20],
      ],
    );
    assert.equal(findings[1].message, 'This looks like an AWS access key id. Never commit secrets: reference them from a secret store (spec.secrets).');
    assert.deepEqual(lint('note: AKIAIOSFODNN7EXAMPLE\n', 'notes.yaml').findings, [], 'not a manifest: not scanned');
  });
});
