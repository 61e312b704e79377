/**
 * A policy set on the wire (`GET /v1/policies`, schemas/platform-api.yaml) and back: what the platform serves and what
 * the editor, `paved lint` and the deploy gate evaluate, so all of them check the same rules.
 */
import type { PolicyRule as WireRule, PolicySet as WirePolicySet } from '../api/types';
import { defaultPolicySet, policySetFromObject } from './set';
import type { PolicyRule, PolicySet } from './types';

/** A short digest of a set's rules (FNV-1a, hex): the set's version when it declares none. */
export function rulesDigest(set: PolicySet): string {
  const text = JSON.stringify([set.rules.map((r) => [r.id, r.severity, r.enabled, r.mandatory, r.waivable, r.condition, r.when ?? null, r.path ?? null, r.message]), set.maxWaiverDays ?? null, set.waivers ?? []]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The set's version: its own (`metadata.version`), else `sha-` and the digest of its rules. */
export function policySetVersion(set: PolicySet): string {
  return set.version ?? `sha-${rulesDigest(set)}`;
}

/** The set as served by `GET /v1/policies` (switched-off rules left out). */
export function toWire(set: PolicySet): WirePolicySet {
  const out: WirePolicySet = {
    version: policySetVersion(set),
    name: set.name,
    rules: set.rules
      .filter((r) => r.enabled)
      .map((r) => {
        const rule: WireRule = { id: r.id, severity: r.severity, description: r.description ?? r.message, mandatory: r.mandatory, condition: r.condition as WireRule['condition'], message: r.message };
        if (r.docsUrl) rule.docsUrl = r.docsUrl;
        if (r.when) rule.when = r.when as Record<string, unknown>;
        if (r.path) rule.path = r.path;
        if (!r.waivable) rule.waivable = false;
        return rule;
      }),
  };
  if (set.maxWaiverDays !== undefined) out.maxWaiverDays = set.maxWaiverDays;
  if (set.waivers?.length) out.waivers = set.waivers.map((w) => ({ rule: w.rule, reason: w.reason, expires: w.expires, ...(w.approvedBy ? { approvedBy: w.approvedBy } : {}) }));
  return out;
}

/** The wire set (`GET /v1/policies`) as a set the engine evaluates. Rules identical to a default rule reuse it (precompiled, with its quick fix). */
export function fromWire(wire: WirePolicySet, source: string): PolicySet {
  const defaults = new Map(defaultPolicySet().rules.map((r) => [r.id, r]));
  const raw = wire.rules.map((r) => {
    const out: Record<string, unknown> = { id: r.id, severity: r.severity };
    if (r.mandatory !== undefined) out.mandatory = r.mandatory;
    if (r.waivable === false) out.waivable = false;
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
    rule.waivable === (r.waivable ?? true) &&
    rule.message === r.message &&
    (rule.docsUrl ?? undefined) === r.docsUrl &&
    (rule.path ?? undefined) === r.path &&
    JSON.stringify(rule.when ?? null) === JSON.stringify(r.when ?? null) &&
    JSON.stringify(rule.condition) === JSON.stringify(r.condition ?? true);
  const changed = raw.filter((r) => !same(defaults.get(r.id as string), r));
  const metadata = { name: wire.name ?? source, version: wire.version };
  const compiled = policySetFromObject({ apiVersion: 'paved.dev/v1', kind: 'PolicySet', metadata, rules: changed }, source);
  const byId = new Map(compiled.rules.map((r) => [r.id, r]));
  const set: PolicySet = { name: wire.name ?? source, version: wire.version, rules: raw.map((r) => byId.get(r.id as string) ?? defaults.get(r.id as string)!), notes: [] };
  if (wire.maxWaiverDays !== undefined) set.maxWaiverDays = wire.maxWaiverDays;
  if (wire.waivers?.length) set.waivers = wire.waivers.map((w) => ({ ...w, source }));
  return set;
}
