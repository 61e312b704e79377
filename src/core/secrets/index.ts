/**
 * A secret scanner for manifests: likely credentials anywhere in the text (values, keys, comments), at their exact
 * range. Detectors with a recognisable shape first; then long high-entropy tokens that no detector claimed.
 */

export interface SecretMatch {
  offset: number;
  length: number;
  /** Detector id: aws-access-key-id, aws-secret-access-key, github-token, gitlab-token, slack-token, private-key, jwt, high-entropy. */
  detector: string;
  description: string;
}

interface Detector {
  id: string;
  description: string;
  /** A cheap test that must pass before the regular expression runs over the text. */
  hint: (text: string) => boolean;
  re: RegExp;
  /** Which capture group is the secret (default: the whole match). */
  group?: number;
}

/*
 * Every repetition below has an upper bound: an unbounded one over a huge token (an 8 MB line) makes the regular
 * expression engine backtrack through all of it and overflow its stack, and the file lost all its findings.
 */
const DETECTORS: Detector[] = [
  { id: 'private-key', description: 'a private key block', hint: (t) => t.includes('PRIVATE KEY'), re: /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,16384}?-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----)?/g },
  { id: 'aws-access-key-id', description: 'an AWS access key id', hint: (t) => /A[KSBC][IC]A/.test(t), re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  {
    id: 'aws-secret-access-key',
    description: 'an AWS secret access key',
    hint: (t) => /aws_?secret/i.test(t),
    re: /\baws_?secret_?(?:access_?)?key\b["']?[ \t]{0,20}[:=][ \t]{0,20}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 1,
  },
  { id: 'github-token', description: 'a GitHub token', hint: (t) => /gh[pousr]_|github_pat_/.test(t), re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { id: 'gitlab-token', description: 'a GitLab token', hint: (t) => /gl(?:pat|dt|rt|cbt|ptt|ft|imt|agent)-/.test(t), re: /\bgl(?:pat|dt|rt|cbt|ptt|ft|imt|agent)-[A-Za-z0-9_-]{20,255}\b/g },
  { id: 'slack-token', description: 'a Slack token', hint: (t) => t.includes('xox'), re: /\bxox[abposr]-[A-Za-z0-9-]{10,255}\b/g },
  { id: 'jwt', description: 'a JSON Web Token', hint: (t) => t.includes('eyJ'), re: /\beyJ[A-Za-z0-9_-]{8,8192}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,8192}/g },
];

/**
 * Any text a detector could match contains one of these (each detector's own hint, together): most manifests
 * contain none, and one search over the text then rules them all out.
 */
const ANY_HINT = /PRIVATE KEY|A[KSBC][IC]A|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|cbt|ptt|ft|imt|agent)-|xox|eyJ/;
const AWS_HINT = /aws_?secret/i;

/** 1 for the ASCII code units that can be part of a token: A-Z a-z 0-9 + / _ = - */
const TOKEN_CHAR = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_=-') TOKEN_CHAR[ch.charCodeAt(0)] = 1;

function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN_CHAR[c] === 1;
}

/**
 * Runs of token characters at least `min` long (offset, token), in order. Every run that long covers one of the
 * positions min-1, 2·min-1, …, so only those are looked at, and a run is measured only around one of them: about a
 * sixth of the text's characters are read instead of all of them.
 */
function tokens(text: string, min: number): [number, string][] {
  const out: [number, string][] = [];
  const n = text.length;
  for (let i = min - 1; i < n; i += min) {
    if (!isTokenChar(text.charCodeAt(i))) continue;
    let a = i;
    while (a > 0 && isTokenChar(text.charCodeAt(a - 1))) a--;
    let b = i + 1;
    while (b < n && isTokenChar(text.charCodeAt(b))) b++;
    if (b - a >= min) out.push([a, text.slice(a, b)]);
    i = b; // the next probe is `min` after the run's end: no run is skipped, none is seen twice
  }
  return out;
}
/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** A longer run is judged by its first this many characters (a blob that long is a secret or data, not words). */
const MAX_JUDGED = 4096;

function looksHighEntropy(tok: string): boolean {
  const t = tok.slice(0, MAX_JUDGED).replace(/=+$/, '');
  if (t.length < 24) return false;
  // Words joined by separators (names, paths, kebab-case ids) are not secrets.
  if (/^[a-z0-9]+(?:[-_/][a-z0-9]+)*$/i.test(t) && /[-_/]/.test(t) && !/[0-9]{4}/.test(t)) return false;
  const classes = Number(/[a-z]/.test(t)) + Number(/[A-Z]/.test(t)) + Number(/[0-9]/.test(t));
  if (classes < 3 && !/^[0-9a-f]{32,}$/i.test(t)) return false;
  const threshold = /^[0-9a-f]+$/i.test(t) ? 3.0 : 4.0;
  return entropy(t) >= threshold;
}

const MAX_MATCHES = 100;

export function scanSecrets(text: string): SecretMatch[] {
  const out: SecretMatch[] = [];
  const claimed: [number, number][] = [];
  const overlaps = (a: number, b: number) => claimed.some(([s, e]) => a < e && b > s);
  for (const d of ANY_HINT.test(text) || AWS_HINT.test(text) ? DETECTORS : []) {
    if (!d.hint(text)) continue;
    d.re.lastIndex = 0;
    for (let m = d.re.exec(text); m !== null && out.length < MAX_MATCHES; m = d.re.exec(text)) {
      const g = d.group ?? 0;
      const value = m[g];
      if (value === undefined) continue;
      const offset = g === 0 ? m.index : m.index + m[0].lastIndexOf(value);
      const end = offset + value.length;
      if (overlaps(offset, end)) continue;
      claimed.push([offset, end]);
      out.push({ offset, length: value.length, detector: d.id, description: d.description });
    }
  }
  for (const [offset, tok] of tokens(text, 24)) {
    if (out.length >= MAX_MATCHES) break;
    // Secret references (vault://…), URLs and paths are not secrets themselves.
    const before = text.slice(Math.max(0, offset - 12), offset);
    if (/:\/\/[^\s]*$|[/.]$|sha(?:1|256|384|512):$/.test(before)) continue;
    if (!looksHighEntropy(tok)) continue;
    if (overlaps(offset, offset + tok.length)) continue;
    claimed.push([offset, offset + tok.length]);
    out.push({ offset, length: tok.length, detector: 'high-entropy', description: 'a high-entropy string (a likely secret)' });
  }
  return out.sort((a, b) => a.offset - b.offset);
}
