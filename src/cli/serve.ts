/**
 * `paved serve`: the embedded local platform. Prints the URL once listening (or, with --json, one JSON line with the
 * serve.json content) and runs until SIGTERM/SIGINT or the idle timeout.
 */
import { version } from '../../package.json';
import { integerOption, parseCommandLine, UsageError } from './args';
import { clean } from './output';
import type { CliIO, Subcommand } from './cli';
import { describeError, PavedError } from '../core/errors';
import * as path from 'node:path';
import { findRunning, startServer, defaultStateDir, type ServeInfo, type ServeOptions } from '../server/serve';
import { lockHeld } from '../server/instance';
import { localTokenProvider } from '../platform/local';
import { PavedApiBackend } from '../platform/paved/backend';

/** The attachment id the command line's folders use on a running instance (one: the latest command wins). */
const CLI_WORKSPACE_ID = 'command-line';

/** Adds the command line's folders to a running instance's catalog (`PUT /v1/workspaces/command-line`, no pid). */
async function attachFolders(stateDir: string, info: ServeInfo, folders: string[]): Promise<void> {
  const client = new PavedApiBackend({ kind: 'local', baseUrl: info.url, token: localTokenProvider(stateDir, info), timeoutMs: 10_000 });
  try {
    await client.attachWorkspace(CLI_WORKSPACE_ID, { folders, label: 'paved serve --workspace (command line)' });
  } finally {
    client.dispose();
  }
}

const usage = `Usage: paved serve [options]

Runs the local Paved platform (the Paved Platform API v1) on loopback.

Options:
  --port N              port to listen on (default: any free port)
  --host ADDR           address to bind (default 127.0.0.1; others need --token-file)
  --state-dir DIR       where releases, history and the lock/port file live (default ${defaultStateDir()})
  --token-file FILE     bearer token file (created with mode 0600 if missing; default <state-dir>/token)
  --workspace DIR       folder whose paved.yaml / catalog-info.yaml files form the catalog (repeatable)
  --templates DIR       directory of extra golden paths (repeatable)
  --resources DIR       directory of resource type definitions (kind: ResourceType, *.yaml) the platform offers
                        besides postgres and volume (repeatable)
  --idle-timeout S      stop after S seconds idle with no running service (default 1800; 0 = never)
  --port-base N         first service port of the local environment (default 41000; staging +1000, production +2000,
                        resources such as databases +3000)
  --seed-history FILE   import finished deployments (YAML list) before listening
  --json                print one JSON line {"url", "port", "pid", "tokenFile", ...} instead of text

If an instance already serves the state dir, prints its address and exits 0; the --workspace folders are then added
to its catalog (replacing those an earlier \`paved serve --workspace\` added to it), until it stops.`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'state-dir': { type: 'string' },
  'token-file': { type: 'string' },
  workspace: { type: 'string', multiple: true },
  templates: { type: 'string', multiple: true },
  resources: { type: 'string', multiple: true },
  'idle-timeout': { type: 'string' },
  'port-base': { type: 'string' },
  'seed-history': { type: 'string' },
  json: { type: 'boolean' },
} as const;

function parseOptions(args: string[]): { opts: Omit<ServeOptions, 'version'>; json: boolean } {
  const { values: v, positionals } = parseCommandLine(args, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const int = (name: 'port' | 'idle-timeout' | 'port-base', min: number, max: number) => (v[name] === undefined ? undefined : integerOption(name, v[name], min, max));
  const opts: Omit<ServeOptions, 'version'> = { workspaces: v.workspace ?? [], templateDirs: v.templates ?? [], resourceDirs: v.resources ?? [] };
  const port = int('port', 0, 65535);
  const idle = int('idle-timeout', 0, 7 * 86400);
  const portBase = int('port-base', 1024, 62000);
  if (port !== undefined) opts.port = port;
  if (v.host !== undefined) opts.host = v.host;
  if (v['state-dir'] !== undefined) opts.stateDir = v['state-dir'];
  if (v['token-file'] !== undefined) opts.tokenFile = v['token-file'];
  if (idle !== undefined) opts.idleTimeoutSeconds = idle;
  if (portBase !== undefined) opts.portBase = portBase;
  if (v['seed-history'] !== undefined) opts.seedHistoryFile = v['seed-history'];
  return { opts, json: v.json === true };
}

async function run(args: string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (err) {
    io.stderr.write(`paved serve: ${describeError(err)}\n${usage}\n`);
    return 2;
  }
  const { opts, json } = parsed;
  const stateDir = opts.stateDir ?? defaultStateDir();
  const existing = await findRunning(stateDir);
  if (existing) return reuse(stateDir, existing, opts, json, io);
  let server;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await startServer({ ...opts, version, log: (l) => io.stderr.write(`${l}\n`) });
      break;
    } catch (err) {
      if (PavedError.is(err, 'conflict') && attempt < 3) {
        // Another start holds the lock (two windows opening together): use that instance once it answers; if it
        // gives up the lock without serving, try again.
        const other = await waitForRunning(stateDir, 20_000);
        if (other) return reuse(stateDir, other, opts, json, io);
        if (!lockHeld(stateDir)) continue;
      }
      io.stderr.write(`paved serve: ${describeError(err)}\n`);
      return PavedError.is(err, 'untrusted') || PavedError.is(err, 'invalid-input') ? 2 : 1;
    }
  }
  const s = server;
  io.stdout.write(json ? `${JSON.stringify({ ...s.info, reused: false })}\n` : `Paved platform listening on ${s.info.url} (token in ${s.info.tokenFile})\n`);
  for (const e of [...s.platform.catalogErrors, ...s.platform.templateErrors, ...s.platform.resourceErrors]) io.stderr.write(`warning: ${clean(e)}\n`);
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

/**
 * The instance another start is bringing up, once it answers; undefined when none does within `ms` or the lock is
 * given up without one.
 */
async function waitForRunning(stateDir: string, ms: number): Promise<ServeInfo | undefined> {
  const deadline = Date.now() + ms;
  for (let delay = 25; Date.now() < deadline && lockHeld(stateDir); delay = Math.min(delay * 2, 250)) {
    const info = await findRunning(stateDir);
    if (info) return info;
    await new Promise((r) => setTimeout(r, delay));
  }
  return findRunning(stateDir);
}

/** Prints the running instance (and adds the --workspace folders to its catalog). */
async function reuse(stateDir: string, existing: ServeInfo, opts: Omit<ServeOptions, 'version'>, json: boolean, io: CliIO): Promise<number> {
  const folders = (opts.workspaces ?? []).map((w) => path.resolve(w));
  if (folders.length > 0) {
    try {
      await attachFolders(stateDir, existing, folders);
    } catch (err) {
      io.stderr.write(`paved serve: the platform at ${existing.url} is running but did not add ${folders.join(', ')} to its catalog: ${clean(describeError(err))}\n`);
      return 1;
    }
  }
  io.stdout.write(
    json
      ? `${JSON.stringify({ ...existing, reused: true })}\n`
      : `Paved platform already running at ${existing.url} (pid ${existing.pid})${folders.length > 0 ? `; added ${folders.length} folder${folders.length === 1 ? '' : 's'} to its catalog` : ''}\n`,
  );
  return 0;
}

export const serveCommand: Subcommand = {
  name: 'serve',
  summary: 'run the local Paved platform (Platform API v1 on loopback)',
  usage,
  run,
};
