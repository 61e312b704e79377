/**
 * Template parameter values checked against the template's parameter schema (JSON Schema draft 2020-12) with ajv: the
 * one check the platform (a scaffold task's values) and the wizard (editor and CLI answers) share. Pure.
 */
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The ajv parameter schemas compile with: every error, formats checked, form-only keywords (`ui:*`, `x-*`) ignored. */
export function templateSchemaAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

/** One problem with a set of values. */
export interface ValueProblem {
  /** JSON pointer into the values; for a missing or unknown key it names that key (`/owner`). */
  pointer: string;
  error: ErrorObject;
}

/** Checks a complete set of values; `[]` when they are valid. */
export type ValuesCheck = (values: Readonly<Record<string, unknown>>) => ValueProblem[];

/** Compiles a parameter schema once (a schema ajv cannot compile throws ajv's error). */
export function compileValuesCheck(schema: Record<string, unknown>, ajv: Ajv2020 = templateSchemaAjv()): ValuesCheck {
  const validate = ajv.compile(schema);
  return (values) => {
    if (validate(values)) return [];
    return (validate.errors ?? []).map((error) => ({ pointer: `${error.instancePath}${namedKey(error)}`, error }));
  };
}

function namedKey(e: ErrorObject): string {
  if (e.keyword === 'required') return `/${String((e.params as { missingProperty: string }).missingProperty)}`;
  if (e.keyword === 'additionalProperties') return `/${String((e.params as { additionalProperty: string }).additionalProperty)}`;
  return '';
}
