/** Both faces serve the same definitions: package.json's languageModelTools (VS Code) and `paved mcp`'s tool list. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mcpTool, servedTools } from '../../../../src/cli/mcp';
import { AGENT_TOOLS } from '../../../../src/platform/agentTools';
import { languageModelToolContributions, MCP_PROVIDER } from '../../../../src/platform/agentTools/contributions';

const root = path.resolve(__dirname, '..', '..', '..', '..');
interface ToolEntry {
  name: string;
  modelDescription: string;
  inputSchema: unknown;
  toolReferenceName: string;
  when?: string;
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  contributes: { languageModelTools: ToolEntry[]; mcpServerDefinitionProviders: unknown[] };
};

describe('agent tools: one set of definitions, two faces', () => {
  it("package.json's languageModelTools are exactly the definitions (regenerate them from src/platform/agentTools/contributions.ts)", () => {
    assert.deepEqual(pkg.contributes.languageModelTools, languageModelToolContributions());
    for (const [i, t] of AGENT_TOOLS.entries()) {
      const c: ToolEntry = pkg.contributes.languageModelTools[i];
      assert.equal(c.name, t.name);
      assert.equal(c.toolReferenceName, t.referenceName);
      assert.equal(c.modelDescription, t.description);
      assert.deepEqual(c.inputSchema, t.inputSchema);
      assert.equal(c.when, t.kind === 'read' ? undefined : 'isWorkspaceTrusted');
    }
    assert.deepEqual(pkg.contributes.mcpServerDefinitionProviders, [MCP_PROVIDER]);
  });

  it('paved mcp lists the same names, descriptions and input schemas, with hints from each kind', () => {
    const listed = servedTools(false).map(mcpTool);
    assert.deepEqual(listed.map((t) => [t.name, t.description, t.inputSchema]), AGENT_TOOLS.map((t) => [t.name, t.description, t.inputSchema]));
    for (const [i, t] of AGENT_TOOLS.entries()) {
      assert.equal(listed[i].annotations?.readOnlyHint, t.kind === 'read');
      assert.equal(listed[i].annotations?.destructiveHint, t.kind === 'destructive');
      assert.equal(listed[i].annotations?.idempotentHint, t.idempotent);
    }
    assert.deepEqual(servedTools(true).map((t) => t.name), AGENT_TOOLS.filter((t) => t.kind === 'read').map((t) => t.name));
  });

  it('engines.vscode is as high as the APIs need (MCP definition providers: 1.101) and matches @types/vscode', () => {
    assert.equal(pkg.engines.vscode, '^1.101.0');
    assert.equal(pkg.devDependencies['@types/vscode'], '1.101.0');
  });
});
