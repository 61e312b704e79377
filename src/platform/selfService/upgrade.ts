/**
 * Golden-path upgrade, written once below every face (the editor, `paved upgrade`): check where a service stands,
 * plan a three-way upgrade (base = the recorded version rendered with the recorded values, theirs = the target version
 * rendered with the same values plus answers to what is new or secret, current = the files now; the rules are in
 * src/core/templates/upgrade.ts), and apply the plan all or nothing through the safe writer. The answers file's
 * version moves only in that same write. The platform renders both versions (scaffold tasks with a version), so this
 * needs `capabilities.templateVersions` (Paved); Backstage shows drift but cannot upgrade.
 */
import type { TemplateVersion } from '../../core/api/types';
import { PavedError } from '../../core/errors';
import { safeWrite, type FileToWrite, type WriteResult } from '../../core/fs/safeWrite';
import {
  answersFileText,
  ANSWERS_FILE,
  compareVersions,
  isVersion,
  latestVersion,
  planUpgrade,
  secretKeys,
  type CurrentFile,
  type GoldenPathAnswers,
  type UpgradePlan,
} from '../../core/templates';
import type { PlatformBackend, TemplateInfo } from '../backend';
import { unsupportedError } from '../errors';
import { newIdempotencyKey } from '../transport';
import type { FlowContext } from './context';
import { readCurrentFiles, readGoldenPath, sameContent } from './goldenPathFiles';
import { runScaffoldTask } from './scaffold';

/** `paved upgrade --check --json` prints exactly this. */
export interface UpgradeCheck {
  template: string;
  current: string;
  /** Undefined when the platform does not know the template. */
  latest?: string;
  updateAvailable: boolean;
}

export interface UpgradeCheckResult extends UpgradeCheck {
  folder: string;
  /** The service has an answers file (else it must adopt the golden path before upgrading). */
  hasAnswers: boolean;
  /** The versions after the current one up to the newest, newest first, with their changelogs (when the platform keeps versions). */
  newer: TemplateVersion[];
}

/** Values the recorded answers lack: secrets (never stored) and parameters new in the target version. */
export interface ValuesRequest {
  /** The template at the target version (its parameter schema). */
  template: TemplateInfo;
  /** The keys to ask for, in schema order. */
  keys: string[];
  /** Everything known already (recorded values; the face may let the user change the asked ones only). */
  given: Record<string, unknown>;
  /** Why each key is asked. */
  why: Record<string, 'secret' | 'new'>;
}

export interface UpgradePrompts {
  /** Resolves to values for `keys` (checked by the face against the schema); throwing stops the flow, nothing written. */
  askValues(request: ValuesRequest): Promise<Record<string, unknown>>;
}

export interface UpgradeContext extends FlowContext {
  prompts: UpgradePrompts;
}

export interface PlannedUpgrade {
  folder: string;
  template: string;
  from: string;
  to: string;
  /** The values the target version was rendered with (what the answers file records, without secrets). */
  values: Record<string, unknown>;
  plan: UpgradePlan;
  /** The versions the upgrade brings, newest first, with their changelogs. */
  newer: TemplateVersion[];
  /** The target version's parameter schema (secret keys are left out of the answers file). */
  parameters: Record<string, unknown>;
  /** The files as they were when planned (the write refuses when one changed since). */
  readonly snapshot: ReadonlyMap<string, CurrentFile | undefined>;
}

export interface AppliedUpgrade {
  write: WriteResult;
  /** Files written with conflict markers, for the face to open. */
  conflicted: string[];
}

const NO_ANSWERS = (folder: string) =>
  `${folder} has no ${ANSWERS_FILE}: Paved does not know the values it was created with. Adopt the golden path first (Paved: Adopt Golden Path…, or paved upgrade --adopt TEMPLATE@VERSION).`;

/** The versions of `template` the platform publishes, newest first (every page). */
async function versionsOf(backend: PlatformBackend, template: string, signal?: AbortSignal): Promise<TemplateVersion[]> {
  const out: TemplateVersion[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.listTemplateVersions(template, { limit: 100, cursor }, { signal });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 10_000);
  return out;
}

/** Where the service in `folder` stands against its golden path's newest version. */
export async function checkGoldenPath(ctx: FlowContext, folder: string): Promise<UpgradeCheckResult> {
  const recorded = await readGoldenPath(folder);
  if (!recorded.goldenPath) {
    throw new PavedError('not-found', `${recorded.folder} records no golden path (no ${ANSWERS_FILE} and no metadata.goldenPath in paved.yaml)`);
  }
  const { template, version: current } = recorded.goldenPath;
  const { backend, signal } = ctx;
  let latest: string | undefined;
  let newer: TemplateVersion[] = [];
  try {
    if (backend.capabilities.templateVersions) {
      const all = await versionsOf(backend, template, signal);
      latest = latestVersion(all.map((v) => v.version));
      newer = isVersion(current) ? all.filter((v) => isVersion(v.version) && compareVersions(v.version, current) > 0 && (!latest || compareVersions(v.version, latest) <= 0)) : [];
    } else {
      latest = (await backend.getTemplate(template, { signal })).version || undefined;
    }
  } catch (err) {
    if (!PavedError.is(err, 'not-found')) throw err;
  }
  const updateAvailable = latest !== undefined && isVersion(current) && isVersion(latest) && compareVersions(current, latest) < 0;
  return { folder: recorded.folder, template, current, ...(latest ? { latest } : {}), updateAvailable, hasAnswers: recorded.answers !== undefined, newer };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const propertiesOf = (t: TemplateInfo): Record<string, unknown> => (isObject(t.parameters.properties) ? t.parameters.properties : {});

/** Renders `template` at `version` with `values` on the platform; the files it returns. */
async function render(ctx: FlowContext, template: TemplateInfo, values: Record<string, unknown>) {
  const outcome = await runScaffoldTask(ctx, { template, values });
  return outcome.files;
}

/**
 * Plans the upgrade of the service in `folder` to `to` (default: the newest version). Nothing is written. Fails with
 * `unsupported` on a platform without template versions, `not-found` without an answers file.
 */
export async function planGoldenPathUpgrade(ctx: UpgradeContext, input: { folder: string; to?: string }): Promise<PlannedUpgrade | { upToDate: UpgradeCheckResult }> {
  const { backend, signal } = ctx;
  if (!backend.capabilities.templateVersions) {
    throw unsupportedError(backend.displayName, 'upgrade a service to a newer golden path', 'It needs a Paved platform, which keeps every published version of a golden path and renders the old and the new one for the three-way merge.');
  }
  const recorded = await readGoldenPath(input.folder);
  if (!recorded.answers) throw new PavedError('not-found', NO_ANSWERS(recorded.folder));
  const check = await checkGoldenPath(ctx, input.folder);
  const answers: GoldenPathAnswers = recorded.answers;
  const target = input.to ?? check.latest;
  if (!target) throw new PavedError('not-found', `${backend.displayName} has no golden path '${answers.template}'`);
  if (!isVersion(target)) throw new PavedError('invalid-input', `${target} is not a semantic version`);
  const order = compareVersions(target, answers.version);
  if (order === 0) return { upToDate: check };
  if (order < 0) throw new PavedError('invalid-input', `${answers.template} is at ${answers.version} here; ${target} is older (Paved does not downgrade)`);

  const [baseTemplate, targetTemplate] = await Promise.all([
    backend.getTemplate(answers.template, { signal, version: answers.version }),
    backend.getTemplate(answers.template, { signal, version: target }),
  ]);
  const baseProps = propertiesOf(baseTemplate);
  const targetProps = propertiesOf(targetTemplate);
  const secrets = new Set([...secretKeys(baseTemplate.parameters), ...secretKeys(targetTemplate.parameters)]);
  const why: Record<string, 'secret' | 'new'> = {};
  for (const k of Object.keys({ ...baseProps, ...targetProps })) {
    if (secrets.has(k) && answers.values[k] === undefined) why[k] = 'secret';
    else if (k in targetProps && !(k in baseProps) && answers.values[k] === undefined) why[k] = 'new';
  }
  const keys = Object.keys(why);
  const asked = keys.length > 0 ? await ctx.prompts.askValues({ template: targetTemplate, keys, given: { ...answers.values }, why }) : {};
  const all = { ...answers.values, ...asked };
  const only = (props: Record<string, unknown>) => Object.fromEntries(Object.entries(all).filter(([k, v]) => k in props && v !== undefined));
  ctx.log?.(`rendering ${answers.template} ${answers.version} and ${target} with the recorded values`);
  const [base, theirs] = await Promise.all([render(ctx, baseTemplate, only(baseProps)), render(ctx, targetTemplate, only(targetProps))]);
  const paths = new Set([...base.map((f) => f.path), ...theirs.map((f) => f.path)]);
  const current = await readCurrentFiles(recorded.folder, paths);
  const plan = planUpgrade({ base, theirs, current, labels: { current: 'yours', base: `${answers.template} ${answers.version}`, theirs: `${answers.template} ${target}` } });
  const snapshot = new Map([...paths].map((p) => [p, current.get(p)]));
  const newer = check.newer.filter((v) => compareVersions(v.version, target) <= 0);
  return { folder: recorded.folder, template: answers.template, from: answers.version, to: target, values: only(targetProps), plan, newer, parameters: targetTemplate.parameters, snapshot };
}

/**
 * Writes the plan all or nothing: the updated, added and conflicted files, the removals, and the answers file at the
 * new version. Refuses (writing nothing) when a file it touches changed since it was planned.
 */
export async function applyGoldenPathUpgrade(ctx: FlowContext, planned: PlannedUpgrade): Promise<AppliedUpgrade> {
  const { plan } = planned;
  const touched = plan.files.filter((f) => f.action === 'updated' || f.action === 'added' || f.action === 'conflicted' || f.action === 'removed');
  const now = await readCurrentFiles(planned.folder, touched.map((f) => f.path));
  const changed = touched.filter((f) => !sameContent(now.get(f.path), planned.snapshot.get(f.path))).map((f) => f.path);
  if (changed.length > 0) throw new PavedError('conflict', `changed since the upgrade was planned, nothing was written: ${changed.join(', ')}. Plan the upgrade again.`);
  const files: FileToWrite[] = touched.filter((f) => f.action !== 'removed').map((f) => ({ path: f.path, content: f.content ?? '', mode: f.mode }));
  files.push({ path: ANSWERS_FILE, content: answersFileText({ template: planned.template, version: planned.to, values: planned.values }, planned.parameters), mode: 0o644 });
  const remove = touched.filter((f) => f.action === 'removed').map((f) => f.path);
  const write = await safeWrite(planned.folder, files, { onConflict: 'overwrite', remove });
  ctx.log?.(`upgraded ${planned.template} ${planned.from} → ${planned.to} in ${planned.folder}: ${write.written.length} written, ${write.removed.length} removed`);
  await refreshRegistration(ctx, planned.folder);
  return { write, conflicted: plan.files.filter((f) => f.action === 'conflicted').map((f) => f.path) };
}

/**
 * A service registered from this folder is registered again, so the catalog shows its new golden-path version (a
 * workspace service is re-read by the platform itself). Never fails the upgrade, which is written already.
 */
async function refreshRegistration(ctx: FlowContext, folder: string): Promise<void> {
  const { backend, signal } = ctx;
  if (!backend.capabilities.register) return;
  try {
    const recorded = await readGoldenPath(folder);
    const md = isObject(recorded.manifest?.metadata) ? recorded.manifest.metadata : {};
    if (!recorded.manifest || typeof md.name !== 'string') return;
    const service = await backend.getService(md.name, { signal });
    if (service.source !== 'registered' || service.sourceDir !== folder) return;
    await backend.register({ manifest: recorded.manifest, sourceDir: folder }, { signal, idempotencyKey: newIdempotencyKey() });
    ctx.log?.(`registered ${md.name} again with its upgraded manifest`);
  } catch (err) {
    ctx.log?.(`the catalog entry of ${folder} was not refreshed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Adopts a golden path for a service that has no answers file (scaffolded before Paved kept one, or by hand): writes
 * `.paved/golden-path.yaml` with the template, version and values, and nothing else.
 */
export async function adoptGoldenPath(ctx: FlowContext, input: { folder: string; template: TemplateInfo; values: Record<string, unknown> }): Promise<{ file: string }> {
  const recorded = await readGoldenPath(input.folder);
  if (recorded.answers) throw new PavedError('conflict', `${recorded.folder} already records ${recorded.answers.template} ${recorded.answers.version} in ${ANSWERS_FILE}`);
  const text = answersFileText({ template: input.template.id, version: input.template.version, values: input.values }, input.template.parameters);
  await safeWrite(recorded.folder, [{ path: ANSWERS_FILE, content: text, mode: 0o644 }]);
  ctx.log?.(`${recorded.folder} adopted ${input.template.id} ${input.template.version}`);
  return { file: `${recorded.folder}/${ANSWERS_FILE}` };
}

/** Values for adoption that paved.yaml already tells (name, owner, system, description), where the template has them. */
export function adoptionDefaults(manifest: Record<string, unknown> | undefined, template: TemplateInfo): Record<string, unknown> {
  const md = isObject(manifest?.metadata) ? manifest.metadata : {};
  const props = propertiesOf(template);
  const out: Record<string, unknown> = {};
  for (const k of ['name', 'owner', 'system', 'description']) if (k in props && typeof md[k] === 'string') out[k] = md[k];
  return out;
}
