/**
 * A secret scanner for manifests: likely credentials anywhere in the text (values, keys, comments), at their exact
 * range. First the formats the world knows — secretlint's recommended preset (secretlint.ts: Stripe, npm, SendGrid,
 * OpenAI, Anthropic, GitHub, GitLab, Slack, basic-auth URLs, database URLs, private keys, …) and the few families the
 * issue names that the preset lacks, as gitleaks defines them (Google API keys, Azure, PyPI, Twilio) — plus AWS
 * secret access keys and JSON Web Tokens; then long high-entropy tokens that no detector claimed.
 */
import { describeRule, runSecretlint } from './secretlint';
import { tokens } from './tokens';

export interface SecretMatch {
  offset: number;
  length: number;
  /** Detector id: a secretlint rule name (`stripe`, `github`, `basicauth`, …), one of Paved's own below, or `high-entropy`. */
  detector: string;
  description: string;
}

interface Detector {
  id: string;
  description: string;
  /** A cheap test that must pass before the regular expression runs over the text. */
  hint: RegExp;
  re: RegExp;
  /** Which capture group is the secret (default: the whole match). */
  group?: number;
}

/**
 * Formats secretlint's preset does not cover. The first four follow gitleaks' rules of the same ids (gitleaks ships
 * as a Go program, not as a package Paved could import); the AWS secret access key is reported here because the
 * preset's range for it starts at the key name; secretlint has no JWT rule.
 */
const DETECTORS: Detector[] = [
  { id: 'gcp-api-key', description: 'a Google API key', hint: /AIza/, re: /\bAIza[\w-]{35}(?![\w-])/g },
  {
    id: 'azure-ad-client-secret',
    description: 'an Azure AD client secret',
    hint: /\dQ~/,
    re: /(?<![A-Za-z0-9_~.-])[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
  },
  { id: 'azure-storage-key', description: 'an Azure storage account key', hint: /AccountKey=/, re: /AccountKey=([A-Za-z0-9+/]{86}==)/g, group: 1 },
  { id: 'pypi-upload-token', description: 'a PyPI upload token', hint: /pypi-AgEIcHlwaS5vcmc/, re: /\bpypi-AgEIcHlwaS5vcmc[\w-]{50,1000}/g },
  { id: 'twilio-api-key', description: 'a Twilio API key', hint: /SK[0-9a-fA-F]{32}/, re: /\bSK[0-9a-fA-F]{32}\b/g },
  {
    id: 'aws-secret-access-key',
    description: 'an AWS secret access key',
    hint: /aws_?secret/i,
    re: /\baws_?secret_?(?:access_?)?key\b["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 1,
  },
  { id: 'jwt', description: 'a JSON Web Token', hint: /eyJ/, re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
];

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

function looksHighEntropy(tok: string): boolean {
  const t = tok.replace(/=+$/, '');
  if (t.length < 24) return false;
  // Words joined by separators (names, paths, kebab-case ids) are not secrets.
  if (/^[a-z0-9]+(?:[-_/][a-z0-9]+)*$/i.test(t) && /[-_/]/.test(t) && !/[0-9]{4}/.test(t)) return false;
  const classes = Number(/[a-z]/.test(t)) + Number(/[A-Z]/.test(t)) + Number(/[0-9]/.test(t));
  if (classes < 3 && !/^[0-9a-f]{32,}$/i.test(t)) return false;
  const threshold = /^[0-9a-f]+$/i.test(t) ? 3.0 : 4.0;
  return entropy(t) >= threshold;
}

const MAX_MATCHES = 100;

/** Any text a detector could match contains one of these: most manifests contain none, and one search rules them all out. */
const ANY_HINT = new RegExp(DETECTORS.map((d) => d.hint.source).join('|'), 'i');

/** Every secret of a known format (not high-entropy guesses), in text order. */
export function scanKnownSecrets(text: string): SecretMatch[] {
  const out: SecretMatch[] = [];
  const claimed: [number, number][] = [];
  const overlaps = (a: number, b: number) => claimed.some(([s, e]) => a < e && b > s);
  const add = (offset: number, length: number, detector: string, description: string) => {
    if (out.length >= MAX_MATCHES || overlaps(offset, offset + length)) return;
    claimed.push([offset, offset + length]);
    out.push({ offset, length, detector, description });
  };
  for (const m of runSecretlint(text).sort((a, b) => a.offset - b.offset || b.length - a.length)) add(m.offset, m.length, m.rule, describeRule(m.rule));
  for (const d of ANY_HINT.test(text) ? DETECTORS : []) {
    if (!d.hint.test(text)) continue;
    d.re.lastIndex = 0;
    for (let m = d.re.exec(text); m !== null && out.length < MAX_MATCHES; m = d.re.exec(text)) {
      const g = d.group ?? 0;
      const value = m[g];
      if (value === undefined) continue;
      add(g === 0 ? m.index : m.index + m[0].lastIndexOf(value), value.length, d.id, d.description);
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

export function scanSecrets(text: string): SecretMatch[] {
  const out = scanKnownSecrets(text);
  const claimed = out.map((m): [number, number] => [m.offset, m.offset + m.length]);
  for (const [offset, tok] of tokens(text, 24)) {
    if (out.length >= MAX_MATCHES) break;
    // Secret references (vault://…), URLs and paths are not secrets themselves.
    const before = text.slice(Math.max(0, offset - 12), offset);
    if (/:\/\/[^\s]*$|[/.]$|sha(?:1|256|384|512):$/.test(before)) continue;
    if (!looksHighEntropy(tok)) continue;
    const end = offset + tok.length;
    if (claimed.some(([s, e]) => offset < e && end > s)) continue;
    claimed.push([offset, end]);
    out.push({ offset, length: tok.length, detector: 'high-entropy', description: 'a high-entropy string (a likely secret)' });
  }
  return out.sort((a, b) => a.offset - b.offset);
}
