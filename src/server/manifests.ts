/**
 * The server's only contact with manifest parsing and policies. When the manifest engine (src/core/manifest,
 * src/core/policy) exports `parsePavedManifest` and `scorecard`, switching to it is an edit of this file only.
 */
import * as fs from 'node:fs';
import { parseAllDocuments, parse } from 'yaml';
import Ajv, { type ValidateFunction } from 'ajv';
import type { PolicyRule, PolicySet, Scorecard, ScorecardResult } from '../core/api/types';
import { PavedError } from '../core/errors';
import { findAsset } from './assets';

/** Parses every YAML document of a manifest file into plain objects; syntax errors are invalid-input PavedErrors. */
export function parseManifestDocuments(text: string, fileName: string): unknown[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const out: unknown[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length > 0) {
      const e = d.errors[0];
      const line = e.linePos?.[0].line;
      throw new PavedError('invalid-input', `${fileName}${line ? `:${line}` : ''}: ${e.message.split('\n')[0]}`);
    }
    const value: unknown = d.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

interface CompiledRule {
  rule: PolicyRule;
  check: ValidateFunction;
}

let cached: { set: PolicySet; compiled: CompiledRule[] } | undefined;

/** The default policy set (schemas/policies.default.yaml) as served by `GET /v1/policies`. */
export function policySet(): PolicySet {
  return loadPolicies().set;
}

function loadPolicies(): { set: PolicySet; compiled: CompiledRule[] } {
  if (cached) return cached;
  const doc = parse(fs.readFileSync(findAsset('schemas/policies.default.yaml'), 'utf8')) as Record<string, any>;
  const rules: PolicyRule[] = (Array.isArray(doc.rules) ? doc.rules : []).map((r: Record<string, any>) => {
    const rule: PolicyRule = { id: String(r.id), severity: r.severity ?? 'error', description: String(r.description ?? r.message ?? r.id) };
    for (const k of ['docsUrl', 'mandatory', 'when', 'condition', 'message', 'path'] as const) if (r[k] !== undefined) (rule as any)[k] = r[k];
    return rule;
  });
  const ajv = new Ajv({ allErrors: false, strict: false, $data: true });
  const compiled = rules.map((rule) => ({ rule, check: ajv.compile((rule.condition as object | undefined) ?? true) }));
  cached = { set: { version: '1', name: String(doc.metadata?.name ?? 'default'), rules }, compiled };
  return cached;
}

const WEIGHT: Record<string, number> = { error: 3, warning: 2, info: 1, hint: 1 };

/** Evaluates the policy set on a paved.yaml manifest object. Rules whose `when` does not match are left out. */
export function scorecardFor(manifest: Record<string, unknown>, environment?: string): Scorecard {
  const { compiled } = loadPolicies();
  const md = (manifest.metadata ?? {}) as Record<string, unknown>;
  const results: ScorecardResult[] = [];
  let total = 0;
  let passedWeight = 0;
  for (const { rule, check } of compiled) {
    const when = (rule.when ?? {}) as { lifecycle?: string[]; environment?: string[] };
    if (when.lifecycle && !when.lifecycle.includes(String(md.lifecycle))) continue;
    if (when.environment && (environment === undefined || !when.environment.includes(environment))) continue;
    const passed = check(manifest) === true;
    const result: ScorecardResult = { ruleId: rule.id, severity: rule.severity, passed, message: rule.message ?? rule.description };
    if (rule.docsUrl) result.docsUrl = rule.docsUrl;
    results.push(result);
    const w = WEIGHT[rule.severity] ?? 1;
    total += w;
    if (passed) passedWeight += w;
  }
  return { score: total === 0 ? 100 : Math.round((passedWeight / total) * 100), results };
}
