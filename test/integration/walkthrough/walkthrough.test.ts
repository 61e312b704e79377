/**
 * "Get started with Paved" in a window of its own on the demo workspace — a new user's first session: the walkthrough
 * is contributed and opens, and each step's completion event fires when the user really does the step: the catalog
 * view shows, VS Code's own Quick Fix applies Paved's fix, New Service scaffolds and deploys to local until healthy,
 * and an organisation's platform (a fake Backstage) answers with its catalog after sign-in.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WalkthroughStep } from '../../../src/extension/walkthrough';
import { startFakeBackstage } from '../../unit/platform/backstage/fakeBackstage';
import { pavedExtension } from '../suite/helpers';
import { api, nextEvent, ScriptedInputs } from '../suite/selfServiceHelpers';

const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
const config = () => vscode.workspace.getConfiguration('paved');

interface Walkthrough {
  id: string;
  steps: { id: string; media: { image?: string; markdown?: string }; completionEvents: string[] }[];
}

/** Resolves when the walkthrough step's event happens (the key VS Code checks the step off by is set then). */
async function reached(step: WalkthroughStep, timeoutMs = 60_000): Promise<void> {
  const p = await api();
  if (p.walkthrough.reached().includes(step)) return;
  await nextEvent(p.walkthrough.onDidReach, (s) => s === step, timeoutMs, `the walkthrough step ${step}`);
}

describe('"Get started with Paved": each step completes on its real event (first session, demo workspace)', function () {
  this.timeout(300_000);
  let tmp: string;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-it-walkthrough-'));
  });

  after(async () => {
    const p = await api();
    p.selfService.testHooks.setQuickInputs(undefined);
    p.selfService.testHooks.setBackendSource(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
    if (fs.existsSync(path.join(p.platform.localStateDir, 'serve.json'))) await vscode.commands.executeCommand('paved.stopLocalPlatform');
  });

  it('is contributed with its media in the installed extension, opens, and nothing is checked off before the user acts', async () => {
    const p = await api();
    const ext = pavedExtension();
    const walkthrough = (ext.packageJSON as { contributes: { walkthroughs: Walkthrough[] } }).contributes.walkthroughs.find((w) => w.id === 'getStarted');
    assert.ok(walkthrough);
    assert.equal(walkthrough.steps.length, 5);
    for (const s of walkthrough.steps) {
      const file = s.media.image ?? s.media.markdown!;
      assert.ok(fs.existsSync(path.join(ext.extensionPath, file)), `${file} is in the installed extension`);
    }
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'paved-dev.paved#getStarted', false);
    // (The catalog may be on screen already: the window opens wherever it was left.)
    assert.deepEqual(p.walkthrough.reached().filter((s) => s !== 'catalogOpened'), []);
  });

  it('"Open the catalog": the Catalog view shows with the demo services', async () => {
    const p = await api();
    const done = reached('catalogOpened', 30_000);
    const loaded = p.catalog.treeView.visible ? Promise.resolve() : nextEvent(p.catalog.onDidLoad, (e) => !e.parent && e.children.some((c) => c.kind === 'group'), 90_000, 'the catalog to load');
    await vscode.commands.executeCommand('paved.catalog.focus');
    await done;
    await loaded;
    assert.equal(p.catalog.treeView.visible, true);
  });

  // The browser e2e (test/e2e/walkthrough.test.ts) does this with Ctrl+. in the real UI.
  it('"See a manifest\'s findings and fix one": Paved\'s quick fix, applied as the workbench applies it (its edit, then its command)', async () => {
    const p = await api();
    const uri = vscode.Uri.file(path.join(workspace(), 'services', 'search', 'paved.yaml'));
    const linted = nextEvent(p.manifests.onDidLint, (e) => e.uri.toString() === uri.toString() && e.version !== undefined, 60_000, 'the lint of search/paved.yaml');
    const editor = await vscode.window.showTextDocument(uri);
    await linted;
    const finding = vscode.languages.getDiagnostics(uri).find((d) => d.source === 'paved' && String(typeof d.code === 'object' ? d.code.value : d.code) === 'no-plaintext-secret');
    assert.ok(finding, 'the plaintext secret is reported');
    assert.equal(editor.document.getText(finding.range), 'SEARCH_API_TOKEN');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, finding.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title.startsWith('Move SEARCH_API_TOKEN to a secret reference'));
    assert.ok(fix?.edit && fix.command, JSON.stringify(actions.map((a) => a.title)));
    assert.ok(!p.walkthrough.reached().includes('quickFixApplied'), 'offering a fix is not applying it');
    const done = reached('quickFixApplied');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    await done;
    const text = editor.document.getText();
    assert.ok(!text.includes('demo-token-1234'), text);
    assert.match(text, /\n {2}secrets:\n {4}SEARCH_API_TOKEN:\n {6}ref: vault:\/\/search\/search-api-token#value\n/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('"Create a service from a golden path" and "Deploy it to local and open it": scaffolded, then healthy, and it answers', async () => {
    const p = await api();
    await p.selfService.testHooks.forgetLastOwner();
    const folder = path.join(tmp, 'wt-orders');
    p.selfService.testHooks.setQuickInputs(
      new ScriptedInputs(p.selfService.testHooks, {
        template: { pick: 'Node.js HTTP service' },
        name: { type: 'wt-orders' },
        owner: { pick: 'team-payments' },
        folder: { type: folder },
        review: [{ pick: '$(edit) Folder' }, { pick: '$(rocket) Create and deploy to local' }],
      }),
    );
    const created = reached('serviceCreated', 120_000);
    const healthy = reached('deployedHealthy', 240_000);
    await vscode.commands.executeCommand('paved.newService');
    await created;
    assert.ok(fs.existsSync(path.join(folder, 'paved.yaml')));
    assert.ok(!p.walkthrough.reached().includes('deployedHealthy') || p.deployments.deployments.some((d) => d.service === 'wt-orders'), 'healthy only after its deployment');
    await healthy;
    const deployment = p.deployments.deployments.find((d) => d.service === 'wt-orders' && d.state === 'succeeded');
    assert.ok(deployment?.url, JSON.stringify(p.deployments.deployments));
    assert.equal((await fetch(`${deployment.url}/healthz`)).status, 200);
    await (await p.platform.current()).unregister('wt-orders');
  });

  it('"Connect to your organisation\'s platform": done once a Backstage catalog answers after sign-in, not before', async () => {
    const p = await api();
    const fake = await startFakeBackstage({ components: 12 });
    try {
      assert.ok(!p.walkthrough.reached().includes('platformConnected'), 'the local platform does not count');
      await p.backstage.testHooks.storeToken(fake.url, fake.token);
      const done = reached('platformConnected', 90_000);
      await config().update('platform.kind', 'backstage', vscode.ConfigurationTarget.Global);
      await config().update('platform.url', fake.url, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('paved.catalog.focus');
      await done;
      assert.ok(fake.requests.some((r) => r.path.startsWith('/api/catalog/')), 'the catalog came from Backstage');
      assert.deepEqual(p.walkthrough.reached().sort(), ['catalogOpened', 'deployedHealthy', 'platformConnected', 'quickFixApplied', 'serviceCreated']);
    } finally {
      await config().update('platform.kind', undefined, vscode.ConfigurationTarget.Global);
      await config().update('platform.url', undefined, vscode.ConfigurationTarget.Global);
      await p.backstage.testHooks.storeToken(fake.url, undefined);
      await fake.close();
    }
  });

  it('the Golden Paths view is empty (its welcome content shows) when the platform offers no golden path', async () => {
    const p = await api();
    const real = await p.platform.current();
    p.selfService.testHooks.setBackendSource({
      current: async () =>
        new Proxy(real, {
          get: (target, prop) => {
            if (prop === 'listTemplates') return async () => ({ items: [] });
            const value = Reflect.get(target, prop) as unknown;
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        }),
    });
    assert.deepEqual(await p.selfService.goldenPaths.getChildren(), []);
    p.selfService.testHooks.setBackendSource(undefined);
    assert.ok((await p.selfService.goldenPaths.getChildren()).length > 0, 'the local platform’s golden paths');
  });
});
