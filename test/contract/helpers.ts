/**
 * Contract-test harness: runs `paved serve` as a real child process on loopback and talks to it with fetch. Every
 * response is checked against schemas/platform-api.yaml.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SERVE_NODE_OPTIONS } from '../../src/platform/local';
import { Contract } from '../../src/server/openapi';
import type { DeploymentEvent, DeploymentEventsPage, Deployment, ScaffoldTask, TaskEventsPage } from '../../src/core/api/types';

export const repoRoot = path.resolve(__dirname, '..', '..');
const contract = new Contract(path.join(repoRoot, 'schemas', 'platform-api.yaml'));

export interface Served {
  url: string;
  token: string;
  readOnlyToken: string;
  stateDir: string;
  pid: number;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL the server process only (services it started keep running until the next start reaps them). */
  kill9(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `paved-${prefix}-`));
}

/** A port base no other suite in this run uses (each environment needs 1000 ports). */
export function portBase(): number {
  return 44000 + Math.floor(Math.random() * 6) * 3000;
}

/**
 * Starts `paved serve --json ARGS`. From source (tsx) by default; `cli` runs a built bundle instead (the benchmark uses
 * dist/cli.js, which is what the extension starts).
 */
export async function serve(args: string[], env: NodeJS.ProcessEnv = {}, cli?: string): Promise<Served> {
  const stateIdx = args.indexOf('--state-dir');
  assert.ok(stateIdx >= 0, 'tests always pass --state-dir');
  const stateDir = args[stateIdx + 1];
  const entry = cli ? [cli] : ['--require', 'tsx/cjs', path.join(repoRoot, 'src', 'cli', 'main.ts')];
  // With the Node options the extension starts it with.
  const proc = spawn(process.execPath, [...SERVE_NODE_OPTIONS, ...entry, 'serve', '--json', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    proc.once('exit', (code) => reject(new Error(`paved serve exited (${code}) before listening:\n${err}`)));
  });
  const info = JSON.parse(line) as { url: string; pid: number; tokenFile: string; readOnlyTokenFile: string };
  return {
    url: info.url,
    pid: info.pid,
    token: fs.readFileSync(info.tokenFile, 'utf8').trim(),
    readOnlyToken: fs.readFileSync(info.readOnlyTokenFile, 'utf8').trim(),
    stateDir,
    proc,
    stderr: () => err,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  contentType: string;
}

/** Calls the API with the platform token (unless `token` is given, '' for none) and checks the response shape. */
export async function call<T = any>(
  s: Served,
  method: string,
  urlPath: string,
  opts: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string>; contentType?: string } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token ?? s.token;
  if (token !== '') headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined || opts.body !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json';
    body = opts.rawBody ?? JSON.stringify(opts.body);
  }
  const res = await fetch(`${s.url}${urlPath}`, { method, headers, body });
  const contentType = res.headers.get('content-type') ?? '';
  const text = await res.text();
  const parsed = text === '' ? undefined : contentType.includes('json') ? JSON.parse(text) : text;
  const pathname = urlPath.split('?')[0];
  const m = contract.match(method, pathname);
  if (m && !('allowed' in m) && res.status !== 405 && res.status !== 413 && res.status !== 415) {
    const problems = contract.checkResponse(m.op.operationId, res.status, contentType, parsed);
    assert.deepEqual(problems, [], `${method} ${urlPath} → ${res.status} does not match the contract: ${problems.join('; ')}\n${text.slice(0, 500)}`);
  }
  if (res.status >= 400) assert.equal(contentType, 'application/problem+json', `${method} ${urlPath} → ${res.status} must be a problem document`);
  return { status: res.status, headers: res.headers, body: parsed as T, contentType };
}

/** Creates a scaffold task (of `version`, when given), follows its events to the end and returns the finished task. */
export async function scaffoldTask(s: Served, templateId: string, values: Record<string, unknown>, version?: string): Promise<ScaffoldTask> {
  const c = await call<ScaffoldTask>(s, 'POST', '/v1/scaffold-tasks', { body: { templateId, ...(version ? { version } : {}), values } });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  let after = 0;
  for (;;) {
    const ev = await call<TaskEventsPage>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}/events?after=${after}&wait=10`);
    after = ev.body.lastSeq;
    if (ev.body.done) break;
  }
  return (await call<ScaffoldTask>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}`)).body;
}

/** Follows a deployment's events with the JSON long-poll until it is done; returns every event. */
export async function followDeployment(s: Served, id: string, after = 0): Promise<{ events: DeploymentEvent[]; deployment: Deployment }> {
  const events: DeploymentEvent[] = [];
  let cursor = after;
  for (;;) {
    const r = await call<DeploymentEventsPage>(s, 'GET', `/v1/deployments/${id}/events?after=${cursor}&wait=20`);
    assert.equal(r.status, 200);
    events.push(...r.body.items);
    cursor = r.body.lastSeq;
    if (r.body.done) break;
  }
  const d = await call<Deployment>(s, 'GET', `/v1/deployments/${id}`);
  return { events, deployment: d.body };
}

/** Waits (long-poll) until the deployment has an event matching `pred`. */
export async function waitForEvent(s: Served, id: string, pred: (e: DeploymentEvent) => boolean): Promise<DeploymentEvent> {
  let cursor = 0;
  for (;;) {
    const r = await call<DeploymentEventsPage>(s, 'GET', `/v1/deployments/${id}/events?after=${cursor}&wait=20`);
    const hit = r.body.items.find(pred);
    if (hit) return hit;
    assert.equal(r.body.done, false, `deployment ${id} ended without the awaited event`);
    cursor = r.body.lastSeq;
  }
}

/** A small service: `node build.js` writes dist/server.js; /healthz answers HEALTH (200 by default). */
export function writeService(
  dir: string,
  name: string,
  opts: { owner?: string; health?: number; approval?: boolean; lifecycle?: string; dependsOn?: string[]; system?: string; extraBuild?: string; productionReady?: boolean; extraSpec?: string[] } = {},
): void {
  fs.mkdirSync(dir, { recursive: true });
  const manifest = [
    'apiVersion: paved.dev/v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    `  title: ${name} service`,
    `  owner: ${opts.owner ?? 'team-a'}`,
    ...(opts.system ? [`  system: ${opts.system}`] : []),
    `  lifecycle: ${opts.lifecycle ?? 'experimental'}`,
    '  tags: [test]',
    // What the platform's default production policies ask for (it refuses a production service without them).
    ...(opts.productionReady ? ['  links:', '    - { title: Runbook, url: "https://wiki.example.com/runbook", type: runbook }'] : []),
    'spec:',
    `  build: { command: ${opts.extraBuild ?? 'node build.js'} }`,
    '  run: { command: node dist/server.js, port: 8080 }',
    '  health: { path: /healthz }',
    '  env: { GREETING: hello }',
    ...(opts.dependsOn ? [`  dependsOn: [${opts.dependsOn.join(', ')}]`] : []),
    ...(opts.productionReady ? ['  resources: { cpu: 250m, memory: 128Mi }', '  replicas: { min: 2 }', '  oncall: { schedule: shop-primary }', '  slos:', '    - { name: availability, objective: 99.9, window: 30d }'] : []),
    ...(opts.extraSpec ?? []),
    ...(opts.approval ? ['  environments:', '    production: { approval: required, env: { GREETING: prod } }'] : []),
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'paved.yaml'), manifest + '\n');
  fs.writeFileSync(
    path.join(dir, 'build.js'),
    `const fs = require('fs'); fs.mkdirSync('dist', { recursive: true }); fs.copyFileSync('server.js', 'dist/server.js'); console.log('build of ${name} ok');\n`,
  );
  writeServer(dir, opts.health ?? 200);
}

export function writeServer(dir: string, health: number, version = 'v1'): void {
  fs.writeFileSync(
    path.join(dir, 'server.js'),
    `const http = require('http');
const port = Number(process.env.PORT);
http.createServer((req, res) => {
  if (req.url === '/healthz') { res.writeHead(${health}); res.end('${health === 200 ? 'ok' : 'broken'}'); return; }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ version: '${version}', greeting: process.env.GREETING, env: process.env.PAVED_ENVIRONMENT }));
}).listen(port, '127.0.0.1', () => console.log('listening on ' + port + ' version ${version}'));
process.on('SIGTERM', () => process.exit(0));
`,
  );
}

/** Whether the process exists and is not a zombie (an exited child its new parent has not reaped yet). */
export function pidAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    // ESRCH: the file was opened while the process was being reaped.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return false;
    throw err;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}

export async function answers(url: string): Promise<number | 'refused'> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return r.status;
  } catch (err) {
    if (err instanceof Error) return 'refused';
    throw err;
  }
}
