/**
 * The folders the catalog is read from: those given at start (`paved serve --workspace`, attachment id `serve`) and
 * each client's own (`PUT /v1/workspaces/{id}`: an editor window's folders, kept while its process lives).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProblemFieldError } from '../../core/api/types';
import { PavedError } from '../../core/errors';
import { InvalidRequest } from '../errors';

/** `AttachWorkspaceRequest` in the contract. */
export interface AttachWorkspaceRequest {
  folders: string[];
  pid?: number;
  label?: string;
}

/** `Workspace` in the contract: one client's folders (or, id `serve`, those given at start). */
export interface Workspace {
  id: string;
  folders: string[];
  pid?: number;
  label?: string;
  attachedAt: string;
}

export interface WorkspaceDeps {
  now: () => Date;
  log: (line: string) => void;
  /** Whether a client's process still runs on this host. */
  isAlive: (pid: number) => boolean;
  /** When the platform started: the `serve` attachment's time. */
  startedAt: string;
}

export class WorkspaceAttachments {
  /** By attachment id. */
  private readonly attached = new Map<string, Workspace>();

  constructor(
    private readonly atStart: readonly string[],
    private readonly deps: WorkspaceDeps,
  ) {}

  /** The start-up folders, then every attached client's, each once. */
  folders(): string[] {
    const all = [...this.atStart];
    for (const w of this.attached.values()) all.push(...w.folders);
    return [...new Set(all)];
  }

  /** The attachments, the start-up folders first (id `serve`). Call `dropDead` first for a current answer. */
  list(): Workspace[] {
    const out: Workspace[] = [];
    if (this.atStart.length > 0) out.push({ id: 'serve', folders: [...this.atStart], label: 'paved serve --workspace', attachedAt: this.deps.startedAt });
    out.push(...[...this.attached.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
    return out;
  }

  /**
   * Adds (or replaces) client `id`'s folders; `changed` is false when the request repeats the current attachment.
   * Relative or missing folders, a pid that does not run and the reserved id `serve` are refused, each named.
   */
  attach(id: string, req: AttachWorkspaceRequest): { workspace: Workspace; changed: boolean } {
    if (id === 'serve') throw new InvalidRequest("'serve' names the folders given at start; choose another id", [{ pointer: '/path/id', message: 'is reserved' }]);
    const errors: ProblemFieldError[] = [];
    const folders: string[] = [];
    req.folders.forEach((f, i) => {
      if (!path.isAbsolute(f)) errors.push({ pointer: `/body/folders/${i}`, message: 'must be an absolute path' });
      else if (!fs.existsSync(f) || !fs.statSync(f).isDirectory()) errors.push({ pointer: `/body/folders/${i}`, message: 'is not a directory on the platform host' });
      else folders.push(path.resolve(f));
    });
    if (req.pid !== undefined && !this.deps.isAlive(req.pid)) errors.push({ pointer: '/body/pid', message: 'is not a running process on the platform host' });
    if (errors.length) throw new InvalidRequest(errors.map((e) => `${e.pointer} ${e.message}`).join('; '), errors);
    const previous = this.attached.get(id);
    const w: Workspace = { id, folders: [...new Set(folders)], attachedAt: this.deps.now().toISOString() };
    if (req.pid !== undefined) w.pid = req.pid;
    if (req.label !== undefined) w.label = req.label;
    const same = previous && previous.pid === w.pid && previous.label === w.label && previous.folders.join('\0') === w.folders.join('\0');
    if (same) return { workspace: previous, changed: false };
    this.attached.set(id, w);
    this.deps.log(`workspace ${id}${w.label ? ` (${w.label})` : ''} attached: ${w.folders.join(', ') || 'no folders'}`);
    return { workspace: w, changed: true };
  }

  detach(id: string): void {
    const w = this.attached.get(id);
    if (!w) throw new PavedError('not-found', id === 'serve' ? 'the folders given at start cannot be detached' : `no workspace attachment '${id}'`);
    this.attached.delete(id);
    this.deps.log(`workspace ${id}${w.label ? ` (${w.label})` : ''} detached`);
  }

  /** Attachments whose process ended (a window that closed without detaching) are dropped; true when one was. */
  dropDead(): boolean {
    let dropped = false;
    for (const [id, w] of this.attached) {
      if (w.pid === undefined || this.deps.isAlive(w.pid)) continue;
      this.attached.delete(id);
      this.deps.log(`workspace ${id}${w.label ? ` (${w.label})` : ''} detached: process ${w.pid} is gone`);
      dropped = true;
    }
    return dropped;
  }
}
