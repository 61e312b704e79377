/**
 * SLO status from the probe history, pure, with the time passed in: for an availability SLO the share of probes that
 * answered, for a latency SLO the share of answered probes faster than its threshold — over the SLO's window — and
 * from that the error budget left and how fast it burns. These are the platform's own probes, not user traffic: every
 * status says so (`basis: 'probes'`).
 */
import type { SloStatus } from '../api/operations';
import { LATENCY_BOUNDS_MS, type ProbeBucket } from './health';
import type { SloSpec } from './spec';

/** The burn rate looks at this much recent history. */
export const BURN_RATE_WINDOW_SECONDS = 3600;

const round = (n: number, digits = 4): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** The largest histogram bound at or below `thresholdMs` (probes are counted per bucket), or undefined below the first. */
export function countedThreshold(thresholdMs: number): number | undefined {
  const fits = LATENCY_BOUNDS_MS.filter((b) => b <= thresholdMs);
  return fits.length ? fits[fits.length - 1] : undefined;
}

interface Counts {
  good: number;
  total: number;
}

function count(spec: SloSpec, buckets: readonly ProbeBucket[], counted: number | undefined): Counts {
  let good = 0;
  let total = 0;
  for (const b of buckets) {
    if (spec.indicator === 'availability') {
      good += b.ok;
      total += b.probes;
    } else {
      total += b.ok;
      for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (counted !== undefined && LATENCY_BOUNDS_MS[i] <= counted) good += b.histogram[i];
    }
  }
  return { good, total };
}

/** Buckets that overlap [from, to) (epoch seconds); a bucket counts whole. */
function within(buckets: readonly ProbeBucket[], from: number, to: number): ProbeBucket[] {
  return buckets.filter((b) => b.start + b.seconds > from && b.start < to);
}

export function computeSlo(spec: SloSpec, buckets: readonly ProbeBucket[], now: Date): SloStatus {
  const nowS = Math.floor(now.getTime() / 1000);
  const from = nowS - spec.windowSeconds;
  const inWindow = within(buckets, from, nowS + 1);
  const out: SloStatus = {
    name: spec.name,
    indicator: spec.indicator,
    objective: spec.objective,
    window: spec.window,
    windowSeconds: spec.windowSeconds,
    basis: 'probes',
    measured: false,
    good: 0,
    total: 0,
    coverage: 0,
  };
  let counted: number | undefined;
  if (spec.indicator === 'latency') {
    if (spec.thresholdMs === undefined) {
      out.reason = 'a latency SLO needs thresholdMs (the latency a probe must stay under) to be measured';
      return out;
    }
    out.thresholdMs = spec.thresholdMs;
    counted = countedThreshold(spec.thresholdMs);
    if (counted === undefined) {
      out.reason = `probe latencies are counted in buckets from ${LATENCY_BOUNDS_MS[0]} ms; thresholdMs ${spec.thresholdMs} is below that`;
      return out;
    }
    out.countedThresholdMs = counted;
  }
  const probed = inWindow.filter((b) => b.probes > 0);
  if (probed.length > 0) {
    const first = Math.max(from, Math.min(...probed.map((b) => b.start)));
    out.measuredSince = new Date(first * 1000).toISOString();
    out.coverage = round(Math.min(1, Math.max(0, (nowS - first) / spec.windowSeconds)));
  }
  const { good, total } = count(spec, inWindow, counted);
  out.good = good;
  out.total = total;
  if (total === 0) {
    out.reason = spec.indicator === 'latency' ? 'no answered probe in the window yet' : 'no probe in the window yet';
    return out;
  }
  out.measured = true;
  out.value = round((good / total) * 100);
  out.met = good / total >= spec.objective / 100;
  const allowed = 1 - spec.objective / 100;
  const badShare = (total - good) / total;
  out.errorBudgetRemaining = allowed > 0 ? round(1 - badShare / allowed) : good === total ? 1 : 0;
  const recent = count(spec, within(buckets, nowS - BURN_RATE_WINDOW_SECONDS, nowS + 1), counted);
  if (recent.total > 0 && allowed > 0) out.burnRate = round((recent.total - recent.good) / recent.total / allowed, 2);
  return out;
}
