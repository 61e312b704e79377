/**
 * New service from a golden path: the platform's scaffold task (its log streamed), then — on a platform whose task
 * returns the files (`capabilities.scaffoldWritesFiles`) — the files written all or nothing into the target folder
 * (every path checked to stay inside it, src/core/fs/safeWrite.ts; files that exist are replaced or kept only as the
 * face decides) with the answers file a later upgrade needs (`.paved/golden-path.yaml`, no secrets), and the service
 * registered in the catalog so it can be deployed next. A platform that publishes
 * the service itself (Backstage) returns links instead. Collecting the values is the face's (a wizard, `--set`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { TemplateSummary } from '../../core/api/types';
import { PavedError } from '../../core/errors';
import { planWrite, safeWrite, type ConflictPolicy, type WriteResult } from '../../core/fs/safeWrite';
import { ANSWERS_FILE, answersFileText } from '../../core/templates';
import type { PlatformBackend, ScaffoldEvent, ScaffoldOutcome, ScaffoldTaskInfo, TemplateInfo } from '../backend';
import { newIdempotencyKey } from '../transport';
import type { FlowContext } from './context';

export interface ScaffoldPrompts {
  /**
   * Files of the golden path already exist in `folder` (relative paths): `overwrite` them, `skip` them (write the
   * others), or `refuse` (write nothing). Throwing stops the flow too; nothing has been written yet.
   */
  resolveConflicts(conflicts: string[], folder: string): Promise<ConflictPolicy>;
}

export interface ScaffoldContext extends FlowContext {
  prompts: ScaffoldPrompts;
  /** The task the platform created (its id, for the log). */
  onTask?(task: ScaffoldTaskInfo): void;
  /** Every event of the scaffold task, in order (its log). */
  onTaskEvent?(event: ScaffoldEvent): void;
}

export interface ScaffoldInput {
  /** The golden path at the version to render; its parameter schema says which values are secret (never recorded). */
  template: Pick<TemplateInfo, 'id' | 'version' | 'title' | 'parameters'>;
  /** Checked against the template's parameter schema by the face (src/core/wizard). */
  values: Record<string, unknown>;
  /** Where the files go (a platform that writes none ignores it). */
  folder?: string;
  /** Register the new service in the catalog (default true, when the platform registers services). */
  register?: boolean;
}

export interface Registered {
  /** The service name (the manifest's metadata.name). */
  name: string;
  /** It was in the catalog already: the platform's message. */
  already?: string;
}

export type ScaffoldResult =
  /** The platform published the service itself (Backstage): its links and text. */
  | { status: 'published'; outcome: ScaffoldOutcome }
  /** Files exist and the face chose not to touch them: nothing was written. */
  | { status: 'conflicts'; outcome: ScaffoldOutcome; folder: string; conflicts: string[] }
  | { status: 'written'; outcome: ScaffoldOutcome; folder: string; write: WriteResult; registered?: Registered };

export async function scaffoldService(ctx: ScaffoldContext, input: ScaffoldInput): Promise<ScaffoldResult> {
  const { backend } = ctx;
  const outcome = await runScaffoldTask(ctx, input);
  if (!backend.capabilities.scaffoldWritesFiles) return { status: 'published', outcome };
  const folder = input.folder;
  if (!folder) throw new PavedError('invalid-input', 'no target folder was chosen');
  const files = outcome.files.filter((f) => f.path !== ANSWERS_FILE).map((f) => ({ path: f.path, content: f.content, mode: f.mode }));
  // The answers file: what a later upgrade renders this version with again (secret values left out).
  files.push({ path: ANSWERS_FILE, content: answersFileText({ template: input.template.id, version: input.template.version, values: input.values }, input.template.parameters), mode: 0o644 });
  const plan = await planWrite(folder, files);
  const policy = plan.conflicts.length > 0 ? await ctx.prompts.resolveConflicts(plan.conflicts, folder) : 'refuse';
  if (plan.conflicts.length > 0 && policy === 'refuse') return { status: 'conflicts', outcome, folder, conflicts: plan.conflicts };
  const write = await safeWrite(folder, files, { onConflict: policy });
  ctx.log?.(`wrote ${write.written.length} file(s) into ${folder}${write.skipped.length ? `, kept ${write.skipped.length} existing` : ''}`);
  const registered = input.register === false ? undefined : await registerScaffolded(ctx, folder, outcome, typeof input.values.name === 'string' ? input.values.name : input.template.id);
  return { status: 'written', outcome, folder, write, ...(registered ? { registered } : {}) };
}

/** Creates the scaffold task and follows its events; resolves to its outcome, fails with the task's reason. */
export async function runScaffoldTask(ctx: Omit<ScaffoldContext, 'prompts'>, input: { template: Pick<TemplateInfo, 'id' | 'version' | 'title'>; values: Record<string, unknown> }): Promise<ScaffoldOutcome> {
  const { backend, signal } = ctx;
  const { template, values } = input;
  const task = await backend.createScaffoldTask({ templateId: template.id, version: template.version, values }, { signal, idempotencyKey: newIdempotencyKey() });
  ctx.onTask?.(task);
  let outcome = task.result;
  let failure = task.state === 'failed' ? (task.error ?? 'the scaffold task failed') : undefined;
  if (!outcome && !failure) {
    for await (const ev of backend.scaffoldTaskEvents(task.id, { signal })) {
      ctx.onTaskEvent?.(ev);
      if (ev.outcome) outcome = ev.outcome;
      if (ev.type === 'failed' || ev.type === 'cancelled') failure = ev.message;
    }
    if (!outcome && !failure) {
      const done = await backend.getScaffoldTask(task.id, { signal });
      outcome = done.result;
      if (done.state !== 'succeeded') failure = done.error ?? `the scaffold task ended ${done.state}`;
    }
  }
  if (failure) throw new PavedError('server-error', `Scaffolding ${template.title} failed: ${failure}`);
  if (!outcome) throw new PavedError('invalid-response', 'the scaffold task finished without a result');
  return outcome;
}

/**
 * Registers the new service from the paved.yaml now in `folder` (what will be deployed, also when an existing file was
 * kept); a service already in the catalog is fine. Undefined when the platform registers nothing or there is no manifest.
 */
export async function registerScaffolded(ctx: FlowContext, folder: string, outcome: ScaffoldOutcome, fallbackName: string): Promise<Registered | undefined> {
  const { backend } = ctx;
  if (!backend.capabilities.register || !outcome.files.some((f) => f.path === 'paved.yaml')) return undefined;
  const file = path.join(folder, 'paved.yaml');
  let manifest: unknown;
  try {
    manifest = parse(await fs.promises.readFile(file, 'utf8'));
  } catch (err) {
    ctx.log?.(`not registering ${fallbackName}: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  if (!isRecord(manifest)) {
    ctx.log?.(`not registering ${fallbackName}: ${file} is not a manifest`);
    return undefined;
  }
  const name = isRecord(manifest.metadata) && typeof manifest.metadata.name === 'string' ? manifest.metadata.name : fallbackName;
  try {
    await backend.register({ manifest, sourceDir: folder }, { signal: ctx.signal, idempotencyKey: newIdempotencyKey() });
    ctx.log?.(`registered ${name} in the catalog`);
    return { name };
  } catch (err) {
    if (!PavedError.is(err, 'conflict')) throw err;
    ctx.log?.(`${name} is already in the catalog (${err.message})`);
    return { name, already: err.message };
  }
}

/** The platform's golden paths, every page (at most `max`). */
export async function allTemplates(backend: PlatformBackend, opts: { max?: number; signal?: AbortSignal } = {}): Promise<TemplateSummary[]> {
  const max = opts.max ?? Number.POSITIVE_INFINITY;
  const out: TemplateSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.listTemplates({ limit: 100, cursor }, { signal: opts.signal });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
