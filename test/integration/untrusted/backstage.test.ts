/**
 * Backstage in an untrusted workspace: even with `paved.platform.kind: backstage` and a URL in the user settings and a
 * stored token, saving a catalog-info.yaml, asking for ref completion or a dry run sends no request.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackstageCheckEvent } from '../../../src/extension/backstage';
import type { PavedApi } from '../../../src/extension/main';
import { startFakeBackstage, type FakeBackstage } from '../../unit/platform/backstage/fakeBackstage';
import { activatePaved } from '../suite/helpers';
import { nextEvent } from '../suite/selfServiceHelpers';

const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
const config = () => vscode.workspace.getConfiguration('paved');

describe('Backstage in an untrusted workspace', function () {
  this.timeout(60_000);
  let fake: FakeBackstage;
  let p: PavedApi;
  const file = () => path.join(workspace(), 'backstage-untrusted', 'catalog-info.yaml');

  before(async () => {
    fake = await startFakeBackstage();
    p = (await activatePaved()) as unknown as PavedApi;
    await p.backstage.testHooks.storeToken(fake.url, fake.token);
    await config().update('platform.kind', 'backstage', vscode.ConfigurationTarget.Global);
    await config().update('platform.url', fake.url, vscode.ConfigurationTarget.Global);
    // Written through VS Code's file service, so the editor knows its on-disk version (no save conflict later).
    const text = 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Bad Name\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n';
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file()), new TextEncoder().encode(text));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('platform.kind', undefined, vscode.ConfigurationTarget.Global);
    await config().update('platform.url', undefined, vscode.ConfigurationTarget.Global);
    if (fake) {
      await p.backstage.testHooks.storeToken(fake.url, undefined);
      await fake.close();
    }
    fs.rmSync(path.dirname(file()), { recursive: true, force: true });
  });

  it('the workspace is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('a saved catalog-info.yaml is not sent to Backstage, no completion asks it, no dry run runs', async () => {
    const uri = vscode.Uri.file(file());
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), '# edited\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const checked = nextEvent<BackstageCheckEvent>(p.backstage.checks.onDidCheck, (e) => e.uri === uri.toString(), 30_000, 'the skipped check');
    assert.ok(await doc.save());
    const event = await checked;
    assert.equal(event.outcome, 'skipped');
    assert.equal(event.reason, 'the workspace is not trusted');
    assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Backstage'), []);

    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(8, 13));
    assert.deepEqual(list.items.filter((i) => i.kind === vscode.CompletionItemKind.Reference), []);

    // The command reports the refusal itself (a notification) and resolves to undefined.
    assert.equal(await vscode.commands.executeCommand('paved.backstage.dryRunTemplate', { uri: uri.toString(), values: {}, preview: false }), undefined);
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), []);
  });
});
