/**
 * `npm test`: every stage in order, then one closing summary line. Static checks and the build stop the run when
 * they fail (nothing after them would mean anything); the test stages all run so one failure does not hide another.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, testResultsDir } from './paths';
import type { StageTotals } from './summary';

interface Stage {
  script: string;
  summary?: string;
  gate?: boolean;
}

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const stages: Stage[] = [
  { script: 'typecheck', gate: true },
  { script: 'lint', gate: true },
  { script: 'build', gate: true },
  { script: 'test:unit', summary: 'unit' },
  { script: 'test:contract', summary: 'contract' },
  { script: 'test:cli', summary: 'cli' },
  { script: 'test:integration', summary: 'integration' },
  { script: 'test:e2e', summary: 'e2e' },
].filter((s) => pkg.scripts[s.script]);

for (const f of fs.existsSync(testResultsDir) ? fs.readdirSync(testResultsDir) : []) {
  if (f.startsWith('summary-')) fs.rmSync(path.join(testResultsDir, f));
}

// One id for this run: a stage that cannot install code-server records why under it, and every later stage of the same
// run fails at once with that reason instead of repeating the install (test/harness/codeServerInstall.ts).
process.env.PAVED_RUN_ID ??= `${Date.now()}-${process.pid}`;

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const results: { stage: Stage; ok: boolean; seconds: number; totals?: StageTotals }[] = [];
for (const stage of stages) {
  process.stdout.write(`\n━━ ${stage.script} ━━\n`);
  const started = Date.now();
  const res = spawnSync(npm, ['run', '--silent', stage.script], { cwd: repoRoot, stdio: 'inherit' });
  const ok = res.status === 0;
  const file = stage.summary && path.join(testResultsDir, `summary-${stage.summary}.json`);
  const totals = file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as StageTotals) : undefined;
  results.push({ stage, ok, seconds: (Date.now() - started) / 1000, totals });
  if (!ok && stage.gate) break;
}

process.stdout.write('\n━━ summary ━━\n');
let passed = 0;
let failed = 0;
for (const r of results) {
  const counts = r.totals ? ` ${r.totals.passes} passed, ${r.totals.failures} failed` : '';
  process.stdout.write(`${r.ok ? '✔' : '✘'} ${r.stage.script.padEnd(18)}${r.seconds.toFixed(1).padStart(7)} s${counts}\n`);
  if (r.totals) {
    passed += r.totals.passes;
    failed += r.totals.failures;
  }
  // A stage that failed without recording a failing test (crash, no test ran, a static check) still counts.
  if (!r.ok && (!r.totals || r.totals.failures === 0)) failed += 1;
}
const skipped = stages.length - results.length;
if (skipped > 0) process.stdout.write(`(${skipped} stage(s) not run after a failed gate)\n`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || skipped > 0 || passed === 0 ? 1 : 0);
