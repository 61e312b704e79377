/**
 * The catalog model's copy of a service: one fixed-shape object per service, sharing the values many services repeat,
 * so a fully expanded catalog of 100k services stays small (see test/bench/catalog.ts).
 */
import type { EnvironmentState } from '../../core/api/types';
import type { CatalogService } from '../../platform/backend';

/** One fixed-shape object per service with shared copies of repeated values (owners, systems, tags, status). */
export class Compactor {
  private readonly strings = new Map<string, string>();
  private readonly tagLists = new Map<string, string[]>();
  private readonly statuses = new Map<string, Record<string, EnvironmentState>>();
  private readonly goldenPaths = new Map<string, { template: string; version: string }>();

  private str<T extends string | undefined>(v: T): T {
    if (v === undefined) return v;
    const known = this.strings.get(v);
    if (known !== undefined) return known as T;
    this.strings.set(v, v);
    return v;
  }

  service(s: CatalogService): CatalogService {
    const tagKey = s.tags.join('\u0000');
    let tags = this.tagLists.get(tagKey);
    if (!tags) {
      tags = Object.freeze(s.tags.map((t) => this.str(t))) as string[];
      this.tagLists.set(tagKey, tags);
    }
    const entries = Object.entries(s.status);
    const statusKey = entries.map(([e, st]) => `${e}=${st}`).join(';');
    let status = this.statuses.get(statusKey);
    if (!status) {
      status = Object.freeze(Object.fromEntries(entries.map(([e, st]) => [this.str(e), this.str(st)])));
      this.statuses.set(statusKey, status);
    }
    const out: CatalogService = {
      ref: s.ref,
      name: s.ref === s.name ? s.ref : s.name,
      title: s.title,
      description: s.description,
      owner: this.str(s.owner),
      system: this.str(s.system),
      lifecycle: this.str(s.lifecycle),
      kind: this.str(s.kind),
      tags,
      source: this.str(s.source),
      status,
      deploysThrough: s.deploysThrough,
      ...(s.claimStates ? { claimStates: s.claimStates } : {}),
    };
    if (s.health) out.health = s.health;
    if (s.goldenPath) {
      // One shared object per template and version (the tree's drift badge reads it).
      const key = `${s.goldenPath.template}\u0000${s.goldenPath.version}`;
      let gp = this.goldenPaths.get(key);
      if (!gp) this.goldenPaths.set(key, (gp = Object.freeze({ template: this.str(s.goldenPath.template), version: this.str(s.goldenPath.version) })));
      out.goldenPath = gp;
    }
    return out;
  }
}
