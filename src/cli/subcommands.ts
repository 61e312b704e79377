import type { Subcommand } from './cli';
import { serveCommand } from './serve';

/** Every `paved` subcommand, in the order `paved --help` lists them. */
export const subcommands: readonly Subcommand[] = [
  serveCommand,
];
