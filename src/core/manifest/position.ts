/** Offsets ↔ 0-based line/column (UTF-16 code units; CRLF counts as one line break; a BOM is column 0's character). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const o = Math.max(0, Math.min(offset, text.length));
  let line = 0;
  let lineStart = 0;
  let i = text.indexOf('\n');
  while (i >= 0 && i < o) {
    line++;
    lineStart = i + 1;
    i = text.indexOf('\n', lineStart);
  }
  return { line, column: o - lineStart };
}

/** Line starts of a text, for converting many offsets (binary search). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: o - this.starts[lo] };
  }

  offset(line: number, column: number): number {
    if (line < 0) return 0;
    if (line >= this.starts.length) return this.text.length;
    return Math.min(this.starts[line] + column, this.text.length);
  }
}

/** The line break a text uses (CRLF when its first line break is one). */
export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text.charCodeAt(i - 1) === 0x0d ? '\r\n' : '\n';
}

/** Offset of the end of the line containing `offset` (before CR/LF). */
export function lineEndAt(text: string, offset: number): number {
  let e = text.indexOf('\n', offset);
  if (e < 0) e = text.length;
  if (e > 0 && text.charCodeAt(e - 1) === 0x0d) e--;
  return Math.max(e, Math.min(offset, text.length));
}

/** Offset of the start of the line containing `offset`. */
export function lineStartAt(text: string, offset: number): number {
  return text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
}

/** Applies non-overlapping edits (any order) to a text. */
export function applyEdits(text: string, edits: readonly { offset: number; length: number; newText: string }[]): string {
  const sorted = [...edits].sort((a, b) => b.offset - a.offset || b.length - a.length);
  let out = text;
  let last = Number.POSITIVE_INFINITY;
  for (const e of sorted) {
    if (e.offset + e.length > last) throw new RangeError('Overlapping edits');
    out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
    last = e.offset;
  }
  return out;
}
