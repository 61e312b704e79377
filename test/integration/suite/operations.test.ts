import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LogLine } from '../../../src/core/api/operations';
import type { Deployment } from '../../../src/core/api/types';
import type { CatalogNode, ServiceNode } from '../../../src/extension/catalog/model';
import type { DeployResult } from '../../../src/extension/deploy/deployCommands';
import type { PavedApi } from '../../../src/extension/main';
import type { ScaffoldResult } from '../../../src/extension/scaffold/scaffoldCommand';
import { api, nextEvent, restartLocalPlatform, ScriptedInputs } from './selfServiceHelpers';

const SERVICE = 'it-ops';
const OWNER = 'team-payments';

/** The service's item in the catalog tree, wherever its group puts it. */
async function serviceNode(p: PavedApi): Promise<ServiceNode> {
  const walk = async (parent?: CatalogNode): Promise<ServiceNode | undefined> => {
    for (const n of await p.catalog.getChildren(parent)) {
      if (n.kind === 'service' && n.service.name === SERVICE) return n;
      if (n.kind === 'group') {
        const found = await walk(n);
        if (found) return found;
      }
    }
    return undefined;
  };
  const node = await walk();
  assert.ok(node, `${SERVICE} in the catalog tree`);
  return node;
}

/** Resolves when the health watcher reports `state` for the service in local (or at once when it already does). */
async function healthBecomes(p: PavedApi, state: string, timeoutMs = 60_000): Promise<void> {
  if (p.operations.health.healthOf(SERVICE)?.local === state) return;
  await nextEvent(p.operations.health.onDidChange, (names) => names.includes(SERVICE) && p.operations.health.healthOf(SERVICE)?.local === state, timeoutMs, `${SERVICE} ${state} in local`);
}

describe('Day two in the extension host: logs, health, stop against the local platform', function () {
  this.timeout(240_000);
  let tmp: string;
  let deployed: Deployment;

  before(async () => {
    const p = await api();
    await vscode.workspace.getConfiguration('paved').update('health.pollIntervalSeconds', 1, vscode.ConfigurationTarget.Global);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-it-ops-'));
    const folder = path.join(tmp, SERVICE);
    p.selfService.testHooks.setQuickInputs(
      new ScriptedInputs(p.selfService.testHooks, {
        template: { pick: 'Node.js HTTP service' },
        name: { type: SERVICE },
        owner: { pick: OWNER },
        folder: { type: folder },
        review: [{ pick: '$(edit) Folder' }, { pick: '$(check) Create' }],
      }),
    );
    const created = await vscode.commands.executeCommand<ScaffoldResult | undefined>('paved.newService');
    p.selfService.testHooks.setQuickInputs(undefined);
    assert.equal(created?.registered, SERVICE);
    // The developer adds a switch to make the health check fail (an outage on demand) and probes every second.
    const server = path.join(folder, 'src', 'server.js');
    const source = fs.readFileSync(server, 'utf8');
    const patched = source
      .replace("function handle(req, res) {", "let healthStatus = 200;\nfunction handle(req, res) {")
      .replace("  const url = new URL(req.url ?? '/', 'http://localhost');", "  const url = new URL(req.url ?? '/', 'http://localhost');\n  if (url.pathname === '/flip') {\n    healthStatus = Number(url.searchParams.get('status'));\n    res.end('flipped');\n    return;\n  }")
      .replace("res.writeHead(200, { 'content-type': 'application/json' });\n    res.end(JSON.stringify({ status: 'ok'", "res.writeHead(healthStatus, { 'content-type': 'application/json' });\n    res.end(JSON.stringify({ status: healthStatus === 200 ? 'ok' : 'failing'");
    assert.notEqual(patched, source, 'the golden path’s server.js has the shape this test patches');
    assert.ok(patched.includes('healthStatus = Number') && patched.includes('res.writeHead(healthStatus'));
    fs.writeFileSync(server, patched);
    const manifest = path.join(folder, 'paved.yaml');
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('health: { path: /healthz }', 'health: { path: /healthz, intervalSeconds: 1, failureThreshold: 2 }'));
    const result = await vscode.commands.executeCommand<DeployResult>('paved.deploy', { service: SERVICE, environment: 'local', manifestUri: vscode.Uri.file(manifest).toString() });
    assert.ok(result && !('refused' in result), JSON.stringify(result));
    deployed = result;
    assert.equal(deployed.state, 'succeeded', deployed.error);
  });

  after(async () => {
    const p = await api();
    await vscode.workspace.getConfiguration('paved').update('health.pollIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    for (const key of p.operations.logs.following) {
      const [service, environment] = key.split('/');
      p.operations.logs.stop(service, environment);
    }
    // (The last test stops the platform and starts it again; should it fail in between, start it here to clean up.)
    await vscode.commands.executeCommand('paved.startLocalPlatform');
    const backend = await p.platform.current();
    await backend.unregister(SERVICE).catch((err: unknown) => console.log(`unregister: ${String(err)}`));
    fs.rmSync(tmp, { recursive: true, force: true });
    await restartLocalPlatform(p);
  });

  it('Show Service Logs follows the running service in a log channel: a request’s access log line arrives, once', async () => {
    const p = await api();
    const seen: LogLine[] = [];
    const sub = p.operations.logs.onDidAppend((e) => {
      if (e.service === SERVICE && e.environment === 'local') seen.push(e.line);
    });
    try {
      await vscode.commands.executeCommand('paved.service.showLogs', { service: SERVICE, environment: 'local' });
      assert.deepEqual(p.operations.logs.following, [`${SERVICE}/local`]);
      // The start-up line comes from the tail; then a request made now shows up while following.
      if (!seen.some((l) => l.text.includes('listening on'))) await nextEvent(p.operations.logs.onDidAppend, (e) => e.line.text.includes('listening on'), 30_000, 'the start-up line');
      const path = `/orders?it=${Date.now()}`;
      const arrived = nextEvent(p.operations.logs.onDidAppend, (e) => e.service === SERVICE && e.line.text.includes(path), 30_000, 'the access log line');
      assert.equal((await fetch(`${deployed.url}${path}`)).status, 404);
      const { line } = await arrived;
      assert.equal(line.text, `GET ${path} 404`);
      assert.equal(line.stream, 'stdout');
      const lines = p.operations.logs.lines(SERVICE, 'local');
      assert.equal(lines.filter((l) => l === `GET ${path} 404`).length, 1, lines.join('\n'));
      assert.equal(new Set(seen.map((l) => l.cursor)).size, seen.length, 'no line twice');
      assert.ok(!lines.some((l) => l.includes('GET /healthz')), 'health checks are not logged');
    } finally {
      sub.dispose();
    }
  });

  it('the tree, the status of the service and the CodeLens follow its health: unhealthy (one notification) and back to healthy', async () => {
    const p = await api();
    await p.catalog.setMyTeams([OWNER]);
    await healthBecomes(p, 'healthy');
    const node = await serviceNode(p);
    assert.equal((p.catalog.getTreeItem(node).iconPath as vscode.ThemeIcon).id, 'pass-filled');
    const manifestUri = vscode.Uri.file(path.join(tmp, SERVICE, 'paved.yaml'));
    const lens = async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', manifestUri)).map((l) => l.command?.title ?? '');
    assert.ok((await lens()).some((t) => /^\$\(pulse\) local: healthy r\d+$/.test(t)), (await lens()).join(' | '));

    const alerts: string[] = [];
    const sub = p.operations.health.onDidAlert((items) => alerts.push(...items.map((i) => `${i.service}/${i.environment}`)));
    try {
      const treeChanged = nextEvent(p.catalog.onDidChangeTreeData, (n) => n?.kind === 'service' && n.service.name === SERVICE && n.service.health?.local === 'unhealthy', 60_000, 'the tree item turning unhealthy');
      assert.equal((await fetch(`${deployed.url}/flip?status=503`)).status, 200);
      await healthBecomes(p, 'unhealthy');
      await treeChanged;
      const item = p.catalog.getTreeItem(await serviceNode(p));
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
      assert.match(String(item.description), /local ✗/);
      const tooltip = typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
      assert.match(tooltip, /local: ✗ running, unhealthy: it keeps failing its health check/);
      assert.ok((await lens()).some((t) => t.startsWith('$(error) local: unhealthy')));
      // Still unhealthy a few polls later: still the one notification.
      for (let i = 0; i < 3; i++) await nextEvent(p.operations.health.onDidPoll, () => true, 10_000, 'a poll');
      assert.deepEqual(alerts, [`${SERVICE}/local`]);

      // The tree item is updated from the platform after the health changed: wait for that update, not only the health.
      const treeBack = nextEvent(p.catalog.onDidChangeTreeData, (n) => n?.kind === 'service' && n.service.name === SERVICE && n.service.health?.local === 'healthy', 60_000, 'the tree item turning healthy');
      assert.equal((await fetch(`${deployed.url}/flip?status=200`)).status, 200);
      await healthBecomes(p, 'healthy');
      await treeBack;
      const back = p.catalog.getTreeItem(await serviceNode(p));
      assert.equal((back.iconPath as vscode.ThemeIcon).id, 'pass-filled');
      assert.deepEqual(alerts, [`${SERVICE}/local`], 'recovering is not announced');
    } finally {
      sub.dispose();
    }
  });

  it('Stop Service stops it (idempotent on the platform); the log channel says so and the health is gone', async () => {
    const p = await api();
    const stopped = nextEvent(p.operations.logs.onDidAppend, (e) => e.service === SERVICE && e.line.stream === 'platform' && /^exited/.test(e.line.text), 60_000, 'the platform’s stop line');
    await vscode.commands.executeCommand('paved.service.stop', { service: SERVICE, environment: 'local' });
    await stopped;
    const backend = await p.platform.current();
    const status = await backend.operations.status(SERVICE);
    assert.equal(status.environments.find((e) => e.environment === 'local')?.state, 'stopped');
    assert.equal(p.operations.health.healthOf(SERVICE), undefined, 'nothing runs: no health');
    const again = await backend.operations.stop(SERVICE, 'local');
    assert.equal(again.changed, false);
    await vscode.commands.executeCommand('paved.service.stopFollowingLogs', { service: SERVICE, environment: 'local' });
    assert.deepEqual(p.operations.logs.following, []);
  });

  it('a stopped local platform stays stopped: the views and the health polls do not start it again; Start Local Platform does', async () => {
    const p = await api();
    const serveJson = path.join(p.platform.localStateDir, 'serve.json');
    assert.ok(fs.existsSync(serveJson), 'the local platform runs');
    await vscode.commands.executeCommand('paved.stopLocalPlatform');
    assert.equal(p.platform.state, 'stopped', 'the views show their "stopped" welcome content');
    // What the editor does on its own — the catalog filling itself, the status bar of a paved.yaml, the health polls —
    // starts nothing.
    p.catalog.refresh();
    assert.deepEqual(await p.catalog.getChildren(undefined), []);
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(tmp, SERVICE, 'paved.yaml')));
    for (let i = 0; i < 3; i++) await nextEvent(p.operations.health.onDidPoll, () => true, 10_000, 'a poll');
    assert.ok(!fs.existsSync(serveJson), 'no local platform was started by a view or a poll');
    assert.equal(p.operations.health.healthOf(SERVICE), undefined);
    assert.equal(p.platform.state, 'stopped');
    // The user asks for it: it starts, and the catalog shows the services again.
    await vscode.commands.executeCommand('paved.startLocalPlatform');
    assert.ok(fs.existsSync(serveJson), 'Start Local Platform started it');
    assert.equal(p.platform.state, 'connected');
    await serviceNode(p);
  });
});
