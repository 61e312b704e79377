/**
 * Runs catalog scans in a worker thread (scanWorker.ts; dist/scan-worker.js when bundled), one at a time: reading and
 * parsing manifests never runs on the platform's event loop. Where no worker script ships (a test bundle of the CLI)
 * the scan runs in this thread, said once in the log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PavedError } from '../../core/errors';
import { scanWorkspaces, type ScanCache, type WorkspaceScan } from './source';

/** A new worker running the script next to this module (bundled) or its source (through tsx), if either exists. */
function startWorker(): Worker | undefined {
  const bundled = path.join(__dirname, 'scan-worker.js');
  if (fs.existsSync(bundled)) return new Worker(bundled);
  const source = path.join(__dirname, 'scanWorker.ts');
  if (!fs.existsSync(source)) return undefined;
  // From source the worker loads the TypeScript with tsx, the loader the tests and `npm start` run under.
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { eval: true });
}

type Reply = { id: number; scan: WorkspaceScan } | { id: number; error: string };

export class WorkspaceScanner {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (s: WorkspaceScan) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private inline: ScanCache | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /** Scans the folders (reading only what changed since the last scan). */
  scan(folders: readonly string[]): Promise<WorkspaceScan> {
    if (folders.length === 0) return Promise.resolve({ entries: [], errors: [], teams: [] });
    const worker = this.ensureWorker();
    if (!worker) return Promise.resolve().then(() => scanWorkspaces(folders, (this.inline ??= new Map())));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, folders: [...folders] });
    });
  }

  close(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker || this.inline) return this.worker;
    const w = startWorker();
    if (!w) {
      this.log('catalog: no scan worker script found; scanning workspace folders in the main thread');
      this.inline = new Map();
      return undefined;
    }
    w.unref();
    w.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(new PavedError('io', reply.error));
      else p.resolve(reply.scan);
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const [, p] of this.pending) p.reject(new PavedError('io', `the catalog scan stopped: ${err.message}`, { cause: err }));
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`worker exited (${code})`)));
    this.worker = w;
    return w;
  }
}
