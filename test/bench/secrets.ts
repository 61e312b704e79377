/**
 * Secret scanner benchmark (prints, asserts nothing): Paved's scanner (secretlint's recommended preset run rule by rule,
 * plus its own detectors and the high-entropy pass) against secretlint's own engine (`@secretlint/core` lintSource with
 * the same preset, the peer) on the lint benchmark's generated manifests, and the preset's rules alone.
 */
import * as os from 'node:os';
import { lintSource } from '@secretlint/core';
import { creator as preset } from '@secretlint/secretlint-rule-preset-recommend';
import { scanSecrets } from '../../src/core/secrets/index';
import { runSecretlint } from '../../src/core/secrets/secretlint';
import { generateManifest } from './lint';

function stats(samples: number[]): { p50: number; p95: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { p50: at(0.5), p95: at(0.95) };
}

async function time(fn: () => unknown, warmup: number, runs: number): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export async function run(): Promise<void> {
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`secret scanner benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  const config = { rules: [{ id: preset.meta.id, rule: preset, options: {} }] };
  out('| manifest | bytes | Paved scanSecrets p50 / p95 (ms) | preset rules alone p50 / p95 | secretlint engine (lintSource) p50 / p95 |');
  out('|---|---|---|---|---|');
  for (const [lines, runs] of [
    [50, 200],
    [1000, 60],
    [10000, 30],
  ] as const) {
    const text = generateManifest(lines);
    const source = { content: text, filePath: '/bench/paved.yaml', ext: '.yaml', contentType: 'text' as const };
    const paved = await time(() => scanSecrets(text), 10, runs);
    const rules = await time(() => runSecretlint(text), 10, runs);
    const engine = await time(() => lintSource({ source, options: { config, noPhysicFilePath: true, maskSecrets: true } }), 10, runs);
    out(`| ${lines} lines | ${text.length} | ${fmt(paved.p50)} / ${fmt(paved.p95)} | ${fmt(rules.p50)} / ${fmt(rules.p95)} | ${fmt(engine.p50)} / ${fmt(engine.p95)} |`);
  }
}
