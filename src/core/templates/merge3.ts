/**
 * Three-way merge of one text file with node-diff3 (a maintained diff3 implementation): line based, line endings
 * normalised for the merge and restored after it, and where both sides changed the same lines, standard conflict
 * markers with labels (`<<<<<<< yours`, `||||||| golden path 1.2.0`, `=======`, `>>>>>>> golden path 1.3.0`, the
 * layout of `git merge-file --diff3`, which VS Code's merge editor and conflict decorations read). Pure.
 */
import { diff3Merge } from 'node-diff3';

export interface MergeLabels {
  /** The files in the service now (`yours`). */
  current: string;
  /** The recorded version rendered again. */
  base: string;
  /** The target version. */
  theirs: string;
}

export interface TextMerge {
  text: string;
  /** Number of conflict blocks written into `text`. */
  conflicts: number;
}

/** `\r\n` when most line breaks of `text` are CRLF, else `\n`. */
export function eolOf(text: string): '\r\n' | '\n' {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

/** Text with every line break as `\n`. */
export function normaliseEol(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

/** The same text with `\n` line breaks turned into `eol`. */
export function withEol(text: string, eol: '\r\n' | '\n'): string {
  const lf = normaliseEol(text);
  return eol === '\n' ? lf : lf.replace(/\n/g, '\r\n');
}

/** Equal up to line endings (a checkout with CRLF is not a change). */
export function sameText(a: string, b: string): boolean {
  return a === b || normaliseEol(a) === normaliseEol(b);
}

/**
 * Merges `current` and `theirs`, both derived from `base`. The result keeps the line endings of `current`. A hunk
 * both sides changed the same way is taken once (not a conflict).
 */
export function mergeText(current: string, base: string, theirs: string, labels: MergeLabels): TextMerge {
  const eol = eolOf(current);
  const split = (t: string) => normaliseEol(t).split('\n');
  const regions = diff3Merge(split(current), split(base), split(theirs), { excludeFalseConflicts: true });
  const out: string[] = [];
  let conflicts = 0;
  for (const r of regions) {
    if (r.ok) {
      out.push(...r.ok);
    } else if (r.conflict) {
      conflicts++;
      const c = r.conflict;
      out.push(`<<<<<<< ${labels.current}`, ...c.a, `||||||| ${labels.base}`, ...c.o, '=======', ...c.b, `>>>>>>> ${labels.theirs}`);
    }
  }
  return { text: withEol(out.join('\n'), eol), conflicts };
}

/** One block of conflict markers in a file, by 0-based line numbers (`start` is the `<<<<<<<` line). */
export interface ConflictBlock {
  start: number;
  /** The `=======` line. */
  separator: number;
  /** The `>>>>>>>` line. */
  end: number;
  /** What follows `<<<<<<< ` and `>>>>>>> `. */
  currentLabel: string;
  incomingLabel: string;
}

/** The complete conflict blocks in `text` (markers at the start of a line, in order); a lone marker is not a block. */
export function conflictBlocks(text: string): ConflictBlock[] {
  const lines = normaliseEol(text).split('\n');
  const out: ConflictBlock[] = [];
  let start = -1;
  let separator = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^<{7}(?: |$)/.test(l)) {
      start = i;
      separator = -1;
    } else if (start >= 0 && /^={7}$/.test(l)) {
      separator = i;
    } else if (start >= 0 && separator >= 0 && /^>{7}(?: |$)/.test(l)) {
      out.push({ start, separator, end: i, currentLabel: lines[start].slice(8), incomingLabel: l.slice(8) });
      start = -1;
      separator = -1;
    }
  }
  return out;
}
