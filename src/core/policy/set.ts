/**
 * Policy sets: reading one (YAML, schemas/policy-set.schema.json), Paved's default set, and the one merge every face
 * uses — the platform's set plus a repository's `.paved/policies.yaml`, in which rules the platform marks mandatory
 * cannot be switched off or weakened and non-waivable rules stay non-waivable.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { yaml } from '../lazy';
import { DEFAULT_POLICIES, DEFAULT_POLICIES_YAML as defaultPoliciesText } from './defaultPolicies.generated';
import * as precompiled from './validators.generated';
import policySetSchema from '../../../schemas/policy-set.schema.json';
import { PavedError } from '../errors';
import type { Severity } from '../severity';
import { compiledSchemas, compileRule, policyAjv } from './compile';
import type { PolicyRule, PolicySet, Waiver } from './types';

const SEVERITY_RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

let setValidator: ValidateFunction | undefined;

/** Export name of a default rule's precompiled condition (the same formula as src/core/manifest/generate.ts). */
export function policyExportName(ruleId: string): string {
  return 'rule_' + ruleId.replace(/[^A-Za-z0-9]/g, '_');
}

/** Fields each rule declared in its source (for merging: an override changes only what it declares). */
const declared = new WeakMap<PolicyRule, ReadonlySet<string>>();

const PRECOMPILED = precompiled as unknown as Record<string, ValidateFunction | undefined>;
const DEFAULT_SOURCE = 'schemas/policies.default.yaml';

function describeAjvError(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'the policy set';
  const extra = e.keyword === 'additionalProperties' ? ` ("${(e.params as { additionalProperty: string }).additionalProperty}")` : '';
  const allowed = e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}${allowed}`;
}

/**
 * Reads a policy set. Throws PavedError('invalid-input') naming the source and the first problem when the text is
 * not YAML, does not match schemas/policy-set.schema.json, repeats a rule id, or has a condition ajv cannot compile.
 */
export function loadPolicySet(yamlText: string, source: string): PolicySet {
  let raw: unknown;
  try {
    raw = yaml().parse(yamlText, { uniqueKeys: true, prettyErrors: false });
  } catch (err) {
    throw new PavedError('invalid-input', `${source}: not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, { cause: err });
  }
  return policySetFromObject(raw, source);
}

interface RawSet {
  metadata?: { name?: string; version?: string };
  maxWaiverDays?: number;
  waivers?: { rule: string; reason: string; expires: string; approvedBy?: string }[];
  rules: Record<string, unknown>[];
}

/** Like loadPolicySet, for a set already parsed from YAML or JSON. */
export function policySetFromObject(raw: unknown, source: string): PolicySet {
  setValidator ??= PRECOMPILED.policySet ?? policyAjv().compile(policySetSchema);
  if (!setValidator(raw)) {
    const first = setValidator.errors?.[0];
    throw new PavedError('invalid-input', `${source}: invalid policy set: ${first ? describeAjvError(first) : 'does not match the policy-set schema'}`);
  }
  const doc = raw as RawSet;
  const ids = new Set<string>();
  const rules: PolicyRule[] = [];
  for (const [i, r] of doc.rules.entries()) {
    const id = r.id as string;
    if (ids.has(id)) throw new PavedError('invalid-input', `${source}: rules.${i}: rule id "${id}" appears twice`);
    ids.add(id);
    const rule: PolicyRule = {
      id,
      severity: (r.severity as Severity | undefined) ?? 'error',
      enabled: (r.enabled as boolean | undefined) ?? true,
      mandatory: (r.mandatory as boolean | undefined) ?? false,
      waivable: (r.waivable as boolean | undefined) ?? true,
      condition: (r.condition as object | boolean | undefined) ?? true,
      message: (r.message as string | undefined) ?? `Policy ${id} is not met.`,
      source,
    };
    if (typeof r.description === 'string') rule.description = r.description;
    if (typeof r.docsUrl === 'string') rule.docsUrl = r.docsUrl;
    if (r.when !== undefined) rule.when = r.when as PolicyRule['when'];
    if (typeof r.path === 'string') rule.path = r.path;
    if (r.fix === 'move-env-to-secret' || r.fix === 'nearest-name') rule.fix = r.fix;
    declared.set(rule, new Set(Object.keys(r)));
    const pre = source === DEFAULT_SOURCE ? PRECOMPILED[policyExportName(id)] : undefined;
    if (pre && typeof rule.condition === 'object') compiledSchemas.set(rule.condition, pre);
    try {
      compileRule(rule);
    } catch (err) {
      throw new PavedError('invalid-input', `${source}: rule "${id}": its condition is not a valid JSON Schema: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    rules.push(rule);
  }
  const waivers: Waiver[] = (doc.waivers ?? []).map((w) => ({ ...w, source }));
  const set: PolicySet = { name: doc.metadata?.name ?? source, rules, waivers, notes: [] };
  if (doc.metadata?.version) set.version = doc.metadata.version;
  if (doc.maxWaiverDays !== undefined) set.maxWaiverDays = doc.maxWaiverDays;
  return set;
}

let defaults: PolicySet | undefined;

/** Paved's default policy set (schemas/policies.default.yaml). Returns the same object on every call: don't mutate it. */
export function defaultPolicySet(): PolicySet {
  defaults ??= policySetFromObject(structuredClone(DEFAULT_POLICIES), DEFAULT_SOURCE);
  return defaults;
}

/** The default set's YAML text (what `paved serve` serves). */
export function defaultPolicySetText(): string {
  return defaultPoliciesText;
}

/**
 * The platform's set plus a repository's: the one merge the editor, `paved lint`, the deploy gate and the platform
 * use. A repository rule with a new id is added; one with an existing id changes that rule's declared fields — except
 * that a mandatory rule can't be switched off, lowered in severity, or given another condition, and no rule can be
 * made waivable that the platform made non-waivable (such attempts are refused and listed in `notes`). The
 * repository's waivers are added; its `maxWaiverDays` can only shorten the platform's.
 */
export function mergePolicySets(platform: PolicySet, repo: PolicySet): PolicySet {
  const rules = platform.rules.map((r) => r);
  const notes = [...platform.notes, ...repo.notes];
  for (const r of repo.rules) {
    const idx = rules.findIndex((p) => p.id === r.id);
    if (idx < 0) {
      rules.push(r);
      continue;
    }
    const base = rules[idx];
    const fields = declared.get(r) ?? new Set(Object.keys(r));
    const merged: PolicyRule = { ...base };
    const refused: string[] = [];
    for (const f of fields) {
      if (f === 'id') continue;
      if (f === 'waivable' && r.waivable && !base.waivable) {
        refused.push('make it waivable');
        continue;
      }
      if (base.mandatory) {
        if (f === 'enabled' && r.enabled === false) {
          refused.push('switch it off');
          continue;
        }
        if (f === 'severity' && SEVERITY_RANK[r.severity] < SEVERITY_RANK[base.severity]) {
          refused.push(`lower its severity to ${r.severity}`);
          continue;
        }
        if (f === 'condition' || f === 'when' || f === 'mandatory' || f === 'path') {
          refused.push(`change its ${f}`);
          continue;
        }
      }
      (merged as unknown as Record<string, unknown>)[f] = (r as unknown as Record<string, unknown>)[f];
    }
    merged.source = `${base.source} + ${r.source}`;
    declared.set(merged, new Set([...(declared.get(base) ?? []), ...fields]));
    rules[idx] = merged;
    if (refused.length > 0) notes.push(`${r.source}: rule "${r.id}" is ${base.mandatory ? 'mandatory' : 'set'} on this platform; refused to ${refused.join(', ')}.`);
  }
  const set: PolicySet = { name: `${platform.name} + ${repo.name}`, rules, waivers: [...(platform.waivers ?? []), ...(repo.waivers ?? [])], notes };
  if (platform.version) set.version = platform.version;
  const max = [platform.maxWaiverDays, repo.maxWaiverDays].filter((d): d is number => d !== undefined);
  if (max.length > 0) set.maxWaiverDays = Math.min(...max);
  return set;
}
