/**
 * What package.json declares for the tools (`contributes.languageModelTools`), derived from the definitions so the two
 * cannot drift: a unit test checks package.json holds exactly these entries. Writes are contributed only for trusted
 * workspaces (`when: isWorkspaceTrusted`); they refuse to run untrusted anyway.
 */
import { AGENT_TOOLS } from './index';

export interface LanguageModelToolContribution {
  name: string;
  toolReferenceName: string;
  displayName: string;
  modelDescription: string;
  userDescription: string;
  canBeReferencedInPrompt: boolean;
  icon: string;
  tags: string[];
  when?: string;
  inputSchema: Record<string, unknown>;
}

const ICONS: Record<string, string> = { read: '$(search)', write: '$(rocket)', destructive: '$(history)' };

export function languageModelToolContributions(): LanguageModelToolContribution[] {
  return AGENT_TOOLS.map((t) => ({
    name: t.name,
    toolReferenceName: t.referenceName,
    displayName: `Paved: ${t.title}`,
    modelDescription: t.description,
    userDescription: t.description.split('. ')[0].replace(/\.$/, '') + '.',
    canBeReferencedInPrompt: true,
    icon: ICONS[t.kind],
    tags: ['paved', 'platform', t.kind === 'read' ? 'read' : 'write'],
    ...(t.kind === 'read' ? {} : { when: 'isWorkspaceTrusted' }),
    inputSchema: t.inputSchema,
  }));
}

/** The MCP server definition provider the extension registers (`contributes.mcpServerDefinitionProviders`). */
export const MCP_PROVIDER = { id: 'paved.mcp', label: 'Paved' } as const;
