import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ApiServer } from '../../../src/server/http';
import { Contract } from '../../../src/server/openapi';
import { LocalPlatform } from '../../../src/server/platform';
import { platformRoutes } from '../../../src/server/routes';
import { joinRoutes, type Routes } from '../../../src/server/routing';
import { FakeHost, tempDir } from './fakes';

describe('server: the operation table', () => {
  let root: string;
  let platform: LocalPlatform;

  beforeEach(async () => {
    root = tempDir('routes');
    platform = new LocalPlatform({ stateDir: path.join(root, 'state'), workspaces: [], templateRoots: [], host: new FakeHost() });
    await platform.load();
  });

  afterEach(async () => {
    await platform.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('has a handler for exactly the operations of the contract', () => {
    const contract = new Contract().operations().map((o) => o.operationId).sort();
    assert.deepEqual(Object.keys(platformRoutes(platform, { version: '0.0.0' })).sort(), contract);
  });

  it('refuses an operation handled twice', () => {
    const h = () => ({ status: 204 });
    assert.deepEqual(Object.keys(joinRoutes({ a: h }, { b: h })), ['a', 'b']);
    assert.throws(() => joinRoutes({ a: h }, { b: h, a: h }), /operation a has two handlers/);
  });

  it('answers an operation without a handler with 501 unsupported', async () => {
    const table: Routes = { getHealth: () => ({ status: 200, body: { status: 'ok' } }) };
    const api = new ApiServer(table, { token: 't'.repeat(32), log: () => undefined });
    const server = http.createServer(api.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const health = await fetch(`${url}/v1/health`);
      assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
      const res = await fetch(`${url}/v1/teams`, { headers: { authorization: `Bearer ${'t'.repeat(32)}` } });
      const body = (await res.json()) as { code: string; detail: string };
      assert.deepEqual([res.status, body.code, body.detail], [501, 'unsupported', 'listTeams is not implemented by the local platform']);
    } finally {
      server.close();
    }
  });
});
