import * as assert from 'node:assert/strict';
import { Catalog, asV1, decodeCursor, encodeCursor, entryFromCatalogInfo, entryFromPavedManifest, matchesFilter, mergeEntries, refName, serviceRefTarget, type CatalogEntry } from '../../../../src/core/catalog';
import { PavedError } from '../../../../src/core/errors';

function svc(name: string, extra: Partial<CatalogEntry> = {}): CatalogEntry {
  return { name, owner: 'team-a', tags: [], source: 'registered', manifest: {}, manifestKind: 'registered', links: [], dependsOn: [], providesApis: [], consumesApis: [], ...extra };
}

describe('core/catalog model', () => {
  it('reads a paved.yaml v1 manifest', () => {
    const e = entryFromPavedManifest(
      {
        apiVersion: 'paved.dev/v1',
        kind: 'Service',
        metadata: { name: 'payments-api', title: 'Payments API', owner: 'team-payments', system: 'checkout', lifecycle: 'production', tags: ['http', 3], links: [{ title: 'Runbook', url: 'https://x/rb', type: 'runbook' }, { title: 'no url' }], goldenPath: { template: 'node-http-service', version: '1.2.0' } },
        spec: { dependsOn: ['service:ledger'], providesApis: ['payments-v1'] },
      },
      { source: 'workspace', manifestPath: '/w/paved.yaml', sourceDir: '/w' },
    );
    assert.deepEqual(e, {
      name: 'payments-api',
      title: 'Payments API',
      owner: 'team-payments',
      system: 'checkout',
      lifecycle: 'production',
      tags: ['http'],
      source: 'workspace',
      manifest: e.manifest,
      manifestKind: 'paved.yaml',
      manifestPath: '/w/paved.yaml',
      sourceDir: '/w',
      links: [{ title: 'Runbook', url: 'https://x/rb', type: 'runbook' }],
      dependsOn: ['service:ledger'],
      providesApis: ['payments-v1'],
      consumesApis: [],
      goldenPath: { template: 'node-http-service', version: '1.2.0' },
    });
  });

  it('refuses what is not a Service manifest, with the reason', () => {
    assert.throws(() => entryFromPavedManifest({ apiVersion: 'v9', kind: 'Service' }, { source: 'registered' }), /apiVersion must be paved.dev\/v1 or paved.dev\/v1alpha1, not "v9"/);
    assert.throws(() => entryFromPavedManifest({ apiVersion: 'paved.dev/v1', kind: 'Job' }, { source: 'registered' }), /kind must be Service, not "Job"/);
    assert.throws(() => entryFromPavedManifest({ apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'Bad_Name', owner: 'x' } }, { source: 'registered' }), /metadata.name must be a DNS label, not "Bad_Name"/);
    assert.throws(() => entryFromPavedManifest({ apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'ok' } }, { source: 'registered' }), /service ok: metadata.owner is required/);
  });

  it('reads a v1alpha1 manifest through the migration (metadata.team is the owner), keeping the original', () => {
    const doc = { apiVersion: 'paved.dev/v1alpha1', kind: 'Service', metadata: { name: 'old', team: 'team-old' }, spec: { command: 'node s.js', port: 80 } };
    const e = entryFromPavedManifest(doc, { source: 'registered' });
    assert.equal(e.owner, 'team-old');
    assert.equal(e.manifest, doc);
    assert.deepEqual(asV1(doc).spec, { run: { command: 'node s.js', port: 80 } });
    assert.throws(() => entryFromPavedManifest({ ...doc, metadata: { name: 'old' } }, { source: 'registered' }), /service old: metadata.owner is required \(metadata.team in v1alpha1\)/);
  });

  it('reads a Backstage Component and ignores other kinds', () => {
    const e = entryFromCatalogInfo({ kind: 'Component', metadata: { name: 'web' }, spec: { owner: 'group:default/team-web', system: 'system:shop', lifecycle: 'production', providesApis: ['api:default/web-v1'] } }, { source: 'workspace' });
    assert.equal(e?.owner, 'team-web');
    assert.equal(e?.system, 'shop');
    assert.deepEqual(e?.providesApis, ['web-v1']);
    assert.equal(entryFromCatalogInfo({ kind: 'API', metadata: { name: 'x' } }, { source: 'workspace' }), undefined);
  });

  it('merges paved.yaml over catalog-info.yaml', () => {
    const m = mergeEntries(svc('a', { owner: 'p', links: [] }), svc('a', { owner: 'b', links: [{ url: 'https://l' }], providesApis: ['x'] }));
    assert.equal(m.owner, 'p');
    assert.deepEqual(m.links, [{ url: 'https://l' }]);
    assert.deepEqual(m.providesApis, ['x']);
  });

  it('resolves refs', () => {
    assert.equal(refName('group:default/team-a'), 'team-a');
    assert.equal(refName('team-a'), 'team-a');
    assert.equal(serviceRefTarget('service:ledger'), 'ledger');
    assert.equal(serviceRefTarget('component:default/web'), 'web');
    assert.equal(serviceRefTarget('ledger'), 'ledger');
    assert.equal(serviceRefTarget('resource:db'), undefined);
  });
});

describe('core/catalog paging and filters', () => {
  const names = Array.from({ length: 25 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
  const cat = new Catalog(names.reverse().map((n, i) => svc(n, { owner: i % 2 ? 'odd' : 'even', tags: n.endsWith('7') ? ['seven'] : [] })));

  it('walks every entry exactly once in name order', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const p = cat.list({}, 10, cursor);
      seen.push(...p.items.map((e) => e.name));
      cursor = p.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...names].sort());
  });

  it('the last page has no cursor, also when it is exactly full', () => {
    const p = cat.list({}, 25);
    assert.equal(p.items.length, 25);
    assert.equal(p.nextCursor, undefined);
  });

  it('filters before paging and only offers a cursor when more matches exist', () => {
    const p1 = cat.list({ text: 'SEVEN' }, 1);
    assert.deepEqual(p1.items.map((e) => e.name), ['svc-07']);
    const p2 = cat.list({ text: 'seven' }, 1, p1.nextCursor);
    assert.deepEqual(p2.items.map((e) => e.name), ['svc-17']);
    assert.equal(p2.nextCursor, undefined);
  });

  it('a cursor stays valid when entries are added or removed', () => {
    const c = new Catalog(['a', 'c', 'e', 'g'].map((n) => svc(n)));
    const p1 = c.list({}, 2);
    c.remove('c');
    c.put(svc('b'));
    c.put(svc('d'));
    assert.deepEqual(c.list({}, 10, p1.nextCursor).items.map((e) => e.name), ['d', 'e', 'g']);
  });

  it('rejects a forged cursor', () => {
    assert.throws(() => decodeCursor('!!!'), (e: unknown) => PavedError.is(e, 'invalid-input'));
    assert.throws(() => decodeCursor(Buffer.from('{"x":1}').toString('base64url')), /cursor is not one this server issued/);
    assert.equal(decodeCursor(encodeCursor('svc-1')), 'svc-1');
  });

  it('matches owner, system, lifecycle and text', () => {
    const e = svc('pay', { owner: 'o', system: 's', lifecycle: 'production', title: 'Payments', description: 'Cards' });
    assert.equal(matchesFilter(e, { owner: 'o', system: 's', lifecycle: 'production', text: 'card' }), true);
    assert.equal(matchesFilter(e, { owner: 'x' }), false);
    assert.equal(matchesFilter(e, { lifecycle: 'deprecated' }), false);
    assert.equal(matchesFilter(e, { text: 'ledger' }), false);
  });

  it('computes dependents and updates them on change', () => {
    const c = new Catalog([svc('ledger'), svc('pay', { dependsOn: ['service:ledger', 'resource:db'] }), svc('web', { dependsOn: ['component:default/pay', 'ledger'] })]);
    assert.deepEqual(c.dependents('ledger'), ['pay', 'web']);
    assert.deepEqual(c.dependents('pay'), ['web']);
    assert.deepEqual(c.dependents('db'), []);
    c.remove('web');
    assert.deepEqual(c.dependents('ledger'), ['pay']);
  });
});
