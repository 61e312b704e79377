import * as assert from 'node:assert/strict';
import { PavedError } from '../../../../src/core/errors';
import { answersFileText, compareVersions, driftOf, findGoldenPath, goldenPathAdoption, latestVersion, parseAnswers, secretKeys, sortVersionsDescending } from '../../../../src/core/templates';

describe('core/templates versions', () => {
  it('compares semantic versions as numbers: 1.9 < 1.10, pre-releases below their release', () => {
    assert.ok(compareVersions('1.9.0', '1.10.0') < 0);
    assert.ok(compareVersions('1.10.0', '1.9.9') > 0);
    assert.ok(compareVersions('2.0.0-rc.1', '2.0.0') < 0);
    assert.ok(compareVersions('2.0.0-rc.2', '2.0.0-rc.10') < 0);
    assert.ok(compareVersions('2.0.0-alpha', '2.0.0-1') > 0);
    assert.equal(compareVersions('1.2.3+build.5', '1.2.3'), 0);
    assert.throws(() => compareVersions('1.2', '1.2.0'), (e: unknown) => PavedError.is(e, 'invalid-input'));
    assert.deepEqual(sortVersionsDescending(['1.2.0', 'x', '1.10.0', '1.9.0']), ['1.10.0', '1.9.0', '1.2.0']);
    assert.equal(latestVersion(['1.2.0', '1.10.0', '2.0.0-rc.1']), '1.10.0');
    assert.equal(latestVersion(['2.0.0-rc.1']), '2.0.0-rc.1');
  });

  it('drift: behind only when the recorded version is older than the newest', () => {
    assert.deepEqual(driftOf({ template: 't', version: '1.9.0' }, '1.10.0'), { template: 't', current: '1.9.0', latest: '1.10.0', updateAvailable: true, text: '1.9.0 → 1.10.0' });
    assert.equal(driftOf({ template: 't', version: '1.10.0' }, '1.10.0').updateAvailable, false);
    assert.equal(driftOf({ template: 't', version: '2.0.0' }, '1.10.0').updateAvailable, false);
    assert.equal(driftOf({ template: 't', version: 'main' }, '1.10.0').updateAvailable, false);
    assert.equal(driftOf({ template: 't', version: '1.0.0' }, undefined).text, '1.0.0');
  });
});

describe('core/templates answers file', () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string' }, token: { type: 'string', writeOnly: true }, pw: { type: 'string', format: 'password' }, pin: { type: 'string', 'ui:widget': 'password' } },
  };

  it('never writes secret values (writeOnly, format: password, ui:widget: password)', () => {
    assert.deepEqual(secretKeys(schema), ['token', 'pw', 'pin']);
    const text = answersFileText({ template: 'svc', version: '1.2.0', values: { name: 'a', token: 's3cr3t', pw: 'hunter2', pin: '1234' } }, schema);
    assert.doesNotMatch(text, /s3cr3t|hunter2|1234|token|pw|pin/);
    assert.deepEqual(parseAnswers(text), { template: 'svc', version: '1.2.0', values: { name: 'a' } });
  });

  it('a broken answers file is an invalid-input error saying what is wrong', () => {
    const bad = (text: string, re: RegExp) => assert.throws(() => parseAnswers(text), (e: unknown) => PavedError.is(e, 'invalid-input') && re.test((e as Error).message));
    bad('template: [', /not valid YAML/);
    bad('- a', /must be a mapping/);
    bad('version: 1.0.0', /'template'/);
    bad('template: a\nversion: latest', /'version' must be a semantic version/);
    bad('template: a\nversion: 1.0.0\nvalues: [1]', /'values' must be a mapping/);
  });
});

describe('core/templates adoption', () => {
  it('counts services per template and version, behind the newest, and lists those off the paved road', () => {
    const a = goldenPathAdoption(
      [
        { name: 'b', goldenPath: { template: 'node', version: '1.2.0' } },
        { name: 'a', goldenPath: { template: 'node', version: '1.3.0' } },
        { name: 'c', goldenPath: { template: 'node', version: '1.2.0' } },
        { name: 'z' },
        { name: 'y' },
        { name: 'old', goldenPath: { template: 'gone', version: '0.1.0' } },
      ],
      [{ id: 'node', title: 'Node', versions: ['1.2.0', '1.10.0', '1.3.0'] }, { id: 'site', versions: ['1.0.0'] }],
      { limit: 1 },
    );
    assert.equal(a.total, 6);
    assert.equal(a.onGoldenPath, 4);
    assert.deepEqual(a.offPavedRoad, { count: 2, services: ['y'] });
    const node = a.templates.find((t) => t.id === 'node')!;
    assert.deepEqual(node, {
      id: 'node',
      title: 'Node',
      latest: '1.10.0',
      known: true,
      services: 3,
      behind: 3,
      versions: [
        { version: '1.10.0', services: 0, published: true },
        { version: '1.3.0', services: 1, published: true },
        { version: '1.2.0', services: 2, published: true },
      ],
    });
    assert.deepEqual(a.templates.find((t) => t.id === 'gone'), { id: 'gone', known: false, services: 1, behind: 0, versions: [{ version: '0.1.0', services: 1, published: false }] });
    assert.equal(a.templates.find((t) => t.id === 'site')!.services, 0);
  });
});

describe('core/templates: goldenPath in a paved.yaml, for the CodeLens', () => {
  it('finds the key in flow and block style, with its line and column', () => {
    assert.deepEqual(findGoldenPath('metadata:\n  name: a\n  goldenPath: { template: node-http-service, version: 1.2.0 }\nspec: {}\n'), { line: 2, column: 2, template: 'node-http-service', version: '1.2.0' });
    assert.deepEqual(findGoldenPath('metadata:\r\n  goldenPath:\r\n    template: "svc"\r\n    version: \'2.0.0\'\r\n  owner: x\r\n'), { line: 1, column: 2, template: 'svc', version: '2.0.0' });
    assert.equal(findGoldenPath('metadata:\n  goldenPath: { template: svc }\n'), undefined);
    assert.equal(findGoldenPath('goldenPath: { template: svc, version: 1.0.0 }\n'), undefined, 'only under metadata (indented)');
  });
});
