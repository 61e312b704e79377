import * as assert from 'node:assert/strict';
import { DEFAULT_HEALTH_POLICY, healthPolicy, UnhealthyAlerts, windowSeconds } from '../../../../src/core/operations';

describe('core/operations health policy and alerts', () => {
  it('health policy: the manifest, else the defaults', () => {
    assert.deepEqual(healthPolicy({}), { ...DEFAULT_HEALTH_POLICY });
    assert.deepEqual(healthPolicy({ spec: { health: { path: '/ready', intervalSeconds: 1, failureThreshold: 2, restartAfterSeconds: 30, timeoutSeconds: 0 } } }), {
      path: '/ready',
      intervalSeconds: 1,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 1,
      restartAfterSeconds: 30,
    });
    assert.equal(windowSeconds('4w'), 28 * 86400);
    assert.equal(windowSeconds('0d'), undefined);
  });

  it('alerts once per service and environment until it recovers; the first snapshot is the baseline', () => {
    const a = new UnhealthyAlerts();
    const mine = (s: string) => s !== 'theirs';
    assert.deepEqual(a.update([{ service: 'api', environment: 'local', state: 'unhealthy' }], mine), [], 'already unhealthy when the window opened');
    assert.deepEqual(a.update([{ service: 'api', environment: 'local', state: 'unhealthy' }, { service: 'web', environment: 'local', state: 'healthy' }], mine), []);
    const turned = a.update([{ service: 'api', environment: 'local', state: 'degraded' }, { service: 'web', environment: 'local', state: 'unhealthy' }, { service: 'theirs', environment: 'local', state: 'unhealthy' }], mine);
    assert.deepEqual(turned, [{ service: 'web', environment: 'local', state: 'unhealthy' }], 'only services the user owns');
    assert.deepEqual(a.update([{ service: 'web', environment: 'local', state: 'degraded' }], mine), []);
    assert.deepEqual(a.update([{ service: 'web', environment: 'local', state: 'unhealthy' }], mine), [], 'flapping does not alert again');
    assert.deepEqual(a.update([{ service: 'web', environment: 'local', state: 'healthy' }], mine), []);
    assert.deepEqual(a.update([{ service: 'web', environment: 'local', state: 'unhealthy' }], mine), [{ service: 'web', environment: 'local', state: 'unhealthy' }], 'after recovering it alerts again');
    a.update([], mine);
    assert.deepEqual(a.update([{ service: 'web', environment: 'local', state: 'unhealthy' }], mine).length, 1, 'stopped and started again counts as recovered');
  });
});
