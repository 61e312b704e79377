/**
 * Pure mapping between Backstage's scaffolder and Paved's (`PlatformBackend` types): parameter-schema steps → template
 * steps (with `ui:` hints), defaults, task states, outcomes and events. No network, no vscode.
 */
import type { JsonSchemaObject, TaskState } from '../../core/api/types';
import type { ScaffoldEvent, ScaffoldLink, ScaffoldOutcome, TemplateStep } from '../backend';
import { ENTITY_NAME_PATTERN } from './entityRef';
import { isRecord, str } from './mapping';
import type { BackstageTaskStatus, ParameterSchemaResponse, SerializedTaskEvent, TaskOutput } from './wire';

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
