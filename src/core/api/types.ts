/**
 * Wire types of the Paved Platform API v1 (the contract is `schemas/platform-api.yaml`).
 *
 * Every request and response body that crosses the wire has a type here. Both the HTTP client (src/platform) and the
 * embedded local platform (src/server) use these types; the OpenAPI document is the source of truth for validation.
 * Times are ISO 8601 strings (UTC). Optional properties are omitted, never `null`.
 */

/** Path prefix of this API version. */
export const API_PREFIX = '/v1';

/** Media type of error bodies (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** Header that makes a POST idempotent (deployments, rollback, promote, scaffold tasks, feedback). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** Default and maximum page sizes for list endpoints (`limit`). */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** A page of a cursor-paginated list. `nextCursor` is absent on the last page; pass it back as `?cursor=`. */
import type { ClaimStatus, ResourceType } from '../resources/types';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** RFC 9457 problem details; every 4xx/5xx response body is one (content type application/problem+json). */
export interface Problem {
  /** A URI reference identifying the problem type, e.g. `https://paved.dev/problems/not-found`. */
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The request path the problem concerns. */
  instance?: string;
  /** Machine-readable code, aligned with PavedErrorCode where one applies. */
  code?: ProblemCode;
  /** For invalid requests: one entry per violated rule. */
  errors?: ProblemFieldError[];
}

export type ProblemCode =
  | 'invalid-input'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'idempotency-mismatch'
  | 'approval-required'
  | 'server-error'
  | 'unsupported'
  | 'policy-violation';

export interface ProblemFieldError {
  /** JSON pointer into the request: `/body/name`, `/query/limit`, `/path/name`, `/header/Idempotency-Key`. */
  pointer: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// Health

export interface Health {
  status: 'ok';
  /** Server implementation version (package version). */
  version: string;
  /** API version, `v1`. */
  apiVersion: 'v1';
  /** `local` for the embedded platform. */
  platform: string;
  /** Seconds since the server started. */
  uptimeSeconds: number;
  /** Number of service processes currently running. */
  runningServices: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// Catalog

export type Lifecycle = 'experimental' | 'production' | 'deprecated';

/** Where a catalog entry comes from. */
export type ServiceSource = 'workspace' | 'registered';

export type LinkType = 'docs' | 'runbook' | 'dashboard' | 'repo' | 'other';

export interface Link {
  url: string;
  title?: string;
  type?: LinkType;
}

/** State of a service in one environment slot. */
export type EnvironmentState = 'not-deployed' | 'deploying' | 'running' | 'failed' | 'stopped';

export interface ServiceEnvironmentStatus {
  environment: string;
  state: EnvironmentState;
  /** Release serving (or last served) in this environment. */
  release?: string;
  /** Where it answers, e.g. `http://127.0.0.1:41001`. */
  url?: string;
  port?: number;
  /** The deployment that produced the current state. */
  deploymentId?: string;
  /** When the state last changed. */
  since?: string;
}

/**
 * Health of a running release as the platform's probes see it (src/core/api/operations.ts has the rest):
 * unknown = not probed yet; degraded = probes fail, but fewer in a row than the failure threshold.
 */
export type HealthState = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** One entry of `GET /v1/services`: small on purpose. */
export interface ServiceSummary {
  name: string;
  title?: string;
  description?: string;
  owner: string;
  system?: string;
  lifecycle?: Lifecycle;
  tags: string[];
  source: ServiceSource;
  /** Compact status: environment name → state (only environments with a deployment appear). */
  status: Record<string, EnvironmentState>;
  /** Environment name → health, for the environments where a release runs (platforms that probe). */
  health?: Record<string, HealthState>;
  /** Golden path the service came from, if recorded (paved.yaml `metadata.goldenPath`). */
  goldenPath?: { template: string; version: string };
  /** Its claims with their state per environment (only services with claims; absent without resources). */
  claimStates?: ClaimSummary[];
}

/** One claim of a service in the catalog's list: its type and its state in each environment. */
export interface ClaimSummary {
  name: string;
  type: string;
  states: Record<string, ClaimStatus['state']>;
}

export interface ServiceApis {
  provides: string[];
  consumes: string[];
}

export type PolicySeverity = 'error' | 'warning' | 'info' | 'hint';

export interface ScorecardResult {
  ruleId: string;
  severity: PolicySeverity;
  passed: boolean;
  message: string;
  docsUrl?: string;
}

/** A rule a valid waiver exempts the service from (scorecards list these apart, outside the score). */
export interface WaivedRule {
  ruleId: string;
  severity: PolicySeverity;
  message: string;
  reason: string;
  /** Last day the waiver counts (YYYY-MM-DD). */
  expires: string;
  approvedBy?: string;
}

export interface Scorecard {
  /** 0–100, over the applicable rules that are not waived. */
  score: number;
  results: ScorecardResult[];
  /** Rules a valid waiver exempts, listed apart (absent when none). */
  waived?: WaivedRule[];
}

/** `GET /v1/services/{name}`. */
export interface ServiceDetails extends ServiceSummary {
  /** The manifest as a JSON object (paved.yaml or catalog-info.yaml), as read. */
  manifest: Record<string, unknown>;
  /** `paved.yaml` | `catalog-info.yaml` | `registered`. */
  manifestKind: 'paved.yaml' | 'catalog-info.yaml' | 'registered';
  /** Absolute path of the manifest file on the platform host, for workspace services. */
  manifestPath?: string;
  /** Directory deployments snapshot from (absent: the service cannot be deployed by this platform). */
  sourceDir?: string;
  links: Link[];
  /** Refs this service depends on, e.g. `service:ledger`, `resource:payments-db`. */
  dependsOn: string[];
  /** Names of catalog services that depend on this one. */
  dependents: string[];
  apis: ServiceApis;
  environments: ServiceEnvironmentStatus[];
  scorecard: Scorecard;
  metrics: DoraMetrics;
  /** Its claims (`spec.claims`) per environment, secret outputs masked; absent from platforms without resources. */
  claims?: ClaimStatus[];
}

/** Query of `GET /v1/services`. */
export interface ServiceQuery {
  /** Case-insensitive substring over name, title, description and tags. */
  text?: string;
  owner?: string;
  system?: string;
  lifecycle?: Lifecycle;
  limit?: number;
  cursor?: string;
}

/** `POST /v1/services`: register a service that is not in a workspace manifest. */
export interface RegisterServiceRequest {
  /** A paved.yaml manifest object (`apiVersion: paved.dev/v1`, `kind: Service`). */
  manifest: Record<string, unknown>;
  /** Directory on the platform host holding the service's source (enables deployments). */
  sourceDir?: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// Teams and environments

export interface Team {
  name: string;
  title?: string;
  description?: string;
  email?: string;
  /** Chat channel or similar. */
  channel?: string;
  members: string[];
  /** Number of catalog services the team owns. */
  serviceCount: number;
}

export interface Environment {
  name: string;
  /** Position in the promotion order: local (0) → staging (1) → production (2). */
  order: number;
  /** The environment a release is promoted to from here, if any. */
  next?: string;
  /** Port range of this environment's slots on loopback (inclusive). */
  portRange: { from: number; to: number };
  /** Whether deployments here need `approved: true` when the manifest asks for approval. */
  approvalHonoured: boolean;
}

// -------------------------------------------------------------------------------------------------
// Templates (golden paths) and scaffolding: templates.ts
export * from './templates';
import type { JsonSchemaObject, TaskEvent } from './templates';

// ---------------------------------------------------------------------------------------------------------------------
// Deployments and their events: deployments.ts
export * from './deployments';
import type { DeploymentEvent, EventsPage } from './deployments';

// ---------------------------------------------------------------------------------------------------------------------
// Metrics, policies, schemas, feedback

export type DoraLevel = 'elite' | 'high' | 'medium' | 'low';

/** DORA metrics over a window ending now, computed from the deployment history of one service. */
export interface DoraMetrics {
  windowDays: number;
  /** Production deployments (kind deploy or promote) that succeeded, per day over the window. */
  deploymentFrequencyPerDay: number;
  deployments: number;
  /** Median seconds from release creation (snapshot) to its successful production deployment; absent without data. */
  leadTimeSeconds?: number;
  /** Failed production deployments / all finished production deployments, 0..1; absent without data. */
  changeFailureRate?: number;
  /** Median seconds from a failed production deployment to the next successful one; absent without data. */
  timeToRestoreSeconds?: number;
  /** Which environment the numbers are for (default `production`). */
  environment: string;
}

export interface PolicyRule {
  id: string;
  severity: PolicySeverity;
  description: string;
  docsUrl?: string;
  mandatory?: boolean;
  /** When the rule applies, e.g. `{ lifecycle: ['production'] }`. */
  when?: Record<string, unknown>;
  /** Condition as a JSON Schema over the manifest. */
  condition?: JsonSchemaObject;
  message?: string;
  /** JSON pointer of the manifest node a violation points at. */
  path?: string;
  /** false: a waiver of this rule is refused. */
  waivable?: boolean;
}

export interface PolicyWaiver {
  rule: string;
  reason: string;
  /** YYYY-MM-DD, the last day it counts. */
  expires: string;
  approvedBy?: string;
}

export interface PolicySet {
  /** Version of the set: its `metadata.version`, else a digest of its rules (changes whenever a rule does). */
  version: string;
  /** Name of the set, e.g. `paved-default`. */
  name?: string;
  rules: PolicyRule[];
  /** The longest a waiver may last, in days from today. */
  maxWaiverDays?: number;
  waivers?: PolicyWaiver[];
}

/** One policy finding on a manifest, as the platform reports it (a `policy-violation` problem lists them). */
export interface PolicyFinding {
  ruleId: string;
  severity: PolicySeverity;
  message: string;
  /** JSON pointer into the manifest (paved.dev/v1 shape). */
  path: string;
  docsUrl?: string;
  /** `key`: the key at `path` is the problem, not its value. */
  on?: 'key';
}

/** The body of a `policy-violation` problem (422): the deployment was refused; nothing was built or started. */
export interface PolicyViolationProblem extends Problem {
  code: 'policy-violation';
  findings: PolicyFinding[];
  /** The policy set the manifest was checked against. */
  policySet: { name: string; version: string };
}

/** `GET /v1/catalog/names`: the names references in manifests are checked against (cached by clients). */
export interface CatalogNamesList {
  teams: string[];
  systems: string[];
  services: string[];
  /** Services whose lifecycle is `deprecated`. */
  deprecatedServices: string[];
  apis: string[];
}

export interface SchemaSummary {
  /** e.g. `paved.dev/v1`. */
  id: string;
  /** What it validates: `paved.yaml`. */
  fileName: string;
  url: string;
}

export interface CreateFeedbackRequest {
  message: string;
  /** Service the feedback concerns. */
  service?: string;
  /** Who sends it (team or user). */
  from?: string;
  category?: 'bug' | 'idea' | 'question' | 'praise' | 'other';
}

export interface Feedback extends CreateFeedbackRequest {
  id: string;
  createdAt: string;
}

/** `GET /v1/environments`. */
export interface EnvironmentList {
  items: Environment[];
}

/** `GET /v1/schemas`. */
export interface SchemaList {
  items: SchemaSummary[];
}

export type DeploymentEventsPage = EventsPage<DeploymentEvent>;
export type TaskEventsPage = EventsPage<TaskEvent>;

/** Response header set when an Idempotency-Key replay returned the stored result. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

// ---------------------------------------------------------------------------------------------------------------------
// Resources (claims)

export type { ClaimState, ClaimStatus, ResourceClass, ResourceOutput, ResourceType } from '../resources/types';

/** `GET /v1/resource-types`. */
export interface ResourceTypeList {
  items: ResourceType[];
}

/** `GET /v1/claims`: claims of every service, each per environment. */
export type ClaimPage = Page<ClaimStatus>;

/** `POST /v1/services/{name}/claims/{claim}/reveal`: one output of a claim, secret or not, to the platform-token holder. */
export interface RevealClaimOutputRequest {
  environment: string;
  output: string;
}

export interface RevealedClaimOutput {
  service: string;
  claim: string;
  environment: string;
  output: string;
  secret: boolean;
  value: string;
}
