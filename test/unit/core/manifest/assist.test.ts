import * as assert from 'node:assert/strict';
import { completionsAt, hoverAt, pathAt } from '../../../../src/core/manifest/index';
import { defaultPolicySet } from '../../../../src/core/policy/index';
import { MINIMAL } from './helpers';

/** Text with `|` marking the cursor → [text without it, offset]. */
function at(marked: string): [string, number] {
  const i = marked.indexOf('|');
  return [marked.slice(0, i) + marked.slice(i + 1), i];
}

const refs = {
  owners: () => ['team-payments', 'team-ledger'],
  services: () => ['ledger'],
  resources: () => ['payments-db'],
};

describe('completion and hover data', () => {
  it('finds the path of the map a line belongs to from indentation, sequences included', () => {
    const lines = ['spec:', '  slos:', '  - name: a', '    objective: 1', '  run:', '    command: x', ''];
    assert.deepEqual(pathAt(lines, 3, 4), ['spec', 'slos', '0']);
    assert.deepEqual(pathAt(lines, 5, 4), ['spec', 'run']);
    assert.deepEqual(pathAt(lines, 6, 2), ['spec']);
    assert.deepEqual(pathAt(lines, 6, 0), []);
  });

  it('completes the keys missing from the map, required first, with snippets for required children', () => {
    const [text, offset] = at(MINIMAL.replace('  run:\n', '  |\n  run:\n'));
    const items = completionsAt(text, offset, 'paved.yaml');
    const labels = items.map((i) => i.label);
    assert.ok(!labels.includes('runtime') && !labels.includes('run'), 'present keys are not offered');
    assert.deepEqual(labels.slice(0, 4), ['build', 'consumesApis', 'dependsOn', 'env']);
    const health = items.find((i) => i.label === 'health')!;
    assert.equal(health.insertText, 'health:\n  path: ${1:/healthz}');
    assert.equal(health.documentation, 'HTTP health check the platform probes.');
    const top = completionsAt(...(at('apiVersion: paved.dev/v1\n|\n')), 'paved.yaml').map((i) => [i.label, i.detail]);
    assert.deepEqual(top, [
      ['kind', 'required'],
      ['metadata', 'required'],
      ['spec', 'required'],
    ]);
  });

  it('completes enum values with their snippet and the word being typed replaced', () => {
    const [text, offset] = at(MINIMAL.replace('lifecycle: experimental', 'lifecycle: pro|'));
    const items = completionsAt(text, offset, 'paved.yaml');
    assert.deepEqual(items.map((i) => i.label), ['experimental', 'production', 'deprecated']);
    assert.deepEqual(items[1].replace, { offset: offset - 3, length: 3 });
    const key = completionsAt(...(at(MINIMAL.replace('  owner: team-payments\n', '  owner: team-payments\n  life|\n').replace('  lifecycle: experimental\n', ''))), 'paved.yaml');
    assert.equal(key.find((i) => i.label === 'lifecycle')?.insertText, 'lifecycle: ${1|experimental,production,deprecated|}');
  });

  it('completes references from the provider: owners, and services/resources in dependsOn', () => {
    const [text, offset] = at(MINIMAL.replace('owner: team-payments', 'owner: |'));
    assert.deepEqual(completionsAt(text, offset, 'paved.yaml', refs).map((i) => [i.label, i.kind]), [
      ['team-payments', 'reference'],
      ['team-ledger', 'reference'],
    ]);
    const [t2, o2] = at(MINIMAL + '  dependsOn:\n    - |\n');
    assert.deepEqual(completionsAt(t2, o2, 'paved.yaml', refs).map((i) => i.label), ['service:ledger', 'resource:payments-db']);
    assert.deepEqual(completionsAt(t2, o2, 'paved.yaml'), [], 'nothing without a provider');
  });

  it('completes a half-typed `service:` ref, replacing all of it, and items at their key\'s own indentation', () => {
    const [t1, o1] = at(MINIMAL + '  dependsOn:\n    - service:led|\n');
    const typed = completionsAt(t1, o1, 'paved.yaml', refs);
    assert.deepEqual(typed.map((i) => i.label), ['service:ledger', 'resource:payments-db']);
    assert.deepEqual(typed[0].replace, { offset: o1 - 'service:led'.length, length: 'service:led'.length });
    // `dependsOn:` with its items not indented further (second item being typed).
    const [t2, o2] = at(MINIMAL + '  dependsOn:\n  - service:ledger\n  - |\n');
    assert.deepEqual(completionsAt(t2, o2, 'paved.yaml', refs).map((i) => i.label), ['service:ledger', 'resource:payments-db']);
    // A sequence of maps is still a sequence of maps: `- ` under slos completes the SLO keys, no references.
    const [t3, o3] = at(MINIMAL + '  slos:\n  - |\n');
    assert.deepEqual(completionsAt(t3, o3, 'paved.yaml', refs).map((i) => i.label).sort(), ['indicator', 'name', 'objective', 'thresholdMs', 'window']);
  });

  it('hovers keys and values with the schema description, allowed values and policies', () => {
    const text = MINIMAL;
    const h = hoverAt(text, text.indexOf('lifecycle') + 2, 'paved.yaml', defaultPolicySet())!;
    assert.deepEqual([h.offset, h.length], [text.indexOf('lifecycle'), 'lifecycle'.length]);
    assert.ok(h.markdown.startsWith('**metadata.lifecycle**\n\nWhere the service is in its life'), h.markdown);
    assert.ok(h.markdown.includes('Allowed: `experimental`, `production`, `deprecated`'));
    const owner = hoverAt(text, text.indexOf('owner') + 1, 'paved.yaml', defaultPolicySet())!;
    assert.ok(owner.markdown.includes('**Policy `production-owner`** (error, mandatory): A production service has an owning team'), owner.markdown);
    assert.equal(hoverAt('a: 1\n', 1, 'values.yaml'), undefined);
  });
});
