/** Roll back: the release that served before the current one, or a named (or picked) earlier release; no rebuild. */
import type { RollbackRequest } from '../../core/api/types';
import type { DeployContext } from './context';
import { earlierReleases, environmentNamed } from './environments';
import { startOperation, type Started } from './send';
import { assertDeploys, deployableServices, deployTarget } from './target';

export interface RollbackInput {
  service?: string;
  /** Asked when absent — and then the release to go back to is asked too. */
  environment?: string;
  /** Absent: the release that served before the current one. */
  release?: string;
  idempotencyKey?: string;
}

export async function rollback(ctx: DeployContext, input: RollbackInput = {}): Promise<Started> {
  assertDeploys(ctx.backend);
  const target = await deployTarget(ctx, input.service ?? (await ctx.prompts.pickService(deployableServices(ctx), 'Roll back which service?')));
  const { service } = target;
  const environments = await target.backend.listEnvironments({ signal: ctx.signal });
  const environment = environmentNamed(environments, input.environment ?? (await ctx.prompts.pickEnvironment(environments, `Roll back ${service} in which environment?`))).name;
  const release =
    input.release ??
    (input.environment === undefined
      ? await ctx.prompts.pickRelease(earlierReleases(target.backend, service, environment, ctx.signal), { title: `Roll back ${service} in ${environment}`, purpose: 'rollback' })
      : undefined);
  const request: RollbackRequest = { environment, ...(release ? { release } : {}) };
  return startOperation(ctx, target, { kind: 'rollback', service, environment, request }, input.idempotencyKey);
}
