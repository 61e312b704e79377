import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { PlatformBackend, ScaffoldEvent } from '../../../../src/platform/backend';
import { BackstageBackend } from '../../../../src/platform/backstage/backend';
import { backstageReferenceNames } from '../../../../src/platform/backstage/names';
import { PlatformError } from '../../../../src/platform/errors';
import { capabilitiesOf } from '../../../../src/platform/capabilities';
import { startFakeBackstage, type FakeBackstage } from './fakeBackstage';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/backstage');

async function rejection(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PlatformError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

async function collect(it: AsyncIterable<ScaffoldEvent>): Promise<ScaffoldEvent[]> {
  const out: ScaffoldEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('Backstage backend against a fake Backstage', () => {
  let fake: FakeBackstage;
  let backend: BackstageBackend;
  const make = (extra: Partial<ConstructorParameters<typeof BackstageBackend>[0]> = {}) =>
    new BackstageBackend({ baseUrl: fake.url, token: async () => fake.token, retry: { baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 5_000, ...extra });

  before(async () => {
    fake = await startFakeBackstage({ components: 120, stepDelayMs: 1, longPollTimeoutMs: 2_000 });
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.faults.dropSseAfterEvents = undefined;
    fake.faults.noEventStream = undefined;
    fake.faults.failWith = undefined;
    backend = make();
  });
  afterEach(() => backend.dispose());

  it('announces what Backstage can and cannot do', () => {
    const { deploy, deployDelegation, scaffoldWritesFiles, validateEntity, teamsAsOwners, templateDryRun, register, policies } = backend.capabilities;
    assert.deepEqual(
      { deploy, deployDelegation, scaffoldWritesFiles, validateEntity, teamsAsOwners, templateDryRun, register, policies },
      { deploy: false, deployDelegation: true, scaffoldWritesFiles: false, validateEntity: true, teamsAsOwners: false, templateDryRun: true, register: false, policies: false },
    );
    assert.deepEqual(capabilitiesOf('backstage'), backend.capabilities, 'known before connecting');
    assert.equal(backend.kind, 'backstage');
    assert.equal(backend.displayName, `Backstage (${fake.url})`);
  });

  it('lists the names references are checked against: groups, systems, components (deprecated ones apart) and APIs, with only the fields needed', async () => {
    const names = await backend.catalogNames();
    assert.deepEqual(names.teams, ['platform', 'team-a', 'team-b']);
    assert.deepEqual(names.systems, ['identity', 'payments']);
    assert.deepEqual(names.apis, ['identity-grpc', 'payments-openapi']);
    assert.equal(names.services?.length, 124, '4 fixture components and 120 generated, across pages');
    assert.ok(['auth-service', 'ledger', 'payments-api', 'checkout-web'].every((n) => names.services!.includes(n)));
    assert.deepEqual(names.deprecatedServices, ['auth-service']);
    const queries = fake.requests.filter((r) => r.path === '/api/catalog/entities/by-query');
    assert.equal(queries.length, 4, 'one query per kind');
    assert.ok(queries.every((q) => q.query.get('fields') === 'kind,metadata.name,spec.lifecycle'), 'only the fields needed');
  });

  it('leaves out a kind too large to list whole (its references go unchecked, never wrongly unknown)', async () => {
    const names = await backstageReferenceNames((kind, page, fields) => (backend as unknown as { queryEntities: (k: string[], p: typeof page, o: undefined, f: typeof fields) => Promise<never> }).queryEntities([kind], page, undefined, fields), 100);
    assert.equal(names.services, undefined);
    assert.deepEqual(names.teams, ['platform', 'team-a', 'team-b']);
  });

  it('walks the whole catalog page by page: ordered, no duplicates, cursor requests carry only cursor, limit, fields', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await backend.listServices({ limit: 40, cursor });
      seen.push(...page.items.map((s) => s.ref));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    // 4 fixture components + 120 generated, 2 APIs, 1 resource, 2 systems, 3 groups; no Locations, Users, Domains, Templates.
    assert.equal(seen.length, 132);
    assert.equal(new Set(seen).size, 132);
    assert.equal(pages, 4);
    const names = seen.map((r) => r.slice(r.indexOf('/') + 1).toLowerCase());
    assert.deepEqual(names, [...names].sort());
    assert.equal(seen.filter((r) => r.startsWith('group:')).length, 3);
    assert.equal(seen.some((r) => r.startsWith('location:') || r.startsWith('template:') || r.startsWith('user:')), false);

    const queries = fake.requests.filter((r) => r.path === '/api/catalog/entities/by-query');
    assert.equal(queries.length, 4);
    const first = queries[0].query;
    assert.deepEqual(first.getAll('filter'), ['kind=component', 'kind=api', 'kind=resource', 'kind=system', 'kind=group']);
    assert.deepEqual(first.getAll('orderField'), ['metadata.name,asc']);
    assert.equal(first.get('limit'), '40');
    for (const q of queries.slice(1)) {
      assert.deepEqual([...new Set(q.query.keys())].sort(), ['cursor', 'fields', 'limit']);
      assert.equal(q.query.get('fields'), first.get('fields'));
    }
    assert.equal(queries[0].headers.authorization, `Bearer ${fake.token}`);
  });

  it('maps entities for the tree: owner, system, lifecycle, kind, tags and the Paved platform it deploys through', async () => {
    const page = await backend.listServices({ text: 'payments-api' });
    assert.deepEqual(page.items, [
      {
        ref: 'component:default/payments-api',
        kind: 'Component',
        name: 'payments-api',
        title: 'Payments API',
        description: 'Takes payments',
        owner: 'team-a',
        system: 'payments',
        lifecycle: 'production',
        tags: ['java', 'payments'],
        source: 'registered',
        status: {},
        deploysThrough: 'http://127.0.0.1:9/',
      },
    ]);
    assert.equal(page.nextCursor, undefined);
    const q = fake.requests.at(-1)!.query;
    assert.equal(q.get('fullTextFilterTerm'), 'payments-api');
    assert.equal(q.get('fullTextFilterFields'), 'metadata.name,metadata.title,metadata.description,metadata.tags');
  });

  it('filters by owner, system and lifecycle through relations', async () => {
    const teamB = await backend.listServices({ owner: 'team-b', limit: 500 });
    assert.deepEqual(
      teamB.items.filter((s) => !s.name.startsWith('generated-')).map((s) => s.ref),
      ['component:security/auth-service', 'component:default/checkout-web', 'system:default/identity', 'api:default/identity-grpc'],
    );
    assert.equal(teamB.items.filter((s) => s.name.startsWith('generated-')).length, 60);
    assert.deepEqual(fake.requests.at(-1)!.query.getAll('filter')[0], 'kind=component,relations.ownedBy=group:default/team-b');
    const deprecated = await backend.listServices({ lifecycle: 'deprecated', system: 'identity' });
    assert.deepEqual(deprecated.items.map((s) => s.ref), ['component:security/auth-service']);
    const err = await rejection(backend.listServices({ owner: 'a:b:c' }));
    assert.equal(err.code, 'invalid-input');
  });

  it('reads facets for owners, systems and lifecycles', async () => {
    const f = await backend.facets();
    assert.deepEqual(f.owners, [
      { value: 'team-a', count: 65 },
      { value: 'team-b', count: 64 },
    ]);
    assert.deepEqual(f.systems, [
      { value: 'payments', count: 125 },
      { value: 'identity', count: 2 },
    ]);
    assert.deepEqual(f.lifecycles, [
      { value: 'production', count: 84 },
      { value: 'experimental', count: 41 },
      { value: 'deprecated', count: 1 },
    ]);
    assert.equal(f.partial, false);
    const q = fake.requests.at(-1)!;
    assert.equal(q.path, '/api/catalog/entity-facets');
    assert.deepEqual(q.query.getAll('facet'), ['relations.ownedBy', 'relations.partOf', 'spec.lifecycle']);
  });

  it('shows details with relations resolved in one by-refs round trip (request order kept, dangling refs null)', async () => {
    const details = await backend.getEntityDetails('payments-api');
    const byRefs = fake.requests.filter((r) => r.path === '/api/catalog/entities/by-refs');
    assert.equal(byRefs.length, 1);
    const sent = (byRefs[0].body as { entityRefs: string[] }).entityRefs;
    assert.deepEqual(sent, [
      'group:default/team-a',
      'system:default/payments',
      'resource:default/payments-db',
      'component:default/ledger',
      'component:default/legacy-billing',
      'api:default/payments-openapi',
      'api:default/identity-grpc',
      'component:default/checkout-web',
    ]);
    assert.deepEqual(
      details.relations.map((r) => [r.type, r.display, r.entity ? (r.entity.metadata.title ?? r.entity.metadata.name) : null]),
      [
        ['ownedBy', 'group:team-a', 'Team A'],
        ['partOf', 'system:payments', 'Payments'],
        ['dependsOn', 'resource:payments-db', 'Payments database'],
        ['dependsOn', 'component:ledger', 'ledger'],
        ['dependsOn', 'component:legacy-billing', null],
        ['providesApi', 'api:payments-openapi', 'Payments REST API'],
        ['consumesApi', 'api:identity-grpc', 'identity-grpc'],
        ['dependencyOf', 'component:checkout-web', 'Checkout'],
      ],
    );

    const info = await backend.getService('component:default/payments-api');
    assert.equal(info.ref, 'component:default/payments-api');
    assert.equal(info.owner, 'team-a');
    assert.equal(info.manifestKind, 'catalog-info.yaml');
    assert.deepEqual(info.dependsOn, ['resource:default/payments-db', 'component:default/ledger', 'component:default/legacy-billing']);
    assert.deepEqual(info.dependents, ['component:default/checkout-web']);
    assert.deepEqual(info.apis, { provides: ['api:default/payments-openapi'], consumes: ['api:default/identity-grpc'] });
    assert.deepEqual(info.links, [
      { url: 'https://docs.example.com/payments', title: 'Docs', type: 'docs' },
      { url: 'https://grafana.example.com/d/payments', title: 'Grafana dashboard', type: 'dashboard' },
      { url: 'https://github.com/example/payments-api/tree/main/', title: 'Source', type: 'repo' },
    ]);
    assert.deepEqual(info.environments, []);
    assert.equal(info.metrics, undefined);
    assert.equal(info.scorecard, undefined);
  });

  it('resolves by-refs for an empty list without a request', async () => {
    assert.deepEqual(await backend.entitiesByRefs([]), []);
    assert.equal(fake.requests.length, 0);
  });

  it('lists teams from groups with members and owned component counts', async () => {
    const teams = await backend.listTeams();
    assert.deepEqual(teams.items.map((t) => [t.name, t.title, t.email, t.members, t.serviceCount]), [
      ['platform', undefined, undefined, [], 0],
      ['team-a', 'Team A', 'team-a@example.com', ['jo', 'sam'], 62],
      ['team-b', undefined, undefined, [], 62],
    ]);
  });

  it('turns Backstage errors into typed errors: 401 missing/illegal token, 404 NotFoundError, 5xx', async () => {
    const anonymous = make({ token: async () => undefined });
    const missing = await rejection(anonymous.listServices({}));
    anonymous.dispose();
    assert.equal(missing.code, 'unauthorized');
    assert.equal(missing.status, 401);
    assert.equal(missing.action, 'sign-in');
    assert.equal(missing.server?.name, 'AuthenticationError');
    assert.equal(missing.message, 'Backstage rejected the credentials (Missing credentials). Sign in again with "Paved: Sign In".');

    const wrong = make({ token: async () => 'not-the-token' });
    const illegal = await rejection(wrong.getService('payments-api'));
    wrong.dispose();
    assert.equal(illegal.code, 'unauthorized');
    assert.equal(illegal.message, 'Backstage rejected the credentials (Illegal token). Sign in again with "Paved: Sign In".');

    const notFound = await rejection(backend.getService('component:default/nope'));
    assert.equal(notFound.code, 'not-found');
    assert.equal(notFound.status, 404);
    assert.equal(notFound.server?.name, 'NotFoundError');
    assert.equal(notFound.message, "Not found on Backstage (No entity named 'nope' found, with kind 'component' in namespace 'default').");

    fake.faults.failWith = { status: 503, name: 'ServiceUnavailableError', message: 'Catalog is starting' };
    const down = await rejection(backend.facets());
    assert.equal(down.code, 'server-error');
    assert.equal(down.status, 503);
    assert.equal(fake.requests.filter((r) => r.path === '/api/catalog/entity-facets').length, 4, 'GETs are retried');
    fake.faults.failWith = { status: 403, name: 'NotAllowedError', message: 'Unauthorized' };
    const forbidden = await rejection(backend.listTemplates());
    assert.equal(forbidden.code, 'forbidden');

    const bad = await rejection(backend.getService('a/b/c'));
    assert.equal(bad.code, 'invalid-input');
  });

  it('health proves the URL and the token with a one-entity query', async () => {
    assert.deepEqual(await backend.health(), { status: 'ok', platform: 'backstage' });
    assert.equal(fake.requests[0].query.get('limit'), '1');
    assert.equal(fake.requests[0].query.get('orderField'), 'metadata.name,asc');
  });

  it('lists templates (kind Template) and reads parameter-schema steps with ui: hints mapped', async () => {
    const list = await backend.listTemplates();
    assert.deepEqual(list.items.map((t) => [t.id, t.title, t.owner]), [
      ['template:default/node-service', 'Node.js service', 'team-a'],
      ['template:default/slow-template', 'Slow template', 'platform'],
    ]);
    const t = await backend.getTemplate('node-service');
    assert.equal(t.id, 'template:default/node-service');
    assert.equal(t.steps?.length, 2);
    assert.deepEqual(t.steps?.map((s) => s.title), ['About the service', 'Where to publish']);
    const about = t.steps[0].schema as { required: string[]; properties: Record<string, Record<string, unknown>> };
    assert.deepEqual(about.required, ['name', 'owner']);
    assert.deepEqual((about as Record<string, unknown>)['ui:order'], ['name', 'description', 'owner', '*']);
    assert.equal(about.properties.owner['x-paved-reference'], 'team');
    assert.equal(about.properties.name.pattern, '^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$');
    assert.equal(about.properties.description.default, 'A new Node.js service');
    assert.deepEqual(about.properties.lifecycle.enumNames, ['Experimental', 'Production']);
    const publish = t.steps[1].schema as { properties: Record<string, Record<string, unknown>> };
    assert.deepEqual(publish.properties.repoUrl['x-paved-repo-url'], { allowedHosts: ['github.com'] });
    assert.equal(publish.properties.apiToken.writeOnly, true);
    assert.deepEqual(t.parameters.required, ['name', 'owner', 'repoUrl']);
    assert.equal(fake.requests.some((r) => r.path === '/api/scaffolder/v2/templates/default/template/node-service/parameter-schema'), true);
  });

  it('drift, not upgrades: other template versions and adoption counts need a Paved platform (unsupported, saying why)', async () => {
    assert.equal(backend.capabilities.templateVersions, false);
    const current = await backend.getTemplate('node-service');
    assert.equal((await backend.getTemplate('node-service', { version: current.version })).id, current.id, 'the current version is fine');
    const why = (e: unknown) => PlatformError.isPlatformError(e, 'unsupported') && /needs a Paved platform/.test((e as Error).message);
    await assert.rejects(backend.getTemplate('node-service', { version: '0.0.1' }), why);
    await assert.rejects(backend.listTemplateVersions('node-service'), why);
    await assert.rejects(backend.goldenPathAdoption(), why);
  });

  it('creates a task with templateRef and values (defaults filled in) and streams it to the end over SSE', async () => {
    await backend.getTemplate('node-service');
    const task = await backend.createScaffoldTask({ templateId: 'node-service', values: { name: 'billing', owner: 'group:default/team-a', repoUrl: 'github.com?owner=example&repo=billing' } });
    const post = fake.requests.find((r) => r.path === '/api/scaffolder/v2/tasks' && r.method === 'POST')!;
    assert.deepEqual(post.body, {
      templateRef: 'template:default/node-service',
      values: {
        name: 'billing',
        owner: 'group:default/team-a',
        repoUrl: 'github.com?owner=example&repo=billing',
        description: 'A new Node.js service',
        lifecycle: 'experimental',
        port: 8080,
      },
    });
    assert.equal(post.headers['idempotency-key'], undefined);
    assert.equal(task.state, 'pending');
    assert.equal(task.templateId, 'template:default/node-service');

    const events = await collect(backend.scaffoldTaskEvents(task.id));
    const last = events.at(-1)!;
    assert.equal(last.type, 'completed');
    assert.deepEqual(last.outcome, {
      files: [],
      nextSteps: [],
      links: [
        { title: 'Repository', url: 'https://github.com/example/billing' },
        { title: 'Open in catalog', entityRef: 'component:default/billing' },
      ],
      text: '## Next steps\n\nRun `npm test` in **billing**.',
    });
    assert.equal(events.some((e) => e.message.includes('\u001b')), false);
    assert.deepEqual(
      events.filter((e) => e.type === 'step').map((e) => `${e.stepId}: ${e.message}`),
      ['fetch: Beginning step Fetch skeleton', 'fetch: Finished step Fetch skeleton', 'publish: Beginning step Publish', 'publish: Finished step Publish', 'register: Beginning step Register', 'register: Finished step Register'],
    );
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/eventstream')).length, 1);

    const info = await backend.getScaffoldTask(task.id);
    assert.equal(info.state, 'succeeded');
    assert.deepEqual(info.result, last.outcome);
    assert.equal(info.finishedAt, last.at);
    assert.match(info.finishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it('resumes a dropped event stream with after = the last event id, without losing or repeating events', async () => {
    const task = await backend.createScaffoldTask({ templateId: 'template:default/node-service', values: { name: 'resumed', owner: 'team-a', repoUrl: 'github.com?owner=e&repo=r' } });
    await fake.waitForTaskEvent(task.id, (e) => e.type === 'completion');
    fake.faults.dropSseAfterEvents = 4;
    const events = await collect(backend.scaffoldTaskEvents(task.id));
    const all = fake.tasks.get(task.id)!.events.map((e) => e.id);
    assert.deepEqual(events.map((e) => e.seq), all);
    const streams = fake.requests.filter((r) => r.path.endsWith('/eventstream'));
    assert.equal(streams.length, 2);
    assert.equal(streams[0].query.get('after'), null);
    assert.equal(streams[1].query.get('after'), String(all[3]));
  });

  it('starts a stream after a given event id (a re-attach)', async () => {
    const task = await backend.createScaffoldTask({ templateId: 'node-service', values: { name: 'later', owner: 'team-a', repoUrl: 'github.com?owner=e&repo=r' } });
    await fake.waitForTaskEvent(task.id, (e) => e.type === 'completion');
    const all = fake.tasks.get(task.id)!.events.map((e) => e.id);
    const events = await collect(backend.scaffoldTaskEvents(task.id, { after: all[5] }));
    assert.deepEqual(events.map((e) => e.seq), all.slice(6));
    // Everything seen but the end: only the completion comes (Backstage re-sends it), then the stream ends.
    const end = await collect(backend.scaffoldTaskEvents(task.id, { after: all.at(-1) }));
    assert.deepEqual(end.map((e) => [e.seq, e.type]), [[all.at(-1), 'completed']]);
  });

  it('falls back to the events long-poll when the server offers no event stream', async () => {
    fake.faults.noEventStream = true;
    const task = await backend.createScaffoldTask({ templateId: 'node-service', values: { name: 'polled', owner: 'team-a', repoUrl: 'github.com?owner=e&repo=r' } });
    const events = await collect(backend.scaffoldTaskEvents(task.id));
    assert.equal(events.at(-1)!.type, 'completed');
    assert.deepEqual(events.map((e) => e.seq), fake.tasks.get(task.id)!.events.map((e) => e.id));
    const polls = fake.requests.filter((r) => r.path.endsWith('/events'));
    assert.ok(polls.length >= 1);
    for (let i = 1; i < polls.length; i++) assert.notEqual(polls[i].query.get('after'), null);
  });

  it('cancels a running task: a cancelled event, then failed with "has been cancelled"; the task counts as cancelled', async () => {
    const task = await backend.createScaffoldTask({ templateId: 'slow-template', values: { name: 'x' } });
    const stream = backend.scaffoldTaskEvents(task.id)[Symbol.asyncIterator]();
    const seen: ScaffoldEvent[] = [];
    for (;;) {
      const r = await stream.next();
      assert.equal(r.done, false);
      seen.push(r.value);
      if ((r.value).message.includes('Waiting for 60 minutes')) break;
    }
    await backend.cancelScaffoldTask(task.id);
    for (;;) {
      const r = await stream.next();
      if (r.done) break;
      seen.push(r.value);
    }
    const tail = seen.slice(-3);
    assert.deepEqual(tail.map((e) => [e.type, e.message]), [
      ['cancelled', 'Step wait has been cancelled.'],
      ['step', 'Error: Step Wait for a long time has been cancelled.'],
      ['failed', 'Step Wait for a long time has been cancelled.'],
    ]);
    const info = await backend.getScaffoldTask(task.id);
    assert.equal(fake.tasks.get(task.id)!.status, 'failed');
    assert.equal(info.state, 'cancelled');
    assert.equal(info.error, 'Step Wait for a long time has been cancelled.');
  });

  it('a missing required value is a 400 from the scaffolder: invalid-input with its message', async () => {
    const err = await rejection(backend.createScaffoldTask({ templateId: 'slow-template', values: {} }));
    assert.equal(err.code, 'invalid-input');
    assert.equal(err.status, 400);
    assert.deepEqual(err.server?.validationErrors, ['requires property "name"']);
    assert.equal(err.message, 'Backstage rejected the request (requires property "name").');
    assert.equal(fake.requests.filter((r) => r.path === '/api/scaffolder/v2/tasks').length, 1, 'never retried');
  });

  it('unknown template and unknown task are not-found', async () => {
    assert.equal((await rejection(backend.getTemplate('nope'))).code, 'not-found');
    const task = await rejection(backend.getScaffoldTask('00000000-0000-0000-0000-000000000000'));
    assert.equal(task.code, 'not-found');
    assert.equal(task.message, "Not found on Backstage (No task with id '00000000-0000-0000-0000-000000000000' found).");
  });

  it('dry-runs a template as written and returns the files, log and output', async () => {
    const dir = path.join(FIXTURES, 'templates/node-service');
    const template = parse(fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8')) as Record<string, unknown>;
    const skeleton = ['catalog-info.yaml', 'README.md'].map((f) => ({ path: `skeleton/${f}`, content: fs.readFileSync(path.join(dir, 'skeleton', f), 'utf8') }));
    const result = await backend.dryRun({ template, values: { name: 'preview', owner: 'team-a', repoUrl: 'github.com?owner=e&repo=preview' }, directoryContents: skeleton });
    assert.deepEqual(
      result.files.map((f) => [f.path, f.mode, f.content]),
      [
        ['catalog-info.yaml', 0o644, 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: preview\nspec:\n  type: service\n  lifecycle: experimental\n  owner: team-a\n'],
        ['README.md', 0o644, '# preview\n\nOwned by team-a.\n'],
      ],
    );
    assert.deepEqual(result.steps.map((s) => s.id), ['fetch', 'publish', 'register']);
    assert.ok(result.log.some((l) => l.message === 'info: Writing file README.md to template output path'));
    assert.ok(result.log.some((l) => l.message === 'Skipping because publish:github does not support dry-run' && l.status === 'skipped'));
    assert.deepEqual(result.outcome.links?.[0], { title: 'Repository', url: 'https://github.com/example/preview' });
    const body = fake.requests.find((r) => r.path === '/api/scaffolder/v2/dry-run')!.body as { values: Record<string, unknown>; directoryContents: { path: string; base64Content: string }[] };
    assert.equal(body.values.port, 8080, 'defaults are sent');
    assert.equal(Buffer.from(body.directoryContents[1].base64Content, 'base64').toString('utf8'), skeleton[1].content);

    const invalid = await rejection(backend.dryRun({ template, values: { name: 'x' }, directoryContents: [] }));
    assert.equal(invalid.code, 'invalid-input');
    assert.deepEqual(invalid.server?.validationErrors, ['requires property "owner"']);
    const notATemplate = await rejection(backend.dryRun({ template: { kind: 'Component' }, values: {} }));
    assert.equal(notATemplate.message, 'Backstage rejected the request (Input template is not a template).');
  });

  it('validate-entity: [] when valid; errors with pointers when not; non-validation failures stay errors', async () => {
    const valid = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'ok' }, spec: { type: 'service', lifecycle: 'production', owner: 'team-a' } };
    assert.deepEqual(await backend.validateEntity(valid, '/work/svc/catalog-info.yaml'), []);
    const sent = fake.requests.at(-1)!.body as { location: string };
    assert.equal(sent.location, 'url:file:///work/svc/catalog-info.yaml');

    const noOwner = { ...valid, spec: { type: 'service', lifecycle: 'production' } };
    assert.deepEqual(await backend.validateEntity(noOwner, 'url:https://github.com/e/r/blob/main/catalog-info.yaml'), [
      { message: "/spec must have required property 'owner' - missingProperty: owner", pointer: '/spec/owner' },
    ]);
    const badName = { ...valid, metadata: { name: 'Bad Name' }, spec: { type: 'service', lifecycle: 'production', owner: 7 } };
    const errs = await backend.validateEntity(badName, 'https://github.com/e/r/blob/main/catalog-info.yaml');
    assert.deepEqual(errs.map((e) => e.pointer), ['/metadata/name', '/spec/owner']);
    assert.match(errs[0].message, /^"metadata\.name" is not valid; expected a string/);
    assert.equal(errs[1].message, '/spec/owner must be string - type: string');
    assert.deepEqual(await backend.validateEntity({ kind: 'Component', metadata: { name: 'x' } }, 'url:x'), [
      { message: "<root> must have required property 'apiVersion' - missingProperty: apiVersion", pointer: '/apiVersion' },
    ]);

    fake.faults.failWith = { status: 500, name: 'Error', message: 'database is locked' };
    const err = await rejection(backend.validateEntity(valid, 'url:x'));
    assert.equal(err.code, 'server-error');
  });

  it('checks spec refs against the live catalog in one by-refs call, with pointers', async () => {
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'new-svc', namespace: 'default' },
      spec: {
        type: 'service',
        lifecycle: 'experimental',
        owner: 'team-c',
        system: 'payments',
        dependsOn: ['component:ledger', 'ledger', 'resource:default/gone-db'],
        providesApis: ['payments-openapi'],
      },
    };
    assert.deepEqual(await backend.checkRefs(entity), [
      { message: '"team-c" (group:default/team-c) is not in the Backstage catalog.', pointer: '/spec/owner' },
      { message: '"ledger" needs a kind here, e.g. component:default/ledger.', pointer: '/spec/dependsOn/1' },
      { message: '"resource:default/gone-db" (resource:default/gone-db) is not in the Backstage catalog.', pointer: '/spec/dependsOn/2' },
    ]);
    const calls = fake.requests.filter((r) => r.path === '/api/catalog/entities/by-refs');
    assert.equal(calls.length, 1);
    assert.deepEqual((calls[0].body as { entityRefs: string[] }).entityRefs, [
      'group:default/team-c',
      'system:default/payments',
      'component:default/ledger',
      'resource:default/gone-db',
      'api:default/payments-openapi',
    ]);
    assert.deepEqual(await backend.checkRefs({ ...entity, spec: { owner: 'team-a', system: 'system:payments' } }), []);
  });

  it('suggests refs for completion, written the short way for the field', async () => {
    assert.deepEqual(await backend.suggestRefs(['Group'], 'team-', { defaultKind: 'group' }), [
      { ref: 'team-a', label: 'group:default/team-a', title: 'Team A' },
      { ref: 'team-b', label: 'group:default/team-b' },
    ]);
    assert.deepEqual(await backend.suggestRefs(['System'], ''), [
      { ref: 'system:identity', label: 'system:default/identity' },
      { ref: 'system:payments', label: 'system:default/payments', title: 'Payments' },
    ]);
  });

  it('deploy is unsupported unless the entity names a Paved Platform API; then it is delegated there', async () => {
    const calls: string[] = [];
    const delegate = {
      deploy: async (service: string, req: { environment: string }) => {
        calls.push(`deploy ${service} ${req.environment}`);
        return { id: 'dep-1', service, environment: req.environment, kind: 'deploy', state: 'pending', createdAt: '2026-11-22T06:00:00Z' };
      },
      getDeployment: async (id: string) => {
        calls.push(`get ${id}`);
        return { id, service: 'payments-api', environment: 'staging', kind: 'deploy', state: 'succeeded', createdAt: '2026-11-22T06:00:00Z' };
      },
      dispose: () => calls.push('dispose'),
    } as unknown as PlatformBackend;
    const urls: string[] = [];
    const b = make({
      pavedBackend: (url) => {
        urls.push(url);
        return delegate;
      },
    });
    assert.equal(b.capabilities.deploy, false);
    const target = await b.deployBackendFor('payments-api');
    assert.deepEqual({ url: target.url, service: target.service }, { url: 'http://127.0.0.1:9/', service: 'payments-api' });
    assert.equal(target.backend, delegate);
    assert.equal(b.deployBackendAt('http://127.0.0.1:9/'), delegate, 'one client per Paved platform URL');
    assert.equal((await rejection(b.deployBackendFor('ledger'))).code, 'unsupported');
    const dep = await b.deploy('component:default/payments-api', { environment: 'staging' });
    assert.equal(dep.id, 'dep-1');
    assert.equal((await b.getDeployment('dep-1')).state, 'succeeded');
    assert.deepEqual(urls, ['http://127.0.0.1:9/']);
    const refused = await rejection(b.deploy('ledger', { environment: 'staging' }));
    assert.equal(refused.code, 'unsupported');
    assert.equal(refused.message, 'Backstage cannot deploy component:ledger. Backstage has no deploy API. Annotate the entity with "paved.dev/platform-api: https://…" to deploy it through a Paved platform.');
    assert.equal((await rejection(b.getDeployment('unknown'))).code, 'unsupported');
    b.dispose();
    assert.deepEqual(calls, ['deploy payments-api staging', 'get dep-1', 'dispose']);

    const plain = await rejection(backend.deploy('payments-api', { environment: 'staging' }));
    assert.equal(plain.code, 'unsupported');
    assert.equal(plain.message, 'This Paved client cannot deploy component:payments-api through http://127.0.0.1:9/. No Paved platform client is configured.');
  });

  it('what Backstage cannot do fails at once with unsupported, without a request', async () => {
    for (const p of [backend.register(), backend.unregister(), backend.getPolicies(), backend.getMetrics(), backend.sendFeedback()]) {
      assert.equal((await rejection(p)).code, 'unsupported');
    }
    assert.deepEqual(await backend.listEnvironments(), []);
    assert.equal(fake.requests.length, 0);
  });

  it('after dispose every call fails with cancelled and sends nothing', async () => {
    backend.dispose();
    assert.equal((await rejection(backend.listServices({}))).code, 'cancelled');
    assert.equal(fake.requests.length, 0);
  });
});
