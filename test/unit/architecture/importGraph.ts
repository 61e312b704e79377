/**
 * The import graph of src/, read with TypeScript's own parser, and the checks the architecture tests run on it. Kept
 * apart from the tests so that each check can be fed a synthetic graph (and shown to fail).
 *
 * An import is any module specifier in: `import … from`, `import type … from`, `import 'x'`, `export … from`,
 * `import x = require()`, `require()`, dynamic `import()` and `typeof import('x')` types.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export interface ImportRef {
  /** The specifier as written ('../core/errors', 'vscode', 'node:http'). */
  specifier: string;
  /** 1-based line of the import. */
  line: number;
}

/** The module specifiers a TypeScript source imports, in every form. */
export function importsOf(source: string, fileName = 'file.ts'): ImportRef[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: ImportRef[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) out.push({ specifier: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** One edge of the graph: `from` imports `to` (a repository-relative path, or a bare module name like 'vscode'). */
export interface Edge {
  from: string;
  to: string;
  line: number;
}

export interface Graph {
  /** Every source file (repository-relative, '/'-separated). */
  files: string[];
  edges: Edge[];
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/** What a relative specifier names: `x.ts`, `x/index.ts`, or a file with its own extension (`.json`). */
function resolveRelative(root: string, fromFile: string, specifier: string): string {
  const base = path.resolve(root, path.dirname(fromFile), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return toPosix(path.relative(root, candidate));
  }
  return toPosix(path.relative(root, base));
}

/** Source files under `dir` (repository-relative), minus the ones `skip` names. */
export function sourceFiles(root: string, dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const p = path.join(abs, e.name);
      const rel = toPosix(path.relative(root, p));
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(rel);
    }
  };
  walk(path.join(root, dir));
  return out.sort();
}

/** The golden paths' template files are scaffolded into new services, not compiled into Paved. */
export const isTemplateFile = (rel: string) => rel.startsWith('src/server/golden-paths/');

/** The graph of every `.ts` file under `dir` (golden-path templates excluded). */
export function buildGraph(root: string, dir = 'src'): Graph {
  const files = sourceFiles(root, dir, isTemplateFile).filter((f) => f.endsWith('.ts'));
  const edges: Edge[] = [];
  for (const from of files) {
    for (const ref of importsOf(fs.readFileSync(path.join(root, from), 'utf8'), from)) {
      const to = ref.specifier.startsWith('.') ? resolveRelative(root, from, ref.specifier) : ref.specifier;
      edges.push({ from, to, line: ref.line });
    }
  }
  return { files, edges };
}

// ---- layers ---------------------------------------------------------------------------------------------------------

export interface LayerRule {
  /** Files under this folder (repository-relative, ending in '/') … */
  layer: string;
  /** … import nothing under these folders and none of these modules (a bare name also forbids its subpaths). */
  forbidden: readonly string[];
  why: string;
}

export interface Violation {
  rule: LayerRule;
  edge: Edge;
  /** `src/core/a.ts:3 imports vscode (why)` */
  text: string;
}

function forbids(target: string, to: string): boolean {
  return target.endsWith('/') ? to.startsWith(target) : to === target || to.startsWith(`${target}/`);
}

/** Every edge that breaks one of the rules. */
export function layerViolations(graph: Graph, rules: readonly LayerRule[]): Violation[] {
  const out: Violation[] = [];
  for (const rule of rules) {
    for (const edge of graph.edges) {
      if (!edge.from.startsWith(rule.layer)) continue;
      if (rule.forbidden.some((t) => forbids(t, edge.to))) out.push({ rule, edge, text: `${edge.from}:${edge.line} imports ${edge.to} (${rule.why})` });
    }
  }
  return out;
}

// ---- loops ----------------------------------------------------------------------------------------------------------

/**
 * The import loops among the graph's files: each strongly connected component of more than one file (or a file that
 * imports itself), as its files sorted, plus one cycle through it to show in a failure message.
 */
export function importLoops(graph: Graph): { files: string[]; cycle: string[] }[] {
  const known = new Set(graph.files);
  const next = new Map<string, string[]>(graph.files.map((f) => [f, []]));
  for (const e of graph.edges) if (known.has(e.to) && !next.get(e.from)!.includes(e.to)) next.get(e.from)!.push(e.to);
  for (const list of next.values()) list.sort();

  // Tarjan's algorithm, iterative (a deep import chain must not overflow the stack).
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  for (const start of graph.files) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const succ = next.get(top.node)!;
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.node);
        if (comp.length > 1 || next.get(top.node)!.includes(top.node)) components.push(comp.sort());
      }
    }
  }
  return components
    .map((files) => ({ files, cycle: cycleWithin(files, next) }))
    .sort((a, b) => (a.files[0] < b.files[0] ? -1 : 1));
}

/** A shortest cycle from the component's first file back to it, staying inside the component. */
function cycleWithin(files: string[], next: Map<string, string[]>): string[] {
  const inside = new Set(files);
  const start = files[0];
  const prev = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const n = queue[head];
    for (const w of next.get(n)!) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const back = [start];
        for (let c = n; c !== start; c = prev.get(c)!) back.push(c);
        back.push(start);
        return back.reverse();
      }
      if (!prev.has(w)) {
        prev.set(w, n);
        queue.push(w);
      }
    }
  }
  return [start];
}

// ---- size -----------------------------------------------------------------------------------------------------------

/** Lines of a text as an editor counts them (a final newline starts no new line). */
export function lineCount(text: string): number {
  if (text === '') return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

// ---- folder loops ---------------------------------------------------------------------------------------------------

/**
 * The graph between sibling folders: a file under `D/a/` importing a file under `D/b/` is an edge `D/a` → `D/b`
 * (`from` and `line` of the first such import kept as the example). Files directly in a folder are not siblings of its
 * subfolders: a folder's own files may use its subfolders, and the subfolders what the folder holds.
 */
export function folderGraph(graph: Graph): { graph: Graph; examples: Map<string, Edge> } {
  const known = new Set(graph.files);
  const folders = new Set<string>();
  const edges: Edge[] = [];
  const examples = new Map<string, Edge>();
  for (const e of graph.edges) {
    if (!known.has(e.to)) continue;
    const a = e.from.split('/');
    const b = e.to.split('/');
    let i = 0;
    while (i < a.length - 1 && i < b.length - 1 && a[i] === b[i]) i++;
    // a[i], b[i]: the first differing segment; both must be folders (not the files themselves).
    if (i >= a.length - 1 || i >= b.length - 1) continue;
    const from = a.slice(0, i + 1).join('/');
    const to = b.slice(0, i + 1).join('/');
    folders.add(from).add(to);
    const key = `${from} ${to}`;
    if (!examples.has(key)) {
      examples.set(key, e);
      edges.push({ from, to, line: 0 });
    }
  }
  return { graph: { files: [...folders].sort(), edges }, examples };
}
