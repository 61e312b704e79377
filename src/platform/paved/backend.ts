/**
 * The Paved Platform API (`schemas/platform-api.yaml`, `/v1`) behind `PlatformBackend`: used for a remote Paved
 * platform (`kind: paved`) and for the embedded local platform (`kind: local`, `paved serve` on loopback).
 * Every response is checked against the contract's component schemas before it is returned.
 */
import type * as api from '../../core/api/types';
import type {
  BackendCapabilities,
  CallOptions,
  ClaimQuery,
  CatalogFacets,
  CatalogService,
  CreateScaffoldTask,
  DeploymentQuery,
  EntityValidationError,
  FacetValue,
  PlatformBackend,
  PlatformHealth,
  PlatformKind,
  ScaffoldEvent,
  ScaffoldTaskInfo,
  ServiceInfo,
  ServiceQuery,
  StreamOptions,
  TemplateInfo,
  WriteOptions,
  ReferenceNames,
} from '../backend';
import type { DeliveryService, FeedbackItem, FeedbackState, InsightsBySection, InsightsQuery, InsightsSection } from '../../core/insights';
import { PAVED_CAPABILITIES } from '../capabilities';
import { PlatformError, unsupportedError } from '../errors';
import { Transport, linkedSignal, type ResponseValidator, type TransportOptions } from '../transport';
import { loadPavedContract, type PavedContract, type WorkspaceWire } from './contract';
import { PavedOperations } from './operations';

export interface PavedBackendOptions extends Omit<TransportOptions, 'platformName'> {
  kind?: Extract<PlatformKind, 'local' | 'paved'>;
  /** Package root holding schemas/platform-api.yaml (the extension passes context.extensionPath). */
  packageRoot?: string;
  /** Or the contract itself (tests). */
  contract?: PavedContract;
  /** Seconds a JSON long-poll for events waits on the server. Default 25. */
  longPollWaitSeconds?: number;
  /** Most services `facets()` reads to count owners/systems/lifecycles on a server without `GET /v1/service-facets`. Default 10 000. */
  facetScanLimit?: number;
}

const seg = (s: string) => encodeURIComponent(s);

export class PavedApiBackend implements PlatformBackend {
  readonly kind: 'local' | 'paved';
  readonly displayName: string;
  readonly baseUrl: string;
  readonly capabilities: BackendCapabilities = PAVED_CAPABILITIES;
  readonly operations: PavedOperations;

  private readonly transport: Transport;
  private readonly contract: PavedContract;
  private readonly lifetime = new AbortController();
  private readonly waitSeconds: number;
  private readonly facetScanLimit: number;
  /** Set once the server answered 404 to `GET /v1/service-facets` (it predates it). */
  private noFacetEndpoint = false;

  constructor(options: PavedBackendOptions) {
    this.kind = options.kind ?? 'paved';
    const platformName = this.kind === 'local' ? 'The local platform' : 'The Paved platform';
    this.transport = new Transport({ ...options, platformName });
    this.baseUrl = this.transport.baseUrl.toString().replace(/\/$/, '');
    this.displayName = this.kind === 'local' ? `Local platform (${this.transport.baseUrl.host})` : `Paved platform (${this.baseUrl})`;
    this.contract = options.contract ?? loadPavedContract(options.packageRoot);
    this.waitSeconds = options.longPollWaitSeconds ?? 25;
    this.facetScanLimit = options.facetScanLimit ?? 10_000;
    this.operations = new PavedOperations(
      {
        get: (path, schema, opts, query) => this.get(path, schema, opts, query),
        post: (path, body, schema, opts) => this.post(path, body, schema, opts),
        stream: (o) => this.stream(o.path, o.schema, { after: o.after, signal: o.signal }, (w) => w, { idOf: o.idOf, pollItems: o.pollItems, endless: true }),
      },
      this.contract,
    );
  }

  dispose(): void {
    this.lifetime.abort();
  }

  // --------------------------------------------------------------------------------------------------------------

  async health(opts?: CallOptions): Promise<PlatformHealth> {
    const h = await this.get('/v1/health', this.contract.health, opts);
    return { status: h.status, platform: h.platform, version: h.version, apiVersion: h.apiVersion };
  }

  async listServices(query: ServiceQuery, opts?: CallOptions): Promise<api.Page<CatalogService>> {
    const page = await this.get('/v1/services', this.contract.servicePage, opts, {
      text: query.text || undefined,
      owner: query.owner || undefined,
      system: query.system || undefined,
      lifecycle: query.lifecycle || undefined,
      limit: query.limit,
      cursor: query.cursor,
    });
    return { items: page.items.map((s) => ({ ...s, ref: s.name })), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  async getService(ref: string, opts?: CallOptions): Promise<ServiceInfo> {
    const s = await this.get(`/v1/services/${seg(ref)}`, this.contract.serviceDetails, opts);
    return { ...s, ref: s.name };
  }

  /**
   * Exact counts from `GET /v1/service-facets`. A server without it (404: an older `paved serve` or platform) is
   * remembered and its catalog counted page by page instead (500 per page), up to `facetScanLimit` services;
   * `partial` says the catalog was larger.
   */
  async facets(opts?: CallOptions): Promise<CatalogFacets> {
    if (!this.noFacetEndpoint) {
      try {
        const f = await this.get('/v1/service-facets', this.contract.serviceFacets, opts);
        return { owners: byValue(f.owners), systems: byValue(f.systems), lifecycles: byValue(f.lifecycles), partial: false };
      } catch (err) {
        if (!(err instanceof PlatformError) || err.code !== 'not-found') throw err;
        this.noFacetEndpoint = true;
      }
    }
    return this.scanFacets(opts);
  }

  private async scanFacets(opts?: CallOptions): Promise<CatalogFacets> {
    const owners = new Map<string, number>();
    const systems = new Map<string, number>();
    const lifecycles = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string | undefined) => {
      if (k) m.set(k, (m.get(k) ?? 0) + 1);
    };
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await this.get('/v1/services', this.contract.servicePage, opts, { limit: 500, cursor });
      for (const s of page.items) {
        bump(owners, s.owner);
        bump(systems, s.system);
        bump(lifecycles, s.lifecycle);
      }
      seen += page.items.length;
      cursor = page.nextCursor;
    } while (cursor && seen < this.facetScanLimit);
    const list = (m: Map<string, number>): FacetValue[] => byValue([...m].map(([value, count]) => ({ value, count })));
    return { owners: list(owners), systems: list(systems), lifecycles: list(lifecycles), partial: cursor !== undefined };
  }

  /**
   * Adds this client's workspace folders to the local platform's catalog (`PUT /v1/workspaces/{id}`): one editor
   * window each. With `pid`, the platform drops them by itself once that process is gone.
   */
  async attachWorkspace(id: string, request: { folders: string[]; pid?: number; label?: string }, opts?: CallOptions): Promise<WorkspaceWire> {
    // PUT of the whole attachment is idempotent: retried like a GET.
    return this.call(opts, (signal) => this.transport.request({ method: 'PUT', path: `/v1/workspaces/${seg(id)}`, body: request, schema: this.contract.workspace, signal }));
  }

  /** Removes the folders `attachWorkspace` added; an attachment that is already gone is not an error. */
  async detachWorkspace(id: string, opts?: CallOptions): Promise<void> {
    try {
      await this.call(opts, (signal) => this.transport.request({ method: 'DELETE', path: `/v1/workspaces/${seg(id)}`, expect: 'empty', signal }));
    } catch (err) {
      if (err instanceof PlatformError && err.code === 'not-found') return;
      throw err;
    }
  }

  async listWorkspaces(opts?: CallOptions): Promise<WorkspaceWire[]> {
    return (await this.get('/v1/workspaces', this.contract.workspaceList, opts)).items;
  }

  async listTeams(page: { limit?: number; cursor?: string } = {}, opts?: CallOptions): Promise<api.Page<api.Team>> {
    return this.get('/v1/teams', this.contract.teamPage, opts, { limit: page.limit, cursor: page.cursor });
  }

  async listEnvironments(opts?: CallOptions): Promise<api.Environment[]> {
    return (await this.get('/v1/environments', this.contract.environmentList, opts)).items;
  }

  async register(request: api.RegisterServiceRequest, opts?: WriteOptions): Promise<ServiceInfo> {
    const s = await this.post('/v1/services', request, this.contract.serviceDetails, opts);
    return { ...s, ref: s.name };
  }

  async unregister(ref: string, opts?: CallOptions): Promise<void> {
    await this.call(opts, (signal) => this.transport.request({ method: 'DELETE', path: `/v1/services/${seg(ref)}`, expect: 'empty', signal }));
  }

  async validateEntity(_entity: Record<string, unknown>, _location: string, _opts?: CallOptions): Promise<EntityValidationError[]> {
    throw unsupportedError(this.name(), 'validate catalog entities', 'Paved lints catalog-info.yaml locally.');
  }

  // --------------------------------------------------------------------------------------------------------------

  async listTemplates(page: { limit?: number; cursor?: string } = {}, opts?: CallOptions): Promise<api.Page<api.TemplateSummary>> {
    return this.get('/v1/templates', this.contract.templatePage, opts, { limit: page.limit, cursor: page.cursor });
  }

  async getTemplate(id: string, opts?: CallOptions & { version?: string }): Promise<TemplateInfo> {
    return this.get(`/v1/templates/${seg(id)}`, this.contract.templateDetails, opts, { version: opts?.version });
  }

  async listTemplateVersions(id: string, page: { limit?: number; cursor?: string } = {}, opts?: CallOptions): Promise<api.Page<api.TemplateVersion>> {
    return this.get(`/v1/templates/${seg(id)}/versions`, this.contract.templateVersionPage, opts, { limit: page.limit, cursor: page.cursor });
  }

  async goldenPathAdoption(opts?: CallOptions & { limit?: number }): Promise<api.GoldenPathAdoption> {
    return this.get('/v1/golden-paths', this.contract.goldenPathAdoption, opts, { limit: opts?.limit });
  }

  async insights<S extends InsightsSection>(section: S, query: InsightsQuery = {}, opts?: CallOptions): Promise<InsightsBySection[S]> {
    return this.get(`/v1/insights/${seg(section)}`, this.contract.insights<InsightsBySection[S]>(section), opts, { ...query });
  }

  async deliveryServices(query: InsightsQuery = {}, opts?: CallOptions): Promise<api.Page<DeliveryService>> {
    return this.get('/v1/insights/delivery/services', this.contract.deliveryServicePage, opts, { ...query });
  }

  async setFeedbackState(id: string, state: FeedbackState, opts?: CallOptions & { by?: string }): Promise<FeedbackItem> {
    const body = opts?.by !== undefined ? { state, by: opts.by } : { state };
    return this.call(opts, (signal) => this.transport.request({ method: 'PUT', path: `/v1/feedback/${seg(id)}/state`, body, schema: this.contract.feedbackItem, signal }));
  }

  async createScaffoldTask(request: CreateScaffoldTask, opts?: WriteOptions): Promise<ScaffoldTaskInfo> {
    const body: api.CreateScaffoldTaskRequest = { templateId: request.templateId, values: request.values };
    if (request.version !== undefined) body.version = request.version;
    return toTaskInfo(await this.post('/v1/scaffold-tasks', body, this.contract.scaffoldTask, opts));
  }

  async getScaffoldTask(id: string, opts?: CallOptions): Promise<ScaffoldTaskInfo> {
    return toTaskInfo(await this.get(`/v1/scaffold-tasks/${seg(id)}`, this.contract.scaffoldTask, opts));
  }

  scaffoldTaskEvents(id: string, opts: StreamOptions = {}): AsyncIterable<ScaffoldEvent> {
    return this.stream(`/v1/scaffold-tasks/${seg(id)}/events`, this.contract.taskEvent, opts, (e) => ({ ...e }));
  }

  async cancelScaffoldTask(_id: string, _opts?: CallOptions): Promise<void> {
    throw unsupportedError(this.name(), 'cancel a scaffold task', 'A golden path renders in seconds; delete the files it wrote if you do not want them.');
  }

  // --------------------------------------------------------------------------------------------------------------

  async deploy(service: string, request: api.CreateDeploymentRequest, opts?: WriteOptions): Promise<api.Deployment> {
    return this.post(`/v1/services/${seg(service)}/deployments`, request, this.contract.deployment, opts);
  }

  async getDeployment(id: string, opts?: CallOptions): Promise<api.Deployment> {
    return this.get(`/v1/deployments/${seg(id)}`, this.contract.deployment, opts);
  }

  async listDeployments(service: string, query: DeploymentQuery = {}, opts?: CallOptions): Promise<api.Page<api.Deployment>> {
    return this.get(`/v1/services/${seg(service)}/deployments`, this.contract.deploymentPage, opts, {
      environment: query.environment,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  deploymentEvents(id: string, opts: StreamOptions = {}): AsyncIterable<api.DeploymentEvent> {
    return this.stream(`/v1/deployments/${seg(id)}/events`, this.contract.deploymentEvent, opts, (e) => e);
  }

  async cancelDeployment(id: string, opts?: CallOptions): Promise<api.Deployment> {
    // Not marked idempotent by the contract: a lost answer is not retried (the UI re-reads the deployment).
    return this.call(opts, (signal) => this.transport.request({ method: 'POST', path: `/v1/deployments/${seg(id)}/cancel`, schema: this.contract.deployment, signal }));
  }

  async deploymentLog(id: string, opts?: CallOptions): Promise<string> {
    return this.call(opts, (signal) => this.transport.request<string>({ path: `/v1/deployments/${seg(id)}/log`, expect: 'text', signal }));
  }

  async rollback(service: string, request: api.RollbackRequest, opts?: WriteOptions): Promise<api.Deployment> {
    return this.post(`/v1/services/${seg(service)}/rollback`, request, this.contract.deployment, opts);
  }

  async promote(service: string, request: api.PromoteRequest, opts?: WriteOptions): Promise<api.Deployment> {
    return this.post(`/v1/services/${seg(service)}/promote`, request, this.contract.deployment, opts);
  }

  // --------------------------------------------------------------------------------------------------------------

  async listResourceTypes(opts?: CallOptions): Promise<api.ResourceType[]> {
    return (await this.get('/v1/resource-types', this.contract.resourceTypeList, opts)).items;
  }

  async listClaims(query: ClaimQuery = {}, opts?: CallOptions): Promise<api.Page<api.ClaimStatus>> {
    return this.get('/v1/claims', this.contract.claimPage, opts, { service: query.service, environment: query.environment, state: query.state, limit: query.limit, cursor: query.cursor });
  }

  async releaseClaim(service: string, claim: string, environment: string, opts?: CallOptions): Promise<void> {
    // Idempotent on the platform (a repeat answers 204 too), so a lost answer is safe to retry.
    await this.call(opts, (signal) => this.transport.request({ method: 'DELETE', path: `/v1/services/${seg(service)}/claims/${seg(claim)}`, query: { environment }, expect: 'empty', signal }));
  }

  async revealClaimOutput(service: string, claim: string, environment: string, output: string, opts?: CallOptions): Promise<api.RevealedClaimOutput> {
    return this.call(opts, (signal) =>
      this.transport.request({ method: 'POST', path: `/v1/services/${seg(service)}/claims/${seg(claim)}/reveal`, body: { environment, output }, schema: this.contract.revealedClaimOutput, signal }),
    );
  }

  // --------------------------------------------------------------------------------------------------------------

  async getPolicies(opts?: CallOptions): Promise<api.PolicySet> {
    return this.get('/v1/policies', this.contract.policySet, opts);
  }

  async catalogNames(opts?: CallOptions): Promise<ReferenceNames> {
    return this.get('/v1/catalog/names', this.contract.catalogNames, opts);
  }

  async getMetrics(service: string, query: { windowDays?: number; environment?: string } = {}, opts?: CallOptions): Promise<api.DoraMetrics> {
    return this.get(`/v1/services/${seg(service)}/metrics`, this.contract.doraMetrics, opts, { windowDays: query.windowDays, environment: query.environment });
  }

  async sendFeedback(feedback: api.CreateFeedbackRequest, opts?: WriteOptions): Promise<api.Feedback> {
    return this.post('/v1/feedback', feedback, this.contract.feedback, opts);
  }

  // --------------------------------------------------------------------------------------------------------------

  private name(): string {
    return this.kind === 'local' ? 'The local platform' : 'The Paved platform';
  }

  /** Runs `call` with a signal that aborts on the caller's signal or on `dispose()`. */
  private async call<T>(opts: CallOptions | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.lifetime.signal.aborted) {
      throw new PlatformError('cancelled', `${this.name()} connection was closed (settings changed or signed out).`, { action: 'none' });
    }
    const linked = linkedSignal(this.lifetime.signal, opts?.signal);
    try {
      return await call(linked.signal);
    } finally {
      linked.dispose();
    }
  }

  private get<T>(path: string, schema: ResponseValidator<T>, opts: CallOptions | undefined, query?: Record<string, string | number | undefined>): Promise<T> {
    return this.call(opts, (signal) => this.transport.request({ path, query, schema, signal }));
  }

  private post<T>(path: string, body: unknown, schema: ResponseValidator<T>, opts: WriteOptions | undefined): Promise<T> {
    return this.call(opts, (signal) => this.transport.request({ method: 'POST', path, body, schema, idempotencyKey: opts?.idempotencyKey ?? true, signal }));
  }

  /**
   * SSE (`id:` = seq, final `event: end`) with the JSON long-poll page (`done`) as fallback; each event validated.
   * `keyed` streams (logs) carry their own resume id (a cursor) and may never end (`endless`).
   */
  private async *stream<W, E>(
    path: string,
    schema: ResponseValidator<W>,
    opts: Omit<StreamOptions, 'after'> & { after?: number | string },
    map: (w: W) => E,
    keyed?: { idOf: (w: W) => string; pollItems: (body: unknown) => unknown[] | undefined; endless: boolean },
  ): AsyncGenerator<E, void, undefined> {
    if (this.lifetime.signal.aborted) {
      throw new PlatformError('cancelled', `${this.name()} connection was closed (settings changed or signed out).`, { action: 'none' });
    }
    const linked = linkedSignal(this.lifetime.signal, opts.signal);
    const signal = linked.signal;
    const name = this.name();
    try {
      const ids = new WeakMap<object, string | number>();
      yield* this.transport.events<Awaited<E>>({
        ssePath: path,
        after: opts.after,
        signal,
        endEventType: 'end',
        decode: (raw) => {
          if (!schema.validate(raw.data)) {
            throw new PlatformError('invalid-response', `${name} sent an event that does not match the API contract.`, {
              method: 'GET',
              path,
              detail: `${schema.name}: ${schema.errorText()}`,
            });
          }
          const event = map(raw.data) as Awaited<E>;
          ids.set(event as object, keyed ? keyed.idOf(raw.data) : (raw.data as { seq: number }).seq);
          return event;
        },
        idOf: (e) => ids.get(e as object),
        isTerminal: () => false, // the server says when: `event: end` / `done: true`
        pollItems: keyed?.pollItems ?? ((body) => (body as { items?: unknown[] } | null)?.items),
        pollDone: (body) => !keyed?.endless && (body as { done?: unknown } | null)?.done === true,
        pollQuery: { wait: this.waitSeconds },
        pollTimeoutMs: (this.waitSeconds + 15) * 1000,
        // A follow stays open while nothing is written: a stream without lines is not a sign of a buffering proxy.
        ...(keyed?.endless ? { mode: 'sse' as const, maxReconnects: Number.MAX_SAFE_INTEGER } : {}),
      });
    } finally {
      linked.dispose();
    }
  }
}

function byValue(list: FacetValue[]): FacetValue[] {
  return [...list].sort((a, b) => a.value.localeCompare(b.value));
}

function toTaskInfo(t: api.ScaffoldTask): ScaffoldTaskInfo {
  const info: ScaffoldTaskInfo = { id: t.id, templateId: t.templateId, templateVersion: t.templateVersion, state: t.state, createdAt: t.createdAt };
  if (t.finishedAt) info.finishedAt = t.finishedAt;
  if (t.result) info.result = { files: t.result.files, nextSteps: t.result.nextSteps };
  if (t.error) info.error = t.error;
  return info;
}
