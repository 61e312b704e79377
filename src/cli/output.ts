/**
 * What `paved` writes: terminal-safe text (`clean`), errors reported one way with their exit code (`reportError`), and
 * the Ctrl-C signal of a command. Text that comes from a platform or a manifest goes through `clean` before it reaches
 * the terminal.
 */
import { describeError, PavedError } from '../core/errors';
import { PlatformError } from '../platform/errors';
import { UsageError } from './args';
import type { CliIO } from './cli';

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

/** Terminal-safe text: control characters removed (platform text cannot move the cursor or recolour the terminal). */
export function clean(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
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
  io.stderr.write(`paved ${cmd}: ${clean(describeError(err))}\n`);
  if (PavedError.is(err) && err.detail) io.stderr.write(`  (${clean(err.detail)})\n`);
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
