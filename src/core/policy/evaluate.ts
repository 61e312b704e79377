/** Evaluating a policy set's rules on one manifest: which rules apply, which fail, and where (JSON pointers). */
import { compileRule } from './compile';
import { contextData } from './context';
import type { LintContext, PolicyRule, PolicySet } from './types';

/** A rule failing on one manifest: where (JSON pointer into the v1 manifest) and why. */
export interface PolicyViolation {
  rule: PolicyRule;
  /** Pointers of the failing nodes (missing ones included), one per distinct place. */
  pointers: string[];
  /** Pointers whose key is the problem, not its value (a `false` subschema, a forbidden property name). */
  forbiddenKeys: Set<string>;
}

function lifecycleOf(manifest: unknown): unknown {
  const md = (manifest as { metadata?: unknown } | null)?.metadata;
  return md !== null && typeof md === 'object' ? (md as { lifecycle?: unknown }).lifecycle : undefined;
}

/** Whether a rule applies to this manifest in this context (enabled, `when` holds). */
export function ruleApplies(rule: PolicyRule, manifest: unknown, context?: LintContext): boolean {
  if (!rule.enabled) return false;
  const w = rule.when;
  if (w?.lifecycle && !w.lifecycle.includes(String(lifecycleOf(manifest)))) return false;
  if (w?.catalog && !context?.catalog) return false;
  if (w?.environment && (context?.environment === undefined || !w.environment.includes(context.environment))) return false;
  if (w?.schema !== undefined) {
    const v = compileRule(rule).validateWhen;
    if (v && !v(manifest)) return false;
  }
  return true;
}

function withContext(manifest: unknown, context?: LintContext): unknown {
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return manifest;
  const data: Record<string, unknown> = { ...(manifest as Record<string, unknown>) };
  Object.defineProperty(data, '$context', { value: contextData(manifest, context), enumerable: false });
  return data;
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Evaluates every applicable rule; returns the failing ones with where they fail. */
export function evaluatePolicies(manifest: unknown, policies: PolicySet, context?: LintContext): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const data = withContext(manifest, context);
  for (const rule of policies.rules) {
    if (!ruleApplies(rule, manifest, context)) continue;
    const v = compileRule(rule).validate;
    if (v(data)) continue;
    const pointers: string[] = [];
    const forbiddenKeys = new Set<string>();
    for (const e of v.errors ?? []) {
      // Items failing inside `contains` are not the problem: the array lacking a matching item is.
      if (e.schemaPath.includes('/contains/')) continue;
      // `propertyNames` reports twice (the subschema's error names the property): the property's key is the problem.
      if (e.keyword === 'propertyNames') continue;
      let p = e.instancePath;
      if (e.keyword === 'required') p += `/${escape(String((e.params as { missingProperty: string }).missingProperty))}`;
      if (e.propertyName !== undefined) {
        p += `/${escape(e.propertyName)}`;
        forbiddenKeys.add(p);
      }
      if (e.keyword === 'false schema') forbiddenKeys.add(p);
      if (rule.path && rule.path.startsWith(p) && e.keyword !== 'false schema' && e.propertyName === undefined) p = rule.path;
      if (!pointers.includes(p)) pointers.push(p);
    }
    // Keep the most specific pointers: drop one that is a prefix of another (anyOf/not report at several depths).
    const specific = pointers.filter((p) => !pointers.some((q) => q !== p && q.startsWith(p + '/')));
    out.push({ rule, pointers: specific.length > 0 ? specific : [''], forbiddenKeys });
  }
  return out;
}
