/**
 * Manifest lint benchmark (not a test: it prints figures, it asserts nothing).
 *  - p50/p95 of `lint()` on generated paved.yaml files of 1k and 10k lines;
 *  - the same file validated by yaml-language-server (`doValidation`, same schema, a new document version per call);
 *  - a bare `yaml` parseDocument of the same text (what most YAML tooling starts with);
 *  - `paved lint` (the bundled CLI) over 1,000 files as one process, wall time (a bench of its own, `runCli`:
 *    `npm run bench -- "paved lint"` runs only it).
 * Targets (issue 3): p95 ≤ 8 ms at 1k lines, ≤ 60 ms at 10k; paved lint over 1,000 files ≤ 400 ms.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { lint } from '../../src/core/manifest/index';
import pavedSchema from '../../schemas/paved.v1.schema.json';
import { ensurePeers, peersDir } from '../harness/peers';

const ROOT = path.resolve(__dirname, '..', '..');

/** A paved.yaml of about `lines` lines: the issue's example with a long env map, SLO list and dependencies. */
export function generateManifest(lines: number, seed = 0): string {
  const head = `# generated for the benchmark
apiVersion: paved.dev/v1
kind: Service
metadata:
  name: svc-${seed}
  title: Service ${seed}
  description: Takes card payments for checkout.
  owner: team-payments
  system: checkout
  lifecycle: production
  tags: [typescript, http]
  links:
    - { title: Runbook, url: "https://wiki.example.com/payments/runbook", type: runbook }
  goldenPath: { template: node-http-service, version: 1.2.0 }
spec:
  runtime: { name: node, version: "20" }
  image: registry.example.com/svc-${seed}:1.4.${seed % 10}
  build: { command: npm ci && npm run build }
  run: { command: node dist/server.js, port: 8080 }
  health: { path: /healthz }
  resources: { cpu: 500m, memory: 512Mi }
  replicas: { min: 2, max: 6 }
  oncall: { schedule: payments-primary }
  environments:
    production: { replicas: { min: 3, max: 10 }, approval: required }
  secrets:
    DB_PASSWORD: { ref: "vault://payments/db#password" }
`;
  const out: string[] = [head];
  let n = head.split('\n').length;
  const budget = Math.max(0, lines - n - 4);
  const sloLines = Math.floor(budget * 0.35);
  const depLines = Math.floor(budget * 0.1);
  out.push('  slos:\n    - { name: availability, objective: 99.9, window: 30d }\n');
  for (let i = 0; i < sloLines / 4 - 1; i++, n += 4) {
    out.push(`    # objective ${i}\n    - name: slo-${i}\n      objective: 99.${i % 10}\n      window: ${1 + (i % 30)}d\n`);
  }
  out.push('  dependsOn:\n    - resource:payments-db\n');
  for (let i = 0; i < depLines - 1; i++, n++) out.push(`    - service:dep-${i}\n`);
  out.push('  env:\n');
  for (let i = 0; n < lines - 1; i++, n++) out.push(`    VAR_${i}: "value-${i}"\n`);
  return out.join('');
}

interface Stats {
  p50: number;
  p95: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { p50: at(0.5), p95: at(0.95) };
}

/** p50 / p95 of `runs` timed calls after `warmup` untimed ones (the secrets bench uses it too). */
export async function time(fn: () => unknown, warmup: number, runs: number): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

export const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

// yaml-language-server is ESM-only; keep the dynamic import from being compiled to require() (which cannot load ESM
// on Node 20).
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fixed string, not data
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<any>;

async function yamlLanguageServer(): Promise<((text: string) => Promise<unknown>) | string> {
  try {
    // A development-only peer kept out of the root install (it wants Node >= 22.13): installed on demand in test/peers.
    ensurePeers();
    const yls = await importEsm(path.join(peersDir, 'node_modules/yaml-language-server/out/src/index.js'));
    const td = await importEsm(path.join(peersDir, 'node_modules/vscode-languageserver-textdocument/lib/esm/main.js'));
    const ls = yls.getLanguageService({
      schemaRequestService: async () => JSON.stringify(pavedSchema),
      workspaceContext: { resolveRelativePath: (r: string, res: string) => new URL(r, res).toString() },
    });
    ls.configure({ validate: true, completion: true, hover: true, schemas: [{ uri: 'file:///schemas/paved.v1.schema.json', fileMatch: ['*paved.yaml'], schema: pavedSchema }] });
    let version = 0;
    return async (text: string) => ls.doValidation(td.TextDocument.create('file:///bench/paved.yaml', 'yaml', ++version, text), false);
  } catch (err) {
    return `yaml-language-server could not run on Node ${process.version}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

interface CliTimes {
  medianMs: number;
  minMs: number;
  runs: number[];
  nodeStartMs: number;
  cliStartMs: number;
  findings: string;
}

/** Runs of the whole process, interleaved with the start-up baselines so that load changes hit all three alike. */
const CLI_RUNS = 10;

function cliWallTime(files: number): CliTimes {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-bench-'));
  try {
    const cli = path.join(dir, 'cli.js');
    // The package's own CLI build (dist/cli.js + dist/lint.js), minified as in the VSIX, into the temporary folder.
    const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build:cli', '--', '--minify', `--outdir=${dir}`], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0 || !fs.existsSync(cli)) throw new Error(`npm run build:cli failed: ${build.stderr}`);
    for (let i = 0; i < files; i++) {
      const d = path.join(dir, 'repo', `svc-${i}`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, 'paved.yaml'), generateManifest(40 + (i % 30), i));
    }
    // No platform: a state dir nothing runs in (a running local platform would add its two requests).
    const env = { ...process.env, PAVED_STATE_DIR: path.join(dir, 'no-platform'), PAVED_URL: '', PAVED_BACKEND: '' };
    const wall = (args: string[]) => {
      const t = performance.now();
      const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env });
      return { ms: performance.now() - t, r };
    };
    wall([cli, 'lint', 'repo']); // warms the file system cache
    const runs: number[] = [];
    const starts: number[] = [];
    const cliStarts: number[] = [];
    let last = '';
    for (let i = 0; i < CLI_RUNS; i++) {
      const { ms, r } = wall([cli, 'lint', 'repo']);
      if (r.status !== 0) throw new Error(`paved lint exited ${String(r.status)}: ${r.stderr}`);
      runs.push(ms);
      last = r.stdout.trim().split('\n').pop() ?? '';
      starts.push(wall(['-e', '0']).ms);
      cliStarts.push(wall([cli, '--version']).ms);
    }
    return { medianMs: stats(runs).p50, minMs: Math.min(...runs), runs, nodeStartMs: stats(starts).p50, cliStartMs: stats(cliStarts).p50, findings: last };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`manifest lint benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  const yls = await yamlLanguageServer();
  if (typeof yls === 'string') out(yls);
  out('| lines | bytes | Paved p50 / p95 (ms) | yaml-language-server p50 / p95 | YLS ÷ Paved (p95) | yaml parseDocument p50 / p95 | Paved ÷ parseDocument (p50) |');
  out('|---|---|---|---|---|---|---|');
  for (const [lines, runs] of [
    [1000, 60],
    [10000, 30],
  ] as const) {
    const text = generateManifest(lines);
    const findings = lint(text, 'paved.yaml').findings;
    if (findings.length > 0) out(`  (the generated file has ${findings.length} findings: ${findings[0].message})`);
    const paved = await time(() => lint(text, 'paved.yaml'), 10, runs);
    const bare = await time(() => parseDocument(text), 5, runs);
    const ylsStats = typeof yls === 'string' ? undefined : await time(() => yls(text), 5, runs);
    out(
      `| ${text.split('\n').length - 1} | ${text.length} | ${fmt(paved.p50)} / ${fmt(paved.p95)} | ${ylsStats ? `${fmt(ylsStats.p50)} / ${fmt(ylsStats.p95)}` : 'n/a'} | ${ylsStats ? `${(ylsStats.p95 / paved.p95).toFixed(1)}×` : 'n/a'} | ${fmt(bare.p50)} / ${fmt(bare.p95)} | ${(paved.p50 / bare.p50).toFixed(2)} |`,
    );
  }
}

/** `paved lint` over 1,000 generated manifests, as a whole process (node start-up included). */
export async function runCli(): Promise<void> {
  const out = (s: string) => process.stdout.write(s + '\n');
  const before = os.loadavg()[0];
  const cli = cliWallTime(1000);
  out(
    `paved lint over 1,000 files (one process, bundled CLI): ${fmt(cli.medianMs)} ms wall (median of ${CLI_RUNS}; best ${fmt(cli.minMs)}; all ${cli.runs.map((r) => r.toFixed(0)).join(' ')}); for comparison \`node -e 0\` ${fmt(cli.nodeStartMs)} ms, \`paved --version\` (start-up + the dispatcher, dist/cli.js) ${fmt(cli.cliStartMs)} ms; "${cli.findings}"; Node ${process.version}, ${os.cpus().length} CPUs, load ${before.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`,
  );
}
