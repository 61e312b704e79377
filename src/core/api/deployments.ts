/** Wire types of the Platform API: deployments (deploy, rollback, promote, restart) and their events. */

export type DeploymentState =
  | 'pending'
  | 'building'
  | 'starting'
  | 'health-checking'
  | 'succeeded'
  | 'failed'
  | 'rolled-back'
  | 'cancelled';

/** Why a deployment exists (`restart`: the serving release started again, by request or by the platform). */
export type DeploymentKind = 'deploy' | 'rollback' | 'promote' | 'restart';

export interface Deployment {
  id: string;
  service: string;
  environment: string;
  kind: DeploymentKind;
  /** Release id, e.g. `r-20261122T051900Z-3f2a9c`. Assigned when the snapshot is taken (or given for rollback/promote). */
  release?: string;
  state: DeploymentState;
  /** Terminal states only: true when the deployment ended with the previous release kept serving. */
  automaticRollback?: boolean;
  /** Release that served before this deployment (what an automatic rollback kept). */
  previousRelease?: string;
  /** Where the service answers once succeeded. */
  url?: string;
  port?: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Failure reason for failed / rolled-back / cancelled. */
  error?: string;
  /** For rollback: the release rolled back from. For promote: the source environment. */
  from?: string;
}

/** Query of `GET /v1/deployments` (across services, newest first). */
export interface DeploymentQuery {
  service?: string;
  environment?: string;
  /** true: in progress only; false: finished only. */
  active?: boolean;
  limit?: number;
  cursor?: string;
}

export interface CreateDeploymentRequest {
  environment: string;
  /** Deploy an existing release instead of snapshotting the source. */
  release?: string;
  /** Confirms a production deployment whose manifest requires approval. */
  approved?: boolean;
  /** Health-check timeout in seconds (default 30). */
  healthTimeoutSeconds?: number;
}

export interface RollbackRequest {
  environment: string;
  /** Target release; omitted → the release that served before the current one. */
  release?: string;
}

export interface PromoteRequest {
  from: string;
  /** Omitted → the environment after `from` (local → staging → production). */
  to?: string;
  approved?: boolean;
}

export type DeploymentEventType = 'state' | 'step' | 'log' | 'health' | 'completed' | 'failed' | 'rollback';

export interface DeploymentEvent {
  /** 1-based, increasing per deployment; resume with `?after=seq`. */
  seq: number;
  type: DeploymentEventType;
  message: string;
  at: string;
  /** For `state` events and terminal events: the deployment state after this event. */
  state?: DeploymentState;
  /** For `log` events: which stream of which step. */
  stream?: 'stdout' | 'stderr';
  step?: 'snapshot' | 'provision' | 'build' | 'start' | 'health' | 'switch' | 'stop';
}

/** `GET /v1/deployments/{id}/events` as JSON (long-poll): events after `after`, waiting up to `wait` seconds for one. */
export interface EventsPage<E> {
  items: E[];
  /** True when the task/deployment is finished and no more events will come. */
  done: boolean;
  /** The seq to pass as `after` next time. */
  lastSeq: number;
}
