import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PavedError } from '../../../src/core/errors';
import { IdempotencyStore, bodyHash } from '../../../src/server/idempotency';
import { idempotent, type ApiRequest } from '../../../src/server/routing';
import { clock, tempDir, thrown } from './fakes';

describe('server/idempotency', () => {
  let dir: string;
  let store: IdempotencyStore;
  const time = clock();

  beforeEach(() => {
    dir = tempDir('idempotency');
    store = new IdempotencyStore(path.join(dir, 'idempotency.jsonl'), time.now);
    store.load();
  });

  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const mismatch = (e: unknown): boolean => PavedError.is(e, 'conflict') && e.detail === 'idempotency-mismatch';

  it('the same key with the same body (in any key order) replays the first result', () => {
    assert.equal(store.replay('createDeployment /v1/services/a/deployments k1', { environment: 'local', approved: true }), undefined);
    store.remember('createDeployment /v1/services/a/deployments k1', { environment: 'local', approved: true }, 'd-1');
    assert.equal(store.replay('createDeployment /v1/services/a/deployments k1', { approved: true, environment: 'local' }), 'd-1');
    assert.equal(bodyHash({ a: 1, b: [1, { c: 2, d: 3 }] }), bodyHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    assert.notEqual(bodyHash({ a: [1, 2] }), bodyHash({ a: [2, 1] }));
  });

  it('the same key with another body is an idempotency-mismatch; another key or path is another request', () => {
    store.remember('createDeployment /v1/services/a/deployments k1', { environment: 'local' }, 'd-1');
    assert.ok(mismatch(thrown(() => store.replay('createDeployment /v1/services/a/deployments k1', { environment: 'staging' }))));
    assert.equal(store.replay('createDeployment /v1/services/a/deployments k2', { environment: 'staging' }), undefined);
    assert.equal(store.replay('createDeployment /v1/services/b/deployments k1', { environment: 'staging' }), undefined);
  });

  it('survives a restart: the journal is replayed', () => {
    store.remember('createFeedback /v1/feedback k1', { message: 'hi' }, 'f-1');
    store.close();
    const again = new IdempotencyStore(path.join(dir, 'idempotency.jsonl'), time.now);
    again.load();
    assert.equal(again.replay('createFeedback /v1/feedback k1', { message: 'hi' }), 'f-1');
    assert.ok(mismatch(thrown(() => again.replay('createFeedback /v1/feedback k1', { message: 'bye' }))));
    again.close();
  });

  it('a create operation runs once per key: the replay says so in its header, without a key every call creates', () => {
    let made = 0;
    const create = () => ({ id: `r-${++made}` });
    const lookup = (id: string) => ({ id, looked: true });
    const request = (key: string | undefined, body: unknown): ApiRequest => ({ operationId: 'createFeedback', pathname: '/v1/feedback', path: {}, query: {}, header: key ? { 'idempotency-key': key } : {}, body });

    assert.deepEqual(idempotent(store, request('k', { m: 1 }), lookup, create, 201), { status: 201, body: { id: 'r-1' } });
    assert.deepEqual(idempotent(store, request('k', { m: 1 }), lookup, create, 201), { status: 201, body: { id: 'r-1', looked: true }, headers: { 'idempotent-replayed': 'true' } });
    assert.ok(mismatch(thrown(() => idempotent(store, request('k', { m: 2 }), lookup, create, 201))));
    idempotent(store, request(undefined, { m: 1 }), lookup, create, 201);
    idempotent(store, request(undefined, { m: 1 }), lookup, create, 201);
    assert.equal(made, 3);
  });
});
