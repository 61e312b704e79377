/**
 * Entity checks against the live catalog: `validate-entity`, the refs in an entity's spec, and completion of ref
 * fields from the catalog. The Backstage backend delegates to these.
 */
import { pathToFileURL } from 'node:url';
import type { CallOptions, EntityValidationError } from '../backend';
import { PlatformError } from '../errors';
import type { BackstageCalls } from './calls';
import { EntityRefError, entityRefOf, humanizeEntityRef, parseEntityRef, stringifyEntityRef } from './entityRef';
import { specRefs, toLocationRef, toValidationError } from './mapping';
import type { BackstageEntity } from './wire';

/** The backend's `entitiesByRefs`: one item per ref, `null` where the catalog has none. */
export type EntitiesByRefs = (refs: readonly string[], fields?: readonly string[], opts?: CallOptions) => Promise<(BackstageEntity | null)[]>;

/**
 * `POST /api/catalog/validate-entity`: `[]` when the catalog accepts the entity, else its errors with JSON pointers
 * where the message says where. `location` may be a `url:` location ref, a URL or a file path.
 */
export async function validateEntity(calls: BackstageCalls, entity: Record<string, unknown>, location: string, opts?: CallOptions): Promise<EntityValidationError[]> {
  try {
    await calls.transport.request({
      method: 'POST',
      path: '/api/catalog/validate-entity',
      body: { entity, location: toLocationRef(location, (p) => pathToFileURL(p).toString()) },
      expect: 'empty',
      idempotencyKey: true, // a check: safe to retry
      signal: calls.signal(opts),
    });
    return [];
  } catch (err) {
    if (PlatformError.isPlatformError(err, 'invalid-input') && err.status === 400 && err.server?.validationErrors) {
      return err.server.validationErrors.map(toValidationError);
    }
    throw err;
  }
}

/**
 * Checks the refs in an entity's spec (`owner`, `system`, `dependsOn`, `providesApis`, …) against the live catalog
 * in one `by-refs` round trip: one error per ref that cannot be read or names no catalog entity, with its pointer.
 * Shorthands are completed with the field's default kind and the entity's namespace, as the catalog does.
 */
export async function checkRefs(entitiesByRefs: EntitiesByRefs, entity: Record<string, unknown>, opts?: CallOptions): Promise<EntityValidationError[]> {
  const metadata = (entity.metadata ?? {}) as { namespace?: unknown };
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : 'default';
  const refs = specRefs(entity);
  const problems: (EntityValidationError | undefined)[] = refs.map(() => undefined);
  const resolved: { ref: string; index: number }[] = [];
  refs.forEach((r, index) => {
    try {
      resolved.push({ ref: stringifyEntityRef(parseEntityRef(r.value, { defaultKind: r.defaultKind, defaultNamespace: namespace })), index });
    } catch (err) {
      if (!(err instanceof EntityRefError)) throw err;
      problems[index] = { message: err.message, pointer: r.pointer };
    }
  });
  const unique = [...new Set(resolved.map((r) => r.ref))];
  const found = await entitiesByRefs(unique, ['kind', 'metadata.name', 'metadata.namespace'], opts);
  const exists = new Map(unique.map((r, i) => [r, found[i] !== null]));
  for (const r of resolved) {
    const ref = refs[r.index];
    if (!exists.get(r.ref)) problems[r.index] = { message: `"${ref.value}" (${r.ref}) is not in the Backstage catalog.`, pointer: ref.pointer };
  }
  // In the order the spec lists them.
  return problems.filter((p): p is EntityValidationError => p !== undefined);
}

/**
 * Completion for a ref field: catalog entities of `kinds` whose name or title contains `text`, as refs written the
 * short way for that field (`team-a` for an owner group in the default namespace, `component:ledger` in dependsOn).
 */
export async function suggestRefs(
  calls: BackstageCalls,
  kinds: readonly string[],
  text: string,
  opts: CallOptions & { defaultKind?: string; limit?: number } = {},
): Promise<{ ref: string; label: string; title?: string }[]> {
  const fields = ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'];
  const page = await calls.queryEntities(kinds, { text, limit: opts.limit ?? 50 }, opts, fields);
  return page.items.map((e) => {
    const full = entityRefOf(e);
    const out: { ref: string; label: string; title?: string } = { ref: humanizeEntityRef(full, { defaultKind: opts.defaultKind }), label: full };
    if (e.metadata.title) out.title = e.metadata.title;
    return out;
  });
}
