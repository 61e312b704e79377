/**
 * The contract at run time: loads schemas/platform-api.yaml once, matches request paths to operations and validates
 * requests (path, query, header parameters and JSON bodies) with ajv validators compiled once per operation.
 * Responses can be checked too (the contract tests do).
 */
import * as fs from 'node:fs';
import { parse } from 'yaml';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ProblemFieldError } from '../core/api/types';
import { findAsset } from './assets';
import { InvalidRequest } from './errors';

type Json = Record<string, any>;

export interface Operation {
  operationId: string;
  method: string;
  pathTemplate: string;
  secured: boolean;
  /** Declared query parameter names. */
  queryNames: string[];
  headerNames: string[];
  hasBody: boolean;
  validateParams: ValidateFunction;
  validateBody?: ValidateFunction;
  responses: Json;
}

export interface MatchedOperation {
  op: Operation;
  pathParams: Record<string, string>;
}

const SCHEMA_ID = 'paved-api';

function rewriteRefs(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replace(/"#\/components\/schemas\//g, `"${SCHEMA_ID}#/$defs/`));
}

function newAjv(coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: coerce, useDefaults: coerce });
  addFormats(ajv);
  return ajv;
}

export class Contract {
  readonly document: Json;
  private readonly routes: { re: RegExp; names: string[]; template: string; ops: Map<string, Operation> }[] = [];
  private readonly responseAjv: Ajv2020;
  private readonly responseValidators = new Map<string, ValidateFunction>();

  constructor(file = findAsset('schemas/platform-api.yaml')) {
    this.document = parse(fs.readFileSync(file, 'utf8')) as Json;
    const defs = { $id: SCHEMA_ID, $defs: rewriteRefs(this.document.components.schemas) };
    const paramAjv = newAjv(true);
    const bodyAjv = newAjv(false);
    this.responseAjv = newAjv(false);
    for (const a of [paramAjv, bodyAjv, this.responseAjv]) a.addSchema(defs);
    const globalSecured = Array.isArray(this.document.security) && this.document.security.length > 0;

    for (const [template, item] of Object.entries(this.document.paths as Json)) {
      const names: string[] = [];
      const re = new RegExp(
        '^' +
          template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, n: string) => {
            names.push(n);
            return '([^/]+)';
          }) +
          '$',
      );
      const ops = new Map<string, Operation>();
      for (const method of ['get', 'post', 'put', 'delete', 'patch']) {
        const o = item[method];
        if (!o) continue;
        const params = [...(item.parameters ?? []), ...(o.parameters ?? [])].map((p: Json) => this.deref(p));
        const group = (where: string): Json => {
          const ps = params.filter((p: Json) => p.in === where);
          const props: Json = {};
          for (const p of ps) props[where === 'header' ? p.name.toLowerCase() : p.name] = rewriteRefs(p.schema ?? {});
          return {
            type: 'object',
            properties: props,
            required: ps.filter((p: Json) => p.required).map((p: Json) => (where === 'header' ? p.name.toLowerCase() : p.name)),
          };
        };
        const validateParams = paramAjv.compile({
          type: 'object',
          properties: { path: group('path'), query: group('query'), header: group('header') },
        });
        const bodySchema = o.requestBody?.content?.['application/json']?.schema;
        ops.set(method.toUpperCase(), {
          operationId: o.operationId,
          method: method.toUpperCase(),
          pathTemplate: template,
          secured: o.security ? o.security.length > 0 : globalSecured,
          queryNames: params.filter((p: Json) => p.in === 'query').map((p: Json) => p.name),
          headerNames: params.filter((p: Json) => p.in === 'header').map((p: Json) => p.name.toLowerCase()),
          hasBody: Boolean(bodySchema),
          validateParams,
          validateBody: bodySchema ? bodyAjv.compile(rewriteRefs(bodySchema) as Json) : undefined,
          responses: o.responses ?? {},
        });
      }
      this.routes.push({ re, names, template, ops });
    }
  }

  private deref(p: Json): Json {
    if (typeof p.$ref !== 'string') return p;
    const parts = (p.$ref).replace(/^#\//, '').split('/');
    let cur: any = this.document;
    for (const part of parts) cur = cur?.[part];
    return cur as Json;
  }

  /** The operation for a method and path, `undefined` path → 404, wrong method → `{ allowed }` for a 405. */
  match(method: string, pathname: string): MatchedOperation | { allowed: string[] } | undefined {
    for (const r of this.routes) {
      const m = r.re.exec(pathname);
      if (!m) continue;
      const op = r.ops.get(method);
      if (!op) return { allowed: [...r.ops.keys()] };
      const pathParams: Record<string, string> = {};
      r.names.forEach((n, i) => {
        try {
          pathParams[n] = decodeURIComponent(m[i + 1]);
        } catch (err) {
          if (!(err instanceof URIError)) throw err;
          throw new InvalidRequest(`the path parameter ${n} is not valid percent-encoding`, [{ pointer: `/path/${n}`, message: 'is not valid percent-encoding' }]);
        }
      });
      return { op, pathParams };
    }
    return undefined;
  }

  /** Validates and coerces parameters in place; returns the violations. */
  checkParams(op: Operation, params: { path: Json; query: Json; header: Json }): ProblemFieldError[] {
    return op.validateParams(params) ? [] : toFieldErrors(op.validateParams.errors ?? [], '');
  }

  checkBody(op: Operation, body: unknown): ProblemFieldError[] {
    if (!op.validateBody) return [];
    return op.validateBody(body) ? [] : toFieldErrors(op.validateBody.errors ?? [], '/body');
  }

  /** Checks a response body against the contract; returns violations (used by the contract tests). */
  checkResponse(operationId: string, status: number, contentType: string, body: unknown): string[] {
    const op = this.operations().find((o) => o.operationId === operationId);
    if (!op) return [`unknown operation ${operationId}`];
    let resp = op.responses[String(status)] as Json | undefined;
    if (!resp) return [`status ${status} is not declared for ${operationId}`];
    resp = this.deref(resp);
    const media = contentType.split(';')[0].trim();
    const schema = resp.content?.[media]?.schema;
    if (!resp.content) return body === undefined || body === '' ? [] : [`${operationId} ${status} declares no body`];
    if (!schema) return [`${operationId} ${status} does not declare ${media}`];
    const key = `${operationId} ${status} ${media}`;
    let v = this.responseValidators.get(key);
    if (!v) {
      v = this.responseAjv.compile(rewriteRefs(schema) as Json);
      this.responseValidators.set(key, v);
    }
    return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  }

  operations(): Operation[] {
    return this.routes.flatMap((r) => [...r.ops.values()]);
  }
}

function toFieldErrors(errors: readonly ErrorObject[], prefix: string): ProblemFieldError[] {
  // An `if` error only says "must match then/else"; the errors of that branch say what is wrong.
  return errors.filter((e) => e.keyword !== 'if').map((e) => {
    let pointer = prefix + e.instancePath;
    if (e.keyword === 'required') pointer += `/${String((e.params as { missingProperty: string }).missingProperty)}`;
    if (e.keyword === 'additionalProperties') pointer += `/${String((e.params as { additionalProperty: string }).additionalProperty)}`;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') message = 'is not a known property';
    if (e.keyword === 'required') message = 'is required';
    if (e.keyword === 'enum') message += `: ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    return { pointer: pointer || '/', message };
  });
}
