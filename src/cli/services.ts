/**
 * `paved services` and `paved service NAME`: the catalog from the command line, through the same platform client and
 * connection rules as the editor (src/platform), so pipelines and scripts see what the editor sees.
 *
 * Connection and token: src/cli/connection.ts.
 */
import { integerOption, parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, CONNECTION_OPTIONS, openBackend, type CliDeps } from './connection';
import { clean, EPIPE, listing, reportError } from './output';
import type { CatalogService, PlatformBackend, ServiceInfo, ServiceQuery } from '../platform/backend';

const servicesUsage = `Usage: paved services [--owner TEAM] [--system SYSTEM] [--lifecycle L] [--query TEXT] [--limit N] [--json] [connection]

Lists the services of the platform's catalog (all pages), ordered as the platform orders them.

Options:
  --owner TEAM       only services owned by TEAM
  --system SYSTEM    only services of SYSTEM
  --lifecycle L      only services in lifecycle L (experimental, production, deprecated)
  --query TEXT       case-insensitive text over name, title, description and tags
  --limit N          stop after N services
  --json             print a JSON array of service summaries

${connectionHelp()}

Exit codes: 0 listed (also when none match), 1 the platform failed or refused, 2 usage error.`;

const serviceUsage = `Usage: paved service NAME [--json] [connection]

Shows one service: owner, links, dependencies and dependents, APIs, environments, scorecard and DORA metrics.

Options:
  --json             print the service as JSON

${connectionHelp()}

Exit codes: 0 shown, 1 not found or the platform failed, 2 usage error.`;

const SERVICES_OPTIONS = {
  owner: { type: 'string' },
  system: { type: 'string' },
  lifecycle: { type: 'string' },
  query: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  ...CONNECTION_OPTIONS,
} as const;

const SERVICE_OPTIONS = { json: { type: 'boolean' }, ...CONNECTION_OPTIONS } as const;

function statusText(status: Record<string, string>): string {
  return Object.entries(status)
    .map(([env, state]) => `${clean(env)}:${clean(state)}`)
    .join(' ');
}

export async function runServices(args: string[], io: CliIO, deps: CliDeps): Promise<number> {
  return listing(io, async (signal) => {
    let backend: PlatformBackend | undefined;
    try {
      const { values: v, positionals } = parseCommandLine(args, SERVICES_OPTIONS);
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      const max = v.limit === undefined ? Number.POSITIVE_INFINITY : integerOption('limit', v.limit, 1, undefined, 'a positive integer');
      const json = v.json === true;
      backend = await openBackend(v, deps);
      const query: ServiceQuery = { owner: v.owner, system: v.system, lifecycle: v.lifecycle, text: v.query };
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
      return reportError(io, 'services', err);
    } finally {
      backend?.dispose();
    }
  });
}

function row(s: CatalogService): string {
  return `${clean(s.ref).padEnd(32)} ${clean(s.owner).padEnd(20)} ${clean(s.system ?? '-').padEnd(16)} ${clean(s.lifecycle ?? '-').padEnd(12)} ${statusText(s.status) || '-'}\n`;
}

export async function runService(args: string[], io: CliIO, deps: CliDeps): Promise<number> {
  return listing(io, async (signal) => {
    let backend: PlatformBackend | undefined;
    try {
      const { values: v, positionals } = parseCommandLine(args, SERVICE_OPTIONS);
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing service NAME' : `unexpected argument '${positionals[1]}'`);
      backend = await openBackend(v, deps);
      const s = await backend.getService(positionals[0], { signal });
      io.stdout.write(v.json ? `${JSON.stringify(s, null, 2)}\n` : describeService(s));
      return 0;
    } catch (err) {
      return reportError(io, 'service', err);
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
