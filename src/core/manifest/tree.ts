/**
 * A light YAML tree with source offsets: what the engine validates, maps errors onto and builds fixes from.
 * Produced by the fast scanner (fastParse.ts) or, for anything it does not handle, from `yaml`'s Document (yamlParse.ts).
 */

export interface YScalar {
  type: 'scalar';
  /** Offset of the first character (the quote or block indicator included). */
  start: number;
  /** Offset after the last character. An empty value (`key:`) has start === end. */
  end: number;
  value: unknown;
}

export interface YPair {
  key: YScalar;
  value: YNode;
}

export interface YMap {
  type: 'map';
  start: number;
  end: number;
  pairs: YPair[];
  flow: boolean;
  /** Column of the keys (block maps); -1 for flow maps. */
  indent: number;
}

export interface YSeq {
  type: 'seq';
  start: number;
  end: number;
  items: YNode[];
  flow: boolean;
  indent: number;
}

export type YNode = YScalar | YMap | YSeq;

export interface YDoc {
  /** Where the document's text starts (at `---` when present) and ends. */
  start: number;
  end: number;
  contents: YNode | null;
}

export function keyString(key: YScalar): string {
  const v = key.value;
  if (v === null || v === undefined) return '';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      return JSON.stringify(v) ?? '';
  }
}

/** Plain JavaScript value of a node: own `__proto__` properties, never a changed prototype; last duplicate key wins. */
export function toPlain(node: YNode | null, depth = 0): unknown {
  if (node === null) return null;
  if (node.type === 'scalar') return node.value;
  if (depth > 400) return null;
  if (node.type === 'seq') {
    const out = new Array<unknown>(node.items.length);
    for (let i = 0; i < node.items.length; i++) out[i] = toPlain(node.items[i], depth + 1);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const p of node.pairs) {
    const k = keyString(p.key);
    const v = toPlain(p.value, depth + 1);
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** The pair of a map with this key (the last one, like the plain value). */
export function findPair(map: YMap, key: string): YPair | undefined {
  for (let i = map.pairs.length - 1; i >= 0; i--) {
    const p = map.pairs[i];
    if (keyString(p.key) === key) return p;
  }
  return undefined;
}

export function decodePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return pointer === '/' ? [''] : [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export interface Located {
  node: YNode;
  /** The pair whose value is `node`, when `node` is a map value. */
  pair?: YPair;
  /** How many segments of the path were found (all of them unless the path goes through missing keys). */
  depth: number;
}

/** Walks a JSON pointer down the tree, stopping at the deepest node that exists. */
export function locate(root: YNode, segments: readonly string[]): Located {
  let node: YNode = root;
  let pair: YPair | undefined;
  let depth = 0;
  for (const seg of segments) {
    if (node.type === 'map') {
      const p = findPair(node, seg);
      if (!p) break;
      pair = p;
      node = p.value;
    } else if (node.type === 'seq') {
      const i = /^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : -1;
      const item = i >= 0 ? node.items[i] : undefined;
      if (!item) break;
      pair = undefined;
      node = item;
    } else {
      break;
    }
    depth++;
  }
  return pair === undefined ? { node, depth } : { node, pair, depth };
}

/** The deepest node whose range contains `offset` (keys included), with the path to it. */
export function nodeAt(
  root: YNode,
  offset: number,
): { node: YNode; path: string[]; isKey: boolean; pair?: YPair; parent?: YNode } | undefined {
  if (offset < root.start || offset > root.end) return undefined;
  let node: YNode = root;
  const path: string[] = [];
  let result: { node: YNode; path: string[]; isKey: boolean; pair?: YPair; parent?: YNode } = { node, path: [], isKey: false };
  for (;;) {
    let next: YNode | undefined;
    if (node.type === 'map') {
      for (const p of node.pairs) {
        if (offset >= p.key.start && offset <= p.key.end) {
          return { node: p.key, path: [...path, keyString(p.key)], isKey: true, pair: p, parent: node };
        }
        if (offset >= p.value.start && offset <= p.value.end && !(p.value.start === p.value.end && offset !== p.value.start)) {
          path.push(keyString(p.key));
          result = { node: p.value, path: [...path], isKey: false, pair: p, parent: node };
          next = p.value;
          break;
        }
      }
    } else if (node.type === 'seq') {
      for (let i = 0; i < node.items.length; i++) {
        const it = node.items[i];
        if (offset >= it.start && offset <= it.end) {
          path.push(String(i));
          result = { node: it, path: [...path], isKey: false, parent: node };
          next = it;
          break;
        }
      }
    }
    if (!next || next.type === 'scalar') return result;
    node = next;
  }
}
