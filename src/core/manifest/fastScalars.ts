/**
 * The fast YAML scanner's constants and scalar rules (fastParse.ts): the characters that send a file to the full
 * parser, the regular expressions its inner loops run, the core-schema resolution of plain scalars and the escapes of
 * double-quoted ones, and `bail`, how the scanner gives up.
 */

export const BAIL = Symbol('bail');

/** Gives up: the caller parses the text with `yaml` instead. */
export function bail(): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw BAIL;
}

/** Characters that send a file to the full parser straight away. */
// eslint-disable-next-line no-control-regex -- these control characters are exactly what the check looks for
export const UNSUPPORTED_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\t\u2028\u2029\ufeff\ufffe\uffff]/;
/** A CR that does not start a CRLF (looked for only in texts that have a CR: one character class is a faster scan). */
export const LONE_CR = /\r(?!\n)/;
export const MAX_DEPTH = 100;

/*
 * The scanner's inner loops are regular expressions run from a position (lastIndex): V8 runs them as native code from
 * their first uses, where a loop over characters would run in the interpreter until the JIT has warmed up, and a
 * process that lints many small files (paved lint) spends most of its time before that.
 */
/** In a block key or plain value: a comment start (` #`), a `:` that separates a key, or the line's end. */
export const PLAIN_STOP = / #|:(?=[ \r\n]|$)|\n/g;
/** In a flow scalar: a flow indicator, a comment start, a `:` that ends a key, or the line's end. */
export const FLOW_STOP = /[,[\]{}]| #|:(?=[ ,[\]{}\r\n]|$)|\r?\n/g;
/** In a quoted scalar: its possible end, an escape, or the line's end. */
export const DOUBLE_STOP = /["\\\r\n]/g;
export const SINGLE_STOP = /['\r\n]/g;
/*
 * (The loops call `test`, not `exec`: no match array is allocated, and where the match starts follows from where it
 * ends, `lastIndex`, and its last character.)
 */
/**
 * The commonest line of a block map, `key: value` with a simple key and a simple one-line value (plain words of
 * letters, digits, `_./-` and `:` not before a space, or double quoted without escapes), and nothing after it: read
 * with one match. Everything it accepts, the general path would
 * read the same way; anything else (comments, flow, escapes, nested blocks…) goes the general way.
 */
/**
 * The commonest pair of a flow map, `key: value` with a simple key and a simple value (a word of letters, digits and
 * `_./-` before the next `,` or `}`, or double quoted without escapes): read with one match, like SIMPLE_PAIR.
 */
export const FLOW_PAIR = /([A-Za-z_][A-Za-z0-9_-]*):( +)(?:"([^"\\\r\n]*)"|([A-Za-z0-9_/][A-Za-z0-9_./-]*)(?= *[,}]))/y;
/*
 * (The plain value's repetitions are bounded: over a multi-megabyte value an unbounded alternation backtracks through
 * all of it and overflows the engine's stack. A longer value goes the general way.)
 */
export const SIMPLE_PAIR = /([A-Za-z_][A-Za-z0-9_-]*): +(?:"([^"\\\r\n]*)"|([A-Za-z0-9_/](?:[A-Za-z0-9_./-]|:(?![ \r\n]|$)){0,1024}(?: +(?:[A-Za-z0-9_./-]|:(?![ \r\n]|$)){1,1024}){0,64})) *(?=\r?\n|$)/y;

const NULL_RE = /^(?:~|[Nn]ull|NULL)$/;
const TRUE_RE = /^(?:[Tt]rue|TRUE)$/;
const FALSE_RE = /^(?:[Ff]alse|FALSE)$/;
const INT_RE = /^[-+]?[0-9]+$/;
const OCT_RE = /^0o[0-7]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const INF_RE = /^[-+]?\.(?:inf|Inf|INF)$/;
const NAN_RE = /^\.(?:nan|NaN|NAN)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** Resolves a plain scalar like `yaml`'s core schema (YAML 1.2) does. */
export function resolvePlain(str: string): unknown {
  const c = str.charCodeAt(0);
  // Only ~ n N t T f F + - . and digits can start a non-string.
  const maybe =
    c === 0x7e || c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46 || c === 0x2b || c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39);
  if (!maybe) return str;
  // Each of null, true and false starts with its own letters, and no number starts with one of them.
  if (c === 0x7e || c === 0x6e || c === 0x4e) return NULL_RE.test(str) ? null : str;
  if (c === 0x74 || c === 0x54) return TRUE_RE.test(str) ? true : str;
  if (c === 0x66 || c === 0x46) return FALSE_RE.test(str) ? false : str;
  if (OCT_RE.test(str)) return parseInt(str.slice(2), 8);
  if (INT_RE.test(str)) return parseInt(str, 10);
  if (HEX_RE.test(str)) return parseInt(str.slice(2), 16);
  if (INF_RE.test(str)) return str.charCodeAt(0) === 0x2d ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (NAN_RE.test(str)) return NaN;
  if (EXP_RE.test(str) || FLOAT_RE.test(str)) return parseFloat(str);
  return str;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

/** The value of a double-quoted scalar's body (between the quotes) that has a backslash: escapes decoded. */
export function unescapeDouble(body: string): string {
  let out = '';
  for (let r = 0; r < body.length; r++) {
    const ch = body[r];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = body[++r];
    if (e === undefined) bail();
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (len === 0) bail();
    const hex = body.slice(r + 1, r + 1 + len);
    if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) bail();
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) bail();
    out += String.fromCodePoint(cp);
    r += len;
  }
  return out;
}
