import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { call, serve, tempDir, writeService, portBase, type Served } from './helpers';
import type { Page, ServiceSummary, ServiceDetails, Team, TemplateDetails, ScaffoldTask, TaskEventsPage, Feedback, Problem } from '../../src/core/api/types';

describe('Platform API contract: catalog, templates, scaffold, feedback, auth', function () {
  this.timeout(60000);
  let s: Served;
  let ws: string;

  before(async () => {
    ws = tempDir('ws');
    writeService(path.join(ws, 'payments'), 'payments', { owner: 'team-payments', system: 'checkout', lifecycle: 'production', dependsOn: ['service:ledger', 'resource:payments-db'] });
    writeService(path.join(ws, 'ledger'), 'ledger', { owner: 'team-ledger', system: 'checkout' });
    writeService(path.join(ws, 'search'), 'search', { owner: 'team-search', lifecycle: 'deprecated' });
    fs.mkdirSync(path.join(ws, 'web'));
    fs.writeFileSync(
      path.join(ws, 'web', 'catalog-info.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\n  description: The storefront\nspec:\n  type: website\n  lifecycle: production\n  owner: group:default/team-web\n  dependsOn: [component:default/payments]\n  providesApis: [storefront-v1]\n',
    );
    fs.mkdirSync(path.join(ws, 'broken'));
    fs.writeFileSync(path.join(ws, 'broken', 'paved.yaml'), 'apiVersion: paved.dev/v1\nkind: Service\nmetadata: [oops\n');
    fs.mkdirSync(path.join(ws, '.paved'));
    fs.writeFileSync(path.join(ws, '.paved', 'teams.yaml'), 'teams:\n  - name: team-payments\n    title: Payments\n    email: payments@example.com\n    members: [ana, bo]\n  - name: team-idle\n    members: []\n');
    s = await serve(['--state-dir', tempDir('state'), '--workspace', ws, '--port-base', String(portBase()), '--idle-timeout', '0']);
  });

  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  describe('health and auth', () => {
    it('GET /v1/health needs no token', async () => {
      const r = await call(s, 'GET', '/v1/health', { token: '' });
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'ok');
      assert.equal(r.body.apiVersion, 'v1');
      assert.equal(r.body.runningServices, 0);
    });

    it('no token → 401 problem with WWW-Authenticate', async () => {
      const r = await call<Problem>(s, 'GET', '/v1/services', { token: '' });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'unauthorized');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="paved"');
    });

    it('a wrong token → 401', async () => {
      const r = await call<Problem>(s, 'GET', '/v1/services', { token: 'x'.repeat(43) });
      assert.equal(r.status, 401);
      assert.equal(r.body.detail, 'the bearer token is not valid for this platform');
    });

    it('the read-only token reads but a write is 403', async () => {
      assert.equal((await call(s, 'GET', '/v1/services', { token: s.readOnlyToken })).status, 200);
      const r = await call<Problem>(s, 'POST', '/v1/feedback', { token: s.readOnlyToken, body: { message: 'hi' } });
      assert.equal(r.status, 403);
      assert.equal(r.body.code, 'forbidden');
    });

    it('the token file is mode 0600', () => {
      assert.equal(fs.statSync(path.join(s.stateDir, 'token')).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.join(s.stateDir, 'token.readonly')).mode & 0o777, 0o600);
    });
  });

  describe('bad requests', () => {
    it('unknown endpoint → 404 problem', async () => {
      const r = await call<Problem>(s, 'GET', '/v1/nope');
      assert.equal(r.status, 404);
      assert.equal(r.body.detail, 'no such endpoint: /v1/nope');
    });

    it('wrong method → 405 with Allow', async () => {
      const r = await call<Problem>(s, 'PUT', '/v1/services');
      assert.equal(r.status, 405);
      assert.equal(r.headers.get('allow'), 'GET, POST');
    });

    it('limit out of range → 400 pointing at the parameter', async () => {
      const r = await call<Problem>(s, 'GET', '/v1/services?limit=501');
      assert.equal(r.status, 400);
      assert.deepEqual(r.body.errors, [{ pointer: '/query/limit', message: 'must be <= 500' }]);
    });

    it('an unknown query parameter → 400', async () => {
      const r = await call<Problem>(s, 'GET', '/v1/services?colour=red');
      assert.equal(r.status, 400);
      assert.deepEqual(r.body.errors, [{ pointer: '/query/colour', message: 'is not a parameter of this operation' }]);
    });

    it('an invalid enum → 400 listing the allowed values', async () => {
      const r = await call<Problem>(s, 'GET', '/v1/services?lifecycle=zombie');
      assert.equal(r.status, 400);
      assert.deepEqual(r.body.errors, [{ pointer: '/query/lifecycle', message: 'must be equal to one of the allowed values: "experimental", "production", "deprecated"' }]);
    });

    it('a forged cursor → 400', async () => {
      const r = await call<Problem>(s, 'GET', '/v1/services?cursor=bm90LWpzb24');
      assert.equal(r.status, 400);
      assert.equal(r.body.detail, 'cursor is not one this server issued');
    });

    it('malformed JSON body → 400', async () => {
      const r = await call<Problem>(s, 'POST', '/v1/feedback', { rawBody: '{"message":' });
      assert.equal(r.status, 400);
      assert.deepEqual(r.body.errors, [{ pointer: '/body', message: 'is not valid JSON' }]);
    });

    it('a body that breaks the schema → 400 with every violation', async () => {
      const r = await call<Problem>(s, 'POST', '/v1/feedback', { body: { message: '', colour: 1 } });
      assert.equal(r.status, 400);
      assert.deepEqual(r.body.errors, [
        { pointer: '/body/colour', message: 'is not a known property' },
        { pointer: '/body/message', message: 'must NOT have fewer than 1 characters' },
      ]);
    });

    it('a non-JSON content type → 415', async () => {
      const r = await call<Problem>(s, 'POST', '/v1/feedback', { rawBody: 'message=hi', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(r.status, 415);
    });

    it('a bad path parameter → 400', async () => {
      const r = await call<Problem>(s, 'GET', '/v1/services/Not_A_Label');
      assert.equal(r.status, 400);
      assert.equal(r.body.errors?.[0].pointer, '/path/name');
    });
  });

  describe('services', () => {
    it('lists workspace services by name, skipping the broken manifest', async () => {
      const r = await call<Page<ServiceSummary>>(s, 'GET', '/v1/services');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.items.map((x) => x.name), ['ledger', 'payments', 'search', 'web']);
      assert.equal(r.body.nextCursor, undefined);
      assert.deepEqual(r.body.items[3], { name: 'web', description: 'The storefront', owner: 'team-web', lifecycle: 'production', tags: [], source: 'workspace', status: {} });
      assert.match(s.stderr(), /warning: \S+broken[\\/]paved\.yaml:4: Flow sequence/);
    });

    it('filters by owner, system, lifecycle and text', async () => {
      const names = async (q: string): Promise<string[]> => (await call<Page<ServiceSummary>>(s, 'GET', `/v1/services?${q}`)).body.items.map((x) => x.name);
      assert.deepEqual(await names('owner=team-ledger'), ['ledger']);
      assert.deepEqual(await names('system=checkout'), ['ledger', 'payments']);
      assert.deepEqual(await names('lifecycle=deprecated'), ['search']);
      assert.deepEqual(await names('text=STOREFRONT'), ['web']);
      assert.deepEqual(await names('text=nothing-matches'), []);
    });

    it('pages with limit and cursor, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const r: { body: Page<ServiceSummary> } = await call<Page<ServiceSummary>>(s, 'GET', `/v1/services?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...r.body.items.map((x) => x.name));
        cursor = r.body.nextCursor;
        pages++;
      } while (cursor);
      assert.deepEqual(seen, ['ledger', 'payments', 'search', 'web']);
      assert.equal(pages, 2);
    });

    it('details: dependencies, dependents, APIs, scorecard, environments, metrics', async () => {
      const r = await call<ServiceDetails>(s, 'GET', '/v1/services/payments');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.dependsOn, ['service:ledger', 'resource:payments-db']);
      assert.deepEqual(r.body.dependents, ['web']);
      assert.equal(r.body.manifestKind, 'paved.yaml');
      assert.equal(r.body.manifestPath, path.join(ws, 'payments', 'paved.yaml'));
      assert.deepEqual(r.body.environments.map((e) => `${e.environment}:${e.state}`), ['local:not-deployed', 'staging:not-deployed', 'production:not-deployed']);
      const failing = r.body.scorecard.results.filter((x) => !x.passed).map((x) => x.ruleId);
      assert.ok(failing.includes('production-slo'), `production-slo fails for a production service without SLOs: ${failing.join(', ')}`);
      assert.ok(r.body.scorecard.score < 100);
      assert.deepEqual(r.body.metrics, { windowDays: 30, deploymentFrequencyPerDay: 0, deployments: 0, environment: 'production' });
      const ledger = await call<ServiceDetails>(s, 'GET', '/v1/services/ledger');
      assert.deepEqual(ledger.body.dependents, ['payments']);
      const web = await call<ServiceDetails>(s, 'GET', '/v1/services/web');
      assert.deepEqual(web.body.apis, { provides: ['storefront-v1'], consumes: [] });
      assert.equal(web.body.manifestKind, 'catalog-info.yaml');
    });

    it('unknown service → 404', async () => {
      const r = await call<Problem>(s, 'GET', '/v1/services/ghost');
      assert.equal(r.status, 404);
      assert.equal(r.body.detail, "no service named 'ghost' in the catalog");
    });

    it('register, conflict, list, unregister', async () => {
      const manifest = { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'billing', owner: 'team-payments', system: 'checkout' }, spec: { dependsOn: ['service:payments'] } };
      const r = await call<ServiceDetails>(s, 'POST', '/v1/services', { body: { manifest } });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get('location'), '/v1/services/billing');
      assert.equal(r.body.source, 'registered');
      assert.equal((await call(s, 'POST', '/v1/services', { body: { manifest } })).status, 409);
      assert.deepEqual((await call<ServiceDetails>(s, 'GET', '/v1/services/payments')).body.dependents, ['billing', 'web']);
      assert.deepEqual((await call<Page<ServiceSummary>>(s, 'GET', '/v1/services?system=checkout')).body.items.map((x) => x.name), ['billing', 'ledger', 'payments']);
      assert.equal((await call(s, 'DELETE', '/v1/services/billing')).status, 204);
      assert.equal((await call(s, 'GET', '/v1/services/billing')).status, 404);
      const ws409 = await call<Problem>(s, 'DELETE', '/v1/services/ledger');
      assert.equal(ws409.status, 409);
    });

    it('a registration without owner → 400 at the field (metadata.team for v1alpha1)', async () => {
      const r = await call<Problem>(s, 'POST', '/v1/services', { body: { manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'x' } } } });
      assert.equal(r.status, 400);
      assert.deepEqual(r.body.errors, [{ pointer: '/body/manifest/metadata/owner', message: 'is required' }]);
      const old = await call<Problem>(s, 'POST', '/v1/services', { body: { manifest: { apiVersion: 'paved.dev/v1alpha1', kind: 'Service', metadata: { name: 'x' } } } });
      assert.deepEqual(old.body.errors, [{ pointer: '/body/manifest/metadata/team', message: 'is required' }]);
    });

    it('registers a v1alpha1 manifest (migrated for the catalog)', async () => {
      const r = await call<ServiceDetails>(s, 'POST', '/v1/services', { body: { manifest: { apiVersion: 'paved.dev/v1alpha1', kind: 'Service', metadata: { name: 'legacy', team: 'team-old' } } } });
      assert.equal(r.status, 201);
      assert.equal(r.body.owner, 'team-old');
      assert.equal(r.body.manifest.apiVersion, 'paved.dev/v1alpha1');
      assert.equal((await call(s, 'DELETE', '/v1/services/legacy')).status, 204);
    });
  });

  describe('teams, environments, policies, schemas', () => {
    it('teams from .paved/teams.yaml plus owners named by manifests', async () => {
      const r = await call<Page<Team>>(s, 'GET', '/v1/teams');
      assert.deepEqual(r.body.items.map((t) => `${t.name}:${t.serviceCount}`), ['team-idle:0', 'team-ledger:1', 'team-payments:1', 'team-search:1', 'team-web:1']);
      const t = await call<Team>(s, 'GET', '/v1/teams/team-payments');
      assert.deepEqual(t.body, { name: 'team-payments', title: 'Payments', email: 'payments@example.com', members: ['ana', 'bo'], serviceCount: 1 });
      assert.equal((await call(s, 'GET', '/v1/teams/nobody')).status, 404);
    });

    it('environments in promotion order with separate port ranges', async () => {
      const r = await call(s, 'GET', '/v1/environments');
      const envs = r.body.items as { name: string; next?: string; portRange: { from: number; to: number } }[];
      assert.deepEqual(envs.map((e) => `${e.name}>${e.next ?? ''}`), ['local>staging', 'staging>production', 'production>']);
      assert.equal(envs[1].portRange.from - envs[0].portRange.from, 1000);
      assert.equal(envs[0].portRange.to, envs[0].portRange.from + 999);
    });

    it('policies and manifest schemas', async () => {
      const p = await call(s, 'GET', '/v1/policies');
      assert.equal(p.status, 200);
      assert.ok((p.body.rules as { id: string }[]).some((r) => r.id === 'production-owner'));
      const list = await call(s, 'GET', '/v1/schemas');
      assert.deepEqual((list.body.items as { id: string }[]).map((x) => x.id), ['paved.v1', 'paved.v1alpha1', 'score', 'backstage-entity', 'policy-set']);
      const one = await call(s, 'GET', '/v1/schemas/paved.v1');
      assert.equal(one.status, 200);
      assert.equal(one.contentType, 'application/schema+json');
      assert.equal(typeof one.body.properties, 'object');
      assert.equal((await call(s, 'GET', '/v1/schemas/nope')).status, 404);
    });
  });

  describe('templates and scaffold tasks', () => {
    it('lists the five golden paths; details carry version and a parameter schema requiring name and owner', async () => {
      const r = await call(s, 'GET', '/v1/templates');
      assert.deepEqual((r.body.items as { id: string }[]).map((t) => t.id), ['node-http-service', 'postgres-http-service', 'scheduled-worker', 'static-site', 'typescript-http-service']);
      for (const id of ['node-http-service', 'postgres-http-service', 'scheduled-worker', 'static-site', 'typescript-http-service']) {
        const t = await call<TemplateDetails>(s, 'GET', `/v1/templates/${id}`);
        assert.match(t.body.version, /^\d+\.\d+\.\d+$/);
        assert.deepEqual((t.body.parameters.required as string[]).slice(0, 2), ['name', 'owner']);
      }
      const page1 = await call(s, 'GET', '/v1/templates?limit=2');
      assert.equal(page1.body.items.length, 2);
      const page2 = await call(s, 'GET', `/v1/templates?limit=2&cursor=${page1.body.nextCursor}`);
      assert.deepEqual((page2.body.items as { id: string }[]).map((t) => t.id), ['scheduled-worker', 'static-site']);
      assert.equal((await call(s, 'GET', '/v1/templates/nope')).status, 404);
    });

    it('a scaffold task renders files with modes and next steps; events resume with after', async () => {
      const c = await call<ScaffoldTask>(s, 'POST', '/v1/scaffold-tasks', { body: { templateId: 'scheduled-worker', version: '0.3.0', values: { name: 'nightly', owner: 'team-a' } } });
      assert.equal(c.status, 201);
      let events: TaskEventsPage;
      let after = 0;
      const all: string[] = [];
      do {
        events = (await call<TaskEventsPage>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}/events?after=${after}&wait=10`)).body;
        all.push(...events.items.map((e) => e.type));
        after = events.lastSeq;
      } while (!events.done);
      assert.equal(all[0], 'step');
      assert.equal(all[all.length - 1], 'completed');
      const resumed = await call<TaskEventsPage>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}/events?after=${after - 1}`);
      assert.deepEqual(resumed.body.items.map((e) => e.seq), [after]);
      const t = await call<ScaffoldTask>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}`);
      assert.equal(t.body.state, 'succeeded');
      const files = t.body.result?.files ?? [];
      const worker = files.find((f) => f.path === 'src/worker.js');
      assert.ok(worker);
      assert.match(worker.content, /nightly worker/);
      assert.match(files.find((f) => f.path === 'paved.yaml')?.content ?? '', /INTERVAL_SECONDS: "60"/);
      assert.equal(worker.mode, 0o644);
      assert.deepEqual(t.body.result?.nextSteps, ['cd nightly', 'npm test', 'Edit src/job.js: the job itself']);
    });

    it('values are validated against the parameter schema', async () => {
      const r = await call<Problem>(s, 'POST', '/v1/scaffold-tasks', { body: { templateId: 'node-http-service', values: { name: '../evil', port: 5 } } });
      assert.equal(r.status, 400);
      assert.deepEqual(
        r.body.errors?.map((e) => e.pointer),
        ['/body/values/owner', '/body/values/name', '/body/values/port'],
      );
    });

    it('a version mismatch is 409 and an unknown template 404', async () => {
      assert.equal((await call(s, 'POST', '/v1/scaffold-tasks', { body: { templateId: 'static-site', version: '9.9.9', values: { name: 'a', owner: 'b' } } })).status, 409);
      assert.equal((await call(s, 'POST', '/v1/scaffold-tasks', { body: { templateId: 'nope', values: {} } })).status, 404);
      assert.equal((await call(s, 'GET', '/v1/scaffold-tasks/t-nope')).status, 404);
    });

    it('SSE streams task events and ends', async () => {
      const c = await call<ScaffoldTask>(s, 'POST', '/v1/scaffold-tasks', { body: { templateId: 'static-site', values: { name: 'docs', owner: 'team-a' } } });
      const res = await fetch(`${s.url}/v1/scaffold-tasks/${c.body.id}/events`, { headers: { authorization: `Bearer ${s.token}`, accept: 'text/event-stream' } });
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
      const text = await res.text();
      const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      assert.deepEqual(ids, ids.map((_, i) => i + 1));
      assert.match(text, /event: completed\n/);
      assert.match(text, /event: end\ndata: \{"lastSeq":\d+\}\n\n$/);
    });
  });

  describe('feedback and idempotency', () => {
    it('stores feedback; same Idempotency-Key and body → same item; other body → 422', async () => {
      const key = { 'Idempotency-Key': 'fb-1' };
      const a = await call<Feedback>(s, 'POST', '/v1/feedback', { body: { message: 'Deploys are slow', service: 'payments', category: 'idea' }, headers: key });
      assert.equal(a.status, 201);
      const b = await call<Feedback>(s, 'POST', '/v1/feedback', { body: { category: 'idea', service: 'payments', message: 'Deploys are slow' }, headers: key });
      assert.equal(b.status, 201);
      assert.equal(b.body.id, a.body.id);
      assert.equal(b.headers.get('idempotent-replayed'), 'true');
      const c = await call<Problem>(s, 'POST', '/v1/feedback', { body: { message: 'Something else' }, headers: key });
      assert.equal(c.status, 422);
      assert.equal(c.body.code, 'idempotency-mismatch');
      const list = await call<Page<Feedback>>(s, 'GET', '/v1/feedback');
      assert.deepEqual(list.body.items.filter((f) => f.message === 'Deploys are slow').length, 1);
    });

    it('feedback for an unknown service → 404', async () => {
      assert.equal((await call(s, 'POST', '/v1/feedback', { body: { message: 'x', service: 'ghost' } })).status, 404);
    });
  });
});
