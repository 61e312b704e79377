/**
 * Finding the running embedded local platform (`paved serve`) and its token, from its state directory. Plain Node.
 *
 * The server (src/server/serve.ts) writes, once listening:
 * - `<state-dir>/serve.json` (atomically): `{ pid, url, host, port, tokenFile, readOnlyTokenFile, stateDir, version,
 *   startedAt }`, the lock/port file every client (each VS Code window, the CLI) reads to share one instance;
 * - the bearer token in `tokenFile` (default `<state-dir>/token`), mode 0600, one line.
 * The default state directory is `$PAVED_STATE_DIR`, else `$XDG_STATE_HOME/paved`, else `~/.local/state/paved`: the
 * same for `paved serve`, the CLI and every VS Code window.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultStateDir } from '../core/stateDir';
import { PlatformError } from './errors';
import type { TokenProvider } from './transport';
import { isLoopbackHost } from './url';

export const SERVE_INFO_FILE = 'serve.json';

/** The lock/port record of a running `paved serve`. */
export interface LocalServeInfo {
  pid: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  host?: string;
  port?: number;
  tokenFile: string;
  readOnlyTokenFile?: string;
  stateDir?: string;
  version?: string;
  startedAt?: string;
}

/**
 * The state directory `paved serve`, the CLI and the extension share by default: `$PAVED_STATE_DIR`, else
 * `$XDG_STATE_HOME/paved`, else `~/.local/state/paved` (one rule, src/core/stateDir.ts).
 */
export function defaultLocalStateDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  return defaultStateDir(env, home);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; ESRCH: gone.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The live local platform recorded in `stateDir`, or undefined when there is no record or its process is gone.
 * A record that is unreadable, malformed or points off loopback is an error (never silently trusted).
 */
export async function findLocalPlatform(stateDir: string, isAlive: (pid: number) => boolean = processAlive): Promise<LocalServeInfo | undefined> {
  const file = path.join(stateDir, SERVE_INFO_FILE);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PlatformError('unreachable', `Cannot read ${file} to find the local platform.`, { cause: err, action: 'show-log' });
  }
  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch (err) {
    throw new PlatformError('unreachable', `${file} is not valid JSON; stop the local platform ("Paved: Stop Local Platform") and start it again.`, {
      cause: err,
      action: 'show-log',
    });
  }
  const r = info as Partial<LocalServeInfo> | null;
  if (!r || typeof r !== 'object' || !Number.isInteger(r.pid) || typeof r.url !== 'string' || typeof r.tokenFile !== 'string') {
    throw new PlatformError('unreachable', `${file} does not describe a local platform (pid, url and tokenFile are required).`, { action: 'show-log' });
  }
  let host: string;
  try {
    host = new URL(r.url).hostname;
  } catch {
    throw new PlatformError('unreachable', `${file} holds an invalid url "${r.url}".`, { action: 'show-log' });
  }
  if (!isLoopbackHost(host)) {
    throw new PlatformError('untrusted', `${file} points at ${host}, which is not a loopback address; Paved sends the local token only to loopback.`, {
      action: 'show-log',
    });
  }
  if (!isAlive(r.pid as number)) return undefined;
  return { ...(r as LocalServeInfo), tokenFile: path.resolve(stateDir, r.tokenFile) };
}

/** Reads a token file: one line, not empty, and (on POSIX) readable by the owner only. */
export async function readTokenFile(file: string): Promise<string> {
  let stat: fs.Stats;
  let text: string;
  try {
    stat = await fs.promises.stat(file);
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    throw new PlatformError('unauthorized', `Cannot read the token file ${file}.`, { cause: err, action: 'show-log' });
  }
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new PlatformError(
      'untrusted',
      `The token file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it.`,
      { action: 'none' },
    );
  }
  const token = text.trim();
  if (token === '' || /\s/.test(token)) throw new PlatformError('unauthorized', `The token file ${file} does not hold a token.`, { action: 'show-log' });
  return token;
}

/** A token provider for the local platform: reads the token file; after a 401 re-reads `serve.json` (the server may have restarted). */
export function localTokenProvider(stateDir: string, first: LocalServeInfo): TokenProvider {
  let cached: string | undefined;
  return async ({ refresh }) => {
    if (!refresh && cached) return cached;
    const info = refresh ? ((await findLocalPlatform(stateDir)) ?? first) : first;
    cached = await readTokenFile(info.tokenFile);
    return cached;
  };
}
