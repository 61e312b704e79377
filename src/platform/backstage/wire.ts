/**
 * Wire types of the Backstage backend APIs Paved uses (catalog 4.x, scaffolder v2), and light response validators.
 * Shapes follow the Backstage REST API documentation and the backend routers:
 * - catalog: `GET /api/catalog/entities/by-query`, `GET /api/catalog/entity-facets`,
 *   `GET /api/catalog/entities/by-name/{kind}/{namespace}/{name}`, `POST /api/catalog/entities/by-refs`,
 *   `POST /api/catalog/validate-entity`;
 * - scaffolder: `GET /api/scaffolder/v2/templates/{namespace}/{kind}/{name}/parameter-schema`,
 *   `POST /api/scaffolder/v2/tasks`, `GET /api/scaffolder/v2/tasks/{id}`, `…/eventstream`, `…/events`, `…/cancel`,
 *   `POST /api/scaffolder/v2/dry-run`.
 */
import type { ResponseValidator } from '../transport';

export interface BackstageLink {
  url: string;
  title?: string;
  icon?: string;
  type?: string;
}

export interface BackstageRelation {
  type: string;
  targetRef: string;
}

export interface BackstageEntity {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    etag?: string;
    title?: string;
    description?: string;
    tags?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    links?: BackstageLink[];
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  relations?: BackstageRelation[];
  [key: string]: unknown;
}

/** `GET /api/catalog/entities/by-query`. `totalItems` counts every matching entity (generated Locations included). */
export interface QueryEntitiesResponse {
  items: BackstageEntity[];
  totalItems: number;
  pageInfo: { nextCursor?: string; prevCursor?: string };
}

/** `GET /api/catalog/entity-facets?facet=…`. */
export interface EntityFacetsResponse {
  facets: Record<string, { value: string; count: number }[]>;
}

/** `POST /api/catalog/entities/by-refs`: one item per requested ref, in request order, `null` when not found. */
export interface EntitiesByRefsResponse {
  items: (BackstageEntity | null)[];
}

/** `GET /api/scaffolder/v2/templates/{namespace}/{kind}/{name}/parameter-schema`. */
export interface ParameterSchemaResponse {
  title: string;
  description?: string;
  steps: { title: string; description?: string; schema: Record<string, unknown> }[];
}

export type BackstageTaskStatus = 'open' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'skipped';

/** `GET /api/scaffolder/v2/tasks/{id}` (secrets never included). A static-token call leaves `spec.user` `{}`. */
export interface SerializedTask {
  id: string;
  spec: {
    templateInfo?: { entityRef?: string; baseUrl?: string };
    parameters?: Record<string, unknown>;
    user?: { entity?: unknown; ref?: string };
    [key: string]: unknown;
  };
  status: BackstageTaskStatus;
  createdAt: string;
  lastHeartbeatAt?: string;
  createdBy?: string;
}

export interface TaskOutputLink {
  title?: string;
  icon?: string;
  url?: string;
  entityRef?: string;
}

export interface TaskOutputText {
  title?: string;
  icon?: string;
  content?: string;
  default?: boolean;
}

export interface TaskOutput {
  links?: TaskOutputLink[];
  /** Markdown blocks (scaffolder ≥ 1.17); a plain string is accepted too. */
  text?: TaskOutputText[] | string;
  [key: string]: unknown;
}

export type TaskEventType = 'log' | 'completion' | 'cancelled' | 'recovered';

/**
 * One scaffolder task event. `id` is global across tasks (resume with `after=id`); `createdAt` has whole seconds,
 * so order by `id`. `completion` ends the stream: `body.output` on success, `body.error` on failure.
 */
export interface SerializedTaskEvent {
  id: number;
  taskId: string;
  type: TaskEventType;
  body: {
    message?: string;
    stepId?: string;
    status?: string;
    output?: TaskOutput;
    error?: { name?: string; message?: string };
    recoverStrategy?: string;
    [key: string]: unknown;
  };
  createdAt: string;
  isTaskRecoverable?: boolean;
}

/** `POST /api/scaffolder/v2/dry-run`. */
export interface DryRunRequestBody {
  template: Record<string, unknown>;
  values: Record<string, unknown>;
  secrets?: Record<string, string>;
  directoryContents: { path: string; base64Content: string; executable?: boolean }[];
}

export interface DryRunResponse {
  log: { body: { message?: string; stepId?: string; status?: string; [key: string]: unknown } }[];
  directoryContents: { path: string; base64Content: string; executable?: boolean }[];
  output: TaskOutput;
  steps: { id: string; name: string; action: string; [key: string]: unknown }[];
}

// ---------------------------------------------------------------------------------------------------------------
// Validators: structural checks at the boundary (what the client relies on), not the full Backstage schemas.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validator<T>(name: string, check: (v: unknown) => string | undefined): ResponseValidator<T> {
  let last = '';
  return {
    name,
    validate(value: unknown): value is T {
      last = check(value) ?? '';
      return last === '';
    },
    errorText: () => last,
  };
}

/** Problem with an entity as the catalog returns it, or undefined. Projected entities (`fields`) may lack parts. */
export function entityProblem(v: unknown, where = ''): string | undefined {
  if (!isRecord(v)) return `${where || '/'} is not an object`;
  if (v.kind !== undefined && typeof v.kind !== 'string') return `${where}/kind is not a string`;
  if (v.metadata !== undefined) {
    if (!isRecord(v.metadata)) return `${where}/metadata is not an object`;
    if (v.metadata.name !== undefined && typeof v.metadata.name !== 'string') return `${where}/metadata/name is not a string`;
  }
  if (v.relations !== undefined) {
    if (!Array.isArray(v.relations)) return `${where}/relations is not an array`;
    const i = v.relations.findIndex((r) => !isRecord(r) || typeof r.type !== 'string' || typeof r.targetRef !== 'string');
    if (i >= 0) return `${where}/relations/${i} needs type and targetRef strings`;
  }
  return undefined;
}

export const entityValidator = validator<BackstageEntity>('Entity', (v) => {
  const p = entityProblem(v);
  if (p) return p;
  const e = v as Record<string, unknown>;
  if (typeof e.kind !== 'string' || !isRecord(e.metadata) || typeof e.metadata.name !== 'string') return '/ needs kind and metadata.name';
  return undefined;
});

export const queryEntitiesValidator = validator<QueryEntitiesResponse>('QueryEntitiesResponse', (v) => {
  if (!isRecord(v)) return '/ is not an object';
  if (!Array.isArray(v.items)) return '/items is not an array';
  if (typeof v.totalItems !== 'number') return '/totalItems is not a number';
  if (!isRecord(v.pageInfo)) return '/pageInfo is not an object';
  if (v.pageInfo.nextCursor !== undefined && typeof v.pageInfo.nextCursor !== 'string') return '/pageInfo/nextCursor is not a string';
  for (let i = 0; i < v.items.length; i++) {
    const p = entityProblem(v.items[i], `/items/${i}`);
    if (p) return p;
  }
  return undefined;
});

export const facetsValidator = validator<EntityFacetsResponse>('EntityFacetsResponse', (v) => {
  if (!isRecord(v) || !isRecord(v.facets)) return '/facets is not an object';
  for (const [k, list] of Object.entries(v.facets)) {
    if (!Array.isArray(list)) return `/facets/${k} is not an array`;
    if (list.some((f) => !isRecord(f) || typeof f.value !== 'string' || typeof f.count !== 'number')) return `/facets/${k} needs {value, count} items`;
  }
  return undefined;
});

export const byRefsValidator = validator<EntitiesByRefsResponse>('EntitiesByRefsResponse', (v) => {
  if (!isRecord(v) || !Array.isArray(v.items)) return '/items is not an array';
  for (let i = 0; i < v.items.length; i++) {
    if (v.items[i] === null) continue;
    const p = entityProblem(v.items[i], `/items/${i}`);
    if (p) return p;
  }
  return undefined;
});

export const parameterSchemaValidator = validator<ParameterSchemaResponse>('ParameterSchema', (v) => {
  if (!isRecord(v)) return '/ is not an object';
  if (!Array.isArray(v.steps)) return '/steps is not an array';
  const i = v.steps.findIndex((s) => !isRecord(s) || !isRecord(s.schema));
  if (i >= 0) return `/steps/${i} needs a schema object`;
  return undefined;
});

export const createdTaskValidator = validator<{ id: string }>('CreatedTask', (v) =>
  isRecord(v) && typeof v.id === 'string' && v.id !== '' ? undefined : '/id is not a string',
);

export const taskValidator = validator<SerializedTask>('Task', (v) => {
  if (!isRecord(v)) return '/ is not an object';
  if (typeof v.id !== 'string') return '/id is not a string';
  if (typeof v.status !== 'string') return '/status is not a string';
  if (!isRecord(v.spec)) return '/spec is not an object';
  if (typeof v.createdAt !== 'string') return '/createdAt is not a string';
  return undefined;
});

/** Problem with one task event, or undefined. */
export function taskEventProblem(v: unknown): string | undefined {
  if (!isRecord(v)) return 'event is not an object';
  if (typeof v.id !== 'number' || !Number.isFinite(v.id)) return 'event id is not a number';
  if (typeof v.type !== 'string') return 'event type is not a string';
  if (!isRecord(v.body)) return 'event body is not an object';
  return undefined;
}

export const taskEventsValidator = validator<SerializedTaskEvent[]>('TaskEvents', (v) => {
  if (!Array.isArray(v)) return '/ is not an array';
  for (let i = 0; i < v.length; i++) {
    const p = taskEventProblem(v[i]);
    if (p) return `/${i}: ${p}`;
  }
  return undefined;
});

export const dryRunValidator = validator<DryRunResponse>('DryRunResponse', (v) => {
  if (!isRecord(v)) return '/ is not an object';
  if (!Array.isArray(v.log)) return '/log is not an array';
  if (!Array.isArray(v.directoryContents)) return '/directoryContents is not an array';
  const i = v.directoryContents.findIndex((f) => !isRecord(f) || typeof f.path !== 'string' || typeof f.base64Content !== 'string');
  if (i >= 0) return `/directoryContents/${i} needs path and base64Content strings`;
  return undefined;
});
