/**
 * Fakes for the self-service flows: an in-memory platform that deploys (`FakePlatform`), a catalog that hands
 * deployments off to one (`FakeCatalog`, Backstage-like), and prompts answered from a script (`ScriptedPrompts`).
 */
import type { CreateDeploymentRequest, Deployment, DeploymentEvent, DeploymentState, Environment, Page, PolicySet, PromoteRequest, RollbackRequest } from '../../../../src/core/api/types';
import { defaultPolicySet, toWire } from '../../../../src/core/policy';
import { DEFAULT_ENVIRONMENTS } from '../../../../src/core/deploy';
import type { RestartRequest } from '../../../../src/core/api/operations';
import type { CatalogService, DeployDelegate, PlatformBackend, ServiceInfo, ServiceOperations, StreamOptions, WriteOptions } from '../../../../src/platform/backend';
import { BACKSTAGE_CAPABILITIES, PAVED_CAPABILITIES } from '../../../../src/platform/capabilities';
import { PlatformError } from '../../../../src/platform/errors';
import type { ApprovalRequest, ReleaseChoice, SelfServicePrompts } from '../../../../src/platform/selfService';

export interface SentRequest {
  kind: 'deploy' | 'rollback' | 'promote' | 'restart';
  service: string;
  request: CreateDeploymentRequest | RollbackRequest | PromoteRequest | (RestartRequest & { environment: string });
  idempotencyKey?: string;
}

/** A deployment whose events the test pushes; the stream waits for more until it is finished. */
export class FakeDeployment {
  readonly events: DeploymentEvent[] = [];
  private wake: (() => void) | undefined;
  constructor(public deployment: Deployment) {}

  push(type: DeploymentEvent['type'], message: string, state?: DeploymentState): void {
    this.events.push({ seq: this.events.length + 1, type, message, at: new Date(0).toISOString(), ...(state ? { state } : {}) });
    if (state) this.deployment = { ...this.deployment, state };
    this.wake?.();
  }

  finish(state: DeploymentState): void {
    this.push(state === 'succeeded' ? 'completed' : 'failed', `ended ${state}`, state);
  }

  get finished(): boolean {
    return ['succeeded', 'failed', 'rolled-back', 'cancelled'].includes(this.deployment.state);
  }

  async *stream(after: number, signal?: AbortSignal): AsyncGenerator<DeploymentEvent> {
    let next = after;
    for (;;) {
      if (signal?.aborted) throw new PlatformError('cancelled', 'stream stopped');
      while (next < this.events.length) yield this.events[next++];
      if (this.finished) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (signal?.aborted) resolve();
        else signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
}

function unused(what: string): never {
  throw new Error(`the fake does not implement ${what}`);
}

/** A Paved-like platform: deploys, with scripted failures and every request recorded. */
export class FakePlatform implements PlatformBackend {
  readonly kind = 'paved' as const;
  capabilities = { ...PAVED_CAPABILITIES };
  readonly sent: SentRequest[] = [];
  readonly cancelled: string[] = [];
  /** Calls of the gate's reads (getPolicies, catalogNames), in order. */
  readonly calls: string[] = [];
  readonly deployments = new Map<string, FakeDeployment>();
  /** Deployments listed per service (for the release picks). */
  history: Deployment[] = [];
  /** Errors the next sends fail with, in order (then they succeed). */
  failNext: Error[] = [];
  /** Called when a request is sent (before the answer): tests look at the journal then. */
  onSend?: (r: SentRequest) => void;
  /** Events the platform emits for every new deployment before the test pushes more. */
  initialEvents: [DeploymentEvent['type'], string, DeploymentState?][] = [['state', 'pending', 'pending']];
  environments: Environment[] = DEFAULT_ENVIRONMENTS.map((e) => ({ ...e }));
  private seq = 0;
  /** Deployments by idempotency key (the same key returns the same deployment). */
  private byKey = new Map<string, Deployment>();

  constructor(
    readonly baseUrl: string,
    private readonly services: Record<string, { manifest: Record<string, unknown>; manifestPath?: string }> = {},
  ) {}

  get displayName(): string {
    return `Paved platform (${this.baseUrl})`;
  }

  async health() {
    return { status: 'ok' as const, platform: 'paved' };
  }

  async listServices(): Promise<Page<CatalogService>> {
    return { items: Object.keys(this.services).map((name) => ({ name, ref: name, owner: 'team-a', tags: [], source: 'workspace' as const, status: {} })) };
  }

  async getService(ref: string): Promise<ServiceInfo> {
    const s = this.services[ref];
    if (!s) throw new PlatformError('not-found', `No service ${ref}`, { status: 404 });
    return {
      name: ref,
      ref,
      owner: 'team-a',
      tags: [],
      source: 'workspace',
      status: {},
      manifest: s.manifest,
      manifestKind: 'paved.yaml',
      ...(s.manifestPath ? { manifestPath: s.manifestPath } : {}),
      links: [],
      dependsOn: [],
      dependents: [],
      apis: { provides: [], consumes: [] },
      environments: [],
    };
  }

  async listEnvironments(): Promise<Environment[]> {
    return this.environments;
  }

  async listDeployments(service: string, query: { environment?: string } = {}): Promise<Page<Deployment>> {
    return { items: this.history.filter((d) => d.service === service && (!query.environment || d.environment === query.environment)) };
  }

  deploy(service: string, request: CreateDeploymentRequest, opts?: WriteOptions): Promise<Deployment> {
    return this.send({ kind: 'deploy', service, request, idempotencyKey: opts?.idempotencyKey }, request.environment);
  }

  rollback(service: string, request: RollbackRequest, opts?: WriteOptions): Promise<Deployment> {
    return this.send({ kind: 'rollback', service, request, idempotencyKey: opts?.idempotencyKey }, request.environment);
  }

  promote(service: string, request: PromoteRequest, opts?: WriteOptions): Promise<Deployment> {
    return this.send({ kind: 'promote', service, request, idempotencyKey: opts?.idempotencyKey }, request.to ?? 'staging');
  }

  private async send(r: SentRequest, environment: string): Promise<Deployment> {
    this.sent.push(r);
    this.onSend?.(r);
    const failure = this.failNext.shift();
    if (failure) throw failure;
    const known = r.idempotencyKey ? this.byKey.get(r.idempotencyKey) : undefined;
    if (known) return known;
    const d: Deployment = { id: `d-${++this.seq}`, service: r.service, environment, kind: r.kind, state: 'pending', createdAt: new Date(0).toISOString() };
    const fake = new FakeDeployment(d);
    for (const [type, message, state] of this.initialEvents) fake.push(type, message, state);
    this.deployments.set(d.id, fake);
    if (r.idempotencyKey) this.byKey.set(r.idempotencyKey, d);
    return d;
  }

  async getDeployment(id: string): Promise<Deployment> {
    return this.deployment(id).deployment;
  }

  deploymentEvents(id: string, opts: StreamOptions = {}): AsyncIterable<DeploymentEvent> {
    return this.deployment(id).stream(opts.after ?? 0, opts.signal);
  }

  async deploymentLog(id: string): Promise<string> {
    return `build output of ${this.deployment(id).deployment.id}\n`;
  }

  async cancelDeployment(id: string): Promise<Deployment> {
    this.cancelled.push(id);
    const d = this.deployment(id);
    d.finish('cancelled');
    return d.deployment;
  }

  deployment(id: string): FakeDeployment {
    const d = this.deployments.get(id);
    if (!d) throw new PlatformError('not-found', `No deployment ${id}`, { status: 404 });
    return d;
  }

  facets: PlatformBackend['facets'] = () => unused('facets');
  listTeams: PlatformBackend['listTeams'] = () => unused('listTeams');
  register: PlatformBackend['register'] = () => unused('register');
  unregister: PlatformBackend['unregister'] = () => unused('unregister');
  validateEntity: PlatformBackend['validateEntity'] = () => unused('validateEntity');
  listTemplates: PlatformBackend['listTemplates'] = () => unused('listTemplates');
  getTemplate: PlatformBackend['getTemplate'] = () => unused('getTemplate');
  listTemplateVersions: PlatformBackend['listTemplateVersions'] = () => unused('listTemplateVersions');
  goldenPathAdoption: PlatformBackend['goldenPathAdoption'] = () => unused('goldenPathAdoption');
  createScaffoldTask: PlatformBackend['createScaffoldTask'] = () => unused('createScaffoldTask');
  getScaffoldTask: PlatformBackend['getScaffoldTask'] = () => unused('getScaffoldTask');
  scaffoldTaskEvents: PlatformBackend['scaffoldTaskEvents'] = () => unused('scaffoldTaskEvents');
  cancelScaffoldTask: PlatformBackend['cancelScaffoldTask'] = () => unused('cancelScaffoldTask');
  /** Only restart is scripted (it is sent like a deployment); the rest is not used by the flows under test. */
  readonly operations: ServiceOperations = {
    restart: (service, environment, request = {}, opts) => this.send({ kind: 'restart', service, request: { environment, ...request }, idempotencyKey: opts?.idempotencyKey }, environment),
    stop: () => unused('stop'),
    status: () => unused('status'),
    health: () => unused('health'),
    healthOverview: () => unused('healthOverview'),
    logs: () => unused('logs'),
    followLogs: () => unused('followLogs'),
    events: () => unused('events'),
  };
  /** The platform's policy set (the gate asks for it on every deploy and promote); tests replace it. */
  policies: PolicySet = toWire(defaultPolicySet());
  getPolicies: PlatformBackend['getPolicies'] = () => {
    this.calls.push('getPolicies');
    return Promise.resolve(this.policies);
  };
  catalogNames: PlatformBackend['catalogNames'] = () => {
    this.calls.push('catalogNames');
    return Promise.resolve({ deprecatedServices: [] });
  };
  getMetrics: PlatformBackend['getMetrics'] = () => unused('getMetrics');
  sendFeedback: PlatformBackend['sendFeedback'] = () => unused('sendFeedback');
  listResourceTypes: PlatformBackend['listResourceTypes'] = () => unused('listResourceTypes');
  listClaims: PlatformBackend['listClaims'] = () => unused('listClaims');
  releaseClaim: PlatformBackend['releaseClaim'] = () => unused('releaseClaim');
  revealClaimOutput: PlatformBackend['revealClaimOutput'] = () => unused('revealClaimOutput');
  insights: PlatformBackend['insights'] = () => unused('insights');
  deliveryServices: PlatformBackend['deliveryServices'] = () => unused('deliveryServices');
  setFeedbackState: PlatformBackend['setFeedbackState'] = () => unused('setFeedbackState');
  dispose(): void {}
}

/** A catalog without a deploy API that hands annotated entries off to a Paved platform (Backstage-like). */
export class FakeCatalog extends FakePlatform {
  override capabilities = { ...BACKSTAGE_CAPABILITIES };
  readonly delegates = new Map<string, FakePlatform>();

  constructor(
    baseUrl: string,
    /** Entity ref → [Paved platform URL, service name there]; an entry without one cannot be deployed. */
    private readonly annotated: Record<string, [string, string] | undefined>,
  ) {
    super(baseUrl);
  }

  override get displayName(): string {
    return `Backstage (${this.baseUrl})`;
  }

  override async listServices(): Promise<Page<CatalogService>> {
    return {
      items: Object.entries(this.annotated).map(([ref, to]) => ({ name: ref.split('/').pop()!, ref, owner: 'team-a', tags: [], source: 'registered' as const, status: {}, ...(to ? { deploysThrough: to[0] } : {}) })),
    };
  }

  async deployBackendFor(service: string): Promise<DeployDelegate> {
    const to = this.annotated[service];
    if (!to) throw new PlatformError('unsupported', `Backstage cannot deploy ${service}.`);
    return { backend: this.deployBackendAt(to[0]), service: to[1], url: to[0] };
  }

  deployBackendAt(url: string): FakePlatform {
    const d = this.delegates.get(url);
    if (!d) throw new Error(`no delegate at ${url}`);
    return d;
  }

  override deploy(): Promise<Deployment> {
    throw new PlatformError('unsupported', 'Backstage cannot deploy services.');
  }
}

export type Script = {
  service?: string;
  environment?: string[];
  /** A release to pick; `null`: the default (a new release / the previous one). */
  release?: string | null;
  /** Answers to approval questions, in order. */
  approve?: boolean[];
  /** Token answers by URL: true stored, false refused (throws). */
  tokens?: Record<string, boolean>;
};

/** Prompts answered from a script; records every question. An unscripted question fails the test. */
export class ScriptedPrompts implements SelfServicePrompts {
  readonly asked: string[] = [];
  readonly approvals: ApprovalRequest[] = [];
  offeredServices: string[] = [];
  offeredReleases: ReleaseChoice[] = [];
  offeredEnvironments: string[] = [];

  constructor(private readonly script: Script = {}) {}

  async pickService(services: Promise<CatalogService[]>, question: string): Promise<string> {
    this.asked.push(`service: ${question}`);
    this.offeredServices = (await services).map((s) => s.ref);
    if (!this.script.service) throw new Error(`unscripted: ${question}`);
    return this.script.service;
  }

  async pickEnvironment(environments: Environment[], question: string): Promise<string> {
    this.asked.push(`environment: ${question}`);
    this.offeredEnvironments = environments.map((e) => e.name);
    const next = this.script.environment?.shift();
    if (!next) throw new Error(`unscripted: ${question}`);
    return next;
  }

  async pickRelease(releases: Promise<ReleaseChoice[]>, question: { title: string; purpose: string }): Promise<string | undefined> {
    this.asked.push(`release: ${question.title} (${question.purpose})`);
    this.offeredReleases = await releases;
    if (this.script.release === undefined) throw new Error(`unscripted: ${question.title}`);
    return this.script.release ?? undefined;
  }

  async confirmApproval(request: ApprovalRequest): Promise<boolean> {
    this.asked.push(`approval: ${request.service} → ${request.environment} (${request.reason})`);
    this.approvals.push(request);
    const answer = this.script.approve?.shift();
    if (answer === undefined) throw new Error('unscripted approval');
    return answer;
  }

  async ensureToken(url: string, why: string): Promise<void> {
    this.asked.push(`token: ${url}: ${why}`);
    const answer = this.script.tokens?.[url];
    if (answer === undefined) throw new Error(`unscripted token for ${url}`);
    if (!answer) throw new PlatformError('unauthorized', `no token for ${url}`);
  }
}

export const MANIFEST = (extra = '') => ({
  apiVersion: 'paved.dev/v1',
  kind: 'Service',
  metadata: { name: 'orders', owner: 'team-a', lifecycle: 'experimental' },
  spec: { runtime: { name: 'node', version: '20' }, run: { command: 'node server.js', port: 8080 }, ...(extra === 'approval' ? { environments: { production: { approval: 'required' } } } : {}), ...(extra === 'bad-port' ? { run: { command: 'node server.js', port: 'eighty' } } : {}) },
});
