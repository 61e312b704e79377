/**
 * Benchmark of resources (not a test): time from a deployment request to a ready postgres claim (PGlite: first start
 * with initdb, then a restart with data), and memory — of `paved serve` and of each resource process. The peer, in the
 * same run: the system's PostgreSQL server (`postgres`/`initdb` on the PATH or under /usr/lib/postgresql), started the
 * same way (a process group of its own, data in a fresh directory, password authentication on loopback), time to the
 * first query and its memory (the postmaster and every child it forked).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { Deployment, DeploymentEventsPage } from '../../src/core/api/types';
import { call, serve, tempDir, type Served } from '../contract/helpers';

const builtCli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const cli = fs.existsSync(builtCli) && fs.existsSync(path.join(path.dirname(builtCli), 'pglite-server.cjs')) ? builtCli : undefined;

/** RSS and PSS in MB of one process (PSS shares pages fairly between processes). */
function memory(pid: number): { rss: number; pss: number } {
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  return { rss: Math.round(kb('Rss') / 1024), pss: Math.round(kb('Pss') / 1024) };
}

/** Pids of the processes `match` picks by their environment, process group and parent. */
function pids(match: (pid: number, environ: string, pgid: number, ppid: number) => boolean): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const [, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      const environ = fs.readFileSync(`/proc/${name}/environ`, 'latin1');
      if (match(Number(name), environ, pgid, ppid)) out.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

function writeService(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'paved.yaml'), 'apiVersion: paved.dev/v1\nkind: Service\nmetadata: { name: bench-db, owner: team-bench }\nspec:\n  runtime: { name: node }\n  run: { command: node server.js }\n  claims:\n    db: { type: postgres }\n  env:\n    DATABASE_URL: ${claims.db.url}\n');
  fs.writeFileSync(path.join(dir, 'server.js'), "require('http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\nprocess.on('SIGTERM', () => process.exit(0));\n");
}

/** Deploys and resolves with the time from the request to the claim's "ready" event, and to the deployment's end. */
async function deployTimed(s: Served): Promise<{ readyMs: number; deployMs: number; message: string }> {
  const t0 = performance.now();
  const d = await call<Deployment>(s, 'POST', '/v1/services/bench-db/deployments', { body: { environment: 'local' } });
  let readyMs = NaN;
  let message = '';
  for (let after = 0; ; ) {
    const r = await call<DeploymentEventsPage>(s, 'GET', `/v1/deployments/${d.body.id}/events?after=${after}&wait=20`);
    for (const e of r.body.items) {
      if (e.step === 'provision' && /… ready/.test(e.message) && Number.isNaN(readyMs)) {
        readyMs = performance.now() - t0;
        message = e.message;
      }
    }
    after = r.body.lastSeq;
    if (r.body.done) break;
  }
  const end = (await call<Deployment>(s, 'GET', `/v1/deployments/${d.body.id}`)).body;
  if (end.state !== 'succeeded') throw new Error(`deployment ${end.state}: ${end.error}`);
  return { readyMs: Math.round(readyMs), deployMs: Math.round(performance.now() - t0), message };
}

async function pglite(): Promise<Record<string, unknown>> {
  const ws = tempDir('bench-res-ws');
  writeService(path.join(ws, 'bench-db'));
  const args = ['--state-dir', tempDir('bench-res-state'), '--workspace', ws, '--idle-timeout', '0', '--port-base', String(46000 + Math.floor(Math.random() * 10) * 100)];
  let s = await serve(args, {}, cli);
  try {
    const first = await deployTimed(s);
    const db = pids((_p, env) => env.includes('PAVED_RESOURCE_ID=bench-db.local.db'));
    const dbMem = memory(db[0]);
    const platform = memory(s.pid);
    await s.stop();
    s = await serve(args, {}, cli);
    const again = await deployTimed(s);
    const dbAgain = memory(pids((_p, env) => env.includes('PAVED_RESOURCE_ID=bench-db.local.db'))[0]);
    return {
      engine: 'PGlite 0.5.14 (PostgreSQL 18, WASM), one process',
      'deploy request → claim ready, first start with initdb (ms)': first.readyMs,
      'deploy request → healthy, first (ms)': first.deployMs,
      'deploy request → claim ready, after a platform restart (ms)': again.readyMs,
      'resource process RSS / PSS after first start (MB)': `${dbMem.rss} / ${dbMem.pss}`,
      'resource process RSS / PSS after restart (MB)': `${dbAgain.rss} / ${dbAgain.pss}`,
      'paved serve RSS / PSS (MB)': `${platform.rss} / ${platform.pss}`,
    };
  } finally {
    await s.stop();
  }
}

function systemBin(name: string): string | undefined {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  for (const v of fs.readdirSync(root).sort().reverse()) if (fs.existsSync(path.join(root, v, 'bin', name))) return path.join(root, v, 'bin', name);
  return undefined;
}

async function firstQuery(url: string, deadlineMs: number): Promise<void> {
  for (;;) {
    const c = new Client({ connectionString: url });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (performance.now() > deadlineMs) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The peer: the system PostgreSQL server, as the `postgres` user when running as root (it refuses root). */
async function systemPostgres(): Promise<Record<string, unknown>> {
  const initdb = systemBin('initdb');
  const postgres = systemBin('postgres');
  if (!initdb || !postgres) return { engine: 'system PostgreSQL', skipped: 'no initdb/postgres binary (apt-get install postgresql)' };
  const version = spawnSync(postgres, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }) : undefined;
  const ids = asRoot ? { uid: Number(user?.stdout.trim()), gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()) } : {};
  if (asRoot && !Number.isFinite(ids.uid)) return { engine: version, skipped: 'running as root and there is no postgres user to run the server as' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-bench-pg-'));
  const data = path.join(dir, 'data');
  const password = 'bench-only-password';
  fs.writeFileSync(path.join(dir, 'pw'), password);
  if (asRoot) spawnSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dir]);
  const port = 47500 + Math.floor(Math.random() * 400);
  const t0 = performance.now();
  const init = spawnSync(initdb, ['-D', data, '-U', 'postgres', '--auth-host=scram-sha-256', '--auth-local=trust', `--pwfile=${path.join(dir, 'pw')}`, '-E', 'UTF8', '--no-sync'], { ...ids, encoding: 'utf8' });
  if (init.status !== 0) return { engine: version, skipped: `initdb failed: ${init.stderr.trim().split('\n').pop()}` };
  const start = () => spawn(postgres, ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dir], { ...ids, detached: true, stdio: 'ignore' });
  const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
  let proc = start();
  try {
    await firstQuery(url, performance.now() + 60_000);
    const firstMs = Math.round(performance.now() - t0);
    // The postmaster's children each lead a process group of their own (PostgreSQL calls setsid in every child).
    const group = pids((pid, _e, _g, ppid) => pid === proc.pid || ppid === proc.pid);
    const mem = group.map(memory);
    const main = memory(proc.pid as number);
    process.kill(proc.pid as number, 'SIGINT');
    await new Promise((r) => proc.once('exit', r));
    const t1 = performance.now();
    proc = start();
    await firstQuery(url, performance.now() + 60_000);
    return {
      engine: `${version}, ${group.length} processes`,
      'initdb + start → first query (ms)': firstMs,
      'restart → first query (ms)': Math.round(performance.now() - t1),
      'postmaster RSS / PSS (MB)': `${main.rss} / ${main.pss}`,
      'all its processes, RSS sum / PSS sum (MB)': `${mem.reduce((a, m) => a + m.rss, 0)} / ${mem.reduce((a, m) => a + m.pss, 0)}`,
    };
  } finally {
    try {
      process.kill(-(proc.pid as number), 'SIGINT');
      await new Promise((r) => proc.once('exit', r));
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(`paved serve from ${cli ?? 'sources (tsx); run npm run build to measure dist/cli.js'}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(JSON.stringify(await pglite()));
  console.log(JSON.stringify(await systemPostgres()));
}

if (require.main === module) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
