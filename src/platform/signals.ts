/**
 * Cancellation for the transport: AbortSignals from VS Code tokens, linked signals, the `cancelled` error, and the
 * real clock whose sleep honours an AbortSignal.
 */
import { PlatformError } from './errors';
import type { Clock } from './transportTypes';

/** The part of a VS Code CancellationToken the transport needs (no vscode import here). */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** An AbortSignal that aborts when `token` is cancelled; dispose it when the operation ends. */
export function abortSignalFrom(token: CancellationLike | undefined): { signal: AbortSignal; dispose(): void } {
  const ctl = new AbortController();
  if (!token) return { signal: ctl.signal, dispose: () => undefined };
  if (token.isCancellationRequested) {
    ctl.abort();
    return { signal: ctl.signal, dispose: () => undefined };
  }
  const sub = token.onCancellationRequested(() => ctl.abort());
  return { signal: ctl.signal, dispose: () => sub.dispose() };
}

/**
 * An AbortSignal that aborts when any of `signals` does (with that signal's reason). `AbortSignal.any` needs
 * Node 20.3; VS Code 1.85's extension host runs Node 18, hence this. Call `dispose` when the operation ends so a
 * long-lived signal does not collect listeners.
 */
export function linkedSignal(...signals: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose(): void } {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 1) return { signal: present[0], dispose: () => undefined };
  const ctl = new AbortController();
  const already = present.find((s) => s.aborted);
  if (already) {
    ctl.abort(already.reason);
    return { signal: ctl.signal, dispose: () => undefined };
  }
  const unlink: (() => void)[] = [];
  for (const s of present) {
    const onAbort = () => {
      ctl.abort(s.reason);
      for (const u of unlink) u();
    };
    s.addEventListener('abort', onAbort, { once: true });
    unlink.push(() => s.removeEventListener('abort', onAbort));
  }
  return { signal: ctl.signal, dispose: () => unlink.forEach((u) => u()) };
}

// ---------------------------------------------------------------------------------------------------------------
// Clock

export const realClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(cancelledError());
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(cancelledError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export function cancelledError(init: { method?: string; path?: string } = {}): PlatformError {
  return new PlatformError('cancelled', 'Cancelled.', { ...init, action: 'none' });
}
