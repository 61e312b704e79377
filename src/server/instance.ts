/**
 * What makes one `paved serve` the instance of its state dir: the state dir itself (private to its owner), the lock
 * (`serve.lock`, taken before anything else is written) and the tokens (fresh for every start, written under the lock
 * and read back, so the token in the file is always the one the instance that holds the lock accepts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PavedError, describeError } from '../core/errors';
import { isAlive } from './deploy/processes';
import { writeFileAtomic } from './store';

const MIN_TOKEN_LENGTH = 32;

/**
 * Creates the state dir (mode 0700) or checks the one given: it must be a directory of this user; looser permissions
 * than 0700 are tightened (it holds the tokens), and said so in the log.
 */
export function prepareStateDir(dir: string, log: (line: string) => void): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new PavedError('io', `cannot create the state dir ${dir}: ${describeError(err)}`, { cause: err });
  }
  const st = fs.statSync(dir);
  if (!st.isDirectory()) throw new PavedError('invalid-input', `the state dir ${dir} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new PavedError('untrusted', `the state dir ${dir} belongs to another user (uid ${st.uid}); it holds the platform's token, so use a directory of your own`);
  }
  if ((st.mode & 0o077) !== 0) {
    fs.chmodSync(dir, 0o700);
    log(`paved serve: the state dir ${dir} was mode ${(st.mode & 0o777).toString(8)}; made it 700 (it holds the platform's token)`);
  }
}

/** The pid in a lock file; undefined while it is being written (empty) or when it is gone. */
function lockHolder(lock: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lock, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number.parseInt(text, 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

/** A lock file that holds no pid and has not changed for a while: damaged, not being written. */
function unreadableForLong(lock: string): boolean {
  try {
    return Date.now() - fs.statSync(lock).mtimeMs > 2_000;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Takes `<state-dir>/serve.lock` (created with O_EXCL, holding this pid). A lock whose holder is dead is stale: it is
 * moved aside (one rename, so of two starts breaking it at once only one takes that file) and, if what was moved turns
 * out to be a live instance's fresh lock, put back. Another live holder is a `conflict`.
 */
export function takeLock(stateDir: string): string {
  const lock = path.join(stateDir, 'serve.lock');
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', 0o600);
      try {
        fs.writeSync(fd, String(process.pid));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = lockHolder(lock);
    if (holder === undefined && !unreadableForLong(lock)) {
      // Just created and not written yet, or just released: look again.
      sleepSync(20);
      continue;
    }
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) throw new PavedError('conflict', `another paved serve (pid ${holder}) holds ${lock}`);
    const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      fs.renameSync(lock, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // someone else moved it first
      throw err;
    }
    const moved = lockHolder(aside);
    if (moved !== holder && moved !== undefined && isAlive(moved)) {
      // Between our read and our rename another start broke the stale lock and took it: give it back.
      try {
        fs.linkSync(aside, lock);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    fs.rmSync(aside, { force: true });
  }
  throw new PavedError('conflict', `cannot take ${lock}: it keeps changing hands`);
}

/** True while the state dir's lock is held by a live process (an instance starting or running). */
export function lockHeld(stateDir: string): boolean {
  const holder = lockHolder(path.join(stateDir, 'serve.lock'));
  return holder !== undefined && isAlive(holder);
}

/** True while `lock` still names this process. */
export function holdsLock(lock: string): boolean {
  return lockHolder(lock) === process.pid;
}

/** Removes the lock if it is still this process's. */
export function releaseLock(lock: string): void {
  if (holdsLock(lock)) fs.rmSync(lock, { force: true });
}

/** Reads a token file: private to its owner and holding a token of 32 characters or more. */
function readToken(file: string): string | undefined {
  const st = fs.statSync(file);
  if ((st.mode & 0o077) !== 0) throw new PavedError('untrusted', `${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it or delete it`);
  const token = fs.readFileSync(file, 'utf8').trim();
  return token.length >= MIN_TOKEN_LENGTH && !/\s/.test(token) ? token : undefined;
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A fresh token for this start in `file` (the state dir's token files, written under the lock): written atomically,
 * read back, so a client that reads the file gets exactly the token this instance accepts. Tokens of an earlier
 * start stop working.
 */
export function rotateToken(file: string): string {
  const token = newToken();
  writeFileAtomic(file, token + '\n', 0o600);
  if (readToken(file) !== token) throw new PavedError('conflict', `${file} changed while it was written; is another paved serve using this state dir?`);
  return token;
}

/**
 * The token in a token file the user named (`--token-file`): created exclusively (mode 0600) when missing; an
 * existing one must hold a token — a short or empty file is refused, never overwritten (it may be something else).
 */
export function userToken(file: string): string {
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, newToken() + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new PavedError('io', `cannot create the token file ${file}: ${describeError(err)}`, { cause: err });
  }
  const token = readToken(file);
  if (token === undefined) {
    throw new PavedError('invalid-input', `${file} holds no token (one line of ${MIN_TOKEN_LENGTH} or more characters without spaces); paved serve does not overwrite it: put a token in it, or name a file that does not exist yet`);
  }
  return token;
}
