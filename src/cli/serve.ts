/**
 * `paved serve`: the embedded local platform. Prints the URL once listening (or, with --json, one JSON line with the
 * serve.json content) and runs until SIGTERM/SIGINT or the idle timeout.
 */
import { version } from '../../package.json';
import type { CliIO, Subcommand } from './cli';
import { describeError, PavedError } from '../core/errors';
import { findRunning, startServer, defaultStateDir, type ServeOptions } from '../server/serve';

const usage = `Usage: paved serve [options]

Runs the local Paved platform (the Paved Platform API v1) on loopback.

Options:
  --port N              port to listen on (default: any free port)
  --host ADDR           address to bind (default 127.0.0.1; others need --token-file)
  --state-dir DIR       where releases, history and the lock/port file live (default ${defaultStateDir()})
  --token-file FILE     bearer token file (created with mode 0600 if missing; default <state-dir>/token)
  --workspace DIR       folder whose paved.yaml / catalog-info.yaml files form the catalog (repeatable)
  --templates DIR       directory of extra golden paths (repeatable)
  --idle-timeout S      stop after S seconds idle with no running service (default 1800; 0 = never)
  --port-base N         first service port of the local environment (default 41000; staging +1000, production +2000)
  --seed-history FILE   import finished deployments (YAML list) before listening
  --json                print one JSON line {"url", "port", "pid", "tokenFile", ...} instead of text

If an instance already serves the state dir, prints its address and exits 0.`;

function parseArgs(args: string[]): { opts: Omit<ServeOptions, 'version'>; json: boolean } {
  const opts: Omit<ServeOptions, 'version'> = { workspaces: [], templateDirs: [] };
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new PavedError('invalid-input', `${a} needs a value`);
      return v;
    };
    const int = (min: number, max: number): number => {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max) throw new PavedError('invalid-input', `${a} must be an integer from ${min} to ${max}, not '${raw}'`);
      return n;
    };
    switch (a) {
      case '--port': opts.port = int(0, 65535); break;
      case '--host': opts.host = value(); break;
      case '--state-dir': opts.stateDir = value(); break;
      case '--token-file': opts.tokenFile = value(); break;
      case '--workspace': opts.workspaces?.push(value()); break;
      case '--templates': opts.templateDirs?.push(value()); break;
      case '--idle-timeout': opts.idleTimeoutSeconds = int(0, 7 * 86400); break;
      case '--port-base': opts.portBase = int(1024, 62000); break;
      case '--seed-history': opts.seedHistoryFile = value(); break;
      case '--json': json = true; break;
      default: throw new PavedError('invalid-input', `unknown option '${a}'`);
    }
  }
  return { opts, json };
}

async function run(args: string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(args);
  } catch (err) {
    io.stderr.write(`paved serve: ${describeError(err)}\n${usage}\n`);
    return 2;
  }
  const { opts, json } = parsed;
  const existing = await findRunning(opts.stateDir ?? defaultStateDir());
  if (existing) {
    io.stdout.write(json ? `${JSON.stringify({ ...existing, reused: true })}\n` : `Paved platform already running at ${existing.url} (pid ${existing.pid})\n`);
    return 0;
  }
  let server;
  try {
    server = await startServer({ ...opts, version, log: (l) => io.stderr.write(`${l}\n`) });
  } catch (err) {
    io.stderr.write(`paved serve: ${describeError(err)}\n`);
    return PavedError.is(err, 'untrusted') || PavedError.is(err, 'invalid-input') ? 2 : 1;
  }
  const s = server;
  io.stdout.write(json ? `${JSON.stringify({ ...s.info, reused: false })}\n` : `Paved platform listening on ${s.info.url} (token in ${s.info.tokenFile})\n`);
  for (const e of [...s.platform.catalogErrors, ...s.platform.templateErrors]) io.stderr.write(`warning: ${e}\n`);
  const onSignal = (sig: string): void => void s.stop(sig);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.once('SIGHUP', onSignal);
  const reason = await s.stopped;
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGHUP', onSignal);
  io.stderr.write(`paved serve stopped: ${reason}\n`);
  return 0;
}

export const serveCommand: Subcommand = {
  name: 'serve',
  summary: 'run the local Paved platform (Platform API v1 on loopback)',
  usage,
  run,
};
