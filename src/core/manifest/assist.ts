/**
 * Completion and hover data for editors, from text + offset (no vscode types). Works on half-typed YAML: the place of
 * the cursor is read from indentation, not from a successful parse.
 */
import type { PolicySet } from '../policy/types';
import type { ResourceTypeCatalog } from '../resources/types';
import { claimHover, claimValueCompletions, placeholderCompletions } from './claimAssist';
import { kindFromApiVersion, kindFromFileName, manifestKind } from './kinds';
import { parseYaml } from './parse';
import { lineEndAt, lineStartAt } from './position';
import type { JsonSchema, SchemaId } from './schemas';
import { SCHEMAS, subschema } from './schemas';
import type { YNode } from './tree';
import { keyString, locate, nodeAt } from './tree';
import { yamlScalar } from './fixes';

/** Names the catalog knows, for reference completion. Each is optional; the catalog fills them once a backend exists. */
export interface ReferenceProvider {
  owners?(): readonly string[];
  systems?(): readonly string[];
  services?(): readonly string[];
  resources?(): readonly string[];
}

export interface CompletionItem {
  label: string;
  kind: 'key' | 'value' | 'reference';
  /** Text to insert; a snippet (`$1`, `${1|a,b|}`) when `isSnippet`. Lines after the first are indented relative to the cursor's line. */
  insertText: string;
  isSnippet: boolean;
  detail?: string;
  documentation?: string;
  /** What the item replaces: the word being typed. */
  replace: { offset: number; length: number };
}

export interface HoverInfo {
  offset: number;
  length: number;
  markdown: string;
}

function schemaIdFor(root: YNode | null, fileName: string, text: string): SchemaId | undefined {
  let api: unknown;
  let kind: unknown;
  if (root?.type === 'map') {
    for (const p of root.pairs) {
      if (keyString(p.key) === 'apiVersion' && p.value.type === 'scalar') api = p.value.value;
      if (keyString(p.key) === 'kind' && p.value.type === 'scalar') kind = p.value.value;
    }
  } else {
    api = /^apiVersion:\s*(\S+)/m.exec(text)?.[1];
    kind = /^kind:\s*(\S+)/m.exec(text)?.[1];
  }
  const k = kindFromApiVersion(api) !== 'unknown' ? kindFromApiVersion(api) : kindFromFileName(fileName);
  return k === 'unknown' ? undefined : manifestKind(k).schemaFor(api, kind);
}

/** The document (of a multi-document text) around an offset: its text range and parsed root. */
function documentAt(text: string, offset: number): { root: YNode | null; start: number; end: number } {
  const parsed = parseYaml(text);
  for (const d of parsed.docs) {
    if (offset >= d.start && offset <= d.end) return { root: d.contents, start: d.start, end: d.end };
  }
  const last = parsed.docs[parsed.docs.length - 1];
  return last ? { root: last.contents, start: last.start, end: text.length } : { root: null, start: 0, end: text.length };
}

const KEY_LINE = /^(\s*)(?:-\s+)?("[^"]*"|'[^']*'|[^\s#:'"][^:#]*?)\s*:(?:\s+(.*))?$/;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * The JSON path of the map a key typed at column `col` on line `lineNo` belongs to, from the indentation of the lines
 * above. Sequence items count as index 0 (every item has the same schema).
 */
export function pathAt(lines: readonly string[], lineNo: number, col: number): string[] {
  const path: string[] = [];
  let want = col;
  let seqAt = -1;
  for (let l = lineNo - 1; l >= 0 && want > 0; l--) {
    const raw = lines[l].replace(/\r$/, '');
    const t = raw.trim();
    if (t === '' || t.startsWith('#') || t === '---') continue;
    const ind = indentOf(raw);
    if (t.startsWith('- ') || t === '-') {
      if (ind < want) {
        path.unshift('0');
        seqAt = ind;
        want = ind;
      }
      continue;
    }
    if (ind < want || (seqAt >= 0 && ind === seqAt)) {
      const m = KEY_LINE.exec(raw);
      if (!m) break;
      if (m[3] && !m[3].startsWith('#')) break; // `key: value` cannot contain the lines below
      path.unshift(m[2].replace(/^["']|["']$/g, ''));
      want = ind;
      seqAt = -1;
    }
  }
  return path;
}

function propertiesOf(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  return (schema?.properties as Record<string, JsonSchema> | undefined) ?? {};
}

/** The path of the map the line being typed belongs to (`- key` lines: the sequence item's map). */
function linePath(before: string, lines: readonly string[], lineNo: number): string[] {
  const m = /^(\s*)(-\s+)?/.exec(before)!;
  const col = m[1].length;
  if (!m[2]) return pathAt(lines, lineNo, col);
  // `key:` with its `- item`s at the key's own indentation (a common YAML style): the key is the items' parent.
  for (let l = lineNo - 1; l >= 0; l--) {
    const raw = lines[l].replace(/\r$/, '');
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    const ind = indentOf(raw);
    if (ind > col || (ind === col && (t.startsWith('- ') || t === '-'))) continue;
    const k = ind === col ? KEY_LINE.exec(raw) : null;
    if (k && !t.startsWith('-') && (!k[3] || k[3].startsWith('#'))) return [...pathAt(lines, l, col), k[2].replace(/^["']|["']$/g, ''), '0'];
    break;
  }
  return [...pathAt(lines, lineNo, col), '0'];
}

function snippetForKey(key: string, target: JsonSchema | undefined): { text: string; snippet: boolean } {
  const enumValues = Array.isArray(target?.enum) ? (target.enum as unknown[]) : undefined;
  if (enumValues && enumValues.length > 0) return { text: `${key}: \${1|${enumValues.map((v) => String(v).replace(/[,|]/g, '\\$&')).join(',')}|}`, snippet: true };
  const type = Array.isArray(target?.type) ? target.type[0] : target?.type;
  if (type === 'object' && Array.isArray(target?.required) && target.required.length > 0) {
    const props = propertiesOf(target);
    const lines = (target.required as string[]).map((r, i) => {
      const d = props[r]?.default;
      return `  ${r}: \${${i + 1}${d !== undefined && typeof d !== 'object' ? `:${yamlScalar(d)}` : ''}}`;
    });
    return { text: `${key}:\n${lines.join('\n')}`, snippet: true };
  }
  if (type === 'object') return { text: `${key}:\n  $1`, snippet: true };
  if (type === 'array') return { text: `${key}:\n  - $1`, snippet: true };
  const d = target?.default;
  return { text: `${key}: \${1${d !== undefined && typeof d !== 'object' ? `:${yamlScalar(d)}` : ''}}`, snippet: true };
}

function references(path: readonly string[], refs: ReferenceProvider | undefined): { label: string; detail: string }[] {
  if (!refs) return [];
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === 'owner') return (refs.owners?.() ?? []).map((o) => ({ label: o, detail: 'team' }));
  if (last === 'system') return (refs.systems?.() ?? []).map((o) => ({ label: o, detail: 'system' }));
  if (parent === 'dependsOn' || last === 'dependsOn') {
    return [
      ...(refs.services?.() ?? []).map((s) => ({ label: `service:${s}`, detail: 'service' })),
      ...(refs.resources?.() ?? []).map((r) => ({ label: `resource:${r}`, detail: 'resource' })),
    ];
  }
  return [];
}

/**
 * Completion items at an offset: keys of the map being typed in, values of an enum, catalog references, resource types
 * and classes of claims, claim names and outputs in placeholders (`resourceTypes`: the platform's, else the built-ins).
 */
export function completionsAt(text: string, offset: number, fileName: string, refs?: ReferenceProvider, resourceTypes?: ResourceTypeCatalog): CompletionItem[] {
  const lineStart = lineStartAt(text, offset);
  const before = text.slice(lineStart, offset);
  const lines = text.slice(0, lineEndAt(text, offset)).split('\n');
  const lineNo = lines.length - 1;
  const doc = documentAt(text, offset);
  const id = schemaIdFor(doc.root, fileName, text);
  if (!id) return [];
  const root = SCHEMAS[id];
  const word = /[^\s:[\]{},]*$/.exec(before)![0];
  const replace = { offset: offset - word.length, length: word.length };

  // Inside `${…`: claim names and outputs.
  const inPlaceholder = placeholderCompletions(before, offset, doc.root, fileName, resourceTypes);
  if (inPlaceholder) return inPlaceholder.map((c) => ({ label: c.label, kind: 'reference', insertText: c.insertText, isSnippet: false, ...(c.detail ? { detail: c.detail } : {}), ...(c.documentation ? { documentation: c.documentation } : {}), replace: c.replace }));

  // `key: |` — a value.
  const valueMatch = /^(\s*)(?:-\s+)?([^\s#:][^:#]*?)\s*:\s+([^#]*)$/.exec(before);
  if (valueMatch) {
    const path = [...linePath(before, lines, lineNo), valueMatch[2]];
    const s = subschema(root, path);
    const out: CompletionItem[] = [];
    for (const c of claimValueCompletions(path, doc.root, fileName, resourceTypes) ?? []) {
      out.push({ label: c.label, kind: 'value', insertText: c.label, isSnippet: false, ...(c.detail ? { detail: c.detail } : {}), ...(c.documentation ? { documentation: c.documentation } : {}), replace });
    }
    const values = Array.isArray(s?.enum) ? (s.enum as unknown[]) : s?.type === 'boolean' ? [true, false] : [];
    for (const v of values) out.push({ label: String(v), kind: 'value', insertText: yamlScalar(v), isSnippet: false, ...(s?.description ? { documentation: s.description as string } : {}), replace });
    for (const r of references(path, refs)) out.push({ label: r.label, kind: 'reference', insertText: r.label, isSnippet: false, detail: r.detail, replace });
    return out;
  }

  // `- |` in a sequence — an item (references for dependsOn); `- service:led|` replaces the whole typed ref.
  const itemMatch = /^(\s*)-\s+((?:[a-z]+:)?[^\s:#]*)$/.exec(before);
  if (itemMatch) {
    const refsHere = references(linePath(before, lines, lineNo), refs);
    const whole = { offset: offset - itemMatch[2].length, length: itemMatch[2].length };
    if (refsHere.length > 0) return refsHere.map((r) => ({ label: r.label, kind: 'reference', insertText: r.label, isSnippet: false, detail: r.detail, replace: whole }));
  }

  // A key.
  const keyMatch = /^(\s*)(-\s+)?([^\s:#]*)$/.exec(before);
  if (!keyMatch) return [];
  const path = linePath(before, lines, lineNo);
  const s = subschema(root, path);
  const props = propertiesOf(s);
  const present = new Set<string>();
  if (doc.root && !keyMatch[2]) {
    const loc = locate(doc.root, path);
    if (loc.depth === path.length && loc.node.type === 'map') for (const p of loc.node.pairs) present.add(keyString(p.key));
  }
  const required = new Set((s?.required as string[] | undefined) ?? []);
  return Object.entries(props)
    .filter(([k]) => !present.has(k) || k === word)
    .map(([k, ps]) => {
      const snip = snippetForKey(k, ps);
      const item: CompletionItem = { label: k, kind: 'key', insertText: snip.text, isSnippet: snip.snippet, replace };
      if (required.has(k)) item.detail = 'required';
      if (typeof ps.description === 'string') item.documentation = ps.description;
      return item;
    })
    .sort((a, b) => Number(b.detail === 'required') - Number(a.detail === 'required') || a.label.localeCompare(b.label));
}

function policyDocs(path: readonly string[], policies: PolicySet | undefined): string[] {
  if (!policies || path.length === 0) return [];
  const pointer = '/' + path.join('/');
  return policies.rules
    .filter((r) => r.enabled && r.path !== undefined && (r.path === pointer || r.path.startsWith(pointer + '/')))
    .map((r) => `**Policy \`${r.id}\`** (${r.severity}${r.mandatory ? ', mandatory' : ''}): ${r.description ?? r.message}${r.docsUrl ? ` [Docs](${r.docsUrl})` : ''}`);
}

/**
 * Hover text for the key or value at an offset: the schema's description, allowed values, default and policies; for a
 * claim's type or a placeholder, the resource type's description and outputs.
 */
export function hoverAt(text: string, offset: number, fileName: string, policies?: PolicySet, resourceTypes?: ResourceTypeCatalog): HoverInfo | undefined {
  const doc = documentAt(text, offset);
  if (!doc.root) return undefined;
  const id = schemaIdFor(doc.root, fileName, text);
  if (!id) return undefined;
  const hit = nodeAt(doc.root, offset);
  if (!hit || hit.path.length === 0) return undefined;
  const claim = claimHover(text, offset, doc.root, hit, fileName, resourceTypes);
  if (claim) return claim;
  const s = subschema(SCHEMAS[id], hit.path);
  const parts: string[] = [];
  if (typeof s?.description === 'string') parts.push(s.description);
  if (Array.isArray(s?.enum)) parts.push(`Allowed: ${(s.enum as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}`);
  if (s?.default !== undefined && typeof s.default !== 'object') parts.push(`Default: \`${String(s.default)}\``);
  parts.push(...policyDocs(id.startsWith('paved') ? hit.path : [], policies));
  if (parts.length === 0) return undefined;
  const range = hit.isKey ? hit.pair!.key : hit.node;
  return { offset: range.start, length: range.end - range.start, markdown: `**${hit.path.join('.')}**\n\n${parts.join('\n\n')}` };
}
