/**
 * Per-resource event logs (deployments, scaffold tasks): numbered from 1, appended to a journal, and awaitable so the
 * HTTP layer can long-poll or stream them. A log is read from its journal on first use (the history of finished
 * deployments costs no memory until someone asks for it). Events marked not durable (process output, which the log
 * file has too) are appended without an fsync; state changes are fsynced.
 */
import { Journal } from './store';
import { Waiters } from './waiters';

export interface SeqEvent {
  seq: number;
  at: string;
}

export class EventLog<E extends SeqEvent> {
  private loaded: E[] | undefined;
  private readonly journal: Journal<E>;
  private readonly waiters = new Waiters();
  private finished = false;

  constructor(file: string) {
    this.journal = new Journal<E>(file);
  }

  private get events(): E[] {
    this.loaded ??= this.journal.readAll();
    return this.loaded;
  }

  get lastSeq(): number {
    const events = this.events;
    return events.length === 0 ? 0 : events[events.length - 1].seq;
  }

  get done(): boolean {
    return this.finished;
  }

  push(event: Omit<E, 'seq' | 'at'>, opts: { durable?: boolean } = {}): E {
    const e = { ...event, seq: this.lastSeq + 1, at: new Date().toISOString() } as E;
    this.journal.append(e, opts.durable ?? true);
    this.events.push(e);
    this.wake();
    return e;
  }

  /** No more events will come (the resource reached a terminal state). */
  finish(): void {
    this.finished = true;
    this.journal.close();
    this.wake();
  }

  after(seq: number): E[] {
    // seq numbers are dense from 1, so the index is seq.
    return this.events.slice(Math.max(0, seq));
  }

  /** Resolves when an event after `seq` exists, the log finishes, `ms` pass or the signal aborts. */
  wait(seq: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.lastSeq > seq || this.finished || ms <= 0 || signal?.aborted) return Promise.resolve();
    return this.waiters.wait(ms, signal);
  }

  private wake(): void {
    this.waiters.wake();
  }
}
