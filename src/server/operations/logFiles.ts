/**
 * Reading an environment's log as one stream (serviceLogs.ts has the layout): the runs that served there, oldest
 * first, each across its generations. A position is `run.generation.offset` (the byte after a line); it is also the
 * cursor of the line that ends there. Pure file reading, synchronous, no state kept between calls.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRecord, readRecords, runFiles, servedRuns, type LogRecord, type RunFile } from '../deploy/serviceLogs';

export interface Position {
  run: number;
  generation: number;
  offset: number;
}

export interface ReadRecord extends LogRecord {
  release: string;
  /** The position after this record: its cursor. */
  cursor: Position;
}

export const START: Position = { run: 0, generation: 0, offset: 0 };

export function formatPosition(p: Position): string {
  return `${p.run}.${p.generation}.${p.offset}`;
}

export function parsePosition(s: string): Position | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(s);
  return m ? { run: Number(m[1]), generation: Number(m[2]), offset: Number(m[3]) } : undefined;
}

/** A run without a known writer pid that has not written for this long while a later run serves is taken as finished. */
const SILENT_FINISHED_MS = 30_000;

/** The directory as one listing: served runs and their files (by generation). */
export class LogListing {
  readonly served: number[];
  private readonly files = new Map<number, RunFile[]>();

  constructor(readonly dir: string) {
    this.served = servedRuns(dir);
    for (const f of runFiles(dir)) {
      const list = this.files.get(f.run) ?? [];
      list.push(f);
      this.files.set(f.run, list);
    }
  }

  filesOf(run: number): RunFile[] {
    return this.files.get(run) ?? [];
  }

  file(f: RunFile): string {
    return path.join(this.dir, f.name);
  }

  /** Where the stream ends now: after the newest served run's last line (START when nothing served yet). */
  end(): Position {
    for (const run of [...this.served].reverse()) {
      const files = this.filesOf(run);
      const last = files[files.length - 1];
      if (last) return { run, generation: last.generation, offset: completeSize(this.file(last)) };
    }
    return START;
  }

  /** Whether the run wrote past `p` since this listing was made (its file grew, or a later generation appeared); re-lists the run when so. */
  wroteAfter(p: Position): boolean {
    const current = this.filesOf(p.run).find((x) => x.generation === p.generation);
    if (current && completeSize(this.file(current)) > p.offset) return true;
    const now = runFiles(this.dir).filter((f) => f.run === p.run);
    if (!now.some((f) => f.generation > p.generation)) return false;
    this.files.set(p.run, now);
    return true;
  }

  /**
   * True when a run is over: its writer wrote its exit record, or — killed before it could — is no longer alive (its
   * pid is in the run's first record). A run whose first generation rotated away counts once it fell silent for a while.
   */
  finished(run: number, now: number, isAlive: (pid: number) => boolean): boolean {
    const files = this.filesOf(run);
    const last = files[files.length - 1];
    if (!last) return true;
    const tail = lastRecords(this.file(last), 1)[0];
    if (tail?.kind === 's' && /^(exited|could not start)/.test(tail.text)) return true;
    const first = files[0].generation === 1 ? readRecords(this.file(files[0]), 0, 4096).records[0] : undefined;
    const pid = first?.kind === 's' ? /\(pid (\d+)\)/.exec(first.text)?.[1] : undefined;
    if (pid !== undefined) return !isAlive(Number(pid));
    const mtime = fs.statSync(this.file(last), { throwIfNoEntry: false })?.mtimeMs;
    return mtime === undefined || now - mtime > SILENT_FINISHED_MS;
  }
}

/** The size of a file up to its last complete line. */
function completeSize(file: string): number {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return 0;
  }
  if (size === 0) return 0;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, 64 * 1024));
    let end = size;
    while (end > 0) {
      const len = Math.min(buf.length, end);
      fs.readSync(fd, buf, 0, len, end - len);
      const nl = buf.subarray(0, len).lastIndexOf(10);
      if (nl >= 0) return end - len + nl + 1;
      end -= len;
    }
    return 0;
  } finally {
    fs.closeSync(fd);
  }
}

/** The last `n` complete records of a file, oldest first, with the offset after each. */
export function lastRecords(file: string, n: number): (LogRecord & { end: number })[] {
  if (n <= 0) return [];
  const size = completeSize(file);
  let start = size;
  let text = '';
  const fd = (() => {
    try {
      return fs.openSync(file, 'r');
    } catch {
      return undefined;
    }
  })();
  if (fd === undefined) return [];
  try {
    const chunk = 64 * 1024;
    while (start > 0) {
      const from = Math.max(0, start - chunk);
      const buf = Buffer.alloc(start - from);
      fs.readSync(fd, buf, 0, buf.length, from);
      // Cut at a line start so no multi-byte character is split.
      const firstNl = from === 0 ? -1 : buf.indexOf(10);
      const usable = firstNl < 0 ? buf : buf.subarray(firstNl + 1);
      text = usable.toString('utf8') + text;
      start = from === 0 ? 0 : from + firstNl + 1;
      if (text.split('\n').length - 1 >= n || from === 0) break;
      if (firstNl < 0) start = from; // a line longer than the chunk: keep going back
    }
  } finally {
    fs.closeSync(fd);
  }
  const out: (LogRecord & { end: number })[] = [];
  let pos = start;
  for (const line of text.split('\n').slice(0, -1)) {
    pos += Buffer.byteLength(line, 'utf8') + 1;
    const rec = parseRecord(line);
    if (rec) out.push({ ...rec, end: pos });
  }
  return out.slice(-n);
}

/**
 * Up to `limit` records after `from`, in stream order, and the position after the last one read (or where reading
 * stopped). Moves to the next generation when one exists, and to the next served run once this one finished.
 */
export function readFrom(listing: LogListing, from: Position, limit: number, now: number, isAlive: (pid: number) => boolean): { records: ReadRecord[]; next: Position } {
  const records: ReadRecord[] = [];
  let pos = normalise(listing, from);
  let rechecked = -1;
  while (pos && records.length < limit) {
    const here: Position = pos;
    const files = listing.filesOf(here.run);
    const f = files.find((x) => x.generation === here.generation);
    if (f) {
      const got = readRecords(listing.file(f), here.offset, 256 * 1024).records.slice(0, limit - records.length);
      if (got.length > 0) {
        for (const r of got) records.push({ at: r.at, kind: r.kind, truncated: r.truncated, text: r.text, release: f.release, cursor: { ...here, offset: r.end } });
        pos = { ...here, offset: got[got.length - 1].end };
        continue;
      }
    }
    const laterGen = files.find((x) => x.generation > here.generation);
    if (laterGen) {
      pos = { run: here.run, generation: laterGen.generation, offset: 0 };
      continue;
    }
    const laterRun = listing.served.find((r) => r > here.run);
    if (laterRun === undefined || !listing.finished(here.run, now, isAlive)) break;
    // Over now, but its writer may have written its last records (even into a new generation) between the read above
    // and that check: those come first (once per run: once over, it writes nothing more).
    if (rechecked !== here.run && listing.wroteAfter(here)) {
      rechecked = here.run;
      continue;
    }
    pos = { run: laterRun, generation: listing.filesOf(laterRun)[0]?.generation ?? 1, offset: 0 };
  }
  return { records, next: pos ?? from };
}

/** A position moved onto the stream: runs that never served are skipped, rotated-away generations too. */
function normalise(listing: LogListing, p: Position): Position | undefined {
  if (!listing.served.includes(p.run)) {
    const later = listing.served.find((r) => r > p.run);
    if (later === undefined) return p.run === 0 ? undefined : p;
    return { run: later, generation: listing.filesOf(later)[0]?.generation ?? 1, offset: 0 };
  }
  const first = listing.filesOf(p.run)[0];
  if (first && p.generation < first.generation) return { run: p.run, generation: first.generation, offset: 0 };
  return p;
}

/** The last `n` records of the stream (over earlier served runs when the newest has fewer), oldest first. */
export function tailRecords(listing: LogListing, n: number): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (const run of [...listing.served].reverse()) {
    for (const f of [...listing.filesOf(run)].reverse()) {
      if (out.length >= n) break;
      const got = lastRecords(listing.file(f), n - out.length);
      out.unshift(...got.map((r) => ({ at: r.at, kind: r.kind, truncated: r.truncated, text: r.text, release: f.release, cursor: { run, generation: f.generation, offset: r.end } })));
    }
    if (out.length >= n) break;
  }
  return out;
}

/**
 * How far a file's modification time may trail the time of its last record: the kernel stamps files from a coarse
 * clock (one scheduler tick behind), so a record timed 1 ms after `since` can sit in a file whose mtime is before it.
 */
const MTIME_SLACK_MS = 1000;

/** The position of the first record at or after `since` (epoch ms), scanning files written since then. */
export function positionAt(listing: LogListing, since: number): Position {
  for (const run of listing.served) {
    for (const f of listing.filesOf(run)) {
      const mtime = fs.statSync(listing.file(f), { throwIfNoEntry: false })?.mtimeMs;
      if (mtime === undefined || mtime < since - MTIME_SLACK_MS) continue;
      let offset = 0;
      for (;;) {
        const { records } = readRecords(listing.file(f), offset, 256 * 1024);
        if (records.length === 0) break;
        const hit = records.findIndex((r) => r.at >= since);
        if (hit >= 0) return { run, generation: f.generation, offset: hit === 0 ? offset : records[hit - 1].end };
        offset = records[records.length - 1].end;
      }
    }
  }
  return listing.end();
}
