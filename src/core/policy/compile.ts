/** Compiling rule conditions with ajv, once per condition object (merged rules share their base rule's validator). */
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajvDraft7, ajvFormats } from '../lazy';
import { POLICY_AJV_OPTIONS } from './ajvOptions';
import type { PolicyRule } from './types';

let ajv: Ajv | undefined;
export function policyAjv(): Ajv {
  ajv ??= ajvFormats()(new (ajvDraft7())(POLICY_AJV_OPTIONS));
  return ajv;
}

/** Compiled schemas by schema object: merged rules share their base rule's condition object, and its validator. */
export const compiledSchemas = new WeakMap<object, ValidateFunction>();
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

export function compileRule(rule: PolicyRule): CompiledRule {
  const c = compiledRules.get(rule);
  const whenSchema = rule.when?.schema;
  if (c && c.condition === rule.condition && c.whenSchema === whenSchema) return c;
  const fresh: CompiledRule = { condition: rule.condition, whenSchema, validate: compileSchema(rule.condition) };
  if (whenSchema !== undefined) fresh.validateWhen = compileSchema(whenSchema);
  compiledRules.set(rule, fresh);
  return fresh;
}
