import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Deployment } from '../../../src/core/api/types';
import type { CatalogNode, GroupNode, LoadMoreNode, ServiceNode } from '../../../src/extension/catalog/model';
import type { DetailsRenderEvent } from '../../../src/extension/details/detailsPanel';
import type { PavedApi } from '../../../src/extension/main';
import { activatePaved, reportMetric } from './helpers';
import { restartLocalPlatform } from './selfServiceHelpers';

async function api(): Promise<PavedApi> {
  return (await activatePaved()) as unknown as PavedApi;
}

function label(p: PavedApi, node: CatalogNode): string {
  const item = p.catalog.getTreeItem(node);
  const text = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  return item.description ? `${text} — ${String(item.description)}` : text;
}

async function labels(p: PavedApi, parent?: CatalogNode): Promise<string[]> {
  return (await p.catalog.getChildren(parent)).map((n) => label(p, n));
}

async function child(p: PavedApi, parent: CatalogNode | undefined, name: string): Promise<CatalogNode> {
  const found = (await p.catalog.getChildren(parent)).find((n) => p.catalog.getTreeItem(n).label === name);
  assert.ok(found, `${name} under ${parent ? label(p, parent) : 'root'}`);
  return found;
}

/** The fixture's payments-api was made from node-http-service 1.2.0; the local platform offers 1.3.0, so the row shows the drift. */
const PAYMENTS_API = 'payments-api — team-payments · node-http-service 1.2.0 → 1.3.0';

const config = () => vscode.workspace.getConfiguration('paved');

/** A loopback proxy to the real local platform that adds its token, or refuses connections while `down`. */
async function startProxy(target: string, token: string, port = 0): Promise<{ port: number; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const up = http.request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host, authorization: `Bearer ${token}` } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => res.destroy(e));
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Catalog view against the local platform the extension starts', function () {
  this.timeout(120_000);

  after(async () => {
    // The local platform is detached on purpose (it outlives the window): stop it so the test run leaves nothing behind.
    const p = await api();
    await restartLocalPlatform(p);
  });

  before(async () => {
    const p = await api();
    await p.catalog.setFilter('');
    await p.catalog.setGroupBy('system');
    await p.catalog.setMyTeams([]);
  });

  it('starts paved serve and lists the fixture services grouped by system', async () => {
    const p = await api();
    const started = performance.now();
    const root = await labels(p);
    reportMetric('catalog first root load (incl. starting paved serve)', Math.round(performance.now() - started), 'ms');
    assert.deepEqual(root, ['checkout — 2 services', 'storefront — 2 services', 'No system — 1 service']);
    const checkout = await child(p, undefined, 'checkout');
    assert.deepEqual(await labels(p, checkout), ['ledger — team-payments', PAYMENTS_API]);
    const noSystem = await child(p, undefined, 'No system');
    assert.deepEqual(await labels(p, noSystem), ['legacy-reports — team-data']);
    // The local platform records itself where the extension keeps its state.
    const info = JSON.parse(fs.readFileSync(path.join(p.platform.localStateDir, 'serve.json'), 'utf8')) as { url: string; pid: number };
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(p.platform.state, 'connected');
  });

  it('gives each service its status icon, tooltip and context flags', async () => {
    const p = await api();
    const checkout = await child(p, undefined, 'checkout');
    const node = (await child(p, checkout, 'payments-api')) as ServiceNode;
    const item = p.catalog.getTreeItem(node);
    assert.equal(item.contextValue, 'service+manifest+details+deployable+workspace+behind');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'circle-outline');
    const tip = (item.tooltip as vscode.MarkdownString).value;
    assert.ok(tip.startsWith('**Payments API** `payments-api`\n\nTakes card payments for checkout\\.'), tip);
    assert.ok(tip.includes('Owner: team\\-payments'), tip);
    assert.equal(item.command?.command, 'paved.service.openDetails');
  });

  it('pages children with a Load more node', async () => {
    const p = await api();
    await config().update('catalog.pageSize', 1, vscode.ConfigurationTarget.Workspace);
    try {
      assert.equal(p.catalog.model.pageSize, 1);
      assert.deepEqual(await labels(p), ['checkout — 2 services', 'Load more… — 1 shown']);
      const checkout = await child(p, undefined, 'checkout');
      const kids = await p.catalog.getChildren(checkout);
      assert.deepEqual(kids.map((n) => label(p, n)), ['ledger — team-payments', 'Load more… — 1 shown']);
      const more = kids[1] as LoadMoreNode;
      assert.equal(p.catalog.getTreeItem(more).command?.command, 'paved.catalog.loadMore');
      await vscode.commands.executeCommand('paved.catalog.loadMore', more);
      assert.deepEqual(await labels(p, checkout), ['ledger — team-payments', PAYMENTS_API]);
    } finally {
      await config().update('catalog.pageSize', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.equal(p.catalog.model.pageSize, 100);
  });

  it('keeps at most 500 children in a group: Load more drops the first page, Show earlier brings it back', async () => {
    const p = await api();
    const backend = await p.platform.current();
    const names = Array.from({ length: 601 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
    let next = 0;
    const register = async () => {
      for (let i = next++; i < names.length; i = next++) {
        await backend.register({ manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: names[i], owner: 'team-bulk', system: 'bulk' }, spec: {} } });
      }
    };
    await Promise.all(Array.from({ length: 8 }, register));
    await config().update('catalog.pageSize', 200, vscode.ConfigurationTarget.Workspace);
    try {
      p.catalog.refresh();
      const bulk = await child(p, undefined, 'bulk');
      const shown = async () => {
        const kids = await p.catalog.getChildren(bulk);
        const services = kids.filter((n) => n.kind === 'service').map((n) => p.catalog.getTreeItem(n).label as string);
        return { kids, first: services[0], last: services.at(-1), count: services.length, paging: kids.filter((n) => n.kind !== 'service').map((n) => label(p, n)) };
      };
      let now = await shown();
      assert.deepEqual([now.first, now.last, now.count, now.paging], ['bulk-000', 'bulk-199', 200, ['Load more… — 200 shown']]);
      await vscode.commands.executeCommand('paved.catalog.loadMore', now.kids.at(-1));
      now = await shown();
      assert.deepEqual([now.first, now.last, now.count, now.paging], ['bulk-000', 'bulk-399', 400, ['Load more… — 400 shown']]);
      // A third page would make 600 children: the first page goes, and the view says what is above.
      await vscode.commands.executeCommand('paved.catalog.loadMore', now.kids.at(-1));
      now = await shown();
      assert.deepEqual([now.first, now.last, now.count, now.paging], ['bulk-200', 'bulk-599', 400, ['Show earlier… — 200 before these', 'Load more… — 201–600 shown']]);
      const earlier = p.catalog.getTreeItem(now.kids[0]);
      assert.equal(earlier.command?.command, 'paved.catalog.loadMore');
      await vscode.commands.executeCommand('paved.catalog.loadMore', now.kids[0]);
      now = await shown();
      assert.deepEqual([now.first, now.last, now.count, now.paging], ['bulk-000', 'bulk-399', 400, ['Load more… — 400 shown']]);
    } finally {
      await config().update('catalog.pageSize', undefined, vscode.ConfigurationTarget.Workspace);
      next = 0;
      const unregister = async () => {
        for (let i = next++; i < names.length; i = next++) await backend.unregister(names[i]);
      };
      await Promise.all(Array.from({ length: 8 }, unregister));
      p.catalog.refresh();
    }
    assert.deepEqual(await labels(p), ['checkout — 2 services', 'storefront — 2 services', 'No system — 1 service']);
  });

  it('filters by text and clears the filter', async () => {
    const p = await api();
    await vscode.commands.executeCommand('paved.catalog.filter', 'checkout');
    assert.deepEqual(await labels(p), ['checkout-web — team-web', PAYMENTS_API]);
    await vscode.commands.executeCommand('paved.catalog.filter', 'no-such-thing');
    assert.deepEqual(await labels(p), ['No service matches “no-such-thing”.']);
    await vscode.commands.executeCommand('paved.catalog.clearFilter');
    assert.equal(p.catalog.model.filter, '');
    assert.equal((await labels(p))[0], 'checkout — 2 services');
  });

  it('groups by owner and lifecycle, remembers the choice, and shows My services', async () => {
    const p = await api();
    await vscode.commands.executeCommand('paved.catalog.groupBy', 'owner');
    assert.deepEqual(await labels(p), [
      'team-data — 1 service',
      'team-discovery — 1 service',
      'team-payments — 2 services',
      'team-web — 1 service',
    ]);
    await vscode.commands.executeCommand('paved.catalog.groupBy', 'lifecycle');
    assert.deepEqual(await labels(p), ['deprecated — 1 service', 'experimental — 1 service', 'production — 3 services']);
    await vscode.commands.executeCommand('paved.catalog.pickMyTeams', ['team-web', 'team-data']);
    const root = await p.catalog.getChildren();
    assert.equal(label(p, root[0]), 'My services — team-data, team-web');
    assert.deepEqual(await labels(p, root[0]), ['legacy-reports — team-data', 'checkout-web — team-web']);
    await vscode.commands.executeCommand('paved.catalog.pickMyTeams', []);
    await vscode.commands.executeCommand('paved.catalog.groupBy', 'system');
    const first = (await p.catalog.getChildren())[0] as GroupNode;
    assert.equal(first.kind, 'group');
    assert.equal(first.field, 'system');
  });

  it('shows an error node when the platform fails, and Retry recovers', async () => {
    const p = await api();
    const local = await p.platform.current();
    const info = JSON.parse(fs.readFileSync(path.join(p.platform.localStateDir, 'serve.json'), 'utf8')) as { url: string; tokenFile: string };
    const token = fs.readFileSync(info.tokenFile, 'utf8').trim();
    // Reserve a port, then leave it closed: the platform is unreachable there.
    const probe = await startProxy(local.baseUrl, token);
    const port = probe.port;
    await probe.close();
    const changed = new Promise<void>((resolve) => {
      const sub = p.platform.onDidChange(() => {
        sub.dispose();
        resolve();
      });
    });
    await config().update('platform.kind', 'paved', vscode.ConfigurationTarget.Workspace);
    await config().update('platform.url', `http://127.0.0.1:${port}`, vscode.ConfigurationTarget.Workspace);
    await changed;
    let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
    try {
      const root = await p.catalog.getChildren();
      assert.equal(root.length, 1);
      assert.equal(root[0].kind, 'error');
      const item = p.catalog.getTreeItem(root[0]);
      assert.equal(item.label, 'Could not load the catalog — click to retry');
      assert.equal(item.command?.command, 'paved.catalog.retry');
      assert.match(String(item.description), /127\.0\.0\.1/);
      // The platform comes back: Retry loads the catalog through it.
      proxy = await startProxy(local.baseUrl, token, port);
      await vscode.commands.executeCommand('paved.catalog.retry', root[0]);
      assert.deepEqual(await labels(p), ['checkout — 2 services', 'storefront — 2 services', 'No system — 1 service']);
      // The root groups come from the platform's facet counts.
      assert.ok(proxy.requests.includes('GET /v1/service-facets'), proxy.requests.join(', '));
    } finally {
      await config().update('platform.kind', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('platform.url', undefined, vscode.ConfigurationTarget.Workspace);
      await proxy?.close();
    }
  });

  it('opens the details panel with owner, links, dependencies, APIs, SLOs, environments, metrics and scorecard', async () => {
    const p = await api();
    const rendered = new Promise<DetailsRenderEvent>((resolve) => {
      const sub = p.details.onDidRender((e) => {
        if (e.ref !== 'payments-api') return;
        sub.dispose();
        resolve(e);
      });
    });
    await vscode.commands.executeCommand('paved.service.openDetails', 'payments-api');
    const { html, outcome } = await rendered;
    assert.equal(outcome, 'loaded');
    assert.ok(html.includes('<h1>Payments API <code>payments-api</code></h1>'));
    assert.ok(html.includes('<tr><th>Owner</th><td>team-payments</td></tr>'));
    assert.ok(html.includes('data-url="https://wiki.example.com/payments/runbook"'));
    assert.ok(html.includes('<a href="#" data-ref="ledger">service:ledger</a>'));
    assert.ok(html.includes('<a href="#" data-ref="checkout-web">checkout-web</a>'), 'dependents are navigable');
    assert.ok(html.includes('<code>payments-v1</code>'));
    assert.ok(html.includes('<strong>availability</strong> 99.9 % over 30d'));
    assert.ok(html.includes('<section id="metrics">'));
    assert.match(html, /<span class="score">\d+<\/span> \/ 100/);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; [^"]*script-src &#39;nonce-[A-Za-z0-9+/=]+&#39;">/);
    assert.deepEqual(p.details.openRefs, ['payments-api']);
  });

  it('opens a workspace manifest as the file, a registered one read-only', async () => {
    const p = await api();
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('paved.service.openManifest', 'ledger');
    assert.equal(editor.document.uri.scheme, 'file');
    assert.equal(editor.document.uri.fsPath, path.join(process.env.PAVED_TEST_WORKSPACE ?? '', 'services', 'ledger', 'paved.yaml'));
    const backend = await p.platform.current();
    await backend.register({
      manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'remote-billing', owner: 'team-billing' }, spec: { runtime: { name: 'node', version: '20' } } },
    });
    const virtual = await vscode.commands.executeCommand<vscode.TextEditor>('paved.service.openManifest', 'remote-billing');
    assert.equal(virtual.document.uri.scheme, 'paved-manifest');
    assert.equal(virtual.document.languageId, 'yaml');
    assert.ok(virtual.document.getText().includes('name: remote-billing'), virtual.document.getText());
    await backend.unregister('remote-billing');
  });

  it('shows the status of the service whose manifest is open in the status bar', async () => {
    const p = await api();
    const file = path.join(process.env.PAVED_TEST_WORKSPACE ?? '', 'services', 'payments-api', 'paved.yaml');
    const updated = new Promise<string>((resolve) => {
      const sub = p.statusBar.onDidUpdate((s) => {
        if (s.service !== 'payments-api') return;
        sub.dispose();
        resolve(s.text);
      });
    });
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    assert.equal(await updated, '$(circle-outline) payments-api: not deployed');
  });

  it('sends feedback about a service to the platform', async () => {
    const sent = await vscode.commands.executeCommand<{ id: string; service: string; message: string; category: string }>(
      'paved.sendFeedback',
      'payments-api',
      'The runbook link is stale.',
      'bug',
    );
    assert.equal(sent.service, 'payments-api');
    assert.equal(sent.message, 'The runbook link is stale.');
    assert.equal(sent.category, 'bug');
    assert.ok(sent.id);
  });

  it('lists no deployments before any was made (the view shows its welcome content)', async () => {
    const p = await api();
    p.deployments.refresh();
    const nodes = await p.deployments.getChildren();
    assert.deepEqual(nodes, []);
  });

  it('follows a tracked deployment live and updates the service in the catalog', async () => {
    const p = await api();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-live-'));
    fs.writeFileSync(path.join(dir, 'build.js'), "require('fs').mkdirSync('dist',{recursive:true});require('fs').copyFileSync('server.js','dist/server.js');\n");
    fs.writeFileSync(
      path.join(dir, 'server.js'),
      "require('http').createServer((q,r)=>r.end('ok')).listen(Number(process.env.PORT),'127.0.0.1');process.on('SIGTERM',()=>process.exit(0));\n",
    );
    const backend = await p.platform.current();
    await backend.register({
      manifest: {
        apiVersion: 'paved.dev/v1',
        kind: 'Service',
        metadata: { name: 'live-demo', owner: 'team-live', system: 'live', lifecycle: 'experimental' },
        spec: { build: { command: 'node build.js' }, run: { command: 'node dist/server.js', port: 8080 }, health: { path: '/healthz' } },
      },
      sourceDir: dir,
    });
    p.catalog.refresh();
    const live = await child(p, undefined, 'live');
    const before = (await child(p, live, 'live-demo')) as ServiceNode;
    assert.equal(p.catalog.getTreeItem(before).description, 'team-live');

    const finished = new Promise<Deployment>((resolve) => {
      const sub = p.deployments.onDidChangeDeployment((d) => {
        if (d.service !== 'live-demo' || ['pending', 'building', 'starting', 'health-checking'].includes(d.state)) return;
        sub.dispose();
        resolve(d);
      });
    });
    const updated = new Promise<void>((resolve) => {
      const sub = p.catalog.onDidChangeTreeData((node) => {
        if (node?.kind !== 'service' || node.service.name !== 'live-demo' || node.service.status.local !== 'running') return;
        sub.dispose();
        resolve();
      });
    });
    const started = await backend.deploy('live-demo', { environment: 'local' });
    p.deployments.track(started);
    assert.equal(p.deployments.deployments[0].id, started.id);
    const done = await finished;
    assert.equal(done.state, 'succeeded', done.error);
    await updated;
    // Right after the switch the platform has not probed the new release yet ("…", health unknown); the tree changes
    // again when the health watcher sees the first probe's answer.
    const described = () => p.catalog.getTreeItem(before).description;
    if (described() !== 'team-live · local ✓') {
      await new Promise<void>((resolve) => {
        const sub = p.catalog.onDidChangeTreeData(() => {
          if (described() !== 'team-live · local ✓') return;
          sub.dispose();
          resolve();
        });
      });
    }
    assert.equal(described(), 'team-live · local ✓');
    assert.equal((p.catalog.getTreeItem(before).iconPath as vscode.ThemeIcon).id, 'pass-filled');
    const rows = await p.deployments.getChildren();
    assert.equal(rows[0].kind === 'deployment' && rows[0].deployment.state, 'succeeded');
    assert.match(String(p.deployments.getTreeItem(rows[0]).description), /^succeeded · r-/);
  });
});
