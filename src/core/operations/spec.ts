/**
 * What a paved.yaml asks of the platform once a release runs: how to probe it (`spec.health`) and which objectives to
 * measure (`spec.slos`). Pure; defaults live here and nowhere else.
 */
import type { SloIndicator } from '../api/operations';

export interface HealthPolicy {
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Failed probes in a row that make a release unhealthy (the first failure makes it degraded). */
  failureThreshold: number;
  /** Successful probes in a row that make a failing release healthy again. */
  successThreshold: number;
  /** Restart a release that stays unhealthy this long; absent: report it, never restart. */
  restartAfterSeconds?: number;
}

export const DEFAULT_HEALTH_POLICY: Readonly<HealthPolicy> = Object.freeze({
  path: '/healthz',
  intervalSeconds: 10,
  timeoutSeconds: 2,
  failureThreshold: 3,
  successThreshold: 1,
});

export interface SloSpec {
  name: string;
  indicator: SloIndicator;
  objective: number;
  window: string;
  windowSeconds: number;
  thresholdMs?: number;
}

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function positiveInt(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : fallback;
}

export function healthPolicy(manifest: Record<string, unknown>): HealthPolicy {
  const h = obj(obj(manifest.spec).health);
  const d = DEFAULT_HEALTH_POLICY;
  const out: HealthPolicy = {
    path: typeof h.path === 'string' && h.path.startsWith('/') ? h.path : d.path,
    intervalSeconds: positiveInt(h.intervalSeconds, d.intervalSeconds),
    timeoutSeconds: positiveInt(h.timeoutSeconds, d.timeoutSeconds),
    failureThreshold: positiveInt(h.failureThreshold, d.failureThreshold),
    successThreshold: positiveInt(h.successThreshold, d.successThreshold),
  };
  if (typeof h.restartAfterSeconds === 'number' && h.restartAfterSeconds >= 1) out.restartAfterSeconds = Math.floor(h.restartAfterSeconds);
  return out;
}

const UNIT_SECONDS: Record<string, number> = { h: 3600, d: 86400, w: 7 * 86400 };

/** `30d` → 2592000; undefined for anything that is not `<n>h`, `<n>d` or `<n>w` with n ≥ 1. */
export function windowSeconds(window: string): number | undefined {
  const m = /^(\d+)([hdw])$/.exec(window.trim());
  if (!m || Number(m[1]) < 1) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2]];
}

/**
 * The SLOs of a manifest. `indicator` as declared, else `latency` for a name mentioning latency or one with a
 * `thresholdMs`, else `availability`. Entries without a name, an objective in (0, 100] or a valid window are skipped.
 */
export function sloSpecs(manifest: Record<string, unknown>): SloSpec[] {
  const list = obj(manifest.spec).slos;
  if (!Array.isArray(list)) return [];
  const out: SloSpec[] = [];
  for (const raw of list) {
    const s = obj(raw);
    const window = typeof s.window === 'string' ? s.window : '30d';
    const seconds = windowSeconds(window);
    if (typeof s.name !== 'string' || typeof s.objective !== 'number' || !(s.objective > 0 && s.objective <= 100) || seconds === undefined) continue;
    const thresholdMs = typeof s.thresholdMs === 'number' && s.thresholdMs > 0 ? s.thresholdMs : undefined;
    const indicator: SloIndicator =
      s.indicator === 'availability' || s.indicator === 'latency' ? s.indicator : thresholdMs !== undefined || /latency/i.test(s.name) ? 'latency' : 'availability';
    const spec: SloSpec = { name: s.name, indicator, objective: s.objective, window, windowSeconds: seconds };
    if (thresholdMs !== undefined) spec.thresholdMs = thresholdMs;
    out.push(spec);
  }
  return out;
}

/**
 * The secret values a release gets. The local platform has no secret store: a service gets the variables its
 * `spec.secrets` names (also per environment) from the environment `paved serve` runs in (`env`), so those values
 * are the ones its logs must never show.
 */
export function secretEnvValues(manifest: Record<string, unknown>, environment: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const spec = obj(manifest.spec);
  const names = new Set([...Object.keys(obj(spec.secrets)), ...Object.keys(obj(obj(obj(spec.environments)[environment]).secrets))]);
  const out: string[] = [];
  for (const n of names) {
    const v = env[n];
    if (typeof v === 'string' && v.length > 0) out.push(v);
  }
  return out;
}
