/**
 * Watching a deployment's processes: a build followed to its exit, a started release polled until its health check
 * answers 200. Their log files are streamed into the deployment's events as they grow.
 */
import type { DeploymentEvent } from '../../core/api/types';
import { describeError } from '../../core/errors';
import type { EventLog } from '../events';
import { OutputEvents } from './output';
import { LogTail, type ProcessHost, type Spawned } from './processes';

/** One health request: the HTTP status that `GET http://127.0.0.1:<port><path>` answered (throws when none). */
export type HealthProbe = (port: number, healthPath: string) => Promise<number>;

export const httpProbe: HealthProbe = async (port, healthPath) => {
  const res = await fetch(`http://127.0.0.1:${port}${healthPath}`, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status;
};

export type Health = { ok: true } | { ok: false; reason: string };

/** A process's log file and where in it that process began writing (its size just before the process started). */
export interface ProcessLog {
  file: string;
  from: number;
}

const POLL_MS = 100;
const PROBE_EVERY_MS = 150;

/**
 * Streams a process's log into events (batched and capped: output.ts; `whole` says where all of it is) until it
 * exits, or the deployment is cancelled: then the group is stopped.
 */
export async function followToExit(host: ProcessHost, proc: Spawned, log: ProcessLog, events: EventLog<DeploymentEvent>, signal: AbortSignal, whole: string): Promise<number | string> {
  const output = new OutputEvents(events, 'build', whole);
  const tail = new LogTail(log.file, (lines) => output.add(lines), log.from);
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
    output.finish();
    signal.removeEventListener('abort', onAbort);
  }
}

/** Polls the health check until it answers 200, the process exits, `timeoutMs` pass or the deployment is cancelled. */
export async function waitHealthy(
  probe: HealthProbe,
  proc: Spawned,
  check: { port: number; healthPath: string; timeoutMs: number },
  log: ProcessLog,
  events: EventLog<DeploymentEvent>,
  signal: AbortSignal,
): Promise<Health> {
  const { port, healthPath, timeoutMs } = check;
  const output = new OutputEvents(events, 'start', log.file);
  const tail = new LogTail(log.file, (lines) => output.add(lines), log.from);
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  let attempts = 0;
  try {
    while (Date.now() < deadline && !signal.aborted) {
      tail.poll();
      if (proc.hasExited()) {
        tail.poll(true);
        return { ok: false, reason: `the process exited (${String(await proc.exited)}) before it became healthy` };
      }
      attempts++;
      try {
        const status = await probe(port, healthPath);
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
    tail.poll(true);
    output.finish();
  }
}
