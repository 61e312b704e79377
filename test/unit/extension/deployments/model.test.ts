import * as assert from 'node:assert/strict';
import type { Deployment } from '../../../../src/core/api/types';
import { ago, deploymentDescription, mergeDeployments, shownDeployments } from '../../../../src/extension/deployments/model';

const d = (id: string, over: Partial<Deployment> = {}): Deployment => ({ id, service: 's', environment: 'local', kind: 'deploy', state: 'succeeded', createdAt: `2026-11-22T05:0${id}:00Z`, ...over });

describe('deployments model', () => {
  it('shows running deployments first, then newest first, capped', () => {
    const shown = shownDeployments([d('1'), d('2', { state: 'building' }), d('3'), d('4', { state: 'failed' })], 3);
    assert.deepEqual(shown.map((x) => x.id), ['2', '4', '3']);
  });

  it('merges updates and never resurrects a finished deployment from a stale list', () => {
    const known = new Map<string, Deployment>();
    assert.equal(mergeDeployments(known, [d('1', { state: 'building' })]), true);
    assert.equal(mergeDeployments(known, [d('1', { state: 'building' })]), false);
    assert.equal(mergeDeployments(known, [d('1', { state: 'succeeded', finishedAt: '2026-11-22T05:02:00Z' })]), true);
    assert.equal(mergeDeployments(known, [d('1', { state: 'health-checking' })]), false);
    assert.equal(known.get('1')?.state, 'succeeded');
  });

  it('describes state, kind, release and age', () => {
    const now = Date.parse('2026-11-22T05:10:00Z');
    assert.equal(deploymentDescription(d('1', { kind: 'rollback', release: 'r-7', finishedAt: '2026-11-22T05:07:00Z' }), now), 'succeeded · rollback · r-7 · 3 min ago');
    assert.equal(ago('2026-11-22T05:09:30Z', now), '30 s ago');
    assert.equal(ago('2026-11-21T05:10:00Z', now), '1 d ago');
  });
});
