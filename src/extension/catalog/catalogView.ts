import * as vscode from 'vscode';
import type { HealthState } from '../../core/api/types';
import { PlatformError } from '../../platform/errors';
import type { CommandRunner } from '../commands';
import { Commands, ContextKeys, Settings, StateKeys, Views } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import { isBlocking, type PlatformConnection } from '../platform/connection';
import type { GoldenPathVersions } from '../platform/goldenPaths';
import { CatalogModel, type CatalogNode, type CatalogSource, type ErrorNode, GROUP_BY_VALUES, type GroupBy, type LoadEarlierNode, type LoadMoreNode, type ServiceNode, SourceBlockedError } from './model';
import { escapeMarkdown, groupDescription, groupLabel, serviceContextValue, serviceDescription, serviceTooltip, statusIcon, type StatusIcon } from './presentation';

/** What a finished `getChildren` call returned (for tests and for anything that waits on the tree). */
export interface CatalogLoadEvent {
  parent: CatalogNode | undefined;
  children: CatalogNode[];
}

const STATUS_ICONS: Record<StatusIcon, vscode.ThemeIcon> = {
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  unhealthy: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  degraded: new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.yellow')),
  deploying: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  running: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  stopped: new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('disabledForeground')),
  'not-deployed': new vscode.ThemeIcon('circle-outline'),
};

const GROUP_ICONS: Record<GroupBy, string> = { system: 'symbol-namespace', owner: 'organization', lifecycle: 'milestone' };


/**
 * The "Catalog" tree. The data (paging, grouping, filter) lives in CatalogModel; this class maps nodes to TreeItems,
 * owns the catalog commands, remembers the grouping and "My services" teams in workspaceState and keeps the context
 * keys the welcome views and toolbar depend on. getChildren never shows a notification: failures are error nodes.
 */
export class CatalogView extends Component implements vscode.TreeDataProvider<CatalogNode> {
  private readonly changed = this.register(new vscode.EventEmitter<CatalogNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loaded = this.register(new vscode.EventEmitter<CatalogLoadEvent>());
  /** Fires after every getChildren call with what it returned. */
  readonly onDidLoad = this.loaded.event;
  readonly model: CatalogModel;
  readonly treeView: vscode.TreeView<CatalogNode>;
  private readonly statusSeq = new Map<string, number>();

  constructor(
    commands: CommandRunner,
    private readonly connection: PlatformConnection,
    private readonly state: vscode.Memento,
    private readonly log: Logger,
    serviceChanged?: vscode.Event<string>,
    /** The golden paths' newest versions: a service behind its golden path says so (description, context menu). */
    private readonly goldenPaths?: GoldenPathVersions,
    /** The health of running services (the operations' watcher): it refreshes the items whose health changed. */
    private readonly health?: { healthOf(service: string): Record<string, HealthState> | undefined; onDidChange: vscode.Event<string[]> },
  ) {
    super();
    const source = async (): Promise<CatalogSource> => {
      try {
        return await connection.current();
      } catch (err) {
        if (isBlocking(err)) throw new SourceBlockedError((err as PlatformError).message, err);
        throw err;
      }
    };
    const groupBy = state.get<GroupBy>(StateKeys.catalogGroupBy);
    this.model = new CatalogModel(source, {
      groupBy: groupBy && GROUP_BY_VALUES.includes(groupBy) ? groupBy : 'system',
      myTeams: state.get<string[]>(StateKeys.catalogMyTeams) ?? [],
      pageSize: this.pageSizeSetting(),
    });
    // The view gets service items without their tooltip and command: VS Code keeps every item it is shown (converted,
    // with a command-argument cache entry) until the parent is refreshed, and asks resolveTreeItem only for the item
    // hovered or clicked. Whole catalog expanded, that is the bulk of the extension host's memory for the tree.
    const provider: vscode.TreeDataProvider<CatalogNode> = {
      onDidChangeTreeData: this.onDidChangeTreeData,
      getChildren: (node) => this.getChildren(node),
      getParent: (node) => this.getParent(node),
      getTreeItem: (node) => this.treeItem(node, false),
      resolveTreeItem: (item, node) => this.resolveTreeItem(item, node),
    };
    this.treeView = this.register(vscode.window.createTreeView(Views.catalog, { treeDataProvider: provider, showCollapseAll: true }));
    this.updateViewDescription();
    this.register(connection.onDidChange(() => this.refresh()));
    if (serviceChanged) this.register(serviceChanged((ref) => void this.updateStatus(ref)));
    if (health) this.register(health.onDidChange((services) => services.forEach((ref) => void this.updateStatus(ref))));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${Settings.section}.${Settings.catalogPageSize}`)) {
          this.model.setPageSize(this.pageSizeSetting());
          this.changed.fire(undefined);
        }
      }),
    );
    this.register(commands.register(Commands.refreshCatalog, () => this.refresh()));
    this.register(commands.register(Commands.catalogGroupBy, (g?: GroupBy) => this.pickGroupBy(g)));
    this.register(commands.register(Commands.catalogFilter, (text?: string) => this.pickFilter(text)));
    this.register(commands.register(Commands.catalogClearFilter, () => this.setFilter('')));
    this.register(commands.register(Commands.catalogPickTeams, (teams?: string[]) => this.pickTeams(teams)));
    this.register(commands.register(Commands.catalogLoadMore, (node: LoadMoreNode | LoadEarlierNode) => this.loadMore(node)));
    this.register(commands.register(Commands.catalogRetry, (node: ErrorNode) => this.retry(node)));
    this.afterActivation(() => void vscode.commands.executeCommand('setContext', ContextKeys.catalogFiltered, false));
  }

  private readonly refreshed = this.register(new vscode.EventEmitter<void>());
  /** Fires when the catalog is refreshed (Refresh Catalog, a connection change): what caches names of it reloads then. */
  readonly onDidRefresh = this.refreshed.event;

  refresh(): void {
    this.goldenPaths?.refresh();
    this.model.reset();
    this.changed.fire(undefined);
    this.refreshed.fire();
  }

  /** Re-reads one service's environment status (a deployment changed it) and refreshes just its tree items. */
  async updateStatus(ref: string): Promise<void> {
    const seq = (this.statusSeq.get(ref) ?? 0) + 1;
    this.statusSeq.set(ref, seq);
    try {
      const service = await (await this.connection.current()).getService(ref);
      if (this.statusSeq.get(ref) !== seq) return; // a newer change is being read: its answer wins
      this.statusSeq.delete(ref);
      const status = Object.fromEntries(service.environments.filter((e) => e.state !== 'not-deployed').map((e) => [e.environment, e.state]));
      for (const node of this.model.updateStatus(ref, status, this.health?.healthOf(service.name))) this.changed.fire(node);
    } catch (err) {
      this.log.warn(`catalog: status of ${ref} not updated: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async loadMore(node: LoadMoreNode | LoadEarlierNode): Promise<void> {
    await this.model.loadMore(node);
    this.changed.fire(node.parent);
  }

  async retry(node: ErrorNode): Promise<void> {
    await this.model.retry(node);
    this.changed.fire(node.parent);
  }

  async setGroupBy(groupBy: GroupBy): Promise<void> {
    await this.state.update(StateKeys.catalogGroupBy, groupBy);
    this.model.setGroupBy(groupBy);
    this.updateViewDescription();
    this.changed.fire(undefined);
  }

  async setFilter(text: string): Promise<void> {
    this.model.setFilter(text);
    await vscode.commands.executeCommand('setContext', ContextKeys.catalogFiltered, this.model.filter !== '');
    this.updateViewDescription();
    this.changed.fire(undefined);
  }

  async setMyTeams(teams: string[]): Promise<void> {
    this.model.setMyTeams(teams);
    await this.state.update(StateKeys.catalogMyTeams, [...this.model.myTeams]);
    this.changed.fire(undefined);
  }

  /** The complete item of a node, tooltip and command included (what the view shows once it resolved the item). */
  getTreeItem(node: CatalogNode): vscode.TreeItem {
    return this.treeItem(node, true);
  }

  /** Fills in what the view's items leave out (a service's tooltip and command) when VS Code asks: on hover or click. */
  resolveTreeItem(item: vscode.TreeItem, node: CatalogNode): vscode.TreeItem {
    if (node.kind !== 'service') return item;
    item.tooltip ??= this.tooltipOf(node);
    item.command ??= this.openDetailsCommand(node);
    return item;
  }

  private treeItem(node: CatalogNode, complete: boolean): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(groupLabel(node), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = groupDescription(node);
        item.iconPath = new vscode.ThemeIcon(GROUP_ICONS[node.field]);
        item.contextValue = `group+${node.field}`;
        item.id = node.id;
        return item;
      }
      case 'my-services': {
        const item = new vscode.TreeItem('My services', vscode.TreeItemCollapsibleState.Expanded);
        item.description = node.teams.join(', ');
        item.iconPath = new vscode.ThemeIcon('star-full');
        item.contextValue = 'my-services';
        item.tooltip = `Services owned by ${node.teams.join(', ')}. Change the teams with "Paved: Pick My Teams…".`;
        item.id = node.id;
        return item;
      }
      case 'service': {
        const s = node.service;
        const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.None);
        const drift = this.goldenPaths?.driftNow(s.goldenPath);
        // Behind its golden path: `team-a · node-http-service 1.2.0 → 1.3.0`, and Upgrade Golden Path… in the menu.
        item.description = drift?.updateAvailable ? `${serviceDescription(s)} · ${drift.template} ${drift.text}` : serviceDescription(s);
        item.iconPath = STATUS_ICONS[statusIcon(s.status, s.health)];
        item.contextValue = drift?.updateAvailable ? `${serviceContextValue(node)}+behind` : serviceContextValue(node);
        item.id = node.id;
        if (complete) {
          item.tooltip = this.tooltipOf(node);
          item.command = this.openDetailsCommand(node);
        }
        return item;
      }
      case 'load-more': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.description = node.before > 0 ? `${node.before + 1}–${node.before + node.loaded} shown` : `${node.loaded} shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'load-more';
        item.id = node.id;
        item.command = { command: Commands.catalogLoadMore, title: 'Load More', arguments: [node] };
        return item;
      }
      case 'load-earlier': {
        const item = new vscode.TreeItem('Show earlier…', vscode.TreeItemCollapsibleState.None);
        item.description = `${node.before} before these`;
        item.tooltip = 'Only a window of this group is shown, to keep the tree fast. Click to show the page before it, or filter the catalog to find a service.';
        item.iconPath = new vscode.ThemeIcon('fold-up');
        item.contextValue = 'load-earlier';
        item.id = node.id;
        item.command = { command: Commands.catalogLoadMore, title: 'Show Earlier', arguments: [node] };
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem('Could not load the catalog — click to retry', vscode.TreeItemCollapsibleState.None);
        item.description = node.message;
        item.tooltip = `${node.message}\n\nClick to retry. Details are in the Paved log.`;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.contextValue = 'error';
        item.id = node.id;
        item.command = { command: Commands.catalogRetry, title: 'Retry', arguments: [node] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('info');
        item.contextValue = 'message';
        item.id = node.id;
        return item;
      }
    }
  }

  private tooltipOf(node: ServiceNode): vscode.MarkdownString {
    const drift = this.goldenPaths?.driftNow(node.service.goldenPath);
    const line = drift
      ? `\n\nGolden path: ${escapeMarkdown(drift.template)} ${escapeMarkdown(drift.current)}${drift.updateAvailable ? ` — ${escapeMarkdown(drift.latest ?? '')} available (Upgrade Golden Path… in the context menu)` : drift.latest ? ' (up to date)' : ''}`
      : '';
    const tooltip = new vscode.MarkdownString(serviceTooltip(node.service, node.deployable) + line);
    tooltip.isTrusted = false;
    tooltip.supportHtml = false;
    return tooltip;
  }

  private openDetailsCommand(node: ServiceNode): vscode.Command {
    return { command: Commands.openDetails, title: 'Open Details', arguments: [node] };
  }

  async getChildren(node?: CatalogNode): Promise<CatalogNode[]> {
    // Read once per refresh (cached after): the items below say which services are behind their golden path.
    const [children] = await Promise.all([this.model.getChildren(node), this.goldenPaths?.latest()]);
    for (const c of children) if (c.kind === 'error') this.log.error(`catalog: ${c.message}`, c.error);
    if (!node) {
      await vscode.commands.executeCommand('setContext', ContextKeys.catalogEmpty, this.model.empty);
    }
    this.loaded.fire({ parent: node, children });
    return children;
  }

  getParent(node: CatalogNode): CatalogNode | undefined {
    if (node.kind === 'load-more' || node.kind === 'load-earlier' || node.kind === 'error') return node.parent;
    return undefined;
  }

  private pageSizeSetting(): number {
    return vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.catalogPageSize, 100);
  }

  private updateViewDescription(): void {
    this.treeView.description = this.model.filter ? `“${this.model.filter}”` : `by ${this.model.groupBy}`;
    this.treeView.message = this.model.filter ? `Services matching “${this.model.filter}”` : undefined;
  }

  private async pickGroupBy(groupBy?: GroupBy): Promise<void> {
    if (groupBy !== undefined && !GROUP_BY_VALUES.includes(groupBy)) {
      throw new PlatformError('invalid-input', `Cannot group the catalog by "${String(groupBy)}": use system, owner or lifecycle.`);
    }
    const chosen =
      groupBy ??
      (
        await vscode.window.showQuickPick(
          GROUP_BY_VALUES.map((g) => ({ label: `Group by ${g}`, value: g, picked: g === this.model.groupBy, description: g === this.model.groupBy ? 'current' : undefined })),
          { title: 'Paved: Group the Catalog By' },
        )
      )?.value;
    if (chosen) await this.setGroupBy(chosen);
  }

  private async pickFilter(text?: string): Promise<void> {
    const value =
      text ??
      (await vscode.window.showInputBox({
        title: 'Paved: Filter the Catalog',
        prompt: 'Text to look for in service names, titles, descriptions and tags',
        value: this.model.filter,
        validateInput: (v) => (v.length > 200 ? 'At most 200 characters.' : undefined),
      }));
    if (value !== undefined) await this.setFilter(value);
  }

  private async pickTeams(teams?: string[]): Promise<void> {
    if (teams) return this.setMyTeams(teams);
    const backend = await this.connection.current();
    const all: { name: string; title?: string; serviceCount: number }[] = [];
    let cursor: string | undefined;
    do {
      const page = await backend.listTeams({ limit: 200, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && all.length < 2000);
    const current = new Set(this.model.myTeams);
    const picked = await vscode.window.showQuickPick(
      all.map((t) => ({ label: t.name, description: t.title, detail: `${t.serviceCount} services`, picked: current.has(t.name) })),
      { title: 'Paved: Pick My Teams', placeHolder: 'The teams whose services "My services" shows', canPickMany: true },
    );
    if (picked) await this.setMyTeams(picked.map((p) => p.label));
  }
}
