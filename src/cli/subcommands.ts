import type { Subcommand } from './cli';
import { serveCommand } from './serve';
import { servicesCommand, serviceCommand } from './services';

/** Every `paved` subcommand, in the order `paved --help` lists them. */
export const subcommands: readonly Subcommand[] = [
  serveCommand,
  servicesCommand,
  serviceCommand,
];
