/**
 * The server's only contact with manifest parsing and policies: policies and scorecards come from the manifest
 * engine (src/core/policy); catalog files are parsed here as plain YAML (every document, paved.yaml and Backstage).
 */
import { parseAllDocuments } from 'yaml';
import type { PolicyRule, PolicySet, Scorecard } from '../core/api/types';
import { PavedError } from '../core/errors';
import { defaultPolicySet, scorecard } from '../core/policy';

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

/** The platform's policy set as served by `GET /v1/policies` (the manifest engine's default set). */
export function policySet(): PolicySet {
  const set = defaultPolicySet();
  return {
    version: '1',
    name: set.name,
    rules: set.rules
      .filter((r) => r.enabled)
      .map((r) => {
        const rule: PolicyRule = { id: r.id, severity: r.severity, description: r.description ?? r.message, mandatory: r.mandatory, condition: r.condition as PolicyRule['condition'], message: r.message };
        if (r.docsUrl) rule.docsUrl = r.docsUrl;
        if (r.when) rule.when = r.when as Record<string, unknown>;
        if (r.path) rule.path = r.path;
        return rule;
      }),
  };
}

/** Evaluates the policy set on a paved.yaml manifest object (the manifest engine's scorecard). */
export function scorecardFor(manifest: Record<string, unknown>, context: { environment?: string; deprecatedServices?: ReadonlySet<string> } = {}): Scorecard {
  return scorecard(manifest, defaultPolicySet(), context);
}
