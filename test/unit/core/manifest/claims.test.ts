import * as assert from 'node:assert/strict';
import { addClaimEdits, applyEdits, completionsAt, hoverAt, lint } from '../../../../src/core/manifest/index';
import { BUILTIN_TYPES, type ResourceType, type ResourceTypeCatalog } from '../../../../src/core/resources';
import { expectFinding } from './helpers';

const REDIS: ResourceType = {
  type: 'redis',
  description: 'A Redis cache from the platform team.',
  classes: [{ name: 'cache', default: true }, { name: 'persistent' }],
  params: { type: 'object' },
  outputs: [
    { name: 'host', secret: false },
    { name: 'password', secret: true, description: 'AUTH password.' },
  ],
  driver: 'exec',
  source: '/etc/paved/redis.yaml',
};
const PLATFORM: ResourceTypeCatalog = { types: [...BUILTIN_TYPES, REDIS], authoritative: true };

const HEAD = 'apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: orders\n  owner: team-a\nspec:\n  runtime: { name: node }\n  run: { command: node server.js }\n';

function findingsOf(text: string, catalog?: ResourceTypeCatalog) {
  return lint(text, 'paved.yaml', { resourceTypes: catalog }).findings.filter((f) => f.ruleId.startsWith('paved/claim'));
}

describe('manifest engine: claims (spec.claims) and their placeholders', () => {
  it('a correct claim bound in env and in an environment override lints clean (secret outputs too)', () => {
    const text = `${HEAD}  claims:\n    db: { type: postgres, class: small }\n    files:\n      type: volume\n  env:\n    DATABASE_URL: \${claims.db.url}\n    PGPASSWORD: \${claims.db.password}\n  environments:\n    staging:\n      env: { DATA_DIR: "\${claims.files.path}" }\n`;
    assert.deepEqual(lint(text, 'paved.yaml').findings, []);
  });

  it('an unknown type: an error at the value with the platform’s types and a near-miss fix; only a warning without the platform', () => {
    const text = `${HEAD}  claims:\n    db: { type: postgress }\n  env:\n    URL: \${claims.db.url}\n`;
    const f = expectFinding(text, findingsOf(text, PLATFORM), 'Unknown resource type "postgress": the platform offers postgres, volume, redis.', 9, 16, 9, 25);
    assert.equal(f.severity, 'error');
    assert.equal(f.fixes?.[0].edits[0].newText, 'postgres');
    const w = expectFinding(text, findingsOf(text.replace('postgress', 'redis')), '"redis" is not one of Paved\'s built-in resource types (postgres, volume): the platform you deploy to must define it.', 9, 16, 9, 21);
    assert.equal(w.severity, 'warning');
    assert.deepEqual(findingsOf(text.replace('postgress', 'redis').replace('${claims.db.url}', '${claims.db.host}'), PLATFORM), []);
  });

  it('an unknown class: at the class value, with the type’s classes', () => {
    const text = `${HEAD}  claims:\n    cache:\n      type: redis\n      class: persistant\n  env:\n    R: \${claims.cache.host}\n`;
    const f = expectFinding(text, findingsOf(text, PLATFORM), 'redis has no class "persistant" (classes: cache, persistent).', 11, 13, 11, 23);
    assert.equal(f.fixes?.[0].edits[0].newText, 'persistent');
  });

  it('a placeholder to a claim that does not exist: at the claim name, with a near-miss fix', () => {
    const text = `${HEAD}  claims:\n    db: { type: postgres }\n  env:\n    URL: \${claims.dv.url}\n    OTHER: "x \${claims.db.url}"\n`;
    const f = expectFinding(text, findingsOf(text), 'No claim "dv" in spec.claims (claims: db).', 11, 18, 11, 20);
    assert.equal(f.severity, 'error');
    assert.equal(f.fixes?.[0].edits[0].newText, 'db');
  });

  it('an output the type does not have: at the output, with the outputs and a near-miss fix', () => {
    const text = `${HEAD}  claims:\n    db: { type: postgres }\n  environments:\n    production:\n      env:\n        URL: "\${claims.db.uri}"\n`;
    const f = expectFinding(text, findingsOf(text), 'Claim "db" (postgres) has no output "uri" (outputs: host, port, database, username, password, url).', 13, 26, 13, 29);
    assert.equal(f.fixes?.[0].edits[0].newText, 'url');
  });

  it('a malformed placeholder, and a claim never used (a warning at its key naming the main output)', () => {
    const text = `${HEAD}  claims:\n    db: { type: postgres }\n    files: { type: volume }\n  env:\n    URL: \${claims.db}\n`;
    const found = findingsOf(text);
    expectFinding(text, found, 'A placeholder is ${claims.NAME.OUTPUT}, e.g. ${claims.db.url}.', 12, 9, 12, 21);
    expectFinding(text, found, 'Claim "db" is never used: bind one of its outputs in spec.env, e.g. DATABASE_URL: ${claims.db.url}.', 9, 4, 9, 6);
    const unused = expectFinding(text, found, 'Claim "files" is never used: bind one of its outputs in spec.env, e.g. DATA_DIR: ${claims.files.path}.', 10, 4, 10, 9);
    assert.equal(unused.severity, 'warning');
  });

  it('a claim output bound to a secret-looking variable is not a plaintext secret; a literal still is', () => {
    const text = `${HEAD}  claims:\n    db: { type: postgres }\n  env:\n    DB_PASSWORD: \${claims.db.password}\n    API_TOKEN: abc\n`;
    const rules = lint(text, 'paved.yaml').findings.map((f) => f.ruleId);
    assert.deepEqual(rules.filter((r) => r === 'no-plaintext-secret'), ['no-plaintext-secret']);
  });

  it('score.yaml: resources of known types are checked the same way; other types are warnings; environment is open', () => {
    const text = [
      'apiVersion: score.dev/v1b1',
      'metadata:',
      '  name: orders',
      'containers:',
      '  main:',
      '    image: ghcr.io/x/orders:1.0.0',
      '    variables:',
      '      URL: ${resources.db.uri}',
      '      CACHE: ${resources.cache.host}',
      '      MISSING: ${resources.queue.url}',
      '      HOME_DIR: ${resources.env.HOME}',
      'resources:',
      '  db:',
      '    type: postgres',
      '  cache:',
      '    type: memcached',
      '  env:',
      '    type: environment',
      '',
    ].join('\n');
    const found = lint(text, 'score.yaml').findings.filter((f) => f.ruleId.startsWith('score/'));
    expectFinding(text, found, 'Resource "db" (postgres) has no output "uri" (outputs: host, port, database, username, password, url).', 7, 26, 7, 29);
    expectFinding(text, found, 'No resource "queue" in resources (resources: db, cache, env).', 9, 27, 9, 32);
    const w = expectFinding(text, found, '"memcached" is not one of Paved\'s built-in resource types (postgres, volume): the platform you deploy to must define it.', 15, 10, 15, 19);
    assert.equal(w.severity, 'warning');
    assert.equal(found.length, 3);
  });

  it('completes types and classes from the platform, claim names and outputs in placeholders', () => {
    const at = (t: string) => [t.replace('|', ''), t.indexOf('|')] as const;
    const types = completionsAt(...at(`${HEAD}  claims:\n    db:\n      type: |\n`), 'paved.yaml', undefined, PLATFORM);
    assert.deepEqual(types.map((c) => c.label), ['postgres', 'volume', 'redis']);
    assert.match(types[2].documentation ?? '', /A Redis cache[\s\S]*`password` \(secret\): AUTH password\./);
    const classes = completionsAt(...at(`${HEAD}  claims:\n    c:\n      type: redis\n      class: |\n`), 'paved.yaml', undefined, PLATFORM);
    assert.deepEqual(classes.map((c) => [c.label, c.detail]), [['cache', 'redis · default'], ['persistent', 'redis']]);
    const body = `${HEAD}  claims:\n    db: { type: postgres }\n    c: { type: redis }\n  env:\n`;
    const names = completionsAt(...at(`${body}    X: \${claims.|\n`), 'paved.yaml', undefined, PLATFORM);
    assert.deepEqual(names.map((c) => c.label), ['db', 'c']);
    const outputs = completionsAt(...at(`${body}    X: \${claims.c.pa|\n`), 'paved.yaml', undefined, PLATFORM);
    assert.deepEqual(outputs.map((c) => [c.label, c.insertText]), [['host', 'host}'], ['password', 'password}']]);
    assert.deepEqual(outputs[0].replace.length, 2);
    const all = completionsAt(...at(`${body}    X: \${|\n`), 'paved.yaml', undefined, PLATFORM);
    assert.ok(all.some((c) => c.label === 'claims.db.url') && all.some((c) => c.label === 'claims.c.password'));
  });

  it('hovers a claim’s type with its description and outputs, and a placeholder with the output (secret said so)', () => {
    const text = `${HEAD}  claims:\n    c: { type: redis }\n  env:\n    X: \${claims.c.password}\n`;
    const type = hoverAt(text, text.indexOf('redis') + 1, 'paved.yaml', undefined, PLATFORM);
    assert.match(type?.markdown ?? '', /^\*\*redis\*\* \(resource type\)\n\nA Redis cache/);
    const ph = hoverAt(text, text.indexOf('password}'), 'paved.yaml', undefined, PLATFORM);
    assert.equal(text.slice(ph!.offset, ph!.offset + ph!.length), '${claims.c.password}');
    assert.match(ph!.markdown, /AUTH password\.\n\nSecret: the platform injects it/);
  });
});

describe('manifest engine: Add Resource edits', () => {
  const apply = (text: string, claim: Parameters<typeof addClaimEdits>[1]) => applyEdits(text, addClaimEdits(text, claim));
  const db = { name: 'db', type: 'postgres', class: 'small', output: 'url', envVar: 'DATABASE_URL' };

  it('adds spec.claims and spec.env when neither exists; the result lints clean', () => {
    const out = apply(HEAD, db);
    assert.equal(out, `${HEAD}  claims:\n    db:\n      type: postgres\n      class: small\n  env:\n    DATABASE_URL: \${claims.db.url}\n`);
    assert.deepEqual(lint(out, 'paved.yaml').findings, []);
  });

  it('adds to existing maps, keeping comments, CRLF and the other keys; env at the end of spec stays in env', () => {
    const text = `${HEAD}  claims:\n    files: { type: volume } # data\n  env:\n    DATA_DIR: \${claims.files.path}\n`.replace(/\n/g, '\r\n');
    const out = apply(text, db);
    assert.equal(out, `${HEAD}  claims:\n    files: { type: volume } # data\n    db:\n      type: postgres\n      class: small\n  env:\n    DATA_DIR: \${claims.files.path}\n    DATABASE_URL: \${claims.db.url}\n`.replace(/\n/g, '\r\n'));
    const envLast = `${HEAD}  env:\n    A: b\n`;
    assert.equal(apply(envLast, db), `${HEAD}  env:\n    A: b\n    DATABASE_URL: \${claims.db.url}\n  claims:\n    db:\n      type: postgres\n      class: small\n`);
  });

  it('refuses a claim or a variable that exists, a bad name, and a v1alpha1 manifest', () => {
    const text = apply(HEAD, db);
    assert.throws(() => addClaimEdits(text, db), /spec.claims already has a claim "db"/);
    assert.throws(() => addClaimEdits(text, { ...db, name: 'db2' }), /spec.env already sets DATABASE_URL/);
    assert.throws(() => addClaimEdits(HEAD, { ...db, name: 'Bad Name' }), /is not a claim name/);
    assert.throws(() => addClaimEdits(HEAD.replace('paved.dev/v1', 'paved.dev/v1alpha1'), db), /claims need paved.dev\/v1/);
  });
});
