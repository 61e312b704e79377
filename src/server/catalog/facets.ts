/**
 * Exact owner/system/lifecycle counts of the local catalog, kept up to date entry by entry so that
 * `GET /v1/service-facets` answers in time proportional to the number of distinct values, not of services.
 */
import type { CatalogEntry } from '../../core/catalog';

/** One value of a facet and how many services carry it (`FacetCount` in the contract). */
export interface FacetCount {
  value: string;
  count: number;
}

/** `ServiceFacets` in the contract. */
export interface ServiceFacets {
  total: number;
  owners: FacetCount[];
  systems: FacetCount[];
  lifecycles: FacetCount[];
}

type Field = 'owner' | 'system' | 'lifecycle';
const FIELDS: readonly Field[] = ['owner', 'system', 'lifecycle'];

export class FacetIndex {
  private readonly counts: Record<Field, Map<string, number>> = { owner: new Map(), system: new Map(), lifecycle: new Map() };
  private total = 0;
  /** The sorted answer, rebuilt on the first read after a change. */
  private snapshot: ServiceFacets | undefined;

  /** Counts `e` in (call once per entry in the catalog). */
  add(e: CatalogEntry): void {
    this.total++;
    for (const f of FIELDS) {
      const v = e[f];
      if (v) this.counts[f].set(v, (this.counts[f].get(v) ?? 0) + 1);
    }
    this.snapshot = undefined;
  }

  /** Counts `e` out (the entry as it was counted in). */
  remove(e: CatalogEntry): void {
    this.total--;
    for (const f of FIELDS) {
      const v = e[f];
      if (!v) continue;
      const n = (this.counts[f].get(v) ?? 0) - 1;
      if (n > 0) this.counts[f].set(v, n);
      else this.counts[f].delete(v);
    }
    this.snapshot = undefined;
  }

  /** Replaces every count by those of `entries`. */
  reset(entries: Iterable<CatalogEntry>): void {
    for (const f of FIELDS) this.counts[f].clear();
    this.total = 0;
    for (const e of entries) this.add(e);
    this.snapshot = undefined;
  }

  /** The counts, each list ordered by value (code point order, as the service list is ordered by name). */
  facets(): ServiceFacets {
    this.snapshot ??= {
      total: this.total,
      owners: sorted(this.counts.owner),
      systems: sorted(this.counts.system),
      lifecycles: sorted(this.counts.lifecycle),
    };
    return this.snapshot;
  }
}

function sorted(m: Map<string, number>): FacetCount[] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([value, count]) => ({ value, count }));
}
