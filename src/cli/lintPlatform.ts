/**
 * `paved lint` and the platform: with a connection (`--backend/--url`, PAVED_URL, or a running local platform) it
 * lints with the platform's policy set (`GET /v1/policies`) and checks references against its catalog
 * (`GET /v1/catalog/names`; Backstage: its catalog's groups, systems, components and APIs through `by-query`, with
 * Paved's default set, as the editor does), as the editor and the platform's deploy gate do. Plain `fetch`, not the platform client:
 * `paved lint` stays a small bundle. When the platform cannot be asked, the default set stands in and the reason is
 * said (`--require-platform` makes that an error).
 */
import * as fs from 'node:fs';
import type { CatalogNamesList, PolicySet as WirePolicySet } from '../core/api/types';
import { describeError } from '../core/errors';
import { defaultPolicySet, fromWire, type CatalogNames, type PolicySet } from '../core/policy/index';
import type { BackstageEntity } from '../platform/backstage/wire';
import { backstageReferenceNames } from '../platform/backstage/names';
import { defaultLocalStateDir, findLocalPlatform } from '../platform/local';
import { parsePlatformUrl } from '../platform/url';
import { UsageError } from './args';

export interface LintConnection {
  backend?: string;
  url?: string;
  'state-dir'?: string;
}

export interface LintPlatform {
  /** The platform's set, or the default when it could not be had. */
  set: PolicySet;
  /** The platform's catalog names (absent: references are not checked). */
  catalog?: CatalogNames;
  deprecatedServices?: ReadonlySet<string>;
  /** Which platform, for the note and SARIF (`Local platform (http://127.0.0.1:…)`). */
  platform?: string;
  /** Why the default set stands in (no platform, unreachable, no policy set). */
  fallback?: string;
}

const TIMEOUT_MS = 10_000;

async function getJson<T>(base: string, path: string, token: string | undefined): Promise<T | undefined> {
  const res = await fetch(`${base}${path}`, {
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: AbortSignal.timeout(TIMEOUT_MS),
    redirect: 'error',
  });
  if (res.status === 404) return undefined;
  if (!res.ok) {
    let detail = '';
    try {
      const body = (await res.json()) as { detail?: unknown };
      if (typeof body.detail === 'string') detail = `: ${body.detail}`;
    } catch {
      // not a problem document
    }
    throw new Error(`GET ${path} answered HTTP ${res.status}${detail}`);
  }
  return (await res.json()) as T;
}

/** Where the connection points: a Paved API base URL and its token, or why there is none to ask. */
async function target(values: LintConnection, env: NodeJS.ProcessEnv): Promise<{ url: string; token?: string; name: string; backstage?: true } | { none: string }> {
  const url = (values.url ?? env.PAVED_URL ?? '').trim().replace(/\/+$/, '');
  // An empty variable is an unset one.
  const kind = values.backend ?? (env.PAVED_BACKEND?.trim() || undefined) ?? (url ? 'paved' : 'local');
  if (!['local', 'paved', 'backstage'].includes(kind)) throw new UsageError(`--backend must be one of local, paved, backstage, not '${kind}'`);
  if (kind === 'local' && values.url !== undefined) throw new UsageError('--url names a remote platform, but the backend is local; use --backend paved with it, or leave it out');
  const envToken = env.PAVED_TOKEN?.trim() || undefined;
  if (kind === 'backstage') {
    if (!url) throw new UsageError('--backend backstage needs --url (or PAVED_URL)');
    const parsed = parsePlatformUrl(url, values.url !== undefined ? '--url' : 'PAVED_URL');
    return { url: parsed.toString().replace(/\/+$/, ''), token: envToken, name: `Backstage (${parsed.origin})`, backstage: true };
  }
  if (kind === 'paved') {
    if (!url) throw new UsageError('--backend paved needs --url (or PAVED_URL)');
    const parsed = parsePlatformUrl(url, values.url !== undefined ? '--url' : 'PAVED_URL');
    return { url: parsed.toString().replace(/\/+$/, ''), token: envToken, name: `Paved platform (${parsed.origin})` };
  }
  const stateDir = values['state-dir'] ?? defaultLocalStateDir(env);
  const info = await findLocalPlatform(stateDir);
  if (!info) return { none: `no local platform is running (state dir ${stateDir}) and no --url or PAVED_URL names one` };
  const token = envToken ?? fs.readFileSync(info.tokenFile, 'utf8').trim();
  return { url: info.url.replace(/\/+$/, ''), token, name: `Local platform (${info.url})` };
}

/** The platform's set and catalog names, or the default set and why. Usage errors (a bad flag) are thrown. */
export async function lintPlatform(values: LintConnection, env: NodeJS.ProcessEnv): Promise<LintPlatform> {
  let t: Awaited<ReturnType<typeof target>>;
  try {
    t = await target(values, env);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return { set: defaultPolicySet(), fallback: describeError(err) };
  }
  if ('none' in t) return { set: defaultPolicySet(), fallback: t.none };
  if (t.backstage) return backstage(t);
  try {
    const [wire, names] = await Promise.all([getJson<WirePolicySet>(t.url, '/v1/policies', t.token), getJson<CatalogNamesList>(t.url, '/v1/catalog/names', t.token)]);
    if (!wire) return { set: defaultPolicySet(), platform: t.name, fallback: `${t.name} serves no policy set` };
    const out: LintPlatform = { set: fromWire(wire, `policies of ${t.name}`), platform: t.name };
    if (names) {
      out.catalog = { teams: names.teams, systems: names.systems, services: names.services, apis: names.apis };
      out.deprecatedServices = new Set(names.deprecatedServices);
    }
    return out;
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return { set: defaultPolicySet(), platform: t.name, fallback: `${t.name} could not be asked: ${describeError(err)}${cause}` };
  }
}

/** Backstage serves no Paved policy set (the default set stands in, said so); its catalog names the references. */
async function backstage(t: { url: string; token?: string; name: string }): Promise<LintPlatform> {
  const fallback = `${t.name} serves no Paved policy set`;
  try {
    const names = await backstageReferenceNames(async (kind, page, fields) => {
      const q = new URLSearchParams(page.cursor ? { cursor: page.cursor } : { filter: `kind=${kind.toLowerCase()}`, orderField: 'metadata.name,asc' });
      q.set('limit', String(page.limit));
      q.set('fields', fields.join(','));
      const res = await getJson<{ items: BackstageEntity[]; pageInfo?: { nextCursor?: string } }>(t.url, `/api/catalog/entities/by-query?${q.toString()}`, t.token);
      if (!res) throw new Error('its catalog has no by-query endpoint');
      return { items: res.items.filter((e) => typeof e.metadata?.name === 'string'), ...(res.pageInfo?.nextCursor ? { nextCursor: res.pageInfo.nextCursor } : {}) };
    });
    const { deprecatedServices, ...catalog } = names;
    return { set: defaultPolicySet(), catalog, deprecatedServices: new Set(deprecatedServices), platform: t.name, fallback: `${fallback} (references are checked against its catalog)` };
  } catch (err) {
    return { set: defaultPolicySet(), platform: t.name, fallback: `${fallback}, and its catalog could not be asked: ${describeError(err)}` };
  }
}
