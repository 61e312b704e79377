import * as assert from 'node:assert/strict';
import { computeDora, median } from '../../../../src/core/catalog';
import type { Deployment } from '../../../../src/core/api/types';

const NOW = new Date('2026-06-30T12:00:00.000Z');
const H = 3600_000;
const D = 24 * H;
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
let n = 0;
function dep(kind: Deployment['kind'], state: Deployment['state'], finishedAgo: number, release: string, environment = 'production'): Deployment {
  n++;
  return { id: `d${n}`, service: 's', environment, kind, state, release, createdAt: ago(finishedAgo + 60_000), finishedAt: ago(finishedAgo) };
}

describe('core/catalog DORA', () => {
  it('median', () => {
    assert.equal(median([]), undefined);
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('computes all four metrics over the window', () => {
    const releases = new Map([
      ['r1', ago(10 * D + 2 * H)],
      ['r2', ago(5 * D + H)],
      ['r3', ago(3 * D + 4 * H)],
      ['r4', ago(D + H)],
    ]);
    const m = computeDora({
      deployments: [
        dep('deploy', 'succeeded', 10 * D, 'r1'),
        dep('deploy', 'rolled-back', 5 * D, 'r2'),
        dep('rollback', 'succeeded', 5 * D - 30 * 60_000, 'r1'),
        dep('promote', 'succeeded', 3 * D, 'r3'),
        dep('deploy', 'failed', 2 * D, 'r4'),
        dep('deploy', 'succeeded', D, 'r4'),
        dep('deploy', 'cancelled', H, 'r4'),
        dep('deploy', 'succeeded', 31 * D, 'r1'),
        dep('deploy', 'failed', H, 'r4', 'staging'),
      ],
      releaseCreatedAt: releases,
      now: NOW,
      windowDays: 30,
    });
    assert.deepEqual(m, {
      windowDays: 30,
      deploymentFrequencyPerDay: 0.1,
      deployments: 3,
      leadTimeSeconds: 7200, // median of 2h, 4h, 1h
      changeFailureRate: 0.4, // 2 failures of 5 changes
      timeToRestoreSeconds: 44100, // median of 30 min (1800 s) and 1 day (86400 s)
      environment: 'production',
    });
  });

  it('without data: zero frequency, other metrics absent', () => {
    assert.deepEqual(computeDora({ deployments: [], releaseCreatedAt: new Map(), now: NOW, windowDays: 7 }), { windowDays: 7, deploymentFrequencyPerDay: 0, deployments: 0, environment: 'production' });
  });

  it('an unrestored failure has no time to restore', () => {
    const m = computeDora({ deployments: [dep('deploy', 'failed', H, 'r9')], releaseCreatedAt: new Map(), now: NOW, windowDays: 1 });
    assert.equal(m.changeFailureRate, 1);
    assert.equal(m.timeToRestoreSeconds, undefined);
  });
});
