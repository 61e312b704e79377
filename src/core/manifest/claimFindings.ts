/**
 * What the linter says about claims (`spec.claims`) and their placeholders, in paved.yaml and in score.yaml
 * (`resources` bound with `${resources.NAME.OUTPUT}`), each at the exact range: an unknown resource type or class, a
 * placeholder to a claim that does not exist, an output the claim's type does not have, a claim never used.
 * The types come from the platform (`LintOptions.resourceTypes`), else Paved's built-ins (then an unknown type is only
 * a warning: the platform you deploy to may define it).
 */
import { BUILTIN_CATALOG, findPlaceholders, type ResourceType, type ResourceTypeCatalog } from '../resources';
import { replaceValueFix } from './fixes';
import { didYouMean } from '../suggest';
import type { YMap, YNode, YPair, YScalar } from './tree';
import { findPair, keyString, locate } from './tree';
import type { Finding, Fix } from './types';

const DOCS = 'https://paved.dev/docs/manifest#claims';

function range(n: { start: number; end: number }): { offset: number; length: number } {
  return { offset: n.start, length: n.end - n.start };
}

function names(list: readonly string[]): string {
  return list.length ? list.join(', ') : 'none';
}

function replaceFix(offset: number, length: number, to: string): Fix {
  return { title: `Change to ${to}`, edits: [{ offset, length, newText: to }], isPreferred: true };
}

/** The declared claims (or Score resources): name → its pair and its type, when written as a string. */
interface Declared {
  pair: YPair;
  type?: { node: YScalar; value: string };
  classNode?: YScalar;
}

function declared(map: YNode | undefined): Map<string, Declared> {
  const out = new Map<string, Declared>();
  if (!map || map.type !== 'map') return out;
  for (const pair of map.pairs) {
    const d: Declared = { pair };
    if (pair.value.type === 'map') {
      const t = findPair(pair.value, 'type');
      if (t?.value.type === 'scalar' && typeof t.value.value === 'string') d.type = { node: t.value, value: t.value.value };
      const c = findPair(pair.value, 'class');
      if (c?.value.type === 'scalar') d.classNode = c.value;
    }
    out.set(keyString(pair.key), d);
  }
  return out;
}

interface ScopeRules {
  /** `claims` (paved.yaml) or `resources` (score.yaml). */
  scope: string;
  /** The rule id prefix: `paved/claim` or `score/resource`. */
  rule: string;
  /** What the user calls the declarations: "claim" / "resource". */
  noun: string;
  /** Where they are declared, for messages. */
  where: string;
  /** Types whose outputs are free-form (Score's `environment`): never an unknown type or output. */
  openTypes: ReadonlySet<string>;
}

const TYPE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

function typeFindings(d: Map<string, Declared>, catalog: ResourceTypeCatalog, r: ScopeRules, out: Finding[], unknownSeverity?: Finding['severity']): void {
  const known = catalog.types.map((t) => t.type);
  for (const [, c] of d) {
    // A name the schema already refuses gets that one finding only.
    if (!c.type || r.openTypes.has(c.type.value) || !TYPE_NAME.test(c.type.value)) continue;
    const t = catalog.types.find((x) => x.type === c.type!.value);
    if (!t) {
      const near = didYouMean(c.type.value, known);
      out.push({
        ...range(c.type.node),
        severity: unknownSeverity ?? (catalog.authoritative ? 'error' : 'warning'),
        ruleId: `${r.rule}-unknown-type`,
        source: 'schema',
        message: catalog.authoritative
          ? `Unknown resource type "${c.type.value}": the platform offers ${names(known)}.`
          : `"${c.type.value}" is not one of Paved's built-in resource types (${names(known)}): the platform you deploy to must define it.`,
        docsUrl: DOCS,
        ...(near ? { fixes: [replaceValueFix(c.type.node, near)] } : {}),
      });
      continue;
    }
    if (c.classNode && typeof c.classNode.value === 'string' && !t.classes.some((k) => k.name === c.classNode!.value)) {
      const classes = t.classes.map((k) => k.name);
      const near = didYouMean(c.classNode.value, classes);
      out.push({
        ...range(c.classNode),
        severity: 'error',
        ruleId: `${r.rule}-unknown-class`,
        source: 'schema',
        message: `${t.type} has no class "${c.classNode.value}" (classes: ${names(classes)}).`,
        docsUrl: DOCS,
        ...(near ? { fixes: [replaceValueFix(c.classNode, near)] } : {}),
      });
    }
  }
}

/** Every string scalar under `node` (values of maps and sequences, recursively). */
function stringScalars(node: YNode | undefined, out: YScalar[] = []): YScalar[] {
  if (!node) return out;
  if (node.type === 'scalar') {
    if (typeof node.value === 'string' && node.end > node.start) out.push(node);
  } else if (node.type === 'map') {
    for (const p of node.pairs) stringScalars(p.value, out);
  } else {
    for (const i of node.items) stringScalars(i, out);
  }
  return out;
}

/** Checks the placeholders in `values`; returns the names they use. */
function placeholderFindings(text: string, values: readonly YScalar[], d: Map<string, Declared>, catalog: ResourceTypeCatalog, r: ScopeRules, out: Finding[]): Set<string> {
  const used = new Set<string>();
  for (const v of values) {
    const raw = text.slice(v.start, v.end);
    for (const p of findPlaceholders(raw, r.scope)) {
      if (p.name === undefined || p.output === undefined) {
        out.push({ offset: v.start + p.offset, length: p.length, severity: 'error', ruleId: `${r.rule}-placeholder`, source: 'schema', message: `A placeholder is \${${r.scope}.NAME.OUTPUT}, e.g. \${${r.scope}.db.url}.`, docsUrl: DOCS });
        continue;
      }
      used.add(p.name);
      const c = d.get(p.name);
      if (!c) {
        const near = didYouMean(p.name, d.keys());
        out.push({
          offset: v.start + p.nameOffset!,
          length: p.name.length,
          severity: 'error',
          ruleId: `${r.rule}-missing`,
          source: 'schema',
          message: `No ${r.noun} "${p.name}" in ${r.where} (${r.noun}s: ${names([...d.keys()])}).`,
          docsUrl: DOCS,
          ...(near ? { fixes: [replaceFix(v.start + p.nameOffset!, p.name.length, near)] } : {}),
        });
        continue;
      }
      const t: ResourceType | undefined = c.type && !r.openTypes.has(c.type.value) ? catalog.types.find((x) => x.type === c.type!.value) : undefined;
      if (t && !t.outputs.some((o) => o.name === p.output)) {
        const outputs = t.outputs.map((o) => o.name);
        const near = didYouMean(p.output, outputs);
        out.push({
          offset: v.start + p.outputOffset!,
          length: p.output.length,
          severity: 'error',
          ruleId: `${r.rule}-unknown-output`,
          source: 'schema',
          message: `${r.noun === 'claim' ? 'Claim' : 'Resource'} "${p.name}" (${t.type}) has no output "${p.output}" (outputs: ${names(outputs)}).`,
          docsUrl: DOCS,
          ...(near ? { fixes: [replaceFix(v.start + p.outputOffset!, p.output.length, near)] } : {}),
        });
      }
    }
  }
  return used;
}

const PAVED: ScopeRules = { scope: 'claims', rule: 'paved/claim', noun: 'claim', where: 'spec.claims', openTypes: new Set() };

/** Claim findings of a paved.yaml (v1) document. */
export function claimFindings(text: string, root: YMap, catalog: ResourceTypeCatalog = BUILTIN_CATALOG): Finding[] {
  const out: Finding[] = [];
  const claimsLoc = locate(root, ['spec', 'claims']);
  const d = declared(claimsLoc.depth === 2 ? claimsLoc.node : undefined);
  typeFindings(d, catalog, PAVED, out);
  const values: YScalar[] = [];
  const env = locate(root, ['spec', 'env']);
  if (env.depth === 2) stringScalars(env.node, values);
  const envs = locate(root, ['spec', 'environments']);
  if (envs.depth === 2 && envs.node.type === 'map') {
    for (const p of envs.node.pairs) if (p.value.type === 'map') stringScalars(findPair(p.value, 'env')?.value, values);
  }
  const used = placeholderFindings(text, values, d, catalog, PAVED, out);
  for (const [name, c] of d) {
    if (used.has(name)) continue;
    const t = c.type ? catalog.types.find((x) => x.type === c.type!.value) : undefined;
    const example = t?.mainOutput ? ` e.g. ${t.mainEnv ?? 'VALUE'}: \${claims.${name}.${t.mainOutput}}` : '';
    out.push({ ...range(c.pair.key), severity: 'warning', ruleId: 'paved/claim-unused', source: 'schema', message: `Claim "${name}" is never used: bind one of its outputs in spec.env,${example || ' e.g. NAME: ${claims.' + name + '.OUTPUT}'}.`, docsUrl: DOCS });
  }
  return out;
}

/** Score's own resource type whose outputs are whatever the environment has. */
const SCORE: ScopeRules = { scope: 'resources', rule: 'score/resource', noun: 'resource', where: 'resources', openTypes: new Set(['environment']) };

/** Findings of a score.yaml document's `resources` and their `${resources.NAME.OUTPUT}` placeholders. */
export function scoreResourceFindings(text: string, root: YMap, catalog: ResourceTypeCatalog = BUILTIN_CATALOG): Finding[] {
  const out: Finding[] = [];
  const res = findPair(root, 'resources');
  const d = declared(res?.value);
  // Score files are portable: a type this platform does not know is a warning, whatever the source of the list.
  typeFindings(d, catalog, SCORE, out, 'warning');
  const containers = findPair(root, 'containers');
  placeholderFindings(text, stringScalars(containers?.value), d, catalog, SCORE, out);
  return out;
}
