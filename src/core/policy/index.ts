/**
 * Policy-as-code: a policy set is YAML (schemas/policy-set.schema.json); each rule's condition is a JSON Schema the
 * manifest must match, evaluated by ajv on the plain (v1) manifest object. The platform's set is merged with a
 * repository's `.paved/policies.yaml`; rules the platform marks mandatory cannot be switched off or weakened.
 */
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajvDraft7, ajvFormats, yaml } from '../lazy';
import { POLICY_AJV_OPTIONS } from './ajvOptions';
import { DEFAULT_POLICIES, DEFAULT_POLICIES_YAML as defaultPoliciesText } from './defaultPolicies.generated';
import * as precompiled from './validators.generated';
import policySetSchema from '../../../schemas/policy-set.schema.json';
import { PavedError } from '../errors';
import type { Severity } from '../severity';
import type { LintContext, PolicyRule, PolicySet, Scorecard, ScorecardResult } from './types';

export type { PolicyRule, PolicySet, PolicyWhen, Scorecard, ScorecardResult } from './types';

const SEVERITY_RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };
const SCORE_WEIGHT: Record<Severity, number> = { hint: 1, info: 1, warning: 2, error: 3 };

let ajv: Ajv | undefined;
function policyAjv(): Ajv {
  ajv ??= ajvFormats()(new (ajvDraft7())(POLICY_AJV_OPTIONS));
  return ajv;
}

let setValidator: ValidateFunction | undefined;

/** Export name of a default rule's precompiled condition (the same formula as src/core/manifest/generate.ts). */
export function policyExportName(ruleId: string): string {
  return 'rule_' + ruleId.replace(/[^A-Za-z0-9]/g, '_');
}

/** Fields each rule declared in its source (for merging: an override changes only what it declares). */
const declared = new WeakMap<PolicyRule, ReadonlySet<string>>();

const PRECOMPILED = precompiled as unknown as Record<string, ValidateFunction | undefined>;
const DEFAULT_SOURCE = 'schemas/policies.default.yaml';

/** Compiled schemas by schema object: merged rules share their base rule's condition object, and its validator. */
const compiledSchemas = new WeakMap<object, ValidateFunction>();
const ALWAYS = Object.assign(() => true, { errors: null }) as unknown as ValidateFunction;
const NEVER_ERRORS: ErrorObject[] = [{ instancePath: '', schemaPath: '#', keyword: 'false schema', params: {}, message: 'boolean schema is false' }];
const NEVER = Object.assign(() => false, { errors: NEVER_ERRORS }) as unknown as ValidateFunction;

function compileSchema(schema: object | boolean): ValidateFunction {
  if (schema === true) return ALWAYS;
  if (schema === false) return NEVER;
  let v = compiledSchemas.get(schema);
  if (!v) {
    v = policyAjv().compile(schema);
    compiledSchemas.set(schema, v);
  }
  return v;
}

interface CompiledRule {
  /** What the validators were compiled from: a rule whose condition or when.schema is replaced is compiled again. */
  condition: object | boolean;
  whenSchema: object | boolean | undefined;
  validate: ValidateFunction;
  validateWhen?: ValidateFunction;
}

/** Each rule's validators, looked up once per rule rather than once per rule and manifest. */
const compiledRules = new WeakMap<PolicyRule, CompiledRule>();

function compileRule(rule: PolicyRule): CompiledRule {
  const c = compiledRules.get(rule);
  const whenSchema = rule.when?.schema;
  if (c && c.condition === rule.condition && c.whenSchema === whenSchema) return c;
  const fresh: CompiledRule = { condition: rule.condition, whenSchema, validate: compileSchema(rule.condition) };
  if (whenSchema !== undefined) fresh.validateWhen = compileSchema(whenSchema);
  compiledRules.set(rule, fresh);
  return fresh;
}

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

/** Like loadPolicySet, for a set already parsed from YAML or JSON. */
export function policySetFromObject(raw: unknown, source: string): PolicySet {
  setValidator ??= PRECOMPILED.policySet ?? policyAjv().compile(policySetSchema);
  if (!setValidator(raw)) {
    const first = setValidator.errors?.[0];
    throw new PavedError('invalid-input', `${source}: invalid policy set: ${first ? describeAjvError(first) : 'does not match the policy-set schema'}`);
  }
  const doc = raw as { metadata?: { name?: string }; rules: Record<string, unknown>[] };
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
      condition: (r.condition as object | boolean | undefined) ?? true,
      message: (r.message as string | undefined) ?? `Policy ${id} is not met.`,
      source,
    };
    if (typeof r.description === 'string') rule.description = r.description;
    if (typeof r.docsUrl === 'string') rule.docsUrl = r.docsUrl;
    if (r.when !== undefined) rule.when = r.when as PolicyRule['when'];
    if (typeof r.path === 'string') rule.path = r.path;
    if (r.fix === 'move-env-to-secret') rule.fix = r.fix;
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
  return { name: doc.metadata?.name ?? source, rules, notes: [] };
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
 * The platform's set plus a repository's. A repository rule with a new id is added; one with an existing id changes
 * that rule's declared fields — except that a mandatory rule can't be switched off, lowered in severity, or given
 * another condition (such attempts are refused and listed in `notes`).
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
    if (refused.length > 0) notes.push(`${r.source}: rule "${r.id}" is mandatory on this platform; refused to ${refused.join(', ')}.`);
  }
  return { name: `${platform.name} + ${repo.name}`, rules, notes };
}

/** A rule failing on one manifest: where (JSON pointer into the v1 manifest) and why. */
export interface PolicyViolation {
  rule: PolicyRule;
  /** Pointers of the failing nodes (missing ones included), one per distinct place. */
  pointers: string[];
  /** Pointers of errors from `false` subschemas (forbidden keys): the key is the problem, not its value. */
  forbiddenKeys: Set<string>;
}

function lifecycleOf(manifest: unknown): unknown {
  const md = (manifest as { metadata?: unknown } | null)?.metadata;
  return md !== null && typeof md === 'object' ? (md as { lifecycle?: unknown }).lifecycle : undefined;
}

function contextData(context?: LintContext): { environment: string | null; deprecatedServices: string[] } {
  const dep = new Set<string>();
  for (const s of context?.deprecatedServices ?? []) {
    dep.add(s);
    if (!s.includes(':')) dep.add(`service:${s}`);
  }
  return { environment: context?.environment ?? null, deprecatedServices: [...dep] };
}

/** Whether a rule applies to this manifest in this context (enabled, `when` holds). */
export function ruleApplies(rule: PolicyRule, manifest: unknown, context?: LintContext): boolean {
  if (!rule.enabled) return false;
  const w = rule.when;
  if (w?.lifecycle && !w.lifecycle.includes(String(lifecycleOf(manifest)))) return false;
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
  Object.defineProperty(data, '$context', { value: contextData(context), enumerable: false });
  return data;
}

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
      let p = e.instancePath;
      if (e.keyword === 'required') p += `/${String((e.params as { missingProperty: string }).missingProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (e.keyword === 'false schema') forbiddenKeys.add(p);
      if (rule.path && rule.path.startsWith(p) && e.keyword !== 'false schema') p = rule.path;
      if (!pointers.includes(p)) pointers.push(p);
    }
    // Keep the most specific pointers: drop one that is a prefix of another (anyOf/not report at several depths).
    const specific = pointers.filter((p) => !pointers.some((q) => q !== p && q.startsWith(p + '/')));
    out.push({ rule, pointers: specific.length > 0 ? specific : [''], forbiddenKeys });
  }
  return out;
}

/** How a manifest scores against a policy set: every applicable rule, passed or not. */
export function scorecard(manifest: unknown, policies: PolicySet, context?: LintContext): Scorecard {
  const failing = new Set(evaluatePolicies(manifest, policies, context).map((v) => v.rule.id));
  const results: ScorecardResult[] = [];
  let total = 0;
  let passedWeight = 0;
  for (const rule of policies.rules) {
    if (!ruleApplies(rule, manifest, context)) continue;
    const passed = !failing.has(rule.id);
    const r: ScorecardResult = { ruleId: rule.id, severity: rule.severity, passed, message: passed ? (rule.description ?? rule.message) : rule.message };
    if (rule.docsUrl) r.docsUrl = rule.docsUrl;
    results.push(r);
    total += SCORE_WEIGHT[rule.severity];
    if (passed) passedWeight += SCORE_WEIGHT[rule.severity];
  }
  return { score: total === 0 ? 100 : Math.round((100 * passedWeight) / total), results };
}
