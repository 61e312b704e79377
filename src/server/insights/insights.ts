/**
 * Platform insights over this platform's own history: the catalog (teams = owners), scaffold tasks, finished
 * deployments, scorecards and feedback, gathered through narrow interfaces and handed to the pure computations in
 * src/core/insights. The deployment history is put into columns once, in one pass (see the bench for 1M), and the
 * deployments that finish later are added to them as a request finds them.
 */
import type { Environment, Feedback, ScaffoldTask } from '../../core/api/types';
import type { CatalogEntry } from '../../core/catalog';
import { PavedError } from '../../core/errors';
import {
  adoptionInsights,
  complianceInsights,
  complianceSnapshot,
  DAY_MS,
  DeploymentTable,
  deliveryInsights,
  deliveryServices,
  feedbackInbox,
  onboardingInsights,
  type AdoptionInsights,
  type ComplianceInsights,
  type DeliveryInsights,
  type DeliveryService,
  type FeedbackInsights,
  type FeedbackItem,
  type FeedbackState,
  type HistoryRow,
  type InsightTask,
  type OnboardingInsights,
  type ServiceCompliance,
  type WaiverInput,
} from '../../core/insights';
import type { AdoptionTemplate } from '../../core/templates';
import type { FeedbackStates } from './feedbackStates';
import type { ComplianceSnapshots } from './snapshots';

/** What insights read of the other rooms. */
export interface InsightSources {
  catalog: { entries(): readonly CatalogEntry[] };
  templates: { all(): AdoptionTemplate[] };
  tasks: { all(): Iterable<ScaffoldTask> };
  /** Finished deployments in the order they finished: `finishedRows(from)` those after the first `from`. */
  deployments: { finishedCount: number; finishedRows(from?: number): Iterable<HistoryRow> };
  environments: readonly Environment[];
  feedback: { all(): readonly Feedback[]; get(id: string): Feedback };
  /** The rules of the platform's policy set, and a service's scorecard and waivers under it (undefined: no scorecard). */
  policy: {
    rules(): { id: string; mandatory: boolean }[];
    evaluate(e: CatalogEntry): { results: { ruleId: string; passed: boolean }[]; waivers: WaiverInput[] } | undefined;
  };
  now: () => Date;
}

export interface WindowQuery {
  since?: string;
  until?: string;
  team?: string;
}

/** Twelve weeks unless asked otherwise. */
export const DEFAULT_WINDOW_DAYS = 84;

export class PlatformInsights {
  /** The deployment history in columns, and how many finished deployments it holds. */
  private columns: { table: DeploymentTable; rows: number } | undefined;

  constructor(
    private readonly src: InsightSources,
    private readonly states: FeedbackStates,
    private readonly snapshots: ComplianceSnapshots,
  ) {}

  /** The window asked for: `until` defaults to now, `since` to 12 weeks before it. */
  window(q: WindowQuery): { since: number; until: number; team?: string } {
    const until = q.until !== undefined ? Date.parse(q.until) : this.src.now().getTime();
    const since = q.since !== undefined ? Date.parse(q.since) : until - DEFAULT_WINDOW_DAYS * DAY_MS;
    if (!(since <= until)) throw new PavedError('invalid-input', `the window must start before it ends (since ${new Date(since).toISOString()}, until ${new Date(until).toISOString()})`);
    return q.team !== undefined ? { since, until, team: q.team } : { since, until };
  }

  private teams(): Map<string, string> {
    return new Map(this.src.catalog.entries().map((e) => [e.name, e.owner]));
  }

  /** The history in columns: built on first use, then only the deployments finished since are added. */
  private table(): DeploymentTable {
    const c = (this.columns ??= { table: new DeploymentTable(), rows: 0 });
    const { deployments } = this.src;
    if (c.rows < deployments.finishedCount) {
      const upTo = deployments.finishedCount;
      for (const r of deployments.finishedRows(c.rows)) c.table.add(r);
      c.rows = upTo;
    }
    return c.table;
  }

  private tasks(): InsightTask[] {
    const out: InsightTask[] = [];
    for (const t of this.src.tasks.all()) {
      const task: InsightTask = { templateId: t.templateId, templateVersion: t.templateVersion, state: t.state, createdAt: Date.parse(t.createdAt) };
      if (typeof t.values.name === 'string') task.service = t.values.name;
      out.push(task);
    }
    return out;
  }

  adoption(q: WindowQuery): AdoptionInsights {
    const w = this.window(q);
    const table = this.table();
    const firstSeen = new Map<string, number>();
    for (let i = 0; i < table.length; i++) {
      const name = table.services.names[table.service[i]];
      const prev = firstSeen.get(name);
      if (prev === undefined || table.finishedAt[i] < prev) firstSeen.set(name, table.finishedAt[i]);
    }
    const services = this.src.catalog.entries().map((e) => (e.goldenPath ? { name: e.name, team: e.owner, goldenPath: e.goldenPath } : { name: e.name, team: e.owner }));
    return adoptionInsights({ ...w, services, templates: this.src.templates.all(), tasks: this.tasks(), firstDeployedAt: (s) => firstSeen.get(s) });
  }

  onboarding(q: WindowQuery & { limit: number; cursor?: string }): OnboardingInsights {
    const w = this.window(q);
    const teams = this.teams();
    const firstHealthy = this.table().firstHealthy();
    return onboardingInsights({ ...w, environments: this.src.environments.map((e) => e.name), tasks: this.tasks(), firstHealthy, teamOf: (s) => teams.get(s), limit: q.limit, cursor: q.cursor });
  }

  delivery(q: WindowQuery & { environment?: string }): DeliveryInsights {
    const teams = this.teams();
    return deliveryInsights(this.table(), { ...this.window(q), environment: q.environment, teamOf: (s) => teams.get(s) ?? 'unknown' });
  }

  deliveryServices(q: WindowQuery & { environment?: string }): DeliveryService[] {
    const teams = this.teams();
    return deliveryServices(this.table(), { ...this.window(q), environment: q.environment, teamOf: (s) => teams.get(s) ?? 'unknown' });
  }

  compliance(q: WindowQuery): ComplianceInsights {
    const w = this.window({ ...q, until: undefined });
    const now = this.src.now();
    const services: ServiceCompliance[] = [];
    for (const e of this.src.catalog.entries()) {
      const r = this.src.policy.evaluate(e);
      if (r) services.push({ service: e.name, team: e.owner, results: r.results, waivers: r.waivers });
    }
    const rules = this.src.policy.rules();
    this.snapshots.record(complianceSnapshot(services, rules, now.getTime()));
    return complianceInsights({ now: now.getTime(), since: w.since, team: w.team, services, rules, snapshots: this.snapshots.all() });
  }

  feedback(q: WindowQuery & { state?: FeedbackState; category?: string; service?: string; limit: number; cursor?: string }): FeedbackInsights {
    const teams = this.teams();
    const { state, category, service, limit, cursor } = q;
    return feedbackInbox({ ...this.window(q), items: this.src.feedback.all(), changes: this.states.all(), teamOf: (s) => teams.get(s), state, category, service, limit, cursor });
  }

  /** Sets a message's state; an unknown id is not-found. */
  setFeedbackState(id: string, state: FeedbackState, by?: string): FeedbackItem {
    const f = this.src.feedback.get(id);
    const c = this.states.set(id, state, by);
    const item: FeedbackItem = { ...f, state: c.state, stateChangedAt: c.at };
    if (c.by !== undefined) item.stateChangedBy = c.by;
    return item;
  }
}
