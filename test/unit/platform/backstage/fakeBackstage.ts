/**
 * A fake Backstage backend (catalog 4.x + scaffolder v2) on loopback, following Backstage's documented request and
 * response shapes, for unit tests, integration tests and manual runs. No mocha globals: importable anywhere.
 *
 *   npx tsx test/unit/platform/backstage/fakeBackstage.ts --port 7007 [--token T] [--components 120]
 *
 * prints `Fake Backstage at http://127.0.0.1:7007 (token …)` and serves until killed.
 *
 * What it does like Backstage:
 * - static-token auth: no token → 401 AuthenticationError "Missing credentials", wrong token → 401 "Illegal token";
 *   errors as `{error:{name,message}, request:{method,url}, response:{statusCode}}` (NotFoundError, InputError…);
 * - catalog: entities get namespace, uid, etag and relations (ownedBy/ownerOf, partOf/hasPart, dependsOn/dependencyOf,
 *   providesApi/apiProvidedBy, consumesApi/apiConsumedBy, childOf/parentOf, memberOf/hasMember); generated Location
 *   entities exist (and count in `totalItems`); `by-query` with `filter` (repeated = OR, `k=v,k=v` = AND,
 *   case-insensitive), `fullTextFilterTerm/Fields`, one `orderField` (uid breaks ties), `fields` projection, cursor
 *   paging (`pageInfo.nextCursor/prevCursor`; with a cursor other parameters are ignored); `entity-facets`;
 *   `by-name`; `by-refs` (request order, `null` for unknown refs); `validate-entity` (200 empty / 400 `{errors}`);
 * - scaffolder: `parameter-schema` steps; `tasks` (400 `{errors}` from schema validation, jsonschema style, defaults NOT
 *   applied; 201 `{id}`); the task runs its steps emitting `log` events (with ANSI colour codes) and a `completion`
 *   whose body holds `output` (links, text) or `error`; event ids global, timestamps whole seconds; `eventstream` (SSE,
 *   `after`, replays a finished task and closes after `completion`), `events` long-poll (waits for events, `[]` after
 *   the timeout); `cancel` → `cancelled` event, then the task fails with "Step … has been cancelled."; `dry-run`.
 */
import { randomUUID, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

type Json = Record<string, unknown>;

export interface FakeEntity {
  apiVersion: string;
  kind: string;
  metadata: Json & { name: string; namespace?: string; uid?: string; etag?: string; annotations?: Record<string, string> };
  spec?: Json;
  relations?: { type: string; targetRef: string }[];
}

export interface RecordedBackstageRequest {
  method: string;
  /** Path without query, e.g. `/api/catalog/entities/by-query`. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeTaskEvent {
  id: number;
  taskId: string;
  type: 'log' | 'completion' | 'cancelled' | 'recovered';
  body: Json;
  createdAt: string;
  isTaskRecoverable: boolean;
}

export interface FakeTask {
  id: string;
  spec: Json;
  status: 'open' | 'processing' | 'completed' | 'failed' | 'cancelled';
  createdAt: string;
  lastHeartbeatAt?: string;
  events: FakeTaskEvent[];
  cancelled: boolean;
}

/** Misbehaviour switched on by tests (each applies to what follows; reset them yourself). */
export interface FakeBackstageFaults {
  /** The next SSE connection is cut (socket destroyed) after writing this many events. One-shot. */
  dropSseAfterEvents?: number;
  /** `/eventstream` answers 404 (an old or proxied backend without SSE): clients must long-poll `/events`. */
  noEventStream?: boolean;
  /** Every `/api/...` request answers this status with a Backstage error body. */
  failWith?: { status: number; name: string; message: string };
}

export interface FakeBackstageOptions {
  /** Static token accepted (`backend.auth.externalAccess`). Default: a fresh random token. */
  token?: string;
  /** Port on 127.0.0.1; default 0 (any free port). */
  port?: number;
  /** Extra generated components `generated-service-001…` owned by team-a/team-b (for paging). Default 0. */
  components?: number;
  /** Directory with catalog.yaml and templates/ (default: test/fixtures/backstage of this repository). */
  fixtureDir?: string;
  /** Pause between the events of a running task, ms. Default 5. */
  stepDelayMs?: number;
  /** How long `/events` waits for an event before answering `[]`. Backstage: 30 000. Default 30 000. */
  longPollTimeoutMs?: number;
}

export interface FakeBackstage {
  url: string;
  token: string;
  requests: RecordedBackstageRequest[];
  faults: FakeBackstageFaults;
  entities: FakeEntity[];
  tasks: Map<string, FakeTask>;
  /** Adds (or replaces) an entity; relations are recomputed. */
  addEntity(entity: Omit<FakeEntity, 'relations'>): void;
  /** Resolves when the task has an event of `type` (e.g. wait until it runs before cancelling). */
  waitForTaskEvent(taskId: string, predicate: (e: FakeTaskEvent) => boolean): Promise<FakeTaskEvent>;
  close(): Promise<void>;
}

/**
 * test/fixtures/backstage, found by walking up from this file: it works from the source tree (tsx) and from a bundle
 * anywhere inside the repository (the integration harness bundles tests to out/integration/suite/).
 */
function defaultFixtureDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'backstage');
    if (fs.existsSync(path.join(candidate, 'catalog.yaml'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`fakeBackstage: test/fixtures/backstage not found above ${__dirname}; pass fixtureDir`);
  }
}
const NAME_RE = /^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$/;

// ---------------------------------------------------------------------------------------------------------------
// Entity refs and relations (as Backstage's processors compute them)

function lower(s: string): string {
  return s.toLocaleLowerCase('en-US');
}

function refOf(e: FakeEntity): string {
  return `${lower(e.kind)}:${lower(e.metadata.namespace ?? 'default')}/${e.metadata.name}`;
}

/** Completes a shorthand ref from a spec field the way the catalog model does. */
function fullRef(ref: string, defaultKind: string | undefined, defaultNamespace: string): string | undefined {
  const m = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref.trim());
  if (!m) return undefined;
  const kind = m[1] ?? defaultKind;
  if (!kind) return undefined;
  return `${lower(kind)}:${lower(m[2] ?? defaultNamespace)}/${m[3]}`;
}

function computeRelations(entities: FakeEntity[]): void {
  const rels = new Map<FakeEntity, { type: string; targetRef: string }[]>();
  const byRef = new Map(entities.map((e) => [lower(refOf(e)), e]));
  for (const e of entities) rels.set(e, []);
  const add = (source: FakeEntity, type: string, target: string | undefined, reverse: string) => {
    if (!target) return;
    const list = rels.get(source)!;
    if (!list.some((r) => r.type === type && r.targetRef === target)) list.push({ type, targetRef: target });
    const t = byRef.get(lower(target));
    if (t) {
      const back = rels.get(t)!;
      const me = refOf(source);
      if (!back.some((r) => r.type === reverse && r.targetRef === me)) back.push({ type: reverse, targetRef: me });
    }
  };
  for (const e of entities) {
    const ns = e.metadata.namespace ?? 'default';
    const spec = e.spec ?? {};
    const one = (v: unknown) => (typeof v === 'string' ? [v] : []);
    const many = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    for (const o of one(spec.owner)) add(e, 'ownedBy', fullRef(o, 'group', ns), 'ownerOf');
    const kind = lower(e.kind);
    if (kind === 'component' || kind === 'api' || kind === 'resource') {
      for (const s of one(spec.system)) add(e, 'partOf', fullRef(s, 'system', ns), 'hasPart');
    }
    if (kind === 'component') for (const s of one(spec.subcomponentOf)) add(e, 'partOf', fullRef(s, 'component', ns), 'hasPart');
    if (kind === 'system') for (const d of one(spec.domain)) add(e, 'partOf', fullRef(d, 'domain', ns), 'hasPart');
    for (const d of many(spec.dependsOn)) add(e, 'dependsOn', fullRef(d, undefined, ns), 'dependencyOf');
    for (const a of many(spec.providesApis)) add(e, 'providesApi', fullRef(a, 'api', ns), 'apiProvidedBy');
    for (const a of many(spec.consumesApis)) add(e, 'consumesApi', fullRef(a, 'api', ns), 'apiConsumedBy');
    if (kind === 'group') {
      for (const p of one(spec.parent)) add(e, 'childOf', fullRef(p, 'group', ns), 'parentOf');
      for (const m of many(spec.members)) add(e, 'hasMember', fullRef(m, 'user', ns), 'memberOf');
    }
    if (kind === 'user') for (const g of many(spec.memberOf)) add(e, 'memberOf', fullRef(g, 'group', ns), 'hasMember');
  }
  for (const [e, list] of rels) e.relations = list;
}

/** The search table: lower-cased dotted keys → values (original case kept for facets). */
function flatten(e: FakeEntity): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const put = (k: string, v: string) => {
    const key = lower(k);
    const list = out.get(key) ?? [];
    list.push(v);
    out.set(key, list);
  };
  const walk = (prefix: string, v: unknown) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x !== 'object') put(prefix, String(x));
      return;
    }
    if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Json)) walk(prefix ? `${prefix}.${k}` : k, x);
      return;
    }
    put(prefix, text(v));
  };
  walk('', { apiVersion: e.apiVersion, kind: e.kind, metadata: e.metadata, spec: e.spec });
  for (const r of e.relations ?? []) put(`relations.${r.type}`, r.targetRef);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Query helpers

type Filter = Map<string, string[] | null>[];

/** `filter=kind=component,spec.owner=a` (AND, same key = any of), repeated filters OR'ed. */
function parseFilters(values: string[]): Filter {
  return values.map((f) => {
    const m = new Map<string, string[] | null>();
    for (const part of f.split(',')) {
      const eq = part.indexOf('=');
      const key = lower((eq < 0 ? part : part.slice(0, eq)).trim());
      if (!key) continue;
      if (eq < 0) {
        m.set(key, null);
      } else {
        const list = m.get(key) ?? [];
        list.push(lower(part.slice(eq + 1).trim()));
        m.set(key, list);
      }
    }
    return m;
  });
}

function matches(flat: Map<string, string[]>, filter: Filter): boolean {
  if (filter.length === 0) return true;
  return filter.some((group) =>
    [...group.entries()].every(([key, wanted]) => {
      const have = flat.get(key);
      if (!have) return false;
      return wanted === null || have.some((v) => wanted.includes(lower(v)));
    }),
  );
}

function project(e: FakeEntity, fields: string[]): Json {
  if (fields.length === 0) return e as unknown as Json;
  const out: Json = {};
  for (const f of fields) {
    const parts = f.split('.');
    let src: unknown = e;
    for (const p of parts) src = src && typeof src === 'object' && !Array.isArray(src) ? (src as Json)[p] : undefined;
    if (src === undefined) continue;
    let dst = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i];
      if (typeof dst[p] !== 'object' || dst[p] === null) dst[p] = {};
      dst = dst[p] as Json;
    }
    dst[parts[parts.length - 1]] = JSON.parse(JSON.stringify(src));
  }
  return out;
}

function fieldsOf(q: URLSearchParams): string[] {
  return q
    .getAll('fields')
    .flatMap((f) => f.split(','))
    .map((f) => f.trim())
    .filter(Boolean);
}

interface CursorState {
  filters: string[];
  orderField: string;
  term: string;
  termFields: string[];
  offset: number;
  totalItems: number;
}

const encodeCursor = (c: CursorState) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): CursorState | undefined {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as CursorState;
    return typeof c.offset === 'number' && Array.isArray(c.filters) ? c : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// JSON-schema validation of task values (the subset templates use), errors shaped like the `jsonschema` package's.

interface JsonSchemaError {
  path: (string | number)[];
  property: string;
  message: string;
  schema: unknown;
  instance: unknown;
  name: string;
  argument: unknown;
  stack: string;
}

function validateValues(values: unknown, schema: Json, at: (string | number)[] = []): JsonSchemaError[] {
  const errors: JsonSchemaError[] = [];
  const property = ['instance', ...at.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))].join('').replace('instance.', 'instance.');
  const err = (name: string, argument: unknown, message: string) =>
    errors.push({ path: at, property, message, schema, instance: values, name, argument, stack: `${property} ${message}` });
  const type = schema.type;
  if (typeof type === 'string' && values !== undefined) {
    const ok =
      (type === 'string' && typeof values === 'string') ||
      (type === 'integer' && Number.isInteger(values)) ||
      (type === 'number' && typeof values === 'number') ||
      (type === 'boolean' && typeof values === 'boolean') ||
      (type === 'array' && Array.isArray(values)) ||
      (type === 'object' && typeof values === 'object' && values !== null && !Array.isArray(values));
    if (!ok) {
      err('type', [type], `is not of a type(s) ${type}`);
      return errors;
    }
  }
  if (Array.isArray(schema.enum) && values !== undefined && !schema.enum.includes(values)) {
    err('enum', schema.enum, `is not one of enum values: ${schema.enum.join(',')}`);
  }
  if (typeof schema.pattern === 'string' && typeof values === 'string' && !new RegExp(schema.pattern).test(values)) {
    err('pattern', schema.pattern, `does not match pattern ${JSON.stringify(schema.pattern)}`);
  }
  if (typeof values === 'number') {
    if (typeof schema.minimum === 'number' && values < schema.minimum) err('minimum', schema.minimum, `must be greater than or equal to ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && values > schema.maximum) err('maximum', schema.maximum, `must be less than or equal to ${schema.maximum}`);
  }
  if (typeof values === 'object' && values !== null && !Array.isArray(values)) {
    const obj = values as Json;
    for (const r of Array.isArray(schema.required) ? (schema.required as string[]) : []) {
      if (obj[r] === undefined) err('required', r, `requires property ${JSON.stringify(r)}`);
    }
    const props = (schema.properties ?? {}) as Record<string, Json>;
    for (const [k, s] of Object.entries(props)) {
      if (obj[k] !== undefined && s && typeof s === 'object') errors.push(...validateValues(obj[k], s, [...at, k]));
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------------------
// `${{ parameters.x }}` / `${{ values.x }}` templating (the subset the fixtures use)

function render(template: string, ctx: Json): string {
  return template.replace(/\$\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}/g, (_m, expr: string) => {
    let v: unknown = ctx;
    for (const p of expr.split('.')) v = v && typeof v === 'object' ? (v as Json)[p] : undefined;
    return v === undefined || v === null ? '' : text(v);
  });
}

function renderDeep<T>(v: T, ctx: Json): T {
  if (typeof v === 'string') return render(v, ctx) as T;
  if (Array.isArray(v)) return v.map((x) => renderDeep(x, ctx)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderDeep(x, ctx)])) as T;
  return v;
}

// ---------------------------------------------------------------------------------------------------------------

function loadYamlEntities(file: string): FakeEntity[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  return docs.map((d) => d.toJSON() as FakeEntity).filter((e) => e && typeof e === 'object' && typeof e.kind === 'string');
}

function loadFixture(dir: string): { entities: FakeEntity[]; files: string[] } {
  const files = [path.join(dir, 'catalog.yaml')];
  const tdir = path.join(dir, 'templates');
  for (const entry of fs.readdirSync(tdir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.yaml')) files.push(path.join(tdir, entry.name));
    if (entry.isDirectory() && fs.existsSync(path.join(tdir, entry.name, 'template.yaml'))) files.push(path.join(tdir, entry.name, 'template.yaml'));
  }
  return { entities: files.flatMap(loadYamlEntities), files };
}

interface StepDef {
  id: string;
  name: string;
  action: string;
  input?: Json;
  [key: string]: unknown;
}

/** Step ids and names as the scaffolder fills them in (`step-N`, the action). */
function normalizeSteps(list: unknown): StepDef[] {
  return (Array.isArray(list) ? (list as Json[]) : []).map((s, i) => ({
    ...s,
    id: typeof s.id === 'string' ? s.id : `step-${i + 1}`,
    name: typeof s.name === 'string' ? s.name : String(s.action),
    action: String(s.action),
  }));
}

/** A value as text: strings as they are, anything else as JSON. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

function wholeSeconds(): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
}

export async function startFakeBackstage(options: FakeBackstageOptions = {}): Promise<FakeBackstage> {
  const token = options.token ?? `paved-test-${randomUUID()}`;
  const stepDelayMs = options.stepDelayMs ?? 5;
  const longPollTimeoutMs = options.longPollTimeoutMs ?? 30_000;
  const fixtureDir = options.fixtureDir ?? defaultFixtureDir();
  const requests: RecordedBackstageRequest[] = [];
  const faults: FakeBackstageFaults = {};
  const tasks = new Map<string, FakeTask>();
  const taskListeners = new Set<() => void>();
  const sockets = new Set<import('node:net').Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let nextEventId = 1;
  let closed = false;

  const { entities: raw, files } = loadFixture(fixtureDir);
  const entities: FakeEntity[] = [];
  const stamp = (e: Omit<FakeEntity, 'relations'>): FakeEntity => {
    const copy = JSON.parse(JSON.stringify(e)) as FakeEntity;
    copy.metadata.namespace = copy.metadata.namespace ?? 'default';
    copy.metadata.uid = copy.metadata.uid ?? createHash('sha1').update(refOf(copy)).digest('hex').slice(0, 8) + '-' + randomUUID().slice(9);
    copy.metadata.etag = createHash('sha1').update(JSON.stringify(copy.spec ?? {})).digest('hex').slice(0, 16);
    copy.metadata.annotations = { 'backstage.io/managed-by-location': 'url:https://github.com/example/catalog/blob/main/catalog.yaml', ...copy.metadata.annotations };
    return copy;
  };
  for (const e of raw) entities.push(stamp(e));
  for (const f of files) {
    const target = `./${path.relative(fixtureDir, f).split(path.sep).join('/')}`;
    entities.push(
      stamp({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Location',
        metadata: { name: `generated-${createHash('sha1').update(target).digest('hex').slice(0, 40)}` },
        spec: { type: 'url', target: `https://github.com/example/catalog/blob/main/${target.slice(2)}` },
      }),
    );
  }
  for (let i = 1; i <= (options.components ?? 0); i++) {
    entities.push(
      stamp({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: `generated-service-${String(i).padStart(3, '0')}`, tags: ['generated'] },
        spec: { type: 'service', lifecycle: i % 3 === 0 ? 'experimental' : 'production', owner: i % 2 ? 'team-a' : 'team-b', system: 'payments' },
      }),
    );
  }
  computeRelations(entities);

  const findEntity = (kind: string, namespace: string, name: string) =>
    entities.find((e) => lower(e.kind) === lower(kind) && lower(e.metadata.namespace ?? 'default') === lower(namespace) && lower(e.metadata.name) === lower(name));
  const findByRef = (ref: string) => {
    const m = /^([^:]+):([^/]+)\/(.+)$/.exec(ref);
    return m ? findEntity(m[1], m[2], m[3]) : undefined;
  };

  // ------------------------------------------------------------------------------------------------------------
  // Responses

  const send = (res: http.ServerResponse, status: number, body?: unknown) => {
    if (res.headersSent || res.destroyed) return;
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const sendError = (req: http.IncomingMessage, res: http.ServerResponse, status: number, name: string, message: string) => {
    const url = (req.url ?? '').replace(/^\/api\/(catalog|scaffolder)/, '');
    send(res, status, { error: { name, message }, request: { method: req.method, url }, response: { statusCode: status } });
  };
  const serializeError = (name: string, message: string) => ({ name, message, stack: `${name}: ${message}\n    at fakeBackstage` });

  // ------------------------------------------------------------------------------------------------------------
  // Catalog

  const byQuery = (req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams) => {
    const limitRaw = q.get('limit');
    const limit = limitRaw === null ? undefined : Number(limitRaw);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      sendError(req, res, 400, 'InputError', `Invalid limit, not a positive integer: ${limitRaw}`);
      return;
    }
    let state: CursorState;
    const cursor = q.get('cursor');
    if (cursor) {
      const decoded = decodeCursor(cursor);
      if (!decoded) {
        sendError(req, res, 400, 'InputError', 'Malformed cursor, could not be parsed');
        return;
      }
      state = decoded; // like Backstage: filter, order and full-text come from the cursor; other parameters are ignored
    } else {
      state = {
        filters: q.getAll('filter'),
        orderField: q.getAll('orderField')[0] ?? '',
        term: q.get('fullTextFilterTerm') ?? '',
        termFields: (q.get('fullTextFilterFields') ?? '').split(',').map((s) => lower(s.trim())).filter(Boolean),
        offset: 0,
        totalItems: 0,
      };
    }
    const [orderKeyRaw, orderDirRaw] = state.orderField.split(',');
    const orderKey = lower(orderKeyRaw ?? '');
    const desc = lower(orderDirRaw ?? 'asc') === 'desc';
    const filter = parseFilters(state.filters);
    const term = lower(state.term.trim());
    const termFields = state.termFields.length ? state.termFields : orderKey ? [orderKey] : ['metadata.name'];
    const rows = entities
      .map((e) => ({ e, flat: flatten(e) }))
      .filter((r) => matches(r.flat, filter))
      .filter((r) => !term || termFields.some((f) => (r.flat.get(f) ?? []).some((v) => lower(v).includes(term))));
    rows.sort((a, b) => {
      if (orderKey) {
        const av = a.flat.get(orderKey)?.[0];
        const bv = b.flat.get(orderKey)?.[0];
        if (av === undefined && bv !== undefined) return 1; // nulls last
        if (bv === undefined && av !== undefined) return -1;
        if (av !== undefined && bv !== undefined && lower(av) !== lower(bv)) return (lower(av) < lower(bv) ? -1 : 1) * (desc ? -1 : 1);
      }
      return a.e.metadata.uid! < b.e.metadata.uid! ? -1 : 1; // without orderField: by uid (not stable across restarts)
    });
    const size = limit ?? rows.length;
    const page = rows.slice(state.offset, state.offset + size);
    const totalItems = rows.length;
    const pageInfo: { nextCursor?: string; prevCursor?: string } = {};
    if (state.offset + size < rows.length) pageInfo.nextCursor = encodeCursor({ ...state, offset: state.offset + size, totalItems });
    if (state.offset > 0) pageInfo.prevCursor = encodeCursor({ ...state, offset: Math.max(0, state.offset - size), totalItems });
    const fields = fieldsOf(q);
    send(res, 200, { items: page.map((r) => project(r.e, fields)), totalItems, pageInfo });
  };

  const facets = (_req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams) => {
    const filter = parseFilters(q.getAll('filter'));
    const out: Record<string, { value: string; count: number }[]> = {};
    const flats = entities.map(flatten).filter((f) => matches(f, filter));
    for (const facet of q.getAll('facet')) {
      const counts = new Map<string, number>();
      for (const f of flats) for (const v of new Set(f.get(lower(facet)) ?? [])) counts.set(v, (counts.get(v) ?? 0) + 1);
      out[facet] = [...counts.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    }
    send(res, 200, { facets: out });
  };

  const validateEntity = (_req: http.IncomingMessage, res: http.ServerResponse, body: unknown) => {
    const b = body as { entity?: unknown; location?: unknown } | undefined;
    if (!b || typeof b !== 'object' || typeof b.location !== 'string') {
      send(res, 400, { errors: [serializeError('InputError', 'Malformed request: location: Required')] });
      return;
    }
    const e = b.entity as FakeEntity | undefined;
    const envelope = (() => {
      if (!e || typeof e !== 'object') return "<root> must be object - type: object";
      for (const k of ['apiVersion', 'kind', 'metadata']) if ((e as unknown as Json)[k] === undefined) return `<root> must have required property '${k}' - missingProperty: ${k}`;
      if (typeof e.metadata !== 'object' || e.metadata === null) return '/metadata must be object - type: object';
      if (e.metadata.name === undefined) return "/metadata must have required property 'name' - missingProperty: name";
      return undefined;
    })();
    if (envelope) {
      send(res, 400, { errors: [serializeError('TypeError', envelope)] });
      return;
    }
    if (!b.location.startsWith('url:')) {
      send(res, 400, { errors: [serializeError('TypeError', `Invalid location ref ${b.location}, only 'url:<target>' is supported, e.g. url:https://host/path`)] });
      return;
    }
    const entity = e!;
    const ref = `${lower(String(entity.kind))}:${lower(String(entity.metadata.namespace ?? 'default'))}/${String(entity.metadata.name)}`;
    const errors: ReturnType<typeof serializeError>[] = [];
    const name = String(entity.metadata.name);
    if (typeof entity.metadata.name !== 'string' || name.length > 63 || !NAME_RE.test(name)) {
      errors.push(
        serializeError(
          'InputError',
          `Policy check failed for ${ref}; caused by Error: "metadata.name" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found ${JSON.stringify(entity.metadata.name)}. To learn more about catalog file format, visit: https://github.com/backstage/backstage/blob/master/docs/architecture-decisions/adr002-default-catalog-file-format.md`,
        ),
      );
    }
    const required: Record<string, string[]> = {
      component: ['type', 'lifecycle', 'owner'],
      api: ['type', 'lifecycle', 'owner', 'definition'],
      resource: ['type', 'owner'],
      system: ['owner'],
      domain: ['owner'],
      group: ['type', 'children'],
      user: [],
      location: [],
      template: ['type', 'steps'],
    };
    const kind = lower(String(entity.kind));
    const needed = required[kind];
    if (!needed) {
      errors.push(serializeError('Error', `No processor recognized the entity ${ref} as valid, possibly caused by a foreign kind or apiVersion`));
    } else {
      const spec = entity.spec;
      const processorError = (msg: string) =>
        errors.push(serializeError('InputError', `Processor BuiltinKindsEntityProcessor threw an error while validating the entity ${ref}; caused by TypeError: ${msg}`));
      if (needed.length > 0 && (typeof spec !== 'object' || spec === null)) {
        processorError("<root> must have required property 'spec' - missingProperty: spec");
      } else if (spec) {
        const missing = needed.find((k) => spec[k] === undefined);
        if (missing) processorError(`/spec must have required property '${missing}' - missingProperty: ${missing}`);
        else {
          const wrong = ['type', 'lifecycle', 'owner', 'system'].find((k) => spec[k] !== undefined && typeof spec[k] !== 'string');
          if (wrong) processorError(`/spec/${wrong} must be string - type: string`);
          else if (spec.dependsOn !== undefined && !Array.isArray(spec.dependsOn)) processorError('/spec/dependsOn must be array - type: array');
        }
      }
    }
    if (errors.length) send(res, 400, { errors });
    else send(res, 200);
  };

  // ------------------------------------------------------------------------------------------------------------
  // Scaffolder

  const notifyTasks = () => {
    for (const l of [...taskListeners]) l();
  };
  const emit = (task: FakeTask, type: FakeTaskEvent['type'], body: Json) => {
    const ev: FakeTaskEvent = { id: nextEventId++, taskId: task.id, type, body, createdAt: wholeSeconds(), isTaskRecoverable: false };
    task.events.push(ev);
    task.lastHeartbeatAt = ev.createdAt;
    notifyTasks();
    return ev;
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const templateParameters = (template: FakeEntity): Json[] => {
    const p = template.spec?.parameters;
    return (Array.isArray(p) ? p : p ? [p] : []) as Json[];
  };

  const runTask = async (task: FakeTask, template: FakeEntity) => {
    await pause(stepDelayMs);
    if (closed) return;
    task.status = 'processing';
    const steps = normalizeSteps(template.spec?.steps);
    const ctx = { parameters: (task.spec.parameters ?? {}) as Json };
    emit(task, 'log', { message: `Starting up task with ${steps.length} steps` });
    const fail = (message: string, stepId?: string) => {
      if (stepId) emit(task, 'log', { message: `Error: ${message}`, stepId, status: 'failed' });
      task.status = 'failed';
      emit(task, 'completion', { message: 'Run completed with status: failed', error: { name: 'Error', message } });
    };
    for (const step of steps) {
      if (closed) return;
      if (task.cancelled) {
        fail(`Step ${step.name} has been cancelled.`, step.id);
        return;
      }
      emit(task, 'log', { message: `Beginning step ${step.name}`, stepId: step.id, status: 'processing' });
      await pause(stepDelayMs);
      const input = renderDeep((step.input ?? {}), ctx);
      if (step.action === 'debug:wait') {
        emit(task, 'log', { message: `\u001b[32minfo\u001b[39m: Waiting for ${text(input.minutes ?? 1)} minutes`, stepId: step.id });
        await new Promise<void>((resolve) => {
          const check = () => {
            if (task.cancelled || closed) {
              taskListeners.delete(check);
              resolve();
            }
          };
          taskListeners.add(check);
          check();
        });
        if (closed) return;
        fail(`Step ${step.name} has been cancelled.`, step.id);
        return;
      }
      if (step.action === 'debug:fail') {
        fail(text(input.message ?? 'debug:fail'), step.id);
        return;
      }
      const lines =
        step.action === 'fetch:template'
          ? ['Fetching template content from remote URL', `Processing template files with input values ${JSON.stringify(input.values ?? {})}`]
          : step.action === 'publish:github'
            ? [`Creating repository ${text(input.repoUrl ?? '')}`, 'Pushing the initial commit']
            : [text(input.message ?? `Running ${String(step.action)}`)];
      for (const l of lines) {
        emit(task, 'log', { message: `\u001b[32minfo\u001b[39m: ${l}`, stepId: step.id });
        await pause(stepDelayMs);
      }
      emit(task, 'log', { message: `Finished step ${step.name}`, stepId: step.id, status: 'completed' });
    }
    const output = renderDeep((template.spec?.output ?? {}) as Json, ctx);
    task.status = 'completed';
    emit(task, 'completion', { message: 'Run completed with status: completed', output });
  };

  /** Events after `after`, plus the completion event always (Backstage's listEvents). */
  const eventsAfter = (task: FakeTask, after: number | undefined) =>
    task.events.filter((e) => after === undefined || e.id > after || e.type === 'completion');

  const eventStream = (_req: http.IncomingMessage, res: http.ServerResponse, task: FakeTask, after: number | undefined) => {
    res.writeHead(200, { Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Type': 'text/event-stream' });
    let sentUpTo = after ?? 0;
    let sentCompletion = false;
    let written = 0;
    const drop = faults.dropSseAfterEvents;
    faults.dropSseAfterEvents = undefined;
    const flush = () => {
      if (res.destroyed) return;
      const pending = task.events.filter((e) => e.id > sentUpTo || (e.type === 'completion' && !sentCompletion));
      for (const e of pending) {
        if (drop !== undefined && written >= drop) {
          // Cut the connection mid-stream once what was written has left: the client saw `drop` events, then EOF.
          taskListeners.delete(flush);
          const socket = res.socket;
          res.write(': dropping\n\n', () => socket?.end());
          return;
        }
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
        written++;
        sentUpTo = Math.max(sentUpTo, e.id);
        if (e.type === 'completion') {
          sentCompletion = true;
          taskListeners.delete(flush);
          res.end();
          return;
        }
      }
    };
    taskListeners.add(flush);
    res.on('close', () => taskListeners.delete(flush));
    flush();
  };

  const longPoll = (_req: http.IncomingMessage, res: http.ServerResponse, task: FakeTask, after: number | undefined) => {
    const ready = eventsAfter(task, after);
    if (ready.length) {
      send(res, 200, ready);
      return;
    }
    const check = () => {
      const evs = eventsAfter(task, after);
      if (evs.length) {
        done();
        send(res, 200, evs);
      }
    };
    const timer = setTimeout(() => {
      done();
      send(res, 200, []);
    }, longPollTimeoutMs);
    timers.add(timer);
    const done = () => {
      clearTimeout(timer);
      timers.delete(timer);
      taskListeners.delete(check);
    };
    taskListeners.add(check);
    res.on('close', done);
  };

  const createTask = (req: http.IncomingMessage, res: http.ServerResponse, body: unknown) => {
    const b = (body ?? {}) as { templateRef?: unknown; values?: unknown };
    if (typeof b.templateRef !== 'string') {
      sendError(req, res, 400, 'InputError', 'Malformed request body: templateRef: Required');
      return;
    }
    const ref = fullRef(b.templateRef, 'template', 'default');
    const template = ref ? findByRef(ref) : undefined;
    if (!template || lower(template.kind) !== 'template') {
      sendError(req, res, 404, 'NotFoundError', `No entity named '${ref?.split('/')[1] ?? b.templateRef}' found, with kind 'template' in namespace '${ref?.split(':')[1]?.split('/')[0] ?? 'default'}'`);
      return;
    }
    const values = (b.values ?? {}) as Json;
    for (const parameters of templateParameters(template)) {
      const errors = validateValues(values, parameters);
      if (errors.length) {
        send(res, 400, { errors });
        return;
      }
    }
    const task: FakeTask = {
      id: randomUUID(),
      spec: {
        apiVersion: template.apiVersion,
        steps: template.spec?.steps ?? [],
        output: template.spec?.output ?? {},
        parameters: values,
        user: {}, // a static external-access token carries no user
        templateInfo: { entityRef: refOf(template), baseUrl: 'https://github.com/example/catalog/blob/main/templates/' },
      },
      status: 'open',
      createdAt: wholeSeconds(),
      events: [],
      cancelled: false,
    };
    tasks.set(task.id, task);
    runTask(task, template).catch((err: unknown) => {
      task.status = 'failed';
      emit(task, 'completion', { message: 'Run completed with status: failed', error: { name: 'Error', message: String(err) } });
    });
    send(res, 201, { id: task.id });
  };

  const dryRun = (req: http.IncomingMessage, res: http.ServerResponse, body: unknown) => {
    const b = (body ?? {}) as { template?: FakeEntity; values?: unknown; directoryContents?: unknown };
    if (typeof b.values !== 'object' || b.values === null || !Array.isArray(b.directoryContents)) {
      sendError(req, res, 400, 'InputError', 'Malformed request: ZodError: values or directoryContents: Required');
      return;
    }
    const t = b.template;
    if (!t || t.apiVersion !== 'scaffolder.backstage.io/v1beta3' || t.kind !== 'Template' || !Array.isArray(t.spec?.steps)) {
      sendError(req, res, 400, 'InputError', 'Input template is not a template');
      return;
    }
    const values = b.values as Json;
    for (const parameters of templateParameters(t)) {
      const errors = validateValues(values, parameters);
      if (errors.length) {
        send(res, 400, { errors });
        return;
      }
    }
    const ctx = { parameters: values };
    const steps = normalizeSteps(t.spec.steps);
    const log: { body: Json }[] = [];
    const files: { path: string; executable: boolean; base64Content: string }[] = [];
    const contents = b.directoryContents as { path: string; base64Content: string; executable?: boolean }[];
    for (const step of steps) {
      log.push({ body: { message: `Beginning step ${step.name}`, stepId: step.id, status: 'processing' } });
      const input = renderDeep((step.input ?? {}), ctx);
      if (step.action === 'fetch:template') {
        const base = text(input.url ?? '.').replace(/^\.\/?/, '').replace(/\/$/, '');
        const vctx = { values: input.values ?? {} };
        for (const f of contents) {
          const rel = base ? (f.path.startsWith(`${base}/`) ? f.path.slice(base.length + 1) : undefined) : f.path;
          if (rel === undefined) continue;
          const text = Buffer.from(f.base64Content, 'base64').toString('utf8');
          files.push({ path: render(rel, vctx), executable: f.executable === true, base64Content: Buffer.from(render(text, vctx), 'utf8').toString('base64') });
          log.push({ body: { message: `\u001b[32minfo\u001b[39m: Writing file ${render(rel, vctx)} to template output path`, stepId: step.id } });
        }
      } else if (String(step.action).startsWith('publish:') || step.action === 'catalog:register') {
        log.push({ body: { message: `Skipping because ${String(step.action)} does not support dry-run`, stepId: step.id, status: 'skipped' } });
        continue;
      }
      log.push({ body: { message: `Finished step ${step.name}`, stepId: step.id, status: 'completed' } });
    }
    send(res, 200, { log, directoryContents: files, output: renderDeep((t.spec.output ?? {}) as Json, ctx), steps });
  };

  // ------------------------------------------------------------------------------------------------------------
  // Routing

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: unknown) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = u.pathname;
    const q = u.searchParams;
    requests.push({ method: req.method ?? '', path: p, query: q, headers: req.headers, body });
    if (!p.startsWith('/api/')) {
      sendError(req, res, 404, 'NotFoundError', 'Not Found');
      return;
    }
    const auth = req.headers.authorization;
    const presented = /^Bearer\s+(\S+)$/i.exec(auth ?? '')?.[1];
    if (!presented) {
      sendError(req, res, 401, 'AuthenticationError', 'Missing credentials');
      return;
    }
    if (presented !== token) {
      sendError(req, res, 401, 'AuthenticationError', 'Illegal token');
      return;
    }
    if (faults.failWith) {
      sendError(req, res, faults.failWith.status, faults.failWith.name, faults.failWith.message);
      return;
    }
    const m = (re: RegExp) => re.exec(p);
    let r: RegExpExecArray | null;
    if (req.method === 'GET' && p === '/api/catalog/entities/by-query') return byQuery(req, res, q);
    if (req.method === 'GET' && p === '/api/catalog/entity-facets') return facets(req, res, q);
    if (req.method === 'GET' && (r = m(/^\/api\/catalog\/entities\/by-name\/([^/]+)\/([^/]+)\/([^/]+)$/))) {
      const [kind, namespace, name] = [r[1], r[2], r[3]].map(decodeURIComponent) as [string, string, string];
      const e = findEntity(kind, namespace, name);
      if (!e) sendError(req, res, 404, 'NotFoundError', `No entity named '${name}' found, with kind '${kind}' in namespace '${namespace}'`);
      else send(res, 200, e);
      return;
    }
    if (req.method === 'POST' && p === '/api/catalog/entities/by-refs') {
      const b = body as { entityRefs?: unknown; fields?: unknown } | undefined;
      if (!b || !Array.isArray(b.entityRefs) || b.entityRefs.some((x) => typeof x !== 'string')) {
        sendError(req, res, 400, 'InputError', 'Malformed request body: entityRefs: Expected array, received undefined');
        return;
      }
      const fields = [...fieldsOf(q), ...(Array.isArray(b.fields) ? (b.fields as string[]) : [])];
      const items = (b.entityRefs as string[]).map((ref) => {
        const full = fullRef(ref, undefined, 'default');
        const e = full ? findByRef(full) : undefined;
        return e ? project(e, fields) : null;
      });
      send(res, 200, { items });
      return;
    }
    if (req.method === 'POST' && p === '/api/catalog/validate-entity') return validateEntity(req, res, body);
    if (req.method === 'GET' && (r = m(/^\/api\/scaffolder\/v2\/templates\/([^/]+)\/([^/]+)\/([^/]+)\/parameter-schema$/))) {
      const [namespace, kind, name] = [r[1], r[2], r[3]].map(decodeURIComponent) as [string, string, string];
      const t = findEntity(kind, namespace, name);
      if (!t || lower(t.kind) !== 'template') {
        sendError(req, res, 404, 'NotFoundError', `No entity named '${name}' found, with kind '${kind}' in namespace '${namespace}'`);
        return;
      }
      send(res, 200, {
        title: (t.metadata.title as string | undefined) ?? t.metadata.name,
        description: t.metadata.description,
        steps: templateParameters(t).map((schema) => ({ title: (schema.title as string | undefined) ?? 'Please enter the following information', description: schema.description, schema })),
      });
      return;
    }
    if (req.method === 'POST' && p === '/api/scaffolder/v2/tasks') return createTask(req, res, body);
    if (req.method === 'POST' && p === '/api/scaffolder/v2/dry-run') return dryRun(req, res, body);
    if ((r = m(/^\/api\/scaffolder\/v2\/tasks\/([^/]+)(?:\/(eventstream|events|cancel))?$/))) {
      const id = decodeURIComponent(r[1]);
      const task = tasks.get(id);
      if (!task) {
        sendError(req, res, 404, 'NotFoundError', `No task with id '${id}' found`);
        return;
      }
      const afterRaw = q.get('after');
      const after = afterRaw !== null && afterRaw !== '' ? Number(afterRaw) : undefined;
      const sub = r[2];
      if (req.method === 'GET' && sub === undefined) {
        const { events: _events, cancelled: _cancelled, ...wire } = task;
        send(res, 200, wire);
        return;
      }
      if (req.method === 'GET' && sub === 'eventstream') {
        if (faults.noEventStream) sendError(req, res, 404, 'NotFoundError', 'Not Found');
        else eventStream(req, res, task, after);
        return;
      }
      if (req.method === 'GET' && sub === 'events') return longPoll(req, res, task, after);
      if (req.method === 'POST' && sub === 'cancel') {
        const lastStep = [...task.events].reverse().find((e) => typeof e.body.stepId === 'string')?.body.stepId ?? 0;
        emit(task, 'cancelled', { message: `Step ${text(lastStep)} has been cancelled.`, stepId: lastStep, status: 'cancelled' });
        task.cancelled = true;
        notifyTasks();
        send(res, 200, { status: 'cancelled' });
        return;
      }
    }
    sendError(req, res, 404, 'NotFoundError', `Not Found: ${req.method ?? ''} ${p}`);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      if (text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          sendError(req, res, 400, 'InputError', 'Malformed JSON in request body');
          return;
        }
      }
      try {
        handle(req, res, body);
      } catch (err) {
        sendError(req, res, 500, 'Error', err instanceof Error ? err.message : String(err));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    faults,
    entities,
    tasks,
    addEntity(entity) {
      const stamped = stamp(entity);
      const i = entities.findIndex((e) => refOf(e) === refOf(stamped));
      if (i >= 0) entities.splice(i, 1, stamped);
      else entities.push(stamped);
      computeRelations(entities);
    },
    waitForTaskEvent(taskId, predicate) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const task = tasks.get(taskId);
          if (!task) {
            taskListeners.delete(check);
            reject(new Error(`no task ${taskId}`));
            return;
          }
          const e = task.events.find(predicate);
          if (e) {
            taskListeners.delete(check);
            resolve(e);
          }
        };
        taskListeners.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        closed = true;
        notifyTasks();
        taskListeners.clear();
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Standalone: npx tsx test/unit/platform/backstage/fakeBackstage.ts --port N [--token T] [--components N]

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = opt('--port');
  startFakeBackstage({ port: port ? Number(port) : 0, token: opt('--token'), components: Number(opt('--components') ?? 0) }).then(
    (fake) => {
      process.stdout.write(`Fake Backstage at ${fake.url} (token ${fake.token})\n`);
      const stop = () => {
        fake.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`fakeBackstage: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
