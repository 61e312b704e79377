import * as assert from 'node:assert/strict';
import { compileValuesCheck, templateSchemaAjv } from '../../../../src/core/templates';

const schema = {
  type: 'object',
  required: ['name', 'owner'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', 'ui:autofocus': true },
    owner: { type: 'string', 'x-paved-reference': 'team' },
    port: { type: 'integer', minimum: 1024 },
    contact: { type: 'string', format: 'email' },
    limits: { type: 'object', properties: { cpu: { type: 'number' } } },
  },
};

describe('core/templates values', () => {
  const check = compileValuesCheck(schema);
  const pointers = (values: Record<string, unknown>) => check(values).map((p) => `${p.pointer} ${p.error.keyword}`);

  it('accepts valid values; form-only keywords (ui:*, x-*) do not get in the way', () => {
    assert.deepEqual(check({ name: 'api', owner: 'team-a', port: 8080, contact: 'a@example.com', limits: { cpu: 1 } }), []);
  });

  it('reports every problem, a missing or unknown key named in the pointer itself', () => {
    assert.deepEqual(pointers({ name: '../evil', port: 5, colour: 'red' }), [
      '/owner required',
      '/colour additionalProperties',
      '/name pattern',
      '/port minimum',
    ]);
  });

  it('checks formats and nested values', () => {
    assert.deepEqual(pointers({ name: 'a', owner: 'b', contact: 'not-mail', limits: { cpu: 'lots' } }), ['/contact format', '/limits/cpu type']);
  });

  it('compiles with a given ajv (several pages of one template share it) and throws for a schema ajv refuses', () => {
    const ajv = templateSchemaAjv();
    const first = compileValuesCheck({ type: 'object', required: ['name'] }, ajv);
    const second = compileValuesCheck({ type: 'object', properties: { port: { type: 'integer' } } }, ajv);
    assert.deepEqual(first({}).map((p) => p.pointer), ['/name']);
    assert.deepEqual(second({ port: 'x' }).map((p) => p.pointer), ['/port']);
    assert.throws(() => compileValuesCheck({ type: 'no-such-type' }), /schema is invalid/);
  });
});
