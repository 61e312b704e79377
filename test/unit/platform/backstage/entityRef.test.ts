import * as assert from 'node:assert/strict';
import {
  EntityRefError,
  entityRefOf,
  humanizeEntityRef,
  isEntityRef,
  isValidEntityName,
  normalizeEntityRef,
  parseEntityRef,
  sameEntityRef,
  stringifyEntityRef,
} from '../../../../src/platform/backstage/entityRef';

describe('backstage entity refs', () => {
  it('parses full refs and shorthands, completing kind and namespace from the context', () => {
    assert.deepEqual(parseEntityRef('component:default/payments'), { kind: 'component', namespace: 'default', name: 'payments' });
    assert.deepEqual(parseEntityRef('Group:team-a', { defaultNamespace: 'ops' }), { kind: 'Group', namespace: 'ops', name: 'team-a' });
    assert.deepEqual(parseEntityRef('security/auth', { defaultKind: 'component' }), { kind: 'component', namespace: 'security', name: 'auth' });
    assert.deepEqual(parseEntityRef('team-a', { defaultKind: 'group' }), { kind: 'group', namespace: 'default', name: 'team-a' });
    assert.deepEqual(parseEntityRef({ kind: 'API', name: 'x' }), { kind: 'API', namespace: 'default', name: 'x' });
  });

  it('rejects malformed refs with a message that says why', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['a:b:c', /more than one ":"/],
      ['a/b/c', /more than one "\/"/],
      ['ns/kind:name', /kind comes before the namespace/],
      [':default/x', /empty kind/],
      ['component:/x', /empty namespace/],
      ['component:default/', /empty name/],
      ['payments', /needs a kind here, e\.g\. component:default\/payments/],
    ];
    for (const [ref, message] of cases) {
      assert.throws(() => parseEntityRef(ref), (err: unknown) => err instanceof EntityRefError && message.test(err.message), ref);
      assert.equal(isEntityRef(ref), false, ref);
    }
  });

  it('stringifies the canonical way: kind and namespace lower-cased, name kept', () => {
    assert.equal(stringifyEntityRef({ kind: 'Component', namespace: 'Default', name: 'Payments-API' }), 'component:default/Payments-API');
    assert.equal(stringifyEntityRef({ kind: 'API', name: 'x' }), 'api:default/x');
    assert.equal(normalizeEntityRef('team-a', { defaultKind: 'group' }), 'group:default/team-a');
    assert.equal(entityRefOf({ kind: 'System', metadata: { name: 'payments', namespace: 'Finance' } }), 'system:finance/payments');
    assert.throws(() => entityRefOf({ kind: 'System', metadata: {} }), EntityRefError);
  });

  it('humanizes like Backstage: default namespace and default kind left out', () => {
    assert.equal(humanizeEntityRef('group:default/team-a', { defaultKind: 'group' }), 'team-a');
    assert.equal(humanizeEntityRef('group:default/team-a'), 'group:team-a');
    assert.equal(humanizeEntityRef('component:security/auth', { defaultKind: 'component' }), 'security/auth');
    assert.equal(humanizeEntityRef('user:ops/jo', { defaultKind: 'group' }), 'user:ops/jo');
  });

  it('compares refs case-insensitively after completing shorthands', () => {
    assert.equal(sameEntityRef('Group:Default/Team-A', 'team-a', { defaultKind: 'group' }), true);
    assert.equal(sameEntityRef('group:default/team-a', 'group:default/team-b'), false);
  });

  it('checks entity names with the catalog rule', () => {
    assert.equal(isValidEntityName('payments-api_v2.1'), true);
    assert.equal(isValidEntityName('Bad Name'), false);
    assert.equal(isValidEntityName('-leading'), false);
    assert.equal(isValidEntityName('a'.repeat(63)), true);
    assert.equal(isValidEntityName('a'.repeat(64)), false);
  });
});
