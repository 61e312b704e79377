import * as assert from 'node:assert/strict';
import { entitiesIn, pointerRange, refFieldAt } from '../../../../src/extension/backstage/entityText';

const CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Bad Name
spec:
  type: service
  lifecycle: production
  owner: team-c
  dependsOn:
    - component:ledger
    - resource:gone-db
`;

/** The text a range covers. */
const at = (text: string, r: { offset: number; length: number }) => text.slice(r.offset, r.offset + r.length);

describe('catalog-info.yaml text helpers', () => {
  it('finds the entities of a file, one per document with apiVersion and kind', () => {
    const { entities, syntaxErrors } = entitiesIn(`${CATALOG_INFO}---\nkind: Note\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: x}\n`);
    assert.equal(syntaxErrors, false);
    assert.deepEqual(entities.map((e) => [e.index, e.entity.kind]), [[0, 'Component'], [2, 'API']]);
    assert.deepEqual((entities[0].entity.spec as { dependsOn: string[] }).dependsOn, ['component:ledger', 'resource:gone-db']);
    assert.equal(entitiesIn('a: [1,\n').syntaxErrors, true);
  });

  it('maps JSON pointers to the value, the key of a collection, or the nearest key of a missing one', () => {
    const root = entitiesIn(CATALOG_INFO).entities[0].root;
    assert.equal(at(CATALOG_INFO, pointerRange(root, '/metadata/name')), 'Bad Name');
    assert.equal(at(CATALOG_INFO, pointerRange(root, '/spec/owner')), 'team-c');
    assert.equal(at(CATALOG_INFO, pointerRange(root, '/spec/dependsOn/1')), 'resource:gone-db');
    assert.equal(at(CATALOG_INFO, pointerRange(root, '/spec/dependsOn')), 'dependsOn');
    assert.equal(at(CATALOG_INFO, pointerRange(root, '/spec/system')), 'spec');
    assert.equal(at(CATALOG_INFO, pointerRange(root, '/spec/x/y')), 'spec');
    assert.equal(at(CATALOG_INFO, pointerRange(root, '')), 'apiVersion');
    assert.equal(at(CATALOG_INFO, pointerRange(root, undefined)), 'apiVersion');
    assert.deepEqual(pointerRange(root, '/spec/owner'), { offset: CATALOG_INFO.indexOf('team-c'), length: 6 });
  });

  it('knows when the cursor is in spec.owner, spec.system or a spec.dependsOn item', () => {
    const owner = CATALOG_INFO.indexOf('team-c') + 4;
    assert.deepEqual(refFieldAt(CATALOG_INFO, owner), {
      field: 'owner',
      kinds: ['Group', 'User'],
      defaultKind: 'group',
      prefix: 'team',
      replace: { offset: CATALOG_INFO.indexOf('team-c'), length: 6 },
    });
    const item = CATALOG_INFO.indexOf('resource:gone-db') + 3;
    const ctx = refFieldAt(CATALOG_INFO, item);
    assert.equal(ctx?.field, 'dependsOn');
    assert.equal(ctx?.prefix, 'res');
    assert.equal(ctx?.defaultKind, undefined);
    assert.deepEqual(ctx?.replace, { offset: CATALOG_INFO.indexOf('resource:gone-db'), length: 'resource:gone-db'.length });

    const empty = 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n  system: \n  owner: a\n';
    const sys = refFieldAt(empty, empty.indexOf('system: ') + 8);
    assert.equal(sys?.field, 'system');
    assert.equal(sys?.prefix, '');
    assert.deepEqual(sys?.replace, { offset: empty.indexOf('system: ') + 8, length: 0 });

    const newItem = `${CATALOG_INFO}    - `;
    assert.equal(refFieldAt(newItem, newItem.length)?.field, 'dependsOn');
    const flow = 'apiVersion: v\nkind: Component\nspec:\n  dependsOn: [component:a, com]\n';
    const f = refFieldAt(flow, flow.indexOf('com]') + 3);
    assert.equal(f?.field, 'dependsOn');
    assert.equal(f?.prefix, 'com');
  });

  it('offers nothing outside the ref fields', () => {
    assert.equal(refFieldAt(CATALOG_INFO, CATALOG_INFO.indexOf('service') + 2), undefined); // spec.type
    assert.equal(refFieldAt(CATALOG_INFO, CATALOG_INFO.indexOf('Bad') + 1), undefined); // metadata.name
    const metaOwner = 'apiVersion: v\nkind: Component\nmetadata:\n  owner: x\n';
    assert.equal(refFieldAt(metaOwner, metaOwner.indexOf('owner: x') + 8), undefined); // not under spec
    const tags = 'apiVersion: v\nkind: Component\nmetadata:\n  tags:\n    - a\n';
    assert.equal(refFieldAt(tags, tags.indexOf('- a') + 3), undefined);
  });
});
