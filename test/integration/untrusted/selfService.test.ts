import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PavedApi } from '../../../src/extension/main';
import { activatePaved } from '../suite/helpers';

const UNTRUSTED_DEPLOY =
  'Deploying is disabled in an untrusted workspace: it would run this workspace’s build and start its code. Trust the workspace (Manage Workspace Trust) to deploy, roll back or promote.';

describe('New Service and Deploy in an untrusted workspace', function () {
  this.timeout(60_000);
  const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;

  it('the workspace is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('refuses Deploy, Roll Back and Promote with the reason, before any request', async () => {
    const p = (await activatePaved()) as unknown as PavedApi;
    for (const run of [() => p.selfService.deploy.deploy({ service: 'payments-api', environment: 'local' }), () => p.selfService.deploy.rollback({ service: 'payments-api', environment: 'local' }), () => p.selfService.deploy.promote({ service: 'payments-api', environment: 'local' })]) {
      await assert.rejects(run(), (e: Error & { code?: string }) => e.code === 'untrusted' && e.message === UNTRUSTED_DEPLOY);
    }
    // Through the command: the wrapper shows the message; nothing is returned and no platform was started.
    assert.equal(await vscode.commands.executeCommand('paved.deploy', { service: 'payments-api', environment: 'local' }), undefined);
    assert.equal(fs.existsSync(path.join(p.platform.localStateDir, 'serve.json')), false, 'no local platform was started');
  });

  it('refuses New Service with the reason', async () => {
    const p = (await activatePaved()) as unknown as PavedApi;
    await assert.rejects(
      p.selfService.scaffold.newService(),
      (e: Error & { code?: string }) =>
        e.code === 'untrusted' &&
        e.message === 'Creating services is disabled in an untrusted workspace: Paved would write files and contact the platform. Trust the workspace to use New Service.',
    );
  });

  it('shows one CodeLens on paved.yaml saying why deploying is disabled', async () => {
    const uri = vscode.Uri.file(path.join(workspace(), 'services', 'payments-api', 'paved.yaml'));
    await vscode.workspace.openTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const ours = lenses.filter((l) => l.command?.title.includes('Deploy'));
    assert.deepEqual(ours.map((l) => [l.command!.title, l.command!.command]), [['$(shield) Deploy disabled: this workspace is not trusted', 'workbench.trust.manage']]);
  });
});
