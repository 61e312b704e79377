/**
 * The policy set the lint tool checks with, as `paved lint` on this branch does: Paved's policy set merged, by the one
 * merge in src/core/policy (mandatory rules cannot be switched off or weakened), with the repository's
 * `.paved/policies.yaml` — the nearest one at or above the manifest, not above its workspace folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeError, PavedError } from '../../core/errors';
import { defaultPolicySet, loadPolicySet, mergePolicySets, type PolicySet } from '../../core/policy/index';
import type { AgentToolContext } from './types';

const REPO_POLICIES = path.join('.paved', 'policies.yaml');

function repositoryPolicies(folders: readonly string[], manifest: string): string | undefined {
  const top = folders.map((f) => path.resolve(f)).find((f) => !path.relative(f, manifest).startsWith('..'));
  let dir = path.dirname(manifest);
  for (;;) {
    const candidate = path.join(dir, REPO_POLICIES);
    if (fs.existsSync(candidate)) return candidate;
    if (dir === top || path.dirname(dir) === dir) return undefined;
    dir = path.dirname(dir);
  }
}

export async function lintPolicies(ctx: AgentToolContext, manifest: string): Promise<{ set: PolicySet; description: string }> {
  const base = defaultPolicySet();
  // Untrusted: the repository's rules (JSON Schemas compiled to code) are not used, as in the editor.
  const repo = ctx.trusted ? repositoryPolicies(ctx.workspaceFolders, manifest) : undefined;
  if (!repo) return { set: base, description: `policy set "${base.name}"` };
  let text: string;
  try {
    text = await fs.promises.readFile(repo, 'utf8');
  } catch (err) {
    throw new PavedError('io', `cannot read ${REPO_POLICIES}: ${describeError(err)}`, { cause: err });
  }
  const merged = mergePolicySets(base, loadPolicySet(text, '.paved/policies.yaml'));
  for (const n of merged.notes) ctx.log?.(n);
  return { set: merged, description: `policy set "${base.name}" + ${REPO_POLICIES.split(path.sep).join('/')}` };
}
