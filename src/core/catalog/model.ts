/**
 * The catalog model: one `CatalogEntry` per service, built from a paved.yaml manifest, a Backstage catalog-info.yaml
 * Component or a registration. Pure: no I/O.
 */
import type { Lifecycle, Link, LinkType, ServiceDetails, ServiceSource, ServiceSummary } from '../api/types';
import { migrateObject } from '../manifest/migrate';

/** A service as the catalog holds it: the wire summary (without deployment status) and the manifest-derived details. */
export interface CatalogEntry
  extends Omit<ServiceSummary, 'status'>,
    Pick<ServiceDetails, 'manifest' | 'manifestKind' | 'manifestPath' | 'sourceDir' | 'links' | 'dependsOn'> {
  providesApis: string[];
  consumesApis: string[];
  goldenPath?: { template: string; version: string };
}

const LIFECYCLES: readonly string[] = ['experimental', 'production', 'deprecated'];
const LINK_TYPES: readonly string[] = ['docs', 'runbook', 'dashboard', 'repo', 'other'];
const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
function links(v: unknown): Link[] {
  if (!Array.isArray(v)) return [];
  const out: Link[] = [];
  for (const item of v) {
    const o = obj(item);
    const url = str(o.url);
    if (!url) continue;
    const link: Link = { url };
    const title = str(o.title);
    if (title) link.title = title;
    const type = str(o.type);
    if (type && LINK_TYPES.includes(type)) link.type = type as LinkType;
    out.push(link);
  }
  return out;
}
function lifecycle(v: unknown): Lifecycle | undefined {
  return typeof v === 'string' && LIFECYCLES.includes(v) ? (v as Lifecycle) : undefined;
}

/** Why a document could not become a catalog entry. */
export class CatalogEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogEntryError';
  }
}

export interface EntryOrigin {
  source: ServiceSource;
  manifestPath?: string;
  sourceDir?: string;
}

/** A paved.yaml object in its v1 shape: v1alpha1 documents are migrated (metadata.team → owner, spec.command → run …). */
export function asV1(doc: unknown): Record<string, unknown> {
  const m = obj(doc);
  return m.apiVersion === 'paved.dev/v1alpha1' ? obj(migrateObject(m)) : m;
}

/** A catalog entry from a paved.yaml document (`apiVersion: paved.dev/v1` or `v1alpha1`, `kind: Service`). */
export function entryFromPavedManifest(doc: unknown, origin: EntryOrigin): CatalogEntry {
  const original = obj(doc);
  const apiVersion = str(original.apiVersion);
  if (apiVersion !== 'paved.dev/v1' && apiVersion !== 'paved.dev/v1alpha1') {
    throw new CatalogEntryError(`apiVersion must be paved.dev/v1 or paved.dev/v1alpha1, not ${JSON.stringify(original.apiVersion)}`);
  }
  if (original.kind !== 'Service') throw new CatalogEntryError(`kind must be Service, not ${JSON.stringify(original.kind)}`);
  const m = asV1(original);
  const md = obj(m.metadata);
  const spec = obj(m.spec);
  const name = str(md.name);
  if (!name || !NAME_RE.test(name)) throw new CatalogEntryError(`metadata.name must be a DNS label, not ${JSON.stringify(md.name)}`);
  const owner = str(md.owner);
  if (!owner) throw new CatalogEntryError(`service ${name}: metadata.owner is required${apiVersion === 'paved.dev/v1alpha1' ? ' (metadata.team in v1alpha1)' : ''}`);
  const gp = obj(md.goldenPath);
  const entry: CatalogEntry = {
    name,
    owner,
    tags: strings(md.tags),
    source: origin.source,
    manifest: original,
    manifestKind: origin.source === 'registered' ? 'registered' : 'paved.yaml',
    links: links(md.links),
    dependsOn: strings(spec.dependsOn),
    providesApis: strings(spec.providesApis),
    consumesApis: strings(spec.consumesApis),
  };
  assignOptional(entry, md, origin);
  const lc = lifecycle(md.lifecycle);
  if (lc) entry.lifecycle = lc;
  if (str(gp.template) && (typeof gp.version === 'string' || typeof gp.version === 'number')) {
    entry.goldenPath = { template: String(gp.template), version: String(gp.version) };
  }
  return entry;
}

function assignOptional(entry: CatalogEntry, md: Record<string, unknown>, origin: EntryOrigin): void {
  const title = str(md.title);
  if (title) entry.title = title;
  const description = str(md.description);
  if (description) entry.description = description;
  const system = str(md.system);
  if (system) entry.system = system;
  if (origin.manifestPath) entry.manifestPath = origin.manifestPath;
  if (origin.sourceDir) entry.sourceDir = origin.sourceDir;
}

/** Strips a Backstage entity ref down to the entity name: `group:default/team-a` → `team-a`. */
export function refName(ref: string): string {
  const noKind = ref.includes(':') ? ref.slice(ref.indexOf(':') + 1) : ref;
  return noKind.includes('/') ? noKind.slice(noKind.lastIndexOf('/') + 1) : noKind;
}

/** A catalog entry from a Backstage `kind: Component` entity; other kinds return undefined. */
export function entryFromCatalogInfo(doc: unknown, origin: EntryOrigin): CatalogEntry | undefined {
  const e = obj(doc);
  if (e.kind !== 'Component') return undefined;
  const md = obj(e.metadata);
  const spec = obj(e.spec);
  const name = str(md.name);
  if (!name || !NAME_RE.test(name)) throw new CatalogEntryError(`metadata.name must be a DNS label, not ${JSON.stringify(md.name)}`);
  const owner = str(spec.owner);
  if (!owner) throw new CatalogEntryError(`component ${name}: spec.owner is required`);
  const entry: CatalogEntry = {
    name,
    owner: refName(owner),
    tags: strings(md.tags),
    source: origin.source,
    manifest: e,
    manifestKind: 'catalog-info.yaml',
    links: links(md.links),
    dependsOn: strings(spec.dependsOn),
    providesApis: strings(spec.providesApis).map(refName),
    consumesApis: strings(spec.consumesApis).map(refName),
  };
  assignOptional(entry, { ...md, system: typeof spec.system === 'string' ? refName(spec.system) : undefined }, origin);
  const lc = lifecycle(spec.lifecycle);
  if (lc) entry.lifecycle = lc;
  // Where Backstage's scaffolder records it: `backstage.io/source-template` (a template ref) and the community's
  // `backstage.io/template-version`.
  const annotations = obj(md.annotations);
  const template = str(annotations['backstage.io/source-template']);
  const version = str(annotations['backstage.io/template-version']);
  if (template && version) entry.goldenPath = { template: refName(template), version };
  return entry;
}

/**
 * Merges a paved.yaml entry and a catalog-info.yaml entry of the same name from the same folder: paved.yaml wins,
 * the Backstage entity fills what it lacks (links, APIs, dependencies).
 */
export function mergeEntries(paved: CatalogEntry, backstage: CatalogEntry): CatalogEntry {
  const merged: CatalogEntry = { ...backstage, ...paved };
  merged.links = paved.links.length ? paved.links : backstage.links;
  merged.dependsOn = paved.dependsOn.length ? paved.dependsOn : backstage.dependsOn;
  merged.providesApis = paved.providesApis.length ? paved.providesApis : backstage.providesApis;
  merged.consumesApis = paved.consumesApis.length ? paved.consumesApis : backstage.consumesApis;
  merged.tags = paved.tags.length ? paved.tags : backstage.tags;
  return merged;
}
