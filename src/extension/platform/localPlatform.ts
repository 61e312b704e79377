import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PlatformError } from '../../platform/errors';
import { readTokenFile, type LocalServeInfo } from '../../platform/local';
import type { Logger } from '../log';

/** A running `paved serve` as recorded in its state directory (`serve.json`, see src/platform/local.ts). */
export type LocalServerRecord = LocalServeInfo;

/** Finds the live `paved serve` of a state directory: undefined when none is recorded or its process is gone. */
export type LocalServerLocator = (stateDir: string) => Promise<LocalServerRecord | undefined>;

export interface LocalInstance extends LocalServerRecord {
  token: string;
  /** True when this call started the process; false when it reused one (another window's, or an earlier one). */
  started: boolean;
}

export interface LocalPlatformOptions {
  /** `<globalStorage>/local-platform`. */
  stateDir: string;
  /** Path of dist/cli.js inside the installed extension. */
  cliPath: string;
  log: Logger;
  locate: LocalServerLocator;
  /** The Node binary: `process.execPath` (the extension host's Electron/Node, run with ELECTRON_RUN_AS_NODE=1). */
  nodePath?: string;
  /** How long to wait for a freshly started server to record itself. */
  startTimeoutMs?: number;
}

/** Whether a process exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded local platform. `ensureRunning` reuses the instance recorded in the state directory (several windows
 * share one) or starts `paved serve` as a detached process group that outlives the window: a reload kills neither the
 * server nor the deployments and services it runs. Its output goes to `<stateDir>/serve.log`.
 */
export class LocalPlatform {
  private starting: Promise<LocalInstance> | undefined;

  constructor(private readonly options: LocalPlatformOptions) {}

  get stateDir(): string {
    return this.options.stateDir;
  }

  get logFile(): string {
    return path.join(this.options.stateDir, 'serve.log');
  }

  async ensureRunning(workspaces: string[]): Promise<LocalInstance> {
    // One start at a time per window; a second caller waits for the first.
    this.starting ??= this.findOrStart(workspaces).finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** The token of the running instance, re-read (after a 401 the server may have been restarted with a new one). */
  async readToken(): Promise<string | undefined> {
    const record = await this.options.locate(this.options.stateDir);
    return record ? readTokenFile(record.tokenFile) : undefined;
  }

  /** Stops the recorded instance with SIGTERM (it stops what it started); undefined when none was running. */
  async stop(): Promise<LocalServerRecord | undefined> {
    const record = await this.options.locate(this.options.stateDir);
    if (!record || !isAlive(record.pid)) return undefined;
    this.options.log.info(`stopping local platform pid ${record.pid}`);
    process.kill(record.pid, 'SIGTERM');
    // Wait until it is gone (it stops the services it started first), so that whatever runs next starts a fresh
    // instance instead of reusing the one that is shutting down.
    const deadline = Date.now() + 15_000;
    while (isAlive(record.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(record.pid)) this.options.log.warn(`local platform pid ${record.pid} is still shutting down after 15 s`);
    return record;
  }

  private async findOrStart(workspaces: string[]): Promise<LocalInstance> {
    const existing = await this.options.locate(this.options.stateDir);
    if (existing) return { ...existing, token: await this.token(existing), started: false };
    return this.start(workspaces);
  }

  private token(record: LocalServerRecord): Promise<string> {
    return readTokenFile(record.tokenFile);
  }

  private async start(workspaces: string[]): Promise<LocalInstance> {
    const { stateDir, cliPath, log } = this.options;
    if (!fs.existsSync(cliPath)) {
      throw new PlatformError('unreachable', `The local platform cannot start: ${cliPath} is missing (is Paved installed completely?).`, {
        action: 'show-log',
      });
    }
    await fs.promises.mkdir(stateDir, { recursive: true, mode: 0o700 });
    const args = [cliPath, 'serve', '--state-dir', stateDir, ...workspaces.flatMap((w) => ['--workspace', w]), '--json'];
    log.info(`starting local platform: ${path.basename(this.options.nodePath ?? process.execPath)} ${args.join(' ')}`);
    const fd = fs.openSync(this.logFile, 'a', 0o600);
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    try {
      const child = spawn(this.options.nodePath ?? process.execPath, args, {
        cwd: stateDir,
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        detached: true,
        stdio: ['ignore', fd, fd],
        windowsHide: true,
      });
      child.once('exit', (code, signal) => (exited = { code, signal }));
      child.once('error', (err) => (spawnError = err));
      child.unref();
    } finally {
      fs.closeSync(fd);
    }
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 20_000);
    // The server records itself (lock/port file) once it listens. Whether ours or a concurrent window's won the
    // lock, the recorded one is the instance to use. Poll the state dir: the process is not ours to await otherwise.
    for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
      const record = await this.options.locate(stateDir);
      if (record) return { ...record, token: await this.token(record), started: true };
      if (spawnError) throw new PlatformError('unreachable', `The local platform could not start: ${spawnError.message}`, { action: 'show-log', cause: spawnError });
      if (exited) {
        throw new PlatformError(
          'unreachable',
          `The local platform exited at start (${exited.code ?? exited.signal}). ${this.logTail()}`.trim(),
          { action: 'show-log' },
        );
      }
      if (Date.now() > deadline) {
        throw new PlatformError('unreachable', `The local platform did not start within ${Math.round((this.options.startTimeoutMs ?? 20_000) / 1000)} s. See ${this.logFile}.`, {
          action: 'show-log',
        });
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private logTail(): string {
    try {
      const lines = fs.readFileSync(this.logFile, 'utf8').trim().split('\n');
      return lines.slice(-3).join(' ').slice(0, 400);
    } catch (err) {
      this.options.log.warn(`cannot read ${this.logFile}: ${String(err)}`);
      return '';
    }
  }
}

