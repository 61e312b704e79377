/**
 * Promote: the release running in one environment to the next (or a named one), without rebuilding; the manifest is
 * checked against the target environment's policies and its approval rule.
 */
import type { PromoteRequest } from '../../core/api/types';
import { approvalFor } from './approval';
import type { DeployContext } from './context';
import { environmentNamed, promotionTarget } from './environments';
import { manifestToCheck, platformRefusal, policyRefusal, type ManifestSource, type Refused } from './manifest';
import { startOperation, type Started } from './send';
import { assertDeploys, deployableServices, deployTarget } from './target';

export interface PromoteInput {
  service?: string;
  /** The environment whose running release is promoted; asked (among those with a next one) when absent. */
  from?: string;
  /** Absent: the environment after `from`. */
  to?: string;
  manifest?: ManifestSource;
  approved?: boolean;
  idempotencyKey?: string;
}

export async function promote(ctx: DeployContext, input: PromoteInput = {}): Promise<Started | Refused> {
  assertDeploys(ctx.backend);
  const target = await deployTarget(ctx, input.service ?? (await ctx.prompts.pickService(deployableServices(ctx), 'Promote which service?')));
  const { service } = target;
  const environments = await target.backend.listEnvironments({ signal: ctx.signal });
  const from = environmentNamed(environments, input.from ?? (await ctx.prompts.pickEnvironment(environments.filter((e) => e.next), `Promote ${service} from which environment?`)));
  const to = promotionTarget(environments, from, input.to);
  const manifest = await manifestToCheck(target.backend, service, input.manifest, ctx.readFile, ctx.signal);
  const refused = await policyRefusal(ctx, target.backend, manifest, service, to.name);
  if (refused) return refused;
  const approved = await approvalFor(ctx, manifest, to, { service, promotedFrom: from.name }, input.approved);
  const request: PromoteRequest = { from: from.name, to: to.name, ...(approved ? { approved } : {}) };
  try {
    return await startOperation(ctx, target, { kind: 'promote', service, environment: to.name, request }, input.idempotencyKey);
  } catch (err) {
    const byPlatform = platformRefusal(err, manifest, service, to.name);
    if (byPlatform) return byPlatform;
    throw err;
  }
}
