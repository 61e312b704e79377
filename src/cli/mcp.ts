/**
 * `paved mcp`: the AI-agent tools (src/platform/agentTools, the ones VS Code's chat gets too) served over stdio with
 * the MCP TypeScript SDK, for any MCP client. Part of the commands bundle (dist/commands.js, never the extension's);
 * the SDK is required only when this subcommand runs (`sdk()`), so the other commands do not pay for loading it. The tools' JSON Schemas are served as they are
 * defined (the SDK's low-level request handlers; `registerTool` would want zod schemas), with annotations from each
 * tool's kind; `--read-only` lists and runs only the reads.
 */
import * as path from 'node:path';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { version } from '../../package.json';
import { PavedError } from '../core/errors';
import { AGENT_TOOLS, runAgentTool, toolErrorText, toolResultText, type AgentTool, type AgentToolContext } from '../platform/agentTools';
import type { PlatformBackend } from '../platform/backend';
import { parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, DEPLOY_CONNECTION_OPTIONS, DeployTokens, openBackend, type CliDeps } from './connection';
import { reportError } from './output';

const usage = `Usage: paved mcp [--read-only] [--workspace DIR]... [connection]

Serves Paved's AI-agent tools to an MCP client over stdio (the client starts this command): search the catalog, get a
service, list and get golden paths, lint a manifest, get a deployment and DORA metrics; and the writes: scaffold a
service, deploy, roll back, promote — with the same policy gate and approval rules as a person (an agent never
approves a production deployment). Paths a tool reads or writes must be inside a workspace folder.

Options:
  --read-only        list and run only the tools that read (no scaffold, deploy, rollback or promote)
  --workspace DIR    a workspace folder (repeatable; default: the current directory)

${connectionHelp({ deploy: true })}

Exit codes: 0 the client closed the connection, 2 usage error.`;

const OPTIONS = { 'read-only': { type: 'boolean' }, workspace: { type: 'string', multiple: true }, ...DEPLOY_CONNECTION_OPTIONS } as const;

/** A tool as MCP lists it: the definition's schemas, and hints from its kind. */
export function mcpTool(t: AgentTool): Tool {
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema as Tool['inputSchema'],
    outputSchema: t.outputSchema as Tool['outputSchema'],
    annotations: { title: t.title, readOnlyHint: t.kind === 'read', destructiveHint: t.kind === 'destructive', idempotentHint: t.idempotent, openWorldHint: true },
  };
}

/** The tools served: all of them, or only the reads. */
export function servedTools(readOnly: boolean): readonly AgentTool[] {
  return readOnly ? AGENT_TOOLS.filter((t) => t.kind === 'read') : AGENT_TOOLS;
}

/* eslint-disable-next-line @typescript-eslint/no-require-imports -- required on use: the other commands of the bundle never load the SDK */
const sdk = () => require('./mcpSdk') as typeof import('./mcpSdk');

export interface McpDeps extends CliDeps {
  cwd?: string;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

export async function runMcp(args: string[], io: CliIO, deps: McpDeps): Promise<number> {
  let backend: Promise<PlatformBackend> | undefined;
  try {
    const { values: v, positionals } = parseCommandLine(args, OPTIONS);
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const cwd = deps.cwd ?? process.cwd();
    const folders = (v.workspace ?? ['.']).map((w) => path.resolve(cwd, w));
    const readOnly = v['read-only'] === true;
    const tools = servedTools(readOnly);
    const tokens = new DeployTokens(v, deps.env);
    const log = (line: string) => io.stderr.write(`paved mcp: ${line}\n`);
    const base: AgentToolContext = {
      // Connected on the first call, once; a failure (no local platform running) is that call's error, and the next call tries again.
      backend: () => {
        backend ??= openBackend(v, deps).catch((err: unknown) => {
          backend = undefined;
          throw err;
        });
        return backend;
      },
      workspaceFolders: folders,
      trusted: true,
      approvalHint: (op) =>
        `run \`paved ${op.kind} ${op.service} ${op.kind === 'promote' ? `--from ${op.from ?? '<env>'} --to ${op.environment}` : `--env ${op.environment}`} --approve\` yourself, or ${op.kind === 'promote' ? 'Promote…' : 'Deploy…'} in VS Code and confirm the approval.`,
      ensureToken: async (url, why) => tokens.ensure(url, why),
      log,
    };

    const { McpServer, StdioServerTransport, CallToolRequestSchema, ListToolsRequestSchema } = sdk();
    const mcp = new McpServer({ name: 'paved', title: 'Paved', version }, { capabilities: { tools: { listChanged: false } }, instructions: 'Paved is the internal developer platform: find services and owners in its catalog, lint manifests against its policies, start new services from its golden paths and deploy through it, instead of copying repositories or running deploy scripts.' });
    mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.map(mcpTool) }));
    mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
      const tool = tools.find((t) => t.name === request.params.name);
      try {
        if (!tool) {
          const hidden = AGENT_TOOLS.some((t) => t.name === request.params.name);
          throw new PavedError('invalid-input', hidden ? `${request.params.name} is not served: paved mcp runs with --read-only.` : `There is no tool ${JSON.stringify(request.params.name)}.`);
        }
        const result = await runAgentTool(tool, { ...base, signal: extra.signal }, request.params.arguments ?? {});
        return { content: [{ type: 'text', text: toolResultText(result) }], structuredContent: result.data };
      } catch (err) {
        return { isError: true, content: [{ type: 'text', text: toolErrorText(err) }] };
      }
    });

    const stdin = deps.stdin ?? process.stdin;
    const transport = new StdioServerTransport(stdin as NodeJS.ReadStream, (deps.stdout ?? process.stdout) as NodeJS.WriteStream);
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
    });
    // The client closing our stdin ends the session.
    stdin.once('end', () => void mcp.close());
    await mcp.connect(transport);
    log(`serving ${tools.length} tools${readOnly ? ' (read-only)' : ''} for ${folders.join(', ')}`);
    await closed;
    return 0;
  } catch (err) {
    return reportError(io, 'mcp', err);
  } finally {
    void backend?.then((b) => b.dispose(), () => undefined);
  }
}

export const mcpCommand: Subcommand = {
  name: 'mcp',
  summary: "serve Paved's AI-agent tools to an MCP client over stdio (--read-only: reads only)",
  usage,
  run: (args, io) => runMcp(args, io, { env: process.env }),
};
