/**
 * The platform's policy set: `<state-dir>/policies.yaml` when it exists, else the manifest engine's default set
 * (src/core/policy). Served by `GET /v1/policies` and used for the scorecards in service details.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PolicySet, Scorecard } from '../../core/api/types';
import { PavedError } from '../../core/errors';
import { defaultPolicySet, loadPolicySet, scorecard, toWire } from '../../core/policy';
import type { PolicySet as EnginePolicySet } from '../../core/policy';

let platformFile: { file: string; mtimeMs: number; size: number; set: EnginePolicySet } | undefined;

/**
 * The platform's own policy set: `file` (`<state-dir>/policies.yaml`) when it exists, else the engine's default set.
 * Re-read when the file changes; an invalid file is a server error naming the problem (never silently the default).
 */
function platformPolicies(file: string | undefined): EnginePolicySet {
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

/**
 * Evaluates the platform's policy set (`file`, as `GET /v1/policies` serves it; the default set without one) on a
 * paved.yaml manifest object: the scorecard a service's details carry. While the file is invalid, scorecards use the
 * default set — `GET /v1/policies` is what reports the broken file (and the editor says so in its status).
 */
export function scorecardFor(manifest: Record<string, unknown>, context: { environment?: string; deprecatedServices?: ReadonlySet<string> } = {}, file?: string): Scorecard {
  let set: EnginePolicySet;
  try {
    set = platformPolicies(file);
  } catch {
    set = defaultPolicySet();
  }
  return scorecard(manifest, set, context);
}
