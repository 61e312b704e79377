/**
 * Benchmark of day two on `paved serve` (not a test):
 * - log follow throughput: a running service writes a burst of lines; lines/s delivered to an SSE client following
 *   `GET …/logs?follow=true`, against `tail -F` of the same log file piped into a line counter (the peer, same burst);
 * - the platform's CPU while it probes 50 running services every second (and with none running, as the baseline).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Deployment } from '../../src/core/api/types';
import { call, followDeployment, serve, tempDir, type Served } from '../contract/helpers';
import { openSse, writeOpsService } from '../contract/opsService';

const builtCli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const cli = fs.existsSync(builtCli) && fs.existsSync(path.join(path.dirname(builtCli), 'golden-paths')) ? builtCli : undefined;
const BURST = 100_000;
const SERVICES = 50;
const WINDOW_MS = 20_000;

async function deploy(s: Served, name: string, root: string): Promise<Deployment> {
  const dir = path.join(root, name);
  writeOpsService(dir, name, { intervalSeconds: 1, failureThreshold: 3 });
  const yaml = await import('yaml');
  await call(s, 'POST', '/v1/services', { body: { manifest: yaml.parse(fs.readFileSync(path.join(dir, 'paved.yaml'), 'utf8')), sourceDir: dir } });
  const d = await call<Deployment>(s, 'POST', `/v1/services/${name}/deployments`, { body: { environment: 'local' } });
  const { deployment } = await followDeployment(s, d.body.id);
  if (deployment.state !== 'succeeded') throw new Error(`${name}: deployment ended ${deployment.state}: ${deployment.error}`);
  return deployment;
}

/** The newest log file of a service's running release. */
function currentLogFile(s: Served, service: string): string {
  const dir = path.join(s.stateDir, 'logs', service, 'local');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => path.join(dir, f));
  return files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/** `tail -F FILE` into a counter: resolves with the ms from `t0` until the line ending in `last` was read. */
function tailUntil(file: string, last: string): { ready: Promise<void>; done: Promise<{ ms: number; lines: number }>; start(t0: number): void; stop(): void } {
  const child = spawn('tail', ['-n', '0', '-F', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  let t0 = 0;
  let lines = 0;
  let rest = '';
  const done = new Promise<{ ms: number; lines: number }>((resolve) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const text = rest + chunk;
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      lines += parts.length;
      if (parts.some((p) => p.endsWith(last))) resolve({ ms: performance.now() - t0, lines });
    });
  });
  // tail opens the file at once; give it a moment to be reading before the burst (it prints nothing until then).
  const ready = new Promise<void>((r) => setTimeout(r, 500));
  return { ready, done, start: (t) => (t0 = t), stop: () => child.kill() };
}

async function logThroughput(): Promise<Record<string, number | string>> {
  const s = await serve(['--state-dir', tempDir('bench-ops-logs'), '--idle-timeout', '0'], {}, cli);
  try {
    const d = await deploy(s, 'burst', tempDir('bench-ops-src'));
    const last = `line ${BURST}`;
    const sse = await openSse(`${s.url}/v1/services/burst/environments/local/logs?follow=true&tail=0`, s.token);
    const tail = tailUntil(currentLogFile(s, 'burst'), last);
    await tail.ready;
    const t0 = performance.now();
    tail.start(t0);
    const burst = fetch(`${d.url}/burst?n=${BURST}&tag=line`);
    let delivered = 0;
    let sseMs = 0;
    for (;;) {
      const e = await sse.next();
      if (e.event !== 'line' && e.data?.text === undefined) continue;
      if (typeof e.data?.text === 'string' && e.data.text.startsWith('line ')) delivered++;
      if (e.data?.text === last) {
        sseMs = performance.now() - t0;
        break;
      }
    }
    sse.close();
    await burst;
    const peer = await tail.done;
    tail.stop();
    return {
      'lines in the burst': BURST,
      'SSE follow: lines delivered': delivered,
      'SSE follow: ms to the last line': Math.round(sseMs),
      'SSE follow: lines/s': Math.round(delivered / (sseMs / 1000)),
      'peer tail -F of the log file: ms to the last line': Math.round(peer.ms),
      'peer tail -F: lines/s': Math.round(BURST / (peer.ms / 1000)),
    };
  } finally {
    await s.stop();
  }
}

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] utime, fields[12] stime (after pid and comm), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function cpuOver(pid: number, ms: number): Promise<number> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return ((cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000)) * 100;
}

async function probingCpu(): Promise<Record<string, number | string>> {
  const s = await serve(['--state-dir', tempDir('bench-ops-probe'), '--idle-timeout', '0'], {}, cli);
  try {
    const idle = await cpuOver(s.pid, WINDOW_MS / 2);
    const root = tempDir('bench-ops-50');
    const names = Array.from({ length: SERVICES }, (_, i) => `probed-${String(i).padStart(2, '0')}`);
    for (let i = 0; i < names.length; i += 5) await Promise.all(names.slice(i, i + 5).map((n) => deploy(s, n, root)));
    // Let the deployments' own work settle, then measure a window of probing only.
    await new Promise((r) => setTimeout(r, 3000));
    const probes0 = await probeCount(s);
    const busy = await cpuOver(s.pid, WINDOW_MS);
    const probes = (await probeCount(s)) - probes0;
    const health = await call<{ items: { state: string }[] }>(s, 'GET', '/v1/service-health');
    return {
      'running services': SERVICES,
      'probe interval (s)': 1,
      'healthy at the end': health.body.items.filter((i) => i.state === 'healthy').length,
      'probes in the window': probes,
      'platform CPU while probing (% of one core)': +busy.toFixed(1),
      'platform CPU, nothing running (% of one core)': +idle.toFixed(1),
      'CPU per probe (µs)': probes ? Math.round((((busy - idle) / 100) * (WINDOW_MS / 1000) * 1e6) / probes) : 'n/a',
    };
  } finally {
    await s.stop();
  }
}

/** Probes recorded so far across the services (from the probe history of each). */
async function probeCount(s: Served): Promise<number> {
  const list = await call<{ items: { service: string; environment: string }[] }>(s, 'GET', '/v1/service-health');
  let total = 0;
  for (const i of list.body.items) {
    const h = await call<{ buckets: { probes: number }[] }>(s, 'GET', `/v1/services/${i.service}/environments/${i.environment}/health?hours=1`);
    total += h.body.buckets.reduce((n, b) => n + b.probes, 0);
  }
  return total;
}

export async function run(): Promise<void> {
  console.table([await logThroughput()]);
  console.table([await probingCpu()]);
}
