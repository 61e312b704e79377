/**
 * The findings of a policy set on one manifest, as every face reports them: the editor and `paved lint` place them at
 * ranges (src/core/manifest/lint.ts), the platform refuses a deployment with them (`policy-violation`) and scores a
 * service with them. One function, so the three say the same thing about the same manifest.
 */
import type { ScorecardResult } from '../api/types';
import { nearestNames } from '../suggest';
import type { Severity } from '../severity';
import { evaluatePolicies, ruleApplies } from './evaluate';
import type { CatalogNames, LintContext, PolicyFinding, PolicySet, Scorecard } from './types';
import { applyWaivers, judgeWaivers, manifestWaivers, type WaiverState } from './waivers';

const SCORE_WEIGHT: Record<Severity, number> = { hint: 1, info: 1, warning: 2, error: 3 };

function at(manifest: unknown, pointer: string): unknown {
  let cur = manifest;
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** The catalog names a reference at `pointer` is one of (for near-name suggestions). */
function candidatesFor(pointer: string, catalog: CatalogNames | undefined): { names: readonly string[]; prefix: string } | undefined {
  if (!catalog) return undefined;
  if (pointer === '/metadata/owner') return catalog.teams && { names: catalog.teams, prefix: '' };
  if (pointer === '/metadata/system') return catalog.systems && { names: catalog.systems, prefix: '' };
  if (/^\/spec\/dependsOn\/\d+$/.test(pointer)) return catalog.services && { names: catalog.services, prefix: 'service:' };
  if (/^\/spec\/(provides|consumes)Apis\/\d+$/.test(pointer)) return catalog.apis && { names: catalog.apis, prefix: '' };
  return undefined;
}

function today(context?: LintContext): Date {
  return context?.now?.() ?? new Date();
}

function states(manifest: unknown, set: PolicySet, context?: LintContext): WaiverState[] {
  const waivers = [...(set.waivers ?? []), ...manifestWaivers(manifest)];
  return waivers.length === 0 ? [] : judgeWaivers(waivers, set, today(context));
}

/**
 * Every finding of `set` on a (v1) manifest: one per rule and place, with the rule's message (and the nearest catalog
 * names for a reference the catalog does not know), then the waivers applied.
 */
export function policyFindings(manifest: unknown, set: PolicySet, context?: LintContext): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  for (const v of evaluatePolicies(manifest, set, context)) {
    for (const pointer of v.pointers) {
      const f: PolicyFinding = { ruleId: v.rule.id, severity: v.rule.severity, message: v.rule.message, path: pointer };
      if (v.rule.docsUrl) f.docsUrl = v.rule.docsUrl;
      if (v.forbiddenKeys.has(pointer)) f.on = 'key';
      if (v.rule.fix) f.fix = v.rule.fix;
      if (v.rule.fix === 'nearest-name') {
        const value = at(manifest, pointer);
        const c = candidatesFor(pointer, context?.catalog);
        if (typeof value === 'string' && c) {
          const near = nearestNames(value.startsWith(c.prefix) ? value.slice(c.prefix.length) : value, c.names, 3).map((n) => c.prefix + n);
          if (near.length > 0) {
            f.suggestions = near;
            f.message += ` Did you mean ${near.join(', ')}?`;
          }
        }
      }
      out.push(f);
    }
  }
  const s = states(manifest, set, context);
  return s.length === 0 ? out : applyWaivers(out, s);
}

/** How a manifest scores against a policy set: every applicable rule, passed or not; waived rules listed apart. */
export function scorecard(manifest: unknown, set: PolicySet, context?: LintContext): Scorecard {
  const failing = new Set(evaluatePolicies(manifest, set, context).map((v) => v.rule.id));
  const waived = new Map(
    states(manifest, set, context)
      .filter((s) => s.kind === 'valid')
      .map((s) => [s.waiver.rule, s.waiver]),
  );
  const results: ScorecardResult[] = [];
  const waivedOut: NonNullable<Scorecard['waived']> = [];
  let total = 0;
  let passedWeight = 0;
  for (const rule of set.rules) {
    if (!ruleApplies(rule, manifest, context)) continue;
    const passed = !failing.has(rule.id);
    const w = waived.get(rule.id);
    if (w && !passed) {
      waivedOut.push({ ruleId: rule.id, severity: rule.severity, reason: w.reason, expires: w.expires, ...(w.approvedBy ? { approvedBy: w.approvedBy } : {}), message: rule.message });
      continue;
    }
    const r: ScorecardResult = { ruleId: rule.id, severity: rule.severity, passed, message: passed ? (rule.description ?? rule.message) : rule.message };
    if (rule.docsUrl) r.docsUrl = rule.docsUrl;
    results.push(r);
    total += SCORE_WEIGHT[rule.severity];
    if (passed) passedWeight += SCORE_WEIGHT[rule.severity];
  }
  const card: Scorecard = { score: total === 0 ? 100 : Math.round((100 * passedWeight) / total), results };
  if (waivedOut.length > 0) card.waived = waivedOut;
  return card;
}
