import * as assert from 'node:assert/strict';
import { bindEnvironment, claimsOf, findPlaceholders, maskOutputs, redactor, resourceIdFor, MASK, classFor, POSTGRES_TYPE } from '../../../../src/core/resources';

describe('core/resources: claims, placeholders, binding, masking', () => {
  it('finds ${claims.NAME.OUTPUT} with the offsets of the name and the output; $${…} is a literal; malformed ones have no name', () => {
    const v = 'postgres://${claims.db.host}:${ claims.db.port }/x $${claims.db.url} ${claims.db} ${HOME}';
    const ps = findPlaceholders(v);
    assert.deepEqual(
      ps.map((p) => [v.slice(p.offset, p.offset + p.length), p.name, p.output, p.name && v.slice(p.nameOffset, p.nameOffset! + p.name.length), p.output && v.slice(p.outputOffset, p.outputOffset! + p.output.length)]),
      [
        ['${claims.db.host}', 'db', 'host', 'db', 'host'],
        ['${ claims.db.port }', 'db', 'port', 'db', 'port'],
        ['${claims.db}', undefined, undefined, undefined, undefined],
      ],
    );
    assert.deepEqual(findPlaceholders('${resources.db.url}', 'resources').map((p) => p.name), ['db']);
    assert.deepEqual(findPlaceholders('${resources.db.url}'), []);
  });

  it('reads spec.claims, skipping entries without a type', () => {
    const m = { spec: { claims: { db: { type: 'postgres', class: 'small', params: { a: 1 } }, files: { type: 'volume' }, shared: { type: 'postgres', id: 'orders-db' }, broken: { class: 'x' }, odd: 'x' } } };
    assert.deepEqual(claimsOf(m), [
      { name: 'db', type: 'postgres', class: 'small', params: { a: 1 } },
      { name: 'files', type: 'volume', params: {} },
      { name: 'shared', type: 'postgres', params: {}, id: 'orders-db' },
    ]);
    assert.deepEqual(claimsOf({ spec: {} }), []);
    assert.deepEqual(claimsOf({}), []);
  });

  it('names the resource: per service, environment and claim — unless the claim names a shared id', () => {
    assert.equal(resourceIdFor('orders', 'staging', { name: 'db' }), 'orders.staging.db');
    assert.notEqual(resourceIdFor('orders', 'staging', { name: 'db' }), resourceIdFor('orders', 'production', { name: 'db' }));
    assert.equal(resourceIdFor('orders', 'staging', { name: 'db', id: 'shared-db' }), resourceIdFor('billing', 'production', { name: 'x', id: 'shared-db' }));
  });

  it('binds outputs into the environment; unknown claims and outputs are problems left as written', () => {
    const outputs = new Map([['db', { host: '127.0.0.1', port: '5433', url: 'postgresql://u:p@127.0.0.1:5433/d' }]]);
    const r = bindEnvironment({ DATABASE_URL: '${claims.db.url}', ADDR: '${claims.db.host}:${claims.db.port}', LIT: 'cost $${claims.db.url}', X: '${claims.nope.url}', Y: '${claims.db.nope}', Z: '${claims.db}', PLAIN: 'hello' }, outputs);
    assert.deepEqual(r.env, { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5433/d', ADDR: '127.0.0.1:5433', LIT: 'cost ${claims.db.url}', X: '${claims.nope.url}', Y: '${claims.db.nope}', Z: '${claims.db}', PLAIN: 'hello' });
    assert.deepEqual(r.problems, ['X: ${claims.nope.url} names no claim of this manifest', "Y: claim db has no output 'nope'", 'Z: ${claims.db} is not a claim placeholder (write ${claims.NAME.OUTPUT})']);
  });

  it('masks secrets in text and in outputs', () => {
    const redact = redactor(['s3cr3t-password', 'abc', 'postgresql://u:s3cr3t-password@h/d']);
    assert.equal(redact('url=postgresql://u:s3cr3t-password@h/d pw=s3cr3t-password abc'), `url=${MASK} pw=${MASK} abc`);
    assert.equal(redactor([])('same'), 'same');
    assert.deepEqual(maskOutputs({ host: 'h', password: 'p', url: 'u' }, ['password', 'url']), { host: 'h', password: MASK, url: MASK });
  });

  it('picks the default class, or refuses a class the type lacks', () => {
    assert.equal(classFor(POSTGRES_TYPE, undefined), 'small');
    assert.equal(classFor(POSTGRES_TYPE, 'small'), 'small');
    assert.equal(classFor(POSTGRES_TYPE, 'huge'), undefined);
  });
});
