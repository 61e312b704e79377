/**
 * The parts of the MCP SDK `paved mcp` uses, in one module that src/cli/mcp.ts requires only when the subcommand runs.
 * Imported (not required) here so that the bundler takes the SDK's ES modules and keeps only what is used of them.
 */
export { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
export { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
export { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
