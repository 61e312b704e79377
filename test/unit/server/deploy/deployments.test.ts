import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeploymentEvent, Environment } from '../../../../src/core/api/types';
import { entryFromPavedManifest, type CatalogEntry } from '../../../../src/core/catalog';
import { DEFAULT_ENVIRONMENTS } from '../../../../src/core/deploy';
import { PavedError } from '../../../../src/core/errors';
import { Deployments } from '../../../../src/server/deploy/deployments';
import { writeJsonAtomic } from '../../../../src/server/store';
import { FakeHost, clock, eventWhere, tempDir, thrown } from '../fakes';

const environments: Environment[] = DEFAULT_ENVIRONMENTS.map((e) => ({ ...e, portRange: { from: 41000 + e.order * 1000, to: 41000 + e.order * 1000 + 9 } }));

/** What a deployment told, in order: states and steps (log lines as `log:<text>`). */
function story(events: readonly DeploymentEvent[]): string[] {
  return events.map((e) => (e.type === 'log' ? `log:${e.message}` : e.type === 'step' ? `step:${e.step}` : e.type === 'health' ? `health:${e.message.split(':')[0]}` : `${e.type}:${e.state}`));
}

describe('server/deploy: deployments (runner with a fake process host and health probe)', () => {
  let root: string;
  let host: FakeHost;
  let status: number;
  let deployments: Deployments;
  let entries: Map<string, CatalogEntry>;
  let logged: string[];
  const time = clock();

  const manifest = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name, owner: 'team-a' }, spec });
  const addService = (name: string, spec: Record<string, unknown>, withSource = true): void => {
    const src = path.join(root, 'src', name);
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'server.js'), '// app');
    entries.set(name, entryFromPavedManifest(manifest(name, spec), { source: 'registered', sourceDir: withSource ? src : undefined }));
  };
  const open = async (): Promise<Deployments> => {
    const catalog = {
      entry(name: string): CatalogEntry {
        const e = entries.get(name);
        if (!e) throw new PavedError('not-found', `no service named '${name}' in the catalog`);
        return e;
      },
    };
    const d = new Deployments({ stateDir: path.join(root, 'state'), environments, owner: 'me', catalog, now: time.now, log: (l) => logged.push(l), host, probe: host.probe(() => status) });
    await d.load();
    return d;
  };
  const deploy = async (service = 'api', environment = 'local') => {
    const d = deployments.create(service, { environment });
    await deployments.settled(d.id);
    return deployments.get(d.id);
  };
  const told = (id: string) => story(deployments.events(id).after(0));

  beforeEach(async () => {
    root = tempDir('deployments');
    host = new FakeHost((command) => (command === 'make' ? { exitCode: 0, log: ['compiled'] } : command === 'bad-make' ? { exitCode: 2 } : command === 'crash' ? { exitCode: 1 } : { log: ['listening'] }));
    status = 200;
    entries = new Map();
    logged = [];
    addService('api', { build: { command: 'make' }, run: { command: 'serve' }, environments: { production: { approval: 'required' } } });
    deployments = await open();
  });

  afterEach(async () => {
    await deployments.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('deploys: snapshot and build, start on a free port, health check, switch over', async () => {
    const d = await deploy();
    assert.equal(d.state, 'succeeded');
    assert.equal(d.url, 'http://127.0.0.1:41000');
    assert.deepEqual(told(d.id), [
      'state:pending',
      'state:building',
      'step:snapshot',
      'step:build',
      'log:compiled',
      'state:starting',
      'step:start',
      'state:health-checking',
      'log:listening',
      'health:healthy',
      'step:switch',
      'completed:succeeded',
    ]);
    assert.equal(deployments.events(d.id).done, true);
    const [build, run] = host.spawned;
    assert.equal(build.command, 'make');
    assert.equal(build.cwd, path.join(root, 'state', 'releases', 'api', d.release as string));
    assert.deepEqual([run.command, run.env.PORT, run.env.PAVED_OWNER, run.env.PAVED_SERVICE, run.env.PAVED_ENVIRONMENT, run.env.PAVED_RELEASE], ['serve', '41000', 'me', 'api', 'local', d.release]);
    assert.ok(deployments.releases.runnable('api', d.release as string));
    assert.deepEqual(deployments.states('api'), { local: 'running' });
    assert.deepEqual(deployments.environments('api')[0], { environment: 'local', state: 'running', release: d.release, since: time.now().toISOString(), deploymentId: d.id, port: 41000, url: 'http://127.0.0.1:41000' });
    assert.equal(deployments.runningServices(), 1);
  });

  it('a second deployment replaces the first (which then stops); rollback starts the earlier release without a build', async () => {
    const first = await deploy();
    const second = await deploy();
    assert.equal(second.previousRelease, first.release);
    assert.equal(second.url, 'http://127.0.0.1:41001');
    assert.deepEqual(host.stopped, [host.spawned[1].pid], 'the first release stopped after the switch');
    assert.deepEqual(told(second.id).slice(-3), ['step:switch', 'step:stop', 'completed:succeeded']);

    const spawnedBefore = host.spawned.length;
    const back = deployments.rollback('api', { environment: 'local' });
    assert.deepEqual([back.kind, back.release, back.from], ['rollback', first.release, second.release]);
    await deployments.settled(back.id);
    assert.equal(deployments.get(back.id).state, 'succeeded');
    assert.deepEqual(host.spawned.slice(spawnedBefore).map((s) => s.command), ['serve'], 'no build');
    assert.ok(told(back.id).includes('step:snapshot'));
    assert.equal(deployments.environments('api')[0].release, first.release);
    assert.equal(deployments.slots.rollbackTarget('api', 'local'), second.release);
  });

  it('a failed build changes nothing and keeps no port', async () => {
    addService('api', { build: { command: 'bad-make' }, run: { command: 'serve' } });
    const d = await deploy();
    assert.equal(d.state, 'failed');
    assert.equal(d.error, 'build failed (exit 2)');
    assert.deepEqual(told(d.id).slice(-1), ['failed:failed']);
    assert.equal(deployments.events(d.id).after(0).at(-1)?.message, 'build failed (exit 2); nothing changed in local');
    assert.equal(deployments.releases.runnable('api', d.release as string), undefined);
    assert.deepEqual(deployments.states('api'), { local: 'failed' });
    assert.equal(deployments.environments('api')[0].deploymentId, undefined, 'no slot: nothing ever served');
    assert.equal(d.port, undefined);
  });

  it('an unhealthy release is stopped and the previous one keeps serving: an automatic rollback', async () => {
    const first = await deploy();
    host.behaviour = (command) => (command === 'serve' ? { exitCode: 1 } : { exitCode: 0 });
    const d = await deploy();
    assert.equal(d.state, 'rolled-back');
    assert.equal(d.automaticRollback, true);
    assert.equal(d.error, 'health check failed: the process exited (1) before it became healthy');
    assert.equal(deployments.events(d.id).after(0).at(-1)?.message, `automatic rollback: release ${first.release} keeps serving on port 41000`);
    assert.equal(d.port, undefined);
    assert.deepEqual(deployments.environments('api')[0].release, first.release);
    assert.equal(deployments.states('api').local, 'running');
    assert.equal(host.spawned.at(-1)?.pid, host.stopped.at(-1), 'the candidate was stopped');
  });

  it('an unhealthy first release fails: nothing was serving', async () => {
    host.behaviour = (command) => (command === 'serve' ? { exitCode: 1 } : { exitCode: 0 });
    const d = await deploy();
    assert.equal(d.state, 'failed');
    assert.equal(d.automaticRollback, undefined);
    assert.equal(deployments.events(d.id).after(0).at(-1)?.message, 'health check failed: the process exited (1) before it became healthy; no earlier release was serving');
    assert.deepEqual(deployments.states('api'), { local: 'failed' });
  });

  it('cancelling while the health check waits stops the candidate; a cancelled deployment cannot be cancelled again', async () => {
    status = 503;
    const d = deployments.create('api', { environment: 'local' });
    await eventWhere(deployments.events(d.id), (e) => e.type === 'health');
    assert.equal(deployments.cancel(d.id).state, 'health-checking');
    await deployments.settled(d.id);
    const end = deployments.get(d.id);
    assert.deepEqual([end.state, end.error, end.port], ['cancelled', 'cancelled', undefined]);
    assert.equal(deployments.events(d.id).after(0).at(-1)?.message, 'cancelled; the previous release keeps serving');
    assert.equal(host.stopped.at(-1), host.spawned.at(-1)?.pid);
    assert.ok(PavedError.is(thrown(() => deployments.cancel(d.id)), 'conflict'));
  });

  it('refuses what cannot run, before recording anything', async () => {
    addService('nosrc', { run: { command: 'serve' } }, false);
    addService('norun', {});
    const refusal = (fn: () => unknown) => {
      const e = thrown(fn) as PavedError;
      return [e.code, e.message];
    };
    assert.deepEqual(refusal(() => deployments.create('nosrc', { environment: 'local' })), ['conflict', 'nosrc has no source directory on this machine (register it with sourceDir) so it cannot be built here']);
    assert.deepEqual(refusal(() => deployments.create('norun', { environment: 'local' })), ['conflict', 'norun declares no spec.run.command, so there is nothing to start']);
    assert.deepEqual(refusal(() => deployments.create('api', { environment: 'qa' })), ['not-found', "no environment 'qa' (known: local, staging, production)"]);
    assert.deepEqual(refusal(() => deployments.create('nope', { environment: 'local' })), ['not-found', "no service named 'nope' in the catalog"]);
    assert.deepEqual(refusal(() => deployments.create('api', { environment: 'local', release: 'r-nope' })), ['not-found', "api has no release 'r-nope'"]);
    assert.deepEqual(refusal(() => deployments.rollback('api', { environment: 'local' })), ['conflict', 'api has no earlier release in local to roll back to']);
    assert.deepEqual(refusal(() => deployments.promote('api', { from: 'local' })), ['conflict', 'api is not running in local; nothing to promote']);
    assert.deepEqual(deployments.list({ limit: 10 }).items, []);

    const d = deployments.create('api', { environment: 'local' });
    assert.deepEqual(refusal(() => deployments.create('api', { environment: 'local' })), ['conflict', `deployment ${d.id} of api to local is still building; wait for it or cancel it`]);
    await assert.rejects(deployments.retire('api'), (e: unknown) => PavedError.is(e, 'conflict') && e.message === `deployment ${d.id} of api is still building; cancel it first`);
    await deployments.settled(d.id);
  });

  it('promotes the running release to the next environment; production asks for approval', async () => {
    const local = await deploy();
    const staging = deployments.promote('api', { from: 'local' });
    assert.deepEqual([staging.kind, staging.environment, staging.release, staging.from], ['promote', 'staging', local.release, 'local']);
    await deployments.settled(staging.id);
    assert.equal(deployments.get(staging.id).url, 'http://127.0.0.1:42000');
    assert.ok(PavedError.is(thrown(() => deployments.promote('api', { from: 'local', to: 'production' })), 'conflict'));
    const refused = thrown(() => deployments.promote('api', { from: 'staging' })) as PavedError;
    assert.deepEqual([refused.code, refused.detail], ['forbidden', 'approval-required']);
    const prod = deployments.promote('api', { from: 'staging', approved: true });
    await deployments.settled(prod.id);
    assert.deepEqual(deployments.states('api'), { local: 'running', staging: 'running', production: 'running' });
    assert.equal(host.spawned.filter((s) => s.command === 'make').length, 1, 'built once');
  });

  it('retiring a service stops it everywhere; stopping the platform cancels what runs and refuses new work', async () => {
    await deploy();
    await deployments.retire('api');
    assert.deepEqual(deployments.states('api'), { local: 'stopped' });

    status = 503;
    const d = deployments.create('api', { environment: 'local' });
    await eventWhere(deployments.events(d.id), (e) => e.type === 'health');
    assert.equal(deployments.busy(), true);
    await deployments.stop();
    assert.equal(deployments.get(d.id).state, 'cancelled');
    assert.equal(deployments.events(d.id).after(0).at(-1)?.message, 'cancelled: the platform is stopping');
    assert.equal(deployments.busy(), false);
    assert.ok(PavedError.is(thrown(() => deployments.create('api', { environment: 'local' })), 'conflict'));
  });

  it('at load, a deployment an earlier instance left running is failed and its build stopped (when it is ours)', async () => {
    await deployments.stop();
    const dir = path.join(root, 'state', 'deployments');
    const left = (id: string, pid: number) => ({ id, service: 'api', environment: 'local', kind: 'deploy', state: 'building', createdAt: `2026-03-01T09:00:0${id.slice(-1)}.000Z`, pid });
    writeJsonAtomic(path.join(dir, 'd-1.json'), left('d-1', 77));
    writeJsonAtomic(path.join(dir, 'd-2.json'), left('d-2', 78));
    host.alive.add(77).add(78);
    host.owned.add(77);
    deployments = await open();
    assert.deepEqual(host.stopped, [77], 'a live process that is not ours is left alone');
    for (const id of ['d-1', 'd-2']) {
      const d = deployments.get(id);
      assert.equal(d.state, 'failed');
      assert.equal(d.error, 'the platform stopped while this deployment was running; it was marked failed on restart');
      assert.equal('pid' in d, false);
      assert.deepEqual(told(id), ['failed:failed']);
    }
    assert.deepEqual(deployments.list({ limit: 10 }).items.map((d) => d.id), ['d-2', 'd-1'], 'newest first');
    assert.deepEqual(deployments.states('api'), { local: 'failed' });
    assert.match(logged.join('\n'), /stopping the build\/start of deployment d-1 \(process group 77\)/);
  });

  it('imported history counts in the DORA metrics and pages newest first', () => {
    time.set('2026-03-10T00:00:00.000Z');
    deployments.importHistory([
      { service: 'api', environment: 'production', kind: 'deploy', state: 'succeeded', release: 'r-a', releaseCreatedAt: '2026-03-01T00:00:00.000Z', createdAt: '2026-03-01T01:00:00.000Z', finishedAt: '2026-03-01T01:00:00.000Z' },
      { service: 'api', environment: 'production', kind: 'deploy', state: 'rolled-back', release: 'r-b', releaseCreatedAt: '2026-03-02T00:00:00.000Z', createdAt: '2026-03-02T01:00:00.000Z', finishedAt: '2026-03-02T01:00:00.000Z' },
    ]);
    const m = deployments.serviceMetrics('api', 30, 'production');
    assert.deepEqual([m.deployments, m.leadTimeSeconds, m.changeFailureRate], [1, 3600, 0.5]);
    const page = deployments.listOfService('api', 'production', 1);
    assert.equal(page.items[0].release, 'r-b');
    assert.equal(page.items[0].automaticRollback, true);
    assert.equal(deployments.listOfService('api', 'production', 1, page.nextCursor).items[0].release, 'r-a');
    assert.ok(PavedError.is(thrown(() => deployments.serviceMetrics('api', 30, 'qa')), 'not-found'));
    assert.ok(PavedError.is(thrown(() => deployments.listOfService('nope', undefined, 1)), 'not-found'));
    assert.equal(deployments.releases.runnable('api', 'r-a'), undefined, 'nothing to start from history');
  });

  it('finished deployments are history rows once each, in the order they finished; a reload keeps them', async () => {
    assert.equal(deployments.finishedCount, 0);
    const first = await deploy();
    addService('web', { build: { command: 'bad-make' }, run: { command: 'serve' } });
    const running = deployments.create('web', { environment: 'local' });
    assert.equal(deployments.finishedCount, 1, 'a running deployment is not history yet');
    await deployments.settled(running.id);
    assert.equal(deployments.finishedCount, 2);
    assert.deepEqual([...deployments.finishedRows()].map((r) => [r.service, r.state]), [['api', 'succeeded'], ['web', 'failed']]);
    assert.deepEqual([...deployments.finishedRows(1)].map((r) => r.service), ['web'], 'from a position: only the later ones');
    assert.equal(first.state, 'succeeded');
    time.advance(60_000); // newer by its time, not by its (random) id
    const again = await deploy();
    deployments = await open();
    assert.equal(deployments.finishedCount, 3, 'loaded again: each once');
    assert.deepEqual([...deployments.finishedRows()].map((r) => r.service).sort(), ['api', 'api', 'web']);
    assert.deepEqual(deployments.listOfService('api', undefined, 10).items.map((d) => d.id), [again.id, first.id], "a service's deployments newest first after a load");
  });
});
