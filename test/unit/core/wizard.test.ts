import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PavedError } from '../../../src/core/errors';
import {
  fieldsFromTemplate,
  formatFieldValue,
  parseAssignments,
  parseFieldText,
  referenceKindOf,
  TemplateValidator,
  WizardFlow,
  type TemplateForm,
} from '../../../src/core/wizard';

const goldenPaths = path.resolve(__dirname, '../../../src/server/golden-paths');
/** A built-in golden path's template.yaml (at `version` when it ships several: `<id>/<version>/`). */
function goldenPath(id: string, version: string): TemplateForm {
  const file = path.join(goldenPaths, id, version, 'template.yaml');
  return parse(fs.readFileSync(file, 'utf8')) as TemplateForm;
}

/** Every step kind, with Backstage-style pages. */
const allKinds: TemplateForm = {
  steps: [
    {
      title: 'Basics',
      schema: {
        type: 'object',
        required: ['name', 'owner'],
        'ui:order': ['owner', '*'],
        properties: {
          name: { type: 'string', title: 'Name', pattern: '^[a-z][a-z0-9-]*$' },
          owner: { type: 'string', title: 'Owner', 'ui:field': 'OwnerPicker' },
          hidden: { type: 'string', 'ui:widget': 'hidden', default: 'x' },
        },
      },
    },
    {
      title: 'Options',
      schema: {
        type: 'object',
        required: ['tier'],
        properties: {
          tier: { type: 'string', title: 'Tier', enum: ['gold', 'silver'], enumNames: ['Gold tier', 'Silver tier'] },
          public: { type: 'boolean', title: 'Public', default: false },
          replicas: { type: 'integer', title: 'Replicas', minimum: 1, maximum: 5, default: 2 },
          ratio: { type: 'number', title: 'Ratio', exclusiveMaximum: 1 },
          system: { type: 'string', title: 'System', 'ui:field': 'EntityPicker', 'ui:options': { catalogFilter: { kind: 'System' } } },
          regions: { type: 'array', title: 'Regions', items: { type: 'string', enum: ['eu', 'us'] }, minItems: 1 },
          extra: { type: 'object', title: 'Extra' },
          token: { type: 'string', title: 'Token', 'ui:widget': 'password' },
          name: { type: 'string', title: 'Name again' },
        },
      },
    },
  ],
};

describe('wizard fields from a template schema', () => {
  it('turns the node-http-service golden path into one field per parameter, in order', () => {
    const fields = fieldsFromTemplate(goldenPath('node-http-service', '1.2.0'));
    assert.deepEqual(
      fields.map((f) => [f.key, f.kind, f.required, f.default]),
      [
        ['name', 'string', true, undefined],
        ['owner', 'reference', true, undefined],
        ['description', 'string', false, 'A new HTTP service.'],
        ['system', 'reference', false, 'default'],
        ['port', 'number', false, 8080],
      ],
    );
    assert.equal(fields[0].title, 'Service name');
    assert.equal(fields[0].pattern, '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$');
    assert.equal(fields[1].reference, 'team');
    assert.equal(fields[3].reference, 'system');
    assert.equal(fields[4].integer, true);
    assert.equal(fields[0].page, 'Parameters');
  });

  it('covers every step kind, page order, ui:order, hidden fields and keys repeated on a later page', () => {
    const fields = fieldsFromTemplate(allKinds);
    assert.deepEqual(
      fields.map((f) => `${f.page}/${f.key}:${f.kind}`),
      [
        'Basics/owner:reference',
        'Basics/name:string',
        'Options/tier:enum',
        'Options/public:boolean',
        'Options/replicas:number',
        'Options/ratio:number',
        'Options/system:reference',
        'Options/regions:multi',
        'Options/extra:json',
        'Options/token:string',
      ],
    );
    const tier = fields.find((f) => f.key === 'tier')!;
    assert.deepEqual(tier.options, [
      { value: 'gold', label: 'Gold tier' },
      { value: 'silver', label: 'Silver tier' },
    ]);
    assert.equal(fields.find((f) => f.key === 'ratio')!.integer, false);
    assert.equal(fields.find((f) => f.key === 'token')!.secret, true);
    assert.equal(fields.find((f) => f.key === 'system')!.reference, 'system');
  });

  it('recognises references by x-paved-reference, Backstage pickers and the owner/system names', () => {
    assert.equal(referenceKindOf('lead', { type: 'string', 'x-paved-reference': 'team' }), 'team');
    assert.equal(referenceKindOf('x', { type: 'string', 'ui:field': 'EntityPicker', 'ui:options': { allowedKinds: ['Group'] } }), 'team');
    assert.equal(referenceKindOf('owner', { type: 'string', enum: ['a'] }), undefined);
    assert.equal(referenceKindOf('owner', { type: 'integer' }), undefined);
    assert.equal(referenceKindOf('name', { type: 'string' }), undefined);
  });

  it('refuses a template without a parameter schema', () => {
    assert.throws(() => fieldsFromTemplate({}), (e: unknown) => PavedError.is(e, 'invalid-response') && e.message === 'the template has no parameter schema');
  });
});

describe('validation as the user types', () => {
  const template = goldenPath('node-http-service', '1.2.0');
  const validator = new TemplateValidator(template);
  const field = (key: string) => validator.fields.find((f) => f.key === key)!;

  it('checks the pattern, the length, required and the number range with readable messages', () => {
    assert.deepEqual(validator.checkText(field('name'), 'orders-api'), { ok: true, value: 'orders-api' });
    assert.deepEqual(validator.checkText(field('name'), 'Orders'), { ok: false, message: 'Service name must match the pattern ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$' });
    assert.deepEqual(validator.checkText(field('name'), ''), { ok: false, message: 'Service name is required' });
    assert.deepEqual(validator.checkText(field('description'), ''), { ok: true, value: undefined });
    assert.deepEqual(validator.checkText(field('description'), 'x'.repeat(201)), { ok: false, message: 'Description must be at most 200 characters long' });
    assert.deepEqual(validator.checkText(field('port'), '80'), { ok: false, message: 'Default port (PORT overrides it) must be at least 1024' });
    assert.deepEqual(validator.checkText(field('port'), '70000'), { ok: false, message: 'Default port (PORT overrides it) must be at most 65535' });
    assert.deepEqual(validator.checkText(field('port'), '8080.5'), { ok: false, message: 'Default port (PORT overrides it) must be a whole number' });
    assert.deepEqual(validator.checkText(field('port'), 'abc'), { ok: false, message: 'Default port (PORT overrides it) must be a number' });
    assert.deepEqual(validator.checkText(field('port'), ' 9000 '), { ok: true, value: 9000 });
  });

  it('parses booleans, enums, multi-selects and JSON', () => {
    const fields = fieldsFromTemplate(allKinds);
    const f = (key: string) => fields.find((x) => x.key === key)!;
    assert.deepEqual(parseFieldText(f('public'), 'yes'), { ok: true, value: true });
    assert.deepEqual(parseFieldText(f('public'), 'off'), { ok: true, value: false });
    assert.deepEqual(parseFieldText(f('public'), 'maybe'), { ok: false, message: 'Public must be true or false' });
    assert.deepEqual(parseFieldText(f('tier'), 'Silver tier'), { ok: true, value: 'silver' });
    assert.deepEqual(parseFieldText(f('tier'), 'bronze'), { ok: false, message: 'Tier must be one of gold, silver' });
    assert.deepEqual(parseFieldText(f('regions'), 'eu, us'), { ok: true, value: ['eu', 'us'] });
    assert.deepEqual(parseFieldText(f('extra'), '{"a":1}'), { ok: true, value: { a: 1 } });
    assert.equal(parseFieldText(f('extra'), '{').ok, false);
    assert.equal(formatFieldValue(f('regions'), ['eu', 'us']), 'eu, us');
    assert.equal(formatFieldValue(f('extra'), { a: 1 }), '{"a":1}');
    const v = new TemplateValidator(allKinds);
    assert.deepEqual(v.checkText(f('ratio'), '1'), { ok: false, message: 'Ratio must be less than 1' });
    assert.deepEqual(v.checkValue(f('regions'), []), { ok: false, message: 'Regions choose at least 1' });
  });

  it('checks the whole set of values: required, additionalProperties, types', () => {
    assert.deepEqual(validator.checkAll({ name: 'a', owner: 'team-a' }), []);
    assert.deepEqual(validator.checkAll({ name: 'a' }), ['owner is required']);
    assert.deepEqual(validator.checkAll({ name: 'a', owner: 't', colour: 'red', port: 'x' }), [
      'colour is not a parameter of this template',
      'port: must be a whole number',
    ]);
  });

  it('parses --set assignments with types and refuses unknown keys and bad values', () => {
    assert.deepEqual(parseAssignments(validator.fields, ['name=orders', 'port=9000', 'description=a=b'], validator), { name: 'orders', port: 9000, description: 'a=b' });
    assert.throws(() => parseAssignments(validator.fields, ['colour=red'], validator), /--set colour: not a parameter of this template \(known: name, owner, description, system, port\)/);
    assert.throws(() => parseAssignments(validator.fields, ['port=1'], validator), /--set port: Default port \(PORT overrides it\) must be at least 1024/);
    assert.throws(() => parseAssignments(validator.fields, ['name'], validator), /--set name: expected key=value/);
  });
});

describe('wizard flow (navigation)', () => {
  const template = goldenPath('node-http-service', '1.2.0');
  const make = (given: Record<string, unknown> = {}, askAll = false) => {
    const validator = new TemplateValidator(template);
    return new WizardFlow(validator.fields, validator, given, { askAll, defaultFolder: (v) => (typeof v.name === 'string' ? `/ws/${v.name}` : undefined) });
  };

  it('asks only required fields without a value, then the review, where the folder defaults to workspace/name', () => {
    const flow = make();
    let step = flow.current();
    assert.equal(step.type, 'field');
    assert.equal(step.type === 'field' && step.field.key, 'name');
    assert.equal(step.type === 'field' && `${step.index + 1}/${step.total}`, '1/2');
    flow.answerField('orders');
    step = flow.current();
    assert.equal(step.type === 'field' && step.field.key, 'owner');
    flow.answerField('team-a');
    step = flow.current();
    assert.equal(step.type, 'review');
    assert.deepEqual(step.type === 'review' && step.items.map((i) => `${i.key}=${i.value}`), [
      'name=orders',
      'owner=team-a',
      'description=A new HTTP service.',
      'system=default',
      'port=8080',
      'folder=/ws/orders',
    ]);
    assert.deepEqual(step.type === 'review' && step.problems, []);
    flow.finish('create-and-deploy');
    assert.equal(flow.state, 'done');
    assert.deepEqual(flow.result(), {
      values: { name: 'orders', owner: 'team-a', description: 'A new HTTP service.', system: 'default', port: 8080 },
      folder: '/ws/orders',
      action: 'create-and-deploy',
    });
  });

  it('asks for the folder when there is no default (no workspace folder), and refuses to finish without one', () => {
    const validator = new TemplateValidator(template);
    const flow = new WizardFlow(validator.fields, validator, { name: 'orders', owner: 'team-a' });
    assert.deepEqual(flow.current(), { type: 'folder', value: undefined, index: 0, total: 1 });
    assert.throws(() => flow.answerFolder('  '), /the folder must not be empty/);
    flow.answerFolder('/srv/orders');
    assert.deepEqual(flow.reviewItems().find((i) => i.key === 'folder'), { key: 'folder', label: 'Folder', value: '/srv/orders', required: true });
    flow.finish('create');
    assert.equal(flow.result().folder, '/srv/orders');
  });

  it('goes back step by step, keeps answers, and leaves the flow from the first step', () => {
    const flow = make();
    flow.answerField('orders');
    flow.answerField('team-a');
    flow.back();
    const step = flow.current();
    assert.equal(step.type === 'field' && step.field.key, 'owner');
    assert.equal(step.type === 'field' && step.value, 'team-a');
    flow.back();
    assert.equal(flow.current().type === 'field' && (flow.current() as { value: unknown }).value, 'orders');
    flow.back();
    assert.equal(flow.state, 'exited-back');
  });

  it('edits one field from the review and returns to the review; the folder follows the name until chosen', () => {
    const flow = make({ name: 'a', owner: 't' });
    assert.equal(flow.current().type, 'review');
    flow.edit('name');
    flow.answerField('b');
    assert.equal(flow.reviewItems().find((i) => i.key === 'folder')?.value, '/ws/b', 'the default folder follows the name');
    flow.edit('folder');
    assert.deepEqual(flow.current(), { type: 'folder', value: '/ws/b', index: -1, total: 0 });
    flow.answerFolder('/ws/a');
    flow.edit('name');
    flow.answerField('a');
    flow.edit('port');
    const step = flow.current();
    assert.equal(step.type === 'field' && step.field.key, 'port');
    assert.equal(step.type === 'field' && step.value, 8080);
    flow.answerField(9000);
    assert.equal(flow.current().type, 'review');
    flow.edit('description');
    flow.answerField(undefined);
    flow.finish('create');
    assert.deepEqual(flow.result(), { values: { name: 'a', owner: 't', system: 'default', port: 9000 }, folder: '/ws/a', action: 'create' });
  });

  it('refuses invalid answers and finishing with problems', () => {
    const flow = make();
    assert.throws(() => flow.answerField('Bad Name'), /Service name must match the pattern/);
    assert.throws(() => flow.answerField(undefined), /Service name is required/);
    assert.throws(() => flow.answerFolder('/x'), /the current step is field, not the folder/);
    assert.throws(() => flow.finish('create'), /finish is only possible from the review page/);
  });

  it('asks every field with askAll', () => {
    const flow = make({}, true);
    const keys: string[] = [];
    for (let s = flow.current(); s.type === 'field'; s = flow.current()) {
      keys.push(s.field.key);
      flow.answerField(s.value ?? (s.field.key === 'name' ? 'n' : 't'));
    }
    assert.deepEqual(keys, ['name', 'owner', 'description', 'system', 'port']);
  });
});
