/**
 * Response validators compiled once with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1), for checking
 * platform responses at the boundary (`RequestOptions.schema`). Shared by the Paved API and Backstage clients.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { PlatformError } from './errors';
import type { ResponseValidator } from './transport';

/** OpenAPI keywords that are not JSON Schema validation keywords (allowed, ignored). */
const OPENAPI_KEYWORDS = ['example', 'discriminator', 'xml', 'externalDocs'];

export function formatAjvErrors(errors: ErrorObject[] | null | undefined, max = 5): string {
  if (!errors || errors.length === 0) return 'invalid';
  const lines = errors.slice(0, max).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  if (errors.length > max) lines.push(`… ${errors.length - max} more`);
  return lines.join('; ');
}

export function toValidator<T>(name: string, fn: ValidateFunction): ResponseValidator<T> {
  let last = '';
  return {
    name,
    validate(value: unknown): value is T {
      const ok = fn(value);
      last = ok ? '' : formatAjvErrors(fn.errors);
      return ok;
    },
    errorText: () => last,
  };
}

/**
 * A set of schema documents; `validator(id, pointer)` compiles a sub-schema once and caches it. `strictWarnings`
 * collects what ajv's strict mode objects to (unknown keywords, …) instead of throwing, so a contract file with an
 * unexpected keyword degrades to a warning in the log, and a unit test can insist on none.
 */
export class SchemaSet {
  readonly strictWarnings: string[] = [];
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ResponseValidator<unknown>>();

  constructor() {
    const warn = (...args: unknown[]) => this.strictWarnings.push(args.map(String).join(' '));
    this.ajv = new Ajv2020({
      strict: 'log',
      // Valid JSON Schema that ajv merely dislikes (`required` beside if/then without `type: object`…): not reported.
      strictTypes: false,
      strictRequired: false,
      allowUnionTypes: true,
      allErrors: false,
      logger: { log: () => undefined, warn, error: warn },
    });
    addFormats(this.ajv);
    for (const k of OPENAPI_KEYWORDS) this.ajv.addKeyword({ keyword: k, schemaType: ['object', 'string', 'number', 'boolean', 'array', 'null'] });
  }

  /** Adds a schema document under `$id` (not compiled until a validator asks for it). */
  add(id: string, schema: Record<string, unknown>): void {
    this.ajv.addSchema({ ...schema, $id: id });
  }

  /** A validator for `id#pointer` (e.g. `paved-api#/$defs/ServicePage`), compiled on first use. */
  validator<T>(ref: string, name = ref.slice(ref.lastIndexOf('/') + 1)): ResponseValidator<T> {
    let v = this.cache.get(ref);
    if (!v) {
      let fn: ValidateFunction | undefined;
      try {
        fn = this.ajv.getSchema(ref);
      } catch (err) {
        throw new PlatformError('invalid-response', `Internal error: the API schema ${name} does not compile.`, {
          cause: err,
          detail: err instanceof Error ? err.message : String(err),
        });
      }
      if (!fn) throw new PlatformError('invalid-response', `Internal error: the API schema ${name} is missing (${ref}).`);
      v = toValidator<unknown>(name, fn);
      this.cache.set(ref, v);
    }
    return v as ResponseValidator<T>;
  }
}
