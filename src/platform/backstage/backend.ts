/**
 * Backstage behind `PlatformBackend` (`paved.platform.kind: backstage`, `paved.platform.url` = the Backstage backend
 * base URL, e.g. `https://backstage.example.com`; its plugins are under `/api/catalog` and `/api/scaffolder`).
 *
 * - Catalog: `by-query` with cursor paging (always an `orderField`; with a cursor only `cursor`, `limit`, `fields`),
 *   `entity-facets`, `by-name` for details and ONE `by-refs` round trip to resolve the relations.
 * - Templates are `kind: Template` entities; their parameter-schema steps become `TemplateInfo.steps` (`ui:` hints
 *   mapped, see mapping.ts). Tasks are created with `templateRef` + `values` (schema defaults filled in by the client:
 *   the scaffolder does not apply them); the log streams over SSE (`eventstream`, resumed with `after`) or the
 *   `events` long-poll.
 * - Deploy: Backstage has none (`capabilities.deploy` false). An entity annotated `paved.dev/platform-api: https://…`
 *   deploys through that Paved Platform API (`options.pavedBackend`), never with the Backstage token.
 * - Every failure is a `PlatformError` (Backstage's `{error:{name,message}}` and `{errors:[…]}` bodies included).
 *
 * The scaffolder (templates, tasks, dry run) is in scaffolder.ts, entity checks and ref completion in
 * entityChecks.ts, the deploy hand-off in deployDelegation.ts; this class is the catalog and delegates the rest.
 */
import type * as api from '../../core/api/types';
import type {
  BackendCapabilities,
  CallOptions,
  CatalogFacets,
  CatalogService,
  CreateScaffoldTask,
  DeploymentQuery,
  DeployDelegate,
  EntityValidationError,
  FacetValue,
  PlatformBackend,
  PlatformHealth,
  ReferenceNames,
  ScaffoldEvent,
  ScaffoldTaskInfo,
  ServiceInfo,
  ServiceQuery,
  StreamOptions,
  TemplateInfo,
  WriteOptions,
} from '../backend';
import { BACKSTAGE_CAPABILITIES } from '../capabilities';
import { PlatformError, unsupportedError } from '../errors';
import { Transport, type QueryValue, type ResponseValidator, type TransportOptions } from '../transport';
import { backstageReferenceNames } from './names';
import { unsupportedOperations } from '../unsupportedOperations';
import { byNamePath, safeHumanize, type BackstageCalls } from './calls';
import { DeployDelegation } from './deployDelegation';
import { checkRefs, suggestRefs, validateEntity } from './entityChecks';
import { EntityRefError, entityRefOf, parseEntityRef, type EntityName } from './entityRef';
import {
  CATALOG_KINDS,
  DETAIL_RELATIONS,
  LIST_FIELDS,
  RELATED_FIELDS,
  ownerFilterRef,
  relationRefs,
  systemFilterRef,
  toCatalogService,
  toServiceInfo,
  type ResolvedRelation,
} from './mapping';
import { BackstageScaffolder, type DryRunRequest, type DryRunResult } from './scaffolder';
import { byRefsValidator, entityValidator, facetsValidator, queryEntitiesValidator, type BackstageEntity } from './wire';

export type { DryRunFile, DryRunRequest, DryRunResult } from './scaffolder';

export interface BackstageBackendOptions extends Omit<TransportOptions, 'platformName'> {
  /**
   * Builds the Paved API client for an entity annotated `paved.dev/platform-api: <url>`. It must bring its own token
   * for that URL (never the Backstage token: the annotation is catalog data anyone who can register an entity
   * controls). Without it no entity can be deployed.
   */
  pavedBackend?: (url: string) => PlatformBackend;
  /** Kinds the catalog tree lists. Default Component, API, Resource, System, Group. */
  kinds?: readonly string[];
  /** Page size when the caller gives none. Default 50. */
  defaultPageSize?: number;
  /** Event stream mode: `auto` (SSE, long-poll fallback; default) or `poll`. */
  eventMode?: 'auto' | 'poll';
  /** No byte on the event stream for this long → reconnect with `after`. Default 120 000 ms (Backstage sends no heartbeat). */
  eventIdleTimeoutMs?: number;
}

/** An entity with its relations resolved (one `by-refs` round trip). */
export interface EntityDetails {
  ref: string;
  entity: BackstageEntity;
  relations: ResolvedRelation[];
}
const MAX_LIMIT = 500;

function filterValue(v: string, what: string): string {
  if (/[,=]/.test(v)) throw new PlatformError('invalid-input', `The ${what} "${v}" cannot contain "," or "=".`, { action: 'none' });
  return v;
}

export class BackstageBackend implements PlatformBackend {
  readonly kind = 'backstage' as const;
  readonly displayName: string;
  readonly baseUrl: string;
  readonly capabilities: BackendCapabilities = BACKSTAGE_CAPABILITIES;
  readonly operations = unsupportedOperations('Backstage');

  private readonly transport: Transport;
  private readonly lifetime = new AbortController();
  private readonly kinds: readonly string[];
  private readonly defaultPageSize: number;
  /** The catalog and HTTP calls the delegated parts use, bound to this backend. */
  private readonly calls: BackstageCalls;
  private readonly scaffolder: BackstageScaffolder;
  private readonly deployments: DeployDelegation;

  constructor(options: BackstageBackendOptions) {
    this.transport = new Transport({ ...options, platformName: 'Backstage' });
    this.baseUrl = this.transport.baseUrl.toString().replace(/\/$/, '');
    this.displayName = `Backstage (${this.baseUrl})`;
    this.kinds = options.kinds ?? CATALOG_KINDS;
    this.defaultPageSize = options.defaultPageSize ?? 50;
    this.calls = {
      transport: this.transport,
      signal: (opts) => this.signal(opts),
      get: (path, schema, opts, query) => this.get(path, schema, opts, query),
      queryEntities: (kinds, query, opts, fields) => this.queryEntities(kinds, query, opts, fields),
    };
    this.scaffolder = new BackstageScaffolder(this.calls, {
      eventMode: options.eventMode ?? 'auto',
      eventIdleTimeoutMs: options.eventIdleTimeoutMs ?? 120_000,
    });
    this.deployments = new DeployDelegation((ref, opts) => this.getEntity(ref, opts), options.pavedBackend);
  }

  dispose(): void {
    this.lifetime.abort();
    this.deployments.dispose();
  }

  // --------------------------------------------------------------------------------------------------------------
  // Platform

  /** A one-entity catalog query: proves the URL is a Backstage backend and the token is accepted. */
  async health(opts?: CallOptions): Promise<PlatformHealth> {
    await this.get('/api/catalog/entities/by-query', queryEntitiesValidator, opts, { limit: 1, fields: 'metadata.name', orderField: 'metadata.name,asc' });
    return { status: 'ok', platform: 'backstage' };
  }

  // --------------------------------------------------------------------------------------------------------------
  // Catalog

  /**
   * One page of the catalog (kinds in `options.kinds`), ordered by `metadata.name`. `owner` / `system` accept
   * `team-a`, `group:team-a` or a full ref; `text` is a full-text filter over name, title, description and tags.
   */
  async listServices(query: ServiceQuery, opts?: CallOptions): Promise<api.Page<CatalogService>> {
    const page = await this.queryEntities(this.kinds, query, opts);
    return { items: page.items.map(toCatalogService), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /** `ref` as `kind:namespace/name` (kind defaults to `component`, namespace to `default`). */
  async getService(ref: string, opts?: CallOptions): Promise<ServiceInfo> {
    const details = await this.getEntityDetails(ref, opts);
    return toServiceInfo(details.entity, details.relations);
  }

  /** The entity as stored, and its relations resolved in one `by-refs` call (dangling refs: `entity: null`). */
  async getEntityDetails(ref: string, opts?: CallOptions): Promise<EntityDetails> {
    const entity = await this.getEntity(ref, opts);
    const rels = relationRefs(entity, DETAIL_RELATIONS);
    const unique = [...new Set(rels.map((r) => r.targetRef))];
    const resolved = await this.entitiesByRefs(unique, RELATED_FIELDS, opts);
    const byRef = new Map(unique.map((r, i) => [r, resolved[i] ?? null]));
    const relations: ResolvedRelation[] = rels.map((r) => ({
      type: r.type,
      targetRef: r.targetRef,
      display: safeHumanize(r.targetRef),
      entity: byRef.get(r.targetRef) ?? null,
    }));
    return { ref: entityRefOf(entity), entity, relations };
  }

  /** The entity (`by-name`). Fails with `not-found` (Backstage's NotFoundError) for an unknown ref. */
  async getEntity(ref: string, opts?: CallOptions, defaultKind = 'component'): Promise<BackstageEntity> {
    const name = this.parseRef(ref, defaultKind);
    return this.get(byNamePath(name), entityValidator, opts);
  }

  /**
   * `POST /api/catalog/entities/by-refs`: one item per ref, in the order given, `null` for refs the catalog does not
   * have. Empty input → no request.
   */
  async entitiesByRefs(refs: readonly string[], fields?: readonly string[], opts?: CallOptions): Promise<(BackstageEntity | null)[]> {
    if (refs.length === 0) return [];
    const body: { entityRefs: string[]; fields?: string[] } = { entityRefs: [...refs] };
    if (fields) body.fields = [...fields];
    const res = await this.transport.request({
      method: 'POST',
      path: '/api/catalog/entities/by-refs',
      body,
      schema: byRefsValidator,
      idempotencyKey: true, // a read: safe to retry
      signal: this.signal(opts),
    });
    if (res.items.length !== refs.length) {
      throw new PlatformError('invalid-response', `Backstage answered ${res.items.length} entities for ${refs.length} references.`, {
        method: 'POST',
        path: '/api/catalog/entities/by-refs',
      });
    }
    return res.items;
  }

  /** Owners (`relations.ownedBy`), systems (`relations.partOf` to systems) and lifecycles over the listed kinds. */
  async facets(opts?: CallOptions): Promise<CatalogFacets> {
    const res = await this.get('/api/catalog/entity-facets', facetsValidator, opts, {
      facet: ['relations.ownedBy', 'relations.partOf', 'spec.lifecycle'],
      filter: this.kinds.map((k) => `kind=${k.toLowerCase()}`),
    });
    const fold = (values: { value: string; count: number }[] | undefined, keep: (v: string) => boolean, show: (v: string) => string): FacetValue[] => {
      const m = new Map<string, number>();
      for (const f of values ?? []) if (keep(f.value)) m.set(show(f.value), (m.get(show(f.value)) ?? 0) + f.count);
      return [...m.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    };
    return {
      owners: fold(res.facets['relations.ownedBy'], () => true, (v) => safeHumanize(v, 'group')),
      systems: fold(res.facets['relations.partOf'], (v) => v.toLowerCase().startsWith('system:'), (v) => safeHumanize(v, 'system')),
      lifecycles: fold(res.facets['spec.lifecycle'], () => true, (v) => v),
      partial: false,
    };
  }

  /** Groups as teams; `serviceCount` counts the components each owns (one facet call). */
  async listTeams(page: { limit?: number; cursor?: string } = {}, opts?: CallOptions): Promise<api.Page<api.Team>> {
    const fields = ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title', 'metadata.description', 'spec.profile', 'relations'];
    const [groups, owned] = await Promise.all([
      this.queryEntities(['Group'], { limit: page.limit, cursor: page.cursor }, opts, fields),
      this.get('/api/catalog/entity-facets', facetsValidator, opts, { facet: 'relations.ownedBy', filter: 'kind=component' }),
    ]);
    const counts = new Map((owned.facets['relations.ownedBy'] ?? []).map((f) => [f.value.toLowerCase(), f.count]));
    const items = groups.items.map((g): api.Team => {
      const ref = entityRefOf(g);
      const profile = (g.spec?.profile ?? {}) as { displayName?: unknown; email?: unknown };
      const team: api.Team = {
        name: safeHumanize(ref, 'group'),
        members: (g.relations ?? []).filter((r) => r.type === 'hasMember').map((r) => safeHumanize(r.targetRef, 'user')),
        serviceCount: counts.get(ref.toLowerCase()) ?? 0,
      };
      const title = typeof profile.displayName === 'string' ? profile.displayName : g.metadata.title;
      if (title) team.title = title;
      if (g.metadata.description) team.description = g.metadata.description;
      if (typeof profile.email === 'string') team.email = profile.email;
      return team;
    });
    return { items, ...(groups.nextCursor ? { nextCursor: groups.nextCursor } : {}) };
  }

  /** Backstage has no environments. */
  async listEnvironments(): Promise<api.Environment[]> {
    return [];
  }

  async register(): Promise<ServiceInfo> {
    throw unsupportedError('Backstage', 'register services from Paved', 'Register the catalog-info.yaml in Backstage ("Register Existing Component").');
  }

  async unregister(): Promise<void> {
    throw unsupportedError('Backstage', 'unregister services from Paved', 'Unregister the entity in Backstage.');
  }

  /** `POST /api/catalog/validate-entity`: `[]` when the catalog accepts the entity, else its errors (entityChecks.ts). */
  async validateEntity(entity: Record<string, unknown>, location: string, opts?: CallOptions): Promise<EntityValidationError[]> {
    return validateEntity(this.calls, entity, location, opts);
  }

  /** The refs in an entity's spec checked against the live catalog in one `by-refs` round trip (entityChecks.ts). */
  async checkRefs(entity: Record<string, unknown>, opts?: CallOptions): Promise<EntityValidationError[]> {
    return checkRefs((refs, fields, o) => this.entitiesByRefs(refs, fields, o), entity, opts);
  }

  /** Completion for a ref field from the catalog (entityChecks.ts). */
  async suggestRefs(kinds: readonly string[], text: string, opts: CallOptions & { defaultKind?: string; limit?: number } = {}): Promise<{ ref: string; label: string; title?: string }[]> {
    return suggestRefs(this.calls, kinds, text, opts);
  }

  // --------------------------------------------------------------------------------------------------------------
  // Templates and tasks (scaffolder.ts)

  async listTemplates(page: { limit?: number; cursor?: string } = {}, opts?: CallOptions): Promise<api.Page<api.TemplateSummary>> {
    return this.scaffolder.listTemplates(page, opts);
  }

  async getTemplate(id: string, opts?: CallOptions & { version?: string }): Promise<TemplateInfo> {
    return this.scaffolder.getTemplate(id, opts);
  }

  async listTemplateVersions(id: string, page?: { limit?: number; cursor?: string }, opts?: CallOptions): Promise<api.Page<api.TemplateVersion>> {
    return this.scaffolder.listTemplateVersions(id, page, opts);
  }

  async goldenPathAdoption(opts?: CallOptions): Promise<api.GoldenPathAdoption> {
    return this.scaffolder.goldenPathAdoption(opts);
  }

  async createScaffoldTask(request: CreateScaffoldTask, opts?: WriteOptions): Promise<ScaffoldTaskInfo> {
    return this.scaffolder.createScaffoldTask(request, opts);
  }

  async getScaffoldTask(id: string, opts?: CallOptions): Promise<ScaffoldTaskInfo> {
    return this.scaffolder.getScaffoldTask(id, opts);
  }

  scaffoldTaskEvents(id: string, opts: StreamOptions = {}): AsyncIterable<ScaffoldEvent> {
    return this.scaffolder.scaffoldTaskEvents(id, opts);
  }

  async cancelScaffoldTask(id: string, opts?: CallOptions): Promise<void> {
    return this.scaffolder.cancelScaffoldTask(id, opts);
  }

  /** `POST /api/scaffolder/v2/dry-run`: the files, log and output a template as written would produce. */
  async dryRun(request: DryRunRequest, opts?: CallOptions): Promise<DryRunResult> {
    return this.scaffolder.dryRun(request, opts);
  }

  // --------------------------------------------------------------------------------------------------------------
  // Deployments: only through a Paved Platform API named by the entity's `paved.dev/platform-api` annotation
  // (deployDelegation.ts).

  async deploy(service: string, request: api.CreateDeploymentRequest, opts?: WriteOptions): Promise<api.Deployment> {
    return this.deployments.deploy(service, request, opts);
  }

  async rollback(service: string, request: api.RollbackRequest, opts?: WriteOptions): Promise<api.Deployment> {
    return this.deployments.rollback(service, request, opts);
  }

  async promote(service: string, request: api.PromoteRequest, opts?: WriteOptions): Promise<api.Deployment> {
    return this.deployments.promote(service, request, opts);
  }

  async listDeployments(service: string, query?: DeploymentQuery, opts?: CallOptions): Promise<api.Page<api.Deployment>> {
    return this.deployments.listDeployments(service, query, opts);
  }

  async getDeployment(id: string, opts?: CallOptions): Promise<api.Deployment> {
    return this.deployments.getDeployment(id, opts);
  }

  deploymentEvents(id: string, opts?: StreamOptions): AsyncIterable<api.DeploymentEvent> {
    return this.deployments.deploymentEvents(id, opts);
  }

  async cancelDeployment(id: string, opts?: CallOptions): Promise<api.Deployment> {
    return this.deployments.cancelDeployment(id, opts);
  }

  // Backstage shows Resource entities; provisioning them is a Paved platform's (capabilities.resources is false).
  listResourceTypes = noResources;
  listClaims = noResources;
  releaseClaim = noResources;
  revealClaimOutput = noResources;

  async deploymentLog(id: string, opts?: CallOptions): Promise<string> {
    return this.deployments.deploymentLog(id, opts);
  }

  async getPolicies(): Promise<api.PolicySet> {
    throw unsupportedError('Backstage', 'provide Paved policies', 'Paved lints catalog-info.yaml with its built-in rules and the catalog\'s validate-entity check.');
  }

  /** Groups, Systems, Components and APIs by name (names.ts). */
  catalogNames(opts?: CallOptions): Promise<ReferenceNames> {
    return backstageReferenceNames((kind, page, fields) => this.queryEntities([kind], page, opts, fields));
  }

  async getMetrics(): Promise<api.DoraMetrics> {
    throw unsupportedError('Backstage', 'provide DORA metrics');
  }

  async insights(): Promise<never> {
    throw unsupportedError('Backstage', 'compute platform insights', INSIGHTS_HINT);
  }

  async deliveryServices(): Promise<never> {
    throw unsupportedError('Backstage', 'compute platform insights', INSIGHTS_HINT);
  }

  async setFeedbackState(): Promise<never> {
    throw unsupportedError('Backstage', 'keep a feedback inbox', INSIGHTS_HINT);
  }

  async sendFeedback(): Promise<api.Feedback> {
    throw unsupportedError('Backstage', 'receive feedback through Paved', 'Use the owning team\'s channel from the entity\'s links.');
  }

  // --------------------------------------------------------------------------------------------------------------

  async deployBackendFor(ref: string, opts?: CallOptions): Promise<DeployDelegate> {
    return this.deployments.deployBackendFor(ref, opts);
  }

  deployBackendAt(url: string): PlatformBackend {
    return this.deployments.deployBackendAt(url);
  }

  private parseRef(ref: string, defaultKind: string): EntityName {
    try {
      return parseEntityRef(ref, { defaultKind });
    } catch (err) {
      if (err instanceof EntityRefError) throw new PlatformError('invalid-input', err.message, { action: 'none' });
      throw err;
    }
  }

  private async queryEntities(
    kinds: readonly string[],
    query: ServiceQuery,
    opts: CallOptions | undefined,
    fields: readonly string[] = LIST_FIELDS,
  ): Promise<{ items: BackstageEntity[]; nextCursor?: string }> {
    const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(query.limit ?? this.defaultPageSize)));
    let q: Record<string, QueryValue>;
    if (query.cursor) {
      // The cursor carries filter, order and position: Backstage ignores anything else next to it.
      q = { cursor: query.cursor, limit, fields: fields.join(',') };
    } else {
      const conditions: string[] = [];
      try {
        if (query.owner) conditions.push(`relations.ownedBy=${filterValue(ownerFilterRef(query.owner), 'owner')}`);
        if (query.system) conditions.push(`relations.partOf=${filterValue(systemFilterRef(query.system), 'system')}`);
      } catch (err) {
        if (err instanceof EntityRefError) throw new PlatformError('invalid-input', err.message, { action: 'none' });
        throw err;
      }
      if (query.lifecycle) conditions.push(`spec.lifecycle=${filterValue(query.lifecycle, 'lifecycle')}`);
      q = {
        filter: kinds.map((k) => [`kind=${k.toLowerCase()}`, ...conditions].join(',')),
        orderField: 'metadata.name,asc',
        limit,
        fields: fields.join(','),
      };
      const text = query.text?.trim();
      if (text) {
        q.fullTextFilterTerm = text;
        q.fullTextFilterFields = 'metadata.name,metadata.title,metadata.description,metadata.tags';
      }
    }
    const res = await this.get('/api/catalog/entities/by-query', queryEntitiesValidator, opts, q);
    const items = res.items.filter((e) => typeof e.kind === 'string' && typeof e.metadata?.name === 'string');
    return { items, ...(res.pageInfo.nextCursor ? { nextCursor: res.pageInfo.nextCursor } : {}) };
  }

  private signal(opts: CallOptions | undefined): AbortSignal {
    if (this.lifetime.signal.aborted) {
      throw new PlatformError('cancelled', 'The Backstage connection was closed (settings changed or signed out).', { action: 'none' });
    }
    return opts?.signal ? AbortSignal.any([this.lifetime.signal, opts.signal]) : this.lifetime.signal;
  }

  private get<T>(path: string, schema: ResponseValidator<T>, opts: CallOptions | undefined, query?: Record<string, QueryValue>): Promise<T> {
    return this.transport.request({ path, query, schema, signal: this.signal(opts) });
  }
}

/** What to say when platform insights are asked of Backstage. */
const INSIGHTS_HINT = 'Adoption, onboarding time, delivery (DORA), compliance and the feedback inbox need a Paved platform: it keeps the scaffold, deployment and policy history they are computed from.';

async function noResources(): Promise<never> {
  throw unsupportedError('Backstage', 'provision resources', 'It shows Resource entities and dependsOn resources; claims (spec.claims) are provisioned by a Paved platform (paved.platform.kind local or paved).');
}
