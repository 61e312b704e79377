/**
 * Callers waiting for something to change (long polls, log follows): each wait ends on the next `wake()`, after its
 * time limit, or when its signal aborts — whichever comes first — and leaves nothing registered behind.
 */
export class Waiters {
  private readonly waiting = new Set<() => void>();

  /** Resolves on the next `wake()`, after `ms`, or when the signal aborts. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiting.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Ends every wait in progress. */
  wake(): void {
    for (const w of [...this.waiting]) w();
  }
}
