/**
 * An in-memory catalog: sorted by name, filtered and paged with opaque cursors, with a dependents index. Pure.
 */
import { PavedError } from '../errors';
import type { Lifecycle, Page } from '../api/types';
import { refName, type CatalogEntry } from './model';

export interface CatalogFilter {
  text?: string;
  owner?: string;
  system?: string;
  lifecycle?: Lifecycle;
}

/** Encodes the last name of a page as an opaque cursor. */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

/** Decodes a cursor from `encodeCursor`; anything else is an invalid-input PavedError. */
export function decodeCursor(cursor: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw new PavedError('invalid-input', 'cursor is not one this server issued', { cause: err });
  }
  const k = parsed !== null && typeof parsed === 'object' ? (parsed as { k?: unknown }).k : undefined;
  if (typeof k !== 'string') throw new PavedError('invalid-input', 'cursor is not one this server issued');
  return k;
}

export function matchesFilter(e: CatalogEntry, f: CatalogFilter): boolean {
  if (f.owner !== undefined && e.owner !== f.owner) return false;
  if (f.system !== undefined && e.system !== f.system) return false;
  if (f.lifecycle !== undefined && e.lifecycle !== f.lifecycle) return false;
  if (f.text !== undefined && f.text !== '') {
    const t = f.text.toLowerCase();
    const hay = [e.name, e.title ?? '', e.description ?? '', ...e.tags];
    if (!hay.some((h) => h.toLowerCase().includes(t))) return false;
  }
  return true;
}

/**
 * Pages through items sorted ascending by `key`. The cursor holds the last key returned, so pages stay consistent when
 * items are added or removed between requests (nothing is skipped or repeated that existed throughout).
 */
export function pageSorted<T, R>(
  sorted: readonly T[],
  key: (t: T) => string,
  opts: { limit: number; cursor?: string; filter?: (t: T) => boolean; map: (t: T) => R },
): Page<R> {
  let start = 0;
  if (opts.cursor !== undefined) {
    const after = decodeCursor(opts.cursor);
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key(sorted[mid]) <= after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const items: R[] = [];
  let last: T | undefined;
  let i = start;
  for (; i < sorted.length && items.length < opts.limit; i++) {
    const t = sorted[i];
    if (opts.filter && !opts.filter(t)) continue;
    items.push(opts.map(t));
    last = t;
  }
  let more = false;
  for (let j = i; j < sorted.length; j++) {
    if (!opts.filter || opts.filter(sorted[j])) {
      more = true;
      break;
    }
  }
  const page: Page<R> = { items };
  if (more && last !== undefined) page.nextCursor = encodeCursor(key(last));
  return page;
}

/** Names a dependency ref points at when it refers to a service/component (`service:x`, `component:default/x`, `x`). */
export function serviceRefTarget(ref: string): string | undefined {
  const kind = ref.includes(':') ? ref.slice(0, ref.indexOf(':')).toLowerCase() : 'service';
  return kind === 'service' || kind === 'component' ? refName(ref) : undefined;
}

export class Catalog {
  private sorted: CatalogEntry[] = [];
  private readonly byName = new Map<string, CatalogEntry>();
  /** target name → names of entries whose dependsOn points at it; built on first use, then kept up to date. */
  private dependentsIndex: Map<string, Set<string>> | undefined;

  constructor(entries: Iterable<CatalogEntry> = []) {
    for (const e of entries) this.byName.set(e.name, e);
    this.resort();
  }

  get size(): number {
    return this.byName.size;
  }

  get(name: string): CatalogEntry | undefined {
    return this.byName.get(name);
  }

  all(): readonly CatalogEntry[] {
    return this.sorted;
  }

  /** Adds or replaces an entry. */
  put(entry: CatalogEntry): void {
    const previous = this.byName.get(entry.name);
    this.byName.set(entry.name, entry);
    if (previous) {
      const i = this.indexOf(entry.name);
      this.sorted[i] = entry;
      this.unindex(previous);
    } else {
      this.sorted.splice(this.insertionPoint(entry.name), 0, entry);
    }
    this.index(entry);
  }

  private index(e: CatalogEntry): void {
    if (!this.dependentsIndex) return;
    for (const ref of e.dependsOn) {
      const target = serviceRefTarget(ref);
      if (target === undefined || target === e.name) continue;
      let set = this.dependentsIndex.get(target);
      if (!set) {
        set = new Set();
        this.dependentsIndex.set(target, set);
      }
      set.add(e.name);
    }
  }

  private unindex(e: CatalogEntry): void {
    if (!this.dependentsIndex) return;
    for (const ref of e.dependsOn) {
      const target = serviceRefTarget(ref);
      if (target !== undefined) this.dependentsIndex.get(target)?.delete(e.name);
    }
  }

  /** Adds or replaces many entries with one sort (bulk loads of 100k entries). */
  putMany(entries: Iterable<CatalogEntry>): void {
    for (const e of entries) this.byName.set(e.name, e);
    this.resort();
  }

  remove(name: string): boolean {
    const e = this.byName.get(name);
    if (!e) return false;
    this.sorted.splice(this.indexOf(name), 1);
    this.byName.delete(name);
    this.unindex(e);
    return true;
  }

  list(filter: CatalogFilter, limit: number, cursor?: string): Page<CatalogEntry> {
    const active = Object.values(filter).some((v) => v !== undefined);
    return pageSorted(this.sorted, (e) => e.name, {
      limit,
      cursor,
      filter: active ? (e) => matchesFilter(e, filter) : undefined,
      map: (e) => e,
    });
  }

  /** Names of catalog services whose dependsOn points at `name`, sorted. */
  dependents(name: string): string[] {
    if (!this.dependentsIndex) {
      this.dependentsIndex = new Map();
      for (const e of this.sorted) this.index(e);
    }
    return [...(this.dependentsIndex.get(name) ?? [])].sort();
  }

  private resort(): void {
    this.sorted = [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.dependentsIndex = undefined;
  }

  private insertionPoint(name: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid].name < name) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(name: string): number {
    const i = this.insertionPoint(name);
    if (this.sorted[i]?.name !== name) throw new PavedError('server-error', `catalog index out of sync for ${name}`);
    return i;
  }
}
