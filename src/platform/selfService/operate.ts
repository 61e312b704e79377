/**
 * Restart and stop what runs in an environment — the editor's Restart / Stop and `paved restart` / `paved stop`. Both
 * follow the approval rule of deployments (the manifest's, asked before sending; the platform's `approval-required`,
 * asked once and sent again). A restart is a deployment of kind `restart`: recorded and followed like one.
 */
import type { StopResult } from '../../core/api/operations';
import { PavedError, UserCancelledError } from '../../core/errors';
import type { PlatformBackend } from '../backend';
import { approvalFor } from './approval';
import type { DeployContext, FlowContext } from './context';
import { environmentNamed } from './environments';
import { isApprovalRequired, startOperation, type Started } from './send';

export interface OperateInput {
  service?: string;
  environment?: string;
  /** Approval given up front (`--approve`). */
  approved?: boolean;
  idempotencyKey?: string;
}

/** Fails at once, saying where to look instead, when the platform has no live operations (Backstage). */
export function assertOperations(backend: PlatformBackend): void {
  if (!backend.capabilities.operations) {
    throw new PavedError('unsupported', `${backend.displayName} has no live operations (logs, health, restart, stop): they need a Paved platform. The service's dashboard and runbook links are in its details.`);
  }
}

async function target(ctx: DeployContext, input: OperateInput, verb: string): Promise<{ service: string; environment: string }> {
  assertOperations(ctx.backend);
  const service = input.service ?? (await ctx.prompts.pickService(ctx.backend.listServices({ limit: 500 }, { signal: ctx.signal }).then((p) => p.items), `${verb} which service?`));
  const environments = await ctx.backend.listEnvironments({ signal: ctx.signal });
  const environment = environmentNamed(environments, input.environment ?? (await ctx.prompts.pickEnvironment(environments, `${verb} ${service} in which environment?`))).name;
  return { service, environment };
}

async function manifestApproval(ctx: DeployContext, service: string, environment: string, action: 'restart' | 'stop', preApproved?: boolean): Promise<boolean> {
  const environments = await ctx.backend.listEnvironments({ signal: ctx.signal });
  const info = await ctx.backend.getService(service, { signal: ctx.signal });
  return approvalFor(ctx, { text: '', fileName: 'paved.yaml', object: info.manifest }, environmentNamed(environments, environment), { service, action }, preApproved);
}

/** Starts the release serving in an environment again; follow it with `followDeployment(started.backend, started.record)`. */
export async function restart(ctx: DeployContext, input: OperateInput = {}): Promise<Started> {
  const { service, environment } = await target(ctx, input, 'Restart');
  const approved = await manifestApproval(ctx, service, environment, 'restart', input.approved);
  return startOperation(ctx, { backend: ctx.backend, service }, { kind: 'restart', service, environment, request: { environment, ...(approved ? { approved: true } : {}) } }, input.idempotencyKey);
}

/** Stops the release serving in an environment (`changed` false when nothing ran). */
export async function stop(ctx: DeployContext, input: OperateInput = {}): Promise<StopResult & { service: string }> {
  const { service, environment } = await target(ctx, input, 'Stop');
  let approved = await manifestApproval(ctx, service, environment, 'stop', input.approved);
  const send = () => ctx.backend.operations.stop(service, environment, approved ? { approved: true } : {}, { signal: ctx.signal });
  try {
    return { ...(await send()), service };
  } catch (err) {
    if (!isApprovalRequired(err) || approved) throw err;
    if (!(await ctx.prompts.confirmApproval({ service, environment, reason: 'platform', action: 'stop' }))) throw new UserCancelledError(`stopping ${service} in ${environment} not approved`);
    approved = true;
    return { ...(await send()), service };
  }
}

/** The environments where the service has something to operate on, for a picker (running first). */
export async function runningEnvironments(ctx: FlowContext, service: string): Promise<string[]> {
  const status = await ctx.backend.operations.status(service, { signal: ctx.signal });
  return status.environments.filter((e) => e.state !== 'not-deployed').map((e) => e.environment);
}
