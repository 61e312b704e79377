/**
 * Fakes for the server's unit tests: a process host whose processes are plain objects (a command either exits at once
 * with a code or runs until stopped), a health probe answering from a table, temp dirs and a settable clock.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProcessHost, Spawned } from '../../../src/server/deploy/processes';
import { formatRecord, runBase, type ServiceLogTarget } from '../../../src/server/deploy/serviceLogs';
import type { HealthProbe } from '../../../src/server/deploy/watch';
import type { EventLog, SeqEvent } from '../../../src/server/events';

export interface FakeBehaviour {
  /** Exit as soon as it started with this code (a build); without it the process runs until stopped. */
  exitCode?: number | string;
  /** Lines the process writes to its log file as it starts. */
  log?: string[];
}

export interface Spawn {
  pid: number;
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
}

export class FakeHost implements ProcessHost {
  private nextPid = 5000;
  private readonly finishers = new Map<number, (code: number | string) => void>();
  readonly spawned: Spawn[] = [];
  readonly stopped: number[] = [];
  /** Pids that run; spawned ones join while they run. */
  readonly alive = new Set<number>();
  /** Pids that carry this platform's PAVED_OWNER mark (spawned ones always do). */
  readonly owned = new Set<number>();
  readonly busyPorts = new Set<number>();

  constructor(public behaviour: (command: string) => FakeBehaviour = () => ({})) {}

  /** A service: like `spawn`, its lines written as log-writer records (stdout) to the run's first file. */
  spawnService(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; log: ServiceLogTarget }): Spawned {
    const logFile = path.join(opts.log.dir, `${runBase(opts.log.run, opts.log.release)}.1.log`);
    return this.spawn(command, { ...opts, logFile }, (l) => `${formatRecord({ at: Date.now(), kind: 'o', truncated: false, text: l })}\n`);
  }

  spawn(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }, format: (line: string) => string = (l) => `${l}\n`): Spawned {
    const pid = this.nextPid++;
    const b = this.behaviour(command);
    this.spawned.push({ pid, command, cwd: opts.cwd, env: opts.env, logFile: opts.logFile });
    let done = false;
    let resolve!: (code: number | string) => void;
    const exited = new Promise<number | string>((r) => (resolve = r));
    this.alive.add(pid);
    this.owned.add(pid);
    this.finishers.set(pid, (code) => {
      if (done) return;
      done = true;
      this.alive.delete(pid);
      resolve(code);
    });
    // Like a real process, it starts after spawn returns: writes its log, then (a build) exits.
    setImmediate(() => {
      if (b.log) {
        fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
        fs.appendFileSync(opts.logFile, b.log.map(format).join(''));
      }
      if (b.exitCode !== undefined) this.finishers.get(pid)?.(b.exitCode);
    });
    return { pid, exited, hasExited: () => done };
  }

  /** A process ends on its own (a crash). */
  exit(pid: number, code: number | string = 1): void {
    this.finishers.get(pid)?.(code);
    this.alive.delete(pid);
  }

  isAlive(pid: number): boolean {
    return this.alive.has(pid);
  }

  isOwnedBy(pid: number): boolean {
    return this.owned.has(pid);
  }

  stop(pgid: number): Promise<void> {
    this.stopped.push(pgid);
    this.exit(pgid, 'SIGTERM');
    return Promise.resolve();
  }

  portFree(port: number): Promise<boolean> {
    return Promise.resolve(!this.busyPorts.has(port));
  }

  /**
   * Health requests: a process started with PORT=port and still running answers with `status()`; otherwise the
   * connection is refused. Answers come a turn of the event loop later, as over a socket.
   */
  probe(status: () => number): HealthProbe {
    return async (port) => {
      await new Promise((r) => setImmediate(r));
      const listening = this.spawned.some((s) => s.env.PORT === String(port) && this.alive.has(s.pid));
      if (!listening) throw new Error(`connect ECONNREFUSED 127.0.0.1:${port}`);
      return status();
    };
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `paved-${prefix}-`));
}

/** A clock tests move by hand. */
export function clock(start = '2026-03-01T10:00:00.000Z'): { now: () => Date; set(iso: string): void; advance(ms: number): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (iso) => {
      t = new Date(iso).getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Resolves once the log has finished (its resource reached a terminal state). */
export async function finished<E extends SeqEvent>(log: EventLog<E>): Promise<E[]> {
  while (!log.done) await log.wait(log.lastSeq, 60_000);
  return log.after(0);
}

/** Resolves with the first event that matches (waiting for it to come). */
export async function eventWhere<E extends SeqEvent>(log: EventLog<E>, match: (e: E) => boolean): Promise<E> {
  for (let seen = 0; ; ) {
    const hit = log.after(seen).find(match);
    if (hit) return hit;
    if (log.done) throw new Error('the log finished without such an event');
    seen = log.lastSeq;
    await log.wait(seen, 60_000);
  }
}

/** The error a function throws (fails the test when it does not). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
