/**
 * Maps ajv errors onto the narrowest node: a wrong value → the value; an unknown key → the key (with "did you mean");
 * a missing required key → the key of the map that lacks it (the first key of the document at the root).
 */
import type { ErrorObject } from 'ajv';
import { addMissingKeyFix, renameKeyFix, replaceValueFix } from './fixes';
import type { JsonSchema } from './schemas';
import { parentSchemaOf, subschema } from './schemas';
import { didYouMean } from '../suggest';
import type { Finding, Fix } from './types';
import type { YNode } from './tree';
import { decodePointer, findPair, locate } from './tree';

export function pathLabel(segments: readonly string[]): string {
  if (segments.length === 0) return 'the document';
  let out = '';
  for (const s of segments) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

interface Range {
  offset: number;
  length: number;
}

function rangeOf(n: { start: number; end: number }): Range {
  return { offset: n.start, length: n.end - n.start };
}

/** Where a problem with a whole node goes: scalars → the value; collections and empty values → their key if any. */
function valueRange(root: YNode, segments: readonly string[]): Range {
  const loc = locate(root, segments);
  const n = loc.node;
  if (n.type === 'scalar' && n.end > n.start) return rangeOf(n);
  if (loc.pair) return rangeOf(loc.pair.key);
  return headRange(n);
}

/** The start of a collection that has no key: its first key, or its first line. */
function headRange(n: YNode): Range {
  if (n.type === 'map' && n.pairs.length > 0) return rangeOf(n.pairs[0].key);
  if (n.type === 'seq' && n.items.length > 0) return { offset: n.start, length: 1 };
  return rangeOf(n);
}

/** Where a missing key of the map at `segments` goes: that map's key in its parent; the first key at the root. */
export function missingKeyRange(root: YNode, segments: readonly string[]): Range {
  const loc = locate(root, segments);
  if (loc.pair) return rangeOf(loc.pair.key);
  return headRange(loc.node);
}

export interface SchemaMappingInput {
  text: string;
  root: YNode;
  /** The plain value of `root` (what ajv validated). */
  plain: unknown;
  schema: JsonSchema;
  errors: ErrorObject[];
  /** Pointers whose errors are reported elsewhere (e.g. an unknown apiVersion). */
  ignore?: ReadonlySet<string>;
}

export function schemaFindings({ text, root, plain, schema, errors, ignore }: SchemaMappingInput): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const paths = errors.map((e) => e.instancePath);
  for (const e of errors) {
    if (ignore?.has(e.instancePath)) continue;
    if (e.keyword === 'if' || e.keyword === 'then' || e.keyword === 'else') continue;
    // An error inside propertyNames also comes as a `propertyNames` error: keep that one.
    if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined && e.keyword !== 'propertyNames') continue;
    if ((e.keyword === 'anyOf' || e.keyword === 'oneOf') && paths.some((p) => p !== e.instancePath && p.startsWith(e.instancePath))) continue;
    const f = mapOne(text, root, plain, schema, e);
    if (!f) continue;
    const id = `${f.offset}:${f.length}:${f.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(f);
  }
  return out;
}

function finding(range: Range, keyword: string, message: string, fixes?: Fix[]): Finding {
  const f: Finding = { offset: range.offset, length: range.length, severity: 'error', ruleId: `schema/${keyword}`, source: 'schema', message };
  if (fixes && fixes.length > 0) f.fixes = fixes;
  return f;
}

function dataAt(plain: unknown, segs: readonly string[]): unknown {
  let cur = plain;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, s)) return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

function mapOne(text: string, root: YNode, plain: unknown, schema: JsonSchema, e: ErrorObject): Finding | undefined {
  const segs = decodePointer(e.instancePath);
  const label = pathLabel(segs);
  const parent = parentSchemaOf(schema, e.schemaPath);
  const data = dataAt(plain, segs);
  const custom = typeof parent?.errorMessage === 'string' ? (parent.errorMessage) : undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const loc = locate(root, segs);
      const map = loc.node.type === 'map' ? loc.node : undefined;
      const pair = map ? findPair(map, key) : undefined;
      const range = pair ? rangeOf(pair.key) : valueRange(root, segs);
      const known = Object.keys((parent?.properties as object | undefined) ?? {});
      const present = new Set(map ? map.pairs.map((p) => String(p.key.value)) : []);
      const suggestion = didYouMean(key, known.filter((k) => !present.has(k)));
      const where = segs.length === 0 ? 'at the top level' : `in ${label}`;
      const message = `Unknown key "${key}" ${where}.` + (suggestion ? ` Did you mean "${suggestion}"?` : '');
      return finding(range, 'additionalProperties', message, pair && suggestion ? [renameKeyFix(pair, suggestion)] : undefined);
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const loc = locate(root, segs);
      const range = missingKeyRange(root, segs);
      const where = segs.length === 0 ? 'at the top level' : `in ${label}`;
      const fixes: Fix[] = [];
      if (loc.node.type === 'map' && loc.depth === segs.length) {
        fixes.push(addMissingKeyFix(text, loc.node, key, schema, (parent?.properties as Record<string, JsonSchema> | undefined)?.[key]));
      }
      return finding(range, 'required', `Missing required key "${key}" ${where}.`, fixes);
    }
    case 'propertyNames': {
      const key = String((e.params as { propertyName: string }).propertyName);
      const loc = locate(root, segs);
      const pair = loc.node.type === 'map' ? findPair(loc.node, key) : undefined;
      const inner = subschema(schema, segs)?.propertyNames as JsonSchema | undefined;
      const why = typeof inner?.errorMessage === 'string' ? inner.errorMessage : inner?.pattern ? `must match ${inner.pattern}` : 'is not allowed';
      return finding(pair ? rangeOf(pair.key) : valueRange(root, segs), 'propertyNames', `Invalid key "${key}" in ${label}: ${why}.`);
    }
    case 'type': {
      const expected = String((e.params as { type: string | string[] }).type).split(',').join(' or ');
      const message = `Incorrect type: ${label} must be ${expected.split(' or ').map(article).join(' or ')}, not ${article(jsonType(data))}.`;
      return finding(valueRange(root, segs), 'type', message);
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const loc = locate(root, segs);
      const suggestion = typeof data === 'string' ? didYouMean(data, allowed.filter((a): a is string => typeof a === 'string')) : undefined;
      const message = `${label} must be one of: ${allowed.map((a) => String(a)).join(', ')}.` + (suggestion ? ` Did you mean "${suggestion}"?` : '');
      const fixes = suggestion && loc.depth === segs.length && loc.node.type === 'scalar' ? [replaceValueFix(loc.node, suggestion)] : undefined;
      return finding(valueRange(root, segs), 'enum', message, fixes);
    }
    case 'const': {
      const allowed = (e.params as { allowedValue: unknown }).allowedValue;
      const loc = locate(root, segs);
      const fixes = loc.depth === segs.length && loc.node.type === 'scalar' ? [replaceValueFix(loc.node, allowed)] : undefined;
      return finding(valueRange(root, segs), 'const', `${label} must be ${JSON.stringify(allowed)}.`, fixes);
    }
    case 'pattern':
      return finding(valueRange(root, segs), 'pattern', custom ? `${label} ${custom}.` : `${label} must match the pattern ${(e.params as { pattern: string }).pattern}.`);
    case 'format':
      return finding(valueRange(root, segs), 'format', custom ? `${label} ${custom}.` : `${label} must be a valid ${(e.params as { format: string }).format}.`);
    case 'uniqueItems': {
      const { i, j } = e.params as { i: number; j: number };
      const later = Math.max(i, j);
      return finding(valueRange(root, [...segs, String(later)]), 'uniqueItems', `${label} must not repeat items (item ${later} repeats item ${Math.min(i, j)}).`);
    }
    case 'false schema':
      return finding(valueRange(root, segs), 'false', `${label} is not allowed here.`);
    default:
      return finding(valueRange(root, segs), e.keyword, `${label} ${custom ?? e.message ?? 'is invalid'}.`);
  }
}
