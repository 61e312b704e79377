/**
 * Pure mapping between Backstage's shapes and Paved's (`PlatformBackend` types): entities → catalog entries and
 * details, parameter-schema steps → template steps (with `ui:` hints), defaults, task events, validation errors →
 * JSON pointers. No network, no vscode.
 */
import type { JsonSchemaObject, Link, LinkType, ServiceSource, TaskState } from '../../core/api/types';
import type { CatalogService, EntityValidationError, ScaffoldEvent, ScaffoldLink, ScaffoldOutcome, ServiceInfo, TemplateStep } from '../backend';
import { DEFAULT_NAMESPACE, ENTITY_NAME_PATTERN, entityRefOf, humanizeEntityRef, parseEntityRef, stringifyEntityRef } from './entityRef';
import type { BackstageEntity, BackstageTaskStatus, ParameterSchemaResponse, SerializedTaskEvent, TaskOutput } from './wire';

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

function str(v: unknown): string | undefined {
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
// Templates

/**
 * Keywords Paved adds next to Backstage's `ui:` hints (which are kept as they are: the wizard in src/core/wizard reads
 * `ui:field`, `ui:widget`, `ui:options`, `ui:order` and `enumNames` itself; ajv runs with `strict: false`):
 * - `x-paved-reference`: `team` | `system`: offer catalog entities (OwnerPicker, MyGroupsPicker, EntityPicker with
 *   kind Group / System);
 * - `x-paved-repo-url`: `{ allowedHosts?, allowedOwners? }` (RepoUrlPicker: the value is `host?owner=o&repo=r`).
 * Standard keywords are added where a hint has a JSON Schema meaning: EntityNamePicker → `pattern` + `maxLength: 63`,
 * `ui:widget: password` / `ui:field: Secret` → `writeOnly`, `ui:readonly` → `readOnly`, `ui:help` → `description`
 * (when there is none).
 */
export const PAVED_SCHEMA_KEYWORDS = ['x-paved-reference', 'x-paved-repo-url'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return undefined;
}

function refKinds(options: Record<string, unknown>): string[] {
  const allowed = stringList(options.allowedKinds);
  if (allowed) return allowed;
  const filter = options.catalogFilter;
  const filters = Array.isArray(filter) ? filter : filter !== undefined ? [filter] : [];
  return filters.flatMap((f) => (isRecord(f) ? (stringList(f.kind) ?? []) : []));
}

const NESTED_SCHEMA_KEYS = new Set(['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'allOf', 'anyOf', 'oneOf', 'prefixItems']);
const NESTED_MAP_KEYS = new Set(['dependencies', 'dependentSchemas', '$defs', 'definitions', 'patternProperties']);

/** Adds the Paved / JSON Schema meaning of one schema node's `ui:*` hints (recursively); `ui:*` keys are kept. */
export function mapUiHints(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(mapUiHints);
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && isRecord(v)) {
      const props: Record<string, unknown> = {};
      for (const [pk, pv] of Object.entries(v)) props[pk] = mapUiHints(pv);
      out.properties = props;
    } else if (NESTED_SCHEMA_KEYS.has(k)) {
      out[k] = mapUiHints(v);
    } else if (NESTED_MAP_KEYS.has(k) && isRecord(v)) {
      const m: Record<string, unknown> = {};
      for (const [dk, dv] of Object.entries(v)) m[dk] = Array.isArray(dv) ? dv : mapUiHints(dv);
      out[k] = m;
    } else {
      out[k] = v;
    }
  }
  const options = isRecord(node['ui:options']) ? node['ui:options'] : {};
  if (node['ui:widget'] === 'password' || node['ui:field'] === 'Secret') out.writeOnly = true;
  const field = str(node['ui:field']);
  if (field === 'OwnerPicker' || field === 'MyGroupsPicker') {
    out['x-paved-reference'] = 'team';
  } else if (field === 'EntityPicker' || field === 'OwnedEntityPicker') {
    const kinds = refKinds(options).map((k) => k.toLowerCase());
    if (kinds.includes('system')) out['x-paved-reference'] = 'system';
    else if (kinds.includes('group')) out['x-paved-reference'] = 'team';
  } else if (field === 'EntityNamePicker') {
    if (out.pattern === undefined) out.pattern = ENTITY_NAME_PATTERN;
    if (out.maxLength === undefined) out.maxLength = 63;
  } else if (field === 'RepoUrlPicker') {
    const hint: Record<string, unknown> = {};
    const hosts = stringList(options.allowedHosts);
    const owners = stringList(options.allowedOwners);
    if (hosts) hint.allowedHosts = hosts;
    if (owners) hint.allowedOwners = owners;
    out['x-paved-repo-url'] = hint;
  }
  const help = str(node['ui:help']);
  if (help && out.description === undefined) out.description = help;
  if (node['ui:readonly'] === true) out.readOnly = true;
  return out;
}

/** Parameter-schema steps → Paved template steps (titles kept, `ui:` hints mapped, step schemas typed as objects). */
export function toTemplateSteps(response: ParameterSchemaResponse): TemplateStep[] {
  return response.steps.map((s, i) => {
    const schema = mapUiHints(s.schema) as JsonSchemaObject;
    if (schema.type === undefined && isRecord(schema.properties)) schema.type = 'object';
    const step: TemplateStep = { title: str(s.title) ?? str(schema.title) ?? `Step ${i + 1}`, schema };
    if (str(s.description) && schema.description === undefined) schema.description = s.description;
    return step;
  });
}

/** All steps as one object schema (properties merged in step order, `required` united). */
export function mergeSteps(steps: TemplateStep[]): JsonSchemaObject {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const s of steps) {
    if (isRecord(s.schema.properties)) Object.assign(properties, s.schema.properties);
    for (const r of stringList(s.schema.required) ?? []) if (!required.includes(r)) required.push(r);
  }
  return { type: 'object', properties, required };
}

function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function fillDefaults(schema: unknown, value: Record<string, unknown>): void {
  if (!isRecord(schema) || !isRecord(schema.properties)) return;
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (!isRecord(prop)) continue;
    if (value[key] === undefined && prop.default !== undefined) value[key] = cloneJson(prop.default);
    const nested = value[key];
    if (isRecord(nested)) fillDefaults(prop, nested);
    else if (nested === undefined && isRecord(prop.properties) && Object.values(prop.properties).some((p) => isRecord(p) && p.default !== undefined)) {
      const obj: Record<string, unknown> = {};
      fillDefaults(prop, obj);
      value[key] = obj;
    }
  }
}

/**
 * The values with every missing property that has a schema `default` filled in (nested objects too). The scaffolder
 * does not apply defaults itself, so the client sends them. Values given (even `''`, `false`, `0`) are kept.
 */
export function applyDefaults(schemas: readonly unknown[], values: Record<string, unknown>): Record<string, unknown> {
  const out = cloneJson(values) ?? {};
  for (const s of schemas) fillDefaults(s, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Tasks

// eslint-disable-next-line no-control-regex -- matching ANSI escape sequences is the point
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
/** Some loggers escape the ESC byte itself (`\u001b[32m` as text); those are colour codes too. */
const ESCAPED_ANSI = /\\u001b\[[0-9;]*m/g;

/** Removes ANSI colour / control sequences from a log line. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '').replace(ESCAPED_ANSI, '');
}

/** Task status → Paved state; `cancelled` when the task's events include a cancellation. */
export function taskStateOf(status: BackstageTaskStatus | (string & {}), cancelRequested = false): TaskState {
  switch (status) {
    case 'open':
      return 'pending';
    case 'processing':
      return 'running';
    case 'completed':
      return 'succeeded';
    case 'cancelled':
    case 'skipped':
      return 'cancelled';
    case 'failed':
      return cancelRequested ? 'cancelled' : 'failed';
    default:
      return 'running';
  }
}

/** The template output (`links`, `text`, older `remoteUrl` / `entityRef`) as a Paved outcome. */
export function outcomeOf(output: TaskOutput | undefined): ScaffoldOutcome {
  const links: ScaffoldLink[] = [];
  for (const l of Array.isArray(output?.links) ? output.links : []) {
    if (!isRecord(l)) continue;
    const link: ScaffoldLink = {};
    const title = str(l.title);
    const url = str(l.url);
    const entityRef = str(l.entityRef);
    if (title) link.title = title;
    if (url) link.url = url;
    if (entityRef) link.entityRef = entityRef;
    if (link.url || link.entityRef) links.push(link);
  }
  if (output && str(output.remoteUrl) && !links.some((l) => l.url === output.remoteUrl)) links.push({ title: 'Repository', url: output.remoteUrl as string });
  if (output && str(output.entityRef) && !links.some((l) => l.entityRef === output.entityRef)) {
    links.push({ title: 'Open in catalog', entityRef: output.entityRef as string });
  }
  const outcome: ScaffoldOutcome = { files: [], nextSteps: [], links };
  const text = output?.text;
  if (typeof text === 'string' && text.trim() !== '') outcome.text = text;
  else if (Array.isArray(text)) {
    const blocks = text
      .filter(isRecord)
      .filter((t) => str(t.content))
      .map((t) => (str(t.title) ? `## ${t.title as string}\n\n${t.content as string}` : (t.content as string)));
    if (blocks.length) outcome.text = blocks.join('\n\n');
  }
  return outcome;
}

/** Whether a completion event reports failure (`body.error`, or "Run completed with status: failed"). */
export function completionFailed(event: SerializedTaskEvent): boolean {
  if (isRecord(event.body.error)) return true;
  const status = str(event.body.status) ?? /status:\s*(\w+)/.exec(event.body.message ?? '')?.[1];
  return status !== undefined && status !== 'completed';
}

/** One Backstage task event as a Paved scaffold event (seq = the global event id). */
export function toScaffoldEvent(event: SerializedTaskEvent): ScaffoldEvent {
  const base = { seq: event.id, at: event.createdAt };
  const stepId = str(event.body.stepId);
  switch (event.type) {
    case 'completion': {
      if (completionFailed(event)) {
        const message = stripAnsi(str(event.body.error?.message) ?? str(event.body.message) ?? 'The task failed.');
        return { ...base, type: 'failed', message };
      }
      return { ...base, type: 'completed', message: stripAnsi(str(event.body.message) ?? 'Completed.'), outcome: outcomeOf(event.body.output) };
    }
    case 'cancelled':
      return { ...base, type: 'cancelled', message: stripAnsi(str(event.body.message) ?? 'Cancelled.'), ...(stepId ? { stepId } : {}) };
    case 'recovered':
      return { ...base, type: 'log', message: `The task was recovered after a restart (strategy: ${str(event.body.recoverStrategy) ?? 'none'}).` };
    default: {
      const isStep = stepId !== undefined && str(event.body.status) !== undefined;
      return { ...base, type: isStep ? 'step' : 'log', message: stripAnsi(str(event.body.message) ?? ''), ...(stepId ? { stepId } : {}) };
    }
  }
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
