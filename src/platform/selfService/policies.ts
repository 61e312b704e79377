/**
 * The policy set the client-side gate checks a deployment with: the same one the platform will use — the deploying
 * platform's set (`GET /v1/policies`; Paved's default set when it serves none or cannot be asked, said in the log)
 * merged with the repository's `.paved/policies.yaml` by the one merge in src/core/policy — and the platform's catalog
 * names for the reference rules. A face that already holds these (the editor caches them) supplies them instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../../core/errors';
import { defaultPolicySet, fromWire, loadPolicySet, mergePolicySets, type LintContext } from '../../core/policy';
import type { PlatformBackend } from '../backend';
import type { DeployContext, GatePolicies } from './context';

export const REPO_POLICIES = path.join('.paved', 'policies.yaml');

/**
 * The repository additions for a manifest file: `.paved/policies.yaml` in the nearest folder at or above the file's
 * that has one, not above the repository root (the first folder holding `.git`).
 */
export function findRepositoryPolicies(manifestFile: string): string | undefined {
  let dir = path.dirname(path.resolve(manifestFile));
  for (;;) {
    const candidate = path.join(dir, REPO_POLICIES);
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir || fs.existsSync(path.join(dir, '.git'))) return undefined;
    dir = up;
  }
}

/** The deploying platform's set (or the default, saying why), its catalog names, and the repository's additions. */
export async function platformGatePolicies(backend: PlatformBackend, manifestFile: string | undefined, log?: (line: string) => void, signal?: AbortSignal): Promise<GatePolicies> {
  let set = defaultPolicySet();
  if (backend.capabilities.policies) {
    try {
      set = fromWire(await backend.getPolicies({ signal }), `policies of ${backend.displayName}`);
    } catch (err) {
      log?.(`checking with Paved's default policy set: ${backend.displayName} did not serve its own (${describeError(err)})`);
    }
  }
  const context: LintContext = {};
  if (backend.capabilities.catalogNames) {
    try {
      const names = await backend.catalogNames({ signal });
      context.catalog = names;
      context.deprecatedServices = new Set(names.deprecatedServices);
    } catch (err) {
      log?.(`references not checked: ${backend.displayName} did not list its catalog (${describeError(err)})`);
    }
  }
  const repoFile = manifestFile && findRepositoryPolicies(manifestFile);
  if (repoFile) {
    const merged = mergePolicySets(set, loadPolicySet(fs.readFileSync(repoFile, 'utf8'), REPO_POLICIES));
    for (const n of merged.notes) log?.(n);
    set = merged;
  }
  return { set, context };
}

/** What the gate checks with: the face's own (the editor's cached set) or the platform's, fetched now. */
export function gatePolicies(ctx: DeployContext, backend: PlatformBackend, manifestFile: string | undefined): Promise<GatePolicies> {
  return ctx.policies ? ctx.policies(backend, manifestFile) : platformGatePolicies(backend, manifestFile, ctx.log, ctx.signal);
}
