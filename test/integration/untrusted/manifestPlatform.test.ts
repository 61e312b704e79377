/**
 * Manifests in an untrusted workspace: linting and completion work, but nothing is asked of a platform (no catalog
 * references, the shipped default policy set) and the repository's `.paved/policies.yaml` is not used.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PavedApi } from '../../../src/extension/main';
import { MINIMAL } from '../../unit/core/manifest/helpers';
import { api, nextEvent } from '../suite/selfServiceHelpers';

const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
const ROOT = () => path.join(workspace(), 'manifest-untrusted-it');
const REPO_FILE = () => path.join(workspace(), '.paved', 'policies.yaml');
const labelOf = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);

describe('Manifests in an untrusted workspace: no platform, no repository policies', function () {
  this.timeout(120_000);
  let paved: PavedApi;

  before(async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    paved = await api();
    // A repository rule every manifest below would violate, if it were read.
    fs.mkdirSync(path.dirname(REPO_FILE()), { recursive: true });
    fs.writeFileSync(REPO_FILE(), 'apiVersion: paved.dev/v1\nkind: PolicySet\nrules:\n  - { id: repo-tags, condition: { properties: { metadata: { required: [tags] } } }, message: Tag it. }\n');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.dirname(REPO_FILE()), { recursive: true, force: true });
    fs.rmSync(ROOT(), { recursive: true, force: true });
  });

  it('completes dependsOn without catalog references, sends no request, lints with the default set only', async () => {
    const file = path.join(ROOT(), 'svc', 'paved.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${MINIMAL}  dependsOn:\n    - \n`);
    const uri = vscode.Uri.file(file);
    const linted = nextEvent(paved.manifests.onDidLint, (e) => e.uri.toString() === uri.toString() && e.version !== undefined, 60_000, 'lint');
    const doc = await vscode.workspace.openTextDocument(uri);
    const event = await linted;
    // The empty dependsOn item is the only finding: the repository rule (repo-tags) is not applied.
    assert.deepEqual(
      event.findings.map((f) => [f.ruleId, f.message]),
      [['schema/type', 'Incorrect type: spec.dependsOn[0] must be a string, not a null.']],
    );
    assert.equal(paved.manifests.policies.origin, 'default');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(doc.lineCount - 2, 6));
    assert.deepEqual(list.items.filter((i) => i.kind === vscode.CompletionItemKind.Reference).map(labelOf), []);
    await paved.manifests.references!.settled();
    assert.equal(paved.manifests.references!.requests, 0);
    assert.equal(paved.platform.state, 'untrusted');
  });
});
