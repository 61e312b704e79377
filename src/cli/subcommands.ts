import type { Subcommand } from './cli';
import { serveCommand } from './serve';
import { lintCommand } from './lint';
import { servicesCommand, serviceCommand } from './services';
import { templatesCommand } from './templates';
import { scaffoldCommand } from './scaffold';
import { deployCommand, rollbackCommand, promoteCommand } from './deploy';

/** Every `paved` subcommand, in the order `paved --help` lists them. */
export const subcommands: readonly Subcommand[] = [
  serveCommand,
  lintCommand,
  servicesCommand,
  serviceCommand,
  templatesCommand,
  scaffoldCommand,
  deployCommand,
  rollbackCommand,
  promoteCommand,
];
