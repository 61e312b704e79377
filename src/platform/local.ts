/**
 * Finding the running embedded local platform (`paved serve`) and its token, from its state directory. Plain Node.
 *
 * The server (src/server/serve.ts) writes, once listening:
 * - `<state-dir>/serve.json` (atomically): `{ pid, url, host, port, tokenFile, readOnlyTokenFile, stateDir, version,
 *   startedAt }`, the lock/port file every client (each VS Code window, the CLI) reads to share one instance;
 * - the bearer token in `tokenFile` (default `<state-dir>/token`), mode 0600, one line, fresh at every start.
 * Before the token goes to the recorded address, the listener there must prove it is that instance (`verifyListener`:
 * an HMAC challenge over `GET /v1/health`, src/core/api/identity.ts), so a stale record never hands the token to
 * whatever listens on its port now.
 * The default state directory is `$PAVED_STATE_DIR`, else `$XDG_STATE_HOME/paved`, else `~/.local/state/paved`: the
 * same for `paved serve`, the CLI and every VS Code window.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newChallenge, verifyIdentity } from '../core/api/identity';
import { defaultStateDir } from '../core/stateDir';
import { PlatformError } from './errors';
import { Transport, type TokenProvider } from './transport';
import { isLoopbackHost } from './url';

export const SERVE_INFO_FILE = 'serve.json';

/**
 * Node options `paved serve` runs with when Paved starts it: a young generation of 1 MB semi-spaces. Node's default
 * lets them grow to 16 MB each during the start's burst of allocations, and keeps them: 20–35 MB of resident memory a
 * long-running platform answering small requests does not need (no slower measurably in `npm run bench -- "paved serve"`, at 100k services 142 MB instead of 178).
 */
export const SERVE_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=1'];

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
  /** Fresh at every start: the instance proves it knows its token for this id (see `verifyListener`). */
  instanceId?: string;
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

/**
 * Checks that the process listening at `info.url` is the instance `info` records, before anything is sent to it with
 * `token`: it must answer a fresh challenge with the instance id and the HMAC proof only the holder of `token` can
 * compute. Throws `untrusted` otherwise (nothing was sent but the challenge).
 */
export async function verifyListener(info: LocalServeInfo, token: string): Promise<void> {
  const restart = `Stop it ("Paved: Stop Local Platform", or kill ${info.pid}) and start it again.`;
  if (!info.instanceId) {
    throw new PlatformError('untrusted', `The local platform recorded in ${info.stateDir ?? 'its state dir'} (pid ${info.pid}) cannot prove which instance it is (it was started by an earlier Paved); Paved does not send it the token. ${restart}`, {
      action: 'show-log',
    });
  }
  const challenge = newChallenge();
  const transport = new Transport({ baseUrl: info.url, timeoutMs: 5_000, retry: { maxAttempts: 2 }, platformName: 'The local platform' });
  const body = await transport.request<{ instanceId?: unknown; proof?: unknown; readOnlyProof?: unknown }>({ path: '/v1/health', query: { challenge } });
  if (body?.instanceId !== info.instanceId || !verifyIdentity(token, info.instanceId, challenge, body.proof, body.readOnlyProof)) {
    throw new PlatformError(
      'untrusted',
      `The process listening at ${info.url} is not the local platform recorded in serve.json (pid ${info.pid}): it could not prove it knows the platform's token, so Paved did not send it. The record is stale or another program took the port. ${restart}`,
      { action: 'show-log' },
    );
  }
}

/**
 * A token provider for the local platform at `first.url` (where its client sends requests): reads the token file and
 * checks the listener's identity before handing the token out; after a 401 it re-reads `serve.json` (the platform may
 * have restarted, with a new token and instance id) and checks again — always at `first.url`, the address the token
 * goes to. A platform that restarted elsewhere is `unreachable` here: connect again.
 */
export function localTokenProvider(stateDir: string, first: LocalServeInfo): TokenProvider {
  let cached: string | undefined;
  return async ({ refresh }) => {
    if (!refresh && cached) return cached;
    const info = refresh ? ((await findLocalPlatform(stateDir)) ?? first) : first;
    if (info.url !== first.url) {
      throw new PlatformError('unreachable', `The local platform restarted at ${info.url} (it was at ${first.url}); connect again.`, { action: 'retry' });
    }
    const token = await readTokenFile(info.tokenFile);
    await verifyListener(info, token);
    cached = token;
    return cached;
  };
}

/** A token from elsewhere (PAVED_TOKEN) for the local platform at `info.url`: sent only once the listener proved it is that instance. */
export function verifiedTokenProvider(info: LocalServeInfo, provider: TokenProvider): TokenProvider {
  const verified = new Set<string>();
  return async (request) => {
    const token = await provider(request);
    if (token !== undefined && !verified.has(token)) {
      await verifyListener(info, token);
      verified.add(token);
    }
    return token;
  };
}
