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
import { fakeTokens } from '../unit/core/secrets/fakeTokens';
import { fmt, generateManifest, time } from './lint';

export async function run(): Promise<void> {
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`secret scanner benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  const config = { rules: [{ id: preset.meta.id, rule: preset, options: {} }] };
  out('| manifest | bytes | Paved scanSecrets p50 / p95 (ms) | preset rules alone p50 / p95 | secretlint engine (lintSource) p50 / p95 |');
  out('|---|---|---|---|---|');
  // Most manifests hold no secret (the pre-check then rules the preset's rules out); "+ a key" puts a Stripe key
  // (built at run time) in the env, so every rule runs: the worst case.
  const key = fakeTokens().stripe;
  for (const [lines, runs, withKey] of [
    [50, 200, false],
    [1000, 60, false],
    [1000, 60, true],
    [10000, 30, false],
    [10000, 30, true],
  ] as const) {
    const plain = generateManifest(lines);
    const text = withKey ? plain.replace('  env:\n', `  env:\n    PAYMENT_KEY: ${key}\n`) : plain;
    if (withKey && text === plain) throw new Error('the generated manifest has no env map to put the key in');
    const source = { content: text, filePath: '/bench/paved.yaml', ext: '.yaml', contentType: 'text' as const };
    const paved = await time(() => scanSecrets(text), 10, runs);
    const rules = await time(() => runSecretlint(text), 10, runs);
    const engine = await time(() => lintSource({ source, options: { config, noPhysicFilePath: true, maskSecrets: true } }), 10, runs);
    out(`| ${lines} lines${withKey ? ' + a key' : ''} | ${text.length} | ${fmt(paved.p50)} / ${fmt(paved.p95)} | ${fmt(rules.p50)} / ${fmt(rules.p95)} | ${fmt(engine.p50)} / ${fmt(engine.p95)} |`);
  }
}
