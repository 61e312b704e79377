/**
 * `paved services` and `paved service NAME`: the catalog from the command line, through the same platform client and
 * connection rules as the editor (src/platform), so pipelines and scripts see what the editor sees.
 *
 * Connection: `--backend local|paved|backstage` (or PAVED_BACKEND; default local) and `--url` (or PAVED_URL).
 * Token: PAVED_TOKEN; for `local`, the token file of the running `paved serve` (found through
 * `<state-dir>/serve.json`) unless PAVED_TOKEN is set.
 */
import type { CliIO, Subcommand } from './cli';
import { describeError } from '../core/errors';
import type { CatalogService, PlatformBackend, ServiceInfo, ServiceQuery } from '../platform/backend';
import { connect, createBackend, PLATFORM_KINDS, type BackendOptions, type ConnectionSettings } from '../platform/connection';
import { PlatformError } from '../platform/errors';
import { defaultLocalStateDir, findLocalPlatform } from '../platform/local';
import type { TokenProvider } from '../platform/transport';

export interface CatalogCliDeps {
  env: NodeJS.ProcessEnv;
  /** Passed to the backend (tests inject clocks and retry policies; a build with Backstage injects its client). */
  backendOptions?: BackendOptions;
}

/** Usage text of CONNECTION_FLAGS and the token rules. */
export const connectionHelp = `Connection:
  --backend KIND     local (default), paved or backstage (env PAVED_BACKEND)
  --url URL          platform base URL for paved/backstage; https unless loopback (env PAVED_URL)
  --state-dir DIR    state directory of the local platform (env PAVED_STATE_DIR; default $XDG_STATE_HOME/paved or
                     ~/.local/state/paved, the one VS Code's local platform uses too; now ${defaultLocalStateDir()})
Token: PAVED_TOKEN, or for the local platform the token file of the running \`paved serve\`.`;

const servicesUsage = `Usage: paved services [--owner TEAM] [--system SYSTEM] [--lifecycle L] [--query TEXT] [--limit N] [--json] [connection]

Lists the services of the platform's catalog (all pages), ordered as the platform orders them.

Options:
  --owner TEAM       only services owned by TEAM
  --system SYSTEM    only services of SYSTEM
  --lifecycle L      only services in lifecycle L (experimental, production, deprecated)
  --query TEXT       case-insensitive text over name, title, description and tags
  --limit N          stop after N services
  --json             print a JSON array of service summaries

${connectionHelp}

Exit codes: 0 listed (also when none match), 1 the platform failed or refused, 2 usage error.`;

const serviceUsage = `Usage: paved service NAME [--json] [connection]

Shows one service: owner, links, dependencies and dependents, APIs, environments, scorecard and DORA metrics.

Options:
  --json             print the service as JSON

${connectionHelp}

Exit codes: 0 shown, 1 not found or the platform failed, 2 usage error.`;

/** Parsed command line: positional arguments and `--flag value` / `--flag` entries. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}
type Parsed = ParsedArgs;

class UsageError extends Error {}

function parseArgs(args: string[], valued: readonly string[], boolean: readonly string[]): Parsed {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (boolean.includes(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      flags.set(name, true);
    } else if (valued.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`${name} needs a value`);
      flags.set(name, v);
    } else {
      throw new UsageError(`unknown option '${name}'`);
    }
  }
  return { positional, flags };
}

/** The options every platform command takes (see `connectionHelp`). */
export const CONNECTION_FLAGS = ['--backend', '--url', '--state-dir'] as const;

function str(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/**
 * Opens the backend the flags (`--backend`, `--url`, `--state-dir`) and the environment (PAVED_BACKEND, PAVED_URL,
 * PAVED_STATE_DIR, PAVED_TOKEN) describe. A bad `--backend` is a plain Error (usage, exit 2); the rest PlatformErrors.
 */
export async function openBackend(p: Parsed, deps: CatalogCliDeps): Promise<PlatformBackend> {
  const kind = str(p, '--backend') ?? deps.env.PAVED_BACKEND ?? 'local';
  if (!(PLATFORM_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--backend must be one of ${PLATFORM_KINDS.join(', ')}, not '${kind}'`);
  const url = (str(p, '--url') ?? deps.env.PAVED_URL ?? '').trim().replace(/\/+$/, '');
  const envToken = deps.env.PAVED_TOKEN?.trim() || undefined;
  const stateDir = str(p, '--state-dir') ?? defaultLocalStateDir(deps.env);
  const settings: ConnectionSettings = { kind: kind as ConnectionSettings['kind'], url, ignored: [] };
  const token: TokenProvider = async () => envToken;
  if (kind === 'local' && envToken) {
    // PAVED_TOKEN wins over the token file; the URL still comes from serve.json.
    const info = await findLocalPlatform(stateDir);
    if (info) return createBackend({ kind: 'local', url: info.url, token }, deps.backendOptions);
  }
  return connect({ settings, trusted: true, token, localStateDir: stateDir }, deps.backendOptions);
}

/** Terminal-safe text: no control characters (a remote catalog cannot move the cursor or recolour the terminal). */
function clean(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

function statusText(status: Record<string, string>): string {
  return Object.entries(status)
    .map(([env, state]) => `${clean(env)}:${clean(state)}`)
    .join(' ');
}

function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? 2 : 1;
}

function report(io: CliIO, cmd: string, err: unknown): number {
  if (err instanceof UsageError) {
    io.stderr.write(`paved ${cmd}: ${err.message}. Run 'paved ${cmd} --help'.\n`);
    return 2;
  }
  if (err instanceof PlatformError) {
    io.stderr.write(`paved ${cmd}: ${err.message}\n`);
    if (err.detail) io.stderr.write(`  (${clean(err.detail)})\n`);
    return err.code === 'invalid-input' && err.status === undefined ? 2 : 1;
  }
  io.stderr.write(`paved ${cmd}: ${describeError(err)}\n`);
  return exitCodeFor(err);
}

const EPIPE = 'stdout closed';
const pipeWatched = new WeakSet<object>();
let onPipeClosed: (() => void) | undefined;

/**
 * Runs `body` with an AbortSignal that fires on Ctrl-C, or when the reader of stdout goes away (`paved services |
 * head`): then the listing stops quietly instead of crashing on EPIPE.
 */
async function withInterrupt(io: CliIO, body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const ctl = new AbortController();
  const onInt = () => ctl.abort();
  process.once('SIGINT', onInt);
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
    process.off('SIGINT', onInt);
  }
}

export async function runServices(args: string[], io: CliIO, deps: CatalogCliDeps): Promise<number> {
  return withInterrupt(io, async (signal) => {
    let backend: PlatformBackend | undefined;
    try {
      const p = parseArgs(args, ['--owner', '--system', '--lifecycle', '--query', '--limit', ...CONNECTION_FLAGS], ['--json']);
      if (p.positional.length > 0) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
      let max = Number.POSITIVE_INFINITY;
      const rawLimit = str(p, '--limit');
      if (rawLimit !== undefined) {
        max = Number(rawLimit);
        if (!Number.isInteger(max) || max < 1) throw new UsageError(`--limit must be a positive integer, not '${rawLimit}'`);
      }
      const json = p.flags.has('--json');
      backend = await openBackend(p, deps);
      const query: ServiceQuery = { owner: str(p, '--owner'), system: str(p, '--system'), lifecycle: str(p, '--lifecycle'), text: str(p, '--query') };
      let count = 0;
      let cursor: string | undefined;
      if (json) io.stdout.write('[');
      else io.stdout.write(`${'NAME'.padEnd(32)} ${'OWNER'.padEnd(20)} ${'SYSTEM'.padEnd(16)} ${'LIFECYCLE'.padEnd(12)} STATUS\n`);
      do {
        const page = await backend.listServices({ ...query, cursor, limit: Math.min(500, max - count) }, { signal });
        for (const s of page.items) {
          if (count >= max || signal.aborted) break;
          if (json) io.stdout.write(`${count === 0 ? '\n' : ',\n'}  ${JSON.stringify(s)}`);
          else io.stdout.write(row(s));
          count++;
        }
        cursor = page.nextCursor;
      } while (cursor && count < max && !signal.aborted);
      if (signal.reason === EPIPE) return 0;
      if (json) io.stdout.write(count === 0 ? ']\n' : '\n]\n');
      else io.stderr.write(`${count} service${count === 1 ? '' : 's'}${cursor ? ' (more available; raise --limit)' : ''}\n`);
      return 0;
    } catch (err) {
      if (signal.reason === EPIPE) return 0;
      return report(io, 'services', err);
    } finally {
      backend?.dispose();
    }
  });
}

function row(s: CatalogService): string {
  return `${clean(s.ref).padEnd(32)} ${clean(s.owner).padEnd(20)} ${clean(s.system ?? '-').padEnd(16)} ${clean(s.lifecycle ?? '-').padEnd(12)} ${statusText(s.status) || '-'}\n`;
}

export async function runService(args: string[], io: CliIO, deps: CatalogCliDeps): Promise<number> {
  return withInterrupt(io, async (signal) => {
    let backend: PlatformBackend | undefined;
    try {
      const p = parseArgs(args, [...CONNECTION_FLAGS], ['--json']);
      if (p.positional.length !== 1) throw new UsageError(p.positional.length === 0 ? 'missing service NAME' : `unexpected argument '${p.positional[1]}'`);
      backend = await openBackend(p, deps);
      const s = await backend.getService(p.positional[0], { signal });
      io.stdout.write(p.flags.has('--json') ? `${JSON.stringify(s, null, 2)}\n` : describeService(s));
      return 0;
    } catch (err) {
      return report(io, 'service', err);
    } finally {
      backend?.dispose();
    }
  });
}

/** The text form of `paved service NAME`. */
export function describeService(s: ServiceInfo): string {
  const lines: string[] = [];
  const field = (label: string, value: unknown) => {
    if (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)) lines.push(`${label.padEnd(13)}${Array.isArray(value) ? value.map(clean).join(', ') : clean(value)}`);
  };
  lines.push(clean(s.title ? `${s.ref} — ${s.title}` : s.ref));
  if (s.description) lines.push(clean(s.description));
  lines.push('');
  field('Owner', s.owner);
  field('System', s.system);
  field('Lifecycle', s.lifecycle);
  field('Tags', s.tags);
  field('Manifest', s.manifestPath ?? s.manifestKind);
  field('Depends on', s.dependsOn);
  field('Dependents', s.dependents);
  field('Provides', s.apis.provides);
  field('Consumes', s.apis.consumes);
  if (s.links.length) {
    lines.push('Links');
    for (const l of s.links) lines.push(`  ${clean(l.type ?? 'other').padEnd(11)}${clean(l.title ? `${l.title}: ${l.url}` : l.url)}`);
  }
  lines.push('Environments');
  if (s.environments.length === 0) lines.push('  (not deployed)');
  for (const e of s.environments) {
    const where = e.url ?? (e.port ? `port ${e.port}` : '');
    lines.push(`  ${clean(e.environment).padEnd(11)}${clean(e.state).padEnd(14)}${clean(e.release ?? '').padEnd(28)}${clean(where)}`.trimEnd());
  }
  if (s.scorecard) {
    const failing = s.scorecard.results.filter((r) => !r.passed);
    lines.push(`Scorecard    ${s.scorecard.score}/100${failing.length ? `, ${failing.length} failing` : ''}`);
    for (const r of failing) lines.push(`  ${clean(r.severity).padEnd(8)} ${clean(r.ruleId)}: ${clean(r.message)}`);
  }
  if (s.metrics) {
    const m = s.metrics;
    const dur = (sec: number | undefined) => (sec === undefined ? 'n/a' : sec < 3600 ? `${Math.round(sec / 60)} min` : `${(sec / 3600).toFixed(1)} h`);
    lines.push(`DORA (${clean(m.environment)}, ${m.windowDays} days)`);
    lines.push(`  deployment frequency   ${m.deploymentFrequencyPerDay.toFixed(2)}/day (${m.deployments} deployments)`);
    lines.push(`  lead time for changes  ${dur(m.leadTimeSeconds)}`);
    lines.push(`  change failure rate    ${m.changeFailureRate === undefined ? 'n/a' : `${Math.round(m.changeFailureRate * 100)}%`}`);
    lines.push(`  time to restore        ${dur(m.timeToRestoreSeconds)}`);
  }
  return `${lines.join('\n')}\n`;
}

export const servicesCommand: Subcommand = {
  name: 'services',
  summary: 'list the services of the platform catalog',
  usage: servicesUsage,
  run: (args, io) => runServices(args, io, { env: process.env }),
};

export const serviceCommand: Subcommand = {
  name: 'service',
  summary: 'show one service: owner, links, environments, scorecard, DORA',
  usage: serviceUsage,
  run: (args, io) => runService(args, io, { env: process.env }),
};
