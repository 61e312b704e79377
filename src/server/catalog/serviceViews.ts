/**
 * Services as the API shows them: a catalog entry with its state in each environment, its scorecard and its DORA
 * metrics. What runs where comes from the deploy room through the narrow `ServiceRuntime`, so the catalog never reaches
 * into deployments and the deploy room never builds catalog views.
 */
import type {
  DoraMetrics,
  EnvironmentState,
  HealthState,
  Page,
  RegisterServiceRequest,
  Scorecard,
  ServiceDetails,
  ServiceEnvironmentStatus,
  ServiceQuery,
  ServiceSummary,
} from '../../core/api/types';
import { asV1, type CatalogEntry } from '../../core/catalog';
import type { LocalCatalog } from './localCatalog';

/** What the catalog's views need to know about a service's deployments and running releases. */
export interface ServiceRuntime {
  /** Environment → state, only for environments where the service was deployed (cheap when it never was). */
  states(service: string): Record<string, EnvironmentState>;
  /** The service's state in every environment. */
  environments(service: string): ServiceEnvironmentStatus[];
  metrics(service: string, windowDays: number, environment: string): DoraMetrics;
  /** Refuses while a deployment of the service runs, else stops it wherever it runs (before it leaves the catalog). */
  retire(service: string): Promise<void>;
}

/** A service's scorecard (the policy room's gate: the platform's set, the repository's additions, the catalog). */
export interface ServiceScorecards {
  scorecard(e: CatalogEntry, manifest: Record<string, unknown>): Scorecard;
}

export class ServiceViews {
  constructor(
    private readonly catalog: LocalCatalog,
    private readonly runtime: ServiceRuntime,
    private readonly scorecards: ServiceScorecards,
    /** Environment → health where a release runs (the operations room's probes). */
    private readonly health: (service: string) => Record<string, HealthState> | undefined = () => undefined,
  ) {}

  list(q: ServiceQuery & { limit: number }): Page<ServiceSummary> {
    const page = this.catalog.list(q);
    return { ...page, items: page.items.map((e) => this.summary(e)) };
  }

  get(name: string): ServiceDetails {
    const e = this.catalog.entry(name);
    const d: ServiceDetails = {
      ...this.summary(e),
      manifest: e.manifest,
      manifestKind: e.manifestKind,
      links: e.links,
      dependsOn: e.dependsOn,
      dependents: this.catalog.dependents(e.name),
      apis: { provides: e.providesApis, consumes: e.consumesApis },
      environments: this.runtime.environments(e.name),
      scorecard:
        e.manifestKind === 'catalog-info.yaml'
          ? { score: 0, results: [] }
          : this.scorecards.scorecard(e, asV1(e.manifest)),
      metrics: this.runtime.metrics(e.name, 30, 'production'),
    };
    if (e.manifestPath) d.manifestPath = e.manifestPath;
    if (e.sourceDir) d.sourceDir = e.sourceDir;
    return d;
  }

  register(req: RegisterServiceRequest): { details: ServiceDetails; created: boolean } {
    const { entry, created } = this.catalog.register(req);
    return { details: this.get(entry.name), created };
  }

  /** Removes a registered service; its running environments are stopped first, a deployment in progress refuses. */
  async unregister(name: string): Promise<void> {
    this.catalog.registered(name);
    await this.runtime.retire(name);
    this.catalog.unregister(name);
  }

  private summary(e: CatalogEntry): ServiceSummary {
    const s: ServiceSummary = { name: e.name, owner: e.owner, tags: e.tags, source: e.source, status: this.runtime.states(e.name) };
    if (e.title) s.title = e.title;
    if (e.description) s.description = e.description;
    if (e.system) s.system = e.system;
    if (e.lifecycle) s.lifecycle = e.lifecycle;
    const health = this.health(e.name);
    if (health) s.health = health;
    if (e.goldenPath) s.goldenPath = e.goldenPath;
    return s;
  }
}
