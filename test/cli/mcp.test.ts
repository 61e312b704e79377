/**
 * `paved mcp` as a real process, driven by the MCP SDK's own client over stdio, against a real `paved serve`: the tools
 * it lists (with annotations; only the reads under --read-only), and search, lint, scaffold and deploy called as an
 * agent would, with the typed errors a model gets for bad input. Run: npm run test:cli
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AGENT_TOOLS } from '../../src/platform/agentTools';
import { portBase, repoRoot, serve, tempDir, type Served } from '../contract/helpers';
import { buildCli } from './helpers';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['PAVED_TOKEN', 'PAVED_BACKEND', 'PAVED_URL'].includes(k) && process.env[k] !== undefined)) as Record<string, string>;

const BROKEN_SECRET = '  env:\n    DB_PASSWORD: hunter2-hunter2\n';

describe('paved mcp: the agent tools over stdio against paved serve', function () {
  this.timeout(180_000);
  let bundle = '';
  let served: Served;
  let stateDir: string;
  let work: string;
  const clients: Client[] = [];

  async function connect(args: string[] = []): Promise<Client> {
    const client = new Client({ name: 'paved-mcp-test', version: '1.0.0' });
    const transport = new StdioClientTransport({ command: process.execPath, args: [bundle, 'mcp', '--workspace', work, ...args], cwd: work, env: { ...cleanEnv, PAVED_STATE_DIR: stateDir }, stderr: 'pipe' });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

  async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return (await client.callTool({ name, arguments: args })) as CallToolResult;
  }

  async function ok(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult & { structuredContent: Record<string, unknown> }> {
    const r = await call(client, name, args);
    assert.ok(!r.isError, `${name} failed: ${text(r)}`);
    return r as CallToolResult & { structuredContent: Record<string, unknown> };
  }

  async function failed(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
    const r = await call(client, name, args);
    assert.equal(r.isError, true, `${name} should fail: ${text(r)}`);
    return text(r);
  }

  before(async () => {
    bundle = buildCli('mcp');
    stateDir = tempDir('mcp-state');
    work = tempDir('mcp-work');
    fs.cpSync(path.join(repoRoot, 'test/fixtures/workspaces/basic/services'), path.join(work, 'services'), { recursive: true });
    served = await serve(['--port', '0', '--state-dir', stateDir, '--port-base', String(portBase()), '--workspace', work, '--templates', path.join(repoRoot, 'test/fixtures/golden-paths'), '--idle-timeout', '0'], {}, bundle);
  });
  after(async () => {
    for (const c of clients) await c.close();
    await served?.stop();
    for (const d of [work, stateDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
    if (bundle) fs.rmSync(bundle, { force: true });
  });

  it('lists every tool with its schemas and annotations from its kind', async () => {
    const client = await connect();
    assert.equal(client.getServerVersion()?.name, 'paved');
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), AGENT_TOOLS.map((t) => t.name));
    const byName = new Map(tools.map((t) => [t.name, t]));
    assert.deepEqual(byName.get('paved_search_services')?.annotations, { title: 'Search the service catalog', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    assert.deepEqual(byName.get('paved_deploy')?.annotations, { title: 'Deploy a service', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    assert.equal(byName.get('paved_rollback')?.annotations?.destructiveHint, true);
    assert.deepEqual(byName.get('paved_deploy')?.inputSchema.required, ['service', 'environment']);
  });

  it('--read-only lists and runs only the reads', async () => {
    const client = await connect(['--read-only']);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), AGENT_TOOLS.filter((t) => t.kind === 'read').map((t) => t.name));
    assert.ok(tools.every((t) => t.annotations?.readOnlyHint === true));
    assert.match(await failed(client, 'paved_deploy', { service: 'ledger', environment: 'local' }), /^Error \(invalid-input\): paved_deploy is not served: paved mcp runs with --read-only\.$/);
  });

  it('searches the catalog and gets a service; an unknown service is a typed not-found error', async () => {
    const client = await connect();
    const found = await ok(client, 'paved_search_services', { system: 'checkout' });
    assert.deepEqual((found.structuredContent.services as { ref: string }[]).map((s) => s.ref).sort(), ['ledger', 'payments-api']);
    assert.match(text(found), /^2 services found\.\n\{"services":\[/);
    const byText = await ok(client, 'paved_search_services', { text: 'double-entry' });
    assert.deepEqual((byText.structuredContent.services as { ref: string; owner: string }[]).map((s) => [s.ref, s.owner]), [['ledger', 'team-payments']]);
    const ledger = await ok(client, 'paved_get_service', { service: 'ledger' });
    assert.equal(ledger.structuredContent.owner, 'team-payments');
    assert.ok((ledger.structuredContent.links as { url: string }[]).some((l) => l.url === 'https://docs.example.com/ledger'));
    assert.match(await failed(client, 'paved_get_service', { service: 'no-such-service' }), /^Error \(not-found\): /);
  });

  it('lints a manifest with findings on the right lines, and refuses a path outside the workspace', async () => {
    const client = await connect();
    const file = path.join(work, 'services', 'ledger', 'paved.yaml');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('  run: { command: node server.js, port: 8080 }\n', `  run: { command: node server.js, port: 8080 }\n${BROKEN_SECRET}`));
    try {
      const r = await ok(client, 'paved_lint_manifest', { path: 'services/ledger/paved.yaml' });
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      const secretLine = lines.findIndex((l) => l.includes('DB_PASSWORD')) + 1;
      const findings = r.structuredContent.findings as { line: number; column: number; ruleId: string; docsUrl?: string }[];
      const secret = findings.find((f) => f.ruleId === 'no-plaintext-secret');
      assert.ok(secret, JSON.stringify(findings));
      assert.equal(secret.line, secretLine);
      assert.equal(secret.column, 5);
      assert.equal(secret.docsUrl, 'https://paved.dev/docs/policies#no-plaintext-secret');
    } finally {
      fs.writeFileSync(file, original);
    }
    assert.match(await failed(client, 'paved_lint_manifest', { path: path.join(repoRoot, 'package.json') }), /^Error \(forbidden\): The manifest path ".*package\.json" is outside the workspace/);
    assert.match(await failed(client, 'paved_lint_manifest', { path: '../../etc/paved.yaml' }), /^Error \(forbidden\): /);
  });

  it('refuses invalid values and a folder outside the workspace, writing nothing', async () => {
    const client = await connect();
    const bad = await failed(client, 'paved_scaffold_service', { goldenPath: 'node-http-service', values: { name: 'orders', owner: 'team-a', port: 80 } });
    assert.match(bad, /^Error \(invalid-input\): invalid values for node-http-service: port: .*1024/);
    assert.match(await failed(client, 'paved_scaffold_service', { goldenPath: 'node-http-service', values: { name: 'orders', colour: 'red' } }), /^Error \(invalid-input\): node-http-service has no parameter "colour"/);
    assert.match(await failed(client, 'paved_scaffold_service', { goldenPath: 'node-http-service', values: { name: 'orders', owner: 'team-a' }, folder: '../elsewhere' }), /^Error \(forbidden\): The target folder "..\/elsewhere" is outside the workspace/);
    assert.match(await failed(client, 'paved_deploy', { service: 'ledger' }), /^Error \(invalid-input\): Invalid input for paved_deploy: input must have required property 'environment'/);
    assert.equal(fs.existsSync(path.join(work, 'orders')), false);
    assert.equal(fs.existsSync(path.join(path.dirname(work), 'elsewhere')), false);
  });

  describe('a new service from a golden path, deployed by an agent', () => {
    let client: Client;
    before(async () => {
      client = await connect();
    });

    it('scaffolds it into the workspace and registers it', async () => {
      const r = await ok(client, 'paved_scaffold_service', { goldenPath: 'node-http-service', values: { name: 'orders', owner: 'team-payments' } });
      assert.equal(r.structuredContent.folder, 'orders');
      assert.equal(r.structuredContent.registered, 'orders');
      assert.ok((r.structuredContent.written as string[]).includes('paved.yaml'));
      assert.ok(fs.existsSync(path.join(work, 'orders', 'src', 'server.js')));
      const again = await failed(client, 'paved_scaffold_service', { goldenPath: 'node-http-service', values: { name: 'orders', owner: 'team-payments' } });
      assert.match(again, /^Error \(conflict\): \d+ file\(s\) already exist in orders .*; nothing was written/);
    });

    it('checks a service against its golden path: one scaffolded from 1.2.0 can go to 1.3.0', async () => {
      await ok(client, 'paved_scaffold_service', { goldenPath: 'node-http-service', version: '1.2.0', values: { name: 'legacy', owner: 'team-payments' } });
      const old = await ok(client, 'paved_check_golden_path', { folder: 'legacy' });
      assert.deepEqual([old.structuredContent.template, old.structuredContent.current, old.structuredContent.latest, old.structuredContent.updateAvailable], ['node-http-service', '1.2.0', '1.3.0', true]);
      assert.equal(text(old).split('\n')[0], 'legacy is on node-http-service 1.2.0; 1.3.0 is available.');
      const current = await ok(client, 'paved_check_golden_path', { folder: 'orders' });
      assert.equal(current.structuredContent.updateAvailable, false);
      assert.match(await failed(client, 'paved_check_golden_path', { folder: 'services/ledger' }), /^Error \(not-found\): .*records no golden path/);
    });

    it('the policy gate refuses the deploy of a broken manifest: nothing is deployed', async () => {
      const file = path.join(work, 'orders', 'paved.yaml');
      const original = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, original.replace('env: { LOG_LEVEL: info }', 'env: { LOG_LEVEL: info, DB_PASSWORD: hunter2-hunter2 }'));
      try {
        const refused = await failed(client, 'paved_deploy', { service: 'orders', environment: 'local' });
        assert.match(refused, /^Error \(invalid-input\): Refused: orders's manifest has 1 policy error\(s\) for local; nothing was deployed/);
        assert.match(refused, /no-plaintext-secret/);
      } finally {
        fs.writeFileSync(file, original);
      }
      assert.match(await failed(client, 'paved_get_deployment', { service: 'orders' }), /^Error \(not-found\): orders has no deployment yet/);
    });

    it('deploys it to local and reads the deployment with its events', async () => {
      const r = await ok(client, 'paved_deploy', { service: 'orders', environment: 'local', wait: true });
      const d = r.structuredContent.deployment as { id: string; state: string; url?: string };
      assert.equal(d.state, 'succeeded', text(r));
      assert.match(d.url ?? '', /^http:\/\/127\.0\.0\.1:\d+/);
      const read = await ok(client, 'paved_get_deployment', { service: 'orders', environment: 'local' });
      assert.equal((read.structuredContent.deployment as { id: string }).id, d.id);
      const events = read.structuredContent.events as string[];
      assert.ok(events.some((e) => /\[health\]/.test(e)), events.join('\n'));
      const status = await ok(client, 'paved_get_service_status', { service: 'orders' });
      const local = (status.structuredContent.environments as { environment: string; state: string }[]).find((e) => e.environment === 'local');
      assert.equal(local?.state, 'running', JSON.stringify(status.structuredContent));
      // Right after the deployment the platform's probe may not have run yet: unknown, else healthy.
      assert.match(text(status).split('\n')[0], /^orders: local (unknown|healthy), staging not-deployed, production not-deployed\.$/);
      const logs = await ok(client, 'paved_get_logs', { service: 'orders', environment: 'local', tail: 50 });
      assert.equal(logs.structuredContent.release, (read.structuredContent.deployment as { release: string }).release);
      assert.match(text(logs), /^\d+ log lines? of orders in local \(release /);
      assert.match(await failed(client, 'paved_get_logs', { service: 'orders', environment: 'local', since: 'yesterday' }), /^Error \(invalid-input\): Invalid input for paved_get_logs: since must match format "date-time"/);
    });

    it('a production deployment needs a person: the error says so and how, and nothing is sent', async () => {
      const err = await failed(client, 'paved_deploy', { service: 'orders', environment: 'production' });
      assert.equal(
        err,
        "Error (forbidden): orders's manifest requires a person's approval to deploy orders to production, and an agent cannot give it. A person must approve it: run `paved deploy orders --env production --approve` yourself, or Deploy… in VS Code and confirm the approval.",
      );
      const latest = await ok(client, 'paved_get_deployment', { service: 'orders' });
      assert.equal((latest.structuredContent.deployment as { environment: string }).environment, 'local', 'no production deployment was made');
    });
  });
});
