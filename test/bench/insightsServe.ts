/**
 * Benchmark of platform insights as `paved serve` answers them (not a test): a state dir with 10,000 registered
 * services of 200 teams and 1,000,000 finished deployments over the last year (a third of a million releases, each
 * deployed to local, then promoted to staging and production; 8 % fail, some roll back), the server started on it,
 * then every `GET /v1/insights/...` timed (first request and again) and the server's RSS (now and its peak) read from
 * /proc. The history is written in the platform's own file layout — one `<id>.json` per deployment, one release meta
 * per release — directly, without the fsyncs the platform does per record (the platform's import would take hours
 * of fsyncs for a million records) and without the per-deployment event logs (a finished deployment's log is read
 * only when someone asks for it, so the insights never read them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DeploymentKind, DeploymentState } from '../../src/core/api/types';
import type { DeploymentRecord } from '../../src/server/deploy/history';
import type { ReleaseMeta } from '../../src/server/deploy/releases';
import { newId } from '../../src/server/ids';
import { serve, tempDir, type Served } from '../contract/helpers';
import { builtCli, rssMb, seedRegistrations } from './serve';

const SERVICES = 10_000;
const TEAMS = 200;
const DEPLOYMENTS = Number(process.env.PAVED_BENCH_INSIGHTS_DEPLOYMENTS ?? 1_000_000);
const DAY = 86_400_000;

/** Peak RSS of a process (VmHWM), MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Writes the history; returns how many deployments and releases it wrote. */
function seedHistory(stateDir: string, now: number): { deployments: number; releases: number } {
  let seed = 17;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const depDir = path.join(stateDir, 'deployments');
  fs.mkdirSync(depDir, { recursive: true });
  const releasesDir = path.join(stateDir, 'releases');
  const madeDirs = new Set<string>();
  const releases = Math.ceil(DEPLOYMENTS / 3);
  const start = now - 365 * DAY;
  let written = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let i = 0; i < releases && written < DEPLOYMENTS; i++) {
    const service = `svc-${String(Math.floor(rnd() * SERVICES)).padStart(6, '0')}`;
    const t = start + (i / releases) * 364 * DAY;
    const release = `r-${iso(t).replace(/[-:.]/g, '').slice(0, 15)}Z-${String(i).padStart(7, '0')}`;
    const meta: ReleaseMeta = { id: release, service, createdAt: iso(t - rnd() * 2 * DAY), dir: '' };
    const sdir = path.join(releasesDir, service);
    if (!madeDirs.has(sdir)) {
      fs.mkdirSync(sdir, { recursive: true });
      madeDirs.add(sdir);
    }
    fs.writeFileSync(path.join(sdir, `${release}.json`), JSON.stringify(meta, null, 1) + '\n', { mode: 0o600 });
    const envs: [string, DeploymentKind, number][] = [
      ['local', 'deploy', 0],
      ['staging', 'promote', 0.1 * DAY],
      ['production', 'promote', 0.4 * DAY],
    ];
    for (const [environment, plannedKind, offset] of envs) {
      if (written >= DEPLOYMENTS) break;
      const r = rnd();
      const state: DeploymentState = r > 0.92 ? (r > 0.97 ? 'rolled-back' : 'failed') : r > 0.91 ? 'cancelled' : 'succeeded';
      const kind: DeploymentKind = r < 0.03 ? 'rollback' : plannedKind;
      const created = t + offset;
      const d: DeploymentRecord = { id: newId('d', new Date(created)), service, environment, kind, state, release, createdAt: iso(created), startedAt: iso(created), finishedAt: iso(created + 60_000 + rnd() * 600_000) };
      if (state === 'rolled-back') d.automaticRollback = true;
      fs.writeFileSync(path.join(depDir, `${d.id}.json`), JSON.stringify(d, null, 1) + '\n', { mode: 0o600 });
      written++;
    }
  }
  return { deployments: written, releases };
}

async function timed(s: Served, urlPath: string): Promise<{ ms: number; body: unknown }> {
  const t0 = performance.now();
  const r = await fetch(`${s.url}${urlPath}`, { headers: { authorization: `Bearer ${s.token}` } });
  const body: unknown = await r.json();
  const ms = performance.now() - t0;
  if (r.status !== 200) throw new Error(`GET ${urlPath} → ${r.status}: ${JSON.stringify(body)}`);
  return { ms, body };
}

export async function run(): Promise<void> {
  const stateDir = tempDir('bench-insights-serve');
  try {
    const now = Date.now();
    const t0 = performance.now();
    seedRegistrations(stateDir, SERVICES, TEAMS);
    const seeded = seedHistory(stateDir, now);
    console.log(`  ${SERVICES} services, ${TEAMS} teams, ${seeded.deployments} finished deployments, ${seeded.releases} releases written in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    console.log(`  paved serve from ${builtCli ?? 'sources (tsx); run npm run build to measure dist/cli.js'}`);
    const t1 = performance.now();
    const s = await serve(['--state-dir', stateDir, '--idle-timeout', '0'], {}, builtCli);
    try {
      const loadMs = performance.now() - t1;
      console.log(`  start to listening (loads the history): ${(loadMs / 1000).toFixed(1)} s; RSS ${rssMb(s.pid)} MB`);
      const since52 = new Date(now - 364 * DAY).toISOString();
      const requests: [string, string][] = [
        ['delivery, 12 weeks, all teams', '/v1/insights/delivery'],
        ['delivery, 52 weeks, all teams', `/v1/insights/delivery?since=${since52}`],
        ['delivery, one team', '/v1/insights/delivery?team=team-7'],
        ['services behind the numbers (first 100)', '/v1/insights/delivery/services?limit=100'],
        ['adoption', '/v1/insights/adoption'],
        ['onboarding', '/v1/insights/onboarding'],
        ['compliance', '/v1/insights/compliance'],
        ['feedback', '/v1/insights/feedback'],
      ];
      for (const [label, url] of requests) {
        const first = await timed(s, url);
        // Compliance scores every service's manifest: minutes at 10k services, so it is asked once.
        const again = label === 'compliance' ? undefined : await timed(s, url);
        const extra = label.startsWith('delivery,') ? `; ${(first.body as { total: { deployments: number } }).total.deployments} production deployments` : '';
        console.log(`  ${label}: ${first.ms.toFixed(0)} ms${again ? `, again ${again.ms.toFixed(0)} ms` : ''}${extra}`);
      }
      console.log(`  server RSS after the requests: ${rssMb(s.pid)} MB (peak ${peakRssMb(s.pid)} MB)`);
    } finally {
      await s.stop();
    }
  } finally {
    const t2 = performance.now();
    fs.rmSync(stateDir, { recursive: true, force: true });
    console.log(`  (state dir removed in ${((performance.now() - t2) / 1000).toFixed(0)} s)`);
  }
}

if (require.main === module) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
