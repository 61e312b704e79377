/**
 * Golden-path upgrade in the real VS Code against the local platform: the CodeLens on `goldenPath` shows the newer
 * version, its hover the changelog; Upgrade… shows the plan (a file opens as a diff), applies it, opens the file with a
 * conflict and the Problems view lists it until the markers are gone.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { scaffoldService } from '../../../src/platform/selfService/scaffold';
import type { UpgradeOutcome } from '../../../src/extension/upgrade/upgradeCommands';
import type { QuickInputs, QuickPickRequest } from '../../../src/extension/ui/quickInputs';
import { api, nextEvent, restartLocalPlatform, ScriptedInputs } from './selfServiceHelpers';

describe('Golden-path upgrade in the extension host (CodeLens, plan, conflict in Problems)', function () {
  this.timeout(180_000);
  let tmp: string;
  let folder: string;

  before(async () => {
    // Inside the workspace, as a service being worked on is (VS Code watches it: open editors follow the upgrade).
    tmp = fs.mkdtempSync(path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'it-upgrade-'));
    folder = path.join(tmp, 'it-upgrade');
    const backend = await (await api()).platform.current();
    const template = await backend.getTemplate('node-http-service', { version: '1.2.0' });
    await scaffoldService({ backend, prompts: { resolveConflicts: async () => 'refuse' } }, { template, values: { name: 'it-upgrade', owner: 'team-payments' }, folder, register: false });
    // The owner changed the very lines 1.3.0 changes: one conflict.
    const server = path.join(folder, 'src', 'server.js');
    fs.writeFileSync(server, fs.readFileSync(server, 'utf8').replace("  process.on('SIGTERM', stop);", "  process.on('SIGTERM', () => { console.log('bye'); stop(); });"));
  });

  after(async () => {
    const p = await api();
    p.upgrades.inputs = new (await import('../../../src/extension/ui/quickInputs')).VsCodeQuickInputs();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
    await restartLocalPlatform(p);
  });

  const manifest = () => vscode.Uri.file(path.join(folder, 'paved.yaml'));
  const lensTitles = async () => ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', manifest())) ?? []).map((l) => l.command?.title ?? '');

  it('shows a CodeLens on goldenPath with the newer version, and a hover with its changelog', async () => {
    const doc = await vscode.workspace.openTextDocument(manifest());
    await vscode.window.showTextDocument(doc);
    const titles = await lensTitles();
    assert.ok(titles.includes('Golden path 1.2.0 · 1.3.0 available'), JSON.stringify(titles));
    assert.ok(titles.includes('Upgrade…'), JSON.stringify(titles));
    const line = doc.getText().split('\n').findIndex((l) => l.includes('goldenPath:'));
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', manifest(), new vscode.Position(line, 4))) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /1\.3\.0/);
    assert.match(text, /Graceful shutdown/);
    const problems = vscode.languages.getDiagnostics(manifest()).filter((d) => /golden/i.test(d.message));
    assert.deepEqual(problems, [], 'being behind is information, never a problem');
  });

  it('the catalog marks a service behind its golden path: description, tooltip and the Upgrade menu flag', async () => {
    const p = await api();
    p.catalog.refresh();
    const find = async (parent: Parameters<typeof p.catalog.getChildren>[0], name: string) => (await p.catalog.getChildren(parent)).find((n) => p.catalog.getTreeItem(n).label === name);
    await p.catalog.setGroupBy('system');
    const checkout = await find(undefined, 'checkout');
    assert.ok(checkout, 'the checkout group');
    const payments = await find(checkout, 'payments-api');
    assert.ok(payments, 'payments-api in checkout');
    const item = p.catalog.getTreeItem(payments);
    assert.equal(item.description, 'team-payments · node-http-service 1.2.0 → 1.3.0');
    assert.match(String(item.contextValue), /\+behind$/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /Golden path: node\\-http\\-service 1\\.2\\.0 — 1\\.3\\.0 available/);
  });

  it('upgrades through the CodeLens: the plan opens a diff, the conflicted file opens, Problems lists it until resolved', async () => {
    const p = await api();
    const scripted = new ScriptedInputs(p.selfService.testHooks, {
      shutdownTimeoutSeconds: { accept: true },
      'upgrade-plan': [{ pick: 'src/server.js' }, { pick: 'Apply the upgrade' }],
    });
    const tabsAtPlan: string[] = [];
    const inputs: QuickInputs = {
      inputBox: (r) => scripted.inputBox(r),
      confirm: (m, d, b) => scripted.confirm(m, d, b),
      quickPick: async <T>(r: QuickPickRequest<T>) => {
        if (r.id === 'upgrade-plan') tabsAtPlan.push(vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff ? 'diff' : 'other');
        return scripted.quickPick(r);
      },
    };
    p.upgrades.inputs = inputs;
    const lens = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', manifest())) ?? []).find((l) => l.command?.title === 'Upgrade…');
    assert.ok(lens?.command);
    const server = vscode.Uri.file(path.join(folder, 'src', 'server.js'));
    const listed = nextEvent(p.upgrades.conflicts.onDidUpdate, (u) => u.fsPath === server.fsPath, 60_000, 'the conflict diagnostics');
    const outcome = await vscode.commands.executeCommand<UpgradeOutcome>(lens.command.command, ...(lens.command.arguments ?? []));
    assert.deepEqual(scripted.unused(), []);
    assert.deepEqual(tabsAtPlan, ['other', 'diff'], 'picking a file in the plan opened its diff before anything was written');
    assert.deepEqual(outcome.applied?.conflicted, ['src/server.js']);
    assert.equal(outcome.planned?.to, '1.3.0');
    assert.match(fs.readFileSync(path.join(folder, '.paved', 'golden-path.yaml'), 'utf8'), /version: 1\.3\.0/);
    assert.ok(fs.existsSync(path.join(folder, '.dockerignore')));

    await listed;
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === server.fsPath), 'the conflicted file is open');
    const diagnostics = vscode.languages.getDiagnostics(server).filter((d) => d.source === 'Paved upgrade');
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0].message, /Upgrade conflict/);
    assert.equal(diagnostics[0].range.start.line, (await vscode.workspace.openTextDocument(server)).getText().split('\n').findIndex((l) => l.startsWith('<<<<<<< yours')));

    // Resolving: keep the golden path's side; the diagnostic goes once the markers are gone.
    const doc = await vscode.workspace.openTextDocument(server);
    const resolvedText = doc.getText().replace(/<<<<<<< yours\n[\s\S]*?=======\n([\s\S]*?)>>>>>>> [^\n]*\n/, '$1');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(server, new vscode.Range(0, 0, doc.lineCount, 0), resolvedText);
    const cleared = nextEvent(p.upgrades.conflicts.onDidUpdate, (u) => u.fsPath === server.fsPath && vscode.languages.getDiagnostics(server).every((d) => d.source !== 'Paved upgrade'), 30_000, 'the diagnostics to clear');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await cleared;
    assert.deepEqual(p.upgrades.conflicts.files, []);
    await doc.save();

    // The open paved.yaml follows the file the upgrade wrote (VS Code reloads it from disk).
    const pavedDoc = await vscode.workspace.openTextDocument(manifest());
    const isNew = (d: vscode.TextDocument) => /version: 1\.3\.0 \}/.test(d.getText());
    if (!isNew(pavedDoc)) await nextEvent(vscode.workspace.onDidChangeTextDocument, (e) => e.document.uri.fsPath === manifest().fsPath && isNew(e.document), 30_000, 'paved.yaml to reload');
    const titles = await lensTitles();
    assert.ok(titles.includes('Golden path node-http-service 1.3.0 · up to date'), JSON.stringify(titles));
  });
});
