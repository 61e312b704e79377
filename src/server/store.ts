/**
 * Crash-safe state files. Whole documents are written to a temporary file, fsynced, renamed over the target and the
 * directory fsynced, so a reader (or a restart after kill -9) sees either the old or the new content, never a mix.
 * Journals are JSON lines appended whole (a short write — a full disk — is finished or reported, never left half
 * done) and fsynced unless the record says it may be lost in a crash (process output: it is in the log file too); a
 * torn last line (crash mid-append) is dropped on read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PavedError } from '../core/errors';

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    // Some file systems refuse fsync on directories; the rename is still atomic there.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes all of `data` at the end of `fd` (writeSync may write less than asked); a failure names `file`. */
function writeAll(fd: number, data: string, file: string): void {
  const buf = Buffer.from(data, 'utf8');
  let done = 0;
  try {
    while (done < buf.length) {
      const n = fs.writeSync(fd, buf, done, buf.length - done);
      if (n <= 0) throw Object.assign(new Error('no bytes written'), { code: 'EIO' });
      done += n;
    }
  } catch (err) {
    throw new PavedError('io', `cannot write ${file} (${done} of ${buf.length} bytes written): ${(err as Error).message}`, { cause: err });
  }
}

export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  writeAtomic(file, (fd) => writeAll(fd, data, file), mode);
}

/** Writes `file` whole through `write` (given the temporary file's descriptor), as writeFileAtomic does. */
function writeAtomic(file: string, write: (fd: number) => void, mode = 0o600): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    write(fd);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 1) + '\n');
}

type QuarantineListener = (message: string) => void;
const quarantineListeners = new Set<QuarantineListener>();

/** Hears of every state file moved aside as corrupt (the platform logs them); returns the unsubscribe. */
export function onQuarantine(listener: QuarantineListener): () => void {
  quarantineListeners.add(listener);
  return () => quarantineListeners.delete(listener);
}

function corruptName(file: string): string {
  return `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

function report(message: string): void {
  for (const l of quarantineListeners) l(message);
}

/**
 * Moves a corrupt state file aside as `<file>.corrupt-<time>` (kept for inspection) and reports it, so the platform
 * starts without it instead of not starting at all.
 */
export function quarantine(file: string, why: string, consequence: string): void {
  const aside = corruptName(file);
  fs.renameSync(file, aside);
  report(`${file} is corrupt (${why}); moved it to ${aside} and ${consequence}`);
}

/**
 * Reads a state document at load: undefined when missing; one that is not valid JSON or not of the expected shape
 * (`valid`) is quarantined, and undefined too — `consequence` says what the platform does without it.
 */
export function loadJson<T>(file: string, consequence: string, valid: (v: unknown) => boolean = () => true): T | undefined {
  let value: T | undefined;
  try {
    value = readJson<T>(file);
  } catch (err) {
    if (!PavedError.is(err, 'io') || !fs.existsSync(file)) throw err;
    quarantine(file, 'not valid JSON', consequence);
    return undefined;
  }
  if (value !== undefined && !valid(value)) {
    quarantine(file, 'not what the platform wrote there', consequence);
    return undefined;
  }
  return value;
}

/** Reads a JSON document; a missing file gives undefined, a corrupt one an io PavedError naming the file. */
export function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PavedError('io', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new PavedError('io', `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Where a record lies in its journal: the byte offset of its line and the line's length in bytes (no newline). */
export interface RecordPlace {
  offset: number;
  length: number;
}

/** Lines are read this many bytes at a time (a longer line grows the buffer to hold it). */
const CHUNK_BYTES = 1 << 20;

/**
 * Hands each complete line of the file open at `fd` to `visit`, reading a chunk at a time; returns where the complete
 * lines end (`complete`: a torn tail starts there) and the file's size.
 */
function eachLine(fd: number, file: string, visit: (line: string, place: RecordPlace) => void): { complete: number; size: number } {
  let buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let held = 0; // bytes at the start of buf: the beginning of a line not yet complete
  let base = 0; // the file offset of buf[0]
  for (;;) {
    if (held === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, held);
      buf = bigger;
    }
    let n: number;
    try {
      n = fs.readSync(fd, buf, held, buf.length - held, base + held);
    } catch (err) {
      throw new PavedError('io', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (n === 0) return { complete: base, size: base + held };
    const view = buf.subarray(0, held + n);
    let start = 0;
    for (let nl = view.indexOf(10); nl !== -1; nl = view.indexOf(10, start)) {
      visit(view.toString('utf8', start, nl), { offset: base + start, length: nl - start });
      start = nl + 1;
    }
    view.copy(buf, 0, start);
    base += start;
    held = view.length - start;
  }
}

/** An append-only JSON-lines journal. */
export class Journal<T> {
  private fd: number | undefined;
  /** Kept open for readAt (closed with the journal, and before the file is replaced). */
  private readFd: number | undefined;

  constructor(readonly file: string) {}

  /** Every complete record (see replay: torn and damaged records are dropped the same way). */
  readAll(): T[] {
    const out: T[] = [];
    this.replay((r) => out.push(r));
    return out;
  }

  /**
   * Hands every complete record to `visit` in order, with where its line lies in the file, reading the file a chunk at
   * a time (never the whole of it, nor all its records, at once). A torn final line is dropped (and cut off the file so
   * later appends stay aligned). Records that do not parse (a damaged file) are dropped too, the others kept: the
   * damaged file is kept aside (`<file>.corrupt-<time>`), the journal rewritten with the good records, and the loss
   * reported (onQuarantine) — then `rewritten` is true, and the places `visit` was given are not those of the new file.
   */
  replay(visit: (record: T, place: RecordPlace) => void): { rewritten: boolean } {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { rewritten: false };
      throw new PavedError('io', `cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    let records = 0;
    let bad = 0;
    let firstBad: string | undefined;
    let read: { complete: number; size: number };
    try {
      read = eachLine(fd, this.file, (line, place) => {
        if (line.trim() === '') return;
        let record: T;
        try {
          record = JSON.parse(line) as T;
        } catch (err) {
          firstBad ??= `record ${records + bad + 1} at byte ${place.offset}: ${(err as Error).message}`;
          bad++;
          return;
        }
        records++;
        visit(record, place);
      });
    } finally {
      fs.closeSync(fd);
    }
    if (bad > 0) {
      this.close();
      const aside = corruptName(this.file);
      fs.copyFileSync(this.file, aside);
      this.rewriteGood(aside);
      report(`${this.file} is corrupt (${firstBad}); kept it as ${aside} and went on with its ${records} good record(s), dropping ${bad}`);
      return { rewritten: true };
    }
    if (read.complete < read.size) fs.truncateSync(this.file, read.complete);
    return { rewritten: false };
  }

  /** Replaces the journal with the records of `damaged` that parse, one by one (atomically). */
  private rewriteGood(damaged: string): void {
    const fd = fs.openSync(damaged, 'r');
    try {
      writeAtomic(this.file, (out) =>
        eachLine(fd, damaged, (line) => {
          if (line.trim() === '') return;
          let record: unknown;
          try {
            record = JSON.parse(line);
          } catch {
            return;
          }
          writeAll(out, JSON.stringify(record) + '\n', this.file);
        }),
      );
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The record whose line lies at `place` (given by replay or append); an io PavedError when it is not there. */
  readAt(place: RecordPlace): T {
    try {
      this.readFd ??= fs.openSync(this.file, 'r');
      const buf = Buffer.allocUnsafe(place.length);
      const n = fs.readSync(this.readFd, buf, 0, place.length, place.offset);
      return JSON.parse(buf.toString('utf8', 0, n)) as T;
    } catch (err) {
      throw new PavedError('io', `cannot read the record at byte ${place.offset} of ${this.file}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Appends one record; `durable: false` skips the fsync (a record a crash may lose). A write that fails part way
   * (ENOSPC) is cut back off the file, so the journal stays whole, and reported as an io PavedError.
   */
  append(record: T, durable = true): RecordPlace {
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a', 0o600);
    }
    const before = fs.fstatSync(this.fd).size;
    const line = JSON.stringify(record);
    try {
      writeAll(this.fd, line + '\n', this.file);
    } catch (err) {
      try {
        fs.ftruncateSync(this.fd, before);
      } catch {
        // The torn record is dropped when the journal is read (readAll).
      }
      throw err;
    }
    if (durable) fs.fsyncSync(this.fd);
    return { offset: before, length: Buffer.byteLength(line, 'utf8') };
  }

  /** Replaces the journal with exactly these records (atomically). */
  rewrite(records: readonly T[]): void {
    this.close();
    writeFileAtomic(this.file, records.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.readFd !== undefined) {
      fs.closeSync(this.readFd);
      this.readFd = undefined;
    }
  }
}
