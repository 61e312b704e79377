/**
 * The catalog's facets (`GET /v1/service-facets`) and the workspace folders clients attach (`/v1/workspaces`), against
 * a real `paved serve` over loopback. Every response is checked against the contract by `call`.
 */
import { spawn } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { call, pidAlive, portBase, serve, tempDir, writeService, type Served } from './helpers';
import type { Page, Problem, ServiceSummary } from '../../src/core/api/types';

interface Facets {
  total: number;
  owners: { value: string; count: number }[];
  systems: { value: string; count: number }[];
  lifecycles: { value: string; count: number }[];
}

interface Workspace {
  id: string;
  folders: string[];
  pid?: number;
  label?: string;
  attachedAt: string;
}

describe('Platform API contract: service facets and attached workspace folders', function () {
  this.timeout(60000);
  let s: Served;
  let ws: string;
  let other: string;

  before(async () => {
    ws = tempDir('facets-ws');
    other = tempDir('facets-other');
    writeService(path.join(ws, 'payments'), 'payments', { owner: 'team-payments', system: 'checkout', lifecycle: 'production' });
    writeService(path.join(ws, 'ledger'), 'ledger', { owner: 'team-ledger', system: 'checkout' });
    writeService(path.join(ws, 'search'), 'search', { owner: 'team-search', lifecycle: 'deprecated' });
    writeService(path.join(other, 'mailer'), 'mailer', { owner: 'team-ledger', system: 'messaging', lifecycle: 'production' });
    s = await serve(['--state-dir', tempDir('facets-state'), '--workspace', ws, '--port-base', String(portBase()), '--idle-timeout', '0']);
  });

  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  const names = async (): Promise<string[]> => (await call<Page<ServiceSummary>>(s, 'GET', '/v1/services?limit=500')).body.items.map((x) => x.name);
  const facets = async (): Promise<Facets> => {
    const r = await call<Facets>(s, 'GET', '/v1/service-facets');
    assert.equal(r.status, 200);
    return r.body;
  };

  describe('GET /v1/service-facets', () => {
    it('counts owners, systems and lifecycles over the whole catalog, ordered by value', async () => {
      assert.deepEqual(await facets(), {
        total: 3,
        owners: [
          { value: 'team-ledger', count: 1 },
          { value: 'team-payments', count: 1 },
          { value: 'team-search', count: 1 },
        ],
        systems: [{ value: 'checkout', count: 2 }],
        lifecycles: [
          { value: 'deprecated', count: 1 },
          { value: 'experimental', count: 1 },
          { value: 'production', count: 1 },
        ],
      });
    });

    it('follows registrations and unregistrations', async () => {
      const manifest = { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'billing', owner: 'team-payments', system: 'invoicing', lifecycle: 'production' } };
      assert.equal((await call(s, 'POST', '/v1/services', { body: { manifest } })).status, 201);
      const f = await facets();
      assert.equal(f.total, 4);
      assert.deepEqual(f.owners.find((o) => o.value === 'team-payments'), { value: 'team-payments', count: 2 });
      assert.deepEqual(f.systems, [
        { value: 'checkout', count: 2 },
        { value: 'invoicing', count: 1 },
      ]);
      assert.deepEqual(f.lifecycles.find((o) => o.value === 'production'), { value: 'production', count: 2 });
      assert.equal((await call(s, 'DELETE', '/v1/services/billing')).status, 204);
      assert.equal((await facets()).total, 3);
      assert.deepEqual((await facets()).systems, [{ value: 'checkout', count: 2 }]);
    });

    it('follows a workspace manifest that appears or changes', async () => {
      writeService(path.join(ws, 'docs'), 'docs', { owner: 'team-docs', system: 'portal' });
      // The platform rescans the workspace at most every 2 s; attaching a folder rescans at once.
      assert.equal((await call(s, 'PUT', '/v1/workspaces/rescan', { body: { folders: [] } })).status, 200);
      assert.deepEqual((await facets()).systems, [
        { value: 'checkout', count: 2 },
        { value: 'portal', count: 1 },
      ]);
      fs.rmSync(path.join(ws, 'docs'), { recursive: true });
      assert.equal((await call(s, 'DELETE', '/v1/workspaces/rescan')).status, 204);
      assert.equal((await facets()).total, 3);
    });

    it('needs a token, reads with the read-only one, takes no parameters', async () => {
      assert.equal((await call<Problem>(s, 'GET', '/v1/service-facets', { token: '' })).status, 401);
      assert.equal((await call(s, 'GET', '/v1/service-facets', { token: s.readOnlyToken })).status, 200);
      const r = await call<Problem>(s, 'GET', '/v1/service-facets?owner=team-a');
      assert.equal(r.status, 400);
      assert.deepEqual(r.body.errors, [{ pointer: '/query/owner', message: 'is not a parameter of this operation' }]);
    });
  });

  describe('/v1/workspaces', () => {
    it('lists the folders given at start', async () => {
      const r = await call<{ items: Workspace[] }>(s, 'GET', '/v1/workspaces');
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.items.map((w) => [w.id, w.folders, w.label]),
        [['serve', [ws], 'paved serve --workspace']],
      );
    });

    it('PUT attaches a window’s folders: their services are in the catalog and the facets at once; DELETE removes them', async () => {
      const r = await call<Workspace>(s, 'PUT', '/v1/workspaces/window-2', { body: { folders: [other], label: 'window 2' } });
      assert.equal(r.status, 200);
      assert.deepEqual({ ...r.body, attachedAt: typeof r.body.attachedAt }, { id: 'window-2', folders: [other], label: 'window 2', attachedAt: 'string' });
      assert.deepEqual(await names(), ['ledger', 'mailer', 'payments', 'search']);
      assert.deepEqual((await facets()).owners.find((o) => o.value === 'team-ledger'), { value: 'team-ledger', count: 2 });
      assert.deepEqual(
        (await call<{ items: Workspace[] }>(s, 'GET', '/v1/workspaces')).body.items.map((w) => w.id),
        ['serve', 'window-2'],
      );
      // The same PUT again changes nothing.
      const again = await call<Workspace>(s, 'PUT', '/v1/workspaces/window-2', { body: { folders: [other], label: 'window 2' } });
      assert.deepEqual(again.body, r.body);

      assert.equal((await call(s, 'DELETE', '/v1/workspaces/window-2')).status, 204);
      assert.deepEqual(await names(), ['ledger', 'payments', 'search']);
      assert.equal((await facets()).total, 3);
      const gone = await call<Problem>(s, 'DELETE', '/v1/workspaces/window-2');
      assert.equal(gone.status, 404);
      assert.equal(gone.body.detail, "no workspace attachment 'window-2'");
    });

    it('an attachment with a pid ends when that process exits', async () => {
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      const exited = new Promise((r) => child.once('exit', r));
      try {
        assert.equal((await call(s, 'PUT', '/v1/workspaces/window-3', { body: { folders: [other], pid: child.pid } })).status, 200);
        assert.deepEqual(await names(), ['ledger', 'mailer', 'payments', 'search']);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      assert.equal(pidAlive(child.pid!), false);
      assert.deepEqual(await names(), ['ledger', 'payments', 'search']);
      assert.deepEqual(
        (await call<{ items: Workspace[] }>(s, 'GET', '/v1/workspaces')).body.items.map((w) => w.id),
        ['serve'],
      );
    });

    it('refuses relative or missing folders and unknown fields with a problem naming each', async () => {
      const r = await call<Problem>(s, 'PUT', '/v1/workspaces/w', { body: { folders: ['rel/dir', path.join(other, 'missing')] } });
      assert.equal(r.status, 400);
      assert.deepEqual(r.body.errors, [
        { pointer: '/body/folders/0', message: 'must be an absolute path' },
        { pointer: '/body/folders/1', message: 'is not a directory on the platform host' },
      ]);
      const bad = await call<Problem>(s, 'PUT', '/v1/workspaces/w', { body: { folders: [other], colour: 'red' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors, [{ pointer: '/body/colour', message: 'is not a known property' }]);
      const reserved = await call<Problem>(s, 'PUT', '/v1/workspaces/serve', { body: { folders: [other] } });
      assert.equal(reserved.status, 400);
      assert.deepEqual(reserved.body.errors, [{ pointer: '/path/id', message: 'is reserved' }]);
      assert.deepEqual(await names(), ['ledger', 'payments', 'search']);
    });

    it('needs the platform token: none → 401, read-only → 403', async () => {
      assert.equal((await call(s, 'PUT', '/v1/workspaces/w', { token: '', body: { folders: [other] } })).status, 401);
      const ro = await call<Problem>(s, 'PUT', '/v1/workspaces/w', { token: s.readOnlyToken, body: { folders: [other] } });
      assert.equal(ro.status, 403);
      assert.equal((await call(s, 'DELETE', '/v1/workspaces/w', { token: s.readOnlyToken })).status, 403);
      assert.deepEqual(await names(), ['ledger', 'payments', 'search']);
    });
  });
});
