/** Time buckets (UTC weeks from Monday, months) and duration statistics for the insights. */
import type { DurationStat } from './types';

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** Monday 00:00 UTC of the week holding `t` (ms). */
export function weekStart(t: number): number {
  const day = Math.floor(t / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 → weekday 3 counted from Monday.
  const weekday = (day + 3) % 7;
  return (day - weekday) * DAY_MS;
}

/** `YYYY-MM` of `t` (ms, UTC). */
export function monthKey(t: number): string {
  return new Date(t).toISOString().slice(0, 7);
}

/** Month keys from the month of `since` to that of `until`, ascending. */
export function monthsBetween(since: number, until: number): string[] {
  const out: string[] = [];
  const d = new Date(since);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  const last = monthKey(until);
  for (;;) {
    const key = `${y}-${String(m + 1).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) return out;
    m++;
    if (m === 12) {
      m = 0;
      y++;
    }
  }
}

/** The weeks a window touches, each clipped to it: [from, to) in ms. */
export function weeksBetween(since: number, until: number): { weekStart: number; from: number; to: number }[] {
  const out: { weekStart: number; from: number; to: number }[] = [];
  for (let w = weekStart(since); w < until || out.length === 0; w += WEEK_MS) out.push({ weekStart: w, from: Math.max(w, since), to: Math.min(w + WEEK_MS, until) });
  return out;
}

/** Nearest-rank percentile (p in 0..1) of values sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Count, median and p90 of durations in ms, reported in seconds. */
export function durationStat(ms: readonly number[]): DurationStat {
  const s: DurationStat = { count: ms.length };
  if (ms.length === 0) return s;
  const sorted = Float64Array.from(ms).sort();
  const mid = sorted.length >> 1;
  s.medianSeconds = (sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2) / 1000;
  s.p90Seconds = (percentileSorted(sorted, 0.9) as number) / 1000;
  return s;
}

/** A ratio, absent when the denominator is 0. */
export function share(n: number, of: number): number | undefined {
  return of > 0 ? n / of : undefined;
}
