/**
 * Deploy: which service (asked when not given), where it deploys (the connected platform, or the Paved platform its
 * catalog entry names), which environment and release, the policy gate, the approval rule, then the idempotent send.
 * Follow the started deployment with `followDeployment`.
 */
import type { CreateDeploymentRequest } from '../../core/api/types';
import { approvalFor } from './approval';
import type { DeployContext } from './context';
import { earlierReleases, environmentNamed } from './environments';
import { manifestToCheck, platformRefusal, policyRefusal, type ManifestSource, type Refused } from './manifest';
import { startOperation, type Started } from './send';
import { assertDeploys, deployableServices, deployTarget } from './target';

export interface DeployInput {
  /** The service (a catalog ref); asked when absent. */
  service?: string;
  /** Asked when absent — and then the release is asked too. */
  environment?: string;
  /** An existing release; absent: a new release built from the source. */
  release?: string;
  healthTimeoutSeconds?: number;
  /** The manifest the deployment comes from, when the caller has it (the CodeLens document). */
  manifest?: ManifestSource;
  /** Approved up front (`paved deploy --approve`): sent with `approved: true`, nothing asked. */
  approved?: boolean;
  /** The operation's Idempotency-Key (`--idempotency-key`); a fresh one when absent. */
  idempotencyKey?: string;
}

export async function deploy(ctx: DeployContext, input: DeployInput = {}): Promise<Started | Refused> {
  assertDeploys(ctx.backend);
  const picked = input.service ?? (await ctx.prompts.pickService(deployableServices(ctx), 'Deploy which service?'));
  const target = await deployTarget(ctx, picked);
  const { service } = target;
  const environments = await target.backend.listEnvironments({ signal: ctx.signal });
  const environment = environmentNamed(environments, input.environment ?? (await ctx.prompts.pickEnvironment(environments, 'Deploy to which environment?')));
  // An environment picked by the user: the release is theirs to pick too (a new one from the source, or an earlier one).
  const release =
    input.environment === undefined && input.release === undefined
      ? await ctx.prompts.pickRelease(earlierReleases(target.backend, service, undefined, ctx.signal), { title: `Deploy ${service} to ${environment.name}`, purpose: 'deploy' })
      : input.release;
  const manifest = await manifestToCheck(target.backend, service, input.manifest, ctx.readFile, ctx.signal);
  const refused = await policyRefusal(ctx, target.backend, manifest, service, environment.name);
  if (refused) return refused;
  const approved = await approvalFor(ctx, manifest, environment, { service, ...(release ? { release } : {}) }, input.approved);
  const request: CreateDeploymentRequest = {
    environment: environment.name,
    ...(release ? { release } : {}),
    ...(approved ? { approved } : {}),
    ...(input.healthTimeoutSeconds ? { healthTimeoutSeconds: input.healthTimeoutSeconds } : {}),
  };
  try {
    return await startOperation(ctx, target, { kind: 'deploy', service, environment: environment.name, request }, input.idempotencyKey);
  } catch (err) {
    // The platform decides: its refusal comes back like the gate's, placed on the manifest.
    const byPlatform = platformRefusal(err, manifest, service, environment.name);
    if (byPlatform) return byPlatform;
    throw err;
  }
}
