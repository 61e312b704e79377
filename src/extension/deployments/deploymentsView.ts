import * as vscode from 'vscode';
import type { Deployment } from '../../core/api/types';
import { describeError } from '../../core/errors';
import type { PlatformBackend } from '../../platform/backend';
import { isBlocking } from '../platform/connection';
import type { CommandRunner } from '../commands';
import { Commands, Settings, Views } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import { walkthroughStep } from '../walkthrough';
import { deploymentDescription, deploymentLabel, isRunning, mergeDeployments, shownDeployments } from './model';

export type DeploymentsNode = { kind: 'deployment'; deployment: Deployment } | { kind: 'message'; message: string; error?: boolean };

/** Services scanned for recent deployments (those with a status in some environment), and deployments per service. */
const SCAN_SERVICES = 1000;
const SERVICES_WITH_HISTORY = 25;
const PER_SERVICE = 10;

const ICONS: Record<Deployment['state'], vscode.ThemeIcon> = {
  pending: new vscode.ThemeIcon('clock'),
  building: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  starting: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  'health-checking': new vscode.ThemeIcon('pulse', new vscode.ThemeColor('charts.blue')),
  succeeded: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  'rolled-back': new vscode.ThemeIcon('discard', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

/**
 * The "Deployments" view: recent and running deployments across services, running ones first, with live status
 * (running deployments are polled every `paved.deployments.pollIntervalSeconds` until they finish).
 *
 * The deploy commands call `track(deployment)` for what they start; `onDidChangeService` tells the details panel and
 * the status bar that a service's state changed.
 */
export class DeploymentsView extends Component implements vscode.TreeDataProvider<DeploymentsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<DeploymentsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly serviceChanged = this.register(new vscode.EventEmitter<string>());
  /** Fires with the service name when one of its deployments changed state. */
  readonly onDidChangeService = this.serviceChanged.event;
  private readonly deploymentChanged = this.register(new vscode.EventEmitter<Deployment>());
  /** Fires with the new version of a deployment whenever its state (or release, end time, error) changed. */
  readonly onDidChangeDeployment = this.deploymentChanged.event;
  private readonly loaded = this.register(new vscode.EventEmitter<DeploymentsNode[]>());
  /** Fires after each getChildren with the root nodes. */
  readonly onDidLoad = this.loaded.event;

  private readonly known = new Map<string, Deployment>();
  private scanned: Promise<void> | undefined;
  private scanError: string | undefined;
  private blocked = false;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    commands: CommandRunner,
    private readonly connection: PlatformConnection,
    private readonly log: Logger,
  ) {
    super();
    this.register(vscode.window.createTreeView(Views.deployments, { treeDataProvider: this }));
    this.register(commands.register(Commands.refreshDeployments, () => this.refresh()));
    this.register(connection.onDidChange(() => this.refresh()));
    this.register({ dispose: () => this.stopPolling() });
  }

  /** Shows a deployment (e.g. one the user just started) and follows it until it finishes. */
  track(deployment: Deployment): void {
    this.apply([deployment]);
    if (deployment.state === 'succeeded') walkthroughStep('deployedHealthy');
  }

  /** What the view shows now, in order. */
  get deployments(): Deployment[] {
    return shownDeployments(this.known.values());
  }

  refresh(): void {
    this.scanned = undefined;
    this.scanError = undefined;
    this.changed.fire(undefined);
  }

  getTreeItem(node: DeploymentsNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.message);
      item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info');
      if (node.error) item.command = { command: Commands.refreshDeployments, title: 'Retry' };
      item.contextValue = node.error ? 'error' : 'message';
      return item;
    }
    const d = node.deployment;
    const item = new vscode.TreeItem(deploymentLabel(d));
    item.id = `deployment:${d.id}`;
    item.description = deploymentDescription(d, Date.now());
    item.iconPath = ICONS[d.state];
    const tip = new vscode.MarkdownString();
    tip.appendText(`${d.kind} ${d.service} to ${d.environment}: ${d.state}\n`);
    if (d.release) tip.appendText(`release ${d.release}\n`);
    if (d.url) tip.appendText(`${d.url}\n`);
    if (d.error) tip.appendText(`${d.error}\n`);
    tip.appendText(`created ${d.createdAt}${d.finishedAt ? `, finished ${d.finishedAt}` : ''}`);
    item.tooltip = tip;
    item.contextValue = `deployment+${isRunning(d) ? 'running' : 'finished'}`;
    item.command = { command: Commands.openDetails, title: 'Open Details', arguments: [d.service] };
    return item;
  }

  async getChildren(node?: DeploymentsNode): Promise<DeploymentsNode[]> {
    if (node) return [];
    this.scanned ??= this.scan();
    await this.scanned;
    const nodes: DeploymentsNode[] = this.blocked ? [] : this.deployments.map((deployment) => ({ kind: 'deployment', deployment }));
    // No deployment yet: the view's welcome content (package.json `viewsWelcome`) offers Deploy… and New Service….
    if (this.scanError) nodes.push({ kind: 'message', message: `Could not load deployments: ${this.scanError} — click to retry`, error: true });
    this.loaded.fire(nodes);
    return nodes;
  }

  private async scan(): Promise<void> {
    let backend: PlatformBackend;
    try {
      backend = await this.connection.current();
      this.blocked = false;
    } catch (err) {
      if (isBlocking(err)) {
        this.blocked = true;
        return;
      }
      this.scanError = describeError(err);
      this.log.error('deployments: no platform', err);
      return;
    }
    if (!backend.capabilities.deploy) {
      this.scanError = `${backend.displayName} does not deploy through Paved`;
      return;
    }
    try {
      const withHistory: string[] = [];
      let cursor: string | undefined;
      let scanned = 0;
      do {
        const page = await backend.listServices({ limit: 200, cursor });
        scanned += page.items.length;
        for (const s of page.items) if (Object.keys(s.status).length > 0) withHistory.push(s.ref);
        cursor = page.nextCursor;
      } while (cursor && scanned < SCAN_SERVICES && withHistory.length < SERVICES_WITH_HISTORY);
      const lists = await Promise.all(withHistory.slice(0, SERVICES_WITH_HISTORY).map((ref) => backend.listDeployments(ref, { limit: PER_SERVICE })));
      this.apply(lists.flatMap((p) => p.items), false);
    } catch (err) {
      this.scanError = describeError(err);
      this.log.error('deployments: loading failed', err);
    }
  }

  private apply(deployments: Deployment[], fire = true): void {
    const before = new Map(this.known);
    if (!mergeDeployments(this.known, deployments)) return;
    for (const d of deployments) {
      const now = this.known.get(d.id);
      const old = before.get(d.id);
      if (now && (!old || old.state !== now.state)) {
        this.deploymentChanged.fire(now);
        this.serviceChanged.fire(now.service);
      }
    }
    if (fire) this.changed.fire(undefined);
    this.ensurePolling();
  }

  private ensurePolling(): void {
    const running = [...this.known.values()].some(isRunning);
    if (!running) return this.stopPolling();
    if (this.timer || this.isDisposed) return;
    const seconds = vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.deploymentsPollSeconds, 2);
    this.timer = setInterval(() => void this.poll(), Math.max(0.5, seconds) * 1000);
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const backend = await this.connection.current();
      const running = [...this.known.values()].filter(isRunning);
      const fresh = await Promise.all(running.map((d) => backend.getDeployment(d.id)));
      this.apply(fresh);
    } catch (err) {
      this.log.warn(`deployments: polling failed: ${describeError(err)}`);
    } finally {
      this.polling = false;
      this.ensurePolling();
    }
  }
}
