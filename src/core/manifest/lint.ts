/** The lint engine: text + file name in, findings with offsets out. No vscode, no I/O. */
import { defaultPolicySet, policyFindings as evaluate } from '../policy/index';
import type { PolicySet } from '../policy/types';
import { scanSecrets } from '../secrets/index';
import { moveEnvToSecretFix } from './fixes';
import { migrateObject, migrateText, v1PathToV1alpha1, V1, V1ALPHA1 } from './migrate';
import { parseYaml } from './parse';
import { lineEndAt } from './position';
import { missingKeyRange, schemaFindings } from './schemaFindings';
import type { SchemaId } from './schemas';
import { SCHEMAS, validate } from './schemas';
import { PavedError } from '../errors';
import { kindFromApiVersion, kindFromFileName, manifestKind } from './kinds';
import type { Finding, Fix, LintContext, LintOptions, LintResult, ManifestKind, PavedManifest } from './types';
import type { YDoc, YMap, YNode } from './tree';
import { decodePointer, findPair, locate, toPlain } from './tree';

export const DEFAULT_MAX_SIZE = 1_000_000;
export const DEFAULT_MAX_FULL_PARSE = 300_000;
const DOCS = 'https://paved.dev/docs/manifest';

function apiVersionOf(root: YNode | null): { value: unknown; node?: YNode } {
  if (!root || root.type !== 'map') return { value: undefined };
  const p = findPair(root, 'apiVersion');
  return p ? { value: p.value.type === 'scalar' ? p.value.value : undefined, node: p.value } : { value: undefined };
}

function formatSize(n: number): string {
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

function firstLine(text: string): { offset: number; length: number } {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  return { offset: start, length: lineEndAt(text, start) - start };
}

/**
 * Lints one manifest file (all of its YAML documents). Never throws: an internal failure becomes a finding.
 */
export function lint(text: string, fileName: string, options: LintOptions = {}): LintResult {
  try {
    return lintUnchecked(text, fileName, options);
  } catch (err) {
    return {
      kind: kindFromFileName(fileName),
      findings: [
        {
          ...firstLine(text),
          severity: 'error',
          ruleId: 'paved/internal-error',
          source: 'yaml',
          message: `Paved could not lint this file (internal error: ${err instanceof Error ? err.message : String(err)}). Please report it.`,
        },
      ],
    };
  }
}

function lintUnchecked(text: string, fileName: string, options: LintOptions): LintResult {
  const fileKind = kindFromFileName(fileName);
  const maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
  if (text.length > maxSize) {
    return {
      kind: fileKind,
      findings: [
        {
          ...firstLine(text),
          severity: 'warning',
          ruleId: 'paved/file-too-large',
          source: 'yaml',
          message: `This file is ${formatSize(text.length)}, above the ${formatSize(maxSize)} limit: ${options.tooLargeHint ?? 'it is linted on save and by `paved lint` only'}.`,
        },
      ],
    };
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    return {
      kind: fileKind,
      findings: [{ offset: nul, length: 1, severity: 'error', ruleId: 'yaml/binary', source: 'yaml', message: 'This file contains NUL bytes: it is binary, not YAML.' }],
    };
  }
  const maxFull = options.maxFullParseSize ?? DEFAULT_MAX_FULL_PARSE;
  const parsed = parseYaml(text, maxFull);
  if (parsed.skipped) {
    return {
      kind: fileKind,
      findings: [
        {
          ...firstLine(text),
          severity: 'info',
          ruleId: 'paved/needs-full-parse',
          source: 'yaml',
          message: `This ${Math.round(text.length / 1000)} KB file has YAML errors or uses YAML features (anchors, tags, multi-line scalars…) that need the full parser, which is too slow to run as you type above ${Math.round(maxFull / 1000)} KB: ${options.tooLargeHint ?? 'it is linted on save and by `paved lint` only'}.`,
        },
      ],
    };
  }
  const findings: Finding[] = [...parsed.findings];
  let resultKind: ManifestKind = fileKind;
  for (const doc of parsed.docs) {
    const k = lintDocument(text, doc, fileKind, options, findings);
    if (resultKind === 'unknown' && k !== 'unknown') resultKind = k;
  }
  if (!options.skipSecrets && resultKind !== 'unknown') findings.push(...secretFindings(text, parsed.docs));
  findings.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { kind: resultKind, findings };
}

function lintDocument(text: string, doc: YDoc, fileKind: ManifestKind, options: LintOptions, out: Finding[]): ManifestKind {
  const root = doc.contents;
  if (!root) return 'unknown';
  const api = apiVersionOf(root);
  const kind = kindFromApiVersion(api.value) !== 'unknown' ? kindFromApiVersion(api.value) : fileKind;
  if (kind === 'unknown') return kind;
  if (root.type !== 'map') {
    const len = Math.min(root.end, lineEndAt(text, root.start)) - root.start;
    out.push({ offset: root.start, length: Math.max(Math.min(1, text.length - root.start), len), severity: 'error', ruleId: 'schema/type', source: 'schema', message: 'A manifest must be a map of keys (apiVersion, kind, metadata, …).' });
    return kind;
  }
  const plain = toPlain(root);
  // A paved.yaml also gets its apiVersion checked, migrations and the platform's policies; any other kind its schema.
  if (kind === 'paved') lintPaved(text, root, plain, api, options, out);
  else runSchema(text, root, plain, manifestKind(kind).schemaFor(api.value, (plain as { kind?: unknown }).kind), out);
  return kind;
}

function runSchema(text: string, root: YNode, plain: unknown, id: SchemaId, out: Finding[], ignore?: ReadonlySet<string>): void {
  const errors = validate(id, plain);
  if (errors.length === 0) return;
  const fs = schemaFindings({ text, root, plain, schema: SCHEMAS[id], errors, ...(ignore ? { ignore } : {}) });
  for (const f of fs) f.docsUrl ??= `${DOCS}#${id}`;
  out.push(...fs);
}

function lintPaved(text: string, root: YMap, plain: unknown, api: { value: unknown; node?: YNode }, options: LintOptions, out: Finding[]): void {
  const ignore = new Set<string>();
  let schema: SchemaId = 'paved.v1';
  if (api.value === V1ALPHA1) {
    schema = 'paved.v1alpha1';
    const node = api.node!;
    out.push({
      offset: node.start,
      length: node.end - node.start,
      severity: 'warning',
      ruleId: 'paved/deprecated-version',
      source: 'schema',
      message: `${V1ALPHA1} is deprecated: migrate this manifest to ${V1}.`,
      docsUrl: `${DOCS}#migrating-from-v1alpha1`,
    });
    const fix = migrationFix(text, root);
    if (fix) out[out.length - 1].fixes = [fix];
  } else if (api.value !== V1 && api.node) {
    ignore.add('/apiVersion');
    out.push({
      offset: api.node.start,
      length: api.node.end - api.node.start,
      severity: 'error',
      ruleId: 'schema/apiVersion',
      source: 'schema',
      message: `Unknown apiVersion ${JSON.stringify(api.value)}: this Paved knows ${V1} and ${V1ALPHA1}.`,
      fixes: [{ title: `Change to ${V1}`, edits: [{ offset: api.node.start, length: api.node.end - api.node.start, newText: V1 }] }],
    });
  }
  runSchema(text, root, plain, schema, out, ignore);
  const policies: PolicySet = options.policies ?? defaultPolicySet();
  const v1 = schema === 'paved.v1alpha1' ? migrateObject(plain) : plain;
  out.push(...policyFindings(text, root, v1, policies, options.context, schema === 'paved.v1alpha1'));
}

/** Replaces the document (from its first key to its last value) with its v1 form; none while it has YAML errors. */
function migrationFix(text: string, root: YMap): Fix | undefined {
  const end = lineEndAt(text, Math.max(root.start, root.end - 1));
  const original = text.slice(root.start, end);
  let migrated: string;
  try {
    migrated = migrateText(original);
  } catch (err) {
    if (PavedError.is(err, 'invalid-input')) return undefined; // offered again once the YAML parses
    throw err;
  }
  return { title: `Migrate this manifest to ${V1}`, edits: [{ offset: root.start, length: end - root.start, newText: migrated }], isPreferred: true };
}

/**
 * Where a policy finding at JSON pointer `segs` goes: the scalar value, or the key when the key is the problem (`on`),
 * or — for a missing node — the key of the deepest map that exists on the way.
 */
export function pointerRange(root: YMap, segs: string[], on?: 'key'): { offset: number; length: number } {
  const loc = locate(root, segs);
  if (loc.depth < segs.length) return missingKeyRange(root, segs.slice(0, loc.depth));
  if (on === 'key' && loc.pair) return { offset: loc.pair.key.start, length: loc.pair.key.end - loc.pair.key.start };
  if (loc.node.type === 'scalar' && loc.node.end > loc.node.start) return { offset: loc.node.start, length: loc.node.end - loc.node.start };
  return loc.pair ? { offset: loc.pair.key.start, length: loc.pair.key.end - loc.pair.key.start } : missingKeyRange(root, segs);
}

/**
 * Places findings the platform reported by JSON pointer (`policy-violation`) on a paved.yaml text (its first
 * document; a v1alpha1 manifest's pointers are mapped to its own paths), as the lint engine places its own.
 */
export function placeFindings<T extends { path: string; on?: 'key' }>(text: string, findings: readonly T[]): (T & { offset: number; length: number })[] {
  const root = parseYaml(text, Number.POSITIVE_INFINITY).docs[0]?.contents;
  if (!root || root.type !== 'map') return findings.map((f) => ({ ...f, ...firstLine(text) }));
  const alpha = apiVersionOf(root).value === V1ALPHA1;
  return findings.map((f) => {
    let segs = decodePointer(f.path);
    if (alpha) segs = v1PathToV1alpha1(segs);
    return { ...f, ...pointerRange(root, segs, f.on) };
  });
}

function policyFindings(text: string, root: YMap, manifest: unknown, policies: PolicySet, context: LintContext | undefined, alpha: boolean): Finding[] {
  const out: Finding[] = [];
  for (const p of evaluate(manifest, policies, context)) {
    let segs = decodePointer(p.path);
    if (alpha) segs = v1PathToV1alpha1(segs);
    const loc = locate(root, segs);
    const range = pointerRange(root, segs, p.on);
    const f: Finding = { ...range, severity: p.severity, ruleId: p.ruleId, source: 'policy', message: p.message, path: p.path };
    if (p.docsUrl) f.docsUrl = p.docsUrl;
    if (p.fix === 'move-env-to-secret' && loc.pair && segs.length === 3 && segs[0] === 'spec' && segs[1] === 'env') {
      const envMap = locate(root, ['spec', 'env']).node;
      const fix = envMap.type === 'map' ? moveEnvToSecretFix(text, root, envMap, loc.pair) : undefined;
      if (fix) f.fixes = [fix];
    }
    if (p.suggestions && loc.depth === segs.length && loc.node.type === 'scalar') {
      const node = loc.node;
      f.fixes = p.suggestions.map((name, i) => ({ title: `Change to ${name}`, edits: [{ offset: node.start, length: node.end - node.start, newText: name }], ...(i === 0 ? { isPreferred: true } : {}) }));
    }
    out.push(f);
  }
  return out;
}

function secretFindings(text: string, docs: YDoc[]): Finding[] {
  const out: Finding[] = [];
  for (const m of scanSecrets(text)) {
    const f: Finding = {
      offset: m.offset,
      length: m.length,
      severity: m.detector === 'high-entropy' ? 'warning' : 'error',
      ruleId: `secrets/${m.detector}`,
      source: 'secrets',
      message: `This looks like ${m.description}. Never commit secrets: reference them from a secret store (spec.secrets).`,
      docsUrl: 'https://paved.dev/docs/policies#secrets',
    };
    // A secret that is a spec.env value of a paved.yaml: offer to move it to a secret reference.
    for (const d of docs) {
      const root = d.contents;
      if (!root || root.type !== 'map' || m.offset < root.start || m.offset > root.end) continue;
      const env = locate(root, ['spec', 'env']);
      if (env.depth !== 2 || env.node.type !== 'map') continue;
      const pair = env.node.pairs.find((p) => p.value.type === 'scalar' && m.offset >= p.value.start && m.offset < p.value.end);
      const fix = pair ? moveEnvToSecretFix(text, root, env.node, pair) : undefined;
      if (fix) f.fixes = [fix];
    }
    out.push(f);
  }
  return out;
}

/**
 * Parses a paved.yaml (its first document) into a v1 manifest (v1alpha1 is migrated in memory). `manifest` is set
 * when there is no error-severity YAML or schema finding; `findings` lists those problems.
 */
export function parsePavedManifest(text: string, fileName = 'paved.yaml'): { manifest?: PavedManifest; findings: Finding[] } {
  const result = lint(text, fileName, { policies: { name: 'none', rules: [], notes: [] }, skipSecrets: true, maxSize: Number.POSITIVE_INFINITY, maxFullParseSize: Number.POSITIVE_INFINITY });
  const findings = result.findings.filter((f) => f.source === 'yaml' || f.source === 'schema');
  if (findings.some((f) => f.severity === 'error')) return { findings };
  const parsed = parseYaml(text);
  const root = parsed.docs[0]?.contents ?? null;
  const plain = toPlain(root) as { apiVersion?: unknown } | null;
  if (!plain || typeof plain !== 'object' || kindFromApiVersion(plain.apiVersion) !== 'paved') {
    return {
      findings: [...findings, { ...firstLine(text), severity: 'error', ruleId: 'schema/apiVersion', source: 'schema', message: `Not a Paved manifest: apiVersion must be ${V1}.` }],
    };
  }
  const manifest = (plain.apiVersion === V1ALPHA1 ? migrateObject(plain) : plain) as PavedManifest;
  return { manifest, findings };
}
