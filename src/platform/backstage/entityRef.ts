/**
 * Backstage entity references, the Backstage way (pure; no network, no vscode).
 *
 * A full ref is `kind:namespace/name` (e.g. `component:default/payments`). Shorthands leave out the kind
 * (`default/payments`, `payments`) or the namespace (`group:team-a`); the missing parts come from the context:
 * `spec.owner` defaults to kind `group`, `spec.system` to `system`, `spec.dependsOn` has no default kind (it must be
 * given), and the namespace defaults to the referring entity's namespace, else `default`.
 *
 * Comparison is case-insensitive on all three parts (the catalog stores them lower-cased); `stringifyEntityRef`
 * lower-cases kind and namespace and keeps the name as written, like `@backstage/catalog-model`.
 */

export const DEFAULT_NAMESPACE = 'default';

export interface EntityName {
  kind: string;
  namespace: string;
  name: string;
}

export interface ParseRefContext {
  /** Kind when the ref has none. Without it a ref without kind is an error. */
  defaultKind?: string;
  /** Namespace when the ref has none. Default `default`. */
  defaultNamespace?: string;
}

/** A ref that cannot be read; `message` says why, in words for the user. */
export class EntityRefError extends Error {
  constructor(
    readonly ref: string,
    message: string,
  ) {
    super(message);
    this.name = 'EntityRefError';
  }
}

/**
 * Parses `[kind:][namespace/]name`. Throws `EntityRefError` for an empty ref, an empty part, more than one `:` or
 * `/`, or a missing kind without `defaultKind`.
 */
export function parseEntityRef(ref: string | { kind: string; namespace?: string; name: string }, context: ParseRefContext = {}): EntityName {
  if (typeof ref !== 'string') {
    if (!ref.kind || !ref.name) throw new EntityRefError(JSON.stringify(ref), 'An entity reference needs a kind and a name.');
    return { kind: ref.kind, namespace: ref.namespace || context.defaultNamespace || DEFAULT_NAMESPACE, name: ref.name };
  }
  const text = ref.trim();
  if (text === '') throw new EntityRefError(ref, 'The entity reference is empty.');
  const colon = text.indexOf(':');
  const slash = text.indexOf('/');
  if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
    throw new EntityRefError(ref, `"${ref}" is not an entity reference: it has more than one ":" (expected kind:namespace/name).`);
  }
  if (slash >= 0 && text.indexOf('/', slash + 1) >= 0) {
    throw new EntityRefError(ref, `"${ref}" is not an entity reference: it has more than one "/" (expected kind:namespace/name).`);
  }
  if (colon >= 0 && slash >= 0 && slash < colon) {
    throw new EntityRefError(ref, `"${ref}" is not an entity reference: the kind comes before the namespace (kind:namespace/name).`);
  }
  const kindPart = colon >= 0 ? text.slice(0, colon) : undefined;
  const rest = colon >= 0 ? text.slice(colon + 1) : text;
  const restSlash = rest.indexOf('/');
  const namespacePart = restSlash >= 0 ? rest.slice(0, restSlash) : undefined;
  const name = restSlash >= 0 ? rest.slice(restSlash + 1) : rest;
  if (kindPart === '') throw new EntityRefError(ref, `"${ref}" has an empty kind.`);
  if (namespacePart === '') throw new EntityRefError(ref, `"${ref}" has an empty namespace.`);
  if (name === '') throw new EntityRefError(ref, `"${ref}" has an empty name.`);
  const kind = kindPart ?? context.defaultKind;
  if (!kind) {
    throw new EntityRefError(ref, `"${ref}" needs a kind here, e.g. component:${namespacePart ?? DEFAULT_NAMESPACE}/${name}.`);
  }
  return { kind, namespace: namespacePart ?? context.defaultNamespace ?? DEFAULT_NAMESPACE, name };
}

/** `kind:namespace/name` with kind and namespace lower-cased (the catalog's canonical form). */
export function stringifyEntityRef(ref: EntityName | { kind: string; namespace?: string; name: string }): string {
  const ns = (ref.namespace || DEFAULT_NAMESPACE).toLocaleLowerCase('en-US');
  return `${ref.kind.toLocaleLowerCase('en-US')}:${ns}/${ref.name}`;
}

/** The canonical ref of a ref string (shorthands completed from `context`). */
export function normalizeEntityRef(ref: string, context: ParseRefContext = {}): string {
  return stringifyEntityRef(parseEntityRef(ref, context));
}

/** Case-insensitive equality of two refs (after completing shorthands from `context`). */
export function sameEntityRef(a: string, b: string, context: ParseRefContext = {}): boolean {
  return normalizeEntityRef(a, context).toLocaleLowerCase('en-US') === normalizeEntityRef(b, context).toLocaleLowerCase('en-US');
}

/**
 * How Backstage shows a ref to people (`humanizeEntityRef`): the namespace is left out when it is `default`, the
 * kind when it is `defaultKind` (case-insensitive). `group:default/team-a` with defaultKind `group` → `team-a`;
 * `component:payments/ledger` → `component:payments/ledger`.
 */
export function humanizeEntityRef(ref: string | EntityName, opts: { defaultKind?: string; defaultNamespace?: string } = {}): string {
  const e = typeof ref === 'string' ? parseEntityRef(ref, { defaultKind: opts.defaultKind }) : ref;
  const kind = e.kind.toLocaleLowerCase('en-US');
  const ns = e.namespace.toLocaleLowerCase('en-US');
  const showKind = !opts.defaultKind || kind !== opts.defaultKind.toLocaleLowerCase('en-US');
  const showNs = ns !== (opts.defaultNamespace ?? DEFAULT_NAMESPACE).toLocaleLowerCase('en-US');
  return `${showKind ? `${kind}:` : ''}${showNs ? `${ns}/` : ''}${e.name}`;
}

/** The canonical ref of an entity (`kind`, `metadata.namespace`, `metadata.name`). */
export function entityRefOf(entity: { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }): string {
  const kind = typeof entity.kind === 'string' ? entity.kind : '';
  const name = typeof entity.metadata?.name === 'string' ? entity.metadata.name : '';
  const namespace = typeof entity.metadata?.namespace === 'string' ? entity.metadata.namespace : DEFAULT_NAMESPACE;
  if (!kind || !name) throw new EntityRefError(`${kind}:${namespace}/${name}`, 'The entity has no kind or no metadata.name.');
  return stringifyEntityRef({ kind, namespace, name });
}

/** True when `text` reads as a ref (with or without kind), without throwing. */
export function isEntityRef(text: string, context: ParseRefContext = {}): boolean {
  try {
    parseEntityRef(text, context);
    return true;
  } catch (err) {
    if (err instanceof EntityRefError) return false;
    throw err;
  }
}

/** Backstage's rule for `metadata.name` (and the name part of a ref): 1–63 chars of [a-zA-Z0-9] separated by [-_.]. */
export const ENTITY_NAME_PATTERN = '^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$';

export function isValidEntityName(name: string): boolean {
  return name.length >= 1 && name.length <= 63 && new RegExp(ENTITY_NAME_PATTERN).test(name);
}
