import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { fastParse, resolvePlain } from '../../../../src/core/manifest/fastParse';
import type { YNode } from '../../../../src/core/manifest/tree';
import { toPlain } from '../../../../src/core/manifest/tree';
import { MINIMAL, PRODUCTION } from './helpers';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'manifests');

/** Checks the fast tree against `yaml`'s: same values, same scalar and key ranges. Returns a problem or ''. */
export function compareWithYaml(text: string): string {
  const fast = fastParse(text);
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  if (!fast) return '';
  if (list.some((d) => d.errors.length > 0)) return `fast parser accepted text that yaml rejects: ${list.flatMap((d) => d.errors.map((e) => e.message)).join('; ')}`;
  if (fast.docs.length !== list.length) return `documents: fast ${fast.docs.length}, yaml ${list.length}`;
  for (let i = 0; i < list.length; i++) {
    const mine = JSON.stringify(toPlain(fast.docs[i].contents));
    const theirs = JSON.stringify(list[i].toJS({ maxAliasCount: -1 }));
    if (mine !== theirs) return `document ${i}: fast ${mine} yaml ${theirs}`;
    const problem = compareNodes(fast.docs[i].contents, list[i].contents);
    if (problem) return `document ${i}: ${problem}`;
  }
  return '';
}

function compareNodes(a: YNode | null, b: YamlNode | null): string {
  if (a === null || b === null) return a === null && (b === null || (isScalar(b) && b.value === null)) ? '' : 'null mismatch';
  if (isScalar(b)) {
    if (a.type !== 'scalar') return 'scalar vs collection';
    const t = b.type;
    if ((t === 'PLAIN' || t === 'QUOTE_DOUBLE' || t === 'QUOTE_SINGLE') && (a.start !== b.range![0] || a.end !== b.range![1])) {
      return `scalar ${JSON.stringify(b.source)} at [${a.start},${a.end}] vs [${b.range![0]},${b.range![1]}]`;
    }
    return '';
  }
  if (isMap(b)) {
    if (a.type !== 'map' || a.pairs.length !== b.items.length) return 'map mismatch';
    for (let i = 0; i < a.pairs.length; i++) {
      const p = a.pairs[i];
      const q = b.items[i];
      const k = compareNodes(p.key, q.key as YamlNode);
      if (k) return `key ${i}: ${k}`;
      const v = compareNodes(p.value.type === 'scalar' && p.value.start === p.value.end ? null : p.value, q.value as YamlNode | null);
      if (v) return `value of ${String(p.key.value)}: ${v}`;
    }
    return '';
  }
  if (isSeq(b)) {
    if (a.type !== 'seq' || a.items.length !== b.items.length) return 'seq mismatch';
    for (let i = 0; i < a.items.length; i++) {
      const it = a.items[i];
      const v = compareNodes(it.type === 'scalar' && it.start === it.end ? null : it, b.items[i] as YamlNode | null);
      if (v) return `item ${i}: ${v}`;
    }
    return '';
  }
  return 'unexpected node';
}

const ACCEPTED: Record<string, string> = {
  'the issue example': fs.readFileSync(path.join(FIXTURES, 'paved.yaml'), 'utf8'),
  'a multi-document catalog': fs.readFileSync(path.join(FIXTURES, 'catalog-info.yaml'), 'utf8'),
  'comments everywhere': fs.readFileSync(path.join(FIXTURES, 'v1alpha1.paved.yaml'), 'utf8'),
  'score with ${} placeholders': fs.readFileSync(path.join(FIXTURES, 'score.yaml'), 'utf8'),
  'minimal and production': MINIMAL + '---\n' + PRODUCTION,
  'sequences at the parent key indentation': 'a:\n- 1\n- x: 2\n  y: [3]\nb: c\n',
  'nested and compact sequences': '- a: 1\n  b: [1, 2]\n- - x\n  - y\n-\n  k: v\n- - - deep\n',
  'literal and folded block scalars': 'a: |\n  x\n   y\n\n  z\n\nb: >-\n  a\n  b\n\n  c\nc: |+\n  keep\n\nd: >\n  folded\n  text\n',
  'quoted scalars and escapes': "a: 'it''s'\nb: \"\\u00e9\\n\\t\\x41\\\"\"\nc: \"a # not a comment\"\n'quoted key': 1\n\"k\": 2\n",
  'core schema scalars': 'a: 0x1F\nb: 0o17\nc: .inf\nd: -1e3\ne: 1.\nf: True\ng: ~\nh: NULL\ni: +12\nj: .5\nk: 1_000\nl: 2001-12-14\nm: yes\nn: -.INF\no: .NaN\n',
  'empty values': 'a:\nb: ~\nc:\n  # only a comment\nd: []\ne: {}\n',
  'explicit document markers': '---\na: 1\n...\n---\nb: 2\n',
  'CRLF': 'a: 1\r\nb:\r\n  - x # c\r\n  - "y"\r\nc: |\r\n  t\r\n',
  'BOM': '\ufeffa: 1\n',
  'colons and hashes inside plain scalars': 'url: http://a.b/c#d\ntime: 12:30\nk: a#b\n',
  'flow collections': 'a: { b: [1, {c: d}], e: "f,g", h: i j }\nb: [ ]\nc: [a, b, ]\n',
  'indented root': '  a: 1\n  b: 2\n',
  'CRLF values with comments, colons and escapes': 'a: b c # d\r\nb: [x, y:z] # z\r\nc: "q\\"r#" # s\r\nd: e:f\r\ne: {k: v:w, "l": \'it\'\'s\'}\r\nf: g\r\n',
  'a last line without a line break': 'a: b # c\nd: e',
  'simple flow pairs (one match each) next to others': 'f: { a: b, c: "d e" , g: h/i.j-1 ,k:  l, m: n o, p: q:r, u: [v, {w: x}], y: {z: 1}, "q": 2}\n',
  'simple key: value lines (one match each)': 'a_b-c: x/y.z-1  \nk: "v w"  \r\nn: null\nt: true\nnum: 0x1F\n_k: 1.5\nimage: r.io/a:1.2\ntitle: Two  words here\nk2:   "a"\nq: "it\'s"\nl:\n  - m: 1\n    o: p q\n',
  'comment-only and empty files': '# nothing\n',
  'an empty file': '',
};

const REJECTED: Record<string, string> = {
  anchors: 'a: &x 1\nb: *x\n',
  tags: 'a: !!str 1\n',
  tabs: 'a:\tb\n',
  'multi-line plain scalars': 'a: b\n  c\n',
  'multi-line quoted scalars': 'a: "b\n  c"\n',
  'multi-line flow': 'a: [1,\n  2]\n',
  'explicit keys': '? a\n: b\n',
  directives: '%YAML 1.2\n---\na: 1\n',
  'nested mappings in compact form (an error)': 'a: b: c\n',
  'bad indentation (an error)': 'a: 1\n  b: 2\n',
  'an unterminated flow sequence (an error)': 'a: [1\n',
  'a lone CR': 'a: 1\rb: 2\n',
  'a NUL byte': 'a: \0\n',
  'block scalar without a final line break': 'a: |\n  x',
  'indentation indicators': 'a: |2\n   x\n',
};

describe('fast YAML scanner', () => {
  for (const [name, text] of Object.entries(ACCEPTED)) {
    it(`reads ${name} exactly like yaml (values and ranges)`, () => {
      assert.ok(fastParse(text), 'the fast scanner takes it');
      assert.equal(compareWithYaml(text), '');
    });
  }

  for (const [name, text] of Object.entries(REJECTED)) {
    it(`leaves ${name} to the full parser`, () => {
      assert.equal(fastParse(text), undefined);
    });
  }

  it('reports duplicate keys (block and flow), not the first occurrence', () => {
    const text = 'a: 1\nb: { c: 1, c: 2 }\na: 3\n';
    const r = fastParse(text)!;
    assert.deepEqual(
      r.duplicates.map((k) => [k.start, k.end]),
      [
        [text.indexOf('c: 2'), text.indexOf('c: 2') + 1],
        [text.lastIndexOf('a: 3'), text.lastIndexOf('a: 3') + 1],
      ],
    );
  });

  it('resolves plain scalars like the YAML 1.2 core schema', () => {
    assert.equal(resolvePlain('1.2.0'), '1.2.0');
    assert.equal(resolvePlain('500m'), '500m');
    assert.equal(resolvePlain('99.9'), 99.9);
    assert.equal(resolvePlain('-0x1'), '-0x1');
    assert.equal(resolvePlain('0o8'), '0o8');
    assert.equal(resolvePlain('yes'), 'yes');
  });
});
