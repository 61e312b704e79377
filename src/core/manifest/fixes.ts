/** Quick fixes as text edits on the original text: they keep everything around them (comments, CRLF) as it is. */
import { resolvePlain } from './fastParse';
import { eolOf, lineEndAt, lineStartAt } from './position';
import type { JsonSchema } from './schemas';
import { deref } from './schemas';
import type { Fix, TextEdit } from './types';
import type { YMap, YNode, YPair } from './tree';
import { findPair, keyString } from './tree';

const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;

/** A scalar as YAML text: plain when it reads back as the same value, double-quoted (JSON) otherwise. */
export function yamlScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  if (s === '' || INDICATOR_START.test(s) || /\s$/.test(s) || /: |:$| #|[\n\r\t]/.test(s) || resolvePlain(s) !== s) return JSON.stringify(s);
  return s;
}

/** A placeholder value for a schema: its default, first example, or required children built the same way. */
export function defaultFor(root: JsonSchema, schema: JsonSchema | undefined, depth = 0): unknown {
  const s = deref(root, schema);
  if (!s) return '';
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth < 3) for (const k of (s.required as string[] | undefined) ?? []) out[k] = defaultFor(root, s.properties?.[k], depth + 1);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 0;
    case 'boolean':
      return false;
    default:
      return '';
  }
}

/** `key: value` as block YAML lines at `indent` (nested objects as nested blocks), without a trailing line break. */
export function blockEntry(key: string, value: unknown, indent: number, eol: string): string {
  const pad = ' '.repeat(indent);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return `${pad}${yamlKey(key)}: {}`;
    return `${pad}${yamlKey(key)}:` + entries.map(([k, v]) => eol + blockEntry(k, v, indent + 2, eol)).join('');
  }
  return `${pad}${yamlKey(key)}: ${flowValue(value)}`;
}

export function flowValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${yamlKey(k)}: ${flowValue(v)}`).join(', ')} }`;
  }
  return yamlScalar(value);
}

function yamlKey(k: string): string {
  return yamlScalar(k);
}

/** Where a new entry goes at the end of a block map: the end of the line holding the map's last character. */
function blockMapInsertion(text: string, map: YMap): number {
  return lineEndAt(text, Math.max(map.start, map.end - 1));
}

/** Adds `key: value` to a map (block or flow). */
export function addKeyEdit(text: string, map: YMap, key: string, value: unknown): TextEdit {
  if (map.flow) {
    const last = map.pairs[map.pairs.length - 1];
    if (!last) return { offset: map.start + 1, length: 0, newText: ` ${yamlKey(key)}: ${flowValue(value)} ` };
    return { offset: last.value.end, length: 0, newText: `, ${yamlKey(key)}: ${flowValue(value)}` };
  }
  const eol = eolOf(text);
  const at = blockMapInsertion(text, map);
  return { offset: at, length: 0, newText: eol + blockEntry(key, value, map.indent, eol) };
}

export function addMissingKeyFix(text: string, map: YMap, key: string, root: JsonSchema, propertySchema: JsonSchema | undefined): Fix {
  const value = defaultFor(root, propertySchema);
  return { title: `Add missing key "${key}"`, edits: [addKeyEdit(text, map, key, value)], isPreferred: true };
}

export function renameKeyFix(pair: YPair, to: string): Fix {
  return { title: `Rename "${keyString(pair.key)}" to "${to}"`, edits: [{ offset: pair.key.start, length: pair.key.end - pair.key.start, newText: yamlKey(to) }], isPreferred: true };
}

export function replaceValueFix(node: YNode, to: unknown): Fix {
  return { title: `Change to ${flowValue(to)}`, edits: [{ offset: node.start, length: node.end - node.start, newText: flowValue(to) }], isPreferred: true };
}

/** Removes a block-map entry with its whole lines (or a flow entry with its comma). */
export function removePairEdit(text: string, map: YMap, pair: YPair): TextEdit {
  if (map.flow) {
    const idx = map.pairs.indexOf(pair);
    const next = map.pairs[idx + 1];
    const prev = map.pairs[idx - 1];
    if (next) return { offset: pair.key.start, length: next.key.start - pair.key.start, newText: '' };
    if (prev) return { offset: prev.value.end, length: pair.value.end - prev.value.end, newText: '' };
    return { offset: pair.key.start, length: pair.value.end - pair.key.start, newText: '' };
  }
  const start = lineStartAt(text, pair.key.start);
  const endLine = lineEndAt(text, Math.max(pair.key.end, pair.value.end - 1));
  const nl = text.indexOf('\n', endLine);
  const end = nl < 0 ? text.length : nl + 1;
  // The last line of the text without a line break: take the break before it instead.
  if (nl < 0 && start > 0) {
    const before = text.charCodeAt(start - 2) === 0x0d ? start - 2 : start - 1;
    return { offset: before, length: end - before, newText: '' };
  }
  return { offset: start, length: end - start, newText: '' };
}

function secretRefFor(service: string, envName: string): string {
  const path = service || 'my-service';
  return `vault://${path}/${envName.toLowerCase().replace(/_/g, '-')}#value`;
}

/**
 * Moves `spec.env.<NAME>` to `spec.secrets.<NAME>: { ref: vault://<service>/<name>#value }`. The plaintext value is
 * removed from the file: store it in the vault under that path.
 */
export function moveEnvToSecretFix(text: string, root: YMap, envMap: YMap, pair: YPair): Fix | undefined {
  const spec = findPair(root, 'spec');
  if (!spec || spec.value.type !== 'map') return undefined;
  const metadata = findPair(root, 'metadata');
  const nameNode = metadata && metadata.value.type === 'map' ? findPair(metadata.value, 'name') : undefined;
  const service = nameNode && nameNode.value.type === 'scalar' && typeof nameNode.value.value === 'string' ? nameNode.value.value : '';
  const name = keyString(pair.key);
  const ref = secretRefFor(service, name);
  const edits: TextEdit[] = [];
  const secrets = findPair(spec.value, 'secrets');
  const entryValue = { ref };
  if (secrets && secrets.value.type === 'map' && findPair(secrets.value, name)) return undefined;
  const envPair = findPair(spec.value, 'env');
  const removeWholeEnv = envMap.pairs.length === 1 && envPair !== undefined && envPair.value === envMap && !spec.value.flow;
  edits.push(removeWholeEnv ? removePairEdit(text, spec.value, envPair) : removePairEdit(text, envMap, pair));
  if (secrets && secrets.value.type === 'map' && (secrets.value.pairs.length > 0 || secrets.value.flow)) {
    const m = secrets.value;
    if (m.flow) {
      edits.push(addKeyEdit(text, m, name, entryValue));
    } else {
      const eol = eolOf(text);
      edits.push({ offset: blockMapInsertion(text, m), length: 0, newText: eol + `${' '.repeat(m.indent)}${yamlKey(name)}: ${flowValue(entryValue)}` });
    }
  } else if (secrets) {
    // `secrets:` with no entries yet.
    edits.push({ offset: secrets.value.start, length: secrets.value.end - secrets.value.start, newText: ` { ${yamlKey(name)}: ${flowValue(entryValue)} }`.trimStart() });
  } else {
    edits.push(addKeyEdit(text, spec.value, 'secrets', { [name]: entryValue }));
  }
  // When the env entry is the last line of spec, the insertion point lies inside the removed lines: merge them.
  const [removal, insertion] = edits as [TextEdit, TextEdit];
  if (insertion.offset >= removal.offset && insertion.offset < removal.offset + removal.length && (!envMap.flow || removeWholeEnv)) {
    const eol = eolOf(text);
    const body = insertion.newText.startsWith(eol) ? insertion.newText.slice(eol.length) : insertion.newText;
    edits.splice(0, 2, { offset: removal.offset, length: removal.length, newText: body + eol });
  }
  return {
    title: `Move ${name} to a secret reference (${ref}); store the value in your secret store`,
    edits,
    isPreferred: true,
  };
}
