/**
 * Paved against Backstage in the real extension host: the fake Backstage (test/unit/platform/backstage/fakeBackstage.ts)
 * runs inside the test; `paved.platform.kind/url` are set in the user settings and restored afterwards.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import type { BackstageCheckEvent, DryRunPreview } from '../../../src/extension/backstage';
import type { CatalogNode, LoadMoreNode, ServiceNode } from '../../../src/extension/catalog/model';
import type { DeployResult } from '../../../src/extension/deploy/deployCommands';
import type { DetailsRenderEvent } from '../../../src/extension/details/detailsPanel';
import type { PavedApi } from '../../../src/extension/main';
import type { ScaffoldResult } from '../../../src/extension/scaffold/scaffoldCommand';
import { startFakeBackstage, type FakeBackstage } from '../../unit/platform/backstage/fakeBackstage';
import { api, nextEvent, ScriptedInputs, tree } from '../suite/selfServiceHelpers';

const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
const config = () => vscode.workspace.getConfiguration('paved');

const BAD_CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Bad Name
spec:
  type: service
  lifecycle: production
  owner: team-c
  system: payments
  dependsOn:
    - component:ledger
    - resource:gone-db
`;

/** [startLine, startCol, endLine, endCol] of a range. */
const pos = (r: vscode.Range) => [r.start.line, r.start.character, r.end.line, r.end.character];

describe('Backstage as the platform, in the extension host', function () {
  this.timeout(120_000);
  let fake: FakeBackstage;
  let p: PavedApi;
  const dir = () => path.join(workspace(), 'backstage-it');

  before(async () => {
    fake = await startFakeBackstage({ components: 120 });
    p = await api();
    await p.backstage.testHooks.storeToken(fake.url, fake.token);
    await config().update('platform.kind', 'backstage', vscode.ConfigurationTarget.Global);
    await config().update('platform.url', fake.url, vscode.ConfigurationTarget.Global);
    const backend = await p.platform.current();
    assert.equal(backend.kind, 'backstage');
    assert.equal(backend.displayName, `Backstage (${fake.url})`);
    fs.mkdirSync(dir(), { recursive: true });
  });

  afterEach(async () => {
    p.selfService.testHooks.setQuickInputs(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await config().update('platform.kind', undefined, vscode.ConfigurationTarget.Global);
    await config().update('platform.url', undefined, vscode.ConfigurationTarget.Global);
    await config().update('catalog.pageSize', undefined, vscode.ConfigurationTarget.Global);
    await p.catalog.setFilter('');
    if (fake) {
      await p.backstage.testHooks.storeToken(fake.url, undefined);
      await fake.close();
    }
    fs.rmSync(dir(), { recursive: true, force: true });
  });

  const label = (n: CatalogNode) => {
    const l = p.catalog.getTreeItem(n).label;
    return typeof l === 'string' ? l : (l?.label ?? '');
  };

  it('sends the stored token as Bearer and shows the catalog grouped by system', async () => {
    fake.requests.length = 0;
    p.catalog.refresh();
    const roots = await p.catalog.getChildren();
    assert.ok(roots.length > 0);
    assert.ok(roots.some((n) => n.kind === 'group' && n.value === 'payments'), roots.map(label).join(', '));
    assert.ok(fake.requests.length > 0);
    for (const r of fake.requests) assert.equal(r.headers.authorization, `Bearer ${fake.token}`, r.path);
  });

  it('pages a Backstage catalog with more than one page through Load more (cursor requests carry only cursor, limit, fields)', async () => {
    await config().update('catalog.pageSize', 50, vscode.ConfigurationTarget.Global);
    assert.equal(p.catalog.model.pageSize, 50);
    fake.requests.length = 0;
    await vscode.commands.executeCommand('paved.catalog.filter', 'generated');
    const expected = fake.entities
      .filter((e) => e.kind === 'Component' && e.metadata.name.startsWith('generated-'))
      .map((e) => e.metadata.name)
      .sort();
    assert.equal(expected.length, 120);
    let nodes = await p.catalog.getChildren();
    const pages: number[] = [];
    for (;;) {
      const more = nodes.find((n): n is LoadMoreNode => n.kind === 'load-more');
      pages.push(nodes.filter((n) => n.kind === 'service').length);
      if (!more) break;
      assert.equal(label(more), 'Load more…');
      await vscode.commands.executeCommand('paved.catalog.loadMore', more);
      nodes = await p.catalog.getChildren();
    }
    assert.deepEqual(pages, [50, 100, 120]);
    const services = nodes.filter((n): n is ServiceNode => n.kind === 'service');
    assert.deepEqual(services.map((n) => n.service.name), expected);
    assert.equal(services[0].service.ref, 'component:default/generated-service-001');
    assert.equal(services[0].deployable, false);
    assert.ok(!/deployable/.test(String(p.catalog.getTreeItem(services[0]).contextValue)));
    const queries = fake.requests.filter((r) => r.path === '/api/catalog/entities/by-query');
    assert.equal(queries.length, 3);
    assert.equal(queries[0].query.get('orderField'), 'metadata.name,asc');
    assert.equal(queries[0].query.get('fullTextFilterTerm'), 'generated');
    for (const q of queries.slice(1)) assert.deepEqual([...q.query.keys()].sort(), ['cursor', 'fields', 'limit']);
    await p.catalog.setFilter('');
    await config().update('catalog.pageSize', undefined, vscode.ConfigurationTarget.Global);
  });

  it('opens details with relations resolved in exactly one by-refs request', async () => {
    fake.requests.length = 0;
    const ref = 'component:default/payments-api';
    const rendered = nextEvent<DetailsRenderEvent>(p.details.onDidRender, (e) => e.ref === ref, 60_000, 'details rendering');
    await p.details.open(ref);
    const page = await rendered;
    assert.equal(page.outcome, 'loaded');
    const byRefs = fake.requests.filter((r) => r.path === '/api/catalog/entities/by-refs');
    assert.equal(byRefs.length, 1);
    assert.equal(fake.requests.filter((r) => r.path.startsWith('/api/catalog/entities/by-name/')).length, 1);
    for (const html of [
      '<li><a href="#" data-ref="ledger">component:default/ledger</a></li>',
      '<li>resource:default/payments-db</li>',
      '<li><a href="#" data-ref="legacy-billing">component:default/legacy-billing</a></li>',
      '<li><a href="#" data-ref="checkout-web">component:default/checkout-web</a></li>',
      '<li><code>api:default/payments-openapi</code></li>',
      '<li><code>api:default/identity-grpc</code></li>',
    ]) {
      assert.ok(page.html.includes(html), html);
    }
    // Backstage cannot deploy; this entity is annotated: the details offer Deploy and say where it deploys.
    assert.ok(page.html.includes('Not deployed anywhere yet. Deploy it with “Paved: Deploy”.'), page.html);
    assert.ok(
      page.html.includes(
        '<p class="muted deploy-note">Backstage has no deploy API. This entity deploys through the Paved platform at http://127.0.0.1:9/ (service &quot;payments-api&quot;, annotation paved.dev/platform-api): “Paved: Deploy” sends it there, with the token stored for that platform.</p>',
      ),
      page.html,
    );
  });

  it('checks a saved catalog-info.yaml with validate-entity and the live catalog: diagnostics at the exact ranges', async () => {
    const file = path.join(dir(), 'catalog-info.yaml');
    const uri = vscode.Uri.file(file);
    // Written through VS Code's file service, so the editor knows its on-disk version (no save conflict later).
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(BAD_CATALOG_INFO.replace('lifecycle: production', 'lifecycle: experimental')));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    fake.requests.length = 0;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), BAD_CATALOG_INFO);
    assert.ok(await vscode.workspace.applyEdit(edit));
    const checked = nextEvent<BackstageCheckEvent>(p.backstage.checks.onDidCheck, (e) => e.uri === uri.toString(), 60_000, 'the Backstage check');
    assert.ok(await doc.save());
    const event = await checked;
    assert.equal(event.outcome, 'checked');
    const diags = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Backstage');
    assert.deepEqual(
      diags.map((d) => [d.code, d.severity, pos(d.range), d.message]),
      [
        [
          'validate-entity',
          vscode.DiagnosticSeverity.Error,
          [3, 8, 3, 16],
          '"metadata.name" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found "Bad Name".',
        ],
        ['catalog-ref', vscode.DiagnosticSeverity.Warning, [7, 9, 7, 15], '"team-c" (group:default/team-c) is not in the Backstage catalog.'],
        ['catalog-ref', vscode.DiagnosticSeverity.Warning, [11, 6, 11, 22], '"resource:gone-db" (resource:default/gone-db) is not in the Backstage catalog.'],
      ],
    );
    const validate = fake.requests.filter((r) => r.path === '/api/catalog/validate-entity');
    assert.equal(validate.length, 1);
    assert.deepEqual(validate[0].body, {
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'Bad Name' },
        spec: { type: 'service', lifecycle: 'production', owner: 'team-c', system: 'payments', dependsOn: ['component:ledger', 'resource:gone-db'] },
      },
      location: `url:${pathToFileURL(file).toString()}`,
    });
    assert.equal(fake.requests.filter((r) => r.path === '/api/catalog/entities/by-refs').length, 1);

    // Fixed and saved again: the Backstage diagnostics go away.
    const fix = new vscode.WorkspaceEdit();
    fix.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), BAD_CATALOG_INFO.replace('Bad Name', 'good-name').replace('team-c', 'team-a').replace('resource:gone-db', 'resource:payments-db'));
    assert.ok(await vscode.workspace.applyEdit(fix));
    const again = nextEvent<BackstageCheckEvent>(p.backstage.checks.onDidCheck, (e) => e.uri === uri.toString(), 60_000, 'the second Backstage check');
    assert.ok(await doc.save());
    assert.equal((await again).outcome, 'checked');
    assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Backstage'), []);
  });

  it('completes spec.owner and spec.dependsOn refs from the live catalog', async () => {
    const file = path.join(dir(), 'complete', 'catalog-info.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n  owner: team\n  dependsOn:\n    - led\n');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const refs = async (line: number, character: number) => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(line, character));
      return list.items
        .filter((i) => i.kind === vscode.CompletionItemKind.Reference)
        .map((i) => [typeof i.label === 'string' ? i.label : i.label.label, i.detail]);
    };
    // Backstage's full-text filter also searches descriptions: "The platform team".
    assert.deepEqual(await refs(5, 13), [
      ['platform', 'group:default/platform'],
      ['team-a', 'group:default/team-a'],
      ['team-b', 'group:default/team-b'],
    ]);
    assert.deepEqual(await refs(7, 9), [['component:ledger', 'component:default/ledger']]);
    assert.deepEqual(await refs(3, 9), []); // metadata.name is no ref field
  });

  it('runs a Backstage template through New Service: the task streams to the end, its output links show, no file is written', async () => {
    await p.selfService.testHooks.forgetLastOwner();
    const before = tree(workspace());
    fake.requests.length = 0;
    const inputs = new ScriptedInputs(p.selfService.testHooks, {
      template: { pick: 'Node.js service' },
      name: { type: 'it-bs-svc' },
      owner: { pick: 'team-a' },
      repoUrl: { type: 'github.com?owner=example&repo=it-bs-svc' },
      review: { pick: 'Create' },
    });
    p.selfService.testHooks.setQuickInputs(inputs);
    const result = await vscode.commands.executeCommand<ScaffoldResult | undefined>('paved.newService');
    assert.ok(result, `New Service returned a result (asked: ${inputs.asked.map((a) => a.id).join(', ')})`);
    assert.deepEqual(inputs.unused(), []);
    assert.deepEqual(inputs.asked.map((a) => a.id), ['template', 'name', 'owner', 'repoUrl', 'review']);
    assert.equal(result.templateId, 'template:default/node-service');
    assert.equal(result.folder, undefined);
    assert.equal(result.write, undefined);
    assert.deepEqual(result.outcome.files, []);
    assert.deepEqual(result.outcome.links, [
      { title: 'Repository', url: 'https://github.com/example/it-bs-svc' },
      { title: 'Open in catalog', entityRef: 'component:default/it-bs-svc' },
    ]);
    assert.equal(result.outcome.text, '## Next steps\n\nRun `npm test` in **it-bs-svc**.');
    const created = fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/scaffolder/v2/tasks');
    assert.equal(created.length, 1);
    const body = created[0].body as { templateRef: string; values: Record<string, unknown> };
    assert.equal(body.templateRef, 'template:default/node-service');
    assert.deepEqual(body.values, {
      name: 'it-bs-svc',
      owner: 'team-a',
      description: 'A new Node.js service',
      lifecycle: 'experimental',
      repoUrl: 'github.com?owner=example&repo=it-bs-svc',
      port: 8080,
    });
    const [task] = [...fake.tasks.values()];
    assert.equal(fake.tasks.size, 1);
    assert.equal(task.status, 'completed');
    assert.ok(fake.requests.some((r) => r.path === `/api/scaffolder/v2/tasks/${task.id}/eventstream`));
    assert.deepEqual(tree(workspace()), before);
  });

  it('dry-runs the open template.yaml and previews the files it would produce (read-only documents)', async () => {
    const target = path.join(dir(), 'template');
    fs.cpSync(findFixture(), target, { recursive: true });
    fake.requests.length = 0;
    const uri = vscode.Uri.file(path.join(target, 'template.yaml'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const preview = await vscode.commands.executeCommand<DryRunPreview | undefined>('paved.backstage.dryRunTemplate', {
      values: { name: 'dry-svc', owner: 'team-a', repoUrl: 'github.com?owner=example&repo=dry-svc' },
      preview: false,
    });
    assert.ok(preview, 'the command returned its preview');
    assert.deepEqual(preview.files.map((f) => f.path).sort(), ['README.md', 'catalog-info.yaml']);
    const sent = fake.requests.filter((r) => r.path === '/api/scaffolder/v2/dry-run');
    assert.equal(sent.length, 1);
    const body = sent[0].body as { directoryContents: { path: string }[]; values: Record<string, unknown> };
    assert.deepEqual(body.directoryContents.map((f) => f.path), ['skeleton/catalog-info.yaml', 'skeleton/README.md', 'template.yaml']);
    assert.equal(body.values.lifecycle, 'experimental');
    const info = preview.files.find((f) => f.path === 'catalog-info.yaml')!;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(info.uri));
    assert.equal(doc.uri.scheme, 'paved-dry-run');
    assert.equal(doc.getText(), preview.result.files.find((f) => f.path === 'catalog-info.yaml')!.content);
    assert.ok(doc.getText().includes('dry-svc'), doc.getText());
    assert.deepEqual(fs.readdirSync(target).sort(), ['skeleton', 'template.yaml']);
  });

  it('an entity annotated paved.dev/platform-api deploys through that Paved API with the token stored for it, never the Backstage token', async () => {
    const seen: { method?: string; url?: string; authorization?: string }[] = [];
    const paved = http.createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
      res.writeHead(403, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'not allowed in this test' }));
    });
    await new Promise<void>((resolve) => paved.listen(0, '127.0.0.1', resolve));
    const pavedUrl = `http://127.0.0.1:${(paved.address() as AddressInfo).port}`;
    try {
      fake.addEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'annotated-svc', annotations: { 'paved.dev/platform-api': pavedUrl, 'paved.dev/service': 'svc-x' } },
        spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
      });
      await p.backstage.testHooks.storeToken(pavedUrl, 'paved-api-token');
      const backend = await p.platform.current();
      await assert.rejects(backend.deploy('component:default/annotated-svc', { environment: 'dev' }), (err: { code?: string }) => err.code === 'forbidden');
      assert.deepEqual(seen, [{ method: 'POST', url: '/v1/services/svc-x/deployments', authorization: 'Bearer paved-api-token' }]);
    } finally {
      await p.backstage.testHooks.storeToken(pavedUrl, undefined);
      await new Promise<void>((resolve) => paved.close(() => resolve()));
    }
  });

  it('"Paved: Deploy" on an annotated entity deploys through the Paved platform it names (a real paved serve), with that platform\'s token; the tree marks it deployable and explains the others', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-it-delegate-'));
    const svcDir = path.join(root, 'ws', 'svc-delegate');
    fs.mkdirSync(svcDir, { recursive: true });
    fs.writeFileSync(
      path.join(svcDir, 'paved.yaml'),
      ['apiVersion: paved.dev/v1', 'kind: Service', 'metadata:', '  name: svc-delegate', '  owner: team-a', '  lifecycle: experimental', 'spec:', '  runtime: { name: node, version: "20" }', '  run: { command: node server.js, port: 8080 }', '  health: { path: /healthz }', ''].join('\n'),
    );
    fs.writeFileSync(path.join(svcDir, 'server.js'), "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n");
    const cli = path.join(vscode.extensions.getExtension('paved-dev.paved')!.extensionPath, 'dist', 'cli.js');
    const portBase = await freePort();
    const serve = spawn(process.execPath, [cli, 'serve', '--json', '--state-dir', path.join(root, 'state'), '--workspace', path.join(root, 'ws'), '--idle-timeout', '0', '--port-base', String(portBase)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    serve.stderr.on('data', (b: Buffer) => stderr.push(b.toString()));
    const ref = 'component:default/delegated-svc';
    try {
      const address = await firstLine(serve);
      const { url, tokenFile } = JSON.parse(address) as { url: string; tokenFile: string };
      fake.addEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'delegated-svc', annotations: { 'paved.dev/platform-api': url, 'paved.dev/service': 'svc-delegate' } },
        spec: { type: 'service', lifecycle: 'experimental', owner: 'team-a' },
      });
      await p.backstage.testHooks.storeToken(url, fs.readFileSync(tokenFile, 'utf8').trim());

      // The tree: the annotated entity is deployable and says through what; an entity without the annotation is not, and says why.
      await vscode.commands.executeCommand('paved.catalog.filter', 'delegated-svc');
      const [node] = (await p.catalog.getChildren()).filter((n): n is ServiceNode => n.kind === 'service');
      assert.equal(node?.service.ref, ref);
      assert.equal(node.deployable, true);
      const item = p.catalog.getTreeItem(node);
      assert.match(String(item.contextValue), /deployable/);
      assert.ok((item.tooltip as vscode.MarkdownString).value.includes(`Deploys through the Paved platform at ${url.replace(/[.:/-]/g, (c) => (c === '.' || c === '-' ? `\\${c}` : c))}`), (item.tooltip as vscode.MarkdownString).value);
      await vscode.commands.executeCommand('paved.catalog.filter', 'generated-service-001');
      const [plain] = (await p.catalog.getChildren()).filter((n): n is ServiceNode => n.kind === 'service');
      assert.equal(plain.deployable, false);
      assert.ok((p.catalog.getTreeItem(plain).tooltip as vscode.MarkdownString).value.includes('No Deploy here: this catalog has no deploy API.'));
      await p.catalog.setFilter('');

      const started = nextEvent(p.selfService.deploy.onDidSeeEvent, () => true, 60_000, 'the first deployment event');
      const running = vscode.commands.executeCommand<DeployResult>('paved.deploy', { service: ref, environment: 'local' });
      const { key } = await started;
      // "Reload" mid-deployment: the new component finds the record and re-attaches through the platform it names.
      const fresh = p.selfService.testHooks.recreateDeploy();
      const ended = nextEvent(fresh.onDidEnd, (e) => e.deployment.service === 'svc-delegate', 120_000, 'the end of the delegated deployment');
      const record = (await fresh.reattached).find((r) => r.key === key);
      assert.deepEqual([record?.service, record?.via, record?.platform], ['svc-delegate', url, url.replace(/\/+$/, '')]);
      const { deployment } = await ended;
      assert.equal(await running, undefined, 'the old component’s command ended without a result');
      assert.equal(deployment.id, record!.id);
      assert.equal(deployment.service, 'svc-delegate');
      assert.equal(deployment.environment, 'local');
      assert.equal(deployment.state, 'succeeded');
      const res = await fetch(`${deployment.url}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(fresh.records(), []);

      // An entity without the annotation: refused before anything is sent, saying why.
      const refusal = await assert.rejects(p.selfService.deploy.deploy({ service: 'component:default/generated-service-001', environment: 'local' }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'unsupported');
        assert.match(err.message, /Backstage has no deploy API\. Annotate the entity with "paved\.dev\/platform-api: https:\/\/…"/);
        return true;
      });
      assert.equal(refusal, undefined);
    } finally {
      await p.catalog.setFilter('');
      serve.kill('SIGTERM');
      if (serve.exitCode === null) await new Promise((resolve) => serve.once('exit', resolve));
      fs.rmSync(root, { recursive: true, force: true });
      if (stderr.length) console.log(`paved serve stderr: ${stderr.join('')}`);
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The first line a child prints on stdout (paved serve --json prints its address). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (b: Buffer) => {
      buf += b.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        child.stdout!.off('data', onData);
        resolve(buf.slice(0, nl));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`paved serve exited (${code}) before printing its address`)));
  });
}

/** test/fixtures/backstage/templates/node-service, found by walking up from the bundle. */
function findFixture(): string {
  for (let d = __dirname; path.dirname(d) !== d; d = path.dirname(d)) {
    const c = path.join(d, 'test', 'fixtures', 'backstage', 'templates', 'node-service');
    if (fs.existsSync(c)) return c;
  }
  throw new Error('test/fixtures/backstage/templates/node-service not found');
}
