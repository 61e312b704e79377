/**
 * Pure helpers over the text of a catalog-info.yaml / template.yaml (no vscode): the entities it holds, where a JSON
 * pointer into one of them is in the text, and which ref field the cursor is in (for completion). Built on the
 * manifest engine's light YAML tree (src/core/manifest: parseYaml, locate, missingKeyRange).
 */
import { parseYaml } from '../../core/manifest/parse';
import { missingKeyRange } from '../../core/manifest/schemaFindings';
import { decodePointer, locate, nodeAt, toPlain, type YNode } from '../../core/manifest/tree';

export interface TextRange {
  offset: number;
  length: number;
}

export interface EntityInText {
  /** The entity as plain data (what validate-entity receives). */
  entity: Record<string, unknown>;
  /** Its tree, to map pointers to ranges. */
  root: YNode;
  /** Index of the YAML document in the file. */
  index: number;
}

/**
 * The Backstage entities of a file: every YAML document that is a map with an `apiVersion` and a `kind` string.
 * `syntaxErrors` is true when the YAML has errors: the server check is then skipped (the local lint reports them).
 */
export function entitiesIn(text: string): { entities: EntityInText[]; syntaxErrors: boolean } {
  const parsed = parseYaml(text);
  const syntaxErrors = parsed.findings.some((f) => f.severity === 'error');
  const entities: EntityInText[] = [];
  parsed.docs.forEach((doc, index) => {
    const root = doc.contents;
    if (!root || root.type !== 'map') return;
    const plain = toPlain(root) as Record<string, unknown>;
    if (typeof plain.apiVersion !== 'string' || typeof plain.kind !== 'string') return;
    entities.push({ entity: plain, root, index });
  });
  return { entities, syntaxErrors };
}

/**
 * Where a problem at a JSON pointer goes: the scalar value when it exists and is not empty; the key of a collection
 * or empty value; for a missing key, the key of the deepest map that exists on the way (the first key at the root).
 */
export function pointerRange(root: YNode, pointer: string | undefined): TextRange {
  const segs = pointer === undefined ? [] : decodePointer(pointer);
  const loc = locate(root, segs);
  if (loc.depth < segs.length) return missingKeyRange(root, segs.slice(0, loc.depth));
  const n = loc.node;
  if (n.type === 'scalar' && n.end > n.start) return { offset: n.start, length: n.end - n.start };
  if (loc.pair) return { offset: loc.pair.key.start, length: loc.pair.key.end - loc.pair.key.start };
  return missingKeyRange(root, segs);
}

/** Ref fields Paved completes from the live catalog, the kinds offered and the kind a short ref defaults to. */
export const COMPLETED_REF_FIELDS = {
  owner: { kinds: ['Group', 'User'], defaultKind: 'group' },
  system: { kinds: ['System'], defaultKind: 'system' },
  dependsOn: { kinds: ['Component', 'Resource'], defaultKind: undefined },
} as const satisfies Record<string, { kinds: readonly string[]; defaultKind: string | undefined }>;

export type CompletedRefField = keyof typeof COMPLETED_REF_FIELDS;

export interface RefCompletionContext {
  field: CompletedRefField;
  kinds: readonly string[];
  defaultKind: string | undefined;
  /** What was typed so far (quotes excluded). */
  prefix: string;
  /** The text a chosen ref replaces: the typed word and the rest of it after the cursor. */
  replace: TextRange;
}

const FIELD_LINE = /^(\s*)(owner|system)\s*:[ \t]*(["']?)([^\s"'#]*)$/;
const ITEM_LINE = /^(\s*)-[ \t]+(["']?)([^\s"'#,\]]*)$/;
const FLOW_ITEM = /^(\s*)dependsOn\s*:[ \t]*\[(?:[^\]]*,)?[ \t]*(["']?)([^\s"'#,\]]*)$/;

/**
 * The ref field the cursor is in, when it is `spec.owner`, `spec.system` or an item of `spec.dependsOn` (block or
 * flow sequence) of an entity in the file; undefined anywhere else.
 */
export function refFieldAt(text: string, offset: number): RefCompletionContext | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const after = /^[^\s"'#,\]]*/.exec(text.slice(offset))?.[0] ?? '';
  const make = (field: CompletedRefField, prefix: string): RefCompletionContext => ({
    field,
    kinds: COMPLETED_REF_FIELDS[field].kinds,
    defaultKind: COMPLETED_REF_FIELDS[field].defaultKind,
    prefix,
    replace: { offset: offset - prefix.length, length: prefix.length + after.length },
  });
  const parsed = parseYaml(text);
  const doc = parsed.docs.find((d) => offset >= d.start && offset <= d.end) ?? parsed.docs[parsed.docs.length - 1];
  const root = doc?.contents;
  if (!root || root.type !== 'map') return undefined;
  const pathOfKeyAt = (keyOffset: number): string[] | undefined => {
    const hit = nodeAt(root, keyOffset);
    return hit?.isKey ? hit.path : undefined;
  };

  let m = FIELD_LINE.exec(before);
  if (m) {
    const path = pathOfKeyAt(lineStart + m[1].length);
    if (path && path.length === 2 && path[0] === 'spec' && path[1] === m[2]) return make(m[2] as CompletedRefField, m[4]);
    return undefined;
  }
  m = FLOW_ITEM.exec(before);
  if (m) {
    const path = pathOfKeyAt(lineStart + m[1].length);
    if (path && path.length === 2 && path[0] === 'spec' && path[1] === 'dependsOn') return make('dependsOn', m[3]);
    return undefined;
  }
  m = ITEM_LINE.exec(before);
  if (m) {
    // A block sequence item: the sequence must be the value of spec.dependsOn.
    const dependsOn = locate(root, ['spec', 'dependsOn']);
    if (dependsOn.depth !== 2) return undefined;
    const seq = dependsOn.node;
    const dash = lineStart + m[1].length;
    if (seq.type === 'seq' && !seq.flow && dash >= seq.start && dash <= seq.end && m[1].length === seq.indent) return make('dependsOn', m[3]);
    return undefined;
  }
  return undefined;
}
