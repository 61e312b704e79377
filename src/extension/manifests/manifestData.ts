/**
 * The plain-data parts of the editor's manifest support (no vscode, unit-tested in plain Node): the platform's wire
 * policy set as an engine set, name matching for reference completion, and which findings the Red Hat YAML
 * extension reports too.
 */
import type { Finding, ReferenceProvider } from '../../core/manifest/index';
import type { ReferenceNames } from '../../platform/backend';
import { pathAt } from '../../core/manifest/index';

/** The wire set as an engine set: the one conversion in src/core/policy (wire.ts), used by every face. */
export { fromWire } from '../../core/policy/index';

/**
 * Reference completion from the cached catalog names, when they hold every kind asked for (resources are not among
 * them: those still ask the platform); undefined otherwise.
 */
export function namesFor(names: ReferenceNames, kinds: ReadonlySet<string>, prefix: string, max = 100): ReferenceProvider | undefined {
  const lists: Record<string, string[] | undefined> = { owners: names.teams, systems: names.systems, services: names.services };
  if ([...kinds].some((k) => lists[k] === undefined)) return undefined;
  const refs: ReferenceProvider = {};
  const bare = prefix.replace(/^service:/, '');
  if (kinds.has('owners')) refs.owners = () => matchNames(names.teams!, prefix, max);
  if (kinds.has('systems')) refs.systems = () => matchNames(names.systems!, prefix, max);
  if (kinds.has('services')) refs.services = () => matchNames(names.services!, bare, max);
  return refs;
}

/** Names containing `prefix` (case-insensitive), those starting with it first, at most `max`. */
export function matchNames(names: readonly string[], prefix: string, max: number): string[] {
  const p = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const n of new Set(names)) {
    const l = n.toLowerCase();
    if (l.startsWith(p)) starts.push(n);
    else if (l.includes(p)) contains.push(n);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...starts.sort(cmp), ...contains.sort(cmp)].slice(0, max);
}

/**
 * Findings the Red Hat YAML extension reports too (its language server parses with the same `yaml` library): the
 * library's errors and warnings (upper-case codes) and duplicate keys ("Map keys must be unique").
 */
export function reportedByRedHatYaml(f: Finding): boolean {
  return f.source === 'yaml' && (/^yaml\/[A-Z_]+$/.test(f.ruleId) || f.ruleId === 'yaml/duplicate-key' || f.ruleId === 'yaml/unresolved-alias');
}

export type ApiListField = 'providesApis' | 'consumesApis';

/**
 * Where API names are typed in a paved.yaml: an item of `spec.providesApis` / `spec.consumesApis` (block `- |` or
 * flow `[a, |`). Returns the field and the part of the name typed so far (what the completion replaces).
 */
export function apiListAt(text: string, offset: number): { field: ApiListField; typed: string } | undefined {
  if (!/^apiVersion:\s*["']?paved\.dev\//m.test(text)) return undefined;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const lines = text.slice(0, lineStart).split('\n');
  const lineNo = lines.length - 1;
  lines[lineNo] = before;
  const typed = /[^\s:[\]{},'"]*$/.exec(before)![0];
  const flow = /^(\s*)(providesApis|consumesApis)\s*:\s*\[[^\]#]*$/.exec(before);
  if (flow) {
    const parent = pathAt(lines, lineNo, flow[1].length);
    return parent.length === 1 && parent[0] === 'spec' ? { field: flow[2] as ApiListField, typed } : undefined;
  }
  const item = /^(\s*)-\s+([^:#[\]{}]*)$/.exec(before);
  if (!item) return undefined;
  const path = pathAt(lines, lineNo, item[1].length);
  const field = path[path.length - 1];
  if (path.length === 2 && path[0] === 'spec' && (field === 'providesApis' || field === 'consumesApis')) return { field, typed };
  return undefined;
}
