import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PavedError } from '../../../src/core/errors';
import { LocalPlatform } from '../../../src/server/platform';
import { FakeHost, tempDir, thrown } from './fakes';

describe('server: the local platform composes its rooms', () => {
  let root: string;
  let host: FakeHost;
  let platform: LocalPlatform;
  const open = async (): Promise<LocalPlatform> => {
    const p = new LocalPlatform({ stateDir: path.join(root, 'state'), workspaces: [path.join(root, 'ws')], templateRoots: [path.join(root, 'templates')], host, probe: host.probe(() => 200) });
    await p.load();
    return p;
  };

  beforeEach(async () => {
    root = tempDir('platform');
    host = new FakeHost();
    const src = path.join(root, 'ws', 'api');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'paved.yaml'), 'apiVersion: paved.dev/v1\nkind: Service\nmetadata: {name: api, owner: team-a}\nspec: {run: {command: serve}}\n');
    fs.mkdirSync(path.join(root, 'ws', 'broken'));
    fs.writeFileSync(path.join(root, 'ws', 'broken', 'paved.yaml'), 'metadata: [');
    platform = await open();
  });

  afterEach(async () => {
    await platform.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a deployment shows in the catalog’s views; unregistering a registered service stops what it runs', async () => {
    const d = platform.deployments.create('api', { environment: 'local' });
    assert.equal(platform.busy(), true);
    await platform.deployments.settled(d.id);
    assert.equal(platform.busy(), false);
    assert.deepEqual(platform.services.list({ limit: 10 }).items.map((s) => [s.name, s.status]), [['api', { local: 'running' }]]);
    assert.equal(platform.services.get('api').environments[0].url, 'http://127.0.0.1:41000');
    assert.equal(platform.runningServices(), 1);

    const reg = platform.services.register({ manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'web', owner: 'team-a' }, spec: { run: { command: 'serve' } } }, sourceDir: path.join(root, 'ws', 'api') });
    assert.equal(reg.created, true);
    const web = platform.deployments.create('web', { environment: 'local' });
    await platform.deployments.settled(web.id);
    const webPid = host.spawned.at(-1)?.pid;
    await platform.services.unregister('web');
    assert.deepEqual(host.stopped, [webPid]);
    assert.equal(platform.runningServices(), 1);
  });

  it('stops every service it started and adopts nothing of its own after a clean restart', async () => {
    const d = platform.deployments.create('api', { environment: 'local' });
    await platform.deployments.settled(d.id);
    await platform.stop();
    assert.deepEqual(host.stopped, [host.spawned[0].pid]);
    platform = await open();
    assert.equal(platform.runningServices(), 0);
    assert.deepEqual(platform.services.get('api').environments[0].state, 'stopped');
  });

  it('feedback about a service asks the catalog; errors of each room are reported', () => {
    assert.ok(PavedError.is(thrown(() => platform.feedback.create({ message: 'x', service: 'nope' })), 'not-found'));
    assert.equal(platform.feedback.create({ message: 'x', service: 'api' }).service, 'api');
    assert.equal(platform.catalogErrors.length, 1);
    assert.match(platform.catalogErrors[0], /broken\/paved\.yaml/);
    assert.equal(platform.templateErrors.length, 1, 'the missing template root');
    assert.equal(platform.environments.map((e) => e.portRange.from).join(), '41000,42000,43000');
  });
});
