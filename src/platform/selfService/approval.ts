/** The approval rule: asked once, before sending, when the manifest requires it for the target environment. */
import type { Environment } from '../../core/api/types';
import { UserCancelledError } from '../../core/errors';
import { needsApproval } from '../../core/wizard/deploy';
import type { ApprovalRequest, DeployContext } from './context';
import type { ManifestToCheck } from './manifest';

/**
 * True when the request carries `approved`: given up front (`preApproved`, e.g. `--approve`), or the manifest requires
 * it and the user confirmed. Declining stops the flow (`cancelled`).
 */
export async function approvalFor(ctx: DeployContext, manifest: ManifestToCheck, environment: Environment, request: Omit<ApprovalRequest, 'reason' | 'environment'>, preApproved?: boolean): Promise<boolean> {
  if (preApproved) return true;
  if (!needsApproval(manifest.object, environment)) return false;
  if (!(await ctx.prompts.confirmApproval({ ...request, environment: environment.name, reason: 'manifest' }))) {
    throw new UserCancelledError(`${environment.name} deployment not approved`);
  }
  return true;
}
