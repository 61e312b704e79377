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
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    writeAll(fd, data, file);
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

/** An append-only JSON-lines journal. */
export class Journal<T> {
  private fd: number | undefined;

  constructor(readonly file: string) {}

  /**
   * Every complete record; a torn final line is dropped (and cut off the file so later appends stay aligned). Records
   * that do not parse (a damaged file) are dropped too, the others kept: the damaged file is kept aside
   * (`<file>.corrupt-<time>`), the journal rewritten with the good records, and the loss reported (onQuarantine).
   */
  readAll(): T[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new PavedError('io', `cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    const out: T[] = [];
    let good = 0;
    let pos = 0;
    let bad = 0;
    let firstBad: string | undefined;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break; // torn tail
      const line = text.slice(pos, nl);
      pos = nl + 1;
      if (line.trim() === '') {
        good = pos;
        continue;
      }
      try {
        out.push(JSON.parse(line) as T);
      } catch (err) {
        if (firstBad === undefined) firstBad = `record ${out.length + bad + 1} at byte ${Buffer.byteLength(text.slice(0, pos - line.length - 1), 'utf8')}: ${(err as Error).message}`;
        bad++;
      }
      good = pos;
    }
    if (bad > 0) {
      this.close();
      const aside = corruptName(this.file);
      fs.copyFileSync(this.file, aside);
      writeFileAtomic(this.file, out.map((r) => JSON.stringify(r) + '\n').join(''));
      report(`${this.file} is corrupt (${firstBad}); kept it as ${aside} and went on with its ${out.length} good record(s), dropping ${bad}`);
      return out;
    }
    const goodBytes = Buffer.byteLength(text.slice(0, good), 'utf8');
    if (goodBytes < Buffer.byteLength(text, 'utf8')) fs.truncateSync(this.file, goodBytes);
    return out;
  }

  /**
   * Appends one record; `durable: false` skips the fsync (a record a crash may lose). A write that fails part way
   * (ENOSPC) is cut back off the file, so the journal stays whole, and reported as an io PavedError.
   */
  append(record: T, durable = true): void {
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a', 0o600);
    }
    const before = fs.fstatSync(this.fd).size;
    try {
      writeAll(this.fd, JSON.stringify(record) + '\n', this.file);
    } catch (err) {
      try {
        fs.ftruncateSync(this.fd, before);
      } catch {
        // The torn record is dropped when the journal is read (readAll).
      }
      throw err;
    }
    if (durable) fs.fsyncSync(this.fd);
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
  }
}
