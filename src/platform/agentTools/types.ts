/**
 * One AI-agent tool, defined once below both faces (VS Code's language-model tools and `paved mcp`): its name, title,
 * a description written for a model, the JSON Schema of its input and output, what it does to the world (`kind`), and
 * an implementation that calls the same code the editor and the CLI use. Plain Node: no vscode, no MCP SDK.
 */
import type { PlatformBackend } from '../backend';
import type { GatePolicies } from '../selfService/context';

/** read: changes nothing. write: creates or starts something. destructive: may take away what runs or exists. */
export type AgentToolKind = 'read' | 'write' | 'destructive';

export type JsonSchema = Record<string, unknown>;

/** What a write tool asks the person to confirm before it runs ("Deploy payments-api release r12 to staging"). */
export interface ToolConfirmation {
  title: string;
  message: string;
}

/** What a tool answers: one line for the model (and the chat), and the data as JSON (matching `outputSchema`). */
export interface ToolResult {
  summary: string;
  data: Record<string, unknown>;
}

/** What a face gives the tools. */
export interface AgentToolContext {
  /** The connected platform (the editor's active connection, `paved mcp`'s connection options). Fails typed when there is none. */
  backend: () => Promise<PlatformBackend>;
  /** The workspace folders (absolute): paths a tool reads or writes must be inside one of them. */
  workspaceFolders: readonly string[];
  /** False in an untrusted workspace: no write tool runs. */
  trusted: boolean;
  /**
   * How a person approves a deployment the agent may not approve, as this face says it (the editor's command, the
   * CLI's flag): completes "A person must approve it: …".
   */
  approvalHint: (op: { kind: 'deploy' | 'promote'; service: string; environment: string; from?: string }) => string;
  /** Makes sure there is a token for the Paved platform a catalog entry deploys through (see SelfServicePrompts). */
  ensureToken?: (url: string, why: string) => Promise<void>;
  /**
   * The policy set and catalog names a manifest file is checked with, when the face holds them (the editor's cached
   * set, per file); default: asked of the platform (selfService/policies.ts). Used by the lint tool and the deploy gate.
   */
  policies?: (backend: PlatformBackend, manifestFile: string | undefined) => Promise<GatePolicies>;
  /** One line for the face's log. */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface AgentTool<I = Record<string, unknown>> {
  /** `paved_…`: the language-model tool's name and the MCP tool's name. */
  name: string;
  /** Short human title (MCP `title`, VS Code `displayName`). */
  title: string;
  /** For a model: what it does, when to use it, what it returns. */
  description: string;
  /** The name a person types after `#` in a chat prompt (VS Code `toolReferenceName`). */
  referenceName: string;
  kind: AgentToolKind;
  /** The same input twice has no further effect (MCP `idempotentHint`). */
  idempotent: boolean;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  /** Writes: what the person confirms, naming the action. Reads have none. */
  confirmation?(input: I): ToolConfirmation;
  run(ctx: AgentToolContext, input: I): Promise<ToolResult>;
}
