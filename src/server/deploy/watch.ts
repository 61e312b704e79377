/**
 * Watching a deployment's processes: a build followed to its exit, a started release polled until its health check
 * answers 200. Their log files are streamed into the deployment's events as they grow. The health probe is shared
 * with the operations room, which keeps probing every running release.
 */
import * as http from 'node:http';
import type { DeploymentEvent } from '../../core/api/types';
import { describeError } from '../../core/errors';
import type { EventLog } from '../events';
import { LogTail, type ProcessHost, type Spawned } from './processes';
import type { RunTail } from './serviceLogs';

/** One health request: the HTTP status that `GET http://127.0.0.1:<port><path>` answered (throws when none or too late). */
export type HealthProbe = (port: number, healthPath: string, timeoutMs?: number) => Promise<number>;

/**
 * Probes reuse their connections, so probing many services often stays cheap. An idle connection is closed after 4 s,
 * before a typical server's keep-alive timeout (5 s) would; one the server closed anyway is retried once, fresh.
 */
const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, timeout: 4000 });

export const httpProbe: HealthProbe = (port, healthPath, timeoutMs = 2000) => probeOnce(port, healthPath, timeoutMs, true);

function probeOnce(port: number, healthPath: string, timeoutMs: number, retry: boolean): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: healthPath, agent: probeAgent, headers: { 'user-agent': 'paved-health-probe' } }, (res) => {
      res.resume();
      res.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      res.once('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (retry && req.reusedSocket && err.code === 'ECONNRESET') resolve(probeOnce(port, healthPath, timeoutMs, false));
      else reject(err);
    });
  });
}

export type Health = { ok: true } | { ok: false; reason: string };

const POLL_MS = 100;
const PROBE_EVERY_MS = 150;

/** Streams a process's log into events until it exits (or the deployment is cancelled: then the group is stopped). */
export async function followToExit(host: ProcessHost, proc: Spawned, logFile: string, events: EventLog<DeploymentEvent>, signal: AbortSignal): Promise<number | string> {
  const tail = new LogTail(logFile, (line) => events.push({ type: 'log', step: 'build', stream: 'stdout', message: line }));
  const onAbort = (): void => void host.stop(proc.pid);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!proc.hasExited()) {
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, POLL_MS))]);
      tail.poll();
    }
    tail.poll(true);
    return await proc.exited;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Polls the health check until it answers 200, the process exits, `timeoutMs` pass or the deployment is cancelled. */
export async function waitHealthy(
  probe: HealthProbe,
  proc: Spawned,
  check: { port: number; healthPath: string; timeoutMs: number },
  logs: RunTail,
  events: EventLog<DeploymentEvent>,
  signal: AbortSignal,
): Promise<Health> {
  const { port, healthPath, timeoutMs } = check;
  // The service's own lines (not the platform's started/exited records: the deployment tells those itself).
  const pollLog = (): void => {
    for (const r of logs.poll()) if (r.kind !== 's') events.push({ type: 'log', step: 'start', stream: r.kind === 'e' ? 'stderr' : 'stdout', message: r.text });
  };
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  let attempts = 0;
  try {
    while (Date.now() < deadline && !signal.aborted) {
      pollLog();
      if (proc.hasExited()) {
        pollLog();
        return { ok: false, reason: `the process exited (${String(await proc.exited)}) before it became healthy` };
      }
      attempts++;
      try {
        const status = await probe(port, healthPath, 2000);
        if (status === 200) return { ok: true };
        last = `GET ${healthPath} answered ${status}`;
        if (attempts === 1 || attempts % 10 === 0) events.push({ type: 'health', step: 'health', message: last });
      } catch (err) {
        last = `GET ${healthPath}: ${describeError(err)}`;
      }
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
    }
    return { ok: false, reason: `${last} (timed out after ${Math.round(timeoutMs / 1000)}s)` };
  } finally {
    pollLog();
  }
}
