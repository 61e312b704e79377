/**
 * The full parser: `yaml`'s Document API (without its quadratic duplicate-key check), converted to the light tree.
 * Used for whatever the fast scanner does not take, which includes every file with a syntax error.
 */
import type { Document, Node as YamlNode } from 'yaml';
import type { Finding } from './types';
import type { YDoc, YMap, YNode, YPair, YScalar, YSeq } from './tree';
import { keyString } from './tree';
import { yaml } from '../lazy';

/** Alias expansion budget (nodes) per document: beyond it an alias is reported and read as null ("billion laughs"). */
export const MAX_ALIAS_NODES = 10_000;
const MAX_DEPTH = 256;
const MAX_YAML_FINDINGS = 50;

export interface FullParseResult {
  docs: YDoc[];
  duplicates: YScalar[];
  findings: Finding[];
}

function yamlFinding(text: string, pos: readonly [number, number], code: string, message: string, severity: 'error' | 'warning'): Finding {
  const start = Math.max(0, Math.min(pos[0], text.length));
  const end = Math.max(start, Math.min(pos[1], text.length));
  return { offset: start, length: end - start, severity, ruleId: `yaml/${code}`, source: 'yaml', message: cleanMessage(message) };
}

/** `yaml`'s messages end in " at line L, column C:" plus a source excerpt; ranges carry that already. */
function cleanMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

export function fullParse(text: string): FullParseResult {
  const findings: Finding[] = [];
  const duplicates: YScalar[] = [];
  let documents: Document.Parsed[];
  try {
    documents = yaml().parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, strict: true }) as Document.Parsed[];
    if (!Array.isArray(documents)) documents = [];
  } catch (err) {
    // `yaml` itself failing (e.g. the call stack running out on pathological nesting) is reported, not thrown.
    findings.push({
      offset: 0,
      length: Math.min(text.length, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')),
      severity: 'error',
      ruleId: 'yaml/unparseable',
      source: 'yaml',
      message: `Could not parse this file as YAML: ${err instanceof Error ? err.message : String(err)}`,
    });
    return { docs: [], duplicates, findings };
  }
  const docs: YDoc[] = [];
  for (const doc of documents) {
    for (const e of doc.errors) {
      if (findings.length < MAX_YAML_FINDINGS) findings.push(yamlFinding(text, e.pos, e.code, e.message, 'error'));
    }
    for (const w of doc.warnings) {
      if (findings.length < MAX_YAML_FINDINGS) findings.push(yamlFinding(text, w.pos, w.code, w.message, 'warning'));
    }
    const conv = new Converter(text, doc, duplicates, findings);
    const contents = doc.contents ? conv.node(doc.contents, 0) : null;
    const range = doc.range ?? [0, text.length, text.length];
    docs.push({ start: range[0], end: Math.max(range[2], contents?.end ?? 0), contents });
  }
  return { docs, duplicates, findings };
}

class Converter {
  private readonly done = new Map<YamlNode, YNode>();
  private readonly inProgress = new Set<YamlNode>();
  private readonly sizes = new WeakMap<YNode, number>();
  private aliasBudget = MAX_ALIAS_NODES;

  constructor(
    private readonly text: string,
    private readonly doc: Document.Parsed,
    private readonly duplicates: YScalar[],
    private readonly findings: Finding[],
  ) {}

  private empty(at: number): YScalar {
    const o = Math.max(0, Math.min(at, this.text.length));
    return { type: 'scalar', start: o, end: o, value: null };
  }

  private report(start: number, end: number, code: string, message: string): void {
    if (this.findings.length >= MAX_YAML_FINDINGS) return;
    this.findings.push({ offset: start, length: Math.max(0, end - start), severity: 'error', ruleId: `yaml/${code}`, source: 'yaml', message });
  }

  private size(n: YNode): number {
    const known = this.sizes.get(n);
    if (known !== undefined) return known;
    let total = 1;
    if (n.type === 'map') for (const p of n.pairs) total += 1 + this.size(p.value);
    else if (n.type === 'seq') for (const it of n.items) total += this.size(it);
    this.sizes.set(n, total);
    return total;
  }

  node(n: YamlNode | null | undefined, depth: number, fallbackAt = 0): YNode {
    if (n === null || n === undefined) return this.empty(fallbackAt);
    const range = n.range ?? [fallbackAt, fallbackAt, fallbackAt];
    if (depth > MAX_DEPTH) {
      this.report(range[0], range[0] + 1, 'too-deep', `Nesting deeper than ${MAX_DEPTH} levels is not supported; this part is ignored.`);
      return this.empty(range[0]);
    }
    const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
    if (isAlias(n)) {
      const target = n.resolve(this.doc) as YamlNode | undefined;
      if (!target) {
        // An alias must follow its anchor in the same document (YAML 1.2); yaml itself only fails later, in toJS.
        this.report(range[0], range[1], 'unresolved-alias', `Alias *${n.source} has no anchor &${n.source} before it in this document; read as null.`);
        return this.empty(range[0]);
      }
      if (this.inProgress.has(target)) {
        this.report(range[0], range[1], 'recursive-alias', `Alias *${n.source} refers to a node that contains it.`);
        return this.empty(range[0]);
      }
      const resolved = this.node(target, depth + 1, range[0]);
      const cost = this.size(resolved);
      this.aliasBudget -= cost;
      if (this.aliasBudget < 0) {
        this.report(range[0], range[1], 'alias-limit', `Alias *${n.source} expands beyond ${MAX_ALIAS_NODES} nodes in this document (an alias bomb?); read as null.`);
        return this.empty(range[0]);
      }
      return resolved;
    }
    const cached = this.done.get(n);
    if (cached) return cached;
    let out: YNode;
    if (isScalar(n)) {
      let v: unknown = n.value;
      if (typeof v === 'bigint') v = Number(v);
      else if (v !== null && typeof v === 'object') v = String(n.source ?? '');
      else if (v === undefined) v = null;
      out = { type: 'scalar', start: range[0], end: range[1], value: v };
    } else if (isMap(n)) {
      this.inProgress.add(n);
      const pairs: YPair[] = [];
      const seen = new Set<string>();
      for (const item of n.items) {
        const pair = this.pair(item.key as YamlNode | null, item.value as YamlNode | null, depth, range[0]);
        if (!pair) continue;
        const ks = keyString(pair.key);
        if (seen.has(ks)) this.duplicates.push(pair.key);
        else seen.add(ks);
        pairs.push(pair);
      }
      this.inProgress.delete(n);
      const map: YMap = { type: 'map', start: range[0], end: Math.max(range[1], range[0]), pairs, flow: Boolean(n.flow), indent: n.flow ? -1 : column(this.text, range[0]) };
      out = map;
    } else if (isSeq(n)) {
      this.inProgress.add(n);
      const items: YNode[] = [];
      for (const item of n.items) {
        if (isPair(item)) {
          // `[a: b]`: a single-pair map inside a flow sequence.
          const pair = this.pair(item.key as YamlNode | null, item.value as YamlNode | null, depth + 1, range[0]);
          if (pair) items.push({ type: 'map', start: pair.key.start, end: pair.value.end, pairs: [pair], flow: true, indent: -1 });
        } else {
          items.push(this.node(item as YamlNode | null, depth + 1, range[0]));
        }
      }
      this.inProgress.delete(n);
      const seq: YSeq = { type: 'seq', start: range[0], end: Math.max(range[1], range[0]), items, flow: Boolean(n.flow), indent: n.flow ? -1 : column(this.text, range[0]) };
      out = seq;
    } else {
      out = this.empty(range[0]);
    }
    this.done.set(n, out);
    return out;
  }

  private pair(k: YamlNode | null, v: YamlNode | null, depth: number, at: number): YPair | undefined {
    let key: YScalar;
    if (k === null || k === undefined) {
      key = this.empty(v?.range?.[0] ?? at);
    } else if (yaml().isScalar(k)) {
      const node = this.node(k, depth + 1, at);
      key = node.type === 'scalar' ? node : this.empty(at);
    } else {
      const r = k.range ?? [at, at, at];
      this.report(r[0], r[1], 'complex-key', 'Only plain or quoted keys are supported in manifests; this entry is ignored.');
      return undefined;
    }
    const valueAt = k?.range?.[1] ?? at;
    const value = this.node(v, depth + 1, valueAt);
    return { key, value };
  }
}
