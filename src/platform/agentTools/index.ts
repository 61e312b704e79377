/**
 * The AI-agent tools, defined once (each file beside this one holds a few) and served by two faces: VS Code's
 * language-model tools (src/extension/agentTools) and `paved mcp` (src/cli/mcp.ts). Both call `runAgentTool`, which
 * checks the input against the tool's schema and the workspace trust before the tool runs, and both report a failure
 * with `toolErrorText`: the message the CLI prints, with its code.
 */
import type { ValidateFunction } from 'ajv';
import { errorText } from '../../core/cleanText';
import { PavedError } from '../../core/errors';
import { ajvDraft7, ajvFormats } from '../../core/lazy';
import { getService, searchServices } from './catalog';
import { deployTool, getDeployment, getDoraMetrics, promoteTool, rollbackTool } from './deployments';
import { checkGoldenPathTool, getGoldenPath, listGoldenPaths, scaffoldServiceTool } from './goldenPaths';
import { lintManifest } from './lint';
import { getLogs, getServiceStatus } from './operations';
import type { AgentTool, AgentToolContext, ToolResult } from './types';

export type { AgentTool, AgentToolContext, AgentToolKind, ToolConfirmation, ToolResult } from './types';

/** Every tool, reads first. */
export const AGENT_TOOLS: readonly AgentTool[] = [
  searchServices,
  getService,
  listGoldenPaths,
  getGoldenPath,
  checkGoldenPathTool,
  lintManifest,
  getDeployment,
  getDoraMetrics,
  getServiceStatus,
  getLogs,
  scaffoldServiceTool,
  deployTool,
  rollbackTool,
  promoteTool,
] as unknown as readonly AgentTool[];

export function agentTool(name: string): AgentTool | undefined {
  return AGENT_TOOLS.find((t) => t.name === name);
}

const validators = new Map<string, ValidateFunction>();

function inputValidator(tool: AgentTool): ValidateFunction {
  let v = validators.get(tool.name);
  if (!v) {
    v = ajvFormats()(new (ajvDraft7())({ allErrors: true, strict: false })).compile(tool.inputSchema);
    validators.set(tool.name, v);
  }
  return v;
}

/** Why `input` does not fit the tool's input schema, or undefined. */
export function inputProblems(tool: AgentTool, input: unknown): string | undefined {
  const v = inputValidator(tool);
  if (v(input ?? {})) return undefined;
  return (v.errors ?? [])
    .map((e) => {
      const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'input';
      if (e.keyword === 'additionalProperties') return `${where} has no property ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

/** Runs a tool as every face does: input checked, writes refused in an untrusted workspace, then the tool. */
export async function runAgentTool(tool: AgentTool, ctx: AgentToolContext, input: unknown): Promise<ToolResult> {
  const problems = inputProblems(tool, input);
  if (problems) throw new PavedError('invalid-input', `Invalid input for ${tool.name}: ${problems}.`);
  if (tool.kind !== 'read' && !ctx.trusted) {
    throw new PavedError('untrusted', `${tool.title} is not available in an untrusted workspace: Paved writes nothing and deploys nothing there. A person can trust the workspace (Manage Workspace Trust) first.`);
  }
  return tool.run(ctx, (input ?? {}) as Record<string, unknown>);
}

/** A failure as a model reads it: `Error (code): message` and the detail line, as `paved` prints them. */
export function toolErrorText(err: unknown): string {
  const { message, detail } = errorText(err);
  const code = PavedError.is(err) ? err.code : 'failed';
  return `Error (${code}): ${message}${detail ? `\n(${detail})` : ''}`;
}

/** A result as text: the summary line, then the data as compact JSON. */
export function toolResultText(result: ToolResult): string {
  return `${result.summary}\n${JSON.stringify(result.data)}`;
}
