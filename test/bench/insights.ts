/**
 * Benchmark of platform insights (not a test): 10,000 services and 1,000,000 finished deployments over a year, the
 * delivery section (DORA per week and per team) computed as the platform answers `GET /v1/insights/delivery` — the
 * history put into columns and walked once — plus the services behind it and onboarding; memory as RSS and heap of
 * this process holding the rows and the columns. Peer in the same run: the per-service DORA computation the platform
 * already had (`computeDora` over Deployment objects, once per service), which gives one 30-day number per service
 * and no weeks or teams.
 */
import { performance } from 'node:perf_hooks';
import type { Deployment } from '../../src/core/api/types';
import { computeDora } from '../../src/core/catalog';
import { DeploymentTable, deliveryInsights, deliveryServices, type HistoryRow } from '../../src/core/insights';

const SERVICES = 10_000;
const DEPLOYMENTS = 1_000_000;
const TEAMS = 200;
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T00:00:00Z');

const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;

/** A seeded pseudo-random history: finish times ascending over 365 days, 8 % failures, some rollbacks. */
function history(): HistoryRow[] {
  let seed = 17;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const rows: HistoryRow[] = new Array(DEPLOYMENTS);
  const start = NOW - 365 * DAY;
  const envs = ['local', 'staging', 'production'];
  for (let i = 0; i < DEPLOYMENTS; i++) {
    const t = start + (i / DEPLOYMENTS) * 365 * DAY;
    const r = rnd();
    rows[i] = { service: `svc-${Math.floor(rnd() * SERVICES)}`, environment: envs[i % 3], kind: r < 0.03 ? 'rollback' : r < 0.3 ? 'promote' : 'deploy', state: r > 0.92 ? (r > 0.97 ? 'rolled-back' : 'failed') : r > 0.91 ? 'cancelled' : 'succeeded', finishedAt: t, releaseCreatedAt: t - rnd() * 2 * DAY };
  }
  return rows;
}

function time<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  console.log(`  ${label}: ${(performance.now() - t0).toFixed(0)} ms`);
  return out;
}

export async function run(): Promise<void> {
  const base = process.memoryUsage();
  const rows = history();
  const teamOf = (s: string): string => `team-${Number(s.slice(4)) % TEAMS}`;
  console.log(`  ${SERVICES} services, ${DEPLOYMENTS} deployments, ${TEAMS} teams; RSS before: ${mb(base.rss)}`);
  const table = time('columns from 1M rows (per request)', () => {
    const t = new DeploymentTable();
    for (const r of rows) t.add(r);
    return t;
  });
  const q = { since: NOW - 84 * DAY, until: NOW, teamOf };
  const d = time('delivery, 12 weeks, all teams (one pass)', () => deliveryInsights(table, q));
  time('delivery, 52 weeks, all teams', () => deliveryInsights(table, { ...q, since: NOW - 364 * DAY }));
  time('delivery, one team', () => deliveryInsights(table, { ...q, team: 'team-7' }));
  time('services behind the numbers', () => deliveryServices(table, q));
  time('first healthy deployment per service and environment (onboarding)', () => table.firstHealthy());
  const mem = process.memoryUsage();
  console.log(`  RSS with the rows and the columns: ${mb(mem.rss)} (heap ${mb(mem.heapUsed)}); ${d.weeks.length} weeks, ${d.total.deployments} production deployments, ${d.teams.length} teams`);

  // Peer: the per-service DORA the platform had, once per service over Deployment objects.
  const byService = new Map<string, Deployment[]>();
  const releases = new Map<string, string>();
  time('peer: Deployment objects grouped by service', () => {
    rows.forEach((r, i) => {
      const dep: Deployment = { id: `d${i}`, service: r.service, environment: r.environment, kind: r.kind, state: r.state, release: `r${i}`, createdAt: new Date(r.finishedAt - 60_000).toISOString(), finishedAt: new Date(r.finishedAt).toISOString() };
      releases.set(`r${i}`, new Date(r.releaseCreatedAt as number).toISOString());
      let list = byService.get(r.service);
      if (!list) byService.set(r.service, (list = []));
      list.push(dep);
    });
  });
  time('peer: computeDora per service (30 days, production), all 10k services', () => {
    for (const list of byService.values()) computeDora({ deployments: list, releaseCreatedAt: releases, now: new Date(NOW), windowDays: 30 });
  });
  console.log(`  RSS with the peer's objects too: ${mb(process.memoryUsage().rss)}`);
}
