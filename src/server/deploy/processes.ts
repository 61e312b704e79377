/**
 * Child processes of the local platform: every build and service runs in its own process group (detached), writes to
 * a log file (so it does not depend on the server staying alive; a service through the log writer, logWriter.ts), and
 * carries PAVED_OWNER in its environment so a restarted server can recognise — and only then stop — what an earlier
 * instance started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { logWriterInvocation } from './logWriter';
import type { ServiceLogTarget } from './serviceLogs';

export interface Spawned {
  pid: number;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  hasExited(): boolean;
}

export function spawnLogged(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Spawned {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a', 0o600);
  try {
    return track(spawn('/bin/sh', ['-c', command], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', fd, fd] }));
  } finally {
    fs.closeSync(fd);
  }
}

/** Starts a service behind the log writer, in a group of its own whose id is the writer's pid. */
export function spawnService(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; log: ServiceLogTarget }): Spawned {
  const w = logWriterInvocation(command, opts.log);
  return track(spawn(w.file, w.args, { cwd: opts.cwd, env: { ...opts.env, ...w.env }, detached: true, stdio: 'ignore' }));
}

function track(child: ChildProcess): Spawned {
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      done = true;
      resolve(`spawn error: ${err.message}`);
    });
  });
  if (child.pid === undefined) {
    // spawn failed synchronously; 'error' resolves `exited`.
    return { pid: -1, exited, hasExited: () => true };
  }
  return { pid: child.pid, exited, hasExited: () => done };
}

/** Whether the process exists and still runs (a zombie waiting to be reaped does not count, on Linux). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false; // opened while the process was being reaped
    if (code === 'ENOENT') return process.platform !== 'linux';
    throw err;
  }
}

/** True when /proc says the process carries `PAVED_OWNER=<owner>` (Linux). Elsewhere: false (never kill blindly). */
export function isOwnedBy(pid: number, owner: string): boolean {
  try {
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
    return env.split('\0').includes(`PAVED_OWNER=${owner}`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ESRCH') return false;
    throw err;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Whether any non-zombie process is left in the group (zombies wait for a reaper but no longer run). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!fs.existsSync('/proc/self/stat')) return true;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') continue; // exited meanwhile
      throw err;
    }
    // pid (comm) state ppid pgrp ...: comm may contain spaces, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when the group is gone. */
export async function stopGroup(pgid: number, graceMs = 3000): Promise<void> {
  if (pgid <= 0) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (groupAlive(pgid)) {
    signalGroup(pgid, 'SIGKILL');
    const hard = Date.now() + 2000;
    while (groupAlive(pgid) && Date.now() < hard) await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads what a log file gained since the last call and hands over complete lines. */
export class LogTail {
  private offset: number;
  private partial = '';

  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
  ) {
    this.offset = fs.existsSync(file) ? fs.statSync(file).size : 0;
  }

  poll(final = false): void {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.partial += buf.toString('utf8', 0, n);
      }
    } finally {
      fs.closeSync(fd);
    }
    const lines = this.partial.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.onLine(l.replace(/\r$/, ''));
    if (final && this.partial !== '') {
      this.onLine(this.partial);
      this.partial = '';
    }
  }
}

/** True when nothing listens on 127.0.0.1:port (we could bind it). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** What the deploy room asks of the operating system: the functions above, or a fake in tests. */
export interface ProcessHost {
  /** A build: its output to `logFile` as it comes. */
  spawn(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Spawned;
  /** A service: behind the log writer (logWriter.ts), its output as records in the run's log files. */
  spawnService(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; log: ServiceLogTarget }): Spawned;
  isAlive(pid: number): boolean;
  isOwnedBy(pid: number, owner: string): boolean;
  /** Stops a process group (see stopGroup). */
  stop(pgid: number, graceMs?: number): Promise<void>;
  portFree(port: number): Promise<boolean>;
}

export const systemHost: ProcessHost = { spawn: spawnLogged, spawnService, isAlive, isOwnedBy, stop: stopGroup, portFree };
