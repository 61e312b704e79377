/**
 * `PlatformBackend`: the one interface the rest of Paved (catalog views, commands, CLI) depends on. Two
 * implementations sit behind it: the Paved Platform API (`src/platform/paved`, also used for the embedded local
 * platform) and Backstage (`src/platform/backstage`). Plain Node, no vscode.
 *
 * Rules every implementation follows:
 * - Every method fails only with a `PlatformError` (src/platform/errors.ts): branch on `err.code`, offer `err.action`.
 * - What a backend cannot do is announced up front in `capabilities` (so the UI hides or explains the action) and,
 *   if called anyway, fails at once with code `unsupported` — never late, never with a fake result.
 * - Every call takes an AbortSignal (`CallOptions.signal`); wire a VS Code CancellationToken with `abortSignalFrom`
 *   from transport.ts. Cancellation fails with code `cancelled`.
 * - Event streams are async iterables that end after the final event; breaking out of the loop closes the
 *   connection. A dropped connection is resumed from the last seen event, transparently.
 * - Writes that create something (deploy, rollback, promote, scaffold, feedback, register) take an idempotency key:
 *   pass the same key when the user retries the same operation and the platform will not run it twice.
 *
 * The shapes are the Paved API wire types (src/core/api/types.ts), widened only where Backstage cannot fill a field
 * (a Backstage catalog has no DORA metrics, no scorecard; its scaffolder publishes instead of returning files).
 */
import type {
  ClaimStatus,
  CreateDeploymentRequest,
  CreateFeedbackRequest,
  Deployment,
  DeploymentEvent,
  DoraMetrics,
  Environment,
  EventsPage,
  Feedback,
  JsonSchemaObject,
  Lifecycle,
  Page,
  PolicySet,
  PromoteRequest,
  RegisterServiceRequest,
  ResourceType,
  RevealedClaimOutput,
  RollbackRequest,
  ScaffoldFile,
  Scorecard,
  ServiceDetails,
  ServiceSummary,
  TaskEventType,
  TaskState,
  Team,
  TemplateDetails,
  TemplateSummary,
  TemplateVersion,
  GoldenPathAdoption,
} from '../core/api/types';
import type { HealthHistory, LogLine, LogPage, LogQuery, OperationEvent, RestartRequest, ServiceHealthItem, ServiceStatus, StopRequest, StopResult } from '../core/api/operations';
import type { DeliveryService, FeedbackItem, FeedbackState, InsightsBySection, InsightsQuery, InsightsSection } from '../core/insights';
import type { TokenProvider, TransportOptions } from './transport';

export type PlatformKind = 'local' | 'paved' | 'backstage';

/** What a backend is built from (connection.ts `createBackend`). */
export interface BackendTarget {
  kind: PlatformKind;
  url: string;
  token: TokenProvider;
}

export interface BackendOptions extends Omit<TransportOptions, 'baseUrl' | 'token' | 'platformName'> {
  /** Package root holding schemas/ (the extension's `context.extensionPath`). */
  packageRoot?: string;
  /** Builds the Backstage client (src/platform/backstage); injected so a build can bring its own. */
  backstage?: (target: BackendTarget, options: BackendOptions) => PlatformBackend;
}

/**
 * What a backend can do. The UI and the CLI read these before offering an action; every difference between backends
 * is one of these (never a check of `kind`). A backend's values are fixed for its kind: `capabilitiesOf(kind)`
 * (capabilities.ts) tells them before anything is connected.
 */
export interface BackendCapabilities {
  /** deploy, getDeployment, listDeployments, deploymentEvents, cancelDeployment, deploymentLog, rollback, promote. Backstage: false. */
  deploy: boolean;
  /**
   * No deploy API of its own, but `deployBackendFor` / `deployBackendAt`: a service deploys through the Paved platform
   * its catalog entry names (Backstage: the `paved.dev/platform-api` annotation), with that platform's own token.
   */
  deployDelegation: boolean;
  /** The scaffold task's result carries the files for the editor to write (Paved). Backstage publishes itself and returns links. */
  scaffoldWritesFiles: boolean;
  /** sendFeedback. */
  feedback: boolean;
  /** validateEntity: the authoritative server check of a catalog-info.yaml entity (Backstage). */
  validateEntity: boolean;
  /**
   * The teams `listTeams` returns are exactly the owner values services carry, with exact service counts: the
   * catalog groups by owner straight from that list (Paved). Without it (Backstage: groups are entity refs that are
   * not counted the way the tree filters) owner groups come from the facets.
   */
  teamsAsOwners: boolean;
  /** Dry runs of a template folder on the platform (Backstage's scaffolder `dry-run`). */
  templateDryRun: boolean;
  /** register / unregister. */
  register: boolean;
  /** getMetrics (DORA). */
  metrics: boolean;
  /** getPolicies / scorecards. */
  policies: boolean;
  /**
   * catalogNames: the catalog's teams, systems, services and APIs in one call, which the editor caches and `paved lint`
   * fetches once, to check a manifest's references (never a request per keystroke or per reference).
   */
  catalogNames: boolean;
  /**
   * `operations`: logs of running services, their health and SLO status, restart and stop (Paved). Backstage: false —
   * the editor shows the catalog's dashboard and runbook links instead and says live operations need a Paved platform.
   */
  operations: boolean;
  /**
   * Resources services claim in their manifest (`spec.claims`): listResourceTypes, listClaims, releaseClaim,
   * revealClaimOutput, and `claims` in getService. Backstage shows Resource entities but provisions nothing: false.
   */
  resources: boolean;
  /**
   * Every published version of a golden path, each renderable on request (`getTemplate` / scaffold tasks with a
   * version), and adoption across the catalog: what a three-way golden-path upgrade needs (Paved). Backstage keeps
   * only a template's current version, so drift shows but the upgrade needs a Paved platform.
   */
  templateVersions: boolean;
  /**
   * Platform insights across the catalog (adoption, onboarding, delivery, compliance, the feedback inbox and its
   * states) computed from the platform's own history (Paved). Backstage keeps none of that history.
   */
  insights: boolean;
}

/**
 * The names references in manifests are checked against. A list is absent when the backend could not list it whole
 * (a catalog too large to list): references of that kind are then not checked, rather than wrongly called unknown.
 */
export interface ReferenceNames {
  teams?: string[];
  systems?: string[];
  services?: string[];
  apis?: string[];
  deprecatedServices: string[];
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface WriteOptions extends CallOptions {
  /** One key per logical operation; reuse it when the user retries the same operation. Default: a fresh key per call. */
  idempotencyKey?: string;
}

export interface StreamOptions extends CallOptions {
  /** Resume after this event `seq` (exclusive); default: from the first event. */
  after?: number;
}

/** A catalog entry as the tree shows it. `ref` is what `getService` takes (Paved: the name; Backstage: `component:default/name`). */
export interface CatalogService extends Omit<ServiceSummary, 'lifecycle'> {
  ref: string;
  /** Backstage entity kind (`Component`, `API`, `Resource`, `System`, `Group`); absent for Paved services. */
  kind?: string;
  /** Paved lifecycles are `experimental | production | deprecated`; Backstage allows any string. */
  lifecycle?: Lifecycle | (string & {});
  /**
   * For a backend without a deploy API of its own (Backstage): the Paved Platform API this service deploys through
   * (its `paved.dev/platform-api` annotation). Absent: the backend deploys it itself, or nothing does.
   */
  deploysThrough?: string;
}

/** Everything about one service. Metrics and scorecard are absent when the backend has none (Backstage). */
export interface ServiceInfo extends Omit<ServiceDetails, 'lifecycle' | 'metrics' | 'scorecard'> {
  ref: string;
  kind?: string;
  lifecycle?: Lifecycle | (string & {});
  metrics?: DoraMetrics;
  scorecard?: Scorecard;
  /** As in CatalogService: the Paved Platform API a Backstage entity deploys through. */
  deploysThrough?: string;
}

export interface ServiceQuery {
  /** Case-insensitive substring over name, title, description and tags. */
  text?: string;
  owner?: string;
  system?: string;
  lifecycle?: string;
  /** Page size (1..500; the backend's default when absent). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface FacetValue {
  value: string;
  count: number;
}

/** Values to group and filter the catalog by. `partial` when the backend could only sample the catalog. */
export interface CatalogFacets {
  owners: FacetValue[];
  systems: FacetValue[];
  lifecycles: FacetValue[];
  partial: boolean;
}

/** One page of input for a multi-step template form (Backstage templates have several; Paved templates one). */
export interface TemplateStep {
  title: string;
  schema: JsonSchemaObject;
}

export type TemplateInfo = TemplateDetails & {
  /** The parameter form split into steps; absent → one step, `parameters`. */
  steps?: TemplateStep[];
};

export interface CreateScaffoldTask {
  templateId: string;
  version?: string;
  values: Record<string, unknown>;
}

export interface ScaffoldLink {
  title?: string;
  url?: string;
  /** A catalog entity ref (Backstage output links). */
  entityRef?: string;
}

export interface ScaffoldOutcome {
  /** Files to write into the target directory (only when `capabilities.scaffoldWritesFiles`). */
  files: ScaffoldFile[];
  nextSteps: string[];
  links?: ScaffoldLink[];
  /** Markdown text the template produced (Backstage `output.text`). */
  text?: string;
}

export interface ScaffoldTaskInfo {
  id: string;
  templateId: string;
  templateVersion?: string;
  state: TaskState;
  createdAt: string;
  finishedAt?: string;
  result?: ScaffoldOutcome;
  error?: string;
}

export interface ScaffoldEvent {
  /** Increasing; resume with `after: seq`. (Backstage: the global event id.) */
  seq: number;
  type: TaskEventType | 'cancelled';
  /** Plain text (ANSI colour codes removed). */
  message: string;
  at: string;
  stepId?: string;
  /** On the final event of a Backstage task: its output. */
  outcome?: ScaffoldOutcome;
}

/**
 * Day two of a running service (`capabilities.operations`): its logs, health and SLOs, restart and stop. A backend
 * without them answers every call at once with `unsupported`.
 */
export interface ServiceOperations {
  /** Health and SLOs per environment. */
  status(service: string, opts?: CallOptions): Promise<ServiceStatus>;
  /** The probe history of one environment over the last `hours` (default 24), with recent health changes. */
  health(service: string, environment: string, query?: { hours?: number }, opts?: CallOptions): Promise<HealthHistory>;
  /** Every environment where a release runs, with its health (all pages). */
  healthOverview(opts?: CallOptions): Promise<ServiceHealthItem[]>;
  /** One page of log lines: the last `tail`, those since a time, or those after a cursor. */
  logs(service: string, environment: string, query?: LogQuery, opts?: CallOptions): Promise<LogPage>;
  /**
   * Follows the logs as they are written: from after `after` (a line's cursor), else the last `tail` lines (default
   * 0: only new ones). Dropped connections resume after the last line, so none is lost or repeated. Runs until the
   * signal aborts; a platform that stays unreachable ends it with its error (resume with the last cursor).
   */
  followLogs(service: string, environment: string, opts?: CallOptions & { after?: string; tail?: number }): AsyncIterable<LogLine>;
  /** What happened to the running service (health changes, restarts, stops), after event `after`. */
  events(service: string, environment: string, query?: { after?: number; wait?: number }, opts?: CallOptions): Promise<EventsPage<OperationEvent>>;
  /** Starts the serving release again (a deployment of kind `restart`; one in progress is returned, not doubled). */
  restart(service: string, environment: string, request?: RestartRequest, opts?: WriteOptions): Promise<Deployment>;
  /** Stops the release serving in the environment; stopping what does not run changes nothing (`changed: false`). */
  stop(service: string, environment: string, request?: StopRequest, opts?: CallOptions): Promise<StopResult>;
}

export interface ClaimQuery {
  service?: string;
  environment?: string;
  state?: ClaimStatus['state'];
  limit?: number;
  cursor?: string;
}

export interface DeploymentQuery {
  environment?: string;
  limit?: number;
  cursor?: string;
}

export interface PlatformHealth {
  status: 'ok';
  /** `local`, `paved`, `backstage`, or what the server says. */
  platform: string;
  version?: string;
  apiVersion?: string;
}

export interface EntityValidationError {
  message: string;
  /** JSON pointer into the entity when the server says where. */
  pointer?: string;
}

/** Where a service of a backend without a deploy API deploys: a Paved platform client, and the name it has there. */
export interface DeployDelegate {
  backend: PlatformBackend;
  service: string;
  /** The Paved platform's URL as the catalog names it (record it to find the delegate again with `deployBackendAt`). */
  url: string;
}

export interface PlatformBackend {
  readonly kind: PlatformKind;
  /** For messages and the status bar: "Local platform", "Paved platform (https://…)", "Backstage (https://…)". */
  readonly displayName: string;
  readonly baseUrl: string;
  readonly capabilities: BackendCapabilities;

  health(opts?: CallOptions): Promise<PlatformHealth>;

  // Catalog
  listServices(query: ServiceQuery, opts?: CallOptions): Promise<Page<CatalogService>>;
  /** Fails with `not-found` for an unknown ref. */
  getService(ref: string, opts?: CallOptions): Promise<ServiceInfo>;
  facets(opts?: CallOptions): Promise<CatalogFacets>;
  listTeams(page?: { limit?: number; cursor?: string }, opts?: CallOptions): Promise<Page<Team>>;
  listEnvironments(opts?: CallOptions): Promise<Environment[]>;
  register(request: RegisterServiceRequest, opts?: WriteOptions): Promise<ServiceInfo>;
  unregister(ref: string, opts?: CallOptions): Promise<void>;
  /** Authoritative check of a catalog entity; `[]` when valid. `unsupported` unless `capabilities.validateEntity`. */
  validateEntity(entity: Record<string, unknown>, location: string, opts?: CallOptions): Promise<EntityValidationError[]>;

  // Golden paths
  listTemplates(page?: { limit?: number; cursor?: string }, opts?: CallOptions): Promise<Page<TemplateSummary>>;
  /** The golden path at `version` (a published one; default its newest). Without `capabilities.templateVersions` only the current one. */
  getTemplate(id: string, opts?: CallOptions & { version?: string }): Promise<TemplateInfo>;
  /** Every published version, newest first, with its changelog. `unsupported` unless `capabilities.templateVersions`. */
  listTemplateVersions(id: string, page?: { limit?: number; cursor?: string }, opts?: CallOptions): Promise<Page<TemplateVersion>>;
  /** Services per golden path and version, and those on none. `unsupported` unless `capabilities.templateVersions`. */
  goldenPathAdoption(opts?: CallOptions & { limit?: number }): Promise<GoldenPathAdoption>;

  // Platform insights (capabilities.insights; `unsupported` otherwise)
  insights<S extends InsightsSection>(section: S, query?: InsightsQuery, opts?: CallOptions): Promise<InsightsBySection[S]>;
  /** The services behind the delivery numbers, most deployments first. */
  deliveryServices(query?: InsightsQuery, opts?: CallOptions): Promise<Page<DeliveryService>>;
  setFeedbackState(id: string, state: FeedbackState, opts?: CallOptions & { by?: string }): Promise<FeedbackItem>;
  createScaffoldTask(request: CreateScaffoldTask, opts?: WriteOptions): Promise<ScaffoldTaskInfo>;
  getScaffoldTask(id: string, opts?: CallOptions): Promise<ScaffoldTaskInfo>;
  /** The task's events, ending after its final one (completed / failed / cancelled). */
  scaffoldTaskEvents(id: string, opts?: StreamOptions): AsyncIterable<ScaffoldEvent>;
  cancelScaffoldTask(id: string, opts?: CallOptions): Promise<void>;

  // Deployments (capabilities.deploy)
  /**
   * Only for a backend without a deploy API of its own (Backstage): the Paved platform that deploys `service` and the
   * service's name there. Fails with `unsupported`, saying why, when nothing deploys it.
   */
  deployBackendFor?(service: string, opts?: CallOptions): Promise<DeployDelegate>;
  /** The delegate for a Paved platform URL a deployment was started through earlier (re-attaching after a reload). */
  deployBackendAt?(url: string): PlatformBackend;
  deploy(service: string, request: CreateDeploymentRequest, opts?: WriteOptions): Promise<Deployment>;
  getDeployment(id: string, opts?: CallOptions): Promise<Deployment>;
  /** Newest first. */
  listDeployments(service: string, query?: DeploymentQuery, opts?: CallOptions): Promise<Page<Deployment>>;
  /** The deployment's events, ending when it is finished. */
  deploymentEvents(id: string, opts?: StreamOptions): AsyncIterable<DeploymentEvent>;
  cancelDeployment(id: string, opts?: CallOptions): Promise<Deployment>;
  /** The whole output of the deployment's build (its events carry only the start and the end of a long one). */
  deploymentLog(id: string, opts?: CallOptions): Promise<string>;
  rollback(service: string, request: RollbackRequest, opts?: WriteOptions): Promise<Deployment>;
  promote(service: string, request: PromoteRequest, opts?: WriteOptions): Promise<Deployment>;

  // Day two (capabilities.operations)
  readonly operations: ServiceOperations;
  // Resources (capabilities.resources)
  /** The resource types services can claim. */
  listResourceTypes(opts?: CallOptions): Promise<ResourceType[]>;
  /** Provisioned claims of every service (or of one), each per environment; secret outputs masked. */
  listClaims(query?: ClaimQuery, opts?: CallOptions): Promise<Page<ClaimStatus>>;
  /** Releases an orphaned claim, deleting its resource and data; releasing one released before is not an error. */
  releaseClaim(service: string, claim: string, environment: string, opts?: CallOptions): Promise<void>;
  /** One output of a ready claim in clear (a secret one too): for the clipboard, never for the screen or a log. */
  revealClaimOutput(service: string, claim: string, environment: string, output: string, opts?: CallOptions): Promise<RevealedClaimOutput>;

  // Platform
  getPolicies(opts?: CallOptions): Promise<PolicySet>;
  /** `unsupported` unless `capabilities.catalogNames`. */
  catalogNames(opts?: CallOptions): Promise<ReferenceNames>;
  getMetrics(service: string, query?: { windowDays?: number; environment?: string }, opts?: CallOptions): Promise<DoraMetrics>;
  sendFeedback(feedback: CreateFeedbackRequest, opts?: WriteOptions): Promise<Feedback>;

  /** Releases sockets; further calls fail with `cancelled`. */
  dispose(): void;
}

/** Deployment states after which no more events come. */
export const FINISHED_DEPLOYMENT_STATES: ReadonlySet<Deployment['state']> = new Set(['succeeded', 'failed', 'rolled-back', 'cancelled']);

/** Task states after which no more events come. */
export const FINISHED_TASK_STATES: ReadonlySet<TaskState> = new Set(['succeeded', 'failed', 'cancelled']);
