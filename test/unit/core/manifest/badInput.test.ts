import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../../../src/core/manifest/index';
import { applyEdits, lint } from '../../../../src/core/manifest/index';
import { fastParse } from '../../../../src/core/manifest/fastParse';
import { compareWithYaml } from './fastParse.test';
import { expectFinding, MINIMAL, PRODUCTION, toDiag } from './helpers';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'manifests');

/** Every finding and every fix edit lies inside the text; nothing is an internal error. */
function assertSane(text: string, findings: readonly Finding[], label: string): void {
  for (const f of findings) {
    assert.notEqual(f.ruleId, 'paved/internal-error', `${label}: ${f.message}`);
    assert.ok(Number.isInteger(f.offset) && Number.isInteger(f.length), `${label}: integer range`);
    assert.ok(f.offset >= 0 && f.length >= 0 && f.offset + f.length <= text.length, `${label}: range ${f.offset}+${f.length} outside 0..${text.length} (${f.ruleId})`);
    for (const fix of f.fixes ?? []) {
      for (const e of fix.edits) assert.ok(e.offset >= 0 && e.length >= 0 && e.offset + e.length <= text.length, `${label}: fix edit outside the text`);
      applyEdits(text, fix.edits); // throws on overlapping edits
    }
  }
}

describe('bad input never throws and lands at a sensible place', () => {
  it('billion laughs: the alias that blows the budget is reported and read as null', () => {
    const lines = ['apiVersion: paved.dev/v1', 'kind: Service', 'metadata:', '  name: lol', 'spec:', '  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) lines.push(`  a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
    const text = lines.join('\n') + '\n';
    const findings = lint(text, 'paved.yaml').findings;
    assertSane(text, findings, 'billion laughs');
    const bomb = findings.filter((f) => f.ruleId === 'yaml/alias-limit');
    assert.ok(bomb.length >= 1, 'the alias bomb is reported');
    assert.equal(bomb[0].message, 'Alias *a3 expands beyond 10000 nodes in this document (an alias bomb?); read as null.');
    assert.equal(text.slice(bomb[0].offset, bomb[0].offset + bomb[0].length), '*a3');
  });

  it('a recursive alias is reported, not followed', () => {
    const text = 'apiVersion: paved.dev/v1\nkind: Service\nspec: &s { x: *s }\n';
    const findings = lint(text, 'paved.yaml').findings;
    assertSane(text, findings, 'recursive alias');
    assert.ok(findings.some((f) => f.source === 'yaml'), 'reported as a YAML problem');
  });

  it('an alias without an anchor before it is reported at the alias and read as null', () => {
    const text = 'apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: a\n  owner: *nope\n';
    const findings = lint(text, 'paved.yaml').findings;
    assertSane(text, findings, 'unresolved alias');
    const alias = findings.filter((f) => f.ruleId === 'yaml/unresolved-alias');
    assert.equal(alias.length, 1);
    assert.equal(alias[0].message, 'Alias *nope has no anchor &nope before it in this document; read as null.');
    assert.equal(text.slice(alias[0].offset, alias[0].offset + alias[0].length), '*nope');
    assert.ok(findings.some((f) => f.ruleId === 'schema/type' && f.message.includes('metadata.owner')), 'the null it reads as is checked too');
  });

  it('5,000 nested [ ', function () {
    this.timeout(30000);
    const text = 'apiVersion: paved.dev/v1\nmetadata: ' + '['.repeat(5000) + '\n';
    const findings = lint(text, 'paved.yaml').findings;
    assertSane(text, findings, 'nested [');
    assert.ok(findings.some((f) => f.source === 'yaml'));
    assert.ok(findings.filter((f) => f.source === 'yaml').length <= 50, 'YAML errors are capped');
  });

  it('__proto__, constructor and prototype keys are plain unknown keys: no prototype pollution', () => {
    for (const variant of ['fast', 'full']) {
      const anchor = variant === 'full' ? ' &t' : '';
      const text = MINIMAL.replace('  owner: team-payments\n', `  owner:${anchor} team-payments\n  __proto__: { polluted: true }\n  constructor: { prototype: { polluted: true } }\n`);
      assert.equal(fastParse(text) === undefined, variant === 'full');
      const findings = lint(text, 'paved.yaml', { policies: { name: 'none', rules: [], notes: [] } }).findings;
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
      expectFinding(text, findings, 'Unknown key "__proto__" in metadata.', 5, 2, 5, 11);
      expectFinding(text, findings, 'Unknown key "constructor" in metadata.', 6, 2, 6, 13);
    }
  });

  it('binary junk: NUL bytes → one finding at the first; other control bytes → YAML errors', () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)).toString('latin1');
    const findings = lint(junk, 'paved.yaml').findings;
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.offset, f.message]),
      [['yaml/binary', junk.indexOf('\0'), 'This file contains NUL bytes: it is binary, not YAML.']],
    );
    const noNul = junk.replace(/\0/g, 'x');
    assertSane(noNul, lint(noNul, 'paved.yaml').findings, 'junk without NUL');
  });

  it('a big file that needs the slow full parser is linted on save only, unless the caller lifts the limit', () => {
    const entries: string[] = [];
    for (let i = 0; i < 8000; i++) entries.push(`    VAR_${i}: value-${i}-${'x'.repeat(20)}\n`);
    const text = MINIMAL.replace('owner: team-payments', 'owner: &o team-payments') + '  env:\n' + entries.join('');
    assert.ok(text.length > 300_000);
    const findings = lint(text, 'paved.yaml').findings;
    assert.deepEqual(findings.map((f) => [f.ruleId, f.severity, f.offset, f.length]), [['paved/needs-full-parse', 'info', 0, 24]]);
    assert.equal(
      findings[0].message,
      `This ${Math.round(text.length / 1000)} KB file has YAML errors or uses YAML features (anchors, tags, multi-line scalars…) that need the full parser, which is too slow to run as you type above 300 KB: it is linted on save and by \`paved lint\` only.`,
    );
    assert.deepEqual(lint(text, 'paved.yaml', { maxFullParseSize: Number.POSITIVE_INFINITY }).findings, []);
    assert.deepEqual(lint(text.replace('&o ', ''), 'paved.yaml').findings, [], 'the fast scanner has no such limit');
  });

  it('a 5 MB file above the limit → one finding saying so; with the limit lifted it is linted', function () {
    this.timeout(60000);
    const entries: string[] = [];
    for (let i = 0, size = 0; size < 5_000_000; i++) {
      const line = `    VAR_${i}: value-${i}-${'x'.repeat(40)}\n`;
      entries.push(line);
      size += line.length;
    }
    const text = MINIMAL + '  env:\n' + entries.join('');
    const findings = lint(text, 'paved.yaml').findings;
    assert.equal(findings.length, 1);
    expectFinding(
      text,
      findings,
      `This file is ${(text.length / 1_000_000).toFixed(1)} MB, above the 1.0 MB limit: it is linted on save and by \`paved lint\` only.`,
      0,
      0,
      0,
      24,
    );
    const full = lint(text, 'paved.yaml', { maxSize: Number.POSITIVE_INFINITY }).findings;
    assertSane(text, full, '5 MB');
    assert.deepEqual(full.map((f) => f.ruleId), []);
  });
});

/** mulberry32: a small seeded PRNG, so every fuzz case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [':', ': ', '-', '- ', '[', ']', '{', '}', ',', '#', ' #', '&a', '*a', '!', '|', '>', "'", '"', '%', '@', '`', '?', '\t', '\r', '\n', '\r\n', '  ', '\ufeff', '\\', '---\n', '...\n', 'é', '😀', '\u2028', 'null', '0x', '__proto__'];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const at = () => Math.floor(rnd() * (text.length + 1));
  let out = text;
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const op = Math.floor(rnd() * 7);
    const p = Math.min(at(), out.length);
    const lines = out.split('\n');
    switch (op) {
      case 0: // insert something interesting
        out = out.slice(0, p) + pick(INTERESTING) + out.slice(p);
        break;
      case 1: // delete a few characters
        out = out.slice(0, p) + out.slice(p + 1 + Math.floor(rnd() * 8));
        break;
      case 2: {
        // duplicate a line
        const l = Math.floor(rnd() * lines.length);
        lines.splice(l, 0, lines[l]);
        out = lines.join('\n');
        break;
      }
      case 3: {
        // re-indent a line
        const l = Math.floor(rnd() * lines.length);
        lines[l] = ' '.repeat(Math.floor(rnd() * 6)) + lines[l].trimStart();
        out = lines.join('\n');
        break;
      }
      case 4: // truncate
        out = out.slice(0, p);
        break;
      case 5: {
        // swap two lines
        const a = Math.floor(rnd() * lines.length);
        const b = Math.floor(rnd() * lines.length);
        [lines[a], lines[b]] = [lines[b], lines[a]];
        out = lines.join('\n');
        break;
      }
      default: // replace a character with a random code unit
        out = out.slice(0, p) + String.fromCharCode(Math.floor(rnd() * 0x3000)) + out.slice(p + 1);
    }
  }
  return out;
}

describe('fuzz: mutated manifests (seeded, reproducible)', () => {
  const seeds = [
    fs.readFileSync(path.join(FIXTURES, 'paved.yaml'), 'utf8'),
    fs.readFileSync(path.join(FIXTURES, 'v1alpha1.paved.yaml'), 'utf8'),
    fs.readFileSync(path.join(FIXTURES, 'catalog-info.yaml'), 'utf8'),
    PRODUCTION.replace(/\n/g, '\r\n'),
  ];
  const names = ['paved.yaml', 'paved.yaml', 'catalog-info.yaml', 'paved.yaml'];
  const CASES = 3000;

  it(`${CASES} mutations: no throw, every range inside the text, and the fast scanner agrees with yaml`, function () {
    this.timeout(180000);
    const rnd = prng(0x5eed);
    let fastAccepted = 0;
    for (let i = 0; i < CASES; i++) {
      const k = i % seeds.length;
      const text = mutate(seeds[k], rnd);
      const label = `case ${i} ${JSON.stringify(text.slice(0, 60))}…`;
      const findings = lint(text, names[k]).findings;
      assertSane(text, findings, label);
      const problem = compareWithYaml(text);
      assert.equal(problem, '', `${label}: ${problem}\n${JSON.stringify(text)}`);
      if (fastParse(text)) fastAccepted++;
      if (i === 0) assert.ok(findings.every((f) => toDiag(text, f)));
    }
    // Both paths are exercised: most mutations stay valid YAML for the fast scanner, many do not.
    assert.ok(fastAccepted > CASES * 0.2 && fastAccepted < CASES * 0.95, `fast scanner took ${fastAccepted} of ${CASES}`);
  });
});
