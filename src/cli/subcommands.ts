/* eslint-disable @typescript-eslint/no-require-imports -- a require() inside `load` is what keeps each module lazy, in the bundle and under tsx */
import type { SubcommandEntry } from './cli';

/**
 * Every `paved` subcommand, in the order `paved --help` lists them. Each module is imported only when its subcommand
 * runs, so start-up stays small; `summary` repeats the command's own (a unit test keeps them equal).
 */
export const subcommands: readonly SubcommandEntry[] = [
  { name: 'serve', summary: 'run the local Paved platform (Platform API v1 on loopback)', load: async () => (require('./serve') as typeof import('./serve')).serveCommand },
  { name: 'lint', summary: 'lint paved.yaml, catalog-info.yaml and score.yaml files (text, JSON or SARIF)', load: async () => (require('./lint') as typeof import('./lint')).lintCommand },
  { name: 'services', summary: 'list the services of the platform catalog', load: async () => (require('./services') as typeof import('./services')).servicesCommand },
  { name: 'service', summary: 'show one service: owner, links, environments, scorecard, DORA', load: async () => (require('./services') as typeof import('./services')).serviceCommand },
  { name: 'templates', summary: 'list the golden paths, or show one golden path’s parameters', load: async () => (require('./templates') as typeof import('./templates')).templatesCommand },
  { name: 'scaffold', summary: 'create a service from a golden path (safe, all-or-nothing writes)', load: async () => (require('./scaffold') as typeof import('./scaffold')).scaffoldCommand },
  { name: 'deploy', summary: 'deploy a service to an environment (policy-checked), optionally waiting for it', load: async () => (require('./deploy') as typeof import('./deploy')).deployCommand },
  { name: 'rollback', summary: 'roll a service back to its previous (or a named) release', load: async () => (require('./deploy') as typeof import('./deploy')).rollbackCommand },
  { name: 'promote', summary: 'promote the release running in one environment to the next', load: async () => (require('./deploy') as typeof import('./deploy')).promoteCommand },
];
