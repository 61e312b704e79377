/**
 * `paved status SERVICE`: health and SLOs of a service in every environment, as the platform measures them (its own
 * health probes, not user traffic — the output says so).
 */
import type { EnvironmentOperations, ServiceStatus, SloStatus } from '../core/api/operations';
import type { PlatformBackend } from '../platform/backend';
import { assertOperations } from '../platform/selfService';
import { parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, CONNECTION_OPTIONS, openBackend, type CliDeps } from './connection';
import { clean, listing, reportError } from './output';

const usage = `Usage: paved status SERVICE [--json] [connection]

Shows SERVICE in every environment it was deployed to: whether it runs, its health (healthy, degraded, unhealthy;
since when, the last error), the release, where it answers, and each SLO of its manifest measured over its window
with the error budget left and how fast it burns (1× spends it exactly over the window).

Options:
  --json           print the status as JSON

${connectionHelp()}

Exit codes: 0 shown (whatever the health), 1 the platform failed or refused (unknown service, a platform without
live operations), 2 usage error.`;

const OPTIONS = { json: { type: 'boolean' }, ...CONNECTION_OPTIONS } as const;

const pct = (n: number | undefined, digits = 2) => (n === undefined ? 'n/a' : `${n.toFixed(digits)}%`);

function sloLine(s: SloStatus): string {
  const target = `${clean(s.name)}: ${s.objective}% over ${clean(s.window)}${s.indicator === 'latency' && s.thresholdMs ? ` under ${s.thresholdMs} ms` : ''}`;
  if (!s.measured) return `    ${target} — not measured: ${clean(s.reason ?? '')}`;
  const budget = s.errorBudgetRemaining === undefined ? '' : `, error budget ${Math.round(s.errorBudgetRemaining * 100)}% left`;
  const burn = s.burnRate === undefined ? '' : `, burning ${s.burnRate}×`;
  const cover = s.coverage < 1 ? ` (probes cover ${Math.round(s.coverage * 100)}% of the window)` : '';
  return `    ${target} — ${pct(s.value, 3)} ${s.met ? 'met' : 'MISSED'} (${s.good}/${s.total} probes${budget}${burn})${cover}`;
}

function envLines(e: EnvironmentOperations): string[] {
  const h = e.health;
  const head = [clean(e.environment).padEnd(11), clean(e.state).padEnd(9)];
  if (h) head.push(`${h.state}${h.state === 'healthy' ? '' : h.lastError ? ` (${clean(h.lastError)})` : ''} since ${clean(h.since)}`);
  const release = h?.releaseNumber ? `r${h.releaseNumber} ${clean(e.release ?? '')}` : clean(e.release ?? '');
  const lines = [`  ${head.join(' ')}`.trimEnd()];
  if (release || e.url) lines.push(`    ${[release, clean(e.url ?? '')].filter(Boolean).join('  ')}`);
  if (h) lines.push(`    probes GET ${clean(h.healthPath)} every ${h.intervalSeconds} s; unhealthy after ${h.failureThreshold} failures; ${h.restartAfterSeconds ? `restarted after ${h.restartAfterSeconds} s unhealthy` : 'not restarted automatically'}`);
  for (const s of e.slos) lines.push(sloLine(s));
  return lines;
}

export function describeStatus(st: ServiceStatus): string {
  const envs = st.environments.filter((e) => e.state !== 'not-deployed');
  const lines = [clean(st.service), ...(envs.length ? envs.flatMap(envLines) : ['  (not deployed anywhere)']), '', clean(st.note)];
  return `${lines.join('\n')}\n`;
}

export async function runStatus(args: string[], io: CliIO, deps: CliDeps): Promise<number> {
  return listing(io, async (signal) => {
    let backend: PlatformBackend | undefined;
    try {
      const { values: v, positionals } = parseCommandLine(args, OPTIONS);
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'SERVICE is required' : `unexpected argument '${positionals[1]}'`);
      backend = await openBackend(v, deps);
      assertOperations(backend);
      const st = await backend.operations.status(positionals[0], { signal });
      io.stdout.write(v.json ? `${JSON.stringify(st, null, 2)}\n` : describeStatus(st));
      return 0;
    } catch (err) {
      return reportError(io, 'status', err);
    } finally {
      backend?.dispose();
    }
  });
}

export const statusCommand: Subcommand = {
  name: 'status',
  summary: 'show the health and SLO status of a service in every environment',
  usage,
  run: (args, io) => runStatus(args, io, { env: process.env }),
};
