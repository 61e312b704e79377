/**
 * A deployment refused for its manifest, in the Problems view: every finding (the gate's, or the platform's
 * `policy-violation` list, warnings and waived ones included) as a diagnostic at its exact range on the manifest file,
 * in a collection of its own ("Paved platform"). They stay until the file is edited or a deployment of it starts.
 */
import * as vscode from 'vscode';
import { LineIndex } from '../../core/manifest/index';
import type { Refused } from '../../platform/selfService';
import { Component } from '../lifecycle';

export const REFUSAL_COLLECTION = 'paved-deploy';
export const REFUSAL_SOURCE = 'Paved platform';

const SEVERITY = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information, hint: vscode.DiagnosticSeverity.Hint } as const;

export class RefusalDiagnostics extends Component {
  readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection(REFUSAL_COLLECTION));
  private readonly shown = this.register(new vscode.EventEmitter<{ uri: vscode.Uri; diagnostics: readonly vscode.Diagnostic[] }>());
  /** Fires after a refusal's findings were set on its manifest (tests wait on it). */
  readonly onDidShow = this.shown.event;

  constructor() {
    super();
    this.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.diagnostics.has(e.document.uri)) this.diagnostics.delete(e.document.uri);
      }),
    );
  }

  /** Shows a refusal's findings on its manifest file; false when the manifest is not a file here (nothing to place them on). */
  show(refused: Refused): boolean {
    if (!refused.manifest.file) return false;
    const uri = vscode.Uri.file(refused.manifest.file);
    const idx = new LineIndex(refused.manifest.text);
    const who = refused.by === 'platform' ? 'The platform refused the deployment' : 'Deployment refused';
    const diagnostics = refused.findings.map((f) => {
      const end = idx.position(f.offset + f.length);
      const d = new vscode.Diagnostic(new vscode.Range(f.line - 1, f.column - 1, end.line, end.column), `${f.message} (${who} to ${refused.environment}.)`, SEVERITY[f.severity]);
      d.source = REFUSAL_SOURCE;
      d.code = f.docsUrl ? { value: f.ruleId, target: vscode.Uri.parse(f.docsUrl) } : f.ruleId;
      return d;
    });
    this.diagnostics.set(uri, diagnostics);
    this.shown.fire({ uri, diagnostics });
    return true;
  }

  /** A deployment of this manifest started: what refused the last one no longer applies. */
  clear(file: string | undefined): void {
    if (file) this.diagnostics.delete(vscode.Uri.file(file));
  }
}
