/**
 * A catalog entry kept small, for catalogs of 100k registered services: no parsed manifest (it is read back from where
 * it is stored when asked for), owner/system/lifecycle and tag lists shared between the entries that have the same
 * ones, and one shared empty list for every empty list.
 */
import type { Lifecycle, Link, ServiceSource } from '../../core/api/types';
import { asV1, type CatalogEntry } from '../../core/catalog';
import { claimsOf } from '../../core/resources';

/** Reads back a stored entry's manifest: the one service `name` was registered with at `offset` (`length` bytes). */
export interface ManifestReader {
  manifestAt(name: string, offset: number, length: number): Record<string, unknown>;
}

const EMPTY: readonly never[] = Object.freeze([]);
/** One string for each distinct owner, system and lifecycle (there are few of them, each on many services). */
const strings = new Map<string, string>();
/** One frozen list for each distinct tag list. */
const tagLists = new Map<string, readonly string[]>();

/** The one string equal to `s` that entries share. */
export function intern(s: string): string {
  const held = strings.get(s);
  if (held !== undefined) return held;
  strings.set(s, s);
  return s;
}

/** The one frozen list equal to `tags` (same strings in the same order) that entries share. */
export function internTags(tags: readonly string[]): string[] {
  if (tags.length === 0) return EMPTY as never[];
  const key = JSON.stringify(tags);
  let held = tagLists.get(key);
  if (!held) {
    held = Object.freeze(tags.map(intern));
    tagLists.set(key, held);
  }
  return held as string[];
}

/** `xs`, or the shared empty list when it is empty. */
function compact<T>(xs: T[]): T[] {
  return xs.length === 0 ? (EMPTY as never[]) : xs;
}

/** A catalog entry whose manifest is read back on each use (never kept parsed). */
export class StoredEntry implements CatalogEntry {
  readonly name: string;
  readonly owner: string;
  readonly tags: string[];
  readonly source: ServiceSource;
  readonly manifestKind: CatalogEntry['manifestKind'];
  readonly links: Link[];
  readonly dependsOn: string[];
  readonly providesApis: string[];
  readonly consumesApis: string[];
  declare readonly title?: string;
  declare readonly description?: string;
  declare readonly system?: string;
  declare readonly lifecycle?: Lifecycle;
  declare readonly manifestPath?: string;
  declare readonly sourceDir?: string;
  declare readonly goldenPath?: { template: string; version: string };

  readonly #reader: ManifestReader;
  readonly #offset: number;
  readonly #length: number;
  /** Whether the manifest declares claims (the catalog's list asks it of every service it shows). */
  readonly #declaresClaims: boolean;

  /** `e` with its manifest, which is at `offset` (`length` bytes) where `reader` reads it back. */
  constructor(e: CatalogEntry, reader: ManifestReader, offset: number, length: number) {
    this.#reader = reader;
    this.#offset = offset;
    this.#length = length;
    this.#declaresClaims = claimsOf(asV1(e.manifest)).length > 0;
    this.name = e.name;
    this.owner = intern(e.owner);
    this.tags = internTags(e.tags);
    this.source = e.source;
    this.manifestKind = e.manifestKind;
    this.links = compact(e.links);
    this.dependsOn = compact(e.dependsOn);
    this.providesApis = compact(e.providesApis);
    this.consumesApis = compact(e.consumesApis);
    const optional = this as { -readonly [K in keyof CatalogEntry]?: CatalogEntry[K] };
    if (e.title !== undefined) optional.title = e.title;
    if (e.description !== undefined) optional.description = e.description;
    if (e.system !== undefined) optional.system = intern(e.system);
    if (e.lifecycle !== undefined) optional.lifecycle = intern(e.lifecycle) as Lifecycle;
    if (e.manifestPath !== undefined) optional.manifestPath = e.manifestPath;
    if (e.sourceDir !== undefined) optional.sourceDir = e.sourceDir;
    if (e.goldenPath !== undefined) optional.goldenPath = e.goldenPath;
  }

  /** The manifest as it was registered, parsed anew on each use. */
  get manifest(): Record<string, unknown> {
    return this.#reader.manifestAt(this.name, this.#offset, this.#length);
  }

  /** Whether the manifest declares claims, without reading it back. */
  declaresClaims(): boolean {
    return this.#declaresClaims;
  }
}

/** Whether `e`'s manifest declares claims (a stored entry knows without reading its manifest back). */
export function declaresClaims(e: CatalogEntry): boolean {
  return e instanceof StoredEntry ? e.declaresClaims() : claimsOf(asV1(e.manifest)).length > 0;
}
