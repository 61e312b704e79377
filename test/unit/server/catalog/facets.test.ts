import * as assert from 'node:assert/strict';
import type { CatalogEntry } from '../../../../src/core/catalog';
import { FacetIndex } from '../../../../src/server/catalog/facets';

function entry(name: string, owner: string, system?: string, lifecycle?: CatalogEntry['lifecycle']): CatalogEntry {
  return { name, owner, system, lifecycle } as CatalogEntry;
}

describe('server: facet counts', () => {
  it('counts owners, systems and lifecycles in and out, ordered by value, without empty values', () => {
    const index = new FacetIndex();
    const a = entry('a', 'team-b', 'checkout', 'production');
    const b = entry('b', 'team-a', 'checkout');
    const c = entry('c', 'team-b', undefined, 'experimental');
    for (const e of [a, b, c]) index.add(e);
    assert.deepEqual(index.facets(), {
      total: 3,
      owners: [
        { value: 'team-a', count: 1 },
        { value: 'team-b', count: 2 },
      ],
      systems: [{ value: 'checkout', count: 2 }],
      lifecycles: [
        { value: 'experimental', count: 1 },
        { value: 'production', count: 1 },
      ],
    });
    index.remove(b);
    index.remove(a);
    assert.deepEqual(index.facets(), { total: 1, owners: [{ value: 'team-b', count: 1 }], systems: [], lifecycles: [{ value: 'experimental', count: 1 }] });
    index.reset([a]);
    assert.deepEqual(index.facets(), { total: 1, owners: [{ value: 'team-b', count: 1 }], systems: [{ value: 'checkout', count: 1 }], lifecycles: [{ value: 'production', count: 1 }] });
  });
});
