/**
 * The AI-agent tools in an untrusted workspace: the reads are there (lint works on the workspace's files), the writes
 * have no implementation registered (and refuse to run if called on the tool object); no MCP server is offered, so
 * nothing starts a platform.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PavedApi } from '../../../src/extension/main';
import { AGENT_TOOLS } from '../../../src/platform/agentTools';
import { activatePaved } from '../suite/helpers';

describe('AI-agent tools in an untrusted workspace', function () {
  this.timeout(60_000);

  it('offers the reads only, refuses a write, and offers no MCP server', async () => {
    const p = (await activatePaved()) as unknown as PavedApi;
    assert.equal(vscode.workspace.isTrusted, false);
    // package.json declares every tool; only the reads have an implementation here (the writes are registered once trusted).
    const listed = new Set(vscode.lm.tools.map((t) => t.name));
    for (const t of AGENT_TOOLS.filter((x) => x.kind === 'read')) assert.ok(listed.has(t.name), t.name);
    for (const t of AGENT_TOOLS.filter((x) => x.kind !== 'read')) {
      await assert.rejects(Promise.resolve(vscode.lm.invokeTool(t.name, { input: {}, toolInvocationToken: undefined })), /does not have an implementation registered/, t.name);
    }
    const found = await vscode.lm.invokeTool('paved_lint_manifest', { input: { path: 'services/ledger/paved.yaml' }, toolInvocationToken: undefined });
    assert.match(found.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : '')).join(''), /^services\/ledger\/paved\.yaml: 4 errors, 1 warning/);
    const deploy = p.agentTools.tool('paved_deploy')!;
    const cts = new vscode.CancellationTokenSource();
    await assert.rejects(
      Promise.resolve(deploy.invoke({ input: { service: 'payments-api', environment: 'local' }, toolInvocationToken: undefined }, cts.token)),
      /^Error: Error \(untrusted\): Deploy a service is not available in an untrusted workspace/,
    );
    cts.dispose();
    assert.deepEqual(p.agentTools.mcpDefinitions(), []);
  });
});
