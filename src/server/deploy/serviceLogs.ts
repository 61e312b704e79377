/**
 * Where and how a running service's output is kept: `<state-dir>/logs/<service>/<environment>/`, one numbered *run*
 * per process the platform starts there (deploy, rollback, promote, restart), each written by the log writer
 * (logWriter.ts) as `<run>-<release>.<generation>.log` — rotated at a size, the oldest generations deleted — plus a
 * `<run>.served` mark once that run became the one serving (a candidate that failed its health check never does).
 * Each line of a file is one record: `<epoch ms> <kind> <text>`, kind `o` stdout, `e` stderr, `s` the platform
 * (started, exited); `O`/`E` for a line cut at the length cap.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A log file is rotated when it reaches this size; this many generations of a run are kept. */
export const LOG_ROTATE_BYTES = 8 * 1024 * 1024;
export const LOG_KEEP_GENERATIONS = 3;
/** Longer lines are cut here (and marked). */
export const LOG_MAX_LINE_BYTES = 8192;

/** What the log writer of one run needs. */
export interface ServiceLogTarget {
  /** `<state-dir>/logs/<service>/<environment>`. */
  dir: string;
  run: number;
  release: string;
  /** Values replaced by `[redacted]` before anything is written. */
  secrets: readonly string[];
}

export type RecordKind = 'o' | 'e' | 's';

export interface LogRecord {
  at: number;
  kind: RecordKind;
  truncated: boolean;
  text: string;
}

export interface RunFile {
  run: number;
  release: string;
  generation: number;
  name: string;
}

export const REDACTED = '[redacted]';

export function envLogDir(logRoot: string, service: string, environment: string): string {
  return path.join(logRoot, service, environment);
}

const pad = (run: number): string => String(run).padStart(6, '0');

/** `000012-r-20261122T051900Z-3f2a9c` */
export function runBase(run: number, release: string): string {
  return `${pad(run)}-${release}`;
}

const RUN_FILE = /^(\d{6,})-([A-Za-z0-9-]+)\.(\d+)\.log$/;
const SERVED_FILE = /^(\d{6,})\.served$/;

export function parseRunFile(name: string): RunFile | undefined {
  const m = RUN_FILE.exec(name);
  return m ? { run: Number(m[1]), release: m[2], generation: Number(m[3]), name } : undefined;
}

/** The run files of an environment's directory, by run then generation. */
export function runFiles(dir: string): RunFile[] {
  return entryNames(dir)
    .map(parseRunFile)
    .filter((f): f is RunFile => f !== undefined)
    .sort((a, b) => a.run - b.run || a.generation - b.generation);
}

/** The names in an environment's log directory; none when it does not exist yet. */
function entryNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Runs that became the one serving, ascending. */
export function servedRuns(dir: string): number[] {
  return entryNames(dir)
    .map((n) => SERVED_FILE.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The number of the next run in an environment's directory. */
export function nextRun(dir: string): number {
  const files = runFiles(dir);
  const served = servedRuns(dir);
  return Math.max(0, ...files.map((f) => f.run), ...served) + 1;
}

export function markServed(dir: string, run: number): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, `${pad(run)}.served`), '', { mode: 0o600 });
}

/** One record line (without its newline), as the log writer writes it. */
export function formatRecord(r: LogRecord): string {
  return `${r.at} ${r.truncated ? r.kind.toUpperCase() : r.kind} ${r.text}`;
}

/** A record line, or undefined for anything else (a torn last line is not passed here). */
export function parseRecord(line: string): LogRecord | undefined {
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0 || line.charCodeAt(sp1 + 2) !== 32) return undefined;
  const at = Number(line.slice(0, sp1));
  const k = line[sp1 + 1];
  if (!Number.isFinite(at)) return undefined;
  const kind = k.toLowerCase() as RecordKind;
  if (kind !== 'o' && kind !== 'e' && kind !== 's') return undefined;
  return { at, kind, truncated: k !== kind, text: line.slice(sp1 + 3) };
}

/** A record with the byte offset just after its line (where reading resumes). */
export interface PlacedRecord extends LogRecord {
  end: number;
}

/**
 * The complete records of `file` from byte `offset`, reading at most about `maxBytes`; a line not yet ended is left
 * for the next read. Lines that are not records (none are written so) are skipped. A missing file reads as empty.
 */
export function readRecords(file: string, offset: number, maxBytes = 256 * 1024): { records: PlacedRecord[]; next: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], next: offset };
    throw err;
  }
  try {
    const records: PlacedRecord[] = [];
    let pos = offset;
    let carry: Buffer | undefined;
    const buf = Buffer.allocUnsafe(Math.min(maxBytes, 1024 * 1024));
    let read = 0;
    while (read < maxBytes) {
      const n = fs.readSync(fd, buf, 0, buf.length, offset + read);
      if (n <= 0) break;
      read += n;
      const chunk = carry ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        const rec = parseRecord(chunk.toString('utf8', start, nl));
        pos += nl + 1 - start;
        if (rec) records.push({ ...rec, end: pos });
        start = nl + 1;
      }
      carry = start < chunk.length ? Buffer.from(chunk.subarray(start)) : undefined;
      if (n < buf.length) break;
    }
    return { records, next: pos };
  } finally {
    fs.closeSync(fd);
  }
}

/** Follows the records of one run across its generations (for the deployment's events while it starts). */
export class RunTail {
  private generation = 1;
  private offset = 0;

  constructor(
    private readonly dir: string,
    private readonly base: string,
  ) {}

  /** The records written since the last call. */
  poll(): LogRecord[] {
    const out: LogRecord[] = [];
    for (;;) {
      // Looked for before reading: the writer writes nothing more here once the next generation exists, so a read
      // after seeing it is complete (looked for after, lines written in between would be skipped).
      const rotated = fs.existsSync(path.join(this.dir, `${this.base}.${this.generation + 1}.log`));
      const { records, next } = readRecords(path.join(this.dir, `${this.base}.${this.generation}.log`), this.offset);
      out.push(...records);
      this.offset = next;
      if (records.length > 0) continue;
      if (!rotated) return out;
      this.generation++;
      this.offset = 0;
    }
  }
}

/** Keeps the files of the newest `keep` runs (and of `serving`), removing older ones with their marks. */
export function pruneRuns(dir: string, keep: number, serving?: number): void {
  const runs = [...new Set([...runFiles(dir).map((f) => f.run), ...servedRuns(dir)])].sort((a, b) => a - b);
  const drop = new Set(runs.slice(0, Math.max(0, runs.length - keep)).filter((r) => r !== serving));
  if (drop.size === 0) return;
  for (const f of runFiles(dir)) if (drop.has(f.run)) fs.rmSync(path.join(dir, f.name), { force: true });
  for (const r of drop) fs.rmSync(path.join(dir, `${pad(r)}.served`), { force: true });
}
