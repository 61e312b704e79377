import type { EnvironmentState, Page, Team } from '../../../../src/core/api/types';
import type { CatalogFacets, CatalogService, ServiceQuery } from '../../../../src/platform/backend';
import type { CatalogSource } from '../../../../src/extension/catalog/model';

/** Builds a catalog service with defaults; override what the test is about. */
export function svc(name: string, over: Partial<CatalogService> = {}): CatalogService {
  return { name, ref: name, owner: 'team-a', tags: [], source: 'workspace', status: {}, ...over };
}

function count(values: (string | undefined)[]) {
  const m = new Map<string, number>();
  for (const v of values) if (v) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].map(([value, n]) => ({ value, count: n }));
}

/** An in-memory catalog that pages like the Paved API (ordered by name, opaque cursors) and records every call. */
export class FakeCatalog implements CatalogSource {
  readonly calls: string[] = [];
  capabilities: { deploy: boolean; teamsAsOwners?: boolean } = { deploy: true, teamsAsOwners: true };
  /** When set, the next calls fail with it (until cleared). */
  failWith: Error | undefined;
  private services: CatalogService[];

  constructor(services: CatalogService[]) {
    this.services = services.slice().sort((a, b) => a.name.localeCompare(b.name));
  }

  async listServices(q: ServiceQuery): Promise<Page<CatalogService>> {
    this.calls.push(`list ${JSON.stringify(q)}`);
    if (this.failWith) throw this.failWith;
    const text = q.text?.toLowerCase();
    const matches = this.services.filter(
      (s) =>
        (!q.owner || s.owner === q.owner) &&
        (!q.system || s.system === q.system) &&
        (!q.lifecycle || s.lifecycle === q.lifecycle) &&
        (!text || [s.name, s.title ?? '', s.description ?? '', ...s.tags].some((v) => v.toLowerCase().includes(text))),
    );
    const start = q.cursor ? Number(Buffer.from(q.cursor, 'base64url').toString()) : 0;
    const limit = q.limit ?? 50;
    const items = matches.slice(start, start + limit);
    const end = start + items.length;
    return end < matches.length ? { items, nextCursor: Buffer.from(String(end)).toString('base64url') } : { items };
  }

  /** Owners as teams with service counts, paged like the API (only when `teamsEndpoint`). */
  teamsEndpoint = false;
  get listTeams(): ((p?: { limit?: number; cursor?: string }) => Promise<Page<Team>>) | undefined {
    if (!this.teamsEndpoint) return undefined;
    return async (p = {}) => {
      this.calls.push(`teams ${JSON.stringify(p)}`);
      if (this.failWith) throw this.failWith;
      const all = count(this.services.map((s) => s.owner))
        .sort((a, b) => a.value.localeCompare(b.value))
        .map((c) => ({ name: c.value, members: [], serviceCount: c.count }));
      const start = p.cursor ? Number(p.cursor) : 0;
      const items = all.slice(start, start + (p.limit ?? 50));
      const end = start + items.length;
      return end < all.length ? { items, nextCursor: String(end) } : { items };
    };
  }

  /** Like the Paved client: facets count at most this many services, then say `partial`. */
  facetScanLimit = Infinity;

  async facets(): Promise<CatalogFacets> {
    this.calls.push('facets');
    if (this.failWith) throw this.failWith;
    const sample = this.services.slice(0, this.facetScanLimit);
    return {
      owners: count(sample.map((s) => s.owner)),
      systems: count(sample.map((s) => s.system)),
      lifecycles: count(sample.map((s) => s.lifecycle)),
      partial: sample.length < this.services.length,
    };
  }
}

export function many(n: number, over: (i: number) => Partial<CatalogService> = () => ({})): CatalogService[] {
  return Array.from({ length: n }, (_, i) => svc(`svc-${String(i).padStart(6, '0')}`, over(i)));
}

export const status = (s: Record<string, EnvironmentState>) => s;
