/**
 * Files a golden-path upgrade wrote with conflict markers, listed in the Problems view until resolved: one diagnostic
 * per conflict block, recomputed as the file changes (open or saved), cleared — and the file forgotten — once no
 * marker is left. The list survives a window reload (workspaceState).
 */
import * as vscode from 'vscode';
import { conflictBlocks } from '../../core/templates';
import { StateKeys } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';

export const CONFLICT_SOURCE = 'Paved upgrade';

export class UpgradeConflicts extends Component {
  readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection('paved-upgrade'));
  private readonly tracked = new Set<string>();
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  /** Fires after a tracked file's diagnostics were recomputed. */
  readonly onDidUpdate = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: Logger,
  ) {
    super();
    for (const f of state.get<string[]>(StateKeys.upgradeConflicts) ?? []) this.tracked.add(f);
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.onText(e.document)));
    this.register(vscode.workspace.onDidOpenTextDocument((d) => this.onText(d)));
    this.register(vscode.workspace.onDidSaveTextDocument((d) => this.onText(d)));
    this.afterActivation(() => {
      for (const f of [...this.tracked]) void this.check(vscode.Uri.file(f));
    });
  }

  /** Starts listing the conflicts of these files. */
  async track(files: readonly vscode.Uri[]): Promise<void> {
    for (const f of files) this.tracked.add(f.fsPath);
    await this.save();
    await Promise.all(files.map((f) => this.check(f)));
  }

  /** The files still listed. */
  get files(): string[] {
    return [...this.tracked];
  }

  private onText(doc: vscode.TextDocument): void {
    if (doc.uri.scheme === 'file' && this.tracked.has(doc.uri.fsPath)) this.update(doc.uri, doc.getText());
  }

  private async check(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    if (open) return this.update(uri, open.getText());
    try {
      this.update(uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch (err) {
      this.log.info(`upgrade conflicts: ${uri.fsPath} is gone (${err instanceof Error ? err.message : String(err)})`);
      this.update(uri, '');
    }
  }

  private update(uri: vscode.Uri, text: string): void {
    const blocks = conflictBlocks(text);
    if (blocks.length === 0) {
      this.diagnostics.delete(uri);
      if (this.tracked.delete(uri.fsPath)) void this.save();
    } else {
      this.diagnostics.set(
        uri,
        blocks.map((b) => {
          const d = new vscode.Diagnostic(
            new vscode.Range(b.start, 0, b.end, 7 + 1 + b.incomingLabel.length),
            `Upgrade conflict: your change and ${b.incomingLabel || 'the golden path'} changed the same lines. Keep one side (or both), then remove the markers.`,
            vscode.DiagnosticSeverity.Error,
          );
          d.source = CONFLICT_SOURCE;
          d.code = 'upgrade-conflict';
          return d;
        }),
      );
    }
    this.changed.fire(uri);
  }

  private save(): Thenable<void> {
    return this.state.update(StateKeys.upgradeConflicts, [...this.tracked]);
  }
}
