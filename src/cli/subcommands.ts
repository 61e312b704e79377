import type { Subcommand } from './cli';

/** Every `paved` subcommand, in the order `paved --help` lists them. */
export const subcommands: readonly Subcommand[] = [];
