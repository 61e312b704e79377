/**
 * Following a running service's logs, for every face (the editor's log channels, `paved logs --follow`): lines come as
 * they are written; when the platform becomes unreachable the follow waits and resumes after the last line it got —
 * none lost, none twice — until the caller stops it. Errors that waiting cannot fix (unknown service, no permission,
 * a platform without live operations) end it.
 */
import type { LogLine } from '../../core/api/operations';
import { isCancellation } from '../../core/errors';
import type { PlatformBackend } from '../backend';
import { PlatformError } from '../errors';
import { assertOperations } from './operate';

export interface LogFollowObserver {
  line(line: LogLine): void;
  /** The stream dropped (`error`); the next attempt comes after `delayMs`. */
  reconnecting?(error: unknown, delayMs: number, attempt: number): void;
  /** A line came again after reconnecting. */
  resumed?(): void;
}

export interface LogFollowOptions {
  /** Resume after this line's cursor (a reload, an earlier follow). */
  after?: string;
  /** Without `after`: start with the last N lines (default 0: only new ones). */
  tail?: number;
  signal: AbortSignal;
  observer: LogFollowObserver;
  /** Longest wait between reconnection attempts (default 30 s; they start at 0.5 s and double). */
  maxDelayMs?: number;
}

const RETRYABLE = new Set(['unreachable', 'timeout', 'server-error', 'invalid-response']);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Follows until `signal` aborts; resolves then. Returns the cursor of the last line seen. */
export async function followLogs(backend: PlatformBackend, service: string, environment: string, o: LogFollowOptions): Promise<string | undefined> {
  assertOperations(backend);
  let after = o.after;
  let attempt = 0;
  while (!o.signal.aborted) {
    try {
      for await (const line of backend.operations.followLogs(service, environment, { after, tail: after === undefined ? o.tail : undefined, signal: o.signal })) {
        after = line.cursor;
        if (attempt > 0) {
          attempt = 0;
          o.observer.resumed?.();
        }
        o.observer.line(line);
      }
    } catch (err) {
      if (o.signal.aborted || isCancellation(err)) break;
      if (!(err instanceof PlatformError) || !RETRYABLE.has(err.code)) throw err;
      attempt++;
      const delay = Math.min(o.maxDelayMs ?? 30_000, 500 * 2 ** (attempt - 1));
      o.observer.reconnecting?.(err, delay, attempt);
      await sleep(delay, o.signal);
    }
  }
  return after;
}
