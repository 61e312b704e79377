/**
 * Logs of running services as the API serves them: a page (the last N lines, the lines since a time, the lines after
 * a cursor) or a follow that waits for new lines — woken by a file-system watch on the environment's log directory,
 * with a 1 s poll behind it — across rotation and from one release's run to the next. Secret values are replaced again
 * on the way out (the log writer already did when writing; a secret added since is caught here).
 */
import * as fs from 'node:fs';
import type { LogLine, LogPage, LogStream } from '../../core/api/operations';
import { PavedError } from '../../core/errors';
import { redactor } from '../../core/resources';
import { envLogDir, REDACTED } from '../deploy/serviceLogs';
import { formatPosition, LogListing, parsePosition, positionAt, readFrom, tailRecords, type Position, type ReadRecord } from './logFiles';
import { Waiters } from '../waiters';

export interface LogsDeps {
  /** `<state-dir>/logs`. */
  logDir: string;
  now: () => Date;
  /** The secret values of a service in an environment (replaced by `[redacted]`). */
  secrets: (service: string, environment: string) => readonly string[];
  /** The release serving there now. */
  serving: (service: string, environment: string) => string | undefined;
  /** Whether a log writer still runs (its run may still write). */
  isAlive: (pid: number) => boolean;
}

export interface LogRequest {
  tail?: number;
  since?: string;
  after?: string;
  limit: number;
}

const STREAM: Record<ReadRecord['kind'], LogStream> = { o: 'stdout', e: 'stderr', s: 'platform' };
const DEFAULT_TAIL = 100;
const POLL_MS = 1000;

/** One watch per directory, shared by everyone waiting on it; `changes` counts what it saw. */
class DirWatch {
  private readonly waiters = new Waiters();
  private watcher: fs.FSWatcher | undefined;
  changes = 0;
  users = 0;

  constructor(dir: string) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.watcher = fs.watch(dir, { persistent: false }, () => {
        this.changes++;
        this.wake();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined; // polling only
    }
  }

  /** Resolves at once when something changed since `seen` (a `changes` value), else on the next change or after `ms`. */
  wait(seen: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || this.changes !== seen) return Promise.resolve();
    return this.waiters.wait(ms, signal);
  }

  private wake(): void {
    this.waiters.wake();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.wake();
  }
}

export class ServiceLogs {
  private readonly watches = new Map<string, DirWatch>();
  private readonly redactors = new Map<string, (t: string) => string>();

  constructor(private readonly deps: LogsDeps) {}

  private dir(service: string, environment: string): string {
    return envLogDir(this.deps.logDir, service, environment);
  }

  /** Where a request starts: after its cursor, at its time, or before its last `tail` lines (with those lines). */
  start(service: string, environment: string, q: Omit<LogRequest, 'limit'>, defaultTail = DEFAULT_TAIL): { from: Position; tail: LogLine[] } {
    const listing = new LogListing(this.dir(service, environment));
    if (q.after !== undefined) {
      const from = parsePosition(q.after);
      if (!from) throw new PavedError('invalid-input', `'${q.after}' is not a log cursor`);
      return { from, tail: [] };
    }
    if (q.since !== undefined) return { from: positionAt(listing, Date.parse(q.since)), tail: [] };
    const records = tailRecords(listing, q.tail ?? defaultTail);
    const last = records[records.length - 1];
    return { from: last ? last.cursor : listing.end(), tail: this.lines(service, environment, records) };
  }

  /** Up to `limit` lines after `from`, and where to continue. */
  read(service: string, environment: string, from: Position, limit: number): { lines: LogLine[]; next: Position } {
    const listing = new LogListing(this.dir(service, environment));
    const { records, next } = readFrom(listing, from, limit, this.deps.now().getTime(), this.deps.isAlive);
    return { lines: this.lines(service, environment, records), next };
  }

  /** A JSON page; with `waitMs`, waits that long for a first line after a cursor. */
  async page(service: string, environment: string, q: LogRequest, waitMs = 0, signal?: AbortSignal): Promise<LogPage> {
    const { from, tail } = this.start(service, environment, q);
    let items = tail.slice(-q.limit);
    let next = from;
    if (tail.length === 0) {
      const dir = this.dir(service, environment);
      const watch = waitMs > 0 ? this.acquire(dir) : undefined;
      try {
        const seen = watch?.changes ?? 0;
        let got = this.read(service, environment, from, q.limit);
        if (got.lines.length === 0 && watch) {
          await watch.wait(seen, waitMs, signal);
          got = this.read(service, environment, from, q.limit);
        }
        items = got.lines;
        next = got.next;
      } finally {
        if (watch) this.release(dir);
      }
    }
    const page: LogPage = { items, cursor: items.length ? items[items.length - 1].cursor : formatPosition(next), more: items.length >= q.limit };
    const release = this.deps.serving(service, environment);
    if (release) page.release = release;
    return page;
  }

  /** Batches of lines from `from` on, as they are written, until the signal aborts. */
  async *follow(service: string, environment: string, from: Position, signal: AbortSignal): AsyncGenerator<LogLine[], void, undefined> {
    const dir = this.dir(service, environment);
    const watch = this.acquire(dir);
    try {
      let pos = from;
      while (!signal.aborted) {
        const seen = watch.changes;
        const { lines, next } = this.read(service, environment, pos, 1000);
        pos = next;
        if (lines.length > 0) yield lines;
        else await watch.wait(seen, POLL_MS, signal);
      }
    } finally {
      this.release(dir);
    }
  }

  private acquire(dir: string): DirWatch {
    let w = this.watches.get(dir);
    if (!w) {
      w = new DirWatch(dir);
      this.watches.set(dir, w);
    }
    w.users++;
    return w;
  }

  private release(dir: string): void {
    const w = this.watches.get(dir);
    if (w && --w.users === 0) {
      w.close();
      this.watches.delete(dir);
    }
  }

  close(): void {
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
  }

  private lines(service: string, environment: string, records: readonly ReadRecord[]): LogLine[] {
    if (records.length === 0) return [];
    const redact = this.redactor(service, environment);
    return records.map((r) => {
      const line: LogLine = { cursor: formatPosition(r.cursor), at: new Date(r.at).toISOString(), stream: STREAM[r.kind], text: redact(r.text), release: r.release };
      if (r.truncated) line.truncated = true;
      return line;
    });
  }

  private redactor(service: string, environment: string): (t: string) => string {
    const secrets = this.deps.secrets(service, environment);
    const key = `${service}/${environment}\u0000${secrets.join('\u0000')}`;
    let r = this.redactors.get(key);
    if (!r) {
      if (this.redactors.size > 1000) this.redactors.clear();
      r = redactor(secrets, REDACTED);
      this.redactors.set(key, r);
    }
    return r;
  }
}
