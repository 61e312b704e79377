/**
 * The scaffold wizard's model: turns a template's parameter JSON Schema (or its Backstage-style `steps`) into an
 * ordered list of fields, one per input the user answers, and checks answers with ajv as they are typed. Pure: no
 * vscode, no network. The editor (src/extension/scaffold) and the CLI (`paved scaffold --set`) both use it.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { PavedError } from '../errors';
import { isSecretProperty } from '../templates/answers';
import { compileValuesCheck, templateSchemaAjv, type ValuesCheck } from '../templates/values';

export type JsonSchema = Record<string, unknown>;

/** What kind of input a field needs: one input class per kind in the editor. */
export type FieldKind = 'string' | 'enum' | 'boolean' | 'number' | 'reference' | 'multi' | 'json';

/** Catalog entities a reference field offers. */
export type ReferenceKind = 'team' | 'system';

export interface FieldOption {
  value: string | number | boolean;
  label: string;
  description?: string;
}

export interface WizardField {
  /** Property name in the values object. */
  key: string;
  kind: FieldKind;
  title: string;
  description?: string;
  required: boolean;
  /** The schema's `default`, when it has one. */
  default?: unknown;
  /** Title of the page (template step) the field belongs to. */
  page: string;
  /** The property's own JSON Schema (used to validate as the user types). */
  schema: JsonSchema;
  /** enum / multi: the allowed values. */
  options?: FieldOption[];
  /** number: integer only. */
  integer?: boolean;
  /** reference: which catalog entities to offer. */
  reference?: ReferenceKind;
  /** string / reference: the pattern the value must match (shown as a hint). */
  pattern?: string;
  /** The schema says the value must be hidden while typed (`ui:widget: password`, `format: password`). */
  secret?: boolean;
}

export interface TemplateForm {
  parameters?: JsonSchema;
  steps?: { title: string; schema: JsonSchema }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The pages of a template: its `steps`, or one page holding `parameters`. */
export function templatePages(template: TemplateForm): { title: string; schema: JsonSchema }[] {
  if (template.steps && template.steps.length > 0) return template.steps;
  if (!isObject(template.parameters)) throw new PavedError('invalid-response', 'the template has no parameter schema');
  return [{ title: 'Parameters', schema: template.parameters }];
}

/** The fields of a template, in page order and, within a page, in `ui:order` or property order. */
export function fieldsFromTemplate(template: TemplateForm): WizardField[] {
  const fields: WizardField[] = [];
  const seen = new Set<string>();
  for (const page of templatePages(template)) {
    for (const field of fieldsFromSchema(page.schema, page.title)) {
      if (seen.has(field.key)) continue; // a later page repeating a key does not ask twice
      seen.add(field.key);
      fields.push(field);
    }
  }
  return fields;
}

function fieldsFromSchema(schema: JsonSchema, page: string): WizardField[] {
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((k): k is string => typeof k === 'string') : []);
  const order = Array.isArray(schema['ui:order']) ? schema['ui:order'].filter((k): k is string => typeof k === 'string') : [];
  const keys = Object.keys(props);
  const rest = keys.filter((k) => !order.includes(k));
  const ordered = [...order.flatMap((k) => (k === '*' ? rest : keys.includes(k) ? [k] : [])), ...(order.includes('*') ? [] : rest)];
  const out: WizardField[] = [];
  for (const key of [...new Set(ordered)]) {
    const prop = props[key];
    if (!isObject(prop)) continue;
    if (prop['ui:widget'] === 'hidden' || prop.readOnly === true || 'const' in prop) continue;
    out.push(fieldFromProperty(key, prop, required.has(key), page));
  }
  return out;
}

function typeOf(prop: JsonSchema): string | undefined {
  const t = prop.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  return undefined;
}

/** Which catalog entities a property refers to, if any. */
export function referenceKindOf(key: string, prop: JsonSchema): ReferenceKind | undefined {
  const explicit = prop['x-paved-reference'];
  if (explicit === 'team' || explicit === 'system') return explicit;
  const field = prop['ui:field'];
  if (field === 'OwnerPicker' || field === 'MyGroupsPicker') return 'team';
  if (field === 'EntityPicker') {
    const opts = isObject(prop['ui:options']) ? prop['ui:options'] : {};
    const kinds = [opts.allowedKinds, isObject(opts.catalogFilter) ? opts.catalogFilter.kind : undefined].flat();
    if (kinds.some((k) => typeof k === 'string' && k.toLowerCase() === 'system')) return 'system';
    if (kinds.some((k) => typeof k === 'string' && k.toLowerCase() === 'group')) return 'team';
  }
  if (typeOf(prop) !== 'string' || 'enum' in prop) return undefined;
  if (key === 'owner' || key === 'team') return 'team';
  if (key === 'system') return 'system';
  return undefined;
}

function fieldFromProperty(key: string, prop: JsonSchema, required: boolean, page: string): WizardField {
  const base: WizardField = {
    key,
    kind: 'string',
    title: typeof prop.title === 'string' && prop.title.trim() !== '' ? prop.title : key,
    required,
    page,
    schema: prop,
  };
  if (typeof prop.description === 'string') base.description = prop.description;
  if ('default' in prop) base.default = prop.default;
  const type = typeOf(prop);
  const enumValues = Array.isArray(prop.enum) ? prop.enum : undefined;
  if (enumValues) {
    const names = Array.isArray(prop.enumNames) ? prop.enumNames : [];
    base.kind = 'enum';
    base.options = enumValues
      .filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v))
      .map((v, i) => ({ value: v, label: typeof names[i] === 'string' ? (names[i]) : String(v) }));
    return base;
  }
  if (type === 'array' && isObject(prop.items) && Array.isArray(prop.items.enum)) {
    base.kind = 'multi';
    base.options = prop.items.enum.filter((v): v is string => typeof v === 'string').map((v) => ({ value: v, label: v }));
    return base;
  }
  if (type === 'boolean') return { ...base, kind: 'boolean' };
  if (type === 'integer' || type === 'number') return { ...base, kind: 'number', integer: type === 'integer' };
  if (type === 'string' || type === undefined) {
    const reference = referenceKindOf(key, prop);
    if (typeof prop.pattern === 'string') base.pattern = prop.pattern;
    if (isSecretProperty(prop)) base.secret = true;
    return reference ? { ...base, kind: 'reference', reference } : base;
  }
  return { ...base, kind: 'json' };
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

export type FieldCheck = { ok: true; value: unknown } | { ok: false; message: string };

/** A readable sentence for one ajv error about a single value. */
export function describeAjvError(e: ErrorObject, field?: Pick<WizardField, 'title'>): string {
  const p = e.params as Record<string, unknown>;
  const where = e.instancePath && e.instancePath !== '' ? `${e.instancePath.slice(1).replace(/\//g, '.')}: ` : '';
  switch (e.keyword) {
    case 'pattern':
      return `${where}must match the pattern ${String(p.pattern)}`;
    case 'minLength':
      return Number(p.limit) === 1 ? `${where}must not be empty` : `${where}must be at least ${String(p.limit)} characters long`;
    case 'maxLength':
      return `${where}must be at most ${String(p.limit)} characters long`;
    case 'minimum':
      return `${where}must be at least ${String(p.limit)}`;
    case 'maximum':
      return `${where}must be at most ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `${where}must be greater than ${String(p.limit)}`;
    case 'exclusiveMaximum':
      return `${where}must be less than ${String(p.limit)}`;
    case 'multipleOf':
      return `${where}must be a multiple of ${String(p.multipleOf)}`;
    case 'enum':
      return `${where}must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${where}must be ${String(p.type) === 'integer' ? 'a whole number' : `a ${String(p.type)}`}`;
    case 'format':
      return `${where}must be a valid ${String(p.format)}`;
    case 'required':
      return `${String(p.missingProperty)} is required`;
    case 'additionalProperties':
      return `${String(p.additionalProperty)} is not a parameter of this template`;
    case 'minItems':
      return `${where}choose at least ${String(p.limit)}`;
    case 'maxItems':
      return `${where}choose at most ${String(p.limit)}`;
    default:
      return `${where}${e.message ?? 'is not valid'}${field ? '' : ''}`;
  }
}

/** Parses the text the user typed for a field into a value; `undefined` for an empty optional answer. */
export function parseFieldText(field: WizardField, text: string): FieldCheck {
  const t = field.kind === 'string' || field.kind === 'reference' ? text : text.trim();
  if (t === '') {
    if (field.required) return { ok: false, message: `${field.title} is required` };
    return { ok: true, value: undefined };
  }
  switch (field.kind) {
    case 'number': {
      if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t)) return { ok: false, message: `${field.title} must be a number` };
      const n = Number(t);
      if (field.integer && !Number.isInteger(n)) return { ok: false, message: `${field.title} must be a whole number` };
      return { ok: true, value: n };
    }
    case 'boolean': {
      const l = t.toLowerCase();
      if (['true', 'yes', 'y', '1', 'on'].includes(l)) return { ok: true, value: true };
      if (['false', 'no', 'n', '0', 'off'].includes(l)) return { ok: true, value: false };
      return { ok: false, message: `${field.title} must be true or false` };
    }
    case 'enum': {
      const opt = field.options?.find((o) => String(o.value) === t || o.label === t);
      if (!opt) return { ok: false, message: `${field.title} must be one of ${(field.options ?? []).map((o) => String(o.value)).join(', ')}` };
      return { ok: true, value: opt.value };
    }
    case 'multi':
      return { ok: true, value: t.split(',').map((s) => s.trim()).filter((s) => s !== '') };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(t) as unknown };
      } catch (err) {
        return { ok: false, message: `${field.title} must be JSON (${err instanceof Error ? err.message : String(err)})` };
      }
    default:
      return { ok: true, value: t };
  }
}

/** Shows a value in an input box or the review list. */
export function formatFieldValue(field: WizardField, value: unknown): string {
  if (value === undefined) return '';
  if (field.kind === 'multi' && Array.isArray(value)) return value.join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return `${value}`;
  return JSON.stringify(value);
}

/**
 * Validates answers against a template's schema with ajv: one compiled validator per field (for as-you-type
 * messages) and one per page (required fields, additionalProperties, cross-field rules).
 */
export class TemplateValidator {
  private readonly ajv = templateSchemaAjv();
  private readonly byField = new Map<string, ValidateFunction>();
  private readonly pages: { title: string; check: ValuesCheck }[];

  constructor(
    template: TemplateForm,
    readonly fields: readonly WizardField[] = fieldsFromTemplate(template),
  ) {
    try {
      this.pages = templatePages(template).map((p) => ({ title: p.title, check: compileValuesCheck(p.schema, this.ajv) }));
    } catch (err) {
      throw new PavedError('invalid-response', `the template's parameter schema is not valid JSON Schema: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private fieldValidator(field: WizardField): ValidateFunction {
    let v = this.byField.get(field.key);
    if (!v) {
      v = this.ajv.compile(field.schema);
      this.byField.set(field.key, v);
    }
    return v;
  }

  /** Checks what the user typed for one field: parsed, then validated against the field's schema. */
  checkText(field: WizardField, text: string): FieldCheck {
    const parsed = parseFieldText(field, text);
    if (!parsed.ok || parsed.value === undefined) return parsed;
    return this.checkValue(field, parsed.value);
  }

  checkValue(field: WizardField, value: unknown): FieldCheck {
    const validate = this.fieldValidator(field);
    if (validate(value)) return { ok: true, value };
    const errors = validate.errors ?? [];
    return { ok: false, message: `${field.title} ${describeAjvError(errors[0], field)}`.replace(/ : /, ': ') };
  }

  /** Every problem with a complete set of values, one message each; `[]` when the values are valid. */
  checkAll(values: Readonly<Record<string, unknown>>): string[] {
    const problems: string[] = [];
    const clean = withoutUndefined(values);
    for (const page of this.pages) {
      for (const { error: e } of page.check(clean)) {
        const key = e.instancePath.split('/')[1];
        const field = this.fields.find((f) => f.key === key);
        const text = describeAjvError({ ...e, instancePath: '' });
        problems.push(field ? `${field.key}: ${text}` : text);
      }
    }
    // Pages validate the same object; only keep each message once.
    return [...new Set(problems)];
  }
}

export function withoutUndefined(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/** The values every field starts with: its default, when it has one. */
export function initialValues(fields: readonly WizardField[], given: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (given[f.key] !== undefined) out[f.key] = given[f.key];
    else if (f.default !== undefined) out[f.key] = f.default;
  }
  for (const [k, v] of Object.entries(given)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}

/**
 * Parses `--set key=value` pairs (CLI) into typed values using the fields: numbers, booleans and enums are
 * converted; an unknown key or a malformed pair is an `invalid-input` error naming it.
 */
export function parseAssignments(fields: readonly WizardField[], pairs: readonly string[], validator?: TemplateValidator): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new PavedError('invalid-input', `--set ${pair}: expected key=value`);
    const key = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    const field = fields.find((f) => f.key === key);
    if (!field) throw new PavedError('invalid-input', `--set ${key}: not a parameter of this template (known: ${fields.map((f) => f.key).join(', ')})`);
    const check = validator ? validator.checkText(field, text) : parseFieldText(field, text);
    if (!check.ok) throw new PavedError('invalid-input', `--set ${key}: ${check.message}`);
    out[key] = check.value;
  }
  return out;
}
