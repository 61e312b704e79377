import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HealthState } from '../../../../src/core/api/types';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy } from '../../../../src/core/operations';
import type { Slot } from '../../../../src/server/deploy/slots';
import { HealthHistories } from '../../../../src/server/operations/healthHistory';
import { HealthProber, type ProbeTarget } from '../../../../src/server/operations/prober';
import { clock, tempDir } from '../fakes';

describe('server/operations: the health prober (fake probes, a stepped clock)', () => {
  let root: string;
  let slots: Slot[];
  let answer: Map<number, number | Error>;
  let alive: Set<number>;
  let mono: number;
  let changes: string[];
  let restarts: string[];
  let restartAnswer: boolean;
  let histories: HealthHistories;
  let probed: { port: number; path: string; timeoutMs: number | undefined }[];
  const time = clock('2026-05-01T12:00:00.000Z');
  const policy: HealthPolicy = { ...DEFAULT_HEALTH_POLICY, path: '/ready', intervalSeconds: 5, failureThreshold: 2, restartAfterSeconds: 30 };

  const slot = (service: string, pid: number, port: number, state: Slot['state'] = 'running'): Slot => ({ service, environment: 'local', release: `r-${pid}`, port, pid, state, deploymentId: 'd', since: '', history: [] });
  const prober = () =>
    new HealthProber({
      slots: () => slots,
      policy: () => policy,
      isAlive: (pid) => alive.has(pid),
      checkExited: () => slots.forEach((s) => !alive.has(s.pid) && s.state === 'running' && (s.state = 'failed')),
      probe: async (port, p, timeoutMs) => {
        probed.push({ port, path: p, timeoutMs });
        const a = answer.get(port) ?? 200;
        if (a instanceof Error) throw a;
        return a;
      },
      now: time.now,
      monotonic: () => mono,
      history: histories,
      changed: (t: ProbeTarget, previous: HealthState) => changes.push(`${t.service} ${previous}→${t.track.state}`),
      restart: (t) => {
        restarts.push(t.service);
        return restartAnswer;
      },
    });
  /** Moves both clocks on and probes what is due. */
  const step = async (p: HealthProber, ms: number) => {
    mono += ms;
    time.advance(ms);
    await p.runDue();
  };

  beforeEach(() => {
    root = tempDir('prober');
    slots = [slot('api', 10, 41000), slot('web', 11, 41001)];
    answer = new Map();
    alive = new Set([10, 11]);
    mono = 0;
    changes = [];
    restarts = [];
    restartAnswer = true;
    probed = [];
    histories = new HealthHistories(path.join(root, 'health'), time.now);
  });

  afterEach(() => {
    histories.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('probes each running release on its interval, with its path and timeout, and records every probe', async () => {
    const p = prober();
    p.sync(); // watched from now: the first probe comes within a second (spread over it)
    await step(p, 1000);
    assert.deepEqual(changes, ['api unknown→healthy', 'web unknown→healthy']);
    assert.deepEqual(probed.map((x) => [x.port, x.path, x.timeoutMs]).sort(), [
      [41000, '/ready', 2000],
      [41001, '/ready', 2000],
    ]);
    await step(p, 4000);
    assert.equal(probed.length, 2, 'not due again before the interval');
    await step(p, 1000);
    assert.equal(probed.length, 4);
    const probes = histories.of('api', 'local').buckets().reduce((n, b) => n + b.probes, 0);
    assert.equal(probes, 2);
  });

  it('degraded at the first failure, unhealthy at the threshold, healthy when it answers again', async () => {
    const p = prober();
    p.sync(); // watched from now: the first probe comes within a second (spread over it)
    await step(p, 1000);
    answer.set(41000, 503);
    await step(p, 5000);
    await step(p, 5000);
    answer.set(41000, 200);
    await step(p, 5000);
    assert.deepEqual(changes.filter((c) => c.startsWith('api')), ['api unknown→healthy', 'api healthy→degraded', 'api degraded→unhealthy', 'api unhealthy→healthy']);
    assert.equal(p.target('api', 'local')?.track.lastError, 'GET /ready answered 503');
    answer.set(41001, new Error('connect ECONNREFUSED'));
    await step(p, 5000);
    assert.equal(p.target('web', 'local')?.track.lastError, 'GET /ready: connect ECONNREFUSED');
  });

  it('a process that died is unhealthy at once, is no longer probed, and a stopped release is dropped', async () => {
    const p = prober();
    p.sync(); // watched from now: the first probe comes within a second (spread over it)
    await step(p, 1000);
    alive.delete(10);
    await step(p, 5000);
    assert.ok(changes.includes('api healthy→unhealthy'));
    assert.equal(p.target('api', 'local')?.track.lastError, 'the process exited');
    assert.equal(slots[0].state, 'failed');
    const before = probed.filter((x) => x.port === 41000).length;
    await step(p, 5000);
    assert.equal(probed.filter((x) => x.port === 41000).length, before);
    slots[1].state = 'stopped';
    p.sync();
    assert.equal(p.target('web', 'local'), undefined);
  });

  it('restarts a release unhealthy past restartAfterSeconds, then waits as long before trying again; a new release starts afresh', async () => {
    const p = prober();
    p.sync(); // watched from now: the first probe comes within a second (spread over it)
    await step(p, 1000);
    answer.set(41000, 500);
    await step(p, 5000);
    await step(p, 5000); // unhealthy now
    for (let i = 0; i < 5; i++) await step(p, 5000);
    assert.deepEqual(restarts, [], '25 s unhealthy: not yet');
    await step(p, 5000);
    assert.deepEqual(restarts, ['api']);
    await step(p, 5000);
    assert.deepEqual(restarts, ['api'], 'not again before another 30 s');
    assert.equal(p.automaticRestarts('api', 'local'), 1);
    restartAnswer = false; // a deployment is in progress: try again at the next tick
    for (let i = 0; i < 6; i++) await step(p, 5000);
    assert.deepEqual(restarts.length > 2, true);
    assert.equal(p.automaticRestarts('api', 'local'), 1);
    slots[0] = { ...slots[0], pid: 20, release: 'r-20', port: 41002 };
    alive.add(20);
    p.sync();
    await step(p, 1000);
    assert.equal(p.target('api', 'local')?.track.state, 'healthy');
    assert.equal(p.automaticRestarts('api', 'local'), 0, 'healthy again');
  });
});
