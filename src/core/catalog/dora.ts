/**
 * DORA metrics from a service's deployment history. Pure: the caller passes the history, release creation times and
 * "now".
 */
import type { Deployment, DoraMetrics } from '../api/types';

export interface DoraInput {
  deployments: readonly Deployment[];
  /** Release id → ISO time the release was created (snapshot taken); the start of its lead time. */
  releaseCreatedAt: ReadonlyMap<string, string>;
  now: Date;
  windowDays: number;
  environment?: string;
}

const DAY_MS = 86_400_000;

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function isFailure(d: Deployment): boolean {
  return d.state === 'failed' || d.state === 'rolled-back';
}

/**
 * - deployment frequency: successful deployments (kind deploy or promote) finished in the window, per day;
 * - lead time: median seconds from a release's creation to its successful deployment in the environment;
 * - change failure rate: failed or automatically rolled-back deploy/promote attempts ÷ all finished ones (cancelled
 *   attempts are not changes that reached users and are left out);
 * - time to restore: median seconds from each failure to the next successful deployment of any kind (including a
 *   rollback) in the environment.
 */
export function computeDora(input: DoraInput): DoraMetrics {
  const environment = input.environment ?? 'production';
  const end = input.now.getTime();
  const start = end - input.windowDays * DAY_MS;
  const finished = input.deployments
    .filter((d) => d.environment === environment && d.finishedAt !== undefined)
    .map((d) => ({ d, t: Date.parse(d.finishedAt as string) }))
    .filter(({ t }) => t >= start && t <= end)
    .sort((a, b) => a.t - b.t);

  const changes = finished.filter(({ d }) => (d.kind === 'deploy' || d.kind === 'promote') && d.state !== 'cancelled');
  const successes = changes.filter(({ d }) => d.state === 'succeeded');
  const failures = changes.filter(({ d }) => isFailure(d));

  const leadTimes: number[] = [];
  for (const { d, t } of successes) {
    const created = d.release !== undefined ? input.releaseCreatedAt.get(d.release) : undefined;
    if (created !== undefined) leadTimes.push(Math.max(0, (t - Date.parse(created)) / 1000));
  }

  const restoreTimes: number[] = [];
  for (const { t } of failures) {
    const next = finished.find(({ d, t: t2 }) => t2 > t && d.state === 'succeeded');
    if (next) restoreTimes.push((next.t - t) / 1000);
  }

  const metrics: DoraMetrics = {
    windowDays: input.windowDays,
    deploymentFrequencyPerDay: successes.length / input.windowDays,
    deployments: successes.length,
    environment,
  };
  const lead = median(leadTimes);
  if (lead !== undefined) metrics.leadTimeSeconds = lead;
  if (changes.length > 0) metrics.changeFailureRate = failures.length / (successes.length + failures.length);
  const restore = median(restoreTimes);
  if (restore !== undefined) metrics.timeToRestoreSeconds = restore;
  return metrics;
}
