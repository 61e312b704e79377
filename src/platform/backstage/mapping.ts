/**
 * Pure mapping between Backstage's shapes and Paved's (`PlatformBackend` types): entities → catalog entries and
 * details, validation errors → JSON pointers, spec refs. No network, no vscode. The scaffolder's shapes (templates,
 * defaults, tasks) map in templateMapping.ts.
 */
import type { Link, LinkType, ServiceSource } from '../../core/api/types';
import type { CatalogService, EntityValidationError, ServiceInfo } from '../backend';
import { DEFAULT_NAMESPACE, entityRefOf, humanizeEntityRef, parseEntityRef, stringifyEntityRef } from './entityRef';
import type { BackstageEntity } from './wire';

/** Annotation naming the Paved Platform API an entity is deployed through (`https://…`). */
export const PLATFORM_API_ANNOTATION = 'paved.dev/platform-api';
/** Optional annotation: the service name on that Paved API (default: `metadata.name`). */
export const PLATFORM_SERVICE_ANNOTATION = 'paved.dev/service';

/** The catalog kinds the tree shows, in this order. */
export const CATALOG_KINDS = ['Component', 'API', 'Resource', 'System', 'Group'] as const;

/** Fields asked for when listing (`fields=`): enough for the tree and its tooltips. */
export const LIST_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.description',
  'metadata.tags',
  'metadata.annotations',
  'spec.type',
  'spec.owner',
  'spec.system',
  'spec.domain',
  'spec.lifecycle',
  'spec.parent',
  'relations',
] as const;

/** Fields asked for when resolving related entities (`by-refs`). */
export const RELATED_FIELDS = ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title', 'metadata.description', 'spec.type', 'spec.lifecycle'] as const;

/** Relation types a details view resolves, and what they mean for Paved. */
export const DETAIL_RELATIONS = [
  'ownedBy',
  'partOf',
  'hasPart',
  'dependsOn',
  'dependencyOf',
  'providesApi',
  'consumesApi',
  'apiProvidedBy',
  'apiConsumedBy',
  'childOf',
  'parentOf',
  'hasMember',
] as const;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function relationTargets(entity: BackstageEntity, type: string): string[] {
  return (entity.relations ?? []).filter((r) => r.type === type).map((r) => r.targetRef);
}

function namespaceOf(entity: BackstageEntity): string {
  return str(entity.metadata?.namespace) ?? DEFAULT_NAMESPACE;
}

/** Ref → what people read (`team-a` for `group:default/team-a` as an owner). Unreadable refs are shown as given. */
function human(ref: string, defaultKind?: string): string {
  try {
    return humanizeEntityRef(ref, { defaultKind });
  } catch {
    // A malformed ref in the catalog data: show it as the catalog has it rather than dropping it.
    return ref;
  }
}

/** Owner as people read it: the `ownedBy` relation's target (or `spec.owner`), kind `group` left out. */
export function ownerOf(entity: BackstageEntity): string {
  const rel = relationTargets(entity, 'ownedBy')[0];
  if (rel) return human(rel, 'group');
  const owner = str(entity.spec?.owner);
  if (!owner) return '';
  try {
    return humanizeEntityRef(parseEntityRef(owner, { defaultKind: 'group', defaultNamespace: namespaceOf(entity) }), { defaultKind: 'group' });
  } catch {
    return owner;
  }
}

/** System as people read it: the `partOf` relation to a system (or `spec.system`), kind `system` left out. */
export function systemOf(entity: BackstageEntity): string | undefined {
  const rel = relationTargets(entity, 'partOf').find((r) => r.toLowerCase().startsWith('system:'));
  if (rel) return human(rel, 'system');
  const system = str(entity.spec?.system);
  if (!system) return undefined;
  try {
    return humanizeEntityRef(parseEntityRef(system, { defaultKind: 'system', defaultNamespace: namespaceOf(entity) }), { defaultKind: 'system' });
  } catch {
    return system;
  }
}

/** Canonical owner ref for a filter value given by a user (`team-a`, `group:team-a`, `user:default/jo`). */
export function ownerFilterRef(owner: string): string {
  return stringifyEntityRef(parseEntityRef(owner, { defaultKind: 'group' })).toLowerCase();
}

export function systemFilterRef(system: string): string {
  return stringifyEntityRef(parseEntityRef(system, { defaultKind: 'system' })).toLowerCase();
}

/** A catalog entity as a tree entry. `ref` is the canonical `kind:namespace/name`. */
export function toCatalogService(entity: BackstageEntity): CatalogService {
  const m = entity.metadata ?? { name: '' };
  const out: CatalogService = {
    ref: entityRefOf(entity),
    kind: entity.kind,
    name: m.name,
    owner: entity.kind.toLowerCase() === 'group' ? groupParentOf(entity) : ownerOf(entity),
    tags: Array.isArray(m.tags) ? m.tags.filter((t): t is string => typeof t === 'string') : [],
    source: 'registered' satisfies ServiceSource,
    status: {},
  };
  if (str(m.title)) out.title = m.title;
  if (str(m.description)) out.description = m.description;
  const system = systemOf(entity);
  if (system) out.system = system;
  const lifecycle = str(entity.spec?.lifecycle);
  if (lifecycle) out.lifecycle = lifecycle;
  const deploysThrough = platformApiOf(entity)?.url;
  if (deploysThrough) out.deploysThrough = deploysThrough;
  const goldenPath = goldenPathOf(entity);
  if (goldenPath) out.goldenPath = goldenPath;
  return out;
}

/**
 * The golden path an entity was scaffolded from, where Backstage records it: `backstage.io/source-template` (the
 * scaffolder's, a template ref) and `backstage.io/template-version` (the community's). The template is given as the
 * canonical ref, the id `listTemplates` uses.
 */
export function goldenPathOf(entity: BackstageEntity): { template: string; version: string } | undefined {
  const template = str(entity.metadata?.annotations?.['backstage.io/source-template']);
  const version = str(entity.metadata?.annotations?.['backstage.io/template-version']);
  if (!template || !version) return undefined;
  try {
    return { template: templateRefOf(template), version };
  } catch {
    return undefined;
  }
}

function groupParentOf(entity: BackstageEntity): string {
  const rel = relationTargets(entity, 'childOf')[0];
  if (rel) return human(rel, 'group');
  const parent = str(entity.spec?.parent);
  return parent ? human(parent.includes(':') ? parent : `group:${parent}`, 'group') : '';
}

const LINK_TYPES: ReadonlySet<string> = new Set<LinkType>(['docs', 'runbook', 'dashboard', 'repo', 'other']);

function linkType(l: { type?: string; icon?: string; title?: string }): LinkType {
  const t = (l.type ?? '').toLowerCase();
  if (LINK_TYPES.has(t)) return t as LinkType;
  const hint = `${t} ${(l.icon ?? '').toLowerCase()} ${(l.title ?? '').toLowerCase()}`;
  if (/\b(docs?|documentation|techdocs)\b/.test(hint)) return 'docs';
  if (/\b(runbook|playbook|oncall|on-call)\b/.test(hint)) return 'runbook';
  if (/\b(dashboard|grafana|metrics|monitoring)\b/.test(hint)) return 'dashboard';
  if (/\b(repo|repository|github|gitlab|source|code)\b/.test(hint)) return 'repo';
  return 'other';
}

/** `metadata.links` plus the source location (`backstage.io/source-location: url:…`) as a repo link. */
export function linksOf(entity: BackstageEntity): Link[] {
  const out: Link[] = [];
  for (const l of entity.metadata?.links ?? []) {
    if (!l || typeof l.url !== 'string') continue;
    const link: Link = { url: l.url, type: linkType(l) };
    if (str(l.title)) link.title = l.title;
    out.push(link);
  }
  const source = entity.metadata?.annotations?.['backstage.io/source-location'];
  if (typeof source === 'string' && source.startsWith('url:')) {
    const url = source.slice(4);
    if (!out.some((l) => l.url === url)) out.push({ url, title: 'Source', type: 'repo' });
  }
  return out;
}

/** A relation with its target resolved through `by-refs` (`entity` null when the catalog has no such entity). */
export interface ResolvedRelation {
  type: string;
  targetRef: string;
  /** As people read it (default namespace left out). */
  display: string;
  /** The related entity's projection, or null when it does not exist in the catalog (a dangling ref). */
  entity: BackstageEntity | null;
}

/** The Paved API the entity deploys through (annotation `paved.dev/platform-api`), if any. */
export function platformApiOf(entity: BackstageEntity): { url: string; service: string } | undefined {
  const url = str(entity.metadata?.annotations?.[PLATFORM_API_ANNOTATION]);
  if (!url) return undefined;
  return { url, service: str(entity.metadata?.annotations?.[PLATFORM_SERVICE_ANNOTATION]) ?? entity.metadata.name };
}

/** Details of an entity; relation targets listed as canonical refs (navigable with `getService`). */
export function toServiceInfo(entity: BackstageEntity, relations: ResolvedRelation[]): ServiceInfo {
  const summary = toCatalogService(entity);
  const targets = (...types: string[]) => relations.filter((r) => types.includes(r.type)).map((r) => r.targetRef);
  const info: ServiceInfo = {
    ...summary,
    manifest: entity,
    manifestKind: 'catalog-info.yaml',
    links: linksOf(entity),
    dependsOn: targets('dependsOn'),
    dependents: targets('dependencyOf'),
    apis: { provides: targets('providesApi'), consumes: targets('consumesApi') },
    environments: [],
  };
  return info;
}

/** Collects the relation targets to resolve, de-duplicated, in first-seen order. */
export function relationRefs(entity: BackstageEntity, types: readonly string[] = DETAIL_RELATIONS): { type: string; targetRef: string }[] {
  return (entity.relations ?? []).filter((r) => types.includes(r.type));
}

// ---------------------------------------------------------------------------------------------------------------
// validate-entity errors → JSON pointers

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `metadata.annotations.backstage.io/x` → `/metadata/annotations/backstage.io~1x`; `spec.owner` → `/spec/owner`. */
export function dottedToPointer(path: string): string {
  const m = /^(metadata\.(?:annotations|labels))\.(.+)$/.exec(path);
  if (m) return `/${m[1].split('.').join('/')}/${escapePointer(m[2])}`;
  return `/${path.split('.').map(escapePointer).join('/')}`;
}

/**
 * One validate-entity error message → the message to show and a JSON pointer into the entity when the text says
 * where. Backstage wraps causes ("Policy check failed for component:default/x; caused by TypeError: …"): the
 * innermost cause is what the user needs. Recognised: ajv style (`/spec must have required property 'owner' -
 * missingProperty: owner`, `<root> …`) and field style (`"metadata.name" is not valid; …`).
 */
export function toValidationError(message: string): EntityValidationError {
  const causes = message.split(/;\s*caused by\s+(?:\w*Error:\s*)?/);
  const inner = (causes[causes.length - 1] ?? message).replace(/^Malformed envelope,\s*/, '').trim();
  const text = inner.replace(/\s*To learn more about catalog file format, visit: \S+\s*$/, '').trim() || message;
  const ajv = /(^|\s)(<root>|\/\S*) (?:must|should|is|has)\b[^]*?(?: - (.*))?$/.exec(inner);
  if (ajv) {
    let pointer = ajv[2] === '<root>' ? '' : ajv[2];
    const params = ajv[3] ?? '';
    const prop = /(?:missingProperty|additionalProperty): ([^,]+)/.exec(params)?.[1];
    if (prop) pointer += `/${escapePointer(prop.trim())}`;
    return { message: text, pointer };
  }
  const field = /"((?:apiVersion|kind|metadata|spec|relations)(?:\.[^"]*)?)"/.exec(inner);
  if (field) return { message: text, pointer: dottedToPointer(field[1]) };
  return { message: text };
}

/** The `location` validate-entity needs (`url:<target>`): a URL gets the prefix, a file path becomes `url:file://…`. */
export function toLocationRef(location: string, pathToFileUrl: (p: string) => string): string {
  const l = location.trim();
  if (l.startsWith('url:')) return l;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(l)) return `url:${l}`;
  return `url:${pathToFileUrl(l)}`;
}

/** A reference an entity makes in its spec, with where it is and the kind it defaults to. */
export interface SpecRef {
  /** JSON pointer of the value, e.g. `/spec/owner`, `/spec/dependsOn/1`. */
  pointer: string;
  /** The value as written. */
  value: string;
  /** Kind used when the value has none (`undefined`: the kind must be written, as in `dependsOn`). */
  defaultKind?: string;
}

/** Spec fields holding entity refs, and their default kinds (as the catalog's processors read them). */
export const SPEC_REF_FIELDS: readonly { field: string; defaultKind?: string; many: boolean }[] = [
  { field: 'owner', defaultKind: 'group', many: false },
  { field: 'system', defaultKind: 'system', many: false },
  { field: 'domain', defaultKind: 'domain', many: false },
  { field: 'subcomponentOf', defaultKind: 'component', many: false },
  { field: 'parent', defaultKind: 'group', many: false },
  { field: 'dependsOn', many: true },
  { field: 'dependencyOf', many: true },
  { field: 'providesApis', defaultKind: 'api', many: true },
  { field: 'consumesApis', defaultKind: 'api', many: true },
  { field: 'memberOf', defaultKind: 'group', many: true },
  { field: 'children', defaultKind: 'group', many: true },
];

/** The refs an entity's spec makes (only string values; other shapes are the schema check's business). */
export function specRefs(entity: Record<string, unknown>): SpecRef[] {
  const spec = isRecord(entity.spec) ? entity.spec : {};
  const out: SpecRef[] = [];
  for (const f of SPEC_REF_FIELDS) {
    const v = spec[f.field];
    const withKind = (r: SpecRef): SpecRef => (f.defaultKind ? { ...r, defaultKind: f.defaultKind } : r);
    if (f.many && Array.isArray(v)) {
      v.forEach((x, i) => {
        if (typeof x === 'string' && x.trim() !== '') out.push(withKind({ pointer: `/spec/${f.field}/${i}`, value: x }));
      });
    } else if (!f.many && typeof v === 'string' && v.trim() !== '') {
      out.push(withKind({ pointer: `/spec/${f.field}`, value: v }));
    }
  }
  return out;
}

/** Canonical ref of a Template given as `name`, `default/name` or `template:default/name`. */
export function templateRefOf(id: string): string {
  return stringifyEntityRef(parseEntityRef(id, { defaultKind: 'template' }));
}
