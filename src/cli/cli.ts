import { version } from '../../package.json';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where a confirmation is read from (default: the process's stdin). */
  stdin?: NodeJS.ReadableStream;
}

/** A subcommand: `run` returns the process exit code (0 ok, 1 findings/failure, 2 usage or I/O error). */
export interface Subcommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/**
 * A registry entry (src/cli/subcommands.ts): name and summary for `paved --help` without loading the command; `load`
 * imports the command's module only when that subcommand runs or prints its usage (the bundle evaluates a module on
 * first import), so `paved --version` and `paved lint` do not pay for the other subcommands' start-up.
 * `summary` must equal the loaded command's own summary (test/unit/cli/subcommands.test.ts checks it).
 */
export interface SubcommandEntry {
  name: string;
  summary: string;
  load(): Promise<Subcommand>;
}

export function helpText(subcommands: readonly SubcommandEntry[]): string {
  const width = Math.max(8, ...subcommands.map((c) => c.name.length)) + 2;
  const lines = [
    `paved ${version}: the Paved platform from the command line`,
    '',
    'Usage: paved <command> [options]',
    '',
    'Commands:',
    ...subcommands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help      show this help (or `paved <command> --help`)',
    '  -v, --version   print the version',
    '',
    'Exit codes: 0 success, 1 findings or a failed operation, 2 usage or I/O error.',
  ];
  return lines.join('\n') + '\n';
}

export async function runCli(argv: string[], io: CliIO, subcommands: readonly SubcommandEntry[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.stdout.write(helpText(subcommands));
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  const cmd = subcommands.find((c) => c.name === first);
  if (!cmd) {
    io.stderr.write(`paved: unknown command '${first}'. Run 'paved --help' for the list.\n`);
    return 2;
  }
  const loaded = await cmd.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${loaded.usage}\n`);
    return 0;
  }
  return loaded.run(rest, io);
}
