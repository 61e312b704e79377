/**
 * The Backstage scaffolder behind `PlatformBackend`: templates (`kind: Template` entities and their parameter
 * schemas), tasks (create, state, cancel), the task log (SSE or long-poll, resumed with `after`) and the dry run.
 * The Backstage backend delegates its template and task methods here.
 */
import type * as api from '../../core/api/types';
import type { ScaffoldFile } from '../../core/api/types';
import type { CallOptions, CreateScaffoldTask, ScaffoldEvent, ScaffoldOutcome, ScaffoldTaskInfo, StreamOptions, TemplateInfo, WriteOptions } from '../backend';
import { PlatformError, unsupportedError } from '../errors';
import { byNamePath, seg, type BackstageCalls } from './calls';
import { EntityRefError, parseEntityRef, stringifyEntityRef } from './entityRef';
import { ownerOf, templateRefOf } from './mapping';
import { applyDefaults, mergeSteps, outcomeOf, stripAnsi, taskStateOf, toScaffoldEvent, toTemplateSteps } from './templateMapping';
import {
  createdTaskValidator,
  dryRunValidator,
  entityValidator,
  parameterSchemaValidator,
  taskEventProblem,
  taskEventsValidator,
  taskValidator,
  type BackstageEntity,
  type DryRunRequestBody,
  type SerializedTaskEvent,
} from './wire';

/** A file the dry run produced. `content` is UTF-8 text; `base64Content` the exact bytes. */
export interface DryRunFile extends ScaffoldFile {
  base64Content: string;
  executable: boolean;
}

export interface DryRunRequest {
  /** The Template entity as written (e.g. the open `template.yaml`, parsed). */
  template: Record<string, unknown>;
  values: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** Files next to the template (its skeleton), relative paths. Strings are UTF-8; Buffers are sent as they are. */
  directoryContents?: { path: string; content: string | Uint8Array; executable?: boolean }[];
}

export interface DryRunResult {
  files: DryRunFile[];
  /** Log lines, ANSI codes removed. */
  log: { message: string; stepId?: string; status?: string }[];
  steps: { id: string; name: string; action: string }[];
  outcome: ScaffoldOutcome;
}

/** How the task log is read. */
export interface ScaffolderOptions {
  /** Event stream mode: `auto` (SSE, long-poll fallback) or `poll`. */
  eventMode: 'auto' | 'poll';
  /** No byte on the event stream for this long → reconnect with `after`. */
  eventIdleTimeoutMs: number;
}

export class BackstageScaffolder {
  private readonly templateSchemas = new Map<string, unknown[]>();
  private readonly eventMode: 'auto' | 'poll';
  private readonly eventIdleTimeoutMs: number;

  constructor(
    private readonly calls: BackstageCalls,
    options: ScaffolderOptions,
  ) {
    this.eventMode = options.eventMode;
    this.eventIdleTimeoutMs = options.eventIdleTimeoutMs;
  }

  /** `kind: Template` entities; `id` is the template ref (`template:default/name`). */
  async listTemplates(page: { limit?: number; cursor?: string } = {}, opts?: CallOptions): Promise<api.Page<api.TemplateSummary>> {
    const fields = ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title', 'metadata.description', 'metadata.tags', 'metadata.annotations', 'spec.owner', 'spec.type', 'relations'];
    const res = await this.calls.queryEntities(['Template'], { limit: page.limit, cursor: page.cursor }, opts, fields);
    return { items: res.items.map(toTemplateSummary), ...(res.nextCursor ? { nextCursor: res.nextCursor } : {}) };
  }

  /**
   * The template entity and its parameter-schema steps (two requests in parallel). Backstage keeps only the current
   * version of a template: asking for another one is `unsupported`.
   */
  async getTemplate(id: string, opts?: CallOptions & { version?: string }): Promise<TemplateInfo> {
    const info = await this.currentTemplate(id, opts);
    if (opts?.version !== undefined && opts.version !== info.version) {
      throw unsupportedError('Backstage', `render ${info.id} at version ${opts.version} (it keeps only the current version${info.version ? `, ${info.version}` : ''})`, UPGRADE_HINT);
    }
    return info;
  }

  async listTemplateVersions(_id: string, _page?: { limit?: number; cursor?: string }, _opts?: CallOptions): Promise<api.Page<api.TemplateVersion>> {
    throw unsupportedError('Backstage', 'list the versions of a template', UPGRADE_HINT);
  }

  async goldenPathAdoption(_opts?: CallOptions): Promise<api.GoldenPathAdoption> {
    throw unsupportedError('Backstage', 'count golden-path adoption across the catalog', UPGRADE_HINT);
  }

  private async currentTemplate(id: string, opts?: CallOptions): Promise<TemplateInfo> {
    const ref = this.templateRef(id);
    const name = parseEntityRef(ref);
    const [entity, schema] = await Promise.all([
      this.calls.get(byNamePath(name), entityValidator, opts),
      this.calls.get(
        `/api/scaffolder/v2/templates/${seg(name.namespace)}/${seg(name.kind)}/${seg(name.name)}/parameter-schema`,
        parameterSchemaValidator,
        opts,
      ),
    ]);
    const steps = toTemplateSteps(schema);
    this.templateSchemas.set(ref, steps.map((s) => s.schema));
    const info: TemplateInfo = { ...toTemplateSummary(entity), parameters: mergeSteps(steps), files: [], steps };
    if (schema.title && !entity.metadata.title) info.title = schema.title;
    return info;
  }

  /**
   * `POST /api/scaffolder/v2/tasks` with `templateRef` and the values, schema defaults filled in. Backstage has no
   * idempotency keys, so this request is never retried automatically (a retry could run the template twice).
   */
  async createScaffoldTask(request: CreateScaffoldTask, opts?: WriteOptions): Promise<ScaffoldTaskInfo> {
    const templateRef = this.templateRef(request.templateId);
    let schemas = this.templateSchemas.get(templateRef);
    if (!schemas) schemas = (await this.getTemplate(templateRef, opts)).steps?.map((s) => s.schema) ?? [];
    const values = applyDefaults(schemas, request.values);
    const res = await this.calls.transport.request({
      method: 'POST',
      path: '/api/scaffolder/v2/tasks',
      body: { templateRef, values },
      schema: createdTaskValidator,
      retry: false,
      signal: this.calls.signal(opts),
    });
    return { id: res.id, templateId: templateRef, state: 'pending', createdAt: new Date().toISOString() };
  }

  /** The task's state; for a finished task also its output (links, text) or error, read from its events. */
  async getScaffoldTask(id: string, opts?: CallOptions): Promise<ScaffoldTaskInfo> {
    const task = await this.calls.get(`/api/scaffolder/v2/tasks/${seg(id)}`, taskValidator, opts);
    const info: ScaffoldTaskInfo = {
      id: task.id,
      templateId: task.spec.templateInfo?.entityRef ?? '',
      state: taskStateOf(task.status),
      createdAt: task.createdAt,
    };
    if (['completed', 'failed', 'cancelled', 'skipped'].includes(task.status)) {
      const events = await this.calls.get(`/api/scaffolder/v2/tasks/${seg(id)}/events`, taskEventsValidator, opts);
      const cancelled = events.some((e) => e.type === 'cancelled');
      const completion = events.find((e) => e.type === 'completion');
      info.state = taskStateOf(task.status, cancelled);
      if (completion) {
        info.finishedAt = completion.createdAt;
        const ev = toScaffoldEvent(completion);
        if (ev.type === 'completed') info.result = ev.outcome ?? outcomeOf(undefined);
        else info.error = ev.message;
      }
    }
    return info;
  }

  /**
   * The task log: SSE from `eventstream` (resumed with `after` = the last event id when the connection drops), or the
   * `events` long-poll when the server offers no stream. Ends after the `completion` event (type `completed` with
   * `outcome`, or `failed`). A cancellation shows as a `cancelled` event before the final `failed`.
   */
  scaffoldTaskEvents(id: string, opts: StreamOptions = {}): AsyncIterable<ScaffoldEvent> {
    const signal = this.calls.signal(opts);
    if (opts.after === undefined) return this.liveTaskEvents(id, opts.after, signal);
    return this.resumedTaskEvents(id, opts.after, signal);
  }

  /**
   * A re-attach (`after` given): Backstage always re-sends a task's `completion`, even when its id is not after
   * `after`. If the task already finished, its remaining events come from one `events` call, the completion included
   * (so the caller sees the end even when it had seen everything but the end); otherwise the live stream takes over.
   */
  private async *resumedTaskEvents(id: string, after: number, signal: AbortSignal): AsyncGenerator<ScaffoldEvent, void, undefined> {
    const base = `/api/scaffolder/v2/tasks/${seg(id)}`;
    const task = await this.calls.transport.request({ path: base, schema: taskValidator, signal });
    if (!['completed', 'failed', 'cancelled', 'skipped'].includes(task.status)) {
      yield* this.liveTaskEvents(id, after, signal);
      return;
    }
    const events = await this.calls.transport.request({ path: `${base}/events`, query: { after }, schema: taskEventsValidator, signal });
    for (const e of events) {
      if (e.id <= after && e.type !== 'completion') continue;
      const ev = toScaffoldEvent(e);
      yield ev;
      if (ev.type === 'completed' || ev.type === 'failed') return;
    }
  }

  private liveTaskEvents(id: string, after: number | undefined, signal: AbortSignal): AsyncIterable<ScaffoldEvent> {
    const base = `/api/scaffolder/v2/tasks/${seg(id)}`;
    return this.calls.transport.events<ScaffoldEvent>({
      ssePath: `${base}/eventstream`,
      pollPath: `${base}/events`,
      after,
      signal,
      mode: this.eventMode,
      idleTimeoutMs: this.eventIdleTimeoutMs,
      maxReconnects: 10,
      // The long-poll answers `[]` after 30 s without events.
      pollTimeoutMs: 45_000,
      pollIntervalMs: 250,
      decode: (raw) => {
        const problem = taskEventProblem(raw.data);
        if (problem) {
          throw new PlatformError('invalid-response', 'Backstage sent a task event Paved cannot read.', { method: 'GET', path: `${base}/eventstream`, detail: problem });
        }
        return toScaffoldEvent(raw.data as SerializedTaskEvent);
      },
      idOf: (e) => e.seq,
      isTerminal: (e) => e.type === 'completed' || e.type === 'failed',
    });
  }

  /** `POST …/cancel`. The task then ends as `failed` ("Step … has been cancelled.") after a `cancelled` event. */
  async cancelScaffoldTask(id: string, opts?: CallOptions): Promise<void> {
    await this.calls.transport.request({ method: 'POST', path: `/api/scaffolder/v2/tasks/${seg(id)}/cancel`, expect: 'empty', signal: this.calls.signal(opts) });
  }

  /**
   * `POST /api/scaffolder/v2/dry-run`: runs a template (as written, not from the catalog) with the values and the
   * skeleton files given, and returns the files it would produce, its log and its output. Defaults are filled in
   * from `template.spec.parameters`. Steps that publish are skipped by the scaffolder in a dry run.
   */
  async dryRun(request: DryRunRequest, opts?: CallOptions): Promise<DryRunResult> {
    const spec = (request.template.spec ?? {}) as { parameters?: unknown };
    const schemas = spec.parameters === undefined ? [] : Array.isArray(spec.parameters) ? spec.parameters : [spec.parameters];
    const body: DryRunRequestBody = {
      template: request.template,
      values: applyDefaults(schemas, request.values),
      directoryContents: (request.directoryContents ?? []).map((f) => ({
        path: f.path,
        base64Content: toBase64(f.content),
        ...(f.executable ? { executable: true } : {}),
      })),
    };
    if (request.secrets) body.secrets = request.secrets;
    const res = await this.calls.transport.request({
      method: 'POST',
      path: '/api/scaffolder/v2/dry-run',
      body,
      schema: dryRunValidator,
      idempotencyKey: true, // publishes nothing: safe to retry
      signal: this.calls.signal(opts),
    });
    return {
      files: res.directoryContents.map((f) => {
        const buf = Buffer.from(f.base64Content, 'base64');
        return { path: f.path, content: buf.toString('utf8'), base64Content: f.base64Content, executable: f.executable === true, mode: f.executable ? 0o755 : 0o644 };
      }),
      log: res.log.map((l) => {
        const line: { message: string; stepId?: string; status?: string } = { message: stripAnsi(String(l.body?.message ?? '')) };
        if (typeof l.body?.stepId === 'string') line.stepId = l.body.stepId;
        if (typeof l.body?.status === 'string') line.status = l.body.status;
        return line;
      }),
      steps: (res.steps ?? []).map((s) => ({ id: s.id, name: s.name, action: s.action })),
      outcome: outcomeOf(res.output),
    };
  }

  private templateRef(id: string): string {
    try {
      return templateRefOf(id);
    } catch (err) {
      if (err instanceof EntityRefError) throw new PlatformError('invalid-input', err.message, { action: 'none' });
      throw err;
    }
  }
}

function toBase64(content: string | Uint8Array): string {
  return typeof content === 'string' ? Buffer.from(content, 'utf8').toString('base64') : Buffer.from(content).toString('base64');
}

/** What to say when a golden-path upgrade is asked of Backstage. */
const UPGRADE_HINT = 'Upgrading a service to a newer golden path needs a Paved platform, which keeps every published version of a template and renders the old and new versions for the three-way merge.';

function toTemplateSummary(entity: BackstageEntity): api.TemplateSummary {
  return {
    id: stringifyEntityRef({ kind: 'template', namespace: entity.metadata.namespace, name: entity.metadata.name }),
    title: entity.metadata.title || entity.metadata.name,
    description: entity.metadata.description ?? '',
    owner: ownerOf(entity),
    version: entity.metadata.annotations?.['backstage.io/template-version'] ?? entity.metadata.annotations?.['paved.dev/template-version'] ?? '',
    tags: Array.isArray(entity.metadata.tags) ? entity.metadata.tags : [],
  };
}
