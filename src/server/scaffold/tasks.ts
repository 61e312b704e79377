/**
 * Scaffold tasks: a template rendered with checked values into files the client writes (the platform writes nothing
 * into workspaces). Each task and its event log are kept in `<state-dir>/tasks`; a task an earlier instance left
 * running is marked failed at load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CreateScaffoldTaskRequest, ScaffoldTask, TaskEvent } from '../../core/api/types';
import { describeError, PavedError } from '../../core/errors';
import { renderFiles } from '../../core/templates';
import { EventLog } from '../events';
import { newId } from '../ids';
import { loadJson, writeJsonAtomic } from '../store';
import type { TemplateLibrary } from './library';
import type { LoadedTemplate } from './templates';

export class ScaffoldTasks {
  private readonly tasks = new Map<string, ScaffoldTask>();
  private readonly logs = new Map<string, EventLog<TaskEvent>>();

  constructor(
    /** `<state-dir>/tasks` */
    private readonly dir: string,
    private readonly library: TemplateLibrary,
    private readonly now: () => Date,
  ) {}

  load(): void {
    if (!fs.existsSync(this.dir)) return;
    for (const f of fs.readdirSync(this.dir).filter((x) => x.endsWith('.json') && !x.startsWith('.'))) {
      const t = loadJson<ScaffoldTask>(path.join(this.dir, f), 'went on without that scaffold task', (v) => typeof (v as ScaffoldTask | null)?.id === 'string');
      if (!t) continue;
      const events = new EventLog<TaskEvent>(path.join(this.dir, `${t.id}.events.jsonl`));
      if (t.state === 'pending' || t.state === 'running') {
        t.state = 'failed';
        t.error = 'the platform stopped while this task was running';
        t.finishedAt = this.now().toISOString();
        writeJsonAtomic(path.join(this.dir, f), t);
        events.push({ type: 'failed', message: t.error });
      }
      events.finish();
      this.tasks.set(t.id, t);
      this.logs.set(t.id, events);
    }
  }

  /** True while a task is pending or running. */
  busy(): boolean {
    return [...this.tasks.values()].some((t) => t.state === 'running' || t.state === 'pending');
  }

  /** Checks the request (template, version, values) and queues the task; it runs on the next turn of the event loop. */
  create(req: CreateScaffoldTaskRequest): ScaffoldTask {
    const t = this.library.resolve(req.templateId, req.version);
    const values = this.library.values(t, req.values);
    const now = this.now();
    const task: ScaffoldTask = { id: newId('t', now), templateId: t.id, templateVersion: t.version, values, state: 'pending', createdAt: now.toISOString() };
    const events = new EventLog<TaskEvent>(path.join(this.dir, `${task.id}.events.jsonl`));
    this.tasks.set(task.id, task);
    this.logs.set(task.id, events);
    writeJsonAtomic(this.file(task.id), task);
    setImmediate(() => this.run(task, t, events));
    return task;
  }

  /** Every task, in no particular order. */
  all(): Iterable<ScaffoldTask> {
    return this.tasks.values();
  }

  get(id: string): ScaffoldTask {
    const t = this.tasks.get(id);
    if (!t) throw new PavedError('not-found', `no scaffold task '${id}'`);
    return t;
  }

  events(id: string): EventLog<TaskEvent> {
    const e = this.logs.get(id);
    if (!e) throw new PavedError('not-found', `no scaffold task '${id}'`);
    return e;
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  private run(task: ScaffoldTask, t: LoadedTemplate, events: EventLog<TaskEvent>): void {
    try {
      task.state = 'running';
      events.push({ type: 'step', message: `rendering ${t.files.length} files of ${t.id} ${t.version}` });
      const files = renderFiles(t.files, task.values);
      // One event per 50 files: each event is a synced journal write, and an upgrade renders whole services twice.
      for (let i = 0; i < files.length; i += 50) {
        events.push({ type: 'log', message: files.slice(i, i + 50).map((f) => `${f.path} (${f.content.length} bytes, mode ${f.mode.toString(8)})`).join('\n') });
      }
      const nextSteps = t.nextSteps.map((s) => renderFiles([{ path: 'x', content: s, mode: 0o644 }], task.values)[0].content);
      task.result = { files, nextSteps };
      task.state = 'succeeded';
      task.finishedAt = this.now().toISOString();
      writeJsonAtomic(this.file(task.id), task);
      events.push({ type: 'completed', message: `${files.length} files ready` });
    } catch (err) {
      task.state = 'failed';
      task.error = describeError(err);
      task.finishedAt = this.now().toISOString();
      writeJsonAtomic(this.file(task.id), task);
      events.push({ type: 'failed', message: task.error });
    }
    events.finish();
  }
}
