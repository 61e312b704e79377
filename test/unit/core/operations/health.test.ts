import * as assert from 'node:assert/strict';
import { addProbe, applyProbe, bucketFromRow, bucketRow, emptyBucket, initialTrack, latencyIndex, publicBucket, rollUp, type HealthTrack, type ProbeOutcome } from '../../../../src/core/operations';

const policy = { failureThreshold: 3, successThreshold: 2 };

function run(outcomes: ProbeOutcome[], p = policy): HealthTrack[] {
  const out: HealthTrack[] = [];
  let t = initialTrack(0);
  for (const o of outcomes) {
    t = applyProbe(t, o, p);
    out.push(t);
  }
  return out;
}

const ok = (at: number, latencyMs = 5): ProbeOutcome => ({ ok: true, at, latencyMs });
const fail = (at: number, error = 'GET /healthz answered 500'): ProbeOutcome => ({ ok: false, at, error });

describe('core/operations health', () => {
  it('unknown → healthy on the first answer; one failure degrades, the threshold makes it unhealthy', () => {
    const states = run([ok(1), fail(2), fail(3), fail(4), fail(5)]);
    assert.deepEqual(states.map((s) => s.state), ['healthy', 'degraded', 'degraded', 'unhealthy', 'unhealthy']);
    assert.equal(states[3].since, 4, 'since: the probe that changed the state');
    assert.equal(states[4].since, 4);
    assert.equal(states[4].consecutiveFailures, 4);
    assert.equal(states[4].lastError, 'GET /healthz answered 500');
  });

  it('recovers through degraded after successThreshold answers in a row; a failure in between starts over', () => {
    const states = run([fail(1), fail(2), fail(3), ok(4), fail(5), ok(6), ok(7)]);
    assert.deepEqual(states.map((s) => s.state), ['degraded', 'degraded', 'unhealthy', 'degraded', 'unhealthy', 'degraded', 'healthy']);
    assert.equal(states[6].since, 7);
    assert.equal(states[6].consecutiveFailures, 0);
  });

  it('with successThreshold 1 one answer is enough; a fatal failure (process gone) is unhealthy at once', () => {
    assert.deepEqual(run([fail(1), fail(2), fail(3), ok(4)], { failureThreshold: 3, successThreshold: 1 }).map((s) => s.state), ['degraded', 'degraded', 'unhealthy', 'healthy']);
    assert.deepEqual(run([ok(1), { ok: false, at: 2, error: 'the process exited (1)', fatal: true }]).map((s) => s.state), ['healthy', 'unhealthy']);
  });

  it('buckets count probes, answered probes and a latency histogram of the answered ones', () => {
    const b = emptyBucket(600, 60);
    addProbe(b, true, 4);
    addProbe(b, true, 30);
    addProbe(b, true, 9000);
    addProbe(b, false, 2000);
    assert.equal(b.probes, 4);
    assert.equal(b.ok, 3);
    assert.equal(b.latencyMaxMs, 9000);
    assert.equal(b.latencySumMs, 9034);
    assert.equal(b.histogram[latencyIndex(4)], 1);
    assert.equal(b.histogram[latencyIndex(30)], 1);
    assert.equal(b.histogram[b.histogram.length - 1], 1, 'slower than every bound');
    assert.deepEqual(publicBucket(b), { start: '1970-01-01T00:10:00.000Z', seconds: 60, probes: 4, ok: 3, meanLatencyMs: 3011.3, maxLatencyMs: 9000 });
  });

  it('rows round-trip; anything else is not a bucket', () => {
    const b = emptyBucket(120, 60);
    addProbe(b, true, 12);
    assert.deepEqual(bucketFromRow(JSON.parse(JSON.stringify(bucketRow(b)))), b);
    assert.equal(bucketFromRow([1, 2, 3]), undefined);
    assert.equal(bucketFromRow({ start: 1 }), undefined);
    assert.equal(bucketFromRow([...bucketRow(b).slice(0, 2), 1, 2, ...bucketRow(b).slice(4)]), undefined, 'more answered than probes');
  });

  it('rolls minute buckets up into aligned hours', () => {
    const minutes = [0, 60, 3600, 3660].map((start) => {
      const b = emptyBucket(start, 60);
      addProbe(b, true, 5);
      addProbe(b, start === 60, 5);
      return b;
    });
    const hours = rollUp(minutes, 3600);
    assert.deepEqual(hours.map((h) => [h.start, h.seconds, h.probes, h.ok]), [
      [0, 3600, 4, 3],
      [3600, 3600, 4, 2],
    ]);
  });
});
