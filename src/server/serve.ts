/**
 * `paved serve` as a library: token files, the lock/port file shared by every VS Code window, listening, idle stop and
 * clean shutdown (every service it started is stopped).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { newChallenge, newInstanceId, verifyIdentity } from '../core/api/identity';
import { PavedError, describeError } from '../core/errors';
import { ApiServer, KEEP_ALIVE_TIMEOUT_MS } from './http';
import { LocalPlatform } from './platform';
import { platformRoutes } from './routes';
import { findAsset } from './assets';
import { readHistoryFile } from './deploy/historyImport';
import { isAlive } from './deploy/processes';
import { holdsLock, prepareStateDir, releaseLock, rotateToken, takeLock, userToken } from './instance';
import { writeFileAtomic, readJson } from './store';
import { warmUp } from './warmUp';
import { defaultStateDir } from '../core/stateDir';

export interface ServeOptions {
  host?: string;
  port?: number;
  stateDir?: string;
  tokenFile?: string;
  workspaces?: string[];
  templateDirs?: string[];
  /** Directories (or files) of resource type definitions. */
  resourceDirs?: string[];
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
  /** Drawn afresh at every start; the instance proves it knows its token for it (see core/api/identity.ts). */
  instanceId: string;
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

/**
 * The instance already serving this state dir: its lock holder is alive and the listener at its address proves it is
 * that instance (the identity challenge of `GET /v1/health`, keyed by the token in its token file).
 */
export async function findRunning(stateDir: string): Promise<ServeInfo | undefined> {
  let info: ServeInfo | undefined;
  try {
    info = readJson<ServeInfo>(path.join(stateDir, 'serve.json'));
  } catch (err) {
    if (PavedError.is(err, 'io')) return undefined; // unreadable: no instance to reuse (a start writes it anew)
    throw err;
  }
  if (!info || !isAlive(info.pid) || typeof info.instanceId !== 'string') return undefined;
  let token: string;
  try {
    token = fs.readFileSync(info.tokenFile, 'utf8').trim();
  } catch (err) {
    if (err instanceof Error) return undefined; // no token to check with: not usable
    throw err;
  }
  const challenge = newChallenge();
  try {
    const res = await fetch(`${info.url}/v1/health?challenge=${challenge}`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { instanceId?: unknown; proof?: unknown };
    return res.status === 200 && body.instanceId === info.instanceId && verifyIdentity(token, info.instanceId, challenge, body.proof) ? info : undefined;
  } catch (err) {
    if (err instanceof Error) return undefined; // not answering: not usable
    throw err;
  }
}

/** The pid serve.json records; undefined when it is missing or unreadable. */
function recordedPid(stateDir: string): number | undefined {
  try {
    return readJson<ServeInfo>(path.join(stateDir, 'serve.json'))?.pid;
  } catch (err) {
    if (PavedError.is(err, 'io')) return undefined;
    throw err;
  }
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const host = opts.host ?? '127.0.0.1';
  const stateDir = path.resolve(opts.stateDir ?? defaultStateDir());
  const tokenFile = path.resolve(opts.tokenFile ?? path.join(stateDir, 'token'));
  const readOnlyTokenFile = path.join(stateDir, 'token.readonly');
  if (!isLoopback(host) && !opts.tokenFile) {
    throw new PavedError('untrusted', `refusing to listen on ${host} (not loopback) without --token-file: anyone on the network could deploy`);
  }
  prepareStateDir(stateDir, log);
  // The lock first: a start that loses the race writes nothing, so the token files always belong to the holder.
  const lock = takeLock(stateDir);

  let platform: LocalPlatform;
  let token: string;
  let readOnlyToken: string;
  try {
    // A fresh token on every start (a stale serve.json's token opens nothing); a --token-file is the user's own.
    token = opts.tokenFile ? userToken(tokenFile) : rotateToken(tokenFile);
    readOnlyToken = rotateToken(readOnlyTokenFile);
    platform = new LocalPlatform({
      stateDir,
      workspaces: (opts.workspaces ?? []).map((w) => path.resolve(w)),
      templateRoots: [findAsset('golden-paths'), ...(opts.templateDirs ?? []).map((d) => path.resolve(d))],
      resourceDirs: (opts.resourceDirs ?? []).map((d) => path.resolve(d)),
      portBase: opts.portBase,
      log,
    });
    await platform.load();
    if (opts.seedHistoryFile) platform.deployments.importHistory(readHistoryFile(opts.seedHistoryFile));
  } catch (err) {
    releaseLock(lock);
    throw err;
  }

  const instanceId = newInstanceId();
  let lastActivity = Date.now();
  // Editors poll the health of what runs; with nothing running that is not a reason to stay up.
  const onActivity = (operationId?: string): void => {
    if (operationId !== 'listServiceHealth') lastActivity = Date.now();
  };
  const wildcard = host === '0.0.0.0' || host === '::';
  const api = new ApiServer(platformRoutes(platform, { version: opts.version, identity: { instanceId, token, readOnlyToken } }), {
    token,
    readOnlyToken,
    log,
    onActivity,
    hosts: wildcard ? [os.hostname()] : [host],
    anyIpHost: wildcard,
  });
  const server = http.createServer(api.handle);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
  } catch (err) {
    await platform.stop();
    releaseLock(lock);
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
    instanceId,
  };
  // Pay the first request's cold start here, before any client is told where to connect (see warmUp.ts).
  const loopbackAddress = isLoopback(addr.address) ? addr.address : wildcard ? (addr.family === 'IPv6' ? '::1' : '127.0.0.1') : undefined;
  if (loopbackAddress) await warmUp(loopbackAddress, addr.port, readOnlyToken, log);
  if (!holdsLock(lock)) {
    server.close();
    await platform.stop();
    throw new PavedError('conflict', `${lock} was taken over by another paved serve while this one started`);
  }
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
        if (recordedPid(stateDir) === process.pid) fs.rmSync(path.join(stateDir, 'serve.json'), { force: true });
        releaseLock(lock);
        resolveStopped(reason);
      }
    })();
    return stopping;
  };
  return { info, platform, stopped, stop };
}
