import * as vscode from 'vscode';
import { parseDocument } from 'yaml';
import { describeError, PavedError } from '../../core/errors';
import { Commands } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import { isBlocking } from '../platform/connection';
import type { HealthState } from '../../core/api/types';
import { orderedEnvironments } from '../ui/environments';
import { environmentMark, environmentWords, MARK_LEGEND } from '../ui/health';
import { statusIcon } from './presentation';
import { CATALOG_KINDS, kindFromFileName } from '../../core/manifest/kinds';

/** The service name a manifest declares (`metadata.name`), or undefined when the text has none. */
export function serviceNameOf(text: string): string | undefined {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const name = doc.getIn(['metadata', 'name']);
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
}

const ICON: Record<ReturnType<typeof statusIcon>, string> = {
  failed: '$(error)',
  unhealthy: '$(error)',
  degraded: '$(warning)',
  deploying: '$(sync~spin)',
  running: '$(pass-filled)',
  stopped: '$(debug-stop)',
  'not-deployed': '$(circle-outline)',
};

/** What the item shows (for tests). */
export interface StatusBarState {
  service: string | undefined;
  text: string;
  visible: boolean;
}

/**
 * Status bar item for the service whose manifest is in the active editor: its environment statuses; a click opens
 * its details. Hidden for other files, in untrusted workspaces and when no platform is configured.
 */
export class ServiceStatusBar extends Component {
  private readonly item = this.register(vscode.window.createStatusBarItem('paved.serviceStatus', vscode.StatusBarAlignment.Left, 50));
  private readonly updated = this.register(new vscode.EventEmitter<StatusBarState>());
  readonly onDidUpdate = this.updated.event;
  private stateValue: StatusBarState = { service: undefined, text: '', visible: false };
  private seq = 0;

  constructor(
    private readonly connection: PlatformConnection,
    private readonly log: Logger,
    serviceChanged: vscode.Event<string>,
    /** The health of running services (the operations' watcher). */
    private readonly health?: { healthOf(service: string): Record<string, HealthState> | undefined; onDidChange: vscode.Event<string[]> },
  ) {
    super();
    this.item.name = 'Paved Service Status';
    this.register(vscode.window.onDidChangeActiveTextEditor(() => void this.update()));
    this.register(
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d === vscode.window.activeTextEditor?.document) void this.update();
      }),
    );
    // A connection change (e.g. Stop Local Platform) or a health change never starts the local platform again.
    this.register(connection.onDidChange(() => void this.update(false)));
    this.register(
      serviceChanged((name) => {
        if (name === this.stateValue.service) void this.update(false);
      }),
    );
    if (health) {
      this.register(
        health.onDidChange((names) => {
          if (this.stateValue.service && names.includes(this.stateValue.service)) void this.update(false);
        }),
      );
    }
    this.afterActivation(() => void this.update());
  }

  get state(): StatusBarState {
    return this.stateValue;
  }

  /**
   * Recomputes the item for the active editor; resolves when it is shown or hidden. `mayStart`: the user opened or
   * saved a manifest, so the platform may be started for it; otherwise only a platform already running is asked.
   */
  async update(mayStart = true): Promise<StatusBarState> {
    const seq = ++this.seq;
    const doc = vscode.window.activeTextEditor?.document;
    const name = doc && CATALOG_KINDS.has(kindFromFileName(doc.uri.path)) ? serviceNameOf(doc.getText()) : undefined;
    if (!name) return this.show(seq, undefined);
    try {
      const backend = mayStart ? await this.connection.current() : await this.connection.connected();
      if (!backend) return this.show(seq, undefined);
      const service = await backend.getService(name);
      // Slots that were never deployed say nothing: show the environments the service is (or was) deployed to.
      const status = Object.fromEntries(service.environments.filter((e) => e.state !== 'not-deployed').map((e) => [e.environment, e.state]));
      const envs = orderedEnvironments(status);
      const health = this.health?.healthOf(service.name) ?? {};
      const text = `${ICON[statusIcon(status, health)]} ${service.name}${envs.length ? ` ${envs.map(([e, s]) => `${e} ${environmentMark(s, health[e])}`).join(' ')}` : ': not deployed'}`;
      this.item.tooltip = `${service.title ?? service.name} (${service.owner}) — ${envs.length ? envs.map(([e, s]) => `${e}: ${environmentMark(s, health[e])} ${environmentWords(s, health[e])}`).join(', ') : 'not deployed'}.${envs.length ? ` (${MARK_LEGEND})` : ''} Click for details.`;
      this.item.command = { command: Commands.openDetails, title: 'Open Details', arguments: [service.ref] };
      return this.show(seq, name, text);
    } catch (err) {
      if (isBlocking(err)) return this.show(seq, undefined);
      if (PavedError.is(err, 'not-found')) {
        this.item.tooltip = `${name} is not in the catalog of the platform yet.`;
        this.item.command = undefined;
        return this.show(seq, name, `$(circle-slash) ${name}: not in catalog`);
      }
      this.log.warn(`status bar: ${describeError(err)}`);
      this.item.tooltip = `Paved could not get the status of ${name}: ${describeError(err)}`;
      this.item.command = { command: Commands.showLog, title: 'Show Log' };
      return this.show(seq, name, `$(warning) ${name}`);
    }
  }

  private show(seq: number, service: string | undefined, text = ''): StatusBarState {
    if (seq !== this.seq) return this.stateValue;
    this.stateValue = { service, text, visible: service !== undefined };
    if (service) {
      this.item.text = text;
      this.item.show();
    } else {
      this.item.hide();
    }
    this.updated.fire(this.stateValue);
    return this.stateValue;
  }
}
