/**
 * Health of a running release from its probes, pure: the state machine (healthy → degraded → unhealthy and back) and
 * the compact probe history (counts per time bucket with a latency histogram) that health charts and SLOs read.
 */
import type { HealthBucket } from '../api/operations';
import type { HealthState } from '../api/types';
import type { HealthPolicy } from './spec';

/** Upper bounds (ms) of the latency histogram; a last bucket holds everything slower. */
export const LATENCY_BOUNDS_MS: readonly number[] = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

export interface HealthTrack {
  state: HealthState;
  /** Epoch ms of the last change of `state`. */
  since: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastProbeAt?: number;
  latencyMs?: number;
  lastError?: string;
}

export type ProbeOutcome =
  | { ok: true; at: number; latencyMs: number }
  /** `fatal`: the process is gone, so the release is unhealthy at once. */
  | { ok: false; at: number; error: string; latencyMs?: number; fatal?: boolean };

export function initialTrack(at: number): HealthTrack {
  return { state: 'unknown', since: at, consecutiveFailures: 0, consecutiveSuccesses: 0 };
}

/**
 * The track after one probe. A failure makes a healthy (or unknown) release degraded, `failureThreshold` failures in
 * a row (or a fatal one) unhealthy; `successThreshold` successes in a row make it healthy again, fewer leave it
 * degraded (an unhealthy release that answers again is degraded until then, and unhealthy again at its next failure).
 */
export function applyProbe(t: HealthTrack, p: ProbeOutcome, policy: Pick<HealthPolicy, 'failureThreshold' | 'successThreshold'>): HealthTrack {
  const next: HealthTrack = { ...t, lastProbeAt: p.at };
  if (p.ok) {
    next.consecutiveSuccesses = t.consecutiveSuccesses + 1;
    next.latencyMs = p.latencyMs;
    next.state = next.consecutiveSuccesses >= policy.successThreshold || t.state === 'unknown' || t.state === 'healthy' ? 'healthy' : 'degraded';
    // Until it is healthy again, the failures still count: one more makes a recovering release unhealthy again.
    if (next.state === 'healthy') next.consecutiveFailures = 0;
  } else {
    next.consecutiveFailures = t.consecutiveFailures + 1;
    next.consecutiveSuccesses = 0;
    next.lastError = p.error;
    if (p.latencyMs !== undefined) next.latencyMs = p.latencyMs;
    next.state = p.fatal || next.consecutiveFailures >= policy.failureThreshold ? 'unhealthy' : 'degraded';
  }
  if (next.state !== t.state) next.since = p.at;
  return next;
}

/** Probe counts of one time span. Latencies are of answered (successful) probes. */
export interface ProbeBucket {
  /** Epoch seconds. */
  start: number;
  seconds: number;
  probes: number;
  ok: number;
  latencySumMs: number;
  latencyMaxMs: number;
  /** Successful probes per latency bucket (LATENCY_BOUNDS_MS, then the slower rest). */
  histogram: number[];
}

export function emptyBucket(start: number, seconds: number): ProbeBucket {
  return { start, seconds, probes: 0, ok: 0, latencySumMs: 0, latencyMaxMs: 0, histogram: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0) };
}

export function latencyIndex(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((b) => ms <= b);
  return i < 0 ? LATENCY_BOUNDS_MS.length : i;
}

export function addProbe(b: ProbeBucket, ok: boolean, latencyMs?: number): void {
  b.probes++;
  if (!ok) return;
  b.ok++;
  const ms = Math.max(0, latencyMs ?? 0);
  b.latencySumMs += ms;
  b.latencyMaxMs = Math.max(b.latencyMaxMs, ms);
  b.histogram[latencyIndex(ms)]++;
}

/** Adds `from` into `into` (counts only; `into` keeps its span). */
export function mergeInto(into: ProbeBucket, from: ProbeBucket): void {
  into.probes += from.probes;
  into.ok += from.ok;
  into.latencySumMs += from.latencySumMs;
  into.latencyMaxMs = Math.max(into.latencyMaxMs, from.latencyMaxMs);
  for (let i = 0; i < into.histogram.length; i++) into.histogram[i] += from.histogram[i] ?? 0;
}

/** Buckets re-cut into spans of `seconds` (aligned to multiples of it), oldest first; empty spans are left out. */
export function rollUp(buckets: readonly ProbeBucket[], seconds: number): ProbeBucket[] {
  const out = new Map<number, ProbeBucket>();
  for (const b of buckets) {
    const start = Math.floor(b.start / seconds) * seconds;
    let into = out.get(start);
    if (!into) {
      into = emptyBucket(start, seconds);
      out.set(start, into);
    }
    mergeInto(into, b);
  }
  return [...out.values()].sort((a, b) => a.start - b.start);
}

/** A bucket as one compact JSON row: `[start, seconds, probes, ok, latencySumMs, latencyMaxMs, ...histogram]`. */
export function bucketRow(b: ProbeBucket): number[] {
  return [b.start, b.seconds, b.probes, b.ok, Math.round(b.latencySumMs), Math.round(b.latencyMaxMs), ...b.histogram];
}

/** The bucket of a row, or undefined when the row is not one (a file from elsewhere, a torn write). */
export function bucketFromRow(row: unknown): ProbeBucket | undefined {
  if (!Array.isArray(row) || row.length !== 6 + LATENCY_BOUNDS_MS.length + 1 || !row.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) return undefined;
  const [start, seconds, probes, ok, latencySumMs, latencyMaxMs, ...histogram] = row as number[];
  if (seconds <= 0 || ok > probes) return undefined;
  return { start, seconds, probes, ok, latencySumMs, latencyMaxMs, histogram };
}

/** A bucket as the API shows it. */
export function publicBucket(b: ProbeBucket): HealthBucket {
  const out: HealthBucket = { start: new Date(b.start * 1000).toISOString(), seconds: b.seconds, probes: b.probes, ok: b.ok };
  if (b.ok > 0) {
    out.meanLatencyMs = Math.round((b.latencySumMs / b.ok) * 10) / 10;
    out.maxLatencyMs = Math.round(b.latencyMaxMs * 10) / 10;
  }
  return out;
}
