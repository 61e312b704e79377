/**
 * Onboarding time: for each service created by a scaffold task in the window, the time from the task to the service's
 * first healthy (succeeded) deployment in each environment; median and p90 per month of the task and per golden path.
 * A service not yet deployed somewhere is `pending` there, not a zero.
 */
import { pageSorted } from '../catalog/catalog';
import { taskOfService, type InsightTask } from './adoption';
import { durationStat, monthKey, monthsBetween } from './time';
import type { OnboardingGroup, OnboardingInsights, OnboardingService } from './types';

export interface OnboardingInput {
  since: number;
  until: number;
  environments: readonly string[];
  tasks: readonly InsightTask[];
  /** First succeeded deployment of a service in an environment (ms). */
  firstHealthy: (service: string, environment: string) => number | undefined;
  /** The team of a service (undefined: not in the catalog). */
  teamOf: (service: string) => string | undefined;
  team?: string;
  limit?: number;
  cursor?: string;
}

class Group {
  readonly times = new Map<string, number[]>();
  readonly pending = new Map<string, number>();

  constructor(readonly key: string) {}

  add(env: string, ms: number | undefined): void {
    if (ms === undefined) this.pending.set(env, (this.pending.get(env) ?? 0) + 1);
    else {
      const list = this.times.get(env) ?? [];
      list.push(ms);
      this.times.set(env, list);
    }
  }

  out(envs: readonly string[]): OnboardingGroup {
    const environments: OnboardingGroup['environments'] = {};
    for (const e of envs) environments[e] = { ...durationStat(this.times.get(e) ?? []), pending: this.pending.get(e) ?? 0 };
    return { key: this.key, environments };
  }
}

export function onboardingInsights(input: OnboardingInput): OnboardingInsights {
  const rows: OnboardingService[] = [];
  const total = new Group('total');
  const months = new Map(monthsBetween(input.since, input.until).map((m) => [m, new Group(m)]));
  const paths = new Map<string, Group>();
  for (const [service, task] of taskOfService(input.tasks)) {
    if (task.createdAt < input.since || task.createdAt > input.until) continue;
    const team = input.teamOf(service);
    if (input.team !== undefined && team !== input.team) continue;
    const row: OnboardingService = { service, template: task.templateId, templateVersion: task.templateVersion, scaffoldedAt: new Date(task.createdAt).toISOString(), seconds: {} };
    let path = paths.get(task.templateId);
    if (!path) paths.set(task.templateId, (path = new Group(task.templateId)));
    const month = months.get(monthKey(task.createdAt)) as Group;
    for (const env of input.environments) {
      const healthy = input.firstHealthy(service, env);
      // Healthy only after the task counts (an older service of the same name is not this one's onboarding).
      const ms = healthy !== undefined && healthy >= task.createdAt && healthy <= input.until ? healthy - task.createdAt : undefined;
      if (ms !== undefined) row.seconds[env] = ms / 1000;
      for (const g of [total, month, path]) g.add(env, ms);
    }
    rows.push(row);
  }
  // Newest scaffold first; the key is unique per service.
  const sorted = rows.map((r) => ({ r, key: `${String(9e15 - Date.parse(r.scaffoldedAt)).padStart(16, '0')}|${r.service}` })).sort((a, b) => (a.key < b.key ? -1 : 1));
  const out: OnboardingInsights = {
    since: new Date(input.since).toISOString(),
    until: new Date(input.until).toISOString(),
    environments: [...input.environments],
    total: total.out(input.environments),
    months: [...months.values()].map((g) => g.out(input.environments)),
    goldenPaths: [...paths.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((g) => g.out(input.environments)),
    services: pageSorted(sorted, (x) => x.key, { limit: input.limit ?? 100, cursor: input.cursor, map: (x) => x.r }),
  };
  if (input.team !== undefined) out.team = input.team;
  return out;
}
