/**
 * Benchmark of a golden-path upgrade for a service of 200 files (not a test): the three-way plan alone (in process),
 * plan and apply through the real flow against `paved serve` (both versions rendered by the platform, the files read,
 * merged and written all or nothing), and in the same run the peer Copier uses for each file: `git merge-file` over
 * the same 200 file triples (one process per file, as Copier runs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { answersFileText, planUpgrade, renderFiles, type CurrentFile, type RenderedFile, type TemplateFile } from '../../src/core/templates';
import { PavedApiBackend } from '../../src/platform/paved/backend';
import { applyGoldenPathUpgrade, planGoldenPathUpgrade, type PlannedUpgrade } from '../../src/platform/selfService';
import { serve, tempDir } from '../contract/helpers';

const FILES = 200;
const LINES = 80;
const labels = { current: 'yours', base: 'bench 1.0.0', theirs: 'bench 1.1.0' };

const body = (i: number, change: (line: number) => string | undefined) =>
  Array.from({ length: LINES }, (_, l) => change(l) ?? `// file ${i} line ${l}: const value${l} = compute(${l}, '{{name}}');`).join('\n') + '\n';

/** Version 1.0.0 and 1.1.0 of a 200-file template: 1.1.0 changes a third of the files near their end, adds 5 and drops 5. */
function templateVersions(): { v1: TemplateFile[]; v2: TemplateFile[] } {
  const v1: TemplateFile[] = [];
  const v2: TemplateFile[] = [];
  for (let i = 0; i < FILES; i++) {
    const p = `src/module-${String(i).padStart(3, '0')}.js`;
    v1.push({ path: p, content: body(i, () => undefined), mode: 0o644 });
    if (i >= FILES - 5) continue; // removed in 1.1.0
    v2.push({ path: p, content: i % 3 === 0 ? body(i, (l) => (l === 70 ? `// changed by the golden path in 1.1.0 (${i})` : undefined)) : body(i, () => undefined), mode: 0o644 });
  }
  for (let i = 0; i < 5; i++) v2.push({ path: `lib/new-${i}.js`, content: body(1000 + i, () => undefined), mode: 0o644 });
  return { v1, v2 };
}

/** The owner's edits: a quarter of the files near their start, and 10 files on the very line 1.1.0 changes (conflicts). */
function ownersEdit(i: number, text: string): string {
  const lines = text.split('\n');
  if (i % 4 === 0) lines[5] = `// the owner's change to file ${i}`;
  if (i % 3 === 0 && i < 30) lines[70] = `// the owner changed this line too (${i})`;
  return lines.join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function writeTemplate(root: string, version: string, files: TemplateFile[]): void {
  const dir = path.join(root, 'bench', version);
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'template.yaml'), `id: bench\ntitle: Bench\ndescription: 200 files\nowner: team-platform\nversion: ${version}\nparameters:\n  type: object\n  required: [name, owner]\n  properties:\n    name: { type: string }\n    owner: { type: string }\n`);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, 'files', f.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'files', f.path), f.content);
  }
}

/** A service as scaffolded from 1.0.0 with the owner's edits and its answers file. */
function writeService(folder: string, base: RenderedFile[]): void {
  for (const [i, f] of base.entries()) {
    fs.mkdirSync(path.dirname(path.join(folder, f.path)), { recursive: true });
    fs.writeFileSync(path.join(folder, f.path), ownersEdit(i, f.content), { mode: f.mode });
  }
  fs.mkdirSync(path.join(folder, '.paved'), { recursive: true });
  fs.writeFileSync(path.join(folder, '.paved', 'golden-path.yaml'), answersFileText({ template: 'bench', version: '1.0.0', values: { name: 'svc', owner: 'team-a' } }, {}));
}

export async function run(): Promise<void> {
  const values = { name: 'svc', owner: 'team-a' };
  const { v1, v2 } = templateVersions();
  const base = renderFiles(v1, values);
  const theirs = renderFiles(v2, values);
  const current = new Map<string, CurrentFile>(base.map((f, i) => [f.path, { content: Buffer.from(ownersEdit(i, f.content)), mode: f.mode }]));

  // 1. The plan alone: 200 three-way merges in process.
  const planMs: number[] = [];
  let counts = '';
  for (let r = 0; r < 15; r++) {
    const t = performance.now();
    const plan = planUpgrade({ base, theirs, current, labels });
    planMs.push(performance.now() - t);
    counts = Object.entries(plan.counts).map(([k, v]) => `${v} ${k}`).join(', ') + `, ${plan.unchanged} unchanged`;
  }
  console.log(`  plan (in process), ${FILES} files: median ${median(planMs).toFixed(1)} ms, best ${Math.min(...planMs).toFixed(1)} ms (${counts})`);

  // 2. The peer: git merge-file on the same triples, one process per file (what Copier runs per file).
  const peerDir = tempDir('bench-merge-file');
  try {
    const triples = base.map((b, i) => {
      const t = theirs.find((x) => x.path === b.path);
      const d = path.join(peerDir, String(i));
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'ours'), ownersEdit(i, b.content));
      fs.writeFileSync(path.join(d, 'base'), b.content);
      fs.writeFileSync(path.join(d, 'theirs'), t ? t.content : '');
      return d;
    });
    const peerMs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      for (const d of triples) spawnSync('git', ['merge-file', '-p', '--diff3', '-L', 'yours', '-L', 'bench 1.0.0', '-L', 'bench 1.1.0', path.join(d, 'ours'), path.join(d, 'base'), path.join(d, 'theirs')], { encoding: 'utf8' });
      peerMs.push(performance.now() - t);
    }
    console.log(`  peer: git merge-file --diff3, ${FILES} triples, one process each (${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim()}): median ${median(peerMs).toFixed(0)} ms, best ${Math.min(...peerMs).toFixed(0)} ms`);
  } finally {
    fs.rmSync(peerDir, { recursive: true, force: true });
  }

  // 3. Plan and apply through the flow against a real paved serve (renders over loopback, reads, merges, writes).
  const templates = tempDir('bench-upgrade-templates');
  const stateDir = tempDir('bench-upgrade-state');
  writeTemplate(templates, '1.0.0', v1);
  writeTemplate(templates, '1.1.0', v2);
  const s = await serve(['--state-dir', stateDir, '--templates', templates, '--idle-timeout', '0']);
  const backend = new PavedApiBackend({ kind: 'local', baseUrl: s.url, token: async () => s.token, timeoutMs: 60_000 });
  const work = tempDir('bench-upgrade-work');
  try {
    const flowPlan: number[] = [];
    const flowApply: number[] = [];
    for (let r = 0; r < 5; r++) {
      const folder = path.join(work, `svc-${r}`);
      writeService(folder, base);
      const ctx = { backend, prompts: { askValues: async () => ({}) } };
      const t0 = performance.now();
      const planned = (await planGoldenPathUpgrade(ctx, { folder })) as PlannedUpgrade;
      const t1 = performance.now();
      const applied = await applyGoldenPathUpgrade(ctx, planned);
      const t2 = performance.now();
      if (applied.conflicted.length !== 10) throw new Error(`expected 10 conflicted files, got ${applied.conflicted.length}`);
      flowPlan.push(t1 - t0);
      flowApply.push(t2 - t1);
    }
    console.log(`  paved serve flow, ${FILES} files: plan (2 renders + read + merge) median ${median(flowPlan).toFixed(0)} ms, best ${Math.min(...flowPlan).toFixed(0)} ms; apply (all or nothing) median ${median(flowApply).toFixed(0)} ms, best ${Math.min(...flowApply).toFixed(0)} ms`);
  } finally {
    backend.dispose();
    await s.stop();
    for (const d of [templates, stateDir, work]) fs.rmSync(d, { recursive: true, force: true });
  }
}
