/**
 * Golden-path adoption over time. The per-template/version counts and the services on no golden path come from
 * `goldenPathAdoption` (src/core/templates/adoption.ts, what `GET /v1/golden-paths/adoption` serves), so both agree;
 * this adds per month: new services and the share created from a golden path, and the scaffold-task funnel
 * (started → succeeded → in the catalog → deployed) that shows where people give up.
 */
import type { TaskState } from '../api/types';
import { goldenPathAdoption, type AdoptionService, type AdoptionTemplate } from '../templates/adoption';
import { monthKey, monthsBetween, share } from './time';
import type { AdoptionInsights, AdoptionMonth } from './types';

export interface InsightTask {
  templateId: string;
  templateVersion: string;
  state: TaskState;
  createdAt: number;
  /** The service name the task was asked to create (its `name` value). */
  service?: string;
}

export interface AdoptionInput {
  since: number;
  until: number;
  services: readonly (AdoptionService & { team: string })[];
  templates: readonly AdoptionTemplate[];
  tasks: readonly InsightTask[];
  /** When a service was first deployed anywhere (ms), if ever. */
  firstDeployedAt: (service: string) => number | undefined;
  team?: string;
}

/** The scaffold task that created each service: the earliest succeeded one naming it. */
export function taskOfService(tasks: readonly InsightTask[]): Map<string, InsightTask> {
  const out = new Map<string, InsightTask>();
  for (const t of tasks) {
    if (t.state !== 'succeeded' || t.service === undefined) continue;
    const prev = out.get(t.service);
    if (!prev || t.createdAt < prev.createdAt) out.set(t.service, t);
  }
  return out;
}

export function adoptionInsights(input: AdoptionInput): AdoptionInsights {
  const services = input.team === undefined ? input.services : input.services.filter((s) => s.team === input.team);
  const names = new Set(services.map((s) => s.name));
  const created = taskOfService(input.tasks);
  const months = new Map<string, AdoptionMonth>(
    monthsBetween(input.since, input.until).map((month) => [month, { month, newServices: 0, fromGoldenPath: 0, tasks: { started: 0, succeeded: 0, failed: 0, inCatalog: 0, deployed: 0 }, services: [] }]),
  );
  const inWindow = (t: number): boolean => t >= input.since && t <= input.until;

  for (const s of services) {
    const task = created.get(s.name);
    const deployed = input.firstDeployedAt(s.name);
    const born = Math.min(task?.createdAt ?? Infinity, deployed ?? Infinity);
    if (!inWindow(born)) continue;
    const m = months.get(monthKey(born)) as AdoptionMonth;
    m.newServices++;
    if (task || s.goldenPath) m.fromGoldenPath++;
    if (m.services.length < 50) m.services.push(s.name);
  }
  const allNames = new Set(input.services.map((s) => s.name));
  for (const t of input.tasks) {
    if (!inWindow(t.createdAt)) continue;
    // A task for a team's view counts when it names one of the team's services, or names none the catalog knows.
    if (input.team !== undefined && !(t.service !== undefined && names.has(t.service))) continue;
    const m = months.get(monthKey(t.createdAt)) as AdoptionMonth;
    m.tasks.started++;
    if (t.state === 'failed') m.tasks.failed++;
    if (t.state !== 'succeeded') continue;
    m.tasks.succeeded++;
    if (t.service === undefined || !allNames.has(t.service)) continue;
    m.tasks.inCatalog++;
    const deployed = input.firstDeployedAt(t.service);
    if (deployed !== undefined && deployed >= t.createdAt) m.tasks.deployed++;
  }
  for (const m of months.values()) {
    m.services.sort();
    const s = share(m.fromGoldenPath, m.newServices);
    if (s !== undefined) m.goldenPathShare = s;
  }
  const out: AdoptionInsights = {
    since: new Date(input.since).toISOString(),
    until: new Date(input.until).toISOString(),
    goldenPaths: goldenPathAdoption(services, input.templates),
    months: [...months.values()],
  };
  if (input.team !== undefined) out.team = input.team;
  return out;
}
