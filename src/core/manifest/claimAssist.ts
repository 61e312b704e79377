/**
 * Completion and hover for claims: resource types and classes after `type:` / `class:` of a claim (paved.yaml
 * `spec.claims.NAME`, score.yaml `resources.NAME`), claim names and outputs inside `${claims.` / `${resources.`
 * placeholders, and hovers with a type's description and outputs. The types are the platform's (or Paved's built-ins).
 */
import { BUILTIN_CATALOG, findPlaceholders, type ResourceType, type ResourceTypeCatalog } from '../resources';
import type { YNode } from './tree';
import { findPair, keyString, locate } from './tree';

export interface ClaimCompletion {
  label: string;
  insertText: string;
  detail?: string;
  documentation?: string;
  /** Offset and length of what it replaces. */
  replace: { offset: number; length: number };
}

/** Where claims are declared in this kind of manifest, and the placeholder scope that names them. */
function scopeOf(root: YNode | null, fileName: string): { path: string[]; scope: string } {
  const api = root?.type === 'map' ? findPair(root, 'apiVersion')?.value : undefined;
  const score = api?.type === 'scalar' ? String(api.value).startsWith('score.dev/') : /score\.ya?ml$/i.test(fileName);
  return score ? { path: ['resources'], scope: 'resources' } : { path: ['spec', 'claims'], scope: 'claims' };
}

/** The declared claims: name → type name (when written). */
function declaredClaims(root: YNode | null, path: string[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  if (!root) return out;
  const loc = locate(root, path);
  if (loc.depth !== path.length || loc.node.type !== 'map') return out;
  for (const p of loc.node.pairs) {
    const t = p.value.type === 'map' ? findPair(p.value, 'type')?.value : undefined;
    out.set(keyString(p.key), t?.type === 'scalar' && typeof t.value === 'string' ? t.value : undefined);
  }
  return out;
}

function typeDoc(t: ResourceType): string {
  const outputs = t.outputs.map((o) => `- \`${o.name}\`${o.secret ? ' (secret)' : ''}${o.description ? `: ${o.description}` : ''}`).join('\n');
  const classes = t.classes.map((c) => `\`${c.name}\`${c.default ? ' (default)' : ''}`).join(', ');
  return `${t.description}\n\nClasses: ${classes || 'none'}\n\nOutputs:\n${outputs}`;
}

/**
 * Completions inside a placeholder (`before` is the line up to the cursor): claim names after `${claims.`, outputs
 * after `${claims.NAME.`, or whole `claims.NAME.OUTPUT` right after `${`. Undefined when the cursor is in none.
 */
export function placeholderCompletions(before: string, offset: number, root: YNode | null, fileName: string, catalog: ResourceTypeCatalog = BUILTIN_CATALOG): ClaimCompletion[] | undefined {
  const { path, scope } = scopeOf(root, fileName);
  const open = /\$\{([A-Za-z0-9_.-]*)$/.exec(before);
  if (!open || (open.index > 0 && before[open.index - 1] === '$')) return undefined;
  const typed = open[1];
  const claims = declaredClaims(root, path);
  const typeOf = (name: string) => catalog.types.find((t) => t.type === claims.get(name));
  const parts = typed.split('.');
  if (parts[0] !== scope || parts.length === 1) {
    // `${` or `${cla`: every claim.output there is.
    const items: ClaimCompletion[] = [];
    for (const [name] of claims) {
      for (const o of typeOf(name)?.outputs ?? []) {
        const label = `${scope}.${name}.${o.name}`;
        items.push({ label, insertText: `${label}}`, detail: `${typeOf(name)!.type}${o.secret ? ' · secret' : ''}`, ...(o.description ? { documentation: o.description } : {}), replace: { offset: offset - typed.length, length: typed.length } });
      }
    }
    return items;
  }
  if (parts.length === 2) {
    return [...claims].map(([name, type]) => ({ label: name, insertText: name, detail: type ?? 'claim', replace: { offset: offset - parts[1].length, length: parts[1].length } }));
  }
  const t = typeOf(parts[1]);
  const word = parts[parts.length - 1];
  return (t?.outputs ?? []).map((o) => ({
    label: o.name,
    insertText: `${o.name}}`,
    detail: `${t!.type} output${o.secret ? ' · secret: injected at start, never shown' : ''}`,
    ...(o.description ? { documentation: o.description } : {}),
    replace: { offset: offset - word.length, length: word.length },
  }));
}

/** Values for `type:` / `class:` of a claim at `path` (the key's path); undefined when the path is not one. */
export function claimValueCompletions(path: readonly string[], root: YNode | null, fileName: string, catalog: ResourceTypeCatalog = BUILTIN_CATALOG): { label: string; detail?: string; documentation?: string }[] | undefined {
  const { path: base } = scopeOf(root, fileName);
  if (path.length !== base.length + 2 || base.some((s, i) => path[i] !== s)) return undefined;
  const key = path[path.length - 1];
  if (key === 'type') return catalog.types.map((t) => ({ label: t.type, detail: t.source === 'built-in' ? 'resource type' : `resource type (${t.driver})`, documentation: typeDoc(t) }));
  if (key === 'class') {
    const type = declaredClaims(root, base).get(path[base.length]);
    const t = catalog.types.find((x) => x.type === type);
    return t?.classes.map((c) => ({ label: c.name, detail: c.default ? `${t.type} · default` : t.type, ...(c.description ? { documentation: c.description } : {}) }));
  }
  return undefined;
}

/** Hover for a placeholder or a claim's `type:` value at `offset`; undefined elsewhere. */
export function claimHover(text: string, offset: number, root: YNode | null, hit: { node: YNode; path: string[] } | undefined, fileName: string, catalog: ResourceTypeCatalog = BUILTIN_CATALOG): { offset: number; length: number; markdown: string } | undefined {
  if (!hit || hit.node.type !== 'scalar') return undefined;
  const { path: base, scope } = scopeOf(root, fileName);
  const node = hit.node;
  const claims = declaredClaims(root, base);
  if (hit.path.length === base.length + 2 && base.every((s, i) => hit.path[i] === s) && hit.path[hit.path.length - 1] === 'type') {
    const t = catalog.types.find((x) => x.type === node.value);
    if (t) return { offset: node.start, length: node.end - node.start, markdown: `**${t.type}** (resource type)\n\n${typeDoc(t)}` };
    return undefined;
  }
  const raw = text.slice(node.start, node.end);
  const p = findPlaceholders(raw, scope).find((x) => offset >= node.start + x.offset && offset <= node.start + x.offset + x.length);
  if (!p || p.name === undefined) return undefined;
  const type = claims.get(p.name);
  const t = catalog.types.find((x) => x.type === type);
  const o = t?.outputs.find((x) => x.name === p.output);
  const lines = [`**${scope}.${p.name}.${p.output}**`];
  if (!claims.has(p.name)) lines.push(`No claim "${p.name}" is declared.`);
  else if (!t) lines.push(`Claim "${p.name}" is of type ${type ?? '(none)'}, which is not known here.`);
  else if (!o) lines.push(`${t.type} has no output "${p.output}".`);
  else lines.push(`${o.description ?? ''}${o.secret ? '\n\nSecret: the platform injects it into the process environment at start; it is never written to files, logs or events.' : ''}`.trim(), `From claim \`${p.name}\` (${t.type}): ${t.description}`);
  return { offset: node.start + p.offset, length: p.length, markdown: lines.filter((l) => l !== '').join('\n\n') };
}
