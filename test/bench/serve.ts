/**
 * Benchmark of `paved serve` (not a test): list 10k and 100k registered services page by page (time to first page,
 * full walk, server RSS) and scaffold → healthy time for the TypeScript golden path (and the JavaScript one).
 */
import { newChallenge } from '../../src/core/api/identity';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { call, followDeployment, serve, tempDir, type Served } from '../contract/helpers';
import type { Page, ScaffoldTask, ServiceSummary, TaskEventsPage, Deployment } from '../../src/core/api/types';

/** A plain GET (no contract check, so the client adds as little as possible to the measurement). */
async function get<T>(s: Served, urlPath: string): Promise<{ body: T }> {
  const r = await fetch(`${s.url}${urlPath}`, { headers: { authorization: `Bearer ${s.token}` } });
  if (r.status !== 200) throw new Error(`GET ${urlPath} → ${r.status}`);
  return { body: (await r.json()) as T };
}

export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** `n` registered services of `teams` teams (owner `team-<i % teams>`) in the platform's registrations journal. */
export function seedRegistrations(stateDir: string, n: number, teams = 50): void {
  const lines: string[] = [];
  const at = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const name = `svc-${String(i).padStart(6, '0')}`;
    lines.push(
      JSON.stringify({
        op: 'put',
        at,
        manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name, owner: `team-${i % teams}`, system: `system-${i % 20}`, lifecycle: i % 3 === 0 ? 'production' : 'experimental', tags: ['bench'] }, spec: { dependsOn: i > 0 ? [`service:svc-${String(i - 1).padStart(6, '0')}`] : [] } },
      }),
    );
  }
  fs.writeFileSync(path.join(stateDir, 'registrations.jsonl'), lines.join('\n') + '\n', { mode: 0o600 });
}

const distCli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
/** The built CLI when `npm run build` has run (what the extension starts), else the sources through tsx. */
export const builtCli = fs.existsSync(distCli) && fs.existsSync(path.join(path.dirname(distCli), 'golden-paths')) ? distCli : undefined;
/** PAVED_BENCH_SERVE_CLI names another build's cli.js (e.g. one of an earlier commit, to compare in one session). */
const cli = process.env.PAVED_BENCH_SERVE_CLI ? path.resolve(process.env.PAVED_BENCH_SERVE_CLI) : builtCli;

async function listBench(n: number): Promise<Record<string, number | string>> {
  const stateDir = tempDir(`bench-${n}`);
  seedRegistrations(stateDir, n);
  const t0 = performance.now();
  const s = await serve(['--state-dir', stateDir, '--idle-timeout', '0'], {}, cli);
  const startMs = performance.now() - t0;
  try {
    const rssAtStart = rssMb(s.pid);
    // A client's first request to a platform is the identity check on GET /v1/health (src/platform/local.ts): what
    // the first request of a connection costs, whatever it asks, is paid there, before the catalog's first page.
    const t0b = performance.now();
    await get(s, `/v1/health?challenge=${newChallenge()}`);
    const firstRequestMs = performance.now() - t0b;
    const t1 = performance.now();
    const first = await get<Page<ServiceSummary>>(s, '/v1/services?limit=100');
    const firstPageMs = performance.now() - t1;
    if (first.body.items.length !== Math.min(100, n)) throw new Error('first page is not full');
    const t1b = performance.now();
    await get<Page<ServiceSummary>>(s, '/v1/services?limit=100');
    const warmFirstPageMs = performance.now() - t1b;
    const t2 = performance.now();
    let cursor: string | undefined;
    let count = 0;
    let pages = 0;
    do {
      const r: { body: Page<ServiceSummary> } = await get<Page<ServiceSummary>>(s, `/v1/services?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      count += r.body.items.length;
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    const walkMs = performance.now() - t2;
    if (count !== n) throw new Error(`walked ${count} of ${n}`);
    const t3 = performance.now();
    const filtered = await get<Page<ServiceSummary>>(s, '/v1/services?limit=100&owner=team-7&lifecycle=production');
    const filterMs = performance.now() - t3;
    return {
      services: n,
      'start to listening (ms)': Math.round(startMs),
      'first request of the connection, the identity check (ms)': +firstRequestMs.toFixed(1),
      'first page of 100, after it (ms)': +firstPageMs.toFixed(1),
      'first page of 100, again (ms)': +warmFirstPageMs.toFixed(1),
      'full walk, pages of 500 (ms)': Math.round(walkMs),
      pages,
      'filtered first page (ms)': +filterMs.toFixed(1),
      'filtered hits': filtered.body.items.length,
      'server RSS when listening (MB)': rssAtStart,
      'server RSS after walk (MB)': rssMb(s.pid),
    };
  } finally {
    await s.stop();
  }
}

async function scaffoldToHealthy(templateId: string): Promise<Record<string, number | string>> {
  const s: Served = await serve(['--state-dir', tempDir('bench-deploy'), '--idle-timeout', '0'], {}, builtCli);
  try {
    const t0 = performance.now();
    const c = await call<ScaffoldTask>(s, 'POST', '/v1/scaffold-tasks', { body: { templateId, values: { name: 'bench-svc', owner: 'team-bench' } } });
    let after = 0;
    for (;;) {
      const ev = await call<TaskEventsPage>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}/events?after=${after}&wait=10`);
      after = ev.body.lastSeq;
      if (ev.body.done) break;
    }
    const task = (await call<ScaffoldTask>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}`)).body;
    const target = path.join(tempDir('bench-target'), 'bench-svc');
    for (const f of task.result?.files ?? []) {
      fs.mkdirSync(path.dirname(path.join(target, f.path)), { recursive: true });
      fs.writeFileSync(path.join(target, f.path), f.content, { mode: f.mode });
    }
    const scaffoldMs = performance.now() - t0;
    const yaml = await import('yaml');
    await call(s, 'POST', '/v1/services', { body: { manifest: yaml.parse(fs.readFileSync(path.join(target, 'paved.yaml'), 'utf8')), sourceDir: target } });
    const t1 = performance.now();
    const d = await call<Deployment>(s, 'POST', '/v1/services/bench-svc/deployments', { body: { environment: 'local' } });
    const { deployment } = await followDeployment(s, d.body.id);
    if (deployment.state !== 'succeeded') throw new Error(`deployment ended ${deployment.state}: ${deployment.error}`);
    const deployMs = performance.now() - t1;
    return { template: templateId, 'scaffold + write files (ms)': Math.round(scaffoldMs), 'deploy to healthy (ms)': Math.round(deployMs), 'scaffold → healthy (ms)': Math.round(performance.now() - t0) };
  } finally {
    await s.stop();
  }
}

export async function run(): Promise<void> {
  console.log(`paved serve from ${cli ?? 'sources (tsx); run npm run build to measure dist/cli.js'}`);
  // PAVED_BENCH_SERVE_SIZES=0,100000 lists only those sizes (0: the platform holding no service); PAVED_BENCH_SERVE_SCAFFOLD=0 skips the scaffold runs.
  const sizes = (process.env.PAVED_BENCH_SERVE_SIZES ?? '0,10000,100000').split(',').map(Number);
  for (const n of sizes) console.log(JSON.stringify(await listBench(n)));
  if (process.env.PAVED_BENCH_SERVE_SCAFFOLD === '0') return;
  for (const id of ['typescript-http-service', 'node-http-service']) console.log(JSON.stringify(await scaffoldToHealthy(id)));
}

if (require.main === module) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
