/**
 * The fast YAML scanner's position over the text and what it reads within one line (fastParse.ts builds the tree on
 * it): line ends and indents, blank and comment lines, document markers, where a plain scalar may start, and quoted
 * scalars. Every method is a step of `FastParser`; none gives a meaning to more than one line.
 */
import { DOUBLE_STOP, SINGLE_STOP, bail, unescapeDouble } from './fastScalars';
import type { YScalar } from './tree';

export class LineScanner {
  protected i: number;
  protected readonly n: number;
  /** The last skipBlank: from where, to where (peekIndent and the parse after it skip the same lines). */
  protected blankFrom = -1;
  protected blankTo = -1;

  constructor(
    protected readonly s: string,
    start: number,
  ) {
    this.i = start;
    this.n = s.length;
  }

  // ---- lines -------------------------------------------------------------------------------------------------

  /** Offset of the line break (CR of CRLF, or LF) or the end of the text. */
  protected eol(p: number): number {
    let e = this.s.indexOf('\n', p);
    if (e < 0) e = this.n;
    if (e > p && this.s.charCodeAt(e - 1) === 0x0d) e--;
    return e;
  }

  protected nextLine(p: number): number {
    const e = this.s.indexOf('\n', p);
    return e < 0 ? this.n : e + 1;
  }

  protected indentAt(lineStart: number): number {
    let k = lineStart;
    while (this.s.charCodeAt(k) === 0x20) k++;
    return k - lineStart;
  }

  protected skipSpaces(p: number): number {
    while (this.s.charCodeAt(p) === 0x20) p++;
    return p;
  }

  /** True at a line end, the text's end, or a comment (a `#` after whitespace). */
  protected atLineEndOrComment(p: number, afterSpace: boolean): boolean {
    if (p >= this.n) return true;
    const c = this.s.charCodeAt(p);
    return c === 0x0a || c === 0x0d || (c === 0x23 && afterSpace);
  }

  /** From a line start, skips empty and comment-only lines; `i` ends at the start of a content line (or the end). */
  protected skipBlank(): void {
    if (this.i === this.blankFrom) {
      this.i = this.blankTo;
      return;
    }
    const from = this.i;
    this.skipBlankLines();
    this.blankFrom = from;
    this.blankTo = this.i;
  }

  protected skipBlankLines(): void {
    const s = this.s;
    while (this.i < this.n) {
      const k = this.skipSpaces(this.i);
      if (k >= this.n) {
        this.i = this.n;
        return;
      }
      const c = s.charCodeAt(k);
      if (c === 0x0a || c === 0x0d || c === 0x23) {
        this.i = this.nextLine(k);
        continue;
      }
      return;
    }
  }

  /** Where the next content line starts and its indent, without consuming anything (comments skipped). */
  protected peekIndent(): number {
    const save = this.i;
    this.skipBlank();
    const ind = this.i >= this.n ? -1 : this.indentAt(this.i);
    this.i = save;
    return ind;
  }

  protected isMarker(p: number, m: string): boolean {
    if (this.s.charCodeAt(p) !== m.charCodeAt(0) || !this.s.startsWith(m, p)) return false;
    if (p > 0 && this.s.charCodeAt(p - 1) !== 0x0a) return false;
    const c = this.s.charCodeAt(p + 3);
    return p + 3 >= this.n || c === 0x20 || c === 0x0a || c === 0x0d;
  }

  protected isSeqIndicator(p: number): boolean {
    if (this.s.charCodeAt(p) !== 0x2d) return false;
    const c = this.s.charCodeAt(p + 1);
    return p + 1 >= this.n || c === 0x20 || c === 0x0a || c === 0x0d;
  }

  protected isSepAfterColon(q: number): boolean {
    if (q >= this.n) return true;
    const c = this.s.charCodeAt(q);
    return c === 0x20 || c === 0x0a || c === 0x0d;
  }

  protected canStartPlain(p: number): boolean {
    const c = this.s[p];
    if (c === undefined) return false;
    if ('-?:'.includes(c)) {
      const d = this.s.charCodeAt(p + 1);
      return !(p + 1 >= this.n || d === 0x20 || d === 0x0a || d === 0x0d);
    }
    return !',[]{}#&*!|>\'"%@`\r\n '.includes(c);
  }

  /** After a quoted or flow node: only spaces and a comment may follow on its line. */
  protected finishLine(end: number): void {
    const q = this.skipSpaces(end);
    if (!this.atLineEndOrComment(q, q > end)) bail();
    this.i = this.nextLine(q);
  }

  /** Offset after the closing quote, or -1 when the scalar does not close on this line. */
  protected quotedEnd(p: number): number {
    const s = this.s;
    const q = s.charCodeAt(p);
    const re = q === 0x22 ? DOUBLE_STOP : SINGLE_STOP;
    re.lastIndex = p + 1;
    while (re.test(s)) {
      const r = re.lastIndex - 1;
      const ch = s.charCodeAt(r);
      if (ch === 0x0a || ch === 0x0d) return -1;
      if (ch === 0x5c) {
        re.lastIndex = r + 2; // an escaped character (a quote, a backslash…) does not end the scalar
        continue;
      }
      if (q === 0x27 && s.charCodeAt(r + 1) === 0x27) {
        re.lastIndex = r + 2; // '' is a quote inside single quotes
        continue;
      }
      return r + 1;
    }
    return -1;
  }

  protected parseQuoted(p: number): YScalar {
    const s = this.s;
    const end = this.quotedEnd(p);
    if (end < 0) bail();
    const body = s.slice(p + 1, end - 1);
    let value: string;
    if (s.charCodeAt(p) === 0x27) {
      value = body.includes("''") ? body.replace(/''/g, "'") : body;
    } else if (!body.includes('\\')) {
      value = body;
    } else {
      value = unescapeDouble(body);
    }
    return { type: 'scalar', start: p, end, value };
  }
}
