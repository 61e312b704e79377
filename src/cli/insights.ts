/**
 * `paved insights [SECTION]`: the platform team's numbers — adoption, onboarding time, delivery (DORA), compliance,
 * the feedback inbox — as tables (or JSON), through the same client and connection rules as the editor.
 */
import { INSIGHTS_SECTIONS, type DurationStat, type InsightsBySection, type InsightsQuery, type InsightsSection } from '../core/insights';
import type { PlatformBackend } from '../platform/backend';
import { parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, CONNECTION_OPTIONS, openBackend, type CliDeps } from './connection';
import { clean, reportError } from './output';

const usage = `Usage: paved insights [${INSIGHTS_SECTIONS.join('|')}] [--since WHEN] [--team TEAM] [--json] [connection]

Without a section: every section. Definitions of each number: the README, "Platform insights".

Options:
  --since WHEN       start of the window: a date (2026-10-01), or a span back from now (30d, 12w); default 12w
  --team TEAM        only this team's services (the catalog's owner)
  --env ENVIRONMENT  delivery: the environment (default production)
  --json             print the platform's answer as JSON

${connectionHelp()}

Exit codes: 0 printed, 1 the platform failed or cannot compute insights (Backstage), 2 usage error.`;

const OPTIONS = { since: { type: 'string' }, team: { type: 'string' }, env: { type: 'string' }, json: { type: 'boolean' }, ...CONNECTION_OPTIONS } as const;

/** `30d`, `12w` back from `now`, or a date/time. */
export function parseSince(v: string, now: Date): string {
  const span = /^(\d{1,4})([dw])$/.exec(v);
  if (span) return new Date(now.getTime() - Number(span[1]) * (span[2] === 'w' ? 7 : 1) * 86_400_000).toISOString();
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) throw new UsageError(`--since takes a date (2026-10-01) or a span (30d, 12w), not '${v}'`);
  return new Date(t).toISOString();
}

const pct = (v: number | undefined): string => (v === undefined ? '–' : `${Math.round(v * 100)}%`);
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '–';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86400).toFixed(1)}d`;
}
const stat = (s: DurationStat): string => `${duration(s.medianSeconds)} / ${duration(s.p90Seconds)}`;

function table(io: CliIO, head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map((c) => clean(String(c))))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  for (const r of cells) io.stdout.write(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}\n`);
}

const printers: { [S in InsightsSection]: (io: CliIO, x: InsightsBySection[S]) => void } = {
  adoption: (io, a) => {
    io.stdout.write(`Golden paths: ${a.goldenPaths.onGoldenPath} of ${a.goldenPaths.total} services; ${a.goldenPaths.offPavedRoad.count} on none\n`);
    table(io, ['GOLDEN PATH', 'VERSION', 'SERVICES'], a.goldenPaths.templates.flatMap((t) => t.versions.map((v) => [t.id, v.version + (v.version === t.latest ? ' (latest)' : ''), v.services])));
    io.stdout.write('\n');
    table(io, ['MONTH', 'NEW SERVICES', 'FROM A GOLDEN PATH', 'TASKS STARTED', 'SUCCEEDED', 'IN CATALOG', 'DEPLOYED'], a.months.map((m) => [m.month, m.newServices, pct(m.goldenPathShare), m.tasks.started, m.tasks.succeeded, m.tasks.inCatalog, m.tasks.deployed]));
  },
  onboarding: (io, o) => {
    io.stdout.write('Scaffold task → first healthy deployment (median / p90; pending = not deployed there yet)\n');
    const rows = [o.total, ...o.months, ...o.goldenPaths].map((g) => [g.key, ...o.environments.map((e) => `${stat(g.environments[e])} (${g.environments[e].count}, ${g.environments[e].pending} pending)`)]);
    table(io, ['GROUP', ...o.environments.map((e) => e.toUpperCase())], rows);
  },
  delivery: (io, d) => {
    io.stdout.write(`Delivery in ${d.environment} (lead time from release snapshot; times median / p90)\n`);
    const row = (label: string, s: InsightsBySection['delivery']['total']) => [label, s.deployments, s.deploymentsPerDay.toFixed(2), stat(s.changeLeadTime), pct(s.changeFailRate), stat(s.recoveryTime), pct(s.reworkRate)];
    const head = ['WEEK', 'DEPLOYS', 'PER DAY', 'LEAD TIME', 'FAIL RATE', 'RECOVERY', 'REWORK'];
    table(io, head, [...d.weeks.map((w) => row(w.weekStart.slice(0, 10), w)), row('total', d.total)]);
    if (d.teams.length > 0) {
      io.stdout.write('\n');
      table(io, ['TEAM', ...head.slice(1)], d.teams.map((t) => row(t.team, t)));
    }
  },
  compliance: (io, c) => {
    io.stdout.write(`Compliance: ${c.compliant} of ${c.services} services pass every mandatory rule (${pct(c.share)})\n`);
    table(io, ['RULE', 'MANDATORY', 'PASSING', 'WAIVED', 'FAILING'], c.rules.map((r) => [r.ruleId, r.mandatory ? 'yes' : 'no', `${r.passing}/${r.services} (${pct(r.share)})`, r.waived, r.failingServices.slice(0, 5).join(', ') + (r.failingServices.length > 5 ? ', …' : '')]));
    if (c.waivers.active.length > 0) {
      io.stdout.write('\n');
      table(io, ['WAIVED SERVICE', 'RULE', 'EXPIRES', 'REASON'], c.waivers.active.map((w) => [w.service, w.rule, `${w.expires} (${w.daysLeft}d)`, w.reason]));
    }
    io.stdout.write('\n');
    table(io, ['WEEK', 'COMPLIANT', 'MANDATORY FAILURES'], c.trend.map((w) => [w.weekStart.slice(0, 10), pct(w.share), w.mandatoryFailures ?? '–']));
  },
  feedback: (io, f) => {
    io.stdout.write(`Feedback: ${f.total} (${f.byState.new} new, ${f.byState.acknowledged} acknowledged, ${f.byState.done} done)\n`);
    table(io, ['WHEN', 'STATE', 'CATEGORY', 'SERVICE', 'FROM', 'MESSAGE'], f.items.items.map((x) => [x.createdAt.slice(0, 16).replace('T', ' '), x.state, x.category ?? 'other', x.service ?? '–', x.from ?? '–', x.message.replace(/\s+/g, ' ').slice(0, 80)]));
  },
};

export async function runInsights(args: string[], io: CliIO, deps: CliDeps & { now?: () => Date }): Promise<number> {
  let backend: PlatformBackend | undefined;
  try {
    const { values: v, positionals } = parseCommandLine(args, OPTIONS);
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const asked = positionals[0];
    if (asked !== undefined && !(INSIGHTS_SECTIONS as readonly string[]).includes(asked)) throw new UsageError(`unknown section '${asked}': one of ${INSIGHTS_SECTIONS.join(', ')}`);
    const sections = asked === undefined ? INSIGHTS_SECTIONS : [asked as InsightsSection];
    const query: InsightsQuery = {};
    if (v.since !== undefined) query.since = parseSince(v.since, (deps.now ?? (() => new Date()))());
    if (v.team !== undefined) query.team = v.team;
    backend = await openBackend(v, deps);
    const out: Partial<InsightsBySection> = {};
    for (const s of sections) out[s] = (await backend.insights(s, s === 'delivery' && v.env !== undefined ? { ...query, environment: v.env } : query)) as never;
    if (v.json === true) {
      io.stdout.write(`${JSON.stringify(asked === undefined ? out : out[asked as InsightsSection], null, 2)}\n`);
      return 0;
    }
    sections.forEach((s, i) => {
      if (i > 0) io.stdout.write('\n');
      (printers[s] as (io: CliIO, x: unknown) => void)(io, out[s]);
    });
    return 0;
  } catch (err) {
    return reportError(io, 'insights', err);
  } finally {
    backend?.dispose();
  }
}

export const insightsCommand: Subcommand = {
  name: 'insights',
  summary: 'platform insights: golden-path adoption, onboarding time, delivery (DORA), compliance, feedback',
  usage,
  run: (args, io) => runInsights(args, io, { env: process.env }),
};
