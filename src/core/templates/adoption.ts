/**
 * Golden-path adoption across a catalog: per template and version how many services are on it, how many are behind
 * the newest version, and which services are on no golden path ("off the paved road"). Pure, so the platform's
 * `GET /v1/golden-paths` and later reports (insights) compute it the same way.
 */
import type { GoldenPathAdoption, TemplateAdoption } from '../api/types';
import { compareVersions, isVersion, latestVersion } from './semver';

export type { GoldenPathAdoption, TemplateAdoption, VersionAdoption } from '../api/types';

export interface AdoptionService {
  name: string;
  goldenPath?: { template: string; version: string };
}

export interface AdoptionTemplate {
  id: string;
  title?: string;
  /** Published versions, any order. */
  versions: readonly string[];
}

export function goldenPathAdoption(services: Iterable<AdoptionService>, templates: readonly AdoptionTemplate[], opts: { limit?: number } = {}): GoldenPathAdoption {
  const limit = opts.limit ?? 500;
  const byTemplate = new Map<string, Map<string, number>>();
  const off: string[] = [];
  let total = 0;
  let onGoldenPath = 0;
  for (const s of services) {
    total++;
    if (!s.goldenPath) {
      off.push(s.name);
      continue;
    }
    onGoldenPath++;
    let versions = byTemplate.get(s.goldenPath.template);
    if (!versions) byTemplate.set(s.goldenPath.template, (versions = new Map()));
    versions.set(s.goldenPath.version, (versions.get(s.goldenPath.version) ?? 0) + 1);
  }
  const out: TemplateAdoption[] = [];
  const ids = new Set([...templates.map((t) => t.id), ...byTemplate.keys()]);
  for (const id of [...ids].sort()) {
    const t = templates.find((x) => x.id === id);
    const counts = byTemplate.get(id) ?? new Map<string, number>();
    const published = new Set(t?.versions ?? []);
    const latest = t ? latestVersion([...published]) : undefined;
    const all = [...new Set([...published, ...counts.keys()])];
    const ordered = [...all.filter(isVersion).sort((a, b) => compareVersions(b, a)), ...all.filter((v) => !isVersion(v)).sort()];
    const versions = ordered.map((version) => ({ version, services: counts.get(version) ?? 0, published: published.has(version) }));
    const services = versions.reduce((n, v) => n + v.services, 0);
    const behind = latest === undefined ? 0 : versions.filter((v) => isVersion(v.version) && compareVersions(v.version, latest) < 0).reduce((n, v) => n + v.services, 0);
    out.push({ id, ...(t?.title ? { title: t.title } : {}), ...(latest ? { latest } : {}), known: t !== undefined, services, behind, versions });
  }
  off.sort();
  return { total, onGoldenPath, templates: out, offPavedRoad: { count: off.length, services: off.slice(0, limit) } };
}
