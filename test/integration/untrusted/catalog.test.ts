import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DetailsRenderEvent } from '../../../src/extension/details/detailsPanel';
import type { PavedApi } from '../../../src/extension/main';
import { activatePaved } from '../suite/helpers';

describe('Catalog in an untrusted workspace', function () {
  this.timeout(60_000);
  const requests: string[] = [];
  let server: http.Server;
  let url = '';

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await vscode.workspace.getConfiguration('paved').update('platform.kind', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('paved').update('platform.url', undefined, vscode.ConfigurationTarget.Global);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('the workspace is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('shows nothing, starts no local platform and fails current() with untrusted', async () => {
    const p = (await activatePaved()) as unknown as PavedApi;
    assert.deepEqual(await p.catalog.getChildren(), []);
    assert.equal(p.catalog.model.blocked, 'Paved sends no request to a platform in an untrusted workspace. Trust the workspace to see the catalog and deploy.');
    assert.equal(p.platform.state, 'untrusted');
    await assert.rejects(p.platform.current(), (err: { code?: string }) => err.code === 'untrusted');
    assert.equal(fs.existsSync(path.join(p.platform.localStateDir, 'serve.json')), false, 'no paved serve was started');
    assert.deepEqual(await p.deployments.getChildren(), []);
  });

  it('sends no request even to a platform configured in user settings', async () => {
    const p = (await activatePaved()) as unknown as PavedApi;
    const changed = new Promise<void>((resolve) => {
      const sub = p.platform.onDidChange(() => {
        sub.dispose();
        resolve();
      });
    });
    await vscode.workspace.getConfiguration('paved').update('platform.kind', 'paved', vscode.ConfigurationTarget.Global);
    await changed;
    await vscode.workspace.getConfiguration('paved').update('platform.url', url, vscode.ConfigurationTarget.Global);
    assert.deepEqual(await p.catalog.getChildren(), []);
    p.deployments.refresh();
    assert.deepEqual(await p.deployments.getChildren(), []);
    const rendered = new Promise<DetailsRenderEvent>((resolve) => {
      const sub = p.details.onDidRender((e) => {
        sub.dispose();
        resolve(e);
      });
    });
    await vscode.commands.executeCommand('paved.service.openDetails', 'payments-api');
    const page = await rendered;
    assert.equal(page.outcome, 'failed');
    assert.ok(page.html.includes('Paved sends no request to a platform in an untrusted workspace.'));
    const file = path.join(process.env.PAVED_TEST_WORKSPACE ?? '', 'services', 'payments-api', 'paved.yaml');
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    const state = await p.statusBar.update();
    assert.equal(state.visible, false);
    assert.deepEqual(requests, []);
  });
});
