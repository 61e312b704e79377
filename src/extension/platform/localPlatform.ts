import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PlatformError } from '../../platform/errors';
import { SERVE_NODE_OPTIONS, defaultLocalStateDir, findLocalPlatform, localTokenProvider, readTokenFile, type LocalServeInfo } from '../../platform/local';
import { PavedApiBackend } from '../../platform/paved/backend';
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

/** What a window needs of the running instance to add its folders to the catalog (`/v1/workspaces/{id}`). */
export interface WorkspaceClient {
  attachWorkspace(id: string, request: { folders: string[]; pid?: number; label?: string }): Promise<unknown>;
  detachWorkspace(id: string): Promise<void>;
  dispose(): void;
}

export interface LocalPlatformOptions {
  /**
   * Default: the state directory the CLI and `paved serve` use too (`$PAVED_STATE_DIR`, else `$XDG_STATE_HOME/paved`,
   * else `~/.local/state/paved`), so `paved services` sees what every window sees.
   */
  stateDir?: string;
  /** Where earlier versions kept it (`<globalStorage>/local-platform`): an instance still running there is logged. */
  legacyStateDir?: string;
  /** Path of dist/cli.js inside the installed extension. */
  cliPath: string;
  log: Logger;
  locate: LocalServerLocator;
  /** The Node binary: `process.execPath` (the extension host's Electron/Node, run with ELECTRON_RUN_AS_NODE=1). */
  nodePath?: string;
  /** How long to wait for a freshly started server to record itself. */
  startTimeoutMs?: number;
  /** Package root holding schemas/platform-api.yaml (the extension's path); found from this module when absent. */
  packageRoot?: string;
  /** This window's attachment id. Default `window-<pid>-<random>`. */
  windowId?: string;
  /** The process whose exit ends this window's attachment. Default: this extension host (`process.pid`). */
  pid?: number;
  /** Client for the attachment calls (tests). Default: the Paved API client with the instance's token. */
  client?: (instance: LocalInstance) => WorkspaceClient;
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
 * — and the CLI — share one) or starts `paved serve` as a detached process group that outlives the window: a reload
 * kills neither the server nor the deployments and services it runs. Its output goes to `<stateDir>/serve.log`.
 *
 * Each window adds its own workspace folders to the instance's catalog (`PUT /v1/workspaces/<windowId>` with this
 * extension host's pid) and removes them when it closes (`detach`); if it never gets to, the platform drops them once
 * the extension host's process is gone. The instance is started without `--workspace`: its folders are the windows'.
 */
export class LocalPlatform {
  private starting: Promise<LocalInstance> | undefined;
  readonly stateDir: string;
  private windowIdValue: string | undefined;
  /** The instance this window's folders were last attached to, and those folders. */
  private attached: { instance: LocalInstance; folders: string[] } | undefined;

  constructor(private readonly options: LocalPlatformOptions) {
    this.stateDir = path.resolve(options.stateDir ?? defaultLocalStateDir());
    this.windowIdValue = options.windowId;
  }

  /** This window's name in the local platform's catalog (made on first use: activation does nothing but registration). */
  get windowId(): string {
    return (this.windowIdValue ??= `window-${process.pid}-${randomBytes(4).toString('hex')}`);
  }

  get logFile(): string {
    return path.join(this.stateDir, 'serve.log');
  }

  /** Finds or starts the instance and attaches this window's folders to its catalog. */
  async ensureRunning(workspaces: string[]): Promise<LocalInstance> {
    // One start at a time per window; a second caller waits for the first.
    this.starting ??= this.findOrStart()
      .then(async (instance) => {
        await this.attach(instance, workspaces);
        return instance;
      })
      .finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** The window's folders changed: attach the new set to the instance in use (false when none is attached yet). */
  async updateFolders(workspaces: string[]): Promise<boolean> {
    const current = this.attached;
    if (!current || !isAlive(current.instance.pid)) return false;
    await this.attach(current.instance, workspaces);
    return true;
  }

  /** Removes this window's folders from the instance's catalog (the window closes). Never throws: logs. */
  async detach(): Promise<void> {
    const current = this.attached;
    this.attached = undefined;
    if (!current || !isAlive(current.instance.pid)) return;
    const client = this.client(current.instance);
    try {
      await client.detachWorkspace(this.windowId);
      this.options.log.info(`detached this window's folders from the local platform (pid ${current.instance.pid})`);
    } catch (err) {
      // The platform drops them by itself once this extension host's process has exited.
      this.options.log.warn(`could not detach this window's folders from the local platform: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      client.dispose();
    }
  }

  private client(instance: LocalInstance): WorkspaceClient {
    if (this.options.client) return this.options.client(instance);
    return new PavedApiBackend({ kind: 'local', baseUrl: instance.url, token: localTokenProvider(this.stateDir, instance), packageRoot: this.options.packageRoot, timeoutMs: 10_000 });
  }

  private async attach(instance: LocalInstance, folders: string[]): Promise<void> {
    const client = this.client(instance);
    try {
      await client.attachWorkspace(this.windowId, { folders, pid: this.options.pid ?? process.pid, label: `VS Code window (extension host pid ${this.options.pid ?? process.pid})` });
      this.attached = { instance, folders };
      this.options.log.info(`attached ${folders.length} workspace folder(s) to the local platform (pid ${instance.pid}) as ${this.windowId}`);
    } catch (err) {
      if (!(err instanceof PlatformError) || err.code !== 'not-found') throw err;
      // An instance from an earlier Paved version: it serves only the folders it was started with.
      this.attached = { instance, folders };
      this.options.log.warn(
        `the running local platform (pid ${instance.pid}${instance.version ? `, version ${instance.version}` : ''}) cannot add this window's folders to its catalog; run "Paved: Stop Local Platform" to start a current one`,
      );
    } finally {
      client.dispose();
    }
  }

  /** The token of the running instance, re-read (after a 401 the server may have been restarted with a new one). */
  async readToken(): Promise<string | undefined> {
    const record = await this.options.locate(this.stateDir);
    return record ? readTokenFile(record.tokenFile) : undefined;
  }

  /** True when an instance runs (serve.json names a live process); starts nothing. */
  async isRunning(): Promise<boolean> {
    const record = await this.options.locate(this.stateDir);
    return record !== undefined && isAlive(record.pid);
  }

  /** Stops the recorded instance with SIGTERM (it stops what it started); undefined when none was running. */
  async stop(): Promise<LocalServerRecord | undefined> {
    const record = await this.options.locate(this.stateDir);
    this.attached = undefined;
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

  private async findOrStart(): Promise<LocalInstance> {
    const existing = await this.options.locate(this.stateDir);
    if (existing) return { ...existing, token: await this.token(existing), started: false };
    await this.reportLegacy();
    return this.start();
  }

  /** An instance an earlier Paved version started in its own state directory keeps running; say how to stop it. */
  private async reportLegacy(): Promise<void> {
    const legacy = this.options.legacyStateDir;
    if (!legacy || path.resolve(legacy) === this.stateDir) return;
    try {
      const old = await findLocalPlatform(legacy);
      if (old) this.options.log.warn(`a local platform started by an earlier Paved version still runs from ${legacy} (pid ${old.pid}, ${old.url}); it is no longer used: stop it with kill ${old.pid}`);
    } catch (err) {
      this.options.log.warn(`cannot check ${legacy} for an earlier local platform: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private token(record: LocalServerRecord): Promise<string> {
    return readTokenFile(record.tokenFile);
  }

  private async start(): Promise<LocalInstance> {
    const { cliPath, log } = this.options;
    const stateDir = this.stateDir;
    if (!fs.existsSync(cliPath)) {
      throw new PlatformError('unreachable', `The local platform cannot start: ${cliPath} is missing (is Paved installed completely?).`, {
        action: 'show-log',
      });
    }
    await fs.promises.mkdir(stateDir, { recursive: true, mode: 0o700 });
    // No --workspace: every window (this one included) attaches its own folders, and removes them when it closes.
    const args = [...SERVE_NODE_OPTIONS, cliPath, 'serve', '--state-dir', stateDir, '--json'];
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

