/**
 * A fast scanner for the YAML that manifests are made of: block maps and sequences, single-line flow collections,
 * plain and quoted single-line scalars, literal/folded block scalars, comments and `---` documents, with LF or CRLF
 * line ends. It builds the light tree (tree.ts) with exact offsets in one pass over the text.
 *
 * It gives up (returns undefined) on anything else — anchors, aliases, tags, directives, tabs, multi-line plain or
 * quoted scalars, multi-line flow collections, complex keys, and every syntax error — and the caller then parses
 * with `yaml`, which reports errors at their position. So this scanner never has to be right about invalid YAML,
 * only about the valid YAML it accepts; test/unit/core/manifest/fastParse.test.ts checks that against `yaml`.
 *
 * The scanner's constants, scalar resolution and escapes are in fastScalars.ts, what it reads within one line in
 * fastScanner.ts; this file builds the tree from block and flow nodes.
 */
import { LineScanner } from './fastScanner';
import { BAIL, FLOW_PAIR, FLOW_STOP, LONE_CR, MAX_DEPTH, PLAIN_STOP, SIMPLE_PAIR, UNSUPPORTED_CHARS, bail, resolvePlain } from './fastScalars';
import type { YDoc, YMap, YNode, YPair, YScalar, YSeq } from './tree';
import { keyString } from './tree';

export { resolvePlain } from './fastScalars';

export interface FastParseResult {
  docs: YDoc[];
  /** Keys that repeat an earlier key of the same map. */
  duplicates: YScalar[];
}

export function fastParse(text: string): FastParseResult | undefined {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = start ? text.slice(1) : text;
  if (UNSUPPORTED_CHARS.test(body) || (body.includes('\r') && LONE_CR.test(body))) return undefined;
  const p = new FastParser(text, start);
  try {
    return p.parseStream();
  } catch (err) {
    // A stack overflow (a pathological input to one of the regular expressions) is left to the full parser too.
    if (err === BAIL || err instanceof RangeError) return undefined;
    throw err;
  }
}

class FastParser extends LineScanner {
  private depth = 0;
  private readonly duplicates: YScalar[] = [];
  /** The last keyEnd question and answer. */
  private keyAt = -1;
  private keyColon = -1;

  parseStream(): FastParseResult {
    const s = this.s;
    const docs: YDoc[] = [];
    for (;;) {
      let docStart = this.i;
      this.skipBlank();
      if (this.i >= this.n) break;
      let explicit = false;
      if (s.charCodeAt(this.i) === 0x25 /* % */) bail();
      if (this.isMarker(this.i, '---')) {
        explicit = true;
        docStart = this.i;
        const q = this.skipSpaces(this.i + 3);
        if (!this.atLineEndOrComment(q, q > this.i + 3)) bail();
        this.i = this.nextLine(q);
        this.skipBlank();
      } else if (this.isMarker(this.i, '...')) {
        bail();
      }
      let contents: YNode | null = null;
      if (this.i < this.n && !this.isMarker(this.i, '---') && !this.isMarker(this.i, '...')) {
        const ind = this.indentAt(this.i);
        contents = this.parseBlockNodeAt(this.i + ind, ind, -1);
        this.skipBlank();
      }
      if (!explicit && contents === null) bail();
      let end = this.i;
      if (this.i < this.n) {
        if (this.isMarker(this.i, '...')) {
          end = this.i;
          const q = this.skipSpaces(this.i + 3);
          if (!this.atLineEndOrComment(q, q > this.i + 3)) bail();
          this.i = this.nextLine(q);
          this.skipBlank();
          if (this.i < this.n && !this.isMarker(this.i, '---')) bail();
        } else if (!this.isMarker(this.i, '---')) {
          bail();
        }
      }
      docs.push({ start: docStart, end: Math.max(end, contents ? contents.end : docStart), contents });
      if (this.i >= this.n) break;
    }
    return { docs, duplicates: this.duplicates };
  }

  // ---- block nodes ---------------------------------------------------------------------------------------------

  /** `i` at a content line start; the node belongs to a parent with `parentIndent`. Null when the line is not deeper. */
  private parseBlockNode(parentIndent: number, allowSeqAtParent: boolean): YNode | null {
    if (this.i >= this.n || this.isMarker(this.i, '---') || this.isMarker(this.i, '...')) return null;
    const ind = this.indentAt(this.i);
    if (ind <= parentIndent) {
      if (allowSeqAtParent && ind === parentIndent && this.isSeqIndicator(this.i + ind)) return this.parseBlockSeq(ind, this.i + ind);
      return null;
    }
    return this.parseBlockNodeAt(this.i + ind, ind, parentIndent);
  }

  private parseBlockNodeAt(p: number, col: number, parentIndent: number): YNode {
    if (++this.depth > MAX_DEPTH) bail();
    try {
      if (this.isSeqIndicator(p)) return this.parseBlockSeq(col, p);
      if (this.keyEnd(p) >= 0) return this.parseBlockMap(col, p);
      return this.parseInlineValue(p, parentIndent);
    } finally {
      this.depth--;
    }
  }

  private parseBlockMap(col: number, first: number): YMap {
    const s = this.s;
    const pairs: YPair[] = [];
    const seen = new Set<string>();
    let p = first;
    for (;;) {
      SIMPLE_PAIR.lastIndex = p;
      const simple = SIMPLE_PAIR.exec(s);
      let key: YScalar;
      let value: YNode;
      if (simple !== null) {
        const colon = p + simple[1].length;
        key = { type: 'scalar', start: p, end: colon, value: resolvePlain(simple[1]) };
        const vs = this.skipSpaces(colon + 1);
        const quoted = simple[2];
        value =
          quoted !== undefined
            ? { type: 'scalar', start: vs, end: vs + quoted.length + 2, value: quoted }
            : { type: 'scalar', start: vs, end: vs + simple[3].length, value: resolvePlain(simple[3]) };
        this.i = this.nextLine(SIMPLE_PAIR.lastIndex);
        // As after any one-line value: a deeper line is a continuation or an error, both for the full parser.
        if (this.peekIndent() > col) bail();
        this.addKey(seen, key);
      } else {
        const colon = this.keyEnd(p);
        if (colon < 0) bail();
        key = this.parseKeyScalar(p, colon);
        this.addKey(seen, key);
        const q = this.skipSpaces(colon + 1);
        if (this.atLineEndOrComment(q, q > colon + 1)) {
        this.i = this.nextLine(q);
        this.skipBlank();
          value = this.parseBlockNode(col, true) ?? { type: 'scalar', start: colon + 1, end: colon + 1, value: null };
        } else {
          value = this.parseInlineValue(q, col);
        }
      }
      pairs.push({ key, value });
      this.skipBlank();
      if (this.i >= this.n || this.isMarker(this.i, '---') || this.isMarker(this.i, '...')) break;
      const ind = this.indentAt(this.i);
      if (ind < col) break;
      if (ind > col) bail();
      p = this.i + ind;
      if (this.isSeqIndicator(p)) bail();
    }
    const last = pairs[pairs.length - 1];
    return { type: 'map', start: first, end: Math.max(last.value.end, last.key.end + 1), pairs, flow: false, indent: col };
  }

  /** Records a block map's key; one that repeats an earlier key of the map is a duplicate. */
  private addKey(seen: Set<string>, key: YScalar): void {
    const ks = keyString(key);
    if (seen.has(ks)) this.duplicates.push(key);
    else seen.add(ks);
  }

  private parseBlockSeq(col: number, first: number): YSeq {
    const items: YNode[] = [];
    let p = first;
    for (;;) {
      const q = this.skipSpaces(p + 1);
      let item: YNode;
      if (this.atLineEndOrComment(q, q > p + 1)) {
        this.i = this.nextLine(q);
        this.skipBlank();
        item = this.parseBlockNode(col, false) ?? { type: 'scalar', start: p + 1, end: p + 1, value: null };
      } else {
        const qcol = col + (q - p);
        if (++this.depth > MAX_DEPTH) bail();
        if (this.isSeqIndicator(q)) item = this.parseBlockSeq(qcol, q);
        else if (this.keyEnd(q) >= 0) item = this.parseBlockMap(qcol, q);
        else item = this.parseInlineValue(q, col);
        this.depth--;
      }
      items.push(item);
      this.skipBlank();
      if (this.i >= this.n || this.isMarker(this.i, '---') || this.isMarker(this.i, '...')) break;
      const ind = this.indentAt(this.i);
      if (ind === col && this.isSeqIndicator(this.i + ind)) {
        p = this.i + ind;
        continue;
      }
      if (ind <= col) break;
      bail();
    }
    return { type: 'seq', start: first, end: items[items.length - 1].end, items, flow: false, indent: col };
  }

  /**
   * If a block-map key starts at `p`, the offset of its `:`; otherwise -1. Keys are plain or quoted, on one line.
   */
  private keyEnd(p: number): number {
    const s = this.s;
    const c = s.charCodeAt(p);
    if (c === 0x22 || c === 0x27) {
      const end = this.quotedEnd(p);
      if (end < 0) return -1;
      const r = this.skipSpaces(end);
      return s.charCodeAt(r) === 0x3a && this.isSepAfterColon(r + 1) ? r : -1;
    }
    if (!this.canStartPlain(p)) return -1;
    if (p === this.keyAt) return this.keyColon;
    PLAIN_STOP.lastIndex = p;
    // A match ends with `#`, `:` or a line break; only `:` is a key's.
    const colon = PLAIN_STOP.test(s) && s.charCodeAt(PLAIN_STOP.lastIndex - 1) === 0x3a ? PLAIN_STOP.lastIndex - 1 : -1;
    // Block nodes ask before they parse a map, and the map asks again: answer the second time from here.
    this.keyAt = p;
    this.keyColon = colon;
    return colon;
  }

  private parseKeyScalar(p: number, colon: number): YScalar {
    const c = this.s.charCodeAt(p);
    if (c === 0x22 || c === 0x27) {
      const q = this.parseQuoted(p);
      return q;
    }
    let e = colon;
    while (e > p && this.s.charCodeAt(e - 1) === 0x20) e--;
    const raw = this.s.slice(p, e);
    return { type: 'scalar', start: p, end: e, value: resolvePlain(raw) };
  }

  /** A value that starts on the current line at `p`; on return `i` is at the next line's start. */
  private parseInlineValue(p: number, col: number): YNode {
    const s = this.s;
    const c = s[p];
    let node: YNode;
    if (c === '|' || c === '>') return this.parseBlockScalar(p, col);
    if (c === '[' || c === '{') {
      node = this.parseFlowNode(p, 0);
      this.finishLine(node.end);
    } else if (c === '"' || c === "'") {
      node = this.parseQuoted(p);
      this.finishLine(node.end);
    } else {
      if (!this.canStartPlain(p)) bail();
      PLAIN_STOP.lastIndex = p;
      let end: number;
      let next: number;
      if (!PLAIN_STOP.test(s)) {
        end = this.n;
        next = this.n;
      } else {
        const last = PLAIN_STOP.lastIndex - 1;
        const ch = s.charCodeAt(last);
        if (ch === 0x3a) bail();
        if (ch === 0x23) {
          end = last; // the comment's `#`
          next = this.nextLine(end);
        } else {
          end = last > p && s.charCodeAt(last - 1) === 0x0d ? last - 1 : last;
          next = last + 1;
        }
      }
      while (end > p && s.charCodeAt(end - 1) === 0x20) end--;
      node = { type: 'scalar', start: p, end, value: resolvePlain(s.slice(p, end)) };
      this.i = next;
    }
    // A deeper line after a one-line value is a continuation or an error: both for the full parser.
    const next = this.peekIndent();
    if (next > col) bail();
    return node;
  }

  // ---- block scalars ---------------------------------------------------------------------------------------------

  private parseBlockScalar(p: number, col: number): YScalar {
    const s = this.s;
    const folded = s[p] === '>';
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    let q = p + 1;
    const h = s[q];
    if (h === '-' || h === '+') {
      chomp = h === '-' ? 'strip' : 'keep';
      q++;
    }
    if (/[0-9+-]/.test(s[q] ?? '')) bail();
    const afterHeader = q;
    q = this.skipSpaces(q);
    if (!this.atLineEndOrComment(q, q > afterHeader)) bail();
    let r = this.nextLine(q);
    const lines: (string | null)[] = [];
    let blockIndent = -1;
    let leadingMax = 0;
    let contentEnd = afterHeader;
    while (r < this.n) {
      const e = this.eol(r);
      const k = this.skipSpaces(r);
      if (k >= e) {
        const spaces = k - r;
        if (blockIndent < 0) leadingMax = Math.max(leadingMax, spaces);
        else if (spaces > blockIndent) bail();
        lines.push(null);
        r = this.nextLine(e);
        continue;
      }
      const ind = k - r;
      if (blockIndent < 0) {
        if (ind <= col) break;
        if (leadingMax > ind) bail();
        blockIndent = ind;
      }
      if (ind < blockIndent) break;
      if (col < 0 && ind === 0 && (this.isMarker(r, '---') || this.isMarker(r, '...'))) break;
      if (e >= this.n) bail(); // last line without a line break: leave the chomping subtleties to `yaml`
      const line = s.slice(r + blockIndent, e);
      if (folded && (line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x23)) bail();
      lines.push(line);
      contentEnd = e;
      r = this.nextLine(e);
    }
    // Trailing empty lines belong to the scalar only for chomping.
    let trailing = 0;
    while (lines.length > 0 && lines[lines.length - 1] === null) {
      lines.pop();
      trailing++;
    }
    if (lines.length === 0) bail();
    let body = '';
    if (!folded) {
      body = lines.map((l) => l ?? '').join('\n');
    } else {
      let empties = 0;
      let first = true;
      for (const l of lines) {
        if (l === null) {
          empties++;
          continue;
        }
        if (first) body += '\n'.repeat(empties) + l;
        else body += (empties > 0 ? '\n'.repeat(empties) : ' ') + l;
        first = false;
        empties = 0;
      }
    }
    const value = chomp === 'strip' ? body : chomp === 'clip' ? body + '\n' : body + '\n' + '\n'.repeat(trailing);
    // Continue after the scalar's content (trailing empty lines are skipped by the caller anyway).
    this.i = r;
    return { type: 'scalar', start: p, end: contentEnd, value };
  }

  // ---- flow nodes (one line) --------------------------------------------------------------------------------------

  private skipFlowSpaces(p: number): number {
    p = this.skipSpaces(p);
    const c = this.s.charCodeAt(p);
    if (p >= this.n || c === 0x0a || c === 0x0d || c === 0x23) bail();
    return p;
  }

  private parseFlowNode(p: number, depth: number): YNode {
    if (depth > MAX_DEPTH) bail();
    const s = this.s;
    p = this.skipFlowSpaces(p);
    const c = s[p];
    if (c === '[') {
      const items: YNode[] = [];
      let r = p + 1;
      for (;;) {
        r = this.skipFlowSpaces(r);
        if (s[r] === ']') break;
        const item = this.parseFlowNode(r, depth + 1);
        items.push(item);
        r = this.skipFlowSpaces(item.end);
        if (s[r] === ',') {
          r++;
          continue;
        }
        if (s[r] === ']') break;
        bail();
      }
      return { type: 'seq', start: p, end: r + 1, items, flow: true, indent: -1 };
    }
    if (c === '{') {
      const pairs: YPair[] = [];
      const seen = new Set<string>();
      let r = p + 1;
      for (;;) {
        r = this.skipFlowSpaces(r);
        if (s[r] === '}') break;
        FLOW_PAIR.lastIndex = r;
        const simple = depth < MAX_DEPTH ? FLOW_PAIR.exec(s) : null;
        let key: YScalar;
        let value: YNode;
        if (simple !== null) {
          const keyEnd = r + simple[1].length;
          key = { type: 'scalar', start: r, end: keyEnd, value: resolvePlain(simple[1]) };
          const vs = keyEnd + 1 + simple[2].length;
          const quoted = simple[3];
          value =
            quoted !== undefined
              ? { type: 'scalar', start: vs, end: vs + quoted.length + 2, value: quoted }
              : { type: 'scalar', start: vs, end: vs + simple[4].length, value: resolvePlain(simple[4]) };
          this.addKey(seen, key);
        } else {
          key = this.parseFlowScalar(r, true);
          this.addKey(seen, key);
          r = this.skipFlowSpaces(key.end);
          if (s[r] !== ':') bail();
          r = this.skipFlowSpaces(r + 1);
          if (s[r] === ',' || s[r] === '}') bail();
          value = this.parseFlowNode(r, depth + 1);
        }
        pairs.push({ key, value });
        r = this.skipFlowSpaces(value.end);
        if (s[r] === ',') {
          r++;
          continue;
        }
        if (s[r] === '}') break;
        bail();
      }
      return { type: 'map', start: p, end: r + 1, pairs, flow: true, indent: -1 };
    }
    return this.parseFlowScalar(p, false);
  }

  private parseFlowScalar(p: number, isKey: boolean): YScalar {
    const s = this.s;
    const c = s[p];
    if (c === '"' || c === "'") {
      const q = this.parseQuoted(p);
      // `"a":b` is allowed in YAML flow maps; keep to the plain `"a": b` form.
      if (isKey && s[q.end] === ':' && !this.isSepAfterColon(q.end + 1)) bail();
      return q;
    }
    if (c === undefined || '[]{},#&*!|>\'"%@`?'.includes(c)) bail();
    if (c === '-' || c === ':') {
      const d = s[p + 1];
      if (d === undefined || d === ' ' || d === ',' || d === ']' || d === '}') bail();
    }
    FLOW_STOP.lastIndex = p;
    let end = this.n;
    if (FLOW_STOP.test(s)) {
      end = FLOW_STOP.lastIndex - 1; // a flow indicator, `:`, a comment's `#` or LF
      if (s.charCodeAt(end) === 0x0a && end - 1 >= p && s.charCodeAt(end - 1) === 0x0d) end--;
    }
    while (end > p && s.charCodeAt(end - 1) === 0x20) end--;
    if (end === p) bail();
    return { type: 'scalar', start: p, end, value: resolvePlain(s.slice(p, end)) };
  }
}
