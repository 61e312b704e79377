/**
 * Teams: those `.paved/teams.yaml` files describe, plus every owner the catalog names, each with its service count.
 */
import type { Page, Team } from '../../core/api/types';
import { pageSorted, type CatalogEntry } from '../../core/catalog';
import { PavedError } from '../../core/errors';
import type { TeamRecord } from './source';

function allTeams(described: readonly TeamRecord[], entries: Iterable<CatalogEntry>): Team[] {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.owner, (counts.get(e.owner) ?? 0) + 1);
  const byName = new Map<string, Team>();
  for (const t of described) byName.set(t.name, { ...t, serviceCount: counts.get(t.name) ?? 0 });
  for (const [owner, n] of counts) if (!byName.has(owner)) byName.set(owner, { name: owner, members: [], serviceCount: n });
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

export function teamsPage(described: readonly TeamRecord[], entries: Iterable<CatalogEntry>, limit: number, cursor?: string): Page<Team> {
  return pageSorted(allTeams(described, entries), (t) => t.name, { limit, cursor, map: (t) => t });
}

export function findTeam(described: readonly TeamRecord[], entries: Iterable<CatalogEntry>, name: string): Team {
  const t = allTeams(described, entries).find((x) => x.name === name);
  if (!t) throw new PavedError('not-found', `no team named '${name}'`);
  return t;
}
