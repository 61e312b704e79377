/**
 * On `goldenPath` in a paved.yaml: a CodeLens *Golden path 1.2.0 · 1.3.0 available · Upgrade…* (or *up to date*) and
 * a hover with the newer versions' changelogs. Information only, never a diagnostic: being behind is not a lint
 * failure. Nothing is asked of the platform in an untrusted workspace.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { kindFromFileName } from '../../core/manifest/kinds';
import { findGoldenPath } from '../../core/templates';
import { Commands } from '../ids';
import type { GoldenPathVersions } from '../platform/goldenPaths';

function isPavedYaml(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && kindFromFileName(doc.uri.fsPath) === 'paved';
}

export class GoldenPathLens implements vscode.CodeLensProvider, vscode.HoverProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly versions: GoldenPathVersions) {
    this.subscription = versions.onDidChange(() => this.changed.fire());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!isPavedYaml(doc) || !vscode.workspace.isTrusted) return [];
    const found = findGoldenPath(doc.getText());
    if (!found) return [];
    const range = new vscode.Range(found.line, found.column, found.line, found.column + 'goldenPath'.length);
    const info = await this.versions.info(found);
    const folder = path.dirname(doc.uri.fsPath);
    const d = info.drift;
    if (!d.updateAvailable) {
      const title = d.latest ? `Golden path ${d.template} ${d.current} · up to date` : `Golden path ${d.template} ${d.current} · not published by ${info.platform}`;
      return [new vscode.CodeLens(range, { title, command: '' })];
    }
    const lenses = [new vscode.CodeLens(range, { title: `Golden path ${d.current} · ${d.latest} available`, tooltip: `${d.template}: see what changed (hover on goldenPath)`, command: '' })];
    lenses.push(
      new vscode.CodeLens(
        range,
        info.canUpgrade
          ? { title: 'Upgrade…', tooltip: `Upgrade to ${d.template} ${d.latest}: three-way merge, plan shown first`, command: Commands.upgradeGoldenPath, arguments: [{ folder }] }
          : { title: 'Upgrade needs a Paved platform', tooltip: `${info.platform} keeps only the current version of a template`, command: '' },
      ),
    );
    return lenses;
  }

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!isPavedYaml(doc) || !vscode.workspace.isTrusted) return undefined;
    const found = findGoldenPath(doc.getText());
    if (!found || found.line !== position.line) return undefined;
    const info = await this.versions.info(found);
    const md = new vscode.MarkdownString();
    md.isTrusted = false;
    md.supportHtml = false;
    const d = info.drift;
    md.appendMarkdown(`**Golden path** \`${d.template.replace(/`/g, '')}\` ${d.current}`);
    md.appendMarkdown(d.updateAvailable ? ` — **${d.latest}** available\n\n` : d.latest ? ' — up to date\n\n' : `\n\n${info.platform} does not publish this golden path.\n\n`);
    for (const v of info.newer) {
      md.appendMarkdown(`#### ${v.version}\n\n`);
      // The changelog is the platform's Markdown; links and HTML are not trusted (isTrusted false, supportHtml false).
      md.appendMarkdown(`${v.changelog ?? '_No changelog._'}\n\n`);
    }
    if (d.updateAvailable && !info.canUpgrade) md.appendMarkdown(`Upgrading needs a Paved platform: ${info.platform} keeps only the current version of a template.`);
    return new vscode.Hover(md, new vscode.Range(found.line, found.column, found.line, found.column + 'goldenPath'.length));
  }
}
