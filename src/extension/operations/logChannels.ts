import * as vscode from 'vscode';
import type { LogLine } from '../../core/api/operations';
import { describeError } from '../../core/errors';
import { followLogs } from '../../platform/selfService';
import { ContextKeys, StateKeys } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';

/** What is remembered of a followed log (workspaceState), so a window reload follows on after the last line shown. */
export interface FollowedLog {
  service: string;
  environment: string;
  /** The cursor of the last line shown. */
  cursor?: string;
}

/** Lines shown first when a log is opened without a cursor. */
const FIRST_TAIL = 200;
/** Lines a follower keeps in memory for `lines` (tests, the last lines of a channel). */
const KEPT_LINES = 2000;

export function logChannelName(service: string, environment: string): string {
  return `Paved Logs: ${service} (${environment})`;
}

/** One followed log: its channel and the follow that feeds it. */
class Follower {
  readonly lines: string[] = [];
  abort = new AbortController();
  running: Promise<void> | undefined;

  constructor(
    readonly state: FollowedLog,
    readonly channel: vscode.LogOutputChannel,
  ) {}
}

/**
 * *Paved: Show Service Logs*: one LogOutputChannel per service and environment ("Paved Logs: orders (local)"),
 * following the platform's log stream (platform/selfService/logs.ts: reconnects resume after the last line). stdout
 * lines are info, stderr lines error, the platform's own lines (started, exited) info marked `──`. The cursor of the
 * last line shown is kept in workspaceState: after a window reload the follow goes on from there, nothing repeated.
 * *Stop Following* ends one; a connection change restarts them on the new platform.
 */
export class LogFollowers extends Component {
  private readonly follows = new Map<string, Follower>();
  private readonly appended = this.register(new vscode.EventEmitter<{ service: string; environment: string; line: LogLine }>());
  /** Fires for every line written to a log channel. */
  readonly onDidAppend = this.appended.event;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: Pick<PlatformConnection, 'current' | 'connected' | 'onDidChange'>,
    private readonly state: vscode.Memento,
    private readonly log: Logger,
  ) {
    super();
    this.register(connection.onDidChange(() => this.restartAll()));
    this.register({
      dispose: () => {
        clearTimeout(this.saveTimer);
        for (const f of this.follows.values()) f.abort.abort();
        void this.save();
      },
    });
    this.afterActivation(() => {
      for (const saved of this.saved()) this.start(saved, false);
    });
  }

  /** The followed logs, as `service/environment`. */
  get following(): string[] {
    return [...this.follows.keys()];
  }

  /** The lines a followed log showed (the last KEPT_LINES). */
  lines(service: string, environment: string): readonly string[] {
    return this.follows.get(key(service, environment))?.lines ?? [];
  }

  /** Follows (or reveals the followed) log of a service in an environment. */
  show(service: string, environment: string): void {
    const existing = this.follows.get(key(service, environment));
    if (existing) {
      existing.channel.show(true);
      if (!existing.running) this.run(existing);
      return;
    }
    this.start({ service, environment }, true);
  }

  /** Stops following; the channel stays open with what it showed. False when it was not followed. */
  stop(service: string, environment: string): boolean {
    const f = this.follows.get(key(service, environment));
    if (!f) return false;
    f.abort.abort();
    this.follows.delete(key(service, environment));
    f.channel.info('── stopped following (Show Service Logs follows it again)');
    void this.save();
    return true;
  }

  private start(state: FollowedLog, reveal: boolean): void {
    const channel = this.register(vscode.window.createOutputChannel(logChannelName(state.service, state.environment), { log: true }));
    const f = new Follower({ ...state }, channel);
    this.follows.set(key(state.service, state.environment), f);
    if (reveal) channel.show(true);
    void this.save();
    this.run(f);
  }

  /** Follows on; `onlyConnected`: only on a platform already connected (never starting a stopped local platform). */
  private run(f: Follower, onlyConnected = false): void {
    const { service, environment } = f.state;
    const write = (level: 'info' | 'warn' | 'error', text: string) => {
      f.channel[level](text);
      f.lines.push(text);
      if (f.lines.length > KEPT_LINES) f.lines.splice(0, f.lines.length - KEPT_LINES);
    };
    f.running = (async () => {
      try {
        const backend = onlyConnected ? await this.connection.connected() : await this.connection.current();
        if (f.abort.signal.aborted) return;
        if (!backend) {
          write('info', '── the platform connection changed and no platform is connected now; Show Service Logs follows on after the last line shown');
          return;
        }
        write('info', `── following ${service} in ${environment} on ${backend.displayName}${f.state.cursor ? ' (after the last line shown before)' : ''}`);
        await followLogs(backend, service, environment, {
          after: f.state.cursor,
          tail: FIRST_TAIL,
          signal: f.abort.signal,
          observer: {
            line: (line) => {
              write(line.stream === 'stderr' ? 'error' : 'info', line.stream === 'platform' ? `── ${line.text}` : `${line.text}${line.truncated ? ' …' : ''}`);
              f.state.cursor = line.cursor;
              this.saveSoon();
              this.appended.fire({ service, environment, line });
            },
            reconnecting: (err, delayMs) => write('warn', `── the platform is unreachable (${describeError(err)}); trying again in ${Math.ceil(delayMs / 1000)} s`),
            resumed: () => write('info', '── connected again; going on after the last line shown'),
          },
        });
      } catch (err) {
        if (f.abort.signal.aborted) return;
        this.log.warn(`logs of ${service} in ${environment}: ${describeError(err)}`);
        write('error', `── cannot follow this log: ${describeError(err)}`);
        this.follows.delete(key(service, environment));
        void this.save();
      } finally {
        f.running = undefined;
      }
    })();
  }

  private restartAll(): void {
    for (const f of this.follows.values()) {
      f.abort.abort();
      f.abort = new AbortController();
      void (f.running ?? Promise.resolve()).then(() => this.run(f, true));
    }
  }

  private saved(): FollowedLog[] {
    const raw = this.state.get<unknown>(StateKeys.followedLogs);
    if (!Array.isArray(raw)) return [];
    return raw.filter((r): r is FollowedLog => !!r && typeof r === 'object' && typeof (r as FollowedLog).service === 'string' && typeof (r as FollowedLog).environment === 'string' && ((r as FollowedLog).cursor === undefined || typeof (r as FollowedLog).cursor === 'string'));
  }

  private saveSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, 1000);
  }

  private async save(): Promise<void> {
    const list = [...this.follows.values()].map((f) => ({ ...f.state }));
    await this.state.update(StateKeys.followedLogs, list);
    await vscode.commands.executeCommand('setContext', ContextKeys.logsFollowing, list.length > 0);
  }
}

function key(service: string, environment: string): string {
  return `${service}/${environment}`;
}
