/**
 * Wire types of the day-two operations of the Paved Platform API v1 (`schemas/platform-api.yaml`): logs of a running
 * service, its health as the platform's probes see it, SLO status measured from those probes, restart and stop.
 * Same rules as types.ts (ISO times, optional properties omitted, never null).
 */
import type { EnvironmentState, HealthState, ServiceEnvironmentStatus } from './types';

// ---------------------------------------------------------------------------------------------------------------------
// Logs

/** Where a log line came from: the service's stdout or stderr, or the platform (started, exited, …). */
export type LogStream = 'stdout' | 'stderr' | 'platform';

export interface LogLine {
  /** Opaque position of this line: resume after it with `?after=` or `Last-Event-ID`. */
  cursor: string;
  at: string;
  stream: LogStream;
  text: string;
  /** The release whose process wrote the line. */
  release: string;
  /** The line was longer than the platform keeps (8 KiB) and was cut. */
  truncated?: boolean;
}

/** `GET /v1/services/{name}/environments/{env}/logs` as JSON. */
export interface LogPage {
  items: LogLine[];
  /** Pass as `after` to continue after the last line (also when `items` is empty: where a follow would start). */
  cursor?: string;
  /** More lines are already there (the page hit `limit`). */
  more: boolean;
  /** The release serving in the environment now, if any. */
  release?: string;
}

export interface LogQuery {
  /** The last N lines (default 100 when neither `since` nor `after` is given). */
  tail?: number;
  /** Lines written at or after this time. */
  since?: string;
  /** Lines after this cursor (wins over `tail` and `since`). */
  after?: string;
  limit?: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// Health

/** The health of the release serving in one environment, as the platform's probes see it. */
export interface EnvironmentHealth {
  environment: string;
  state: HealthState;
  /** When `state` last changed. */
  since: string;
  release: string;
  /** 1 for the service's first release, 2 for the next, … (the CodeLens shows `r7`). */
  releaseNumber?: number;
  url?: string;
  /** `GET <path>` the platform probes. */
  healthPath: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Failed probes in a row that make the release unhealthy (one already makes it degraded). */
  failureThreshold: number;
  /** The manifest asks the platform to restart a release unhealthy this long (absent: reported, never restarted). */
  restartAfterSeconds?: number;
  consecutiveFailures: number;
  lastProbeAt?: string;
  /** Latency of the last answered probe. */
  latencyMs?: number;
  /** Why the last failed probe failed (status code, timeout, connection refused, the process exited). */
  lastError?: string;
  /** Automatic restarts since the release last was healthy. */
  automaticRestarts?: number;
}

/** One bucket of the probe history. */
export interface HealthBucket {
  start: string;
  seconds: number;
  probes: number;
  ok: number;
  /** Mean and highest latency of the answered probes. */
  meanLatencyMs?: number;
  maxLatencyMs?: number;
}

/** `GET /v1/services/{name}/environments/{env}/health`. */
export interface HealthHistory {
  service: string;
  environment: string;
  /** Present while a release runs there. */
  health?: EnvironmentHealth;
  /** Oldest first, over the requested hours. */
  buckets: HealthBucket[];
  /** Recent health changes, newest first. */
  changes: OperationEvent[];
}

/** One entry of `GET /v1/service-health`: every environment where a release runs. */
export interface ServiceHealthItem {
  service: string;
  owner: string;
  environment: string;
  state: HealthState;
  since: string;
  release: string;
  releaseNumber?: number;
  lastError?: string;
}

export interface ServiceHealthList {
  items: ServiceHealthItem[];
  nextCursor?: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// SLOs

export type SloIndicator = 'availability' | 'latency';

/** What the numbers are measured from. The local platform measures its own probes, not user traffic. */
export type SloBasis = 'probes';

export interface SloStatus {
  name: string;
  indicator: SloIndicator;
  /** Target in percent. */
  objective: number;
  /** As declared, e.g. `30d`. */
  window: string;
  windowSeconds: number;
  basis: SloBasis;
  /** False when nothing could be measured (no probes yet, a latency SLO without `thresholdMs`): `reason` says why. */
  measured: boolean;
  reason?: string;
  /** Measured value in percent over the window (good / total probes). */
  value?: number;
  good: number;
  total: number;
  /** Latency SLOs: the threshold as declared, and the one counted (probe latencies are kept in buckets). */
  thresholdMs?: number;
  countedThresholdMs?: number;
  /** Fraction of the error budget left (1 = untouched, 0 = spent, below 0 = overspent). */
  errorBudgetRemaining?: number;
  /** How fast the budget burns over the last hour: 1 spends it exactly over the window. */
  burnRate?: number;
  /** Fraction of the window the probes cover (they started less than a window ago). */
  coverage: number;
  measuredSince?: string;
  /** The objective holds (value ≥ objective). */
  met?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------------
// Status, restart, stop, events

/** One environment in `GET /v1/services/{name}/status`. */
export interface EnvironmentOperations {
  environment: string;
  state: EnvironmentState;
  release?: string;
  url?: string;
  health?: EnvironmentHealth;
  slos: SloStatus[];
}

/** `GET /v1/services/{name}/status`: health and SLOs per environment. */
export interface ServiceStatus {
  service: string;
  basis: SloBasis;
  /** What the numbers mean, in a sentence (the platform is honest about measuring probes, not users). */
  note: string;
  environments: EnvironmentOperations[];
}

export interface RestartRequest {
  /** Confirms a restart in an environment whose manifest requires approval. */
  approved?: boolean;
}

export interface StopRequest {
  approved?: boolean;
}

/** `POST …/stop`: the environment after the stop; `changed` false when nothing was running (idempotent). */
export interface StopResult {
  environment: ServiceEnvironmentStatus;
  changed: boolean;
}

export type OperationEventType = 'health' | 'restart' | 'stop';

/** `GET /v1/services/{name}/environments/{env}/events`: what happened to the running service. */
export interface OperationEvent {
  seq: number;
  at: string;
  type: OperationEventType;
  message: string;
  /** Health events: the state after the change. */
  state?: HealthState;
  release?: string;
  /** Restarts: the deployment that restarts it. */
  deploymentId?: string;
  /** Restarts: started by the platform (`spec.health.restartAfterSeconds`), not by a request. */
  automatic?: boolean;
}
