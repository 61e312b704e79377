/**
 * The policy set the lint tool checks with: the one the editor, `paved lint` and the deploy gate use — the platform's
 * set merged with the repository's `.paved/policies.yaml` by the one merge in src/core/policy, and the catalog's names
 * for the reference rules (the face's own when it holds them: the editor's, per file; else `platformGatePolicies`).
 * Without a platform (none reachable, or an untrusted workspace) Paved's default set stands in, with the repository's
 * additions only when trusted (their conditions are JSON Schemas compiled to code), and the answer says so.
 */
import * as fs from 'node:fs';
import { describeError } from '../../core/errors';
import { defaultPolicySet, loadPolicySet, mergePolicySets, type LintContext, type PolicySet } from '../../core/policy/index';
import type { PlatformBackend } from '../backend';
import { findRepositoryPolicies, platformGatePolicies, REPO_POLICIES } from '../selfService/policies';
import type { AgentToolContext } from './types';

export interface LintPolicies {
  set: PolicySet;
  context: LintContext;
  /** Which set, for the answer: `policy set "paved-default" 3 (+ .paved/policies.yaml)`. */
  description: string;
}

const describeSet = (set: PolicySet) => `policy set "${set.name}"${set.version ? ` ${set.version}` : ''}`;

export async function lintPolicies(ctx: AgentToolContext, manifest: string): Promise<LintPolicies> {
  let backend: PlatformBackend | undefined;
  let why = 'the workspace is not trusted';
  if (ctx.trusted) {
    try {
      backend = await ctx.backend();
    } catch (err) {
      why = `no platform: ${describeError(err)}`;
    }
  }
  if (backend) {
    const g = ctx.policies ? await ctx.policies(backend, manifest) : await platformGatePolicies(backend, manifest, ctx.log, ctx.signal);
    return { ...g, description: `${describeSet(g.set)} of ${backend.displayName}` };
  }
  const base = defaultPolicySet();
  const repo = ctx.trusted ? findRepositoryPolicies(manifest) : undefined;
  if (!repo) return { set: base, context: {}, description: `${describeSet(base)} (${why})` };
  const merged = mergePolicySets(base, loadPolicySet(fs.readFileSync(repo, 'utf8'), REPO_POLICIES));
  for (const n of merged.notes) ctx.log?.(n);
  return { set: merged, context: {}, description: `${describeSet(base)} + ${REPO_POLICIES} (${why})` };
}
