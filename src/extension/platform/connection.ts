import * as vscode from 'vscode';
import { PavedError, UserCancelledError } from '../../core/errors';
import type { PlatformBackend } from '../../platform/backend';
import { effectiveSettings, type BackendTarget, type ConnectionSettings } from '../../platform/connection';
import { PlatformError } from '../../platform/errors';
import { localTokenProvider } from '../../platform/local';
import type { TokenProvider } from '../../platform/transport';
import type { CommandRunner } from '../commands';
import { Commands, ContextKeys, Settings } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import { isAlive, type LocalPlatform } from './localPlatform';
import { currentUserAction, notAsUserAction } from '../userAction';

export type { BackendTarget, ConnectionSettings };

/** The part of the connection the self-service commands need (tests put a misbehaving one in its place). */
export interface BackendSource {
  current(): Promise<PlatformBackend>;
  /** Makes sure a token for `url` is stored (asking the user, with `why`); fails with `cancelled` when they decline. */
  ensureToken?(url: string, why: string): Promise<void>;
}

/** Builds the client for a target. The Paved API client serves `local` and `paved`; Backstage its own. */
export type BackendFactory = (target: BackendTarget) => PlatformBackend;

/** Why there is no backend right now; drives the welcome views (context key `paved.platform.state`). */
export type ConnectionState = 'unknown' | 'untrusted' | 'not-configured' | 'stopped' | 'connected' | 'failed';

/** Nothing to connect to: kind `paved`/`backstage` without `paved.platform.url`. The welcome view explains it. */
export class NotConfiguredError extends PlatformError {
  constructor(kind: string) {
    super('invalid-input', `No platform URL is set for paved.platform.kind "${kind}". Set paved.platform.url, or switch paved.platform.kind to "local".`, {
      action: 'open-settings',
    });
    this.name = 'NotConfiguredError';
  }
}

/**
 * The user stopped the local platform (Paved: Stop Local Platform) and has not asked for anything that needs it since:
 * nothing the editor does on its own (a view, a poll, a listener) starts it again.
 */
export class LocalPlatformStoppedError extends PlatformError {
  constructor() {
    super('unreachable', 'The local platform is stopped. Run "Paved: Start Local Platform" — or any Paved command that needs it — to start it again.', {
      action: 'retry',
    });
    this.name = 'LocalPlatformStoppedError';
  }
}

/** A connection failure that means "nothing to show on purpose": the welcome view explains it, no error node. */
export function isBlocking(err: unknown): boolean {
  return PlatformError.isPlatformError(err, 'untrusted') || err instanceof NotConfiguredError || err instanceof LocalPlatformStoppedError;
}

/** The window's folders on disk: what the local platform reads this window's catalog from. */
function windowFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** Secret storage key of the token for one platform URL (one token per platform). */
export function tokenKey(url: string): string {
  return `paved.platform.token:${url.replace(/\/+$/, '')}`;
}

/**
 * The effective `paved.platform.kind` / `paved.platform.url`. In an untrusted workspace the workspace (and folder)
 * values are ignored: only user/default values count (a cloned repository cannot redirect the token to its server).
 */
export function readConnectionSettings(config: vscode.WorkspaceConfiguration, trusted: boolean): ConnectionSettings {
  return effectiveSettings(config.inspect<string>(Settings.platformKind) ?? {}, config.inspect<string>(Settings.platformUrl) ?? {}, trusted);
}

export interface PlatformConnectionDeps {
  context: vscode.ExtensionContext;
  commands: CommandRunner;
  log: Logger;
  factory: BackendFactory;
  local: LocalPlatform;
}

/**
 * The single place the extension gets its platform backend from.
 *
 * `current()` resolves the settings, the workspace trust and the token into a backend (cached until something that
 * matters changes) or throws a `PlatformError`:
 * - `untrusted` (action none): the workspace is not trusted; no request was sent.
 * - `invalid-input` (action open-settings): nothing usable configured (kind paved/backstage without a valid URL).
 * - `unreachable` (action retry): the local platform could not be started or found.
 * `onDidChange` fires when settings, sign-in state or trust change; listeners call `current()` again.
 */
export class PlatformConnection extends Component {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when the backend `current()` returns may be different (settings, sign in/out, trust, local restart). */
  readonly onDidChange = this.changed.event;

  private cached: { key: string; backend: Promise<PlatformBackend> } | undefined;
  /** Pid of the local platform the cached backend talks to. */
  private localPid: number | undefined;
  private stateValue: ConnectionState = 'unknown';
  /** This window's user stopped the local platform; only a user action (a command) starts it again. */
  private heldStopped = false;

  constructor(private readonly deps: PlatformConnectionDeps) {
    super();
    const { commands } = deps;
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${Settings.section}.platform`)) this.invalidate('settings changed');
      }),
    );
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate('workspace trusted')));
    this.register(
      deps.context.secrets.onDidChange((e) => {
        if (e.key.startsWith('paved.platform.token:')) this.invalidate('token changed');
      }),
    );
    this.register(commands.register(Commands.signIn, () => this.signIn()));
    this.register(commands.register(Commands.signOut, () => this.signOut()));
    this.register(commands.register(Commands.stopLocalPlatform, () => this.stopLocal()));
    this.register(commands.register(Commands.startLocalPlatform, () => this.startLocal()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.foldersChanged()));
    this.register({ dispose: () => this.dropCached() });
    // The window closes: take its folders out of the shared local platform's catalog (it also notices by itself
    // once this extension host has exited).
    this.register({ dispose: () => void this.deps.local.detach() });
    this.setState(vscode.workspace.isTrusted ? 'unknown' : 'untrusted');
  }

  /** What the current settings say (workspace values ignored when untrusted). */
  settings(): ConnectionSettings {
    return readConnectionSettings(vscode.workspace.getConfiguration(Settings.section), vscode.workspace.isTrusted);
  }

  /** State directory of the embedded local platform (shared with the CLI, see LocalPlatform): serve.json, token, log. */
  get localStateDir(): string {
    return this.deps.local.stateDir;
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The backend to talk to now. Throws a `PlatformError` (see the class comment); never sends a request when untrusted. */
  async current(): Promise<PlatformBackend> {
    if (!vscode.workspace.isTrusted) {
      this.setState('untrusted');
      throw new PlatformError(
        'untrusted',
        'Paved sends no request to a platform in an untrusted workspace. Trust the workspace to see the catalog and deploy.',
        { action: 'none' },
      );
    }
    let settings: ConnectionSettings;
    try {
      settings = this.settings();
    } catch (err) {
      this.setState('failed');
      throw err;
    }
    if (settings.kind !== 'local' && settings.url === '') {
      this.setState('not-configured');
      throw new NotConfiguredError(settings.kind);
    }
    if (settings.kind === 'local' && this.heldStopped) {
      if (currentUserAction() === undefined) {
        this.setState('stopped');
        throw new LocalPlatformStoppedError();
      }
      // The user asks for something that needs the platform: start it, and let the views that showed it stopped reload.
      this.deps.log.info(`starting the local platform again for ${currentUserAction()}`);
      this.heldStopped = false;
      this.dropCached();
      const started = this.current();
      started.then(() => notAsUserAction(() => this.changed.fire()), () => undefined);
      return started;
    }
    const key = `${settings.kind} ${settings.url}`;
    if (this.cached && settings.kind === 'local' && this.localPid !== undefined && !isAlive(this.localPid)) {
      // The local platform stopped (idle timeout, "Stop Local Platform" in another window, a crash): start it again
      // instead of handing out a client for a port nobody listens on.
      this.deps.log.info(`local platform (pid ${this.localPid}) is no longer running; starting it again`);
      this.dropCached();
    }
    if (!this.cached || this.cached.key !== key) {
      this.dropCached();
      const backend = this.connect(settings);
      this.cached = { key, backend };
      backend.then(
        () => this.setState('connected'),
        (err: unknown) => {
          // A failed connection is not cached: the next call tries again. Whoever awaited current() reports it.
          this.deps.log.warn(`connection failed: ${err instanceof Error ? err.message : String(err)}`);
          if (this.cached?.backend === backend) this.cached = undefined;
          this.setState('failed');
        },
      );
    }
    return this.cached.backend;
  }

  /**
   * The backend to talk to now, but never by starting the local platform: for background polls (health), which must
   * not bring back a local platform the user stopped or that stopped when idle. Undefined when there is none to ask.
   */
  async connected(): Promise<PlatformBackend | undefined> {
    if (!vscode.workspace.isTrusted) return undefined;
    try {
      if (this.settings().kind === 'local' && !(await this.deps.local.isRunning())) return undefined;
      return await this.current();
    } catch {
      return undefined; // not configured, unreachable: whoever asks current() reports it
    }
  }

  /** Forgets the backend (e.g. after the local platform stopped); listeners re-query. */
  invalidate(reason: string): void {
    this.deps.log.info(`connection reset: ${reason}`);
    this.dropCached();
    this.setState(vscode.workspace.isTrusted ? 'unknown' : 'untrusted');
    this.changed.fire();
  }

  private async connect(settings: ConnectionSettings): Promise<PlatformBackend> {
    const { log, factory, local, context } = this.deps;
    if (settings.kind === 'local') {
      const instance = await local.ensureRunning(windowFolders());
      this.localPid = instance.pid;
      log.info(`local platform at ${instance.url} (pid ${instance.pid}${instance.started ? ', started now' : ', reused'})`);
      return factory({ kind: 'local', url: instance.url, token: localTokenProvider(local.stateDir, instance) });
    }
    const url = settings.url.replace(/\/+$/, '');
    log.info(`connecting to ${settings.kind} platform at ${url}`);
    const token: TokenProvider = async ({ refresh }) => {
      const stored = await context.secrets.get(tokenKey(url));
      if (refresh) log.warn(`${url} rejected the token; sign in again with "Paved: Sign In"`);
      return stored;
    };
    try {
      return factory({ kind: settings.kind, url, token });
    } catch (err) {
      if (PavedError.is(err)) throw err;
      throw new PlatformError('invalid-input', `Cannot use ${url}: ${err instanceof Error ? err.message : String(err)}`, {
        action: 'open-settings',
        cause: err,
      });
    }
  }

  /** Folders added or removed in this window: the local platform's catalog follows (then views refresh). */
  private async foldersChanged(): Promise<void> {
    try {
      if (await this.deps.local.updateFolders(windowFolders())) this.changed.fire();
    } catch (err) {
      this.deps.log.warn(`could not update this window's folders on the local platform: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private dropCached(): void {
    const old = this.cached;
    this.cached = undefined;
    this.localPid = undefined;
    if (old) {
      old.backend.then(
        (b) => b.dispose(),
        () => undefined, // a failed connection has nothing to release; its error was reported by whoever awaited it
      );
    }
  }

  private setState(state: ConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    void vscode.commands.executeCommand('setContext', ContextKeys.platformState, state);
  }

  private async signIn(): Promise<void> {
    const settings = this.settings();
    if (settings.kind === 'local') {
      void vscode.window.showInformationMessage(
        'Paved: the local platform needs no sign-in; Paved reads its token file. Set paved.platform.kind to "paved" or "backstage" to sign in to a remote platform.',
      );
      return;
    }
    if (settings.url === '') {
      throw new PlatformError('invalid-input', 'Set paved.platform.url before signing in.', { action: 'open-settings' });
    }
    const url = settings.url.replace(/\/+$/, '');
    if (!(await this.askToken(url))) return;
    this.invalidate('signed in');
  }

  /**
   * Makes sure a token for another Paved platform is stored — one a Backstage entity deploys through — asking for it
   * (saying `why`) when there is none. Fails with `cancelled` when the user declines.
   */
  async ensureToken(url: string, why: string): Promise<void> {
    if (await this.deps.context.secrets.get(tokenKey(url))) return;
    if (!(await this.askToken(url.replace(/\/+$/, ''), why))) throw new UserCancelledError(`no token for ${url}`);
  }

  /** Asks for a token for `url` and stores it; false when the user dismissed the input box. */
  private async askToken(url: string, why?: string): Promise<boolean> {
    const token = await vscode.window.showInputBox({
      title: `Paved: Sign In to ${url}`,
      prompt: `${why ? `${why} ` : ''}Paste an API token for the platform. It is kept in VS Code’s secret storage, never in settings.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? 'The token is empty.' : /\s/.test(v.trim()) ? 'A token has no spaces.' : undefined),
    });
    if (token === undefined) return false;
    await this.deps.context.secrets.store(tokenKey(url), token.trim());
    this.deps.log.info(`signed in to ${url}`);
    return true;
  }

  /** The token stored for the configured remote platform (the MCP server the editor starts gets it in its environment). */
  async storedToken(): Promise<string | undefined> {
    const { url } = this.settings();
    return url === '' ? undefined : this.deps.context.secrets.get(tokenKey(url.replace(/\/+$/, '')));
  }

  private async signOut(): Promise<void> {
    const { url } = this.settings();
    if (url === '') return;
    await this.deps.context.secrets.delete(tokenKey(url.replace(/\/+$/, '')));
    this.deps.log.info(`signed out of ${url}`);
    this.invalidate('signed out');
  }

  /**
   * Stops the local platform and keeps it stopped: what the views and polls do on their own no longer starts it (they
   * show it stopped), until the user runs a command that needs it, or Start Local Platform.
   */
  private async stopLocal(): Promise<void> {
    // Held before the stop begins: a poll or a view asking while the process exits must not start another one.
    this.heldStopped = true;
    this.dropCached();
    const stopped = await this.deps.local.stop();
    // The listeners of this change are not the user's action: they see the platform stopped, and start nothing.
    notAsUserAction(() => {
      this.invalidate(stopped ? 'local platform stopped' : 'no local platform was running');
      if (this.settings().kind === 'local') this.setState('stopped');
    });
    void vscode.window.showInformationMessage(
      stopped ? `Paved: stopped the local platform (pid ${stopped.pid}).` : 'Paved: the local platform is not running.',
    );
  }

  /** Starts the local platform (or finds it running) for this window, and says where it runs. */
  private async startLocal(): Promise<void> {
    const { kind } = this.settings();
    if (kind !== 'local') {
      void vscode.window.showInformationMessage(`Paved: this window uses a ${kind} platform (paved.platform.kind), not the local one.`);
      return;
    }
    await this.current();
    const pid = this.localPid;
    void vscode.window.showInformationMessage(`Paved: the local platform runs${pid === undefined ? '' : ` (pid ${pid})`}.`);
  }
}
