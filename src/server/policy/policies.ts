/**
 * The platform's policy set: `<state-dir>/policies.yaml` when it exists, else the manifest engine's default set
 * (src/core/policy). Served by `GET /v1/policies`; the deploy gate and the scorecards merge it with a repository's
 * additions (gate.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PolicySet } from '../../core/api/types';
import { PavedError } from '../../core/errors';
import { defaultPolicySet, loadPolicySet, toWire } from '../../core/policy';
import type { PolicySet as EnginePolicySet } from '../../core/policy';

let platformFile: { file: string; mtimeMs: number; size: number; set: EnginePolicySet } | undefined;

/**
 * The platform's own policy set: `file` (`<state-dir>/policies.yaml`) when it exists, else the engine's default set.
 * Re-read when the file changes; an invalid file is a server error naming the problem (never silently the default).
 */
export function platformPolicies(file: string | undefined): EnginePolicySet {
  if (!file) return defaultPolicySet();
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return defaultPolicySet();
    throw new PavedError('server-error', `cannot read the platform policy set ${file}: ${(err as Error).message}`);
  }
  if (platformFile?.file === file && platformFile.mtimeMs === st.mtimeMs && platformFile.size === st.size) return platformFile.set;
  let set: EnginePolicySet;
  try {
    set = loadPolicySet(fs.readFileSync(file, 'utf8'), file);
  } catch (err) {
    throw new PavedError('server-error', `the platform policy set is invalid: ${(err as Error).message}`);
  }
  platformFile = { file, mtimeMs: st.mtimeMs, size: st.size, set };
  return set;
}

/** The platform's policy set as served by `GET /v1/policies`: `file` if it exists, else the manifest engine's default set. */
export function policySet(file?: string): PolicySet {
  return toWire(platformPolicies(file));
}

/** Where a state dir keeps the platform's policy set (served by `GET /v1/policies`, used for scorecards). */
export function policiesFileIn(stateDir: string): string {
  return path.join(stateDir, 'policies.yaml');
}
