// Named to run last in the trusted window (files run in name order): it scaffolds, registers and deploys a service,
// which the catalog suite, running first on the fixture as it is, must not see.
/**
 * The AI-agent tools in the real VS Code against the local platform: every tool registered as a language-model tool
 * with the definition's schema; `vscode.lm.invokeTool` of each read tool; a write tool's confirmation naming the
 * action; a service scaffolded and deployed through the tools, and the policy gate refusing a broken manifest.
 * Writes are invoked on the registered tool object (`agentTools.tool(name)`): through `vscode.lm.invokeTool` outside a
 * chat VS Code asks for their confirmation in a modal dialog, which no test can answer.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AGENT_TOOLS } from '../../../src/platform/agentTools';
import { api, restartLocalPlatform } from './selfServiceHelpers';

const SERVICE = 'it-agent-orders';

const textOf = (r: vscode.LanguageModelToolResult) => r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
const dataOf = (r: vscode.LanguageModelToolResult) => JSON.parse(textOf(r).split('\n').slice(1).join('\n')) as Record<string, unknown>;

function invokeRead(name: string, input: object): Thenable<vscode.LanguageModelToolResult> {
  return vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
}

async function invokeWrite(name: string, input: Record<string, unknown>): Promise<vscode.LanguageModelToolResult> {
  const tool = (await api()).agentTools.tool(name);
  assert.ok(tool, `${name} is registered`);
  const cts = new vscode.CancellationTokenSource();
  try {
    const result = await tool.invoke({ input, toolInvocationToken: undefined }, cts.token);
    assert.ok(result);
    return result;
  } finally {
    cts.dispose();
  }
}

async function rejection(p: Thenable<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  assert.fail('expected the tool to fail');
}

describe('AI-agent tools in VS Code against the local platform', function () {
  this.timeout(240_000);
  const workspace = process.env.PAVED_TEST_WORKSPACE!;
  const folder = path.join(workspace, SERVICE);

  before(async () => {
    const p = await api();
    await p.platform.current();
  });

  after(async () => {
    const p = await api();
    const backend = await p.platform.current();
    await backend.unregister(SERVICE).catch((err: unknown) => console.log(`unregister: ${String(err)}`));
    fs.rmSync(folder, { recursive: true, force: true });
    await restartLocalPlatform(p);
  });

  it('registers every tool with the definition’s description and input schema', () => {
    for (const def of AGENT_TOOLS) {
      const info = vscode.lm.tools.find((t) => t.name === def.name);
      assert.ok(info, `${def.name} is in vscode.lm.tools`);
      assert.equal(info.description, def.description);
      assert.deepEqual(info.inputSchema, def.inputSchema);
      assert.ok(info.tags.includes('paved'));
    }
  });

  it('searches the catalog, gets a service, lists and gets golden paths, lints, DORA — each through vscode.lm.invokeTool', async () => {
    const found = await invokeRead('paved_search_services', { system: 'checkout' });
    assert.match(textOf(found), /^2 services found\./);
    assert.deepEqual((dataOf(found).services as { ref: string }[]).map((s) => s.ref).sort(), ['ledger', 'payments-api']);

    const ledger = dataOf(await invokeRead('paved_get_service', { service: 'ledger' }));
    assert.equal(ledger.owner, 'team-payments');
    assert.equal(ledger.system, 'checkout');

    const paths = dataOf(await invokeRead('paved_list_golden_paths', {}));
    assert.ok((paths.goldenPaths as { id: string }[]).some((t) => t.id === 'node-http-service'));
    const one = dataOf(await invokeRead('paved_get_golden_path', { id: 'node-http-service' }));
    assert.deepEqual((one.required as string[]).slice(0, 2), ['name', 'owner']);
    assert.equal((one.parameters as { type: string }).type, 'object');

    const lint = await invokeRead('paved_lint_manifest', { text: 'apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: x\n  owner: team-a\nspec:\n  run: { command: node s.js, port: 8080 }\n  env:\n    API_TOKEN: abc123abc123\n' });
    const secret = (dataOf(lint).findings as { ruleId: string; line: number }[]).find((f) => f.ruleId === 'no-plaintext-secret');
    assert.equal(secret?.line, 9);
    // ledger is a production service without SLOs, on-call, resources, replicas or runbook: what `paved lint` says too.
    const ledgerLint = dataOf(await invokeRead('paved_lint_manifest', { path: 'services/ledger/paved.yaml' }));
    assert.equal(ledgerLint.file, 'services/ledger/paved.yaml');
    assert.deepEqual(
      (ledgerLint.findings as { line: number; column: number; ruleId: string }[]).map((f) => `${f.line}:${f.column} ${f.ruleId}`),
      ['11:3 production-runbook', '14:1 production-slo', '14:1 production-oncall', '14:1 production-resources', '14:1 production-replicas'],
    );
    assert.equal(ledgerLint.errors, 4);

    const dora = await invokeRead('paved_get_dora_metrics', { service: 'ledger' });
    assert.match(textOf(dora), /^ledger in production, \d+ days: \d+\.\d\d deployments\/day/);

    const unknown = await rejection(invokeRead('paved_get_service', { service: 'no-such-service' }));
    assert.match(unknown, /Error \(not-found\)/);
    const outside = await rejection(invokeRead('paved_lint_manifest', { path: '/etc/passwd' }));
    assert.match(outside, /Error \(forbidden\): The manifest path "\/etc\/passwd" is outside the workspace/);
  });

  it('a write tool’s confirmation names the action; a read asks nothing', async () => {
    const p = await api();
    const cts = new vscode.CancellationTokenSource();
    const prepared = await p.agentTools.tool('paved_deploy')!.prepareInvocation!({ input: { service: 'payments-api', environment: 'staging', release: 'r12' } }, cts.token);
    assert.deepEqual(prepared?.confirmationMessages, { title: 'Paved: Deploy', message: 'Deploy payments-api release r12 to staging.' });
    const read = await p.agentTools.tool('paved_search_services')!.prepareInvocation!({ input: {} }, cts.token);
    assert.equal(read?.confirmationMessages, undefined);
    cts.dispose();
  });

  it('scaffolds a service into the workspace (checked against its golden path) and deploys it through the tools (read back with paved_get_deployment, its status and logs); the policy gate refuses a broken manifest', async () => {
    const created = dataOf(await invokeWrite('paved_scaffold_service', { goldenPath: 'node-http-service', values: { name: SERVICE, owner: 'team-payments' } }));
    assert.equal(created.folder, SERVICE);
    assert.equal(created.registered, SERVICE);
    const manifest = path.join(folder, 'paved.yaml');
    const good = fs.readFileSync(manifest, 'utf8');
    const check = dataOf(await invokeRead('paved_check_golden_path', { folder: SERVICE }));
    assert.deepEqual([check.template, check.updateAvailable], ['node-http-service', false]);

    fs.writeFileSync(manifest, good.replace('env: { LOG_LEVEL: info }', 'env: { LOG_LEVEL: info, DB_PASSWORD: hunter2-hunter2 }'));
    const refused = await rejection(invokeWrite('paved_deploy', { service: SERVICE, environment: 'local' }));
    assert.match(refused, new RegExp(`^Error \\(invalid-input\\): Refused: ${SERVICE}'s manifest has 1 policy error\\(s\\) for local; nothing was deployed`));
    assert.match(refused, /no-plaintext-secret/);
    fs.writeFileSync(manifest, good);

    const deployed = await invokeWrite('paved_deploy', { service: SERVICE, environment: 'local', wait: true });
    const d = dataOf(deployed).deployment as { id: string; state: string };
    assert.equal(d.state, 'succeeded', textOf(deployed));

    const read = await invokeRead('paved_get_deployment', { id: d.id });
    assert.match(textOf(read), new RegExp(`^Deployment ${d.id}: deploy ${SERVICE} → local .* is succeeded\\.`));
    assert.ok((dataOf(read).events as string[]).some((e) => e.includes('[health]')));
    const status = dataOf(await invokeRead('paved_get_service_status', { service: SERVICE }));
    assert.equal((status.environments as { environment: string; state: string }[]).find((e) => e.environment === 'local')?.state, 'running');
    const logs = await invokeRead('paved_get_logs', { service: SERVICE, environment: 'local' });
    assert.match(textOf(logs), new RegExp(`^\\d+ log lines? of ${SERVICE} in local \\(release `));

    const production = await rejection(invokeWrite('paved_deploy', { service: SERVICE, environment: 'production' }));
    assert.match(production, /A person must approve it: run "Paved: Deploy…" in VS Code and confirm the production approval/);
  });
});

describe('paved mcp as the editor offers it to agent mode', function () {
  this.timeout(120_000);

  it('one stdio definition runs the bundled paved mcp with the window’s connection; an MCP client lists and calls its tools', async () => {
    const p = await api();
    const defs = p.agentTools.mcpDefinitions();
    assert.equal(defs.length, 1);
    const resolved = await p.agentTools.resolveMcpDefinition(defs[0]);
    assert.ok(resolved instanceof vscode.McpStdioServerDefinition);
    const ext = vscode.extensions.getExtension('paved-dev.paved')!;
    assert.deepEqual(resolved.args, [path.join(ext.extensionPath, 'dist', 'cli.js'), 'mcp', '--workspace', process.env.PAVED_TEST_WORKSPACE!, '--backend', 'local', '--state-dir', p.platform.localStateDir]);
    assert.equal(resolved.cwd?.fsPath, process.env.PAVED_TEST_WORKSPACE);

    // Started as VS Code starts it: the command, its arguments and environment, spoken to with the SDK's client.
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const env = Object.fromEntries(Object.entries({ ...process.env, ...resolved.env }).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const client = new Client({ name: 'paved-it', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: resolved.command, args: resolved.args, env, cwd: resolved.cwd?.fsPath, stderr: 'pipe' }));
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), AGENT_TOOLS.map((t) => t.name));
      const r = (await client.callTool({ name: 'paved_get_service', arguments: { service: 'payments-api' } })) as { isError?: boolean; structuredContent?: { owner?: string } };
      assert.ok(!r.isError, JSON.stringify(r));
      assert.equal(r.structuredContent?.owner, 'team-payments');
    } finally {
      await client.close();
    }
  });
});
