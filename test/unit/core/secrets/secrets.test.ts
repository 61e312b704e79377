import * as assert from 'node:assert/strict';
import { lineColumn, lint } from '../../../../src/core/manifest/index';
import { entropy, scanKnownSecrets, scanSecrets } from '../../../../src/core/secrets/index';
import { SECRETLINT_RULES, mayHoldSecret, runSecretlint } from '../../../../src/core/secrets/secretlint';
import { MINIMAL, PRODUCTION } from '../manifest/helpers';
import { fakePrivateKey, fakeTokens } from './fakeTokens';

/** [detector, line, startCol, endLine, endCol] of every match. */
function scan(text: string): [string, number, number, number, number][] {
  return scanSecrets(text).map((m) => {
    const s = lineColumn(text, m.offset);
    const e = lineColumn(text, m.offset + m.length);
    return [m.detector, s.line, s.column, e.line, e.column];
  });
}

describe('secret scanner', () => {
  const t = fakeTokens();

  it("runs secretlint's recommended preset (the maintained rule set), rule by rule", () => {
    for (const rule of ['aws', 'gcp', 'privatekey', 'npm', 'basicauth', 'slack', 'sendgrid', 'stripe', 'github', 'gitlab', 'openai', 'anthropic']) {
      assert.ok(SECRETLINT_RULES.includes(rule), `the preset has ${rule}`);
    }
    assert.ok(!SECRETLINT_RULES.includes('filter-comments'), 'comment directives are not a secret');
  });

  it('finds every family the issue names, each at the exact range of the token', () => {
    const families: [string, string][] = [
      ['stripe', t.stripe],
      ['gcp-api-key', t['gcp-api-key']],
      ['azure-ad-client-secret', t['azure-ad-client-secret']],
      ['npm', t.npm],
      ['pypi-upload-token', t['pypi-upload-token']],
      ['twilio-api-key', t['twilio-api-key']],
      ['sendgrid', t.sendgrid],
      ['openai', t.openai],
      ['anthropic', t.anthropic],
      ['github', t.github],
      ['gitlab', t.gitlab],
      ['slack', t.slack],
      ['aws', t.aws],
      ['jwt', t.jwt],
    ];
    for (const [detector, token] of families) {
      const text = `spec:\n  env:\n    SOME_VALUE: "${token}" # note\n`;
      assert.deepEqual(scan(text), [[detector, 2, 17, 2, 17 + token.length]], detector);
    }
  });

  it('basic-auth URLs, Azure storage keys, AWS secret keys and private key blocks: the secret part', () => {
    const url = t.basicauth;
    assert.deepEqual(scan(`url: ${url}\n`), [['basicauth', 0, 5, 0, 5 + url.indexOf('/v2')]]);
    const storage = t['azure-storage-key'];
    const conn = `conn: DefaultEndpointsProtocol=https;AccountName=shop;${storage};EndpointSuffix=core.windows.net\n`;
    const at = conn.indexOf(storage) + 'AccountKey='.length;
    assert.deepEqual(scan(conn), [['azure-storage-key', 0, at, 0, at + 88]]);
    assert.deepEqual(scan(`aws_secret_access_key: ${t['aws-secret-access-key']}\n`), [['aws-secret-access-key', 0, 23, 0, 63]]);
    const key = `key: |\n${fakePrivateKey('  ')}\n`;
    assert.deepEqual(scan(key), [['privatekey', 1, 2, 6, 31]]);
  });

  it('the pre-check passes every family the preset knows and rules out ordinary manifests', () => {
    for (const [family, token] of Object.entries(t)) {
      assert.ok(mayHoldSecret(`spec:\n  env:\n    X: "${token}"\n`), family);
    }
    assert.ok(mayHoldSecret(`key: |\n${fakePrivateKey('  ')}\n`), 'a key block');
    assert.ok(mayHoldSecret('db: mongodb+srv://app:hunter2@db.internal/shop\n'), 'a URL with a short password');
    assert.ok(!mayHoldSecret(PRODUCTION), 'an ordinary manifest');
    assert.deepEqual(runSecretlint(PRODUCTION), []);
  });

  it('finds secrets in comments and keys too', () => {
    assert.deepEqual(scan(`# token: ${t.aws}\n`), [['aws', 0, 9, 0, 29]]);
  });

  it('leaves secret references, URLs, digests, ids, documentation examples and ordinary values alone', () => {
    const text = [
      'DB_PASSWORD: { ref: "vault://payments/db#password-for-the-primary-cluster" }',
      'url: https://wiki.example.com/payments/runbook/AbCdEfGhIjKlMnOpQrStUvWx12345',
      'image: registry.example.com/payments@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
      'id: 123e4567-e89b-12d3-a456-426614174000',
      'name: payments-api-production-eu-west-1-primary',
      'command: npm ci && npm run build',
      'db: postgres://db.internal:5432/payments',
      'sku: SKU-1234',
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
    assert.deepEqual(scanKnownSecrets(token), [], 'a guess is not a known format');
  });

  it('computes Shannon entropy', () => {
    assert.equal(entropy('aaaa'), 0);
    assert.equal(entropy('abcd'), 2);
  });

  it('reports through lint as errors (warnings for high entropy) in manifests only, never quoting the secret', () => {
    const text = MINIMAL.replace('lifecycle: experimental', `lifecycle: experimental\n  description: k8Fj2LmQz9XrT4vBn7WcYp1Hs6Gd3Ka0 ${t.stripe}`);
    const findings = lint(text, 'paved.yaml').findings.filter((f) => f.source === 'secrets');
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity, f.offset, f.length]),
      [
        ['secrets/high-entropy', 'warning', text.indexOf('k8Fj'), 32],
        ['secrets/stripe', 'error', text.indexOf(t.stripe), t.stripe.length],
      ],
    );
    assert.equal(findings[1].message, 'This looks like a Stripe API key. Never commit secrets: reference them from a secret store (spec.secrets).');
    assert.ok(findings.every((f) => !f.message.includes(t.stripe.slice(8))));
    assert.deepEqual(lint(`note: ${t.stripe}\n`, 'notes.yaml').findings, [], 'not a manifest: not scanned');
  });
});
