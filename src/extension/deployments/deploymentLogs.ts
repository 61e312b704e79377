import * as vscode from 'vscode';
import type { Deployment, DeploymentEvent } from '../../core/api/types';
import { eventLines } from '../../core/deploy/eventText';
import { PavedError } from '../../core/errors';
import type { PlatformBackend } from '../../platform/backend';
import type { CommandRunner } from '../commands';
import { Commands } from '../ids';
import { Component } from '../lifecycle';
import { redact, type Logger } from '../log';

/** How many deployment logs stay open; older ones are disposed (a running deployment's log never is). */
export const MAX_DEPLOYMENT_LOGS = 20;

/** What names a deployment's log. */
export interface DeploymentRef {
  id: string;
  kind: Deployment['kind'];
  service: string;
  environment: string;
}

export interface BackendSource {
  current(): Promise<PlatformBackend>;
}

/** "Paved: payments-api → staging #d-…" (" (rollback)" / " (promote)" for the other kinds). */
export function deploymentLogName(d: DeploymentRef): string {
  return `Paved: ${d.service} → ${d.environment} #${d.id}${d.kind === 'deploy' ? '' : ` (${d.kind})`}`;
}

/**
 * One event as log lines: "#seq [step] line" for each line of its message (state changes prefixed with the new state;
 * a batch of output is one event of several lines).
 */
export function eventLog(ev: DeploymentEvent): { level: 'info' | 'warn'; texts: string[] } {
  const head = `#${ev.seq} ${ev.step ? `[${ev.step}] ` : ''}`;
  if (ev.type === 'failed' || ev.stream === 'stderr') return { level: 'warn', texts: eventLines(ev, head) };
  if (ev.type === 'log') return { level: 'info', texts: eventLines(ev, head) };
  return { level: 'info', texts: eventLines(ev, `${ev.type}${ev.state ? ` → ${ev.state}` : ''}: ${head}`) };
}

/** A command link that opens a deployment's log (for notifications, which render `[label](command:…)`). */
export function showLogLink(id: string, label = 'Show Log'): string {
  return `[${label}](command:${Commands.showDeploymentLog}?${encodeURIComponent(JSON.stringify([id]))})`;
}

/**
 * The log of one deployment: its own LogOutputChannel, plus the lines it was given (redacted, without the
 * channel's timestamps) so tests and the re-attach logic know what it shows.
 */
export class DeploymentLog {
  /** Every line written, in order. */
  readonly lines: string[] = [];
  /** The highest event seq written (events are written once each, in order). */
  shownSeq = 0;
  /** Live writers (a watched deployment, a Show Log that follows the stream): a held log is not disposed by the cap. */
  holds = 0;

  constructor(
    readonly ref: DeploymentRef,
    readonly name: string,
    private readonly channel: vscode.LogOutputChannel,
    private readonly appended: (line: string) => void,
  ) {}

  info(text: string): void {
    this.write('info', text);
  }

  warn(text: string): void {
    this.write('warn', text);
  }

  error(text: string): void {
    this.write('error', text);
  }

  /** Writes an event unless this log already shows it (seq ≤ shownSeq); true when written. */
  event(ev: DeploymentEvent): boolean {
    if (ev.seq <= this.shownSeq) return false;
    const { level, texts } = eventLog(ev);
    for (const text of texts) this.write(level, text);
    this.shownSeq = ev.seq;
    return true;
  }

  show(preserveFocus = true): void {
    this.channel.show(preserveFocus);
  }

  /** @internal */
  dispose(): void {
    this.channel.dispose();
  }

  private write(level: 'info' | 'warn' | 'error', text: string): void {
    const line = redact(text);
    this.channel[level](line);
    this.lines.push(line);
    this.appended(line);
  }
}

/**
 * One output per deployment ("Paved: payments-api → staging #<id>"), kept after the deployment ends, the
 * `MAX_DEPLOYMENT_LOGS` most recently used ones at most (older ones are disposed, never one being written live).
 * "Show Log" on a deployment (Deployments view context menu, the link in the deploy notification, "View Logs" of
 * the result) shows its log, filling it from the platform's event stream when this window has none yet.
 */
export class DeploymentLogs extends Component {
  /** How many logs are kept; the least recently used beyond it are disposed. */
  max = MAX_DEPLOYMENT_LOGS;
  /** Insertion order = least recently used first. */
  private readonly logs = new Map<string, DeploymentLog>();
  private readonly lifetime = new AbortController();
  private readonly appendedEmitter = this.register(new vscode.EventEmitter<{ id: string; line: string }>());
  /** Fires for every line written to a deployment log. */
  readonly onDidAppend = this.appendedEmitter.event;
  private readonly disposedEmitter = this.register(new vscode.EventEmitter<{ id: string; name: string }>());
  /** Fires when the cap disposes a deployment's log. */
  readonly onDidDisposeLog = this.disposedEmitter.event;

  constructor(
    commands: CommandRunner,
    private readonly source: BackendSource,
    private readonly log: Logger,
  ) {
    super();
    this.register(commands.register(Commands.showDeploymentLog, (arg?: unknown) => this.showLog(arg)));
    this.register({ dispose: () => this.lifetime.abort() });
    this.register({ dispose: () => [...this.logs.values()].forEach((l) => l.dispose()) });
  }

  /** The log of a deployment, created when there is none; it becomes the most recently used. */
  open(ref: DeploymentRef): DeploymentLog {
    let entry = this.logs.get(ref.id);
    if (entry) {
      this.logs.delete(ref.id);
    } else {
      const name = deploymentLogName(ref);
      entry = new DeploymentLog(ref, name, vscode.window.createOutputChannel(name, { log: true }), (line) => this.appendedEmitter.fire({ id: ref.id, line }));
      entry.info(`${ref.kind} ${ref.service} → ${ref.environment}: deployment ${ref.id}`);
    }
    this.logs.set(ref.id, entry);
    this.trim();
    return entry;
  }

  /** Marks a log as being written live until the returned disposable is disposed (the cap leaves it alone). */
  hold(log: DeploymentLog): vscode.Disposable {
    log.holds++;
    let released = false;
    return new vscode.Disposable(() => {
      if (released) return;
      released = true;
      log.holds--;
      this.trim();
    });
  }

  get(id: string): DeploymentLog | undefined {
    return this.logs.get(id);
  }

  /** Deployment ids with an open log, least recently used first. */
  ids(): string[] {
    return [...this.logs.keys()];
  }

  /**
   * "Show Log": shows the deployment's log. When this window has none (a deployment from an earlier session, another
   * window or the CLI), one is created and filled from the platform's events; resolves once it holds them all.
   * Accepts a Deployments view node, a deployment, or a deployment id.
   */
  async showLog(arg: unknown): Promise<DeploymentLog> {
    const existing = this.logs.get(deploymentIdOf(arg));
    if (existing) {
      this.open(existing.ref).show();
      return existing;
    }
    const backend = await this.source.current();
    const d = deploymentOf(arg) ?? (await backend.getDeployment(deploymentIdOf(arg)));
    const log = this.open(d);
    log.show();
    await this.fill(backend, log);
    return log;
  }

  /** Writes the events the log does not show yet, following the stream until the deployment ends. */
  private async fill(backend: PlatformBackend, log: DeploymentLog): Promise<void> {
    const held = this.hold(log);
    try {
      for await (const ev of backend.deploymentEvents(log.ref.id, { after: log.shownSeq, signal: this.lifetime.signal })) log.event(ev);
    } catch (err) {
      if (this.lifetime.signal.aborted) return;
      log.error(`could not load the events of deployment ${log.ref.id}: ${err instanceof Error ? err.message : String(err)}`);
      this.log.error(`deployment log ${log.ref.id}`, err);
      throw err;
    } finally {
      held.dispose();
    }
  }

  /** Disposes the least recently used logs beyond `max` (never a held one, nor the newest). */
  trim(): void {
    if (this.isDisposed) return;
    const newest = [...this.logs.keys()].pop();
    for (const [id, log] of this.logs) {
      if (this.logs.size <= Math.max(1, this.max)) return;
      if (log.holds > 0 || id === newest) continue;
      this.logs.delete(id);
      log.dispose();
      this.disposedEmitter.fire({ id, name: log.name });
    }
  }
}

function deploymentOf(arg: unknown): Deployment | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as { kind?: unknown; deployment?: unknown };
  const d = a.kind === 'deployment' && a.deployment && typeof a.deployment === 'object' ? a.deployment : arg;
  const x = d as Partial<Deployment>;
  return typeof x.id === 'string' && typeof x.service === 'string' && typeof x.environment === 'string' && typeof x.kind === 'string' ? (x as Deployment) : undefined;
}

function deploymentIdOf(arg: unknown): string {
  if (typeof arg === 'string' && arg !== '') return arg;
  const d = deploymentOf(arg);
  if (d) return d.id;
  throw new PavedError('invalid-input', 'Show Log needs a deployment (use it from the Deployments view or a deploy notification).');
}
