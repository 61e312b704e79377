import * as assert from 'node:assert/strict';
import { CatalogModel, type CatalogNode, type ErrorNode, type LoadEarlierNode, type LoadMoreNode, type ServiceNode, SourceBlockedError } from '../../../../src/extension/catalog/model';
import { escapeMarkdown, groupDescription, groupLabel, serviceContextValue, serviceDescription, serviceTooltip, statusIcon } from '../../../../src/extension/catalog/presentation';
import { FakeCatalog, many, svc } from './fakeCatalog';

function labels(nodes: CatalogNode[]): string[] {
  return nodes.map((n) => {
    switch (n.kind) {
      case 'group':
        return `group ${groupLabel(n)} (${groupDescription(n)})`;
      case 'my-services':
        return `my ${n.teams.join(',')}`;
      case 'service':
        return n.service.name;
      case 'load-more':
        return n.before > 0 ? `load-more after ${n.before}+${n.loaded}` : `load-more after ${n.loaded}`;
      case 'load-earlier':
        return `load-earlier ${n.before}`;
      case 'error':
        return `error ${n.message}`;
      case 'message':
        return `message ${n.message}`;
    }
  });
}

const catalog = () =>
  new FakeCatalog([
    svc('payments-api', { owner: 'team-payments', system: 'checkout', lifecycle: 'production', goldenPath: { template: 'node-http-service', version: '1.2.0' } }),
    svc('ledger', { owner: 'team-payments', system: 'checkout', lifecycle: 'experimental', goldenPath: { template: 'node-http-service', version: '1.2.0' } }),
    svc('search', { owner: 'team-discovery', system: 'storefront', lifecycle: 'production' }),
    svc('lonely', { owner: 'team-discovery' }),
  ]);

describe('CatalogModel', () => {
  it('groups by system, with a "No system" group for services without one', async () => {
    const fake = catalog();
    const model = new CatalogModel(async () => fake);
    const root = await model.getChildren();
    assert.deepEqual(labels(root), ['group checkout (2 services)', 'group storefront (1 service)', 'group No system (1 service)']);
    assert.deepEqual(labels(await model.getChildren(root[0])), ['ledger', 'payments-api']);
    assert.deepEqual(labels(await model.getChildren(root[2])), ['lonely']);
    assert.deepEqual(fake.calls, ['facets', 'list {"system":"checkout","limit":100}', 'list {"limit":200}']);
    const [ledger, payments] = (await model.getChildren(root[0])) as ServiceNode[];
    assert.deepEqual(payments.service.goldenPath, { template: 'node-http-service', version: '1.2.0' }, 'the golden path survives (for the drift badge)');
    assert.equal(ledger.service.goldenPath, payments.service.goldenPath, 'one shared object per template and version');
  });

  it('in a catalog without a deploy API, only services that name a platform to deploy through are deployable', async () => {
    const fake = new FakeCatalog([svc('annotated', { deploysThrough: 'https://paved.example.com' }), svc('plain')]);
    fake.capabilities = { deploy: false };
    const model = new CatalogModel(async () => fake);
    model.setFilter('a');
    const nodes = (await model.getChildren()).filter((n): n is ServiceNode => n.kind === 'service');
    assert.deepEqual(nodes.map((n) => [n.service.name, n.deployable, n.service.deploysThrough]), [
      ['annotated', true, 'https://paved.example.com'],
      ['plain', false, undefined],
    ]);
  });

  it('groups by owner and by lifecycle', async () => {
    const model = new CatalogModel(async () => catalog(), { groupBy: 'owner' });
    assert.deepEqual(labels(await model.getChildren()), ['group team-discovery (2 services)', 'group team-payments (2 services)']);
    model.setGroupBy('lifecycle');
    const root = await model.getChildren();
    assert.deepEqual(labels(root), ['group experimental (1 service)', 'group production (2 services)', 'group No lifecycle (1 service)']);
    assert.deepEqual(labels(await model.getChildren(root[1])), ['payments-api', 'search']);
  });

  it('groups by owner from the teams list when the platform has one (no facet scan), paged', async () => {
    const fake = new FakeCatalog(many(5, (i) => ({ owner: `team-${i}` })));
    fake.teamsEndpoint = true;
    const model = new CatalogModel(async () => fake, { groupBy: 'owner', pageSize: 3, myTeams: ['team-1'] });
    let root = await model.getChildren();
    assert.deepEqual(labels(root), ['my team-1', 'group team-0 (1 service)', 'group team-1 (1 service)', 'group team-2 (1 service)', 'load-more after 4']);
    await model.loadMore(root[4] as LoadMoreNode);
    root = await model.getChildren();
    assert.deepEqual(labels(root).slice(4), ['group team-3 (1 service)', 'group team-4 (1 service)']);
    assert.deepEqual(fake.calls, ['teams {"limit":3}', 'teams {"limit":3,"cursor":"3"}']);
    assert.deepEqual(labels(await model.getChildren(root[2])), ['svc-000001']);
  });

  it('groups owners through the facets when the teams list does not name owners (capability teamsAsOwners off, Backstage)', async () => {
    const fake = new FakeCatalog(many(3, (i) => ({ owner: `team-${i}` })));
    fake.teamsEndpoint = true;
    fake.capabilities = { deploy: false, teamsAsOwners: false };
    const model = new CatalogModel(async () => fake, { groupBy: 'owner' });
    assert.deepEqual(labels(await model.getChildren()), ['group team-0 (1 service)', 'group team-1 (1 service)', 'group team-2 (1 service)']);
    assert.ok(!fake.calls.some((c) => c.startsWith('teams')), fake.calls.join(', '));
  });

  it('puts "My services" first, team after team', async () => {
    const fake = catalog();
    const model = new CatalogModel(async () => fake, { myTeams: ['team-payments', 'team-discovery'] });
    const root = await model.getChildren();
    assert.deepEqual(labels(root)[0], 'my team-discovery,team-payments');
    assert.deepEqual(labels(await model.getChildren(root[0])), ['lonely', 'search', 'ledger', 'payments-api']);
  });

  it('pages "My services" across teams with Load more', async () => {
    const fake = new FakeCatalog([...many(3, () => ({ owner: 'a' })), ...many(2, (i) => ({ owner: 'b', name: `b-${i}`, ref: `b-${i}` }))]);
    const model = new CatalogModel(async () => fake, { myTeams: ['a', 'b'], pageSize: 2 });
    const [my] = await model.getChildren();
    let kids = await model.getChildren(my);
    assert.deepEqual(labels(kids), ['svc-000000', 'svc-000001', 'load-more after 2']);
    await model.loadMore(kids[2] as LoadMoreNode);
    kids = await model.getChildren(my);
    assert.deepEqual(labels(kids), ['svc-000000', 'svc-000001', 'svc-000002', 'b-0', 'load-more after 4']);
    await model.loadMore(kids[4] as LoadMoreNode);
    assert.deepEqual(labels(await model.getChildren(my)), ['svc-000000', 'svc-000001', 'svc-000002', 'b-0', 'b-1']);
  });

  it('says so when the chosen teams own nothing', async () => {
    const model = new CatalogModel(async () => catalog(), { myTeams: ['team-nobody'] });
    const [my] = await model.getChildren();
    assert.deepEqual(labels(await model.getChildren(my)), ['message No service is owned by team-nobody.']);
  });

  it('fetches children page by page and never shows more than one page size per load', async () => {
    const fake = new FakeCatalog(many(450, () => ({ system: 'big' })));
    const model = new CatalogModel(async () => fake, { pageSize: 200 });
    const [group] = await model.getChildren();
    let kids = await model.getChildren(group);
    assert.equal(kids.length, 201);
    assert.deepEqual(labels(kids.slice(199)), ['svc-000199', 'load-more after 200']);
    await model.loadMore(kids[200] as LoadMoreNode);
    kids = await model.getChildren(group);
    assert.deepEqual(labels(kids.slice(399)), ['svc-000399', 'load-more after 400']);
    await model.loadMore(kids[400] as LoadMoreNode);
    kids = await model.getChildren(group);
    assert.equal(kids.length, 450);
    assert.equal(kids.at(-1)?.kind, 'service');
    assert.equal(fake.calls.filter((c) => c.startsWith('list')).length, 3);
  });

  it('never keeps more than maxSiblings children: Load more drops the first pages and Show earlier brings them back', async () => {
    const fake = new FakeCatalog(many(10, () => ({ system: 'big' })));
    const model = new CatalogModel(async () => fake, { pageSize: 3, maxSiblings: 6 });
    const [group] = await model.getChildren();
    const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `svc-${String(from + i).padStart(6, '0')}`);
    let kids = await model.getChildren(group);
    assert.deepEqual(labels(kids), [...names(0, 3), 'load-more after 3']);
    await model.loadMore(kids.at(-1) as LoadMoreNode);
    kids = await model.getChildren(group);
    assert.deepEqual(labels(kids), [...names(0, 6), 'load-more after 6']);
    // The third page would make 9 siblings: the first page goes.
    await model.loadMore(kids.at(-1) as LoadMoreNode);
    kids = await model.getChildren(group);
    assert.deepEqual(labels(kids), ['load-earlier 3', ...names(3, 9), 'load-more after 3+6']);
    await model.loadMore(kids.at(-1) as LoadMoreNode);
    kids = await model.getChildren(group);
    assert.deepEqual(labels(kids), ['load-earlier 6', ...names(6, 10)], 'the last page (one service) arrives; the second page goes');
    // Show earlier fetches the dropped page again from its own cursor and drops the last page to stay within the cap.
    await model.loadMore(kids[0] as LoadEarlierNode);
    kids = await model.getChildren(group);
    assert.deepEqual(labels(kids), ['load-earlier 3', ...names(3, 9), 'load-more after 3+6']);
    await model.loadMore(kids[0] as LoadEarlierNode);
    kids = await model.getChildren(group);
    assert.deepEqual(labels(kids), [...names(0, 6), 'load-more after 6']);
    // Load more after that starts where the dropped pages started.
    await model.loadMore(kids.at(-1) as LoadMoreNode);
    assert.deepEqual(labels(await model.getChildren(group)), ['load-earlier 3', ...names(3, 9), 'load-more after 3+6']);
    const cursors = fake.calls.filter((c) => c.startsWith('list ')).map((c) => (JSON.parse(c.slice('list '.length)) as { cursor?: string }).cursor ?? '');
    assert.deepEqual(
      cursors.map((c) => (c ? Buffer.from(c, 'base64url').toString() : '0')),
      ['0', '3', '6', '9', '3', '0', '6'],
      'each page is fetched from its own start, never all at once',
    );
  });

  it('a failed Show earlier keeps the window and its Retry fetches that page again', async () => {
    const fake = new FakeCatalog(many(7, () => ({ system: 'big' })));
    const model = new CatalogModel(async () => fake, { pageSize: 2, maxSiblings: 2 });
    const [group] = await model.getChildren();
    let kids = await model.getChildren(group);
    await model.loadMore(kids.at(-1) as LoadMoreNode);
    kids = await model.getChildren(group);
    assert.deepEqual(labels(kids), ['load-earlier 2', 'svc-000002', 'svc-000003', 'load-more after 2+2']);
    fake.failWith = new Error('connection reset');
    await model.loadMore(kids[0] as LoadEarlierNode);
    kids = await model.getChildren(group);
    assert.deepEqual(labels(kids), ['error connection reset', 'svc-000002', 'svc-000003', 'load-more after 2+2']);
    fake.failWith = undefined;
    await model.retry(kids[0] as ErrorNode);
    assert.deepEqual(labels(await model.getChildren(group)), ['svc-000000', 'svc-000001', 'load-more after 2']);
  });

  it('caps the page size at 200', () => {
    assert.equal(new CatalogModel(async () => catalog(), { pageSize: 5000 }).pageSize, 200);
    assert.equal(new CatalogModel(async () => catalog(), { pageSize: 0 }).pageSize, 1);
  });

  it('pages the group nodes themselves when there are more groups than a page', async () => {
    const fake = new FakeCatalog(many(5, (i) => ({ owner: `team-${i}` })));
    const model = new CatalogModel(async () => fake, { groupBy: 'owner', pageSize: 2 });
    let root = await model.getChildren();
    assert.deepEqual(labels(root), ['group team-0 (1 service)', 'group team-1 (1 service)', 'load-more after 2']);
    await model.loadMore(root[2] as LoadMoreNode);
    root = await model.getChildren();
    assert.deepEqual(labels(root), ['group team-0 (1 service)', 'group team-1 (1 service)', 'group team-2 (1 service)', 'group team-3 (1 service)', 'load-more after 4']);
  });

  it('filters by text as a flat list, and says when nothing matches', async () => {
    const fake = catalog();
    const model = new CatalogModel(async () => fake);
    model.setFilter('  PAY ');
    assert.equal(model.filter, 'PAY');
    assert.deepEqual(labels(await model.getChildren()), ['payments-api']);
    assert.deepEqual(fake.calls, ['list {"text":"PAY","limit":100}']);
    model.setFilter('zzz');
    assert.deepEqual(labels(await model.getChildren()), ['message No service matches “zzz”.']);
    model.setFilter('');
    assert.equal((await model.getChildren())[0].kind, 'group');
  });

  it('shows an error node when the backend fails, and Retry loads again', async () => {
    const fake = catalog();
    fake.failWith = new Error('The platform is unavailable (HTTP 503).');
    const model = new CatalogModel(async () => fake);
    const root = await model.getChildren();
    assert.deepEqual(labels(root), ['error The platform is unavailable (HTTP 503).']);
    fake.failWith = undefined;
    await model.retry(root[0] as ErrorNode);
    assert.deepEqual(labels(await model.getChildren()), ['group checkout (2 services)', 'group storefront (1 service)', 'group No system (1 service)']);
  });

  it('keeps loaded children when Load more fails, and retries the same page', async () => {
    const fake = new FakeCatalog(many(5, () => ({ system: 's' })));
    const model = new CatalogModel(async () => fake, { pageSize: 2 });
    const [group] = await model.getChildren();
    const kids = await model.getChildren(group);
    fake.failWith = new Error('connection reset');
    await model.loadMore(kids[2] as LoadMoreNode);
    const failed = await model.getChildren(group);
    assert.deepEqual(labels(failed), ['svc-000000', 'svc-000001', 'error connection reset']);
    fake.failWith = undefined;
    await model.retry(failed[2] as ErrorNode);
    assert.deepEqual(labels(await model.getChildren(group)), ['svc-000000', 'svc-000001', 'svc-000002', 'svc-000003', 'load-more after 4']);
  });

  it('shows nothing and records why when the source is blocked (untrusted)', async () => {
    let asked = 0;
    const model = new CatalogModel(async () => {
      asked++;
      throw new SourceBlockedError('untrusted');
    });
    assert.deepEqual(await model.getChildren(), []);
    assert.equal(model.blocked, 'untrusted');
    assert.equal(asked, 1);
  });

  it('marks counts of a sampled catalog as lower bounds and always offers "No system" then', async () => {
    const fake = new FakeCatalog(many(10, (i) => ({ system: i < 8 ? 'a' : undefined })));
    fake.facetScanLimit = 8;
    const model = new CatalogModel(async () => fake);
    const root = await model.getChildren();
    assert.deepEqual(labels(root), ['group a (8+ services)', 'group No system (0+ services)']);
    // The services past the sample are still reachable.
    assert.deepEqual(labels(await model.getChildren(root[1])), ['svc-000008', 'svc-000009']);
  });

  it('marks an empty catalog', async () => {
    const model = new CatalogModel(async () => new FakeCatalog([]));
    assert.deepEqual(await model.getChildren(), []);
    assert.equal(model.empty, true);
  });

  it('shares one fetch between concurrent callers and drops results of a reset', async () => {
    const fake = catalog();
    const model = new CatalogModel(async () => fake);
    const [a, b] = await Promise.all([model.getChildren(), model.getChildren()]);
    assert.deepEqual(labels(a), labels(b));
    assert.deepEqual(fake.calls, ['facets']);
    const pending = model.getChildren(a[0]);
    model.reset();
    assert.deepEqual(await pending, []);
  });

  it('updates the status of a loaded service in every group it appears in, without fetching', async () => {
    const fake = catalog();
    const model = new CatalogModel(async () => fake, { myTeams: ['team-payments'] });
    const [my, checkout] = await model.getChildren();
    await model.getChildren(my);
    await model.getChildren(checkout);
    const calls = fake.calls.length;
    const changed = model.updateStatus('ledger', { local: 'running' });
    assert.deepEqual(changed.map((n) => n.id), ['my/ledger', 'system:checkout/ledger']);
    assert.equal(fake.calls.length, calls);
    const ledger = (await model.getChildren(checkout)).find((n) => n.kind === 'service' && n.service.name === 'ledger') as ServiceNode;
    assert.deepEqual(ledger.service.status, { local: 'running' });
    assert.equal(serviceDescription(ledger.service), 'team-payments · local ✓');
  });

  it('finds loaded services without fetching', async () => {
    const fake = catalog();
    const model = new CatalogModel(async () => fake);
    const [checkout] = await model.getChildren();
    await model.getChildren(checkout);
    assert.deepEqual([...model.loadedServices()].map((n) => n.id), ['system:checkout/ledger', 'system:checkout/payments-api']);
  });
});

describe('catalog presentation', () => {
  const node = (over: Partial<ServiceNode> = {}): ServiceNode => ({ kind: 'service', id: 'x', service: svc('x'), deployable: true, ...over });

  it('summarises environment states in one icon, failure first', () => {
    assert.equal(statusIcon({}), 'not-deployed');
    assert.equal(statusIcon({ local: 'running', staging: 'failed' }), 'failed');
    assert.equal(statusIcon({ local: 'running', staging: 'deploying' }), 'deploying');
    assert.equal(statusIcon({ local: 'stopped', staging: 'running' }), 'running');
    assert.equal(statusIcon({ local: 'stopped' }), 'stopped');
  });

  it('describes owner and environments in promotion order', () => {
    const s = svc('a', { owner: 'team-x', status: { production: 'failed', zeta: 'stopped', local: 'running', staging: 'deploying' } });
    assert.equal(serviceDescription(s), 'team-x · local ✓ · staging ↻ · production ✗ · zeta ■');
    assert.equal(serviceDescription(svc('b', { owner: 'team-y' })), 'team-y');
  });

  it('composes context value flags', () => {
    assert.equal(serviceContextValue(node()), 'service+manifest+details+deployable+workspace');
    assert.equal(serviceContextValue(node({ deployable: false, service: svc('r', { source: 'registered' }) })), 'service+manifest+details+registered');
  });

  it('escapes catalog values in the Markdown tooltip', () => {
    assert.equal(escapeMarkdown('[x](command:evil) <b>*'), '\\[x\\]\\(command:evil\\) \\<b\\>\\*');
    const tip = serviceTooltip(svc('a', { title: 'A [click](command:paved.signOut)', owner: 'team_x', description: '<img src=x>', status: { local: 'running' } }));
    assert.equal(
      tip,
      [
        '**A \\[click\\]\\(command:paved\\.signOut\\)** `a`',
        '',
        '\\<img src=x\\>',
        '',
        'Owner: team\\_x  ',
        'Source: this workspace',
        '',
        'local: ✓ running',
        '',
        '_✓ running and healthy · ⚠ degraded · ✗ unhealthy or failed · ↻ deploying · ■ stopped · … not checked yet_',
      ].join('\n'),
    );
  });

  it('shows the health of running environments: the icon, a mark in the description, the meaning in the tooltip', () => {
    const s = svc('a', { owner: 'team-x', status: { local: 'running', staging: 'running', production: 'stopped' }, health: { local: 'healthy', staging: 'degraded' } });
    assert.equal(statusIcon(s.status, s.health), 'degraded');
    assert.equal(statusIcon(s.status, { local: 'unhealthy', staging: 'degraded' }), 'unhealthy');
    assert.equal(statusIcon({ local: 'failed' }, { staging: 'degraded' }), 'failed', 'a failure still wins');
    assert.equal(statusIcon({ local: 'running' }, { local: 'healthy' }), 'running');
    assert.equal(serviceDescription(s), 'team-x · local ✓ · staging ⚠ · production ■');
    const tip = serviceTooltip(s).split('\n');
    assert.ok(tip.includes('local: ✓ running, healthy: it answers its health check  '), tip.join('\n'));
    assert.ok(tip.includes('staging: ⚠ running, degraded: some health checks fail, not yet enough to call it unhealthy  '));
    assert.ok(tip.includes('production: ■ stopped'));
  });

  it('says in the tooltip where a catalog without a deploy API deploys a service, or why it does not', () => {
    const through = serviceTooltip(svc('a', { deploysThrough: 'https://paved.example.com' }), true).split('\n');
    assert.deepEqual(through.slice(-2), ['', 'Deploys through the Paved platform at https://paved\\.example\\.com']);
    const none = serviceTooltip(svc('b'), false).split('\n');
    assert.deepEqual(none.slice(-2), ['', 'No Deploy here: this catalog has no deploy API. Annotate the entity with `paved.dev/platform-api: <url>` to deploy it through a Paved platform.']);
    assert.equal(serviceTooltip(svc('c')).split('\n').at(-1), 'Not deployed anywhere yet.');
  });
});
