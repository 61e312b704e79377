import * as vscode from 'vscode';
import { Component } from '../lifecycle';
import type { CommandRunner } from '../commands';
import { Commands, Views } from '../ids';

/**
 * The "Catalog" view. Until a platform backend is connected the tree is empty and the view's welcome content
 * (package.json `viewsWelcome`) explains what belongs here.
 */
export class CatalogView extends Component implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.TreeItem | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly treeView: vscode.TreeView<vscode.TreeItem>;

  constructor(commands: CommandRunner) {
    super();
    this.treeView = this.register(
      vscode.window.createTreeView(Views.catalog, { treeDataProvider: this, showCollapseAll: true }),
    );
    this.register(commands.register(Commands.refreshCatalog, () => this.refresh()));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(element: vscode.TreeItem): vscode.TreeItem {
    return element;
  }

  getChildren(): vscode.TreeItem[] {
    return [];
  }
}
