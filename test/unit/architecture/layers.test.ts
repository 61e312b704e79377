/**
 * The architecture rules of README/Layout, held by test over the real import graph of src/ (TypeScript's parser, every
 * import form). Each rule is first shown able to fail on a synthetic graph, then checked on the real one.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Edge, Graph, LayerRule } from './importGraph';
import { buildGraph, folderGraph, importLoops, importsOf, isTemplateFile, layerViolations, lineCount, sourceFiles } from './importGraph';

const root = path.resolve(__dirname, '..', '..', '..');

const NETWORK = ['http', 'https', 'http2', 'net', 'tls', 'dgram'].flatMap((m) => [m, `node:${m}`]);

/** Who may import whom. A folder ends in '/'; a module name also forbids its subpaths ('axios/lib/x'). */
const LAYER_RULES: readonly LayerRule[] = [
  {
    layer: 'src/core/',
    forbidden: ['src/platform/', 'src/server/', 'src/extension/', 'src/cli/', 'vscode', 'axios', ...NETWORK],
    why: 'src/core is pure logic: no vscode, no network, nothing from the layers above it',
  },
  { layer: 'src/platform/', forbidden: ['src/server/', 'src/extension/', 'src/cli/', 'vscode'], why: 'src/platform is the client side: it runs in plain Node and never reaches into the server or a front end' },
  { layer: 'src/server/', forbidden: ['src/platform/', 'src/extension/', 'src/cli/', 'vscode'], why: '`paved serve` stands on src/core alone: it never uses the client that talks to it, nor a front end' },
  { layer: 'src/cli/', forbidden: ['src/extension/', 'vscode'], why: 'the CLI and the extension are two faces over the same layers: the CLI never uses the editor' },
  { layer: 'src/extension/', forbidden: ['src/cli/'], why: 'the CLI and the extension are two faces over the same layers: the editor never uses the CLI' },
];

/** Longest file allowed under src/ (generated validators and golden-path templates excepted). */
const MAX_LINES = 600;
const sizeExempt = (rel: string) => isTemplateFile(rel) || rel.endsWith('.generated.ts');

/**
 * Violations known today, each being fixed on another branch of issue 11 (or, for sizes, by the rooms it makes). The
 * coordinator empties this list as those branches merge; an entry that no longer occurs fails the test, so the list
 * can only shrink. Nothing new may be added here.
 */
const KNOWN_UNTIL_MERGE = {
  /** `from imports to`. */
  layers: [] as string[],
  /** Loops as the set of their files (or folders), sorted. */
  loops: [] as string[][],
  /** Files over MAX_LINES, to be split into rooms of their own (issue 11, part 1 and after). */
  size: [] as string[],
};

/** What a check found on the real tree, minus the known entries; known entries that no longer occur, to remove. */
function against(found: string[], known: readonly string[]): { unexpected: string[]; stale: string[] } {
  return { unexpected: found.filter((f) => !known.includes(f)), stale: known.filter((k) => !found.includes(k)) };
}

/** A finding of a check: `key` as KNOWN_UNTIL_MERGE lists it, `text` as a failure shows it. */
interface Found {
  key: string;
  text: string;
}

function assertHolds(what: string, found: readonly Found[], known: readonly string[]): void {
  const { unexpected, stale } = against(found.map((f) => f.key), known);
  const texts = found.filter((f) => unexpected.includes(f.key)).map((f) => f.text);
  assert.deepEqual(texts, [], `${what}:\n  ${texts.join('\n  ')}`);
  assert.deepEqual(stale, [], `${what}: these KNOWN_UNTIL_MERGE entries hold now, remove them from the list:\n  ${stale.join('\n  ')}`);
}

const loopText = (l: { files: string[]; cycle: string[] }) => `${l.files.join(' + ')} (${l.cycle.join(' → ')})`;
const loopKey = (files: readonly string[]) => files.join(' + ');

/** File loops and loops between sibling folders, each as `files (cycle)`; keys for the allow-list alongside. */
function allLoops(graph: Graph): Found[] {
  const fileLoops = importLoops(graph).map((l) => ({ key: loopKey(l.files), text: loopText(l) }));
  const folders = folderGraph(graph);
  const folderLoops = importLoops(folders.graph).map((l) => {
    const why = l.cycle.slice(1).map((to, i) => folders.examples.get(`${l.cycle[i]} ${to}`)!).map((e) => `${e.from} imports ${e.to}`);
    return { key: loopKey(l.files), text: `${loopText(l)}: ${why.join('; ')}` };
  });
  return [...fileLoops, ...folderLoops];
}

const edge = (from: string, to: string): Edge => ({ from, to, line: 1 });
const graphOf = (...edges: Edge[]): Graph => ({ files: [...new Set(edges.flatMap((e) => [e.from, e.to]).filter((f) => f.startsWith('src/')))].sort(), edges });

describe('architecture: the checks can fail', () => {
  it('finds imports in every form, and nothing in comments or strings', () => {
    const source = [
      "import * as vscode from 'vscode';",
      "import type { Uri } from \"vscode-uri\";",
      "import './side-effect';",
      "export { a } from '../a';",
      "export * from '../b';",
      "export type { C } from '../c';",
      "import e = require('../e');",
      "const f = require('node:http');",
      "async function g() { return (await import('../g')).default; }",
      "type H = typeof import('../h');",
      "// import x from '../commented';",
      "const s = \"require('../in-a-string')\";",
      "const t = `import('../in-a-template')`;",
    ].join('\n');
    assert.deepEqual(
      importsOf(source).map((r) => `${r.line} ${r.specifier}`),
      ['1 vscode', '2 vscode-uri', '3 ./side-effect', '4 ../a', '5 ../b', '6 ../c', '7 ../e', '8 node:http', '9 ../g', '10 ../h'],
    );
  });

  for (const rule of LAYER_RULES) {
    it(`${rule.layer}: reports an import of each forbidden layer or module, and nothing else`, () => {
      const bad = rule.forbidden.flatMap((t) => (t.endsWith('/') ? [`${t}x.ts`] : [t, `${t}/sub`]));
      const allowed = ['src/core/errors.ts', `${rule.layer}own.ts`, 'vscode-uri', 'axios-mock', 'node:fs', 'src/coreish/x.ts'].filter((t) => !rule.forbidden.some((f) => (f.endsWith('/') ? t.startsWith(f) : t === f)));
      const graph = graphOf(...[...bad, ...allowed].map((to) => edge(`${rule.layer}a/file.ts`, to)));
      const found = layerViolations(graph, [rule]).map((v) => v.edge.to);
      assert.deepEqual(found, bad);
      assert.equal(layerViolations(graph, [rule])[0].text, `${rule.layer}a/file.ts:1 imports ${bad[0]} (${rule.why})`);
    });
  }

  it('reports a file loop with its files and one cycle through them', () => {
    const loops = importLoops(graphOf(edge('src/a.ts', 'src/b.ts'), edge('src/b.ts', 'src/c.ts'), edge('src/c.ts', 'src/a.ts'), edge('src/c.ts', 'src/d.ts'), edge('src/d.ts', 'src/d.ts'), edge('src/e.ts', 'src/a.ts')));
    assert.deepEqual(loops, [
      { files: ['src/a.ts', 'src/b.ts', 'src/c.ts'], cycle: ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts'] },
      { files: ['src/d.ts'], cycle: ['src/d.ts', 'src/d.ts'] },
    ]);
    assert.deepEqual(importLoops(graphOf(edge('src/a.ts', 'src/b.ts'), edge('src/b.ts', 'src/c.ts'), edge('src/a.ts', 'src/c.ts'))), []);
  });

  it('finds loops along import chains longer than the call stack', () => {
    const n = 20_000;
    const edges = Array.from({ length: n }, (_, i) => edge(`src/f${i}.ts`, `src/f${(i + 1) % n}.ts`));
    const loops = importLoops(graphOf(...edges));
    assert.equal(loops.length, 1);
    assert.equal(loops[0].files.length, n);
  });

  it('reports a loop between sibling folders, with the imports that make it, but not a folder using its subfolders', () => {
    const graph = graphOf(
      edge('src/ext/catalog/commands.ts', 'src/ext/details/panel.ts'),
      edge('src/ext/details/render.ts', 'src/ext/catalog/model.ts'),
      edge('src/ext/main.ts', 'src/ext/catalog/model.ts'),
      edge('src/ext/catalog/model.ts', 'src/ext/log.ts'),
    );
    assert.deepEqual(importLoops(graph), [], 'no file loop');
    assert.deepEqual(allLoops(graph).map((l) => l.text), [
      'src/ext/catalog + src/ext/details (src/ext/catalog → src/ext/details → src/ext/catalog): src/ext/catalog/commands.ts imports src/ext/details/panel.ts; src/ext/details/render.ts imports src/ext/catalog/model.ts',
    ]);
  });

  it('reports files over the line limit and known entries that hold now', () => {
    assert.equal(lineCount(''), 0);
    assert.equal(lineCount('a'), 1);
    assert.equal(lineCount('a\nb\n'), 2);
    assert.equal(lineCount('a\nb\n\n'), 3);
    assert.deepEqual(against(['src/big.ts', 'src/known.ts'], ['src/known.ts', 'src/split.ts']), { unexpected: ['src/big.ts'], stale: ['src/split.ts'] });
    assert.throws(() => assertHolds('too long', [{ key: 'src/big.ts', text: 'src/big.ts: 601 lines' }], []), /too long:\n {2}src\/big\.ts: 601 lines/);
    assert.throws(() => assertHolds('too long', [], ['src/split.ts']), /remove them from the list:\n {2}src\/split\.ts/);
  });
});

describe('architecture: src/ holds the rules', function () {
  // Parsing all of src/ takes about a second, several on a busy machine: the graph is built once.
  this.timeout(60_000);
  let graph: Graph;
  before(() => {
    graph = buildGraph(root);
  });

  it('reads the real graph (resolving relative imports to files)', () => {
    assert.ok(graph.files.includes('src/extension/main.ts') && graph.files.includes('src/core/errors.ts'));
    assert.ok(graph.edges.some((e) => e.from === 'src/cli/lint.ts' && e.to === 'src/core/manifest/index.ts'), 'a folder import resolves to its index.ts');
    assert.ok(graph.edges.some((e) => e.to === 'package.json'), 'a JSON import resolves to the file');
    assert.ok(graph.edges.some((e) => e.from.startsWith('src/extension/') && e.to === 'vscode'));
  });

  for (const rule of LAYER_RULES) {
    it(`${rule.layer} imports none of: ${rule.forbidden.filter((f) => !f.startsWith('node:')).join(', ')}`, () => {
      const found = layerViolations(graph, [rule]).map((v) => ({ key: `${v.edge.from} imports ${v.edge.to}`, text: v.text }));
      assertHolds('imports across the layers', found, KNOWN_UNTIL_MERGE.layers.filter((k) => k.startsWith(rule.layer)));
    });
  }

  it('no import loops anywhere in src/ (between files, and between sibling folders)', () => {
    assertHolds('import loops', allLoops(graph), KNOWN_UNTIL_MERGE.loops.map(loopKey));
  });

  it(`no file in src/ is longer than ${MAX_LINES} lines (generated files and golden-path templates excepted)`, () => {
    const files = sourceFiles(root, 'src', sizeExempt);
    assert.ok(files.length > 50);
    const long = files
      .map((f) => ({ f, lines: lineCount(fs.readFileSync(path.join(root, f), 'utf8')) }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ f, lines }) => ({ key: f, text: `${f}: ${lines} lines` }));
    assertHolds(`files over ${MAX_LINES} lines (split them into rooms of one concern each)`, long, KNOWN_UNTIL_MERGE.size);
  });
});
