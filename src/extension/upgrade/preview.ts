/**
 * The upgrade plan before anything is written: a pick listing every file the upgrade touches (updated, added, removed,
 * conflicted, kept, binary, with the reason), each of which opens as a diff (`vscode.diff`) of the file now against
 * what the upgrade would write, the changelog, and Apply / Cancel. The proposed contents are read-only virtual
 * documents (`paved-upgrade:`).
 */
import * as vscode from 'vscode';
import type { PlannedFile, UpgradeAction } from '../../core/templates';
import type { PlannedUpgrade } from '../../platform/selfService';
import { BACK, type PickItem, type QuickInputs } from '../ui/quickInputs';

export const PREVIEW_SCHEME = 'paved-upgrade';

const ICON: Record<UpgradeAction, string> = { updated: 'diff-modified', added: 'diff-added', removed: 'diff-removed', conflicted: 'warning', kept: 'circle-slash', binary: 'file-binary' };

/** Read-only documents for the diffs: `paved-upgrade:/<plan>/<side>/<path>`. */
export class PreviewDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private seq = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }

  /** A new plan's namespace (so VS Code never shows an older plan's cached document). */
  nextPlan(): string {
    this.texts.clear();
    return String(++this.seq);
  }

  uri(plan: string, side: 'now' | 'upgraded' | 'changelog', file: string, text: string): vscode.Uri {
    const p = `/${plan}/${side}/${file}`;
    this.texts.set(p, text);
    return vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: p });
  }
}

type Choice = { kind: 'apply' } | { kind: 'cancel' } | { kind: 'file'; file: PlannedFile } | { kind: 'changelog' };

/** What the upgrade would write at a path (for the right side of its diff). */
function upgradedText(f: PlannedFile): string {
  if (f.action === 'removed') return '';
  if (f.action === 'kept' || f.action === 'binary') return f.current ?? '';
  return f.content ?? '';
}

function changelogText(p: PlannedUpgrade): string {
  const parts = [`# ${p.template} ${p.from} → ${p.to}\n`];
  for (const v of p.newer) parts.push(`## ${v.version}\n\n${v.changelog ?? '_No changelog._'}\n`);
  return parts.join('\n');
}

/**
 * Shows the plan until the user applies it (true) or cancels (false). Picking a file opens its diff and comes back to
 * the plan; the changelog opens as Markdown.
 */
export async function reviewPlan(inputs: QuickInputs, docs: PreviewDocuments, p: PlannedUpgrade): Promise<boolean> {
  const plan = docs.nextPlan();
  const c = p.plan.counts;
  const summary = `${c.updated} updated, ${c.added} added, ${c.removed} removed, ${c.conflicted} conflicted, ${c.kept + c.binary} kept`;
  for (;;) {
    const items: PickItem<Choice>[] = [
      { label: `$(check) Apply the upgrade to ${p.to}`, description: summary, detail: c.conflicted > 0 ? `${c.conflicted} file(s) will have conflict markers to resolve` : 'All or nothing: the files and .paved/golden-path.yaml together', value: { kind: 'apply' } },
      { label: '$(close) Cancel', description: 'nothing is written', value: { kind: 'cancel' } },
      { label: `$(book) What changed in ${p.template} ${p.newer.map((v) => v.version).join(', ') || p.to}`, value: { kind: 'changelog' } },
      { label: 'Files (pick one to see its diff)', kind: vscode.QuickPickItemKind.Separator, value: { kind: 'cancel' } },
      ...p.plan.files.map((f) => ({
        label: `$(${ICON[f.action]}) ${f.path}`,
        description: `${f.action}${f.merged ? ' (merged)' : ''}${f.renamedFrom ? ` from ${f.renamedFrom}` : ''}`,
        detail: f.reason,
        value: { kind: 'file' as const, file: f },
      })),
    ];
    const choice = await inputs.quickPick<Choice>({ title: `Upgrade ${p.template} ${p.from} → ${p.to}`, canGoBack: false, id: 'upgrade-plan', placeholder: 'Apply the upgrade, or pick a file to see its diff first', items });
    if (choice === BACK || choice.kind === 'cancel') return false;
    if (choice.kind === 'apply') return true;
    if (choice.kind === 'changelog') {
      const doc = await vscode.workspace.openTextDocument(docs.uri(plan, 'changelog', 'CHANGELOG.md', changelogText(p)));
      await vscode.window.showTextDocument(doc, { preview: true });
      continue;
    }
    const f = choice.file;
    const left = docs.uri(plan, 'now', f.renamedFrom ?? f.path, f.current ?? '');
    const right = docs.uri(plan, 'upgraded', f.path, upgradedText(f));
    await vscode.commands.executeCommand('vscode.diff', left, right, `${f.path}: now ↔ after the upgrade (${f.action})`, { preview: true });
  }
}
