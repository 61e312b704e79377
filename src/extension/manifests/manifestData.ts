/**
 * The plain-data parts of the editor's manifest support (no vscode, unit-tested in plain Node): the platform's wire
 * policy set as an engine set, name matching for reference completion, and which findings the Red Hat YAML
 * extension reports too.
 */
import type { PolicySet as WirePolicySet } from '../../core/api/types';
import type { Finding } from '../../core/manifest/index';
import { pathAt } from '../../core/manifest/index';
import type { PolicyRule, PolicySet } from '../../core/policy/index';
import { defaultPolicySet, policySetFromObject } from '../../core/policy/index';

/** The wire set (`GET /v1/policies`) as a set the engine evaluates. Rules identical to a default rule reuse it (precompiled, with its quick fix). */
export function fromWire(wire: WirePolicySet, source: string): PolicySet {
  const defaults = new Map(defaultPolicySet().rules.map((r) => [r.id, r]));
  const raw = wire.rules.map((r) => {
    const out: Record<string, unknown> = { id: r.id, severity: r.severity };
    if (r.mandatory !== undefined) out.mandatory = r.mandatory;
    if (r.description) out.description = r.description;
    if (r.docsUrl) out.docsUrl = r.docsUrl;
    if (r.when) out.when = r.when;
    if (r.condition) out.condition = r.condition;
    if (r.message) out.message = r.message;
    if (r.path) out.path = r.path;
    // The wire format has no quick-fix field: a rule with a default rule's id keeps that rule's built-in fix.
    const fix = defaults.get(r.id)?.fix;
    if (fix) out.fix = fix;
    return out;
  });
  const same = (rule: PolicyRule | undefined, r: Record<string, unknown>): boolean =>
    rule !== undefined &&
    rule.severity === r.severity &&
    rule.mandatory === (r.mandatory ?? false) &&
    rule.message === r.message &&
    (rule.docsUrl ?? undefined) === r.docsUrl &&
    (rule.path ?? undefined) === r.path &&
    JSON.stringify(rule.when ?? null) === JSON.stringify(r.when ?? null) &&
    JSON.stringify(rule.condition) === JSON.stringify(r.condition ?? true);
  const changed = raw.filter((r) => !same(defaults.get(r.id as string), r));
  const compiled = policySetFromObject({ apiVersion: 'paved.dev/v1', kind: 'PolicySet', metadata: { name: wire.name ?? source }, rules: changed }, source);
  const byId = new Map(compiled.rules.map((r) => [r.id, r]));
  return { name: wire.name ?? source, rules: raw.map((r) => byId.get(r.id as string) ?? defaults.get(r.id as string)!), notes: [] };
}

/** Names containing `prefix` (case-insensitive), those starting with it first, at most `max`. */
export function matchNames(names: readonly string[], prefix: string, max: number): string[] {
  const p = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const n of new Set(names)) {
    const l = n.toLowerCase();
    if (l.startsWith(p)) starts.push(n);
    else if (l.includes(p)) contains.push(n);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...starts.sort(cmp), ...contains.sort(cmp)].slice(0, max);
}

/**
 * Findings the Red Hat YAML extension reports too (its language server parses with the same `yaml` library): the
 * library's errors and warnings (upper-case codes) and duplicate keys ("Map keys must be unique").
 */
export function reportedByRedHatYaml(f: Finding): boolean {
  return f.source === 'yaml' && (/^yaml\/[A-Z_]+$/.test(f.ruleId) || f.ruleId === 'yaml/duplicate-key' || f.ruleId === 'yaml/unresolved-alias');
}

export type ApiListField = 'providesApis' | 'consumesApis';

/**
 * Where API names are typed in a paved.yaml: an item of `spec.providesApis` / `spec.consumesApis` (block `- |` or
 * flow `[a, |`). Returns the field and the part of the name typed so far (what the completion replaces).
 */
export function apiListAt(text: string, offset: number): { field: ApiListField; typed: string } | undefined {
  if (!/^apiVersion:\s*["']?paved\.dev\//m.test(text)) return undefined;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const lines = text.slice(0, lineStart).split('\n');
  const lineNo = lines.length - 1;
  lines[lineNo] = before;
  const typed = /[^\s:[\]{},'"]*$/.exec(before)![0];
  const flow = /^(\s*)(providesApis|consumesApis)\s*:\s*\[[^\]#]*$/.exec(before);
  if (flow) {
    const parent = pathAt(lines, lineNo, flow[1].length);
    return parent.length === 1 && parent[0] === 'spec' ? { field: flow[2] as ApiListField, typed } : undefined;
  }
  const item = /^(\s*)-\s+([^:#[\]{}]*)$/.exec(before);
  if (!item) return undefined;
  const path = pathAt(lines, lineNo, item[1].length);
  const field = path[path.length - 1];
  if (path.length === 2 && path[0] === 'spec' && (field === 'providesApis' || field === 'consumesApis')) return { field, typed };
  return undefined;
}
