import * as assert from 'node:assert/strict';
import { goldenPathOf, toCatalogService, toLocationRef, toValidationError } from '../../../../src/platform/backstage/mapping';
import { applyDefaults, mapUiHints, outcomeOf, stripAnsi, taskStateOf, toScaffoldEvent, toTemplateSteps } from '../../../../src/platform/backstage/templateMapping';
import type { BackstageEntity, SerializedTaskEvent } from '../../../../src/platform/backstage/wire';

describe('backstage mapping (pure)', () => {
  it('reads the golden path an entity came from: backstage.io/source-template and backstage.io/template-version', () => {
    const entity = (annotations: Record<string, string>): BackstageEntity => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'auth', annotations }, spec: { owner: 'team-b' } });
    assert.deepEqual(toCatalogService(entity({ 'backstage.io/source-template': 'template:default/node-service', 'backstage.io/template-version': '1.2.0' })).goldenPath, { template: 'template:default/node-service', version: '1.2.0' });
    assert.deepEqual(goldenPathOf(entity({ 'backstage.io/source-template': 'node-service', 'backstage.io/template-version': '1.2.0' })), { template: 'template:default/node-service', version: '1.2.0' }, 'the ref the template list uses');
    assert.equal(goldenPathOf(entity({ 'backstage.io/source-template': 'template:default/node-service' })), undefined, 'no version, no drift');
    assert.equal(toCatalogService(entity({})).goldenPath, undefined);
  });

  it('maps an entity to a catalog entry with owner and system as people read them', () => {
    const entity: BackstageEntity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'auth', namespace: 'security', title: 'Auth', tags: ['go'] },
      spec: { owner: 'team-b', system: 'identity', lifecycle: 'deprecated' },
      relations: [
        { type: 'ownedBy', targetRef: 'group:default/team-b' },
        { type: 'partOf', targetRef: 'system:security/identity' },
      ],
    };
    assert.deepEqual(toCatalogService(entity), {
      ref: 'component:security/auth',
      kind: 'Component',
      name: 'auth',
      title: 'Auth',
      owner: 'team-b',
      system: 'security/identity',
      lifecycle: 'deprecated',
      tags: ['go'],
      source: 'registered',
      status: {},
    });
    // An entity naming a Paved platform to deploy through carries its URL (the tree offers Deploy for it).
    const annotated = { ...entity, metadata: { ...entity.metadata, annotations: { 'paved.dev/platform-api': 'https://paved.example.com' } } };
    assert.equal(toCatalogService(annotated).deploysThrough, 'https://paved.example.com');
    // Without relations (a projection that left them out), spec fields are completed in the entity's namespace.
    const bare = toCatalogService({ ...entity, relations: undefined });
    assert.equal(bare.owner, 'security/team-b');
    assert.equal(bare.system, 'security/identity');
  });

  it('adds the meaning of ui: hints (references, name pattern, secrets, repo hosts) and keeps the ui: keys for the wizard', () => {
    const input = {
      type: 'object',
      'ui:order': ['name', '*', 'owner'],
      properties: {
        owner: { type: 'string', 'ui:field': 'OwnerPicker', 'ui:options': { catalogFilter: { kind: ['Group'] } } },
        system: { type: 'string', 'ui:field': 'EntityPicker', 'ui:options': { catalogFilter: [{ kind: 'System' }] } },
        token: { type: 'string', 'ui:widget': 'password' },
        name: { type: 'string', 'ui:field': 'EntityNamePicker', 'ui:help': 'lower-case' },
        notes: { type: 'string', 'ui:widget': 'textarea', 'ui:readonly': true },
        repoUrl: { type: 'string', 'ui:field': 'RepoUrlPicker', 'ui:options': { allowedHosts: ['github.com'] } },
        size: { type: 'string', enum: ['s', 'm'], enumNames: ['Small', 'Medium'] },
        list: { type: 'array', items: { type: 'object', properties: { n: { type: 'string', 'ui:field': 'EntityNamePicker' } } } },
      },
    };
    const mapped = mapUiHints(input) as { properties: Record<string, Record<string, unknown>> } & Record<string, unknown>;
    assert.deepEqual(mapped['ui:order'], ['name', '*', 'owner']);
    assert.deepEqual(mapped.properties.owner, { ...input.properties.owner, 'x-paved-reference': 'team' });
    assert.deepEqual(mapped.properties.system, { ...input.properties.system, 'x-paved-reference': 'system' });
    assert.deepEqual(mapped.properties.token, { type: 'string', 'ui:widget': 'password', writeOnly: true });
    assert.deepEqual(mapped.properties.name, {
      type: 'string',
      'ui:field': 'EntityNamePicker',
      'ui:help': 'lower-case',
      pattern: '^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$',
      maxLength: 63,
      description: 'lower-case',
    });
    assert.deepEqual(mapped.properties.notes, { ...input.properties.notes, readOnly: true });
    assert.deepEqual(mapped.properties.repoUrl, { ...input.properties.repoUrl, 'x-paved-repo-url': { allowedHosts: ['github.com'] } });
    assert.deepEqual(mapped.properties.size, input.properties.size);
    assert.equal((mapped.properties.list as { items: { properties: { n: { maxLength: number } } } }).items.properties.n.maxLength, 63);
    assert.equal(input.properties.owner['x-paved-reference' as keyof typeof input.properties.owner], undefined, 'the input is not changed');
  });

  it('turns parameter-schema steps into titled object steps', () => {
    const steps = toTemplateSteps({
      title: 'T',
      steps: [
        { title: 'One', schema: { title: 'One', properties: { a: { type: 'string' } } } },
        { title: '', description: 'second', schema: { title: 'Two', properties: {} } },
      ],
    });
    assert.deepEqual(steps, [
      { title: 'One', schema: { title: 'One', type: 'object', properties: { a: { type: 'string' } } } },
      { title: 'Two', schema: { title: 'Two', type: 'object', properties: {}, description: 'second' } },
    ]);
  });

  it('fills schema defaults the scaffolder would not apply, keeping given values (even falsy ones)', () => {
    const schemas = [
      { properties: { name: { type: 'string' }, lifecycle: { default: 'experimental' }, public: { default: true } } },
      { properties: { port: { default: 8080 }, ci: { type: 'object', properties: { provider: { default: 'github' }, cache: { default: true } } } } },
    ];
    assert.deepEqual(applyDefaults(schemas, { name: 'x', public: false }), {
      name: 'x',
      public: false,
      lifecycle: 'experimental',
      port: 8080,
      ci: { provider: 'github', cache: true },
    });
    assert.deepEqual(applyDefaults(schemas, { ci: { provider: 'gitlab' }, port: 0 }), {
      ci: { provider: 'gitlab', cache: true },
      port: 0,
      lifecycle: 'experimental',
      public: true,
    });
  });

  it('strips ANSI colour codes (real and escaped)', () => {
    assert.equal(stripAnsi('\u001b[32minfo\u001b[39m: Fetching \u001b[1;31mx\u001b[0m'), 'info: Fetching x');
    assert.equal(stripAnsi('\\u001b[32minfo\\u001b[39m: Listing files'), 'info: Listing files');
    assert.equal(stripAnsi('plain'), 'plain');
  });

  it('maps task events: steps, logs, cancellation, completion with output, failure', () => {
    const ev = (type: SerializedTaskEvent['type'], body: SerializedTaskEvent['body'], id = 7): SerializedTaskEvent => ({
      id,
      taskId: 't',
      type,
      body,
      createdAt: '2026-11-22T06:00:01.000Z',
      isTaskRecoverable: false,
    });
    assert.deepEqual(toScaffoldEvent(ev('log', { message: 'Beginning step Fetch', stepId: 'fetch', status: 'processing' })), {
      seq: 7,
      at: '2026-11-22T06:00:01.000Z',
      type: 'step',
      message: 'Beginning step Fetch',
      stepId: 'fetch',
    });
    assert.equal(toScaffoldEvent(ev('log', { message: '\u001b[32minfo\u001b[39m: hi', stepId: 'fetch' })).message, 'info: hi');
    assert.equal(toScaffoldEvent(ev('log', { message: 'hi', stepId: 'fetch' })).type, 'log');
    assert.deepEqual(toScaffoldEvent(ev('cancelled', { message: 'Step wait has been cancelled.', stepId: 'wait', status: 'cancelled' })), {
      seq: 7,
      at: '2026-11-22T06:00:01.000Z',
      type: 'cancelled',
      message: 'Step wait has been cancelled.',
      stepId: 'wait',
    });
    const done = toScaffoldEvent(
      ev('completion', {
        message: 'Run completed with status: completed',
        output: { links: [{ title: 'Repo', url: 'https://r' }, { title: 'Catalog', entityRef: 'component:default/x' }, { title: 'nothing' }], text: [{ title: 'Next', content: 'Run it' }] },
      }),
    );
    assert.deepEqual(done.outcome, {
      files: [],
      nextSteps: [],
      links: [{ title: 'Repo', url: 'https://r' }, { title: 'Catalog', entityRef: 'component:default/x' }],
      text: '## Next\n\nRun it',
    });
    assert.equal(done.type, 'completed');
    const failed = toScaffoldEvent(ev('completion', { message: 'Run completed with status: failed', error: { name: 'Error', message: 'Step Wait has been cancelled.' } }));
    assert.deepEqual([failed.type, failed.message, failed.outcome], ['failed', 'Step Wait has been cancelled.', undefined]);
    assert.equal(toScaffoldEvent(ev('completion', { message: 'Run completed with status: failed' })).type, 'failed');
  });

  it('maps older output keys (remoteUrl, entityRef) and string text', () => {
    assert.deepEqual(outcomeOf({ remoteUrl: 'https://g/x', entityRef: 'component:default/x', text: 'done' }), {
      files: [],
      nextSteps: [],
      links: [{ title: 'Repository', url: 'https://g/x' }, { title: 'Open in catalog', entityRef: 'component:default/x' }],
      text: 'done',
    });
  });

  it('maps task states, a failed task that was cancelled counting as cancelled', () => {
    assert.deepEqual(
      ['open', 'processing', 'completed', 'failed', 'cancelled', 'skipped'].map((s) => taskStateOf(s)),
      ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'cancelled'],
    );
    assert.equal(taskStateOf('failed', true), 'cancelled');
  });

  it('turns validate-entity messages into the innermost cause with a JSON pointer', () => {
    assert.deepEqual(
      toValidationError(
        "Processor BuiltinKindsEntityProcessor threw an error while validating the entity component:default/x; caused by TypeError: /spec must have required property 'owner' - missingProperty: owner",
      ),
      { message: "/spec must have required property 'owner' - missingProperty: owner", pointer: '/spec/owner' },
    );
    assert.deepEqual(toValidationError('Processor X threw; caused by TypeError: /spec/type must be string - type: string'), {
      message: '/spec/type must be string - type: string',
      pointer: '/spec/type',
    });
    assert.deepEqual(toValidationError("<root> must have required property 'kind' - missingProperty: kind"), {
      message: "<root> must have required property 'kind' - missingProperty: kind",
      pointer: '/kind',
    });
    assert.deepEqual(
      toValidationError(
        'Policy check failed for component:default/Bad Name; caused by Error: "metadata.name" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found "Bad Name". To learn more about catalog file format, visit: https://github.com/backstage/backstage/blob/master/docs/x.md',
      ),
      {
        message: '"metadata.name" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found "Bad Name".',
        pointer: '/metadata/name',
      },
    );
    assert.deepEqual(toValidationError('"metadata.annotations.backstage.io/techdocs-ref" is not valid'), {
      message: '"metadata.annotations.backstage.io/techdocs-ref" is not valid',
      pointer: '/metadata/annotations/backstage.io~1techdocs-ref',
    });
    assert.deepEqual(toValidationError('No processor recognized the entity foo:default/x as valid, possibly caused by a foreign kind or apiVersion'), {
      message: 'No processor recognized the entity foo:default/x as valid, possibly caused by a foreign kind or apiVersion',
    });
  });

  it('makes validate-entity locations url: refs', () => {
    const toUrl = (p: string) => `file://${p}`;
    assert.equal(toLocationRef('url:https://g/x/catalog-info.yaml', toUrl), 'url:https://g/x/catalog-info.yaml');
    assert.equal(toLocationRef('https://g/x/catalog-info.yaml', toUrl), 'url:https://g/x/catalog-info.yaml');
    assert.equal(toLocationRef('/work/x/catalog-info.yaml', toUrl), 'url:file:///work/x/catalog-info.yaml');
  });
});
