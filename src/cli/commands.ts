/**
 * Every `paved` subcommand except `lint`, as one module: the build bundles it to `dist/commands.js`, loaded by the
 * dispatcher (`dist/cli.js`) only when one of them runs. `paved lint` has its own bundle (`dist/lint.js`), so linting
 * in CI loads neither these commands nor the platform client (see subcommands.ts).
 */
export { serveCommand } from './serve';
export { servicesCommand, serviceCommand } from './services';
export { templatesCommand } from './templates';
export { scaffoldCommand } from './scaffold';
export { upgradeCommand } from './upgrade';
export { deployCommand, rollbackCommand, promoteCommand, restartCommand } from './deploy';
export { logsCommand } from './logs';
export { statusCommand } from './status';
export { stopCommand } from './stop';
export { resourcesCommand } from './resources';
export { mcpCommand } from './mcp';
export { insightsCommand } from './insights';
