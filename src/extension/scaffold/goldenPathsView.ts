import * as vscode from 'vscode';
import type { TemplateSummary } from '../../core/api/types';
import { describeError } from '../../core/errors';
import { Commands, Views } from '../ids';
import { Component } from '../lifecycle';
import { isBlocking, type BackendSource } from '../platform/connection';
import { templateTooltip } from '../ui/safeText';

type Node = { kind: 'template'; template: TemplateSummary } | { kind: 'message'; text: string; tooltip?: string };

/**
 * "Golden Paths": the platform's templates in the sidebar. Clicking one starts New Service on it, so a new service is
 * a click, a name and "Create and deploy" away.
 */
export class GoldenPathsView extends Component implements vscode.TreeDataProvider<Node> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly source: BackendSource,
    onDidChangeConnection?: vscode.Event<void>,
  ) {
    super();
    this.register(vscode.window.createTreeView(Views.goldenPaths, { treeDataProvider: this }));
    if (onDidChangeConnection) this.register(onDidChangeConnection(() => this.changed.fire()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()));
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.tooltip = node.tooltip ?? node.text;
      item.contextValue = 'message';
      return item;
    }
    const t = node.template;
    const item = new vscode.TreeItem(t.title);
    item.id = `template:${t.id}`;
    item.description = `v${t.version} · ${t.owner}`;
    item.tooltip = new vscode.MarkdownString(templateTooltip(t));
    item.iconPath = new vscode.ThemeIcon('repo-template');
    item.contextValue = 'template';
    item.command = { command: Commands.newService, title: 'New Service…', arguments: [t.id] };
    return item;
  }

  /**
   * The templates; none (the view's welcome content says why: package.json `viewsWelcome`, keyed by
   * `paved.platform.state`) in an untrusted workspace, without a configured platform, or when the platform offers none.
   */
  async getChildren(parent?: Node): Promise<Node[]> {
    if (parent || !vscode.workspace.isTrusted) return [];
    try {
      const backend = await this.source.current();
      const page = await backend.listTemplates({ limit: 100 });
      return page.items.map((template) => ({ kind: 'template', template }));
    } catch (err) {
      if (isBlocking(err)) return [];
      return [{ kind: 'message', text: `Golden paths unavailable: ${describeError(err)}`, tooltip: describeError(err) }];
    }
  }
}
