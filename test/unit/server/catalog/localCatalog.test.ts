import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PavedError } from '../../../../src/core/errors';
import { LocalCatalog } from '../../../../src/server/catalog/localCatalog';
import { isAlive } from '../../../../src/server/deploy/processes';
import { InvalidRequest } from '../../../../src/server/errors';

function writeManifest(dir: string, name: string, meta: { owner: string; system?: string; lifecycle?: string }): void {
  fs.mkdirSync(dir, { recursive: true });
  const lines = ['apiVersion: paved.dev/v1', 'kind: Service', 'metadata:', `  name: ${name}`, `  owner: ${meta.owner}`];
  if (meta.system) lines.push(`  system: ${meta.system}`);
  if (meta.lifecycle) lines.push(`  lifecycle: ${meta.lifecycle}`);
  fs.writeFileSync(path.join(dir, 'paved.yaml'), `${lines.join('\n')}\n`);
}

describe('server/catalog: the local catalog (facets, attached folders, registrations, teams)', () => {
  let root: string;
  let ws1: string;
  let ws2: string;
  let catalog: LocalCatalog;
  const open = async () => {
    const c = new LocalCatalog({ workspaces: [ws1], registrationsFile: path.join(root, 'state', 'registrations.jsonl'), now: () => new Date(), log: () => undefined, isAlive, startedAt: '2026-01-01T00:00:00.000Z' });
    await c.load();
    return c;
  };

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-facets-'));
    ws1 = path.join(root, 'ws1');
    ws2 = path.join(root, 'ws2');
    writeManifest(path.join(ws1, 'payments'), 'payments', { owner: 'team-pay', system: 'checkout', lifecycle: 'production' });
    writeManifest(path.join(ws2, 'search'), 'search', { owner: 'team-search', lifecycle: 'deprecated' });
    writeManifest(path.join(ws2, 'ledger'), 'ledger', { owner: 'team-pay', system: 'checkout' });
    catalog = await open();
  });

  afterEach(() => {
    catalog.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** The names in the catalog, as a read through the API sees them (after `current`). */
  const names = async () => {
    await catalog.current();
    return catalog.list({ limit: 500 }).items.map((s) => s.name);
  };

  /** The facets recounted from the full service list: what the index must always equal. */
  function recount() {
    const items = catalog.list({ limit: 500 }).items;
    const count = (pick: (s: (typeof items)[number]) => string | undefined) => {
      const m = new Map<string, number>();
      for (const s of items) {
        const v = pick(s);
        if (v) m.set(v, (m.get(v) ?? 0) + 1);
      }
      return [...m].sort(([x], [y]) => (x < y ? -1 : 1)).map(([value, n]) => ({ value, count: n }));
    };
    return { total: items.length, owners: count((s) => s.owner), systems: count((s) => s.system), lifecycles: count((s) => s.lifecycle) };
  }

  it('keeps exact counts through registrations, a workspace file hiding one, and unregistering', async () => {
    assert.deepEqual(catalog.facets(), {
      total: 1,
      owners: [{ value: 'team-pay', count: 1 }],
      systems: [{ value: 'checkout', count: 1 }],
      lifecycles: [{ value: 'production', count: 1 }],
    });
    catalog.register({ manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'billing', owner: 'team-pay', system: 'invoicing', lifecycle: 'experimental' } } });
    catalog.register({ manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'docs', owner: 'team-docs' } } });
    assert.deepEqual(catalog.facets(), recount());
    assert.equal(catalog.facets().total, 3);

    // A workspace manifest named like a registration replaces it in the catalog (and in the counts)…
    writeManifest(path.join(ws1, 'docs'), 'docs', { owner: 'team-web', system: 'portal', lifecycle: 'production' });
    await catalog.rescan();
    assert.deepEqual(catalog.facets(), {
      total: 3,
      owners: [
        { value: 'team-pay', count: 2 },
        { value: 'team-web', count: 1 },
      ],
      systems: [
        { value: 'checkout', count: 1 },
        { value: 'invoicing', count: 1 },
        { value: 'portal', count: 1 },
      ],
      lifecycles: [
        { value: 'experimental', count: 1 },
        { value: 'production', count: 2 },
      ],
    });
    // …and the registration comes back when the file goes.
    fs.rmSync(path.join(ws1, 'docs'), { recursive: true });
    await catalog.rescan();
    assert.deepEqual(catalog.facets(), recount());
    assert.deepEqual(catalog.facets().owners, [
      { value: 'team-docs', count: 1 },
      { value: 'team-pay', count: 2 },
    ]);

    catalog.unregister('billing');
    catalog.unregister('docs');
    assert.deepEqual(catalog.facets(), recount());
    assert.deepEqual(catalog.facets().systems, [{ value: 'checkout', count: 1 }]);
  });

  it('counts the same after a restart from the registration journal', async () => {
    catalog.register({ manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'billing', owner: 'team-pay', system: 'invoicing' } } });
    const before = catalog.facets();
    catalog.close();
    catalog = await open();
    assert.deepEqual(catalog.facets(), before);
    assert.equal(before.total, 2);
  });

  it('attaches a client’s folders (catalog and facets include them at once) and detaches them', async () => {
    const w = await catalog.attachWorkspace('window-2', { folders: [ws2], label: 'window 2' });
    assert.deepEqual({ ...w, attachedAt: undefined }, { id: 'window-2', folders: [ws2], label: 'window 2', attachedAt: undefined });
    assert.deepEqual(await names(), ['ledger', 'payments', 'search']);
    assert.deepEqual(catalog.facets().owners, [
      { value: 'team-pay', count: 2 },
      { value: 'team-search', count: 1 },
    ]);
    assert.deepEqual(
      (await catalog.listWorkspaces()).map((x) => [x.id, x.folders]),
      [
        ['serve', [ws1]],
        ['window-2', [ws2]],
      ],
    );
    // The same body again is the same attachment.
    assert.equal(await catalog.attachWorkspace('window-2', { folders: [ws2], label: 'window 2' }), w);

    await catalog.detachWorkspace('window-2');
    assert.deepEqual(await names(), ['payments']);
    assert.deepEqual(catalog.facets(), recount());
    assert.deepEqual((await catalog.listWorkspaces()).map((x) => x.id), ['serve']);
  });

  it('a folder attached by two clients stays until both detached; replacing an attachment drops its old folders', async () => {
    await catalog.attachWorkspace('a', { folders: [ws2] });
    await catalog.attachWorkspace('b', { folders: [ws2, ws1] });
    await catalog.detachWorkspace('a');
    assert.deepEqual(await names(), ['ledger', 'payments', 'search']);
    await catalog.attachWorkspace('b', { folders: [] });
    assert.deepEqual(await names(), ['payments']);
  });

  it('drops an attachment when its process is gone', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    await catalog.attachWorkspace('window-9', { folders: [ws2], pid: child.pid });
    assert.deepEqual(await names(), ['ledger', 'payments', 'search']);
    child.kill('SIGKILL');
    await exited;
    // Within the 2 s between scheduled rescans: the catalog drops the folders at once all the same.
    assert.deepEqual(await names(), ['payments']);
    assert.deepEqual(catalog.facets().owners, [{ value: 'team-pay', count: 1 }]);
    assert.deepEqual((await catalog.listWorkspaces()).map((x) => x.id), ['serve']);
  });

  it('refuses relative and missing folders, a dead pid and the reserved id, naming each problem', async () => {
    const err = await (async () => {
      try {
        await catalog.attachWorkspace('w', { folders: ['relative/dir', path.join(root, 'missing'), ws2], pid: 2 ** 22 + 12345 });
      } catch (e) {
        return e;
      }
      throw new Error('no error');
    })();
    assert.ok(err instanceof InvalidRequest);
    assert.deepEqual(err.errors, [
      { pointer: '/body/folders/0', message: 'must be an absolute path' },
      { pointer: '/body/folders/1', message: 'is not a directory on the platform host' },
      { pointer: '/body/pid', message: 'is not a running process on the platform host' },
    ]);
    assert.deepEqual(await names(), ['payments'], 'nothing was attached');
    await assert.rejects(catalog.attachWorkspace('serve', { folders: [ws2] }), (e: unknown) => e instanceof InvalidRequest && e.message === "'serve' names the folders given at start; choose another id");
    await assert.rejects(catalog.detachWorkspace('nobody'), (e: unknown) => PavedError.is(e) && e.code === 'not-found' && e.message === "no workspace attachment 'nobody'");
  });

  it('replays registrations and unregistrations from the journal; workspace services cannot be unregistered', async () => {
    const manifest = (name: string) => ({ apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name, owner: 'team-x' } });
    catalog.register({ manifest: manifest('alpha') });
    catalog.register({ manifest: manifest('beta'), sourceDir: ws2 });
    catalog.unregister('alpha');
    catalog.close();
    catalog = await open();
    assert.deepEqual(await names(), ['beta', 'payments']);
    assert.equal(catalog.entry('beta').sourceDir, ws2);
    assert.equal(catalog.entry('beta').source, 'registered');
    assert.throws(() => catalog.unregister('payments'), (e: unknown) => PavedError.is(e, 'conflict') && e.message === `'payments' comes from ${path.join(ws1, 'payments', 'paved.yaml')}; remove the file instead`);
    assert.throws(() => catalog.unregister('alpha'), (e: unknown) => PavedError.is(e, 'not-found'));
  });

  it('registering a workspace service from its own folder is no change; any other clash or bad request is refused', async () => {
    const payments = { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'payments', owner: 'team-pay' } };
    const same = catalog.register({ manifest: payments, sourceDir: path.join(ws1, 'payments') });
    assert.equal(same.created, false);
    assert.equal(same.entry.source, 'workspace');
    assert.throws(() => catalog.register({ manifest: payments, sourceDir: ws2 }), (e: unknown) => PavedError.is(e, 'conflict'));
    const bad = (req: Parameters<LocalCatalog['register']>[0]) => {
      try {
        catalog.register(req);
      } catch (e) {
        return e instanceof InvalidRequest ? e.errors : e;
      }
      throw new Error('no error');
    };
    assert.deepEqual(bad({ manifest: { ...payments, metadata: { name: 'new', owner: 'a' } }, sourceDir: 'rel' }), [{ pointer: '/body/sourceDir', message: 'must be an absolute path' }]);
    assert.deepEqual(bad({ manifest: { ...payments, metadata: { name: 'new', owner: 'a' } }, sourceDir: path.join(root, 'missing') }), [{ pointer: '/body/sourceDir', message: 'is not a directory on the platform host' }]);
    assert.deepEqual((bad({ manifest: { kind: 'Service' } }) as { pointer: string }[]).map((e) => e.pointer), ['/body/manifest']);
    assert.deepEqual(await names(), ['payments'], 'nothing was registered');
  });

  it('lists the teams teams.yaml describes and every other owner, each with its service count', async () => {
    fs.mkdirSync(path.join(ws1, '.paved'));
    fs.writeFileSync(path.join(ws1, '.paved', 'teams.yaml'), 'teams:\n  - name: team-docs\n    title: Docs\n    members: [ann]\n  - name: team-pay\n    email: pay@example.com\n');
    await catalog.attachWorkspace('w', { folders: [ws2] });
    assert.deepEqual(catalog.listTeams(10).items, [
      { name: 'team-docs', title: 'Docs', members: ['ann'], serviceCount: 0 },
      { name: 'team-pay', email: 'pay@example.com', members: [], serviceCount: 2 },
      { name: 'team-search', members: [], serviceCount: 1 },
    ]);
    const first = catalog.listTeams(1);
    assert.deepEqual(catalog.listTeams(1, first.nextCursor).items.map((t) => t.name), ['team-pay']);
    assert.equal(catalog.getTeam('team-search').serviceCount, 1);
    assert.throws(() => catalog.getTeam('nobody'), (e: unknown) => PavedError.is(e, 'not-found'));
  });

  it('answers the names with one object until a service or the teams change (the gate checks every service with it)', async () => {
    await catalog.current();
    const first = catalog.names();
    assert.deepEqual(first.services, ['payments']);
    assert.equal(catalog.names(), first, 'the same object while nothing changed');
    catalog.register({ manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'billing', owner: 'team-bill', lifecycle: 'deprecated' } } });
    const registered = catalog.names();
    assert.deepEqual([registered.services, registered.teams, registered.deprecatedServices], [['billing', 'payments'], ['team-bill', 'team-pay'], ['billing']]);
    catalog.unregister('billing');
    assert.deepEqual(catalog.names().services, ['payments']);
    await catalog.attachWorkspace('w', { folders: [ws2] });
    assert.deepEqual(catalog.names().services, ['ledger', 'payments', 'search']);
    fs.mkdirSync(path.join(ws1, '.paved'));
    fs.writeFileSync(path.join(ws1, '.paved', 'teams.yaml'), 'teams:\n  - name: team-docs\n');
    await catalog.rescan();
    assert.deepEqual(catalog.names().teams, ['team-docs', 'team-pay', 'team-search']);
  });
});
