/**
 * Resource flows, written once for every face: *Add Resource* (pick a type and class from the platform, name the claim,
 * then the edits that add it to paved.yaml with an env binding of its main output), *Release* (what will be lost, said
 * before anything is deleted) and *Copy Connection String* (a claim's main output, secret or not, for the clipboard).
 */
import type { ClaimStatus, ResourceType } from '../../core/api/types';
import { PavedError } from '../../core/errors';
import { addClaimEdits, parseYaml, type TextEdit, type YNode } from '../../core/manifest';
import { classFor, CLAIM_NAME } from '../../core/resources';
import type { PlatformBackend } from '../backend';
import { PlatformError, unsupportedError } from '../errors';
import type { FlowContext } from './context';

/** The questions *Add Resource* asks. */
export interface ResourcePrompts {
  pickType(types: ResourceType[]): Promise<ResourceType>;
  /** Asked only when the type has more than one class; `preset` is the default. */
  pickClass(type: ResourceType, preset: string): Promise<string>;
  /** The claim's name; `validate` says what is wrong with a candidate (undefined: fine). */
  claimName(suggested: string, validate: (name: string) => string | undefined): Promise<string>;
}

export interface AddedResource {
  claim: string;
  type: string;
  class: string;
  /** The variable the main output was bound to, and the output. */
  envVar?: string;
  output?: string;
  edits: TextEdit[];
}

function assertResources(backend: PlatformBackend): void {
  if (!backend.capabilities.resources) {
    throw unsupportedError(backend.displayName, 'provision resources', 'It shows Resource entities; claims in paved.yaml are provisioned by a Paved platform (the local platform or a Paved Platform API).');
  }
}

/** Names already used in `spec.claims` and `spec.env` of the manifest text. */
function taken(text: string): { claims: Set<string>; env: Set<string> } {
  const root = parseYaml(text).docs[0]?.contents;
  const keys = (path: string[]): Set<string> => {
    let node: YNode | null | undefined = root;
    for (const seg of path) {
      if (!node || node.type !== 'map') return new Set();
      node = node.pairs.find((p) => p.key.value === seg)?.value;
    }
    return new Set(node && node.type === 'map' ? node.pairs.map((p) => String(p.key.value)) : []);
  };
  return { claims: keys(['spec', 'claims']), env: keys(['spec', 'env']) };
}

/** A first name for a claim of `type`: `db` for databases, `files` for volumes, else the type; numbered when taken. */
export function suggestClaimName(type: ResourceType, used: ReadonlySet<string>): string {
  const base = type.type === 'postgres' || type.type === 'mysql' ? 'db' : type.type === 'volume' ? 'files' : type.type.replace(/[^a-z0-9_-]/g, '-');
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

/** The variable the main output is bound to: the type's `mainEnv`, suffixed with the claim name when taken. */
function envVarFor(type: ResourceType, claim: string, used: ReadonlySet<string>): string | undefined {
  if (!type.mainOutput) return undefined;
  const base = type.mainEnv ?? `${claim.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${type.mainOutput.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  if (!used.has(base)) return base;
  const named = `${claim.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${base}`;
  return used.has(named) ? undefined : named;
}

/** *Add Resource*: asks for a type, a class and a name, and returns the edits to `text` (a paved.yaml). */
export async function addResource(ctx: FlowContext, prompts: ResourcePrompts, text: string): Promise<AddedResource> {
  assertResources(ctx.backend);
  const types = await ctx.backend.listResourceTypes({ signal: ctx.signal });
  if (types.length === 0) throw new PavedError('not-found', `${ctx.backend.displayName} offers no resource types`);
  const type = await prompts.pickType(types);
  const preset = classFor(type, undefined) ?? '';
  const cls = type.classes.length > 1 ? await prompts.pickClass(type, preset) : preset;
  const used = taken(text);
  const claim = await prompts.claimName(suggestClaimName(type, used.claims), (name) =>
    !CLAIM_NAME.test(name) ? 'lowercase letters, digits, _ and -, starting with a letter' : used.claims.has(name) ? `spec.claims already has "${name}"` : undefined,
  );
  const envVar = envVarFor(type, claim, used.env);
  const output = envVar ? type.mainOutput : undefined;
  const edits = addClaimEdits(text, { name: claim, type: type.type, class: cls, ...(envVar && output ? { envVar, output } : {}) });
  ctx.log?.(`add resource: claim ${claim} (${type.type}, ${cls})${envVar ? `, ${envVar}: \${claims.${claim}.${output}}` : ''}`);
  return { claim, type: type.type, class: cls, ...(envVar ? { envVar } : {}), ...(output ? { output } : {}), edits };
}

/** What releasing a claim deletes, in words, for the confirmation the face asks before it does. */
export function releaseWarning(c: Pick<ClaimStatus, 'service' | 'claim' | 'environment' | 'type' | 'resourceId' | 'outputs' | 'secretOutputs'>): string {
  const where = Object.entries(c.outputs)
    .filter(([k]) => !c.secretOutputs.includes(k))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const what = c.type === 'postgres' ? 'the database and every table and row in it' : c.type === 'volume' ? 'the directory and every file in it' : 'the resource and its data';
  return `Release claim ${c.claim} of ${c.service} in ${c.environment}? This deletes ${c.type} resource ${c.resourceId}${where ? ` (${where})` : ''}: ${what}. It cannot be undone.`;
}

/** The claim's status in an environment, from the platform (not-found when it has none there). */
export async function claimIn(ctx: FlowContext, service: string, claim: string, environment: string): Promise<ClaimStatus> {
  assertResources(ctx.backend);
  const page = await ctx.backend.listClaims({ service, environment }, { signal: ctx.signal });
  const found = page.items.find((c) => c.claim === claim);
  if (!found) throw new PavedError('not-found', `${service} has no provisioned claim '${claim}' in ${environment}`);
  return found;
}

/** What a release did: deleted now, declined by the user, or nothing to do (released before). */
export type ReleaseOutcome = 'released' | 'declined' | 'released-before';

/**
 * Releases a claim after `confirm` (shown the warning) says yes. The platform refuses a claim still in use. A claim the
 * platform no longer lists is asked to be released anyway, without a question (nothing is left to delete): the platform
 * answers that it was released before, or that it never had it (not-found) — so a script can run a release twice.
 */
export async function releaseClaim(ctx: FlowContext, input: { service: string; claim: string; environment: string }, confirm: (warning: string, status: ClaimStatus) => Promise<boolean>): Promise<ReleaseOutcome> {
  let status: ClaimStatus;
  try {
    status = await claimIn(ctx, input.service, input.claim, input.environment);
  } catch (err) {
    if (!PavedError.is(err, 'not-found')) throw err;
    try {
      await ctx.backend.releaseClaim(input.service, input.claim, input.environment, { signal: ctx.signal });
    } catch (again) {
      if (again instanceof PlatformError && again.code === 'not-found') throw err;
      throw again;
    }
    return 'released-before';
  }
  if (status.state !== 'orphaned') {
    throw new PavedError('conflict', `claim ${input.claim} of ${input.service} is ${status.state} in ${input.environment}, not orphaned: remove it from paved.yaml and deploy first, then release it`);
  }
  if (!(await confirm(releaseWarning(status), status))) return 'declined';
  await ctx.backend.releaseClaim(input.service, input.claim, input.environment, { signal: ctx.signal });
  ctx.log?.(`released claim ${input.claim} of ${input.service} in ${input.environment}`);
  return 'released';
}

/** The claim's connection string (its type's main output, e.g. a postgres `url`): for the clipboard only. */
export async function connectionString(ctx: FlowContext, input: { service: string; claim: string; environment: string }): Promise<{ value: string; output: string; secret: boolean }> {
  const status = await claimIn(ctx, input.service, input.claim, input.environment);
  const types = await ctx.backend.listResourceTypes({ signal: ctx.signal });
  const type = types.find((t) => t.type === status.type);
  const output = type?.mainOutput ?? status.secretOutputs[0] ?? Object.keys(status.outputs)[0];
  if (!output) throw new PavedError('not-found', `claim ${input.claim} has no output to copy`);
  const r = await ctx.backend.revealClaimOutput(input.service, input.claim, input.environment, output, { signal: ctx.signal });
  ctx.log?.(`copied output ${output} of claim ${input.claim} (${input.service}, ${input.environment})`);
  return { value: r.value, output, secret: r.secret };
}
