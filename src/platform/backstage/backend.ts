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
 */
import { pathToFileURL } from 'node:url';
import type * as api from '../../core/api/types';
import type { ScaffoldFile } from '../../core/api/types';
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
  ScaffoldOutcome,
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
import { EntityRefError, entityRefOf, humanizeEntityRef, parseEntityRef, stringifyEntityRef, type EntityName } from './entityRef';
import {
  CATALOG_KINDS,
  DETAIL_RELATIONS,
  LIST_FIELDS,
  RELATED_FIELDS,
  applyDefaults,
  mergeSteps,
  outcomeOf,
  ownerFilterRef,
  ownerOf,
  platformApiOf,
  relationRefs,
  specRefs,
  stripAnsi,
  systemFilterRef,
  taskStateOf,
  templateRefOf,
  toCatalogService,
  toLocationRef,
  toScaffoldEvent,
  toServiceInfo,
  toTemplateSteps,
  toValidationError,
  type ResolvedRelation,
} from './mapping';
import {
  byRefsValidator,
  createdTaskValidator,
  dryRunValidator,
  entityValidator,
  facetsValidator,
  parameterSchemaValidator,
  queryEntitiesValidator,
  taskEventProblem,
  taskEventsValidator,
  taskValidator,
  type BackstageEntity,
  type DryRunRequestBody,
  type SerializedTaskEvent,
} from './wire';

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

/** A file the dry run produced. `content` is UTF-8 text; `base64Content` the exact bytes. */
export interface DryRunFile extends ScaffoldFile {
  base64Content: string;
  executable: boolean;
}

export interface DryRunRequest {
  /** The Template entity as written (e.g. the open `template.yaml`, parsed). */
  template: Record<string, unknown>;
  values: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** Files next to the template (its skeleton), relative paths. Strings are UTF-8; Buffers are sent as they are. */
  directoryContents?: { path: string; content: string | Uint8Array; executable?: boolean }[];
}

export interface DryRunResult {
  files: DryRunFile[];
  /** Log lines, ANSI codes removed. */
  log: { message: string; stepId?: string; status?: string }[];
  steps: { id: string; name: string; action: string }[];
  outcome: ScaffoldOutcome;
}

/** An entity with its relations resolved (one `by-refs` round trip). */
export interface EntityDetails {
  ref: string;
  entity: BackstageEntity;
  relations: ResolvedRelation[];
}

const seg = (s: string) => encodeURIComponent(s);
const MAX_LIMIT = 500;

function byNamePath(e: EntityName): string {
  return `/api/catalog/entities/by-name/${seg(e.kind.toLowerCase())}/${seg(e.namespace.toLowerCase())}/${seg(e.name)}`;
}

function filterValue(v: string, what: string): string {
  if (/[,=]/.test(v)) throw new PlatformError('invalid-input', `The ${what} "${v}" cannot contain "," or "=".`, { action: 'none' });
  return v;
}

function toBase64(content: string | Uint8Array): string {
  return typeof content === 'string' ? Buffer.from(content, 'utf8').toString('base64') : Buffer.from(content).toString('base64');
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
  private readonly pavedBackend?: (url: string) => PlatformBackend;
  private readonly delegates = new Map<string, PlatformBackend>();
  private readonly deploymentOwners = new Map<string, PlatformBackend>();
  private readonly templateSchemas = new Map<string, unknown[]>();
  private readonly eventMode: 'auto' | 'poll';
  private readonly eventIdleTimeoutMs: number;

  constructor(options: BackstageBackendOptions) {
    this.transport = new Transport({ ...options, platformName: 'Backstage' });
    this.baseUrl = this.transport.baseUrl.toString().replace(/\/$/, '');
    this.displayName = `Backstage (${this.baseUrl})`;
    this.kinds = options.kinds ?? CATALOG_KINDS;
    this.defaultPageSize = options.defaultPageSize ?? 50;
    this.pavedBackend = options.pavedBackend;
    this.eventMode = options.eventMode ?? 'auto';
    this.eventIdleTimeoutMs = options.eventIdleTimeoutMs ?? 120_000;
  }

  dispose(): void {
    this.lifetime.abort();
    for (const d of this.delegates.values()) d.dispose();
    this.delegates.clear();
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

  /**
   * `POST /api/catalog/validate-entity`: `[]` when the catalog accepts the entity, else its errors with JSON pointers
   * where the message says where. `location` may be a `url:` location ref, a URL or a file path.
   */
  async validateEntity(entity: Record<string, unknown>, location: string, opts?: CallOptions): Promise<EntityValidationError[]> {
    try {
      await this.transport.request({
        method: 'POST',
        path: '/api/catalog/validate-entity',
        body: { entity, location: toLocationRef(location, (p) => pathToFileURL(p).toString()) },
        expect: 'empty',
        idempotencyKey: true, // a check: safe to retry
        signal: this.signal(opts),
      });
      return [];
    } catch (err) {
      if (PlatformError.isPlatformError(err, 'invalid-input') && err.status === 400 && err.server?.validationErrors) {
        return err.server.validationErrors.map(toValidationError);
      }
      throw err;
    }
  }

  /**
   * Checks the refs in an entity's spec (`owner`, `system`, `dependsOn`, `providesApis`, …) against the live catalog
   * in one `by-refs` round trip: one error per ref that cannot be read or names no catalog entity, with its pointer.
   * Shorthands are completed with the field's default kind and the entity's namespace, as the catalog does.
   */
  async checkRefs(entity: Record<string, unknown>, opts?: CallOptions): Promise<EntityValidationError[]> {
    const metadata = (entity.metadata ?? {}) as { namespace?: unknown };
    const namespace = typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : 'default';
    const refs = specRefs(entity);
    const problems: (EntityValidationError | undefined)[] = refs.map(() => undefined);
    const resolved: { ref: string; index: number }[] = [];
    refs.forEach((r, index) => {
      try {
        resolved.push({ ref: stringifyEntityRef(parseEntityRef(r.value, { defaultKind: r.defaultKind, defaultNamespace: namespace })), index });
      } catch (err) {
        if (!(err instanceof EntityRefError)) throw err;
        problems[index] = { message: err.message, pointer: r.pointer };
      }
    });
    const unique = [...new Set(resolved.map((r) => r.ref))];
    const found = await this.entitiesByRefs(unique, ['kind', 'metadata.name', 'metadata.namespace'], opts);
    const exists = new Map(unique.map((r, i) => [r, found[i] !== null]));
    for (const r of resolved) {
      const ref = refs[r.index];
      if (!exists.get(r.ref)) problems[r.index] = { message: `"${ref.value}" (${r.ref}) is not in the Backstage catalog.`, pointer: ref.pointer };
    }
    // In the order the spec lists them.
    return problems.filter((p): p is EntityValidationError => p !== undefined);
  }

  /**
   * Completion for a ref field: catalog entities of `kinds` whose name or title contains `text`, as refs written the
   * short way for that field (`team-a` for an owner group in the default namespace, `component:ledger` in dependsOn).
   */
  async suggestRefs(kinds: readonly string[], text: string, opts: CallOptions & { defaultKind?: string; limit?: number } = {}): Promise<{ ref: string; label: string; title?: string }[]> {
    const fields = ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'];
    const page = await this.queryEntities(kinds, { text, limit: opts.limit ?? 50 }, opts, fields);
    return page.items.map((e) => {
      const full = entityRefOf(e);
      const out: { ref: string; label: string; title?: string } = { ref: humanizeEntityRef(full, { defaultKind: opts.defaultKind }), label: full };
      if (e.metadata.title) out.title = e.metadata.title;
      return out;
    });
  }

  // --------------------------------------------------------------------------------------------------------------
  // Templates and tasks

  /** `kind: Template` entities; `id` is the template ref (`template:default/name`). */
  async listTemplates(page: { limit?: number; cursor?: string } = {}, opts?: CallOptions): Promise<api.Page<api.TemplateSummary>> {
    const fields = ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title', 'metadata.description', 'metadata.tags', 'metadata.annotations', 'spec.owner', 'spec.type', 'relations'];
    const res = await this.queryEntities(['Template'], { limit: page.limit, cursor: page.cursor }, opts, fields);
    return { items: res.items.map(toTemplateSummary), ...(res.nextCursor ? { nextCursor: res.nextCursor } : {}) };
  }

  /**
   * The template entity and its parameter-schema steps (two requests in parallel). Backstage keeps only the current
   * version of a template: asking for another one is `unsupported`.
   */
  async getTemplate(id: string, opts?: CallOptions & { version?: string }): Promise<TemplateInfo> {
    const info = await this.currentTemplate(id, opts);
    if (opts?.version !== undefined && opts.version !== info.version) {
      throw unsupportedError('Backstage', `render ${info.id} at version ${opts.version} (it keeps only the current version${info.version ? `, ${info.version}` : ''})`, UPGRADE_HINT);
    }
    return info;
  }

  async listTemplateVersions(_id: string, _page?: { limit?: number; cursor?: string }, _opts?: CallOptions): Promise<api.Page<api.TemplateVersion>> {
    throw unsupportedError('Backstage', 'list the versions of a template', UPGRADE_HINT);
  }

  async goldenPathAdoption(_opts?: CallOptions): Promise<api.GoldenPathAdoption> {
    throw unsupportedError('Backstage', 'count golden-path adoption across the catalog', UPGRADE_HINT);
  }

  private async currentTemplate(id: string, opts?: CallOptions): Promise<TemplateInfo> {
    const ref = this.templateRef(id);
    const name = parseEntityRef(ref);
    const [entity, schema] = await Promise.all([
      this.get(byNamePath(name), entityValidator, opts),
      this.get(
        `/api/scaffolder/v2/templates/${seg(name.namespace)}/${seg(name.kind)}/${seg(name.name)}/parameter-schema`,
        parameterSchemaValidator,
        opts,
      ),
    ]);
    const steps = toTemplateSteps(schema);
    this.templateSchemas.set(ref, steps.map((s) => s.schema));
    const info: TemplateInfo = { ...toTemplateSummary(entity), parameters: mergeSteps(steps), files: [], steps };
    if (schema.title && !entity.metadata.title) info.title = schema.title;
    return info;
  }

  /**
   * `POST /api/scaffolder/v2/tasks` with `templateRef` and the values, schema defaults filled in. Backstage has no
   * idempotency keys, so this request is never retried automatically (a retry could run the template twice).
   */
  async createScaffoldTask(request: CreateScaffoldTask, opts?: WriteOptions): Promise<ScaffoldTaskInfo> {
    const templateRef = this.templateRef(request.templateId);
    let schemas = this.templateSchemas.get(templateRef);
    if (!schemas) schemas = (await this.getTemplate(templateRef, opts)).steps?.map((s) => s.schema) ?? [];
    const values = applyDefaults(schemas, request.values);
    const res = await this.transport.request({
      method: 'POST',
      path: '/api/scaffolder/v2/tasks',
      body: { templateRef, values },
      schema: createdTaskValidator,
      retry: false,
      signal: this.signal(opts),
    });
    return { id: res.id, templateId: templateRef, state: 'pending', createdAt: new Date().toISOString() };
  }

  /** The task's state; for a finished task also its output (links, text) or error, read from its events. */
  async getScaffoldTask(id: string, opts?: CallOptions): Promise<ScaffoldTaskInfo> {
    const task = await this.get(`/api/scaffolder/v2/tasks/${seg(id)}`, taskValidator, opts);
    const info: ScaffoldTaskInfo = {
      id: task.id,
      templateId: task.spec.templateInfo?.entityRef ?? '',
      state: taskStateOf(task.status),
      createdAt: task.createdAt,
    };
    if (['completed', 'failed', 'cancelled', 'skipped'].includes(task.status)) {
      const events = await this.get(`/api/scaffolder/v2/tasks/${seg(id)}/events`, taskEventsValidator, opts);
      const cancelled = events.some((e) => e.type === 'cancelled');
      const completion = events.find((e) => e.type === 'completion');
      info.state = taskStateOf(task.status, cancelled);
      if (completion) {
        info.finishedAt = completion.createdAt;
        const ev = toScaffoldEvent(completion);
        if (ev.type === 'completed') info.result = ev.outcome ?? outcomeOf(undefined);
        else info.error = ev.message;
      }
    }
    return info;
  }

  /**
   * The task log: SSE from `eventstream` (resumed with `after` = the last event id when the connection drops), or the
   * `events` long-poll when the server offers no stream. Ends after the `completion` event (type `completed` with
   * `outcome`, or `failed`). A cancellation shows as a `cancelled` event before the final `failed`.
   */
  scaffoldTaskEvents(id: string, opts: StreamOptions = {}): AsyncIterable<ScaffoldEvent> {
    const signal = this.signal(opts);
    if (opts.after === undefined) return this.liveTaskEvents(id, opts.after, signal);
    return this.resumedTaskEvents(id, opts.after, signal);
  }

  /**
   * A re-attach (`after` given): Backstage always re-sends a task's `completion`, even when its id is not after
   * `after`. If the task already finished, its remaining events come from one `events` call, the completion included
   * (so the caller sees the end even when it had seen everything but the end); otherwise the live stream takes over.
   */
  private async *resumedTaskEvents(id: string, after: number, signal: AbortSignal): AsyncGenerator<ScaffoldEvent, void, undefined> {
    const base = `/api/scaffolder/v2/tasks/${seg(id)}`;
    const task = await this.transport.request({ path: base, schema: taskValidator, signal });
    if (!['completed', 'failed', 'cancelled', 'skipped'].includes(task.status)) {
      yield* this.liveTaskEvents(id, after, signal);
      return;
    }
    const events = await this.transport.request({ path: `${base}/events`, query: { after }, schema: taskEventsValidator, signal });
    for (const e of events) {
      if (e.id <= after && e.type !== 'completion') continue;
      const ev = toScaffoldEvent(e);
      yield ev;
      if (ev.type === 'completed' || ev.type === 'failed') return;
    }
  }

  private liveTaskEvents(id: string, after: number | undefined, signal: AbortSignal): AsyncIterable<ScaffoldEvent> {
    const base = `/api/scaffolder/v2/tasks/${seg(id)}`;
    return this.transport.events<ScaffoldEvent>({
      ssePath: `${base}/eventstream`,
      pollPath: `${base}/events`,
      after,
      signal,
      mode: this.eventMode,
      idleTimeoutMs: this.eventIdleTimeoutMs,
      maxReconnects: 10,
      // The long-poll answers `[]` after 30 s without events.
      pollTimeoutMs: 45_000,
      pollIntervalMs: 250,
      decode: (raw) => {
        const problem = taskEventProblem(raw.data);
        if (problem) {
          throw new PlatformError('invalid-response', 'Backstage sent a task event Paved cannot read.', { method: 'GET', path: `${base}/eventstream`, detail: problem });
        }
        return toScaffoldEvent(raw.data as SerializedTaskEvent);
      },
      idOf: (e) => e.seq,
      isTerminal: (e) => e.type === 'completed' || e.type === 'failed',
    });
  }

  /** `POST …/cancel`. The task then ends as `failed` ("Step … has been cancelled.") after a `cancelled` event. */
  async cancelScaffoldTask(id: string, opts?: CallOptions): Promise<void> {
    await this.transport.request({ method: 'POST', path: `/api/scaffolder/v2/tasks/${seg(id)}/cancel`, expect: 'empty', signal: this.signal(opts) });
  }

  /**
   * `POST /api/scaffolder/v2/dry-run`: runs a template (as written, not from the catalog) with the values and the
   * skeleton files given, and returns the files it would produce, its log and its output. Defaults are filled in
   * from `template.spec.parameters`. Steps that publish are skipped by the scaffolder in a dry run.
   */
  async dryRun(request: DryRunRequest, opts?: CallOptions): Promise<DryRunResult> {
    const spec = (request.template.spec ?? {}) as { parameters?: unknown };
    const schemas = spec.parameters === undefined ? [] : Array.isArray(spec.parameters) ? spec.parameters : [spec.parameters];
    const body: DryRunRequestBody = {
      template: request.template,
      values: applyDefaults(schemas, request.values),
      directoryContents: (request.directoryContents ?? []).map((f) => ({
        path: f.path,
        base64Content: toBase64(f.content),
        ...(f.executable ? { executable: true } : {}),
      })),
    };
    if (request.secrets) body.secrets = request.secrets;
    const res = await this.transport.request({
      method: 'POST',
      path: '/api/scaffolder/v2/dry-run',
      body,
      schema: dryRunValidator,
      idempotencyKey: true, // publishes nothing: safe to retry
      signal: this.signal(opts),
    });
    return {
      files: res.directoryContents.map((f) => {
        const buf = Buffer.from(f.base64Content, 'base64');
        return { path: f.path, content: buf.toString('utf8'), base64Content: f.base64Content, executable: f.executable === true, mode: f.executable ? 0o755 : 0o644 };
      }),
      log: res.log.map((l) => {
        const line: { message: string; stepId?: string; status?: string } = { message: stripAnsi(String(l.body?.message ?? '')) };
        if (typeof l.body?.stepId === 'string') line.stepId = l.body.stepId;
        if (typeof l.body?.status === 'string') line.status = l.body.status;
        return line;
      }),
      steps: (res.steps ?? []).map((s) => ({ id: s.id, name: s.name, action: s.action })),
      outcome: outcomeOf(res.output),
    };
  }

  // --------------------------------------------------------------------------------------------------------------
  // Deployments: only through a Paved Platform API named by the entity's `paved.dev/platform-api` annotation.

  async deploy(service: string, request: api.CreateDeploymentRequest, opts?: WriteOptions): Promise<api.Deployment> {
    const d = await this.deployBackendFor(service, opts);
    return this.remember(await d.backend.deploy(d.service, request, opts), d.backend);
  }

  async rollback(service: string, request: api.RollbackRequest, opts?: WriteOptions): Promise<api.Deployment> {
    const d = await this.deployBackendFor(service, opts);
    return this.remember(await d.backend.rollback(d.service, request, opts), d.backend);
  }

  async promote(service: string, request: api.PromoteRequest, opts?: WriteOptions): Promise<api.Deployment> {
    const d = await this.deployBackendFor(service, opts);
    return this.remember(await d.backend.promote(d.service, request, opts), d.backend);
  }

  async listDeployments(service: string, query?: DeploymentQuery, opts?: CallOptions): Promise<api.Page<api.Deployment>> {
    const d = await this.deployBackendFor(service, opts);
    const page = await d.backend.listDeployments(d.service, query, opts);
    for (const dep of page.items) this.deploymentOwners.set(dep.id, d.backend);
    return page;
  }

  async getDeployment(id: string, opts?: CallOptions): Promise<api.Deployment> {
    return this.ownerOfDeployment(id).getDeployment(id, opts);
  }

  deploymentEvents(id: string, opts?: StreamOptions): AsyncIterable<api.DeploymentEvent> {
    return this.ownerOfDeployment(id).deploymentEvents(id, opts);
  }

  async cancelDeployment(id: string, opts?: CallOptions): Promise<api.Deployment> {
    return this.ownerOfDeployment(id).cancelDeployment(id, opts);
  }

  // Backstage shows Resource entities; provisioning them is a Paved platform's (capabilities.resources is false).
  listResourceTypes = noResources;
  listClaims = noResources;
  releaseClaim = noResources;
  revealClaimOutput = noResources;

  async deploymentLog(id: string, opts?: CallOptions): Promise<string> {
    return this.ownerOfDeployment(id).deploymentLog(id, opts);
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

  private remember(dep: api.Deployment, backend: PlatformBackend): api.Deployment {
    this.deploymentOwners.set(dep.id, backend);
    return dep;
  }

  private ownerOfDeployment(id: string): PlatformBackend {
    const owner = this.deploymentOwners.get(id);
    if (!owner) {
      throw unsupportedError('Backstage', `follow deployment ${id}`, 'Backstage has no deployments; open the service and deploy through its Paved platform.');
    }
    return owner;
  }

  async deployBackendFor(ref: string, opts?: CallOptions): Promise<DeployDelegate> {
    const entity = await this.getEntity(ref, opts);
    const target = platformApiOf(entity);
    const shown = safeHumanize(entityRefOf(entity));
    if (!target) {
      throw unsupportedError(
        'Backstage',
        `deploy ${shown}`,
        `Backstage has no deploy API. Annotate the entity with "paved.dev/platform-api: https://…" to deploy it through a Paved platform.`,
      );
    }
    if (!this.pavedBackend) throw unsupportedError('This Paved client', `deploy ${shown} through ${target.url}`, 'No Paved platform client is configured.');
    return { backend: this.deployBackendAt(target.url), service: target.service, url: target.url };
  }

  deployBackendAt(url: string): PlatformBackend {
    if (!this.pavedBackend) throw unsupportedError('This Paved client', `deploy through ${url}`, 'No Paved platform client is configured.');
    let backend = this.delegates.get(url);
    if (!backend) {
      backend = this.pavedBackend(url);
      this.delegates.set(url, backend);
    }
    return backend;
  }

  private templateRef(id: string): string {
    try {
      return templateRefOf(id);
    } catch (err) {
      if (err instanceof EntityRefError) throw new PlatformError('invalid-input', err.message, { action: 'none' });
      throw err;
    }
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

function safeHumanize(ref: string, defaultKind?: string): string {
  try {
    return humanizeEntityRef(ref, { defaultKind });
  } catch (err) {
    if (err instanceof EntityRefError) return ref;
    throw err;
  }
}

/** What to say when a golden-path upgrade is asked of Backstage. */
const INSIGHTS_HINT = 'Adoption, onboarding time, delivery (DORA), compliance and the feedback inbox need a Paved platform: it keeps the scaffold, deployment and policy history they are computed from.';
const UPGRADE_HINT = 'Upgrading a service to a newer golden path needs a Paved platform, which keeps every published version of a template and renders the old and new versions for the three-way merge.';

function toTemplateSummary(entity: BackstageEntity): api.TemplateSummary {
  return {
    id: stringifyEntityRef({ kind: 'template', namespace: entity.metadata.namespace, name: entity.metadata.name }),
    title: entity.metadata.title || entity.metadata.name,
    description: entity.metadata.description ?? '',
    owner: ownerOf(entity),
    version: entity.metadata.annotations?.['backstage.io/template-version'] ?? entity.metadata.annotations?.['paved.dev/template-version'] ?? '',
    tags: Array.isArray(entity.metadata.tags) ? entity.metadata.tags : [],
  };
}

async function noResources(): Promise<never> {
  throw unsupportedError('Backstage', 'provision resources', 'It shows Resource entities and dependsOn resources; claims (spec.claims) are provisioned by a Paved platform (paved.platform.kind local or paved).');
}
