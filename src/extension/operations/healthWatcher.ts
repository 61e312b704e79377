import * as vscode from 'vscode';
import type { ServiceHealthItem } from '../../core/api/operations';
import type { HealthState } from '../../core/api/types';
import { describeError } from '../../core/errors';
import { UnhealthyAlerts } from '../../core/operations';
import { Commands, Settings } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import { isBlocking, type PlatformConnection } from '../platform/connection';

/** More alerts than this at once become one summary (a platform-wide hiccup must not become a storm). */
const MAX_SEPARATE_ALERTS = 3;

/**
 * The health of every running service, polled from the platform (`GET /v1/service-health`, one request for all of
 * them) every `paved.health.pollIntervalSeconds`. The catalog tree, the status bar and the paved.yaml CodeLens read it
 * and refresh on `onDidChange`. A service of the user's teams ("My services") that turns unhealthy in an environment
 * is announced once — with Show Logs — until it recovers (core/operations/alerts.ts). Nothing is polled from a
 * platform without live operations (Backstage), nor from one not connected (a stopped local platform stays stopped).
 */
export class HealthWatcher extends Component {
  private readonly changed = this.register(new vscode.EventEmitter<string[]>());
  /** Fires with the services whose health changed. */
  readonly onDidChange = this.changed.event;
  private readonly alerted = this.register(new vscode.EventEmitter<ServiceHealthItem[]>());
  /** Fires with what was announced (one notification per item, or one summary for several). */
  readonly onDidAlert = this.alerted.event;
  private readonly polled = this.register(new vscode.EventEmitter<void>());
  /** Fires after every poll (tests wait on it). */
  readonly onDidPoll = this.polled.event;
  private byService = new Map<string, ServiceHealthItem[]>();
  private alerts = new UnhealthyAlerts();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private warned = false;

  constructor(
    private readonly connection: Pick<PlatformConnection, 'connected' | 'onDidChange'>,
    private readonly log: Logger,
    /** The teams whose services the user owns ("My services" in the catalog). */
    private readonly myTeams: () => readonly string[],
  ) {
    super();
    this.register(
      connection.onDidChange(() => {
        this.alerts = new UnhealthyAlerts();
        void this.poll();
      }),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${Settings.section}.${Settings.healthPollSeconds}`)) this.schedule();
      }),
    );
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.afterActivation(() => void this.poll());
  }

  /** Environment → health of a service, where it runs. */
  healthOf(service: string): Record<string, HealthState> | undefined {
    const items = this.byService.get(service);
    return items ? Object.fromEntries(items.map((i) => [i.environment, i.state])) : undefined;
  }

  /** What the platform said about a service's running environments. */
  itemsOf(service: string): readonly ServiceHealthItem[] {
    return this.byService.get(service) ?? [];
  }

  /** Asks the platform now (after a stop or restart, or a test); resolves when the answer is in. */
  poll(): Promise<void> {
    this.running ??= this.pollOnce().finally(() => {
      this.running = undefined;
      this.schedule();
      this.polled.fire();
    });
    return this.running;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.isDisposed) return;
    const seconds = vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.healthPollSeconds, 5);
    this.timer = setTimeout(() => void this.poll(), Math.max(1, seconds) * 1000);
  }

  private async pollOnce(): Promise<void> {
    let items: ServiceHealthItem[] = [];
    try {
      // Only a platform already connected: a poll never starts the local platform again after it stopped.
      const backend = await this.connection.connected();
      if (backend?.capabilities.operations) items = await backend.operations.healthOverview();
      this.warned = false;
    } catch (err) {
      if (!isBlocking(err) && !this.warned) {
        this.warned = true; // once until it works again: the poll repeats every few seconds
        this.log.warn(`health: ${describeError(err)}`);
      }
      return;
    }
    const next = new Map<string, ServiceHealthItem[]>();
    for (const i of items) next.set(i.service, [...(next.get(i.service) ?? []), i]);
    const changed = new Set<string>();
    for (const s of new Set([...next.keys(), ...this.byService.keys()])) {
      const key = (list: ServiceHealthItem[] | undefined) => (list ?? []).map((i) => `${i.environment}=${i.state}@${i.release}`).sort().join(',');
      if (key(next.get(s)) !== key(this.byService.get(s))) changed.add(s);
    }
    this.byService = next;
    if (changed.size) this.changed.fire([...changed]);
    const teams = new Set(this.myTeams());
    const owners = new Map(items.map((i) => [i.service, i.owner]));
    const turned = this.alerts.update(items, (s) => teams.has(owners.get(s) ?? ''));
    if (turned.length) void this.announce(turned.map((t) => items.find((i) => i.service === t.service && i.environment === t.environment) as ServiceHealthItem));
  }

  private async announce(items: ServiceHealthItem[]): Promise<void> {
    this.alerted.fire(items);
    if (items.length > MAX_SEPARATE_ALERTS) {
      const names = items.map((i) => `${i.service} (${i.environment})`);
      const choice = await vscode.window.showWarningMessage(`Paved: ${items.length} services of your teams turned unhealthy: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}.`, 'Show Catalog');
      if (choice) await vscode.commands.executeCommand('paved.catalog.focus');
      return;
    }
    await Promise.all(
      items.map(async (i) => {
        const choice = await vscode.window.showWarningMessage(`Paved: ${i.service} is unhealthy in ${i.environment}${i.lastError ? `: ${i.lastError}` : ''}.`, 'Show Logs', 'Open Details');
        if (choice === 'Show Logs') await vscode.commands.executeCommand(Commands.showServiceLogs, { service: i.service, environment: i.environment });
        if (choice === 'Open Details') await vscode.commands.executeCommand(Commands.openDetails, i.service);
      }),
    );
  }
}
