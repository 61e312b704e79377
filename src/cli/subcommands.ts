import type { Subcommand } from './cli';
import { serveCommand } from './serve';
import { lintCommand } from './lint';
import { servicesCommand, serviceCommand } from './services';

/** Every `paved` subcommand, in the order `paved --help` lists them. */
export const subcommands: readonly Subcommand[] = [
  serveCommand,
  lintCommand,
  servicesCommand,
  serviceCommand,
];
