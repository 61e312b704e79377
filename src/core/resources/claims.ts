/**
 * Claims in a manifest and the placeholders that bind their outputs: reading `spec.claims`, finding
 * `${claims.NAME.OUTPUT}` in a value (`$${` is a literal `${`), substituting outputs into an environment, naming the
 * resource behind a claim, and masking secret values in text. Pure; used by the linter, the platform and every face.
 */
import type { Claim } from './types';
import { MASK } from './types';

/** One `${…}` placeholder in a value, with offsets relative to the value's text. */
export interface Placeholder {
  /** Offset and length of the whole `${…}`. */
  offset: number;
  length: number;
  /** The namespace: `claims` in paved.yaml, `resources` in score.yaml. */
  scope: string;
  /** Set when the placeholder is `${SCOPE.NAME.OUTPUT}`; absent when malformed. */
  name?: string;
  output?: string;
  nameOffset?: number;
  outputOffset?: number;
}

const ANY = /\$\{([^}]*)\}/g;
const SHAPE = /^([a-z]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/** The placeholders of `scope` in a value (`claims` or `resources`); `$${…}` is an escape, not a placeholder. */
export function findPlaceholders(value: string, scope = 'claims'): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of value.matchAll(ANY)) {
    const at = m.index;
    if (at > 0 && value[at - 1] === '$') continue; // $${…}: a literal
    const inner = m[1].trim();
    if (inner !== scope && !inner.startsWith(`${scope}.`)) continue;
    const p: Placeholder = { offset: at, length: m[0].length, scope };
    const shape = SHAPE.exec(inner);
    if (shape && shape[1] === scope) {
      const innerAt = at + 2 + m[1].indexOf(inner);
      p.name = shape[2];
      p.output = shape[3];
      p.nameOffset = innerAt + scope.length + 1;
      p.outputOffset = p.nameOffset + shape[2].length + 1;
    }
    out.push(p);
  }
  return out;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The claims of a v1 manifest (`spec.claims`), in order; entries without a string `type` are skipped. */
export function claimsOf(manifest: Record<string, unknown>): Claim[] {
  const claims = obj(obj(manifest.spec)?.claims);
  if (!claims) return [];
  const out: Claim[] = [];
  for (const [name, raw] of Object.entries(claims)) {
    const c = obj(raw);
    if (!c || typeof c.type !== 'string') continue;
    const claim: Claim = { name, type: c.type, params: obj(c.params) ?? {} };
    if (typeof c.class === 'string') claim.class = c.class;
    if (typeof c.id === 'string') claim.id = c.id;
    out.push(claim);
  }
  return out;
}

/**
 * The resource a claim binds to: its own per service and environment (`SERVICE.ENV.CLAIM`), or the shared resource its
 * `id` names (`shared.ID`: every claim with that id, in any service and environment, gets the same one).
 */
export function resourceIdFor(service: string, environment: string, claim: Pick<Claim, 'name' | 'id'>): string {
  return claim.id !== undefined ? `shared.${claim.id}` : `${service}.${environment}.${claim.name}`;
}

export interface BoundEnvironment {
  env: Record<string, string>;
  /** Placeholders that could not be resolved: `${claims.x.y}` — and why. */
  problems: string[];
}

/**
 * Substitutes `${claims.NAME.OUTPUT}` in every value with the claim's output (`outputs`: claim → output → value) and
 * turns `$${` back into `${`. A placeholder to a claim or output that is not there is a problem, left as written.
 */
export function bindEnvironment(env: Record<string, string>, outputs: ReadonlyMap<string, Record<string, string>>): BoundEnvironment {
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    let result = '';
    let last = 0;
    for (const p of findPlaceholders(value)) {
      result += value.slice(last, p.offset);
      const written = value.slice(p.offset, p.offset + p.length);
      const bound = p.name !== undefined && p.output !== undefined ? outputs.get(p.name)?.[p.output] : undefined;
      if (bound === undefined) {
        problems.push(
          p.name === undefined
            ? `${key}: ${written} is not a claim placeholder (write \${claims.NAME.OUTPUT})`
            : !outputs.has(p.name)
              ? `${key}: ${written} names no claim of this manifest`
              : `${key}: claim ${p.name} has no output '${p.output}'`,
        );
        result += written;
      } else {
        result += bound;
      }
      last = p.offset + p.length;
    }
    out[key] = (result + value.slice(last)).replace(/\$\$\{/g, '${');
  }
  return { env: out, problems };
}

/**
 * A function that replaces every occurrence of the given secret values with `mask` (values under 4 characters are
 * ignored; the longest first, so a value that contains another is replaced whole).
 */
export function redactor(secrets: Iterable<string>, mask: string = MASK): (text: string) => string {
  const list = [...new Set([...secrets].filter((s) => typeof s === 'string' && s.length >= 4))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const s of list) if (out.includes(s)) out = out.split(s).join(mask);
    return out;
  };
}

/** Outputs with the secret ones masked. */
export function maskOutputs(outputs: Record<string, string>, secretNames: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(outputs)) out[k] = secretNames.includes(k) ? MASK : v;
  return out;
}
