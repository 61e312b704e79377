/* eslint-disable @typescript-eslint/no-require-imports -- a require() inside `load` is what keeps each module lazy, in the bundle and under tsx */
import type { SubcommandEntry } from './cli';

/**
 * The other bundles of the CLI: `paved lint` (dist/lint.js) and every other subcommand (dist/commands.js). The build
 * leaves these two requires to run time (`--external:./lint.js --external:./commands.js`), so dist/cli.js is only
 * this dispatcher, and `paved lint` loads the lint engine and nothing else. Under tsx they resolve to the .ts files.
 */
const lint = () => require('./lint.js') as typeof import('./lint');
const commands = () => require('./commands.js') as typeof import('./commands');

/**
 * Every `paved` subcommand, in the order `paved --help` lists them. Each bundle is loaded only when its subcommand
 * runs, so start-up stays small; `summary` repeats the command's own (a unit test keeps them equal).
 */
export const subcommands: readonly SubcommandEntry[] = [
  { name: 'serve', summary: 'run the local Paved platform (Platform API v1 on loopback)', load: async () => commands().serveCommand },
  { name: 'lint', summary: 'lint paved.yaml, catalog-info.yaml and score.yaml files (text, JSON or SARIF)', load: async () => lint().lintCommand },
  { name: 'services', summary: 'list the services of the platform catalog', load: async () => commands().servicesCommand },
  { name: 'service', summary: 'show one service: owner, links, environments, scorecard, DORA', load: async () => commands().serviceCommand },
  { name: 'templates', summary: 'list the golden paths, or show one golden path’s parameters', load: async () => commands().templatesCommand },
  { name: 'scaffold', summary: 'create a service from a golden path (safe, all-or-nothing writes)', load: async () => commands().scaffoldCommand },
  { name: 'upgrade', summary: 'upgrade a service to a newer version of its golden path (three-way merge), or check for one in CI', load: async () => commands().upgradeCommand },
  { name: 'deploy', summary: 'deploy a service to an environment (policy-checked), optionally waiting for it', load: async () => commands().deployCommand },
  { name: 'rollback', summary: 'roll a service back to its previous (or a named) release', load: async () => commands().rollbackCommand },
  { name: 'promote', summary: 'promote the release running in one environment to the next', load: async () => commands().promoteCommand },
  { name: 'logs', summary: 'print (or follow) the logs of a running service', load: async () => commands().logsCommand },
  { name: 'status', summary: 'show the health and SLO status of a service in every environment', load: async () => commands().statusCommand },
  { name: 'restart', summary: 'start the release a service runs in an environment again (a new process, switched to once healthy)', load: async () => commands().restartCommand },
  { name: 'stop', summary: 'stop the release a service runs in an environment', load: async () => commands().stopCommand },
  { name: 'resources', summary: 'claims and the resources provisioned for them: list, types, release', load: async () => commands().resourcesCommand },
  { name: 'mcp', summary: "serve Paved's AI-agent tools to an MCP client over stdio (--read-only: reads only)", load: async () => commands().mcpCommand },
  { name: 'insights', summary: 'platform insights: golden-path adoption, onboarding time, delivery (DORA), compliance, feedback', load: async () => commands().insightsCommand },
];
