/**
 * `$context`: what a rule's `{"$data": "/$context/..."}` reads besides the manifest — the environment, the catalog's
 * names (for the reference rules), the deprecated services, and which `spec.env` keys hold a secret of a known format
 * (for `no-plaintext-secret`, whatever the key is called).
 */
import { scanKnownSecrets } from '../secrets/index';
import type { CatalogNames, LintContext } from './types';

export interface ContextData {
  environment: string | null;
  deprecatedServices: string[];
  /** Absent without a catalog: the reference rules' `enum` then passes. */
  catalog: { teams?: string[]; systems?: string[]; services?: string[]; apis?: string[] };
  /** Always present (an absent list would make `not: {enum}` fail everywhere). */
  secretEnvKeys: string[];
}

/** Catalog lists as rules read them, built once per catalog snapshot (a catalog may hold 100k services). */
const catalogData = new WeakMap<CatalogNames, ContextData['catalog']>();

function catalogFor(names: CatalogNames | undefined): ContextData['catalog'] {
  if (!names) return {};
  let c = catalogData.get(names);
  if (!c) {
    c = {};
    if (names.teams) c.teams = [...names.teams];
    if (names.systems) c.systems = [...names.systems];
    // dependsOn items are refs (`service:ledger`): both forms, as no-deprecated-dependency does.
    if (names.services) c.services = names.services.flatMap((s) => (s.includes(':') ? [s] : [s, `service:${s}`]));
    if (names.apis) c.apis = [...names.apis];
    catalogData.set(names, c);
  }
  return c;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The `spec.env` keys whose value is a secret of a known format (one scan over all values, mapped back). */
export function secretEnvKeys(manifest: unknown): string[] {
  const spec = isRecord(manifest) ? manifest.spec : undefined;
  const env = isRecord(spec) ? spec.env : undefined;
  if (!isRecord(env)) return [];
  const keys: string[] = [];
  const starts: number[] = [];
  let text = '';
  for (const [k, v] of Object.entries(env)) {
    if (typeof v !== 'string' || v.length < 8) continue;
    keys.push(k);
    starts.push(text.length);
    text += v + '\n';
  }
  if (keys.length === 0) return [];
  const hit = new Set<string>();
  let i = 0;
  for (const m of scanKnownSecrets(text)) {
    while (i + 1 < starts.length && starts[i + 1] <= m.offset) i++;
    hit.add(keys[i]);
  }
  return [...hit];
}

export function contextData(manifest: unknown, context?: LintContext): ContextData {
  const dep = new Set<string>();
  for (const s of context?.deprecatedServices ?? []) {
    dep.add(s);
    if (!s.includes(':')) dep.add(`service:${s}`);
  }
  return { environment: context?.environment ?? null, deprecatedServices: [...dep], catalog: catalogFor(context?.catalog), secretEnvKeys: secretEnvKeys(manifest) };
}
