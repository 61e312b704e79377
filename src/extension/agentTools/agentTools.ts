/**
 * The AI-agent tools in VS Code (the editor's face of src/platform/agentTools; `paved mcp` is the other):
 *  - each tool registered with `vscode.lm.registerTool`, running against the window's active connection. Writes get a
 *    confirmation that names the action (`prepareInvocation`); reads run without one. In an untrusted workspace no
 *    write runs (and package.json contributes them only when trusted) and the connection sends no request.
 *  - `paved mcp` offered to agent mode through `vscode.lm.registerMcpServerDefinitionProvider`: a stdio definition that
 *    runs the bundled dist/cli.js with the window's connection (the local platform's state dir, or the remote URL with
 *    the signed-in token given at start), so nothing is configured by hand. Hosts without these APIs (older editors,
 *    forks) get neither, and the README shows the `mcp.json` entry instead.
 */
import * as vscode from 'vscode';
import { AGENT_TOOLS, runAgentTool, toolErrorText, toolResultText, type AgentTool, type AgentToolContext } from '../../platform/agentTools';
import { MCP_PROVIDER } from '../../platform/agentTools/contributions';
import type { PlatformBackend } from '../../platform/backend';
import type { ConnectionSettings } from '../../platform/connection';
import { abortSignalFrom } from '../../platform/transport';
import { Component } from '../lifecycle';
import type { Logger } from '../log';

/** What the tools need of the platform connection (src/extension/platform/connection.ts). */
export interface AgentConnection {
  current(): Promise<PlatformBackend>;
  ensureToken?(url: string, why: string): Promise<void>;
  settings(): ConnectionSettings;
  readonly localStateDir: string;
  /** The stored token of the configured remote platform, for the MCP server's environment. */
  storedToken(): Promise<string | undefined>;
  readonly onDidChange: vscode.Event<void>;
}

export interface AgentToolsDeps {
  connection: AgentConnection;
  /** The editor's policy set and catalog names for a file (what it lints with): the lint tool and the deploy gate use it. */
  policies?: AgentToolContext['policies'];
  /** dist/cli.js of this extension. */
  cliPath: string;
  log: Logger;
}

type Input = Record<string, unknown>;

const fileFolders = () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);

export class AgentTools extends Component {
  private readonly tools = new Map<string, vscode.LanguageModelTool<Input>>();
  private readonly mcpChanged = this.register(new vscode.EventEmitter<void>());

  constructor(private readonly deps: AgentToolsDeps) {
    super();
    const lm = vscode.lm as Partial<typeof vscode.lm> | undefined;
    for (const def of AGENT_TOOLS) this.tools.set(def.name, this.languageModelTool(def));
    if (typeof lm?.registerTool === 'function') {
      const registerAll = (kinds: (kind: AgentTool['kind']) => boolean) => {
        for (const def of AGENT_TOOLS) if (kinds(def.kind)) this.register(lm.registerTool!(def.name, this.tools.get(def.name)!));
      };
      // The writes are offered only in a trusted workspace (and refuse to run in any other): registered once trusted.
      if (vscode.workspace.isTrusted) registerAll(() => true);
      else {
        registerAll((kind) => kind === 'read');
        this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => registerAll((kind) => kind !== 'read')));
      }
    }
    if (typeof lm?.registerMcpServerDefinitionProvider === 'function' && typeof vscode.McpStdioServerDefinition === 'function') {
      /** The definition's arguments as last given to the editor (undefined until it asks). */
      let provided: string | undefined;
      const argsOf = (defs: readonly vscode.McpStdioServerDefinition[]) => JSON.stringify(defs.map((d) => d.args));
      this.register(
        lm.registerMcpServerDefinitionProvider(MCP_PROVIDER.id, {
          onDidChangeMcpServerDefinitions: this.mcpChanged.event,
          provideMcpServerDefinitions: () => {
            const defs = this.mcpDefinitions();
            provided = argsOf(defs);
            return defs;
          },
          resolveMcpServerDefinition: (def) => this.resolveMcpDefinition(def),
        }),
      );
      // Only when the definition itself changes (another platform, other folders): a connection event such as Stop
      // Local Platform must not make the editor restart the server, whose start would start the platform again.
      this.register(
        deps.connection.onDidChange(() => {
          if (provided === undefined || argsOf(this.mcpDefinitions()) === provided) return;
          provided = undefined;
          this.mcpChanged.fire();
        }),
      );
      this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.mcpChanged.fire()));
      this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.mcpChanged.fire()));
    } else {
      deps.log.info('this editor has no MCP server definition API: add paved mcp to mcp.json by hand (see the README)');
    }
  }

  /** The tool object as registered (tests call `prepareInvocation` and `invoke` on it directly). */
  tool(name: string): vscode.LanguageModelTool<Input> | undefined {
    return this.tools.get(name);
  }

  private context(signal: AbortSignal): AgentToolContext {
    const { connection, log } = this.deps;
    return {
      backend: () => connection.current(),
      workspaceFolders: fileFolders(),
      trusted: vscode.workspace.isTrusted,
      approvalHint: (op) =>
        `run "Paved: ${op.kind === 'promote' ? 'Promote…' : 'Deploy…'}" in VS Code and confirm the ${op.environment} approval, or \`paved ${op.kind} ${op.service} ${op.kind === 'promote' ? `--from ${op.from ?? '<env>'} --to ${op.environment}` : `--env ${op.environment}`} --approve\` in a terminal.`,
      ensureToken: connection.ensureToken ? (url, why) => connection.ensureToken!(url, why) : undefined,
      ...(this.deps.policies ? { policies: this.deps.policies } : {}),
      log: (line) => log.info(line),
      signal,
    };
  }

  private languageModelTool(def: AgentTool): vscode.LanguageModelTool<Input> {
    return {
      prepareInvocation: (options) => {
        const confirm = def.confirmation?.(options.input);
        if (!confirm) return { invocationMessage: `Paved: ${def.title.toLowerCase()}` };
        return { invocationMessage: `${confirm.message}…`, confirmationMessages: { title: `Paved: ${confirm.title}`, message: `${confirm.message}.` } };
      },
      invoke: async (options, token) => {
        const abort = abortSignalFrom(token);
        try {
          const result = await runAgentTool(def, this.context(abort.signal), options.input);
          return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(toolResultText(result))]);
        } catch (err) {
          this.deps.log.warn(`${def.name}: ${toolErrorText(err)}`);
          // The model reads the message: the same typed, actionable text `paved` prints.
          throw new Error(toolErrorText(err), { cause: err });
        } finally {
          abort.dispose();
        }
      },
    };
  }

  /** One stdio definition for this window's connection; none in an untrusted workspace. (What the provider returns.) */
  mcpDefinitions(): vscode.McpStdioServerDefinition[] {
    if (!vscode.workspace.isTrusted) return [];
    const { connection, cliPath } = this.deps;
    const settings = connection.settings();
    const args = [cliPath, 'mcp', ...fileFolders().flatMap((f) => ['--workspace', f]), '--backend', settings.kind];
    if (settings.kind === 'local') args.push('--state-dir', connection.localStateDir);
    else if (settings.url) args.push('--url', settings.url);
    const def = new vscode.McpStdioServerDefinition('Paved', process.execPath, args, { ELECTRON_RUN_AS_NODE: '1' }, String((vscode.extensions.getExtension('paved-dev.paved')?.packageJSON as { version?: string } | undefined)?.version ?? ''));
    const first = fileFolders()[0];
    if (first) def.cwd = vscode.Uri.file(first);
    return [def];
  }

  /** Right before the server starts: the local platform running, or the signed-in token in its environment. */
  async resolveMcpDefinition(def: vscode.McpServerDefinition): Promise<vscode.McpServerDefinition | undefined> {
    if (!vscode.workspace.isTrusted || !(def instanceof vscode.McpStdioServerDefinition)) return undefined;
    const { connection, log } = this.deps;
    try {
      await connection.current();
    } catch (err) {
      log.warn(`paved mcp starts without a connected platform: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (connection.settings().kind !== 'local') {
      const token = await connection.storedToken();
      if (token) def.env = { ...def.env, PAVED_TOKEN: token };
    }
    return def;
  }
}
