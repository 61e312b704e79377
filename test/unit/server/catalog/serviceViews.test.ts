import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DoraMetrics, EnvironmentState, ServiceEnvironmentStatus } from '../../../../src/core/api/types';
import { PavedError } from '../../../../src/core/errors';
import { LocalCatalog } from '../../../../src/server/catalog/localCatalog';
import { ServiceViews, type ServiceRuntime } from '../../../../src/server/catalog/serviceViews';
import { PolicyGate } from '../../../../src/server/policy/gate';
import { tempDir } from '../fakes';

/** A runtime that knows one running service and records what it is asked to retire. */
class FakeRuntime implements ServiceRuntime {
  readonly retired: string[] = [];
  deploying = false;
  states(service: string): Record<string, EnvironmentState> {
    return service === 'api' ? { local: 'running' } : {};
  }
  environments(service: string): ServiceEnvironmentStatus[] {
    return [{ environment: 'local', state: service === 'api' ? 'running' : 'not-deployed' }];
  }
  metrics(_service: string, windowDays: number, environment: string): DoraMetrics {
    return { windowDays, environment, deployments: 0, deploymentFrequencyPerDay: 0 };
  }
  retire(service: string): Promise<void> {
    if (this.deploying) return Promise.reject(new PavedError('conflict', `${service} is deploying`));
    this.retired.push(service);
    return Promise.resolve();
  }
}

describe('server/catalog: services as the API shows them', () => {
  let root: string;
  let catalog: LocalCatalog;
  let runtime: FakeRuntime;
  let views: ServiceViews;
  const manifest = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name, owner: 'team-a', ...extra } });

  beforeEach(() => {
    root = tempDir('views');
    catalog = new LocalCatalog({ workspaces: [], registrationsFile: path.join(root, 'registrations.jsonl'), now: () => new Date(), log: () => undefined, isAlive: () => true, startedAt: '' });
    catalog.load();
    runtime = new FakeRuntime();
    views = new ServiceViews(catalog, runtime, new PolicyGate({ policiesFile: path.join(root, 'policies.yaml'), catalog, now: () => new Date() }));
    catalog.register({ manifest: manifest('legacy', { lifecycle: 'deprecated' }) });
    catalog.register({ manifest: { ...manifest('api', { system: 'shop' }), spec: { dependsOn: ['service:legacy'] } } });
  });

  afterEach(() => {
    catalog.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a summary carries the runtime’s states; details its environments, metrics, dependents and scorecard', () => {
    assert.deepEqual(views.list({ limit: 10 }).items, [
      { name: 'api', owner: 'team-a', tags: [], source: 'registered', status: { local: 'running' }, system: 'shop' },
      { name: 'legacy', owner: 'team-a', tags: [], source: 'registered', status: {}, lifecycle: 'deprecated' },
    ]);
    const api = views.get('api');
    assert.deepEqual(api.environments, [{ environment: 'local', state: 'running' }]);
    assert.deepEqual(api.metrics, { windowDays: 30, environment: 'production', deployments: 0, deploymentFrequencyPerDay: 0 });
    assert.deepEqual(views.get('legacy').dependents, ['api']);
    const deprecated = api.scorecard.results.find((r) => r.ruleId === 'no-deprecated-dependency');
    assert.equal(deprecated?.passed, false, 'the scorecard knows legacy is deprecated');
  });

  it('unregistering retires the service first; when the runtime refuses, the service stays', async () => {
    runtime.deploying = true;
    await assert.rejects(views.unregister('api'), /api is deploying/);
    assert.ok(views.get('api'));
    runtime.deploying = false;
    await views.unregister('api');
    assert.deepEqual(runtime.retired, ['api']);
    assert.throws(() => views.get('api'), (e: unknown) => PavedError.is(e, 'not-found'));
  });

  it('registering answers with the details; a clash is refused before anything is retired', async () => {
    const r = views.register({ manifest: manifest('web') });
    assert.deepEqual([r.created, r.details.name, r.details.environments.length], [true, 'web', 1]);
    await assert.rejects(views.unregister('nope'), (e: unknown) => PavedError.is(e, 'not-found'));
    assert.deepEqual(runtime.retired, []);
  });
});
