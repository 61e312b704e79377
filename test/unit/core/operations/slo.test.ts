import * as assert from 'node:assert/strict';
import { addProbe, computeSlo, countedThreshold, emptyBucket, sloSpecs, type ProbeBucket, type SloSpec } from '../../../../src/core/operations';

const NOW = new Date('2026-06-30T12:00:00.000Z');
const nowS = NOW.getTime() / 1000;

/** A scripted probe history: `minutes` minute buckets ending now, each with `perMinute` probes, `bad(i)` of them failing. */
function history(minutes: number, perMinute: number, bad: (minuteAgo: number) => number, latencyMs: (minuteAgo: number) => number = () => 20): ProbeBucket[] {
  const out: ProbeBucket[] = [];
  for (let ago = minutes; ago >= 1; ago--) {
    const b = emptyBucket(nowS - ago * 60, 60);
    for (let i = 0; i < perMinute; i++) addProbe(b, i >= bad(ago), latencyMs(ago));
    out.push(b);
  }
  return out;
}

const availability: SloSpec = { name: 'availability', indicator: 'availability', objective: 99, window: '1d', windowSeconds: 86400 };

describe('core/operations SLO status (time injected)', () => {
  it('availability over the window: value, error budget left, burn rate over the last hour, coverage', () => {
    // 24 h of 6 probes a minute = 8640 probes; 1 % allowed = 86.4 bad. 43 bad: in the last hour 1 a minute for 40 min, and 3 earlier.
    const h = history(1440, 6, (ago) => (ago <= 40 ? 1 : ago === 600 ? 3 : 0));
    const s = computeSlo(availability, h, NOW);
    assert.equal(s.measured, true);
    assert.equal(s.total, 8640);
    assert.equal(s.good, 8640 - 43);
    assert.equal(s.value, 99.5023);
    assert.equal(s.met, true);
    assert.equal(s.errorBudgetRemaining, 0.5023, '1 - (43/8640) / 0.01');
    assert.equal(s.burnRate, 11.11, 'last hour: 40 bad of 360 = 11.1 % against 1 % allowed');
    assert.equal(s.coverage, 1);
    assert.equal(s.basis, 'probes');
  });

  it('only probes inside the window count; a younger history covers part of the window', () => {
    const old = emptyBucket(nowS - 3 * 86400, 60);
    addProbe(old, false);
    const h = [old, ...history(360, 2, () => 0)];
    const s = computeSlo(availability, h, NOW);
    assert.equal(s.total, 720);
    assert.equal(s.value, 100);
    assert.equal(s.errorBudgetRemaining, 1);
    assert.equal(s.burnRate, 0);
    assert.equal(s.coverage, 0.25);
    assert.equal(s.measuredSince, new Date((nowS - 360 * 60) * 1000).toISOString());
  });

  it('an overspent budget is negative and the objective is missed', () => {
    const s = computeSlo(availability, history(100, 1, (ago) => (ago <= 3 ? 1 : 0)), NOW);
    assert.equal(s.value, 97);
    assert.equal(s.met, false);
    assert.equal(s.errorBudgetRemaining, -2);
  });

  it('latency: the share of answered probes at or under the threshold (counted at the bucket bound below it)', () => {
    const spec: SloSpec = { name: 'latency-p99', indicator: 'latency', objective: 85, window: '1h', windowSeconds: 3600, thresholdMs: 300 };
    const h = history(60, 4, (ago) => (ago === 1 ? 4 : 0), (ago) => (ago % 10 === 0 ? 400 : 40));
    const s = computeSlo(spec, h, NOW);
    assert.equal(s.countedThresholdMs, 250);
    assert.equal(s.total, 236, 'failed probes have no latency and are left out');
    assert.equal(s.good, 236 - 24);
    assert.equal(s.met, true);
  });

  it('says why when it cannot measure', () => {
    const noThreshold = computeSlo({ name: 'latency', indicator: 'latency', objective: 99, window: '1d', windowSeconds: 86400 }, history(5, 1, () => 0), NOW);
    assert.equal(noThreshold.measured, false);
    assert.match(noThreshold.reason ?? '', /needs thresholdMs/);
    const empty = computeSlo(availability, [], NOW);
    assert.equal(empty.measured, false);
    assert.equal(empty.reason, 'no probe in the window yet');
    assert.equal(countedThreshold(5), undefined);
  });

  it('reads spec.slos: indicator declared or inferred, invalid entries skipped', () => {
    const specs = sloSpecs({
      spec: {
        slos: [
          { name: 'availability', objective: 99.9, window: '30d' },
          { name: 'latency-p99', objective: 99, window: '4w', thresholdMs: 300 },
          { name: 'checkout', objective: 95, window: '24h', indicator: 'latency', thresholdMs: 100 },
          { name: 'broken', objective: 120, window: '30d' },
          { name: 'bad-window', objective: 99, window: '30m' },
        ],
      },
    });
    assert.deepEqual(
      specs.map((s) => [s.name, s.indicator, s.windowSeconds, s.thresholdMs]),
      [
        ['availability', 'availability', 30 * 86400, undefined],
        ['latency-p99', 'latency', 28 * 86400, 300],
        ['checkout', 'latency', 86400, 100],
      ],
    );
  });
});
