/**
 * Sending a deployment operation, once per logical operation: one Idempotency-Key for it (generated here or given by
 * the caller), recorded before the request goes out, reused by every re-send — the transport's retries, the re-send
 * after approval, the re-send after a restart — so the platform never runs it twice. When the platform answers with
 * problem type `approval-required` (a rule the client could not see in the manifest), the user is asked once and the
 * request is sent once more with `approved: true`.
 */
import type { RestartRequest } from '../../core/api/operations';
import type { CreateDeploymentRequest, Deployment, PromoteRequest, RollbackRequest } from '../../core/api/types';
import { UserCancelledError } from '../../core/errors';
import type { DeploymentRecord } from '../../core/wizard/deploy';
import type { PlatformBackend } from '../backend';
import { PlatformError } from '../errors';
import { newIdempotencyKey } from '../transport';
import type { DeployContext } from './context';
import type { DeploymentJournal } from './journal';
import type { DeployTarget } from './target';

export type Operation =
  | { kind: 'deploy'; service: string; environment: string; request: CreateDeploymentRequest }
  | { kind: 'rollback'; service: string; environment: string; request: RollbackRequest }
  | { kind: 'promote'; service: string; environment: string; request: PromoteRequest }
  | { kind: 'restart'; service: string; environment: string; request: RestartRequest & { environment: string } };

/** A record the platform acknowledged: it has the deployment's id. */
export type AcknowledgedRecord = DeploymentRecord & { id: string };

/** An operation the platform accepted: follow it with `followDeployment(backend, record)`. */
export interface Started {
  status: 'started';
  /** The platform it runs on (the connected one, or the Paved platform a catalog entry named). */
  backend: PlatformBackend;
  record: AcknowledgedRecord;
  deployment: Deployment;
}

/** True for the platform's "this needs approval" answer (problem type `approval-required`), whatever its text. */
export function isApprovalRequired(err: unknown): boolean {
  return err instanceof PlatformError && err.problemCode === 'approval-required';
}

/** Sends the recorded request with the record's key. */
export function sendRecorded(backend: PlatformBackend, record: DeploymentRecord, signal?: AbortSignal): Promise<Deployment> {
  const opts = { idempotencyKey: record.key, signal };
  switch (record.kind) {
    case 'deploy':
      return backend.deploy(record.service, record.request as unknown as CreateDeploymentRequest, opts);
    case 'rollback':
      return backend.rollback(record.service, record.request as unknown as RollbackRequest, opts);
    case 'promote':
      return backend.promote(record.service, record.request as unknown as PromoteRequest, opts);
    case 'restart': {
      const { environment, ...request } = record.request as unknown as RestartRequest & { environment: string };
      return backend.operations.restart(record.service, environment, request, opts);
    }
  }
}

/** Records the operation, sends it (asking for approval when the platform requires it) and records the answer. */
export async function startOperation(ctx: DeployContext, target: DeployTarget, op: Operation, idempotencyKey?: string): Promise<Started> {
  const { journal } = ctx;
  let record: DeploymentRecord = {
    key: idempotencyKey ?? newIdempotencyKey(),
    kind: op.kind,
    service: op.service,
    environment: op.environment,
    request: { ...op.request },
    lastSeq: 0,
    recordedAt: new Date().toISOString(),
    platform: target.backend.baseUrl,
    ...(target.via ? { via: target.via } : {}),
  };
  // Recorded before the request: a restart between here and the answer re-sends the same key, gets the same deployment.
  await journal?.put(record);
  let deployment: Deployment;
  try {
    try {
      deployment = await sendRecorded(target.backend, record, ctx.signal);
    } catch (err) {
      if (!isApprovalRequired(err) || op.kind === 'rollback' || record.request.approved === true) throw err;
      ctx.log?.(`${target.backend.displayName} requires approval for ${op.kind} of ${op.service} to ${op.environment}`);
      const ok = await ctx.prompts.confirmApproval({ service: op.service, environment: op.environment, reason: 'platform', ...approvalWhat(op) });
      if (!ok) throw new UserCancelledError(`${op.environment} deployment not approved`);
      // The same logical operation, now approved: the same key (the platform stored nothing for the refused request).
      record = { ...record, request: { ...record.request, approved: true } };
      await journal?.put(record);
      deployment = await sendRecorded(target.backend, record, ctx.signal);
    }
  } catch (err) {
    await journal?.forget(record.key);
    throw err;
  }
  const acknowledged: AcknowledgedRecord = { ...record, id: deployment.id };
  await journal?.put(acknowledged);
  return { status: 'started', backend: target.backend, record: acknowledged, deployment };
}

function approvalWhat(op: Operation): { release?: string; promotedFrom?: string; action?: 'restart' } {
  if (op.kind === 'promote') return { promotedFrom: op.request.from };
  if (op.kind === 'restart') return { action: 'restart' };
  return op.kind === 'deploy' && op.request.release ? { release: op.request.release } : {};
}

/**
 * A recorded operation with its deployment id: when the record has none (the restart came before the platform's
 * answer), the request is sent again with its key — the platform returns the deployment it made, or makes it once.
 */
export async function acknowledge(backend: PlatformBackend, record: DeploymentRecord, journal?: DeploymentJournal, signal?: AbortSignal): Promise<AcknowledgedRecord> {
  if (record.id) return record as AcknowledgedRecord;
  const d = await sendRecorded(backend, record, signal);
  const acknowledged: AcknowledgedRecord = { ...record, id: d.id };
  await journal?.put(acknowledged);
  return acknowledged;
}
