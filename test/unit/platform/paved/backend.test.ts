import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import type * as api from '../../../../src/core/api/types';
import type { PlatformBackend } from '../../../../src/platform/backend';
import { capabilitiesOf } from '../../../../src/platform/capabilities';
import { PavedApiBackend } from '../../../../src/platform/paved/backend';
import { PavedContract, loadPavedContract } from '../../../../src/platform/paved/contract';
import { fakeClock, json, rejection, settle, startFaultServer, watchUnhandledRejections, type FaultServer, type RecordedRequest } from '../faultServer';

const contract = loadPavedContract();

function summary(name: string, over: Partial<api.ServiceSummary> = {}): api.ServiceSummary {
  return { name, owner: 'team-a', tags: [], source: 'workspace', status: {}, ...over };
}

function details(name: string): api.ServiceDetails {
  return {
    ...summary(name, { system: 'payments', lifecycle: 'production', status: { local: 'running' } }),
    manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name, owner: 'team-a' } },
    manifestKind: 'paved.yaml',
    links: [{ url: 'https://docs.example/ledger', type: 'docs' }],
    dependsOn: ['service:ledger'],
    dependents: [],
    apis: { provides: [], consumes: [] },
    environments: [{ environment: 'local', state: 'running', release: 'r-1', port: 41001 }],
    scorecard: { score: 100, results: [] },
    metrics: { windowDays: 30, deploymentFrequencyPerDay: 0, deployments: 0, environment: 'production' },
  };
}

function deployment(id: string, service: string, state: api.DeploymentState = 'pending'): api.Deployment {
  return { id, service, environment: 'local', kind: 'deploy', state, createdAt: '2026-11-22T06:00:00Z' };
}

function problem(res: http.ServerResponse, status: number, title: string, detail: string, code?: string): void {
  json(res, status, { type: `https://paved.dev/problems/${title.toLowerCase().replace(/ /g, '-')}`, title, status, detail, ...(code ? { code } : {}) }, {
    'Content-Type': 'application/problem+json',
  });
}

describe('Paved API backend over the transport', () => {
  let server: FaultServer;
  let clock: ReturnType<typeof fakeClock>;
  const unhandled = watchUnhandledRejections();

  before(async () => {
    server = await startFaultServer();
  });
  after(async () => {
    await server.close();
    unhandled.stop();
  });
  beforeEach(() => {
    server.requests.length = 0;
    clock = fakeClock();
  });
  afterEach(async () => {
    await settle();
    assert.deepEqual(unhandled.seen, []);
  });

  const backend = (extra: Partial<ConstructorParameters<typeof PavedApiBackend>[0]> = {}) =>
    new PavedApiBackend({ kind: 'local', baseUrl: server.url, token: async () => 'local-token', clock, contract, timeoutMs: 2_000, retry: { baseDelayMs: 10 }, ...extra });

  it('compiles every component schema of the contract once, without strict-mode warnings', () => {
    for (const name of contract.componentNames) contract.validator(name);
    assert.ok(contract.componentNames.length >= 40, `found ${contract.componentNames.length} component schemas`);
    assert.deepEqual(contract.schemas.strictWarnings, []);
    assert.equal(contract.validator('ServicePage'), contract.servicePage, 'cached');
  });

  it('reports a misspelt keyword in a contract schema as a strict-mode warning (the check above can fail)', () => {
    const c = new PavedContract('x.yaml', 'components:\n  schemas:\n    A: { type: object, propertees: { a: { type: string } } }\n    B: { $ref: "#/components/schemas/A" }\n');
    assert.equal(c.validator<unknown>('B').validate({}), true);
    assert.equal(c.schemas.strictWarnings.length, 1);
    assert.match(c.schemas.strictWarnings[0], /unknown keyword: "propertees"/);
  });

  it('refuses a contract file without component schemas, or not YAML', () => {
    assert.throws(() => new PavedContract('x.yaml', 'openapi: 3.1.0\n'), { code: 'invalid-input', message: 'x.yaml has no components.schemas.' });
    assert.throws(() => new PavedContract('x.yaml', 'a: [\n'), { code: 'invalid-input', message: 'x.yaml is not valid YAML.' });
  });

  it('lists services with the query, adds refs, keeps the cursor', async () => {
    server.handle((_req, res) => json(res, 200, { items: [summary('ledger'), summary('web', { owner: 'team-b' })], nextCursor: 'c2' }));
    const page = await backend().listServices({ text: 'le', owner: 'team-a', limit: 2, cursor: 'c1', system: '' });
    assert.equal(server.requests[0].url, '/v1/services?text=le&owner=team-a&limit=2&cursor=c1');
    assert.deepEqual(
      page.items.map((s) => [s.ref, s.owner]),
      [
        ['ledger', 'team-a'],
        ['web', 'team-b'],
      ],
    );
    assert.equal(page.nextCursor, 'c2');
  });

  it('a page that breaks the contract is invalid-response naming the schema', async () => {
    server.handle((_req, res) => json(res, 200, { items: [{ name: 'Bad Name', owner: 'x', tags: [], source: 'workspace', status: {} }] }));
    const err = await rejection(backend().listServices({}));
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.message, 'The local platform sent a ServicePage that does not match the API contract. Is the platform a compatible version?');
    assert.equal(err.detail, 'GET /v1/services: /items/0/name must match pattern "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"');
  });

  it('gets a service (name escaped in the path); unknown → not-found with the problem detail', async () => {
    server.handle((req, res) => {
      if (req.url === '/v1/services/ledger') json(res, 200, details('ledger'));
      else problem(res, 404, 'Not Found', 'No service named "a/b".', 'not-found');
    });
    const s = await backend().getService('ledger');
    assert.equal(s.ref, 'ledger');
    assert.equal(s.environments[0].port, 41001);
    const err = await rejection(backend().getService('a/b'));
    assert.equal(server.requests[1].url, '/v1/services/a%2Fb');
    assert.equal(err.code, 'not-found');
    assert.equal(err.message, 'Not found on the local platform (No service named "a/b".).');
  });

  it('a deploy whose answer is lost is retried with the same Idempotency-Key: one deployment', async () => {
    const byKey = new Map<string, api.Deployment>();
    server.handle((req, res, i) => {
      const key = String(req.headers['idempotency-key']);
      if (!byKey.has(key)) byKey.set(key, deployment(`d${byKey.size + 1}`, 'ledger'));
      if (i === 0) {
        res.socket?.destroy();
        return;
      }
      json(res, 202, byKey.get(key), { 'Idempotent-Replayed': 'true' });
    });
    const d = await backend().deploy('ledger', { environment: 'local' });
    assert.equal(d.id, 'd1');
    assert.equal(byKey.size, 1);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0].headers['idempotency-key'], server.requests[1].headers['idempotency-key']);
    assert.deepEqual(JSON.parse(server.requests[1].body), { environment: 'local' });
    assert.equal(server.requests[1].url, '/v1/services/ledger/deployments');
  });

  it('the caller’s idempotency key is sent as given (a user retry reuses it)', async () => {
    server.handle((_req, res) => json(res, 202, deployment('d7', 'ledger')));
    const b = backend();
    await b.rollback('ledger', { environment: 'local' }, { idempotencyKey: 'op-1' });
    await b.promote('ledger', { from: 'local' }, { idempotencyKey: 'op-1' });
    assert.deepEqual(
      server.requests.map((r) => [r.url, r.headers['idempotency-key']]),
      [
        ['/v1/services/ledger/rollback', 'op-1'],
        ['/v1/services/ledger/promote', 'op-1'],
      ],
    );
  });

  it('an Idempotency-Key reused with another body (422 idempotency-mismatch) is a conflict', async () => {
    server.handle((_req, res) => problem(res, 422, 'Idempotency Mismatch', 'key op-1 was used with another body', 'idempotency-mismatch'));
    const err = await rejection(backend().deploy('ledger', { environment: 'staging' }, { idempotencyKey: 'op-1' }));
    assert.equal(err.code, 'conflict');
    assert.equal(
      err.message,
      'The local platform already received this operation with different details (Idempotency-Key reused) (key op-1 was used with another body). Start it again as a new operation.',
    );
    assert.equal(server.requests.length, 1);
  });

  it('streams deployment events over SSE until `event: end`, each checked against the contract', async () => {
    const ev = (seq: number, type: api.DeploymentEventType, extra: Partial<api.DeploymentEvent> = {}): api.DeploymentEvent => ({
      seq,
      type,
      message: `${type} ${seq}`,
      at: '2026-11-22T06:00:00Z',
      ...extra,
    });
    server.handle((req, res) => {
      assert.equal(req.headers.accept, 'text/event-stream');
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      for (const e of [ev(1, 'state', { state: 'building' }), ev(2, 'log', { stream: 'stdout', step: 'build' }), ev(3, 'completed', { state: 'succeeded' })]) {
        res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      }
      res.end('event: end\ndata: {}\n\n');
    });
    const got: api.DeploymentEvent[] = [];
    for await (const e of backend().deploymentEvents('d1')) got.push(e);
    assert.deepEqual(
      got.map((e) => [e.seq, e.type, e.state]),
      [
        [1, 'state', 'building'],
        [2, 'log', undefined],
        [3, 'completed', 'succeeded'],
      ],
    );
    assert.equal(server.requests[0].url, '/v1/deployments/d1/events');
  });

  it('falls back to the JSON long-poll page (wait, after, done)', async () => {
    const pages: Record<string, api.TaskEventsPage> = {
      '0': { items: [{ seq: 1, type: 'step', message: 'render', at: '2026-11-22T06:00:00Z' }], done: false, lastSeq: 1 },
      '1': { items: [{ seq: 2, type: 'completed', message: 'done', at: '2026-11-22T06:00:01Z' }], done: true, lastSeq: 2 },
    };
    server.handle((req: RecordedRequest, res) => {
      if (req.headers.accept === 'text/event-stream') {
        res.writeHead(406, { 'Content-Type': 'application/problem+json' }).end('{"type":"x","title":"Not Acceptable","status":406}');
        return;
      }
      const after = new URL(req.url, 'http://x').searchParams.get('after') ?? '0';
      json(res, 200, pages[after]);
    });
    const got: number[] = [];
    for await (const e of backend({ longPollWaitSeconds: 5 }).scaffoldTaskEvents('t1', { after: 0 })) got.push(e.seq);
    assert.deepEqual(got, [1, 2]);
    assert.deepEqual(
      server.requests.map((r) => r.url),
      ['/v1/scaffold-tasks/t1/events?after=0', '/v1/scaffold-tasks/t1/events?wait=5&after=0', '/v1/scaffold-tasks/t1/events?wait=5&after=1'],
    );
  });

  it('an event that breaks the contract is invalid-response', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end('id: 1\ndata: {"seq":1,"type":"explode","message":"x","at":"2026-11-22T06:00:00Z"}\n\n');
    });
    const err = await rejection(
      (async () => {
        for await (const _e of backend().deploymentEvents('d1')) void _e;
      })(),
    );
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.message, 'The local platform sent an event that does not match the API contract.');
    assert.match(String(err.detail), /^DeploymentEvent: \/type must be equal to one of the allowed values/);
  });

  it('reads exact facets from GET /v1/service-facets, each list ordered by value', async () => {
    server.handle((req, res) => {
      if (req.url === '/v1/service-facets') {
        json(res, 200, {
          total: 100_000,
          owners: [
            { value: 'team-b', count: 60_000 },
            { value: 'team-a', count: 40_000 },
          ],
          systems: [{ value: 's1', count: 90_000 }],
          lifecycles: [{ value: 'production', count: 33_334 }],
        });
      } else problem(res, 500, 'Internal', req.url);
    });
    const b = backend();
    const expected = {
      owners: [
        { value: 'team-a', count: 40_000 },
        { value: 'team-b', count: 60_000 },
      ],
      systems: [{ value: 's1', count: 90_000 }],
      lifecycles: [{ value: 'production', count: 33_334 }],
      partial: false,
    };
    assert.deepEqual(await b.facets(), expected);
    assert.deepEqual(await b.facets(), expected);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url} ${r.headers.authorization}`),
      ['GET /v1/service-facets Bearer local-token', 'GET /v1/service-facets Bearer local-token'],
    );
  });

  it('refuses facets that break the contract (a zero count)', async () => {
    server.handle((_req, res) => json(res, 200, { total: 1, owners: [{ value: 'team-a', count: 0 }], systems: [], lifecycles: [] }));
    const err = await rejection(backend().facets());
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.detail, 'GET /v1/service-facets: /owners/0/count must be >= 1');
  });

  it('a server error on the facet endpoint is reported, not replaced by a scan', async () => {
    server.handle((_req, res) => problem(res, 409, 'Conflict', 'busy'));
    const err = await rejection(backend().facets());
    assert.equal(err.code, 'conflict');
    assert.deepEqual(server.requests.map((r) => r.url), ['/v1/service-facets']);
  });

  /** An older server: no facet endpoint (404), services paged by cursor. */
  const olderServer = (pages: (cursor: string | null) => unknown) => (req: RecordedRequest, res: http.ServerResponse) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/v1/service-facets') problem(res, 404, 'Not found', 'no such endpoint: /v1/service-facets', 'not-found');
    else json(res, 200, pages(u.searchParams.get('cursor')));
  };

  it('without the facet endpoint (404) counts facets over every page, and asks the endpoint only once', async () => {
    server.handle(
      olderServer((cursor) =>
        !cursor ? { items: [summary('a', { system: 's1', lifecycle: 'production' }), summary('b', { owner: 'team-b' })], nextCursor: 'p2' } : { items: [summary('c', { system: 's1', lifecycle: 'experimental' })] },
      ),
    );
    const b = backend();
    const expected = {
      owners: [
        { value: 'team-a', count: 2 },
        { value: 'team-b', count: 1 },
      ],
      systems: [{ value: 's1', count: 2 }],
      lifecycles: [
        { value: 'experimental', count: 1 },
        { value: 'production', count: 1 },
      ],
      partial: false,
    };
    assert.deepEqual(await b.facets(), expected);
    assert.deepEqual(await b.facets(), expected);
    assert.deepEqual(
      server.requests.map((r) => r.url),
      ['/v1/service-facets', '/v1/services?limit=500', '/v1/services?limit=500&cursor=p2', '/v1/services?limit=500', '/v1/services?limit=500&cursor=p2'],
    );
  });

  it('without the facet endpoint stops counting at the scan limit and says the result is partial', async () => {
    server.handle(olderServer(() => ({ items: [summary('a'), summary('b')], nextCursor: 'more' })));
    const f = await backend({ facetScanLimit: 3 }).facets();
    assert.equal(f.partial, true);
    assert.deepEqual(f.owners, [{ value: 'team-a', count: 4 }]);
    assert.equal(server.requests.length, 3);
  });

  it('attaches and detaches workspace folders (PUT/DELETE /v1/workspaces/{id}); detaching a gone attachment is fine', async () => {
    server.handle((req, res) => {
      if (req.method === 'PUT' && req.url === '/v1/workspaces/w%201') json(res, 200, { id: 'w 1', folders: ['/ws/a'], pid: 42, attachedAt: '2026-11-22T06:00:00Z' });
      else if (req.method === 'DELETE' && req.url === '/v1/workspaces/w%201') res.writeHead(204).end();
      else if (req.method === 'DELETE') problem(res, 404, 'Not found', 'no workspace attachment', 'not-found');
      else if (req.url === '/v1/workspaces') json(res, 200, { items: [{ id: 'serve', folders: ['/ws/b'], attachedAt: '2026-11-22T06:00:00Z' }] });
      else problem(res, 500, 'Internal', req.url);
    });
    const b = backend();
    const w = await b.attachWorkspace('w 1', { folders: ['/ws/a'], pid: 42 });
    assert.deepEqual(w.folders, ['/ws/a']);
    assert.equal(server.requests[0].body, JSON.stringify({ folders: ['/ws/a'], pid: 42 }));
    await b.detachWorkspace('w 1');
    await b.detachWorkspace('gone');
    assert.deepEqual((await b.listWorkspaces()).map((x) => x.id), ['serve']);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url}`),
      ['PUT /v1/workspaces/w%201', 'DELETE /v1/workspaces/w%201', 'DELETE /v1/workspaces/gone', 'GET /v1/workspaces'],
    );
  });

  it('environments, policies, metrics, feedback and unregister hit the contract paths', async () => {
    server.handle((req, res) => {
      if (req.url === '/v1/environments') json(res, 200, { items: [{ name: 'local', order: 0, next: 'staging', portRange: { from: 41000, to: 41999 }, approvalHonoured: false }] });
      else if (req.url === '/v1/policies') json(res, 200, { version: '1', rules: [{ id: 'owner', severity: 'error', description: 'has an owner' }] });
      else if (req.url === '/v1/services/ledger/metrics?windowDays=7') json(res, 200, { windowDays: 7, deploymentFrequencyPerDay: 0.5, deployments: 4, environment: 'production' });
      else if (req.url === '/v1/feedback') json(res, 201, { id: 'f1', message: 'thanks', createdAt: '2026-11-22T06:00:00Z' });
      else if (req.url === '/v1/services/old' && req.method === 'DELETE') res.writeHead(204).end();
      else problem(res, 404, 'Not Found', req.url);
    });
    const b = backend();
    assert.equal((await b.listEnvironments())[0].next, 'staging');
    assert.equal((await b.getPolicies()).rules[0].id, 'owner');
    assert.equal((await b.getMetrics('ledger', { windowDays: 7 })).deployments, 4);
    assert.equal((await b.sendFeedback({ message: 'thanks', service: 'ledger' })).id, 'f1');
    assert.match(String(server.requests[3].headers['idempotency-key']), /^[0-9a-f-]{36}$/);
    assert.equal(await b.unregister('old'), undefined);
  });

  it('says up front what it cannot do, and fails at once with unsupported', async () => {
    const b = backend();
    assert.equal(b.capabilities.validateEntity, false);
    assert.equal(b.capabilities.deploy, true);
    assert.equal(b.capabilities.deployDelegation, false);
    assert.equal(b.capabilities.teamsAsOwners, true);
    assert.deepEqual(b.capabilities, capabilitiesOf('local'));
    assert.equal('deployBackendFor' in (b as PlatformBackend), false, 'no delegation: the capability says so and the method is absent');
    const err = await rejection(b.validateEntity({}, 'file:///x'));
    assert.equal(err.code, 'unsupported');
    assert.equal(err.message, 'The local platform cannot validate catalog entities. Paved lints catalog-info.yaml locally.');
    assert.equal((await rejection(b.cancelScaffoldTask('t1'))).code, 'unsupported');
    assert.equal(server.requests.length, 0);
  });

  it('dispose() cancels calls in flight and refuses new ones', async () => {
    server.handle(() => undefined);
    const b = backend();
    const pending = b.health();
    setImmediate(() => b.dispose());
    assert.equal((await rejection(pending)).code, 'cancelled');
    const after = await rejection(b.listServices({}));
    assert.equal(after.code, 'cancelled');
    assert.equal(after.message, 'The local platform connection was closed (settings changed or signed out).');
  });
});
