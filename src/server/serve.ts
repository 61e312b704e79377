/**
 * `paved serve` as a library: token files, the lock/port file shared by every VS Code window, listening, idle stop and
 * clean shutdown (every service it started is stopped).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PavedError, describeError } from '../core/errors';
import { ApiServer } from './http';
import { LocalPlatform } from './platform';
import { platformRoutes } from './routes';
import { findAsset } from './assets';
import { readHistoryFile } from './deploy/historyImport';
import { isAlive } from './deploy/processes';
import { writeFileAtomic, readJson } from './store';
import { defaultStateDir } from '../core/stateDir';

export interface ServeOptions {
  host?: string;
  port?: number;
  stateDir?: string;
  tokenFile?: string;
  workspaces?: string[];
  templateDirs?: string[];
  /** Seconds without requests and without running services before the server stops itself; 0 = never. */
  idleTimeoutSeconds?: number;
  portBase?: number;
  version: string;
  log?: (line: string) => void;
  /** YAML list of finished deployments to import before listening (demos and DORA tests). */
  seedHistoryFile?: string;
}

/** Written to `<state-dir>/serve.json` once listening: how clients find the running instance. */
export interface ServeInfo {
  pid: number;
  url: string;
  host: string;
  port: number;
  tokenFile: string;
  readOnlyTokenFile: string;
  stateDir: string;
  version: string;
  startedAt: string;
}

export interface RunningServer {
  info: ServeInfo;
  platform: LocalPlatform;
  /** Resolves once the server has stopped (SIGTERM, idle, or `stop()`). */
  stopped: Promise<string>;
  stop(reason?: string): Promise<void>;
}

export { defaultStateDir } from '../core/stateDir';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Reads a token file, or creates it (mode 0600) with a fresh random token. A token file others can read is refused. */
export function ensureToken(file: string): string {
  if (fs.existsSync(file)) {
    const st = fs.statSync(file);
    if ((st.mode & 0o077) !== 0) throw new PavedError('untrusted', `${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it or delete it`);
    const t = fs.readFileSync(file, 'utf8').trim();
    if (t.length >= 32) return t;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileAtomic(file, token + '\n', 0o600);
  fs.chmodSync(file, 0o600);
  return token;
}

/** The instance already serving this state dir, if its lock holder is alive and answers. */
export async function findRunning(stateDir: string): Promise<ServeInfo | undefined> {
  const info = readJson<ServeInfo>(path.join(stateDir, 'serve.json'));
  if (!info || !isAlive(info.pid)) return undefined;
  try {
    const res = await fetch(`${info.url}/v1/health`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 ? info : undefined;
  } catch (err) {
    if (err instanceof Error) return undefined; // not answering: not usable
    throw err;
  }
}

/** Takes `<state-dir>/serve.lock` (O_EXCL); a lock whose holder is dead is stale and replaced. */
function takeLock(stateDir: string): string {
  const lock = path.join(stateDir, 'serve.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
      if (Number.isFinite(holder) && holder !== process.pid && isAlive(holder)) {
        throw new PavedError('conflict', `another paved serve (pid ${holder}) holds ${lock}`);
      }
      fs.rmSync(lock, { force: true });
    }
  }
  throw new PavedError('conflict', `cannot take ${lock}`);
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const host = opts.host ?? '127.0.0.1';
  const stateDir = path.resolve(opts.stateDir ?? defaultStateDir());
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const tokenFile = path.resolve(opts.tokenFile ?? path.join(stateDir, 'token'));
  const readOnlyTokenFile = path.join(stateDir, 'token.readonly');
  if (!isLoopback(host) && !opts.tokenFile) {
    throw new PavedError('untrusted', `refusing to listen on ${host} (not loopback) without --token-file: anyone on the network could deploy`);
  }
  const token = ensureToken(tokenFile);
  const readOnlyToken = ensureToken(readOnlyTokenFile);
  const lock = takeLock(stateDir);

  let platform: LocalPlatform;
  try {
    platform = new LocalPlatform({
      stateDir,
      workspaces: (opts.workspaces ?? []).map((w) => path.resolve(w)),
      templateRoots: [findAsset('golden-paths'), ...(opts.templateDirs ?? []).map((d) => path.resolve(d))],
      portBase: opts.portBase,
      log,
    });
    await platform.load();
    if (opts.seedHistoryFile) platform.deployments.importHistory(readHistoryFile(opts.seedHistoryFile));
  } catch (err) {
    fs.rmSync(lock, { force: true });
    throw err;
  }

  let lastActivity = Date.now();
  // Editors poll the health of what runs; with nothing running that is not a reason to stay up.
  const onActivity = (operationId?: string): void => {
    if (operationId !== 'listServiceHealth') lastActivity = Date.now();
  };
  const api = new ApiServer(platformRoutes(platform, { version: opts.version }), { token, readOnlyToken, log, onActivity });
  const server = http.createServer(api.handle);
  server.keepAliveTimeout = 5000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
  } catch (err) {
    await platform.stop();
    fs.rmSync(lock, { force: true });
    throw new PavedError('io', `cannot listen on ${host}:${opts.port ?? 0}: ${describeError(err)}`, { cause: err });
  }
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const info: ServeInfo = {
    pid: process.pid,
    url: `http://${urlHost}:${addr.port}`,
    host,
    port: addr.port,
    tokenFile,
    readOnlyTokenFile,
    stateDir,
    version: opts.version,
    startedAt: new Date().toISOString(),
  };
  writeFileAtomic(path.join(stateDir, 'serve.json'), JSON.stringify(info, null, 1) + '\n', 0o600);

  let resolveStopped!: (reason: string) => void;
  const stopped = new Promise<string>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;
  const idleMs = (opts.idleTimeoutSeconds ?? 1800) * 1000;
  const idleTimer =
    idleMs > 0
      ? setInterval(
          () => {
            if (platform.runningServices() === 0 && !platform.busy() && api.openStreams() === 0 && Date.now() - lastActivity >= idleMs) {
              void stop(`idle for ${Math.round(idleMs / 1000)}s with no running service`);
            }
          },
          Math.min(idleMs, 5000),
        )
      : undefined;
  idleTimer?.unref();

  const stop = (reason = 'stopped'): Promise<void> => {
    stopping ??= (async () => {
      if (idleTimer) clearInterval(idleTimer);
      log(`paved serve: stopping (${reason})`);
      server.close();
      api.closeStreams();
      server.closeAllConnections();
      try {
        await platform.stop();
      } finally {
        const current = readJson<ServeInfo>(path.join(stateDir, 'serve.json'));
        if (current?.pid === process.pid) fs.rmSync(path.join(stateDir, 'serve.json'), { force: true });
        fs.rmSync(lock, { force: true });
        resolveStopped(reason);
      }
    })();
    return stopping;
  };
  return { info, platform, stopped, stop };
}
