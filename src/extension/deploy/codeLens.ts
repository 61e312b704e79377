import * as vscode from 'vscode';
import { Commands } from '../ids';
import { deployLenses } from '../../core/wizard/deploy';

/**
 * "Deploy to local | staging | production" above `metadata:` in a paved.yaml. In an untrusted workspace a single
 * lens explains why deploying is disabled instead.
 */
export class DeployCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly trust = vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire());

  dispose(): void {
    this.trust.dispose();
    this.changed.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses = deployLenses(document.getText());
    if (lenses.length === 0) return [];
    const first = lenses[0];
    const range = new vscode.Range(document.positionAt(first.offset), document.positionAt(first.offset + first.length));
    if (!vscode.workspace.isTrusted) {
      return [new vscode.CodeLens(range, { title: '$(shield) Deploy disabled: this workspace is not trusted', command: 'workbench.trust.manage' })];
    }
    return lenses.map(
      (l) =>
        new vscode.CodeLens(range, {
          title: l.title,
          tooltip: `Deploy ${l.service} to ${l.environment}`,
          command: Commands.deploy,
          arguments: [{ service: l.service, environment: l.environment, manifestUri: document.uri.toString() }],
        }),
    );
  }
}
