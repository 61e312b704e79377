/**
 * The names a manifest's references are checked against, from a Backstage catalog: Groups (teams), Systems,
 * Components (services, with the deprecated ones) and APIs, each paged through `by-query` with only the fields needed.
 * A kind with more entities than `max` is left out (its references go unchecked rather than wrongly called unknown).
 */
import type { ReferenceNames } from '../backend';
import type { BackstageEntity } from './wire';

export type EntityPager = (kind: string, page: { limit: number; cursor?: string }, fields: readonly string[]) => Promise<{ items: BackstageEntity[]; nextCursor?: string }>;

const PAGE = 500;

async function namesOf(kind: string, page: EntityPager, max: number, deprecated?: string[]): Promise<string[] | undefined> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await page(kind, { limit: PAGE, ...(cursor ? { cursor } : {}) }, ['kind', 'metadata.name', 'spec.lifecycle']);
    for (const e of res.items) {
      out.push(e.metadata.name);
      if (deprecated && (e.spec as { lifecycle?: unknown } | undefined)?.lifecycle === 'deprecated') deprecated.push(e.metadata.name);
    }
    cursor = res.nextCursor;
    if (out.length > max) return undefined;
  } while (cursor);
  return [...new Set(out)].sort();
}

export async function backstageReferenceNames(page: EntityPager, max = 20_000): Promise<ReferenceNames> {
  const deprecatedServices: string[] = [];
  const [teams, systems, services, apis] = await Promise.all([
    namesOf('Group', page, max),
    namesOf('System', page, max),
    namesOf('Component', page, max, deprecatedServices),
    namesOf('API', page, max),
  ]);
  const out: ReferenceNames = { deprecatedServices: [...new Set(deprecatedServices)].sort() };
  if (teams) out.teams = teams;
  if (systems) out.systems = systems;
  if (services) out.services = services;
  if (apis) out.apis = apis;
  return out;
}
