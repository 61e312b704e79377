/**
 * What `paved` writes: terminal-safe text (`clean`), errors reported one way with their exit code (`reportError`), and
 * the Ctrl-C signal of a command. Text that comes from a platform or a manifest goes through `clean` before it reaches
 * the terminal.
 */
import { clean, errorText } from '../core/cleanText';
import { PavedError } from '../core/errors';
import { PlatformError } from '../platform/errors';
import { UsageError } from './args';
import type { CliIO } from './cli';

/** Terminal-safe text (src/core/cleanText.ts). */
export { clean };

/** Exit codes of the platform commands (each command's --help lists those it uses). */
export const ExitCodes = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** A deployed release was unhealthy and rolled back automatically. */
  rolledBack: 3,
  /** `paved upgrade`: applied, with conflict markers left to resolve. */
  conflicted: 4,
  /** Ctrl-C: the operation was cancelled on the platform. */
  interrupted: 130,
} as const;

/**
 * JSON for the terminal: JSON.stringify escapes the C0 controls but leaves DEL and the C1 controls (U+0080–U+009F,
 * e.g. U+009B, an 8-bit escape introducer) raw; those are escaped here too, so a platform string in `--json` output
 * cannot reach the terminal as a control either. Still valid JSON, parsing to the same value.
 */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The exit code for an error: 2 for what the user typed (a usage error, a path that cannot be read, input the
 * platform was never asked about — a bad URL, an unknown environment), 1 for everything else (refused or failed).
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || PavedError.is(err, 'io')) return ExitCodes.usage;
  if (err instanceof PlatformError && err.code === 'invalid-input' && err.status === undefined) return ExitCodes.usage;
  return ExitCodes.failed;
}

/** Prints an error (`paved CMD: message`, its detail indented) and returns its exit code. */
export function reportError(io: CliIO, cmd: string, err: unknown): number {
  if (err instanceof UsageError) {
    io.stderr.write(`paved ${cmd}: ${err.message}. Run 'paved ${cmd} --help'.\n`);
    return ExitCodes.usage;
  }
  const { message, detail } = errorText(err);
  io.stderr.write(`paved ${cmd}: ${message}\n`);
  if (detail) io.stderr.write(`  (${detail})\n`);
  return exitCodeFor(err);
}

/** Runs `body` with an AbortSignal that fires on the first Ctrl-C (SIGINT, then handled by the command, not Node). */
export async function withInterrupt<T>(body: (interrupted: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  const onInt = () => ctl.abort();
  process.once('SIGINT', onInt);
  try {
    return await body(ctl.signal);
  } finally {
    process.off('SIGINT', onInt);
  }
}

/** The abort reason when the reader of stdout went away (`paved services | head`). */
export const EPIPE = 'stdout closed';
const pipeWatched = new WeakSet<object>();
let onPipeClosed: (() => void) | undefined;

/**
 * Runs `body` with an AbortSignal that fires on Ctrl-C, or when the reader of stdout goes away (`paved services |
 * head`): then the listing stops quietly instead of crashing on EPIPE.
 */
export async function listing(io: CliIO, body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  return withInterrupt(async (interrupted) => {
    const ctl = new AbortController();
    const onInterrupt = () => ctl.abort();
    interrupted.addEventListener('abort', onInterrupt, { once: true });
    if (!pipeWatched.has(io.stdout)) {
      pipeWatched.add(io.stdout);
      // Stays for the life of the stream: a late EPIPE (after this run) must not become an uncaught 'error' event.
      io.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        onPipeClosed?.();
      });
    }
    onPipeClosed = () => ctl.abort(EPIPE);
    try {
      const code = await body(ctl.signal);
      return ctl.signal.reason === EPIPE ? 0 : code;
    } finally {
      onPipeClosed = undefined;
      interrupted.removeEventListener('abort', onInterrupt);
    }
  });
}
