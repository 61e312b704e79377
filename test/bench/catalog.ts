/**
 * Benchmark of the Catalog tree (not a test): against `paved serve` holding 10k and 100k services registered through
 * the API, the time until the first tree page is available (root groups by system, owner and lifecycle from
 * `GET /v1/service-facets`, then the first group's first page), and the
 * heap growth after walking the whole catalog through the tree model (every group expanded, Load more until the end).
 *
 * Runs in plain Node: CatalogModel (src/extension/catalog/model.ts, no vscode) over the real Paved API client — the
 * code the extension host runs, without the TreeView around it. Heap numbers are this process's V8 heap after a full
 * GC, so they stand for the extension host's growth from the tree's data.
 */
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CatalogModel, type CatalogNode } from '../../src/extension/catalog/model';
import { createBackend } from '../../src/platform/connection';
import type { PlatformBackend } from '../../src/platform/backend';
import { serve, tempDir } from '../contract/helpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const builtCli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const cli = fs.existsSync(builtCli) ? builtCli : undefined;

/** Services up to this count are registered through `POST /v1/services`; beyond it the registration journal is seeded. */
const API_REGISTER_MAX = Number(process.env.PAVED_BENCH_API_REGISTER_MAX ?? 10_000);

export function manifest(i: number): Record<string, unknown> {
  const name = `svc-${String(i).padStart(6, '0')}`;
  // Services 9, 19, 29, … have no system: the tree shows them under "No system".
  const metadata: Record<string, unknown> = { name, owner: `team-${i % 50}`, lifecycle: i % 3 === 0 ? 'production' : 'experimental', tags: ['bench'] };
  if (i % 10 !== 9) metadata.system = `system-${i % 20}`;
  return { apiVersion: 'paved.dev/v1', kind: 'Service', metadata, spec: { runtime: { name: 'node', version: '20' } } };
}

async function registerAll(backend: PlatformBackend, n: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await backend.register({ manifest: manifest(i) });
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return performance.now() - t0;
}

/** Writes the server's registration journal (as test/bench/serve.ts does): registering 100k one by one takes too long. */
export function seedJournal(stateDir: string, n: number): void {
  const at = new Date().toISOString();
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ op: 'put', at, manifest: manifest(i) }));
  fs.writeFileSync(path.join(stateDir, 'registrations.jsonl'), `${lines.join('\n')}\n`, { mode: 0o600 });
}

/**
 * Expands every node and presses Load more until nothing is left; returns how many distinct services were shown (a
 * group keeps a window of at most MAX_SIBLINGS children, so each page is counted when it shows).
 */
async function walk(model: CatalogModel): Promise<{ services: number; requests: number }> {
  const seen = new Set<string>();
  let requests = 0;
  const see = (kids: CatalogNode[]) => {
    for (const k of kids) if (k.kind === 'service') seen.add(k.id);
  };
  const expand = async (parent: CatalogNode | undefined): Promise<void> => {
    let kids = await model.getChildren(parent);
    requests++;
    see(kids);
    for (;;) {
      const more = kids.at(-1);
      if (more?.kind !== 'load-more') break;
      await model.loadMore(more);
      requests++;
      kids = await model.getChildren(parent);
      see(kids);
    }
    for (const k of kids) {
      if (k.kind === 'group' || k.kind === 'my-services') await expand(k);
      else if (k.kind === 'error') throw new Error(`error node: ${k.message}`);
    }
  };
  await expand(undefined);
  const services = seen.size;
  seen.clear();
  return { services, requests };
}

async function bench(n: number): Promise<Record<string, number | string>> {
  const stateDir = tempDir(`bench-catalog-${n}`);
  const viaApi = n <= API_REGISTER_MAX;
  if (!viaApi) seedJournal(stateDir, n);
  const s = await serve(['--state-dir', stateDir, '--idle-timeout', '0'], {}, cli);
  const client = () => createBackend({ kind: 'local', url: s.url, token: async () => s.token }, { packageRoot: path.resolve(__dirname, '..', '..') });
  try {
    let registered = 'seeded registration journal';
    if (viaApi) {
      const admin = client();
      registered = `POST /v1/services ×${n}, 8 in parallel: ${((await registerAll(admin, n)) / 1000).toFixed(1)} s`;
      admin.dispose();
    }

    const backend = client();
    const before = heapMb();
    const model = new CatalogModel(async () => backend, { pageSize: 100 });
    const t0 = performance.now();
    const root = await model.getChildren();
    const rootMs = performance.now() - t0;
    const t1 = performance.now();
    const firstGroup = await model.getChildren(root[0]);
    const firstGroupMs = performance.now() - t1;
    // The same first page with the catalog grouped by owner, and filtered by text.
    const byOwner = new CatalogModel(async () => backend, { pageSize: 100, groupBy: 'owner' });
    const t2 = performance.now();
    await byOwner.getChildren();
    const ownerMs = performance.now() - t2;
    const byLifecycle = new CatalogModel(async () => backend, { pageSize: 100, groupBy: 'lifecycle' });
    const t5 = performance.now();
    const lifecycleRoot = await byLifecycle.getChildren();
    const lifecycleMs = performance.now() - t5;
    const t6 = performance.now();
    await byLifecycle.getChildren(lifecycleRoot[0]);
    const lifecycleGroupMs = performance.now() - t6;
    // The facets alone (GET /v1/service-facets through the client, contract validation included), warm.
    const t7 = performance.now();
    const facets = await backend.facets();
    const facetsMs = performance.now() - t7;
    const counted = facets.systems.reduce((sum, f) => sum + f.count, 0);
    const filtered = new CatalogModel(async () => backend, { pageSize: 100 });
    filtered.setFilter('svc-0001');
    const t3 = performance.now();
    const hits = await filtered.getChildren();
    const filterMs = performance.now() - t3;

    const t4 = performance.now();
    const walked = await walk(model);
    const walkMs = performance.now() - t4;
    const after = heapMb();
    model.reset();
    const afterReset = heapMb();
    if (walked.services !== n) throw new Error(`walked ${walked.services} of ${n} services`);
    return {
      services: n,
      registered,
      'first tree page: root groups by system (ms)': Math.round(rootMs),
      'root groups': root.length,
      'first group, first page of 100 (ms)': Math.round(firstGroupMs),
      'first group page size': firstGroup.length,
      'first tree page grouped by owner (ms)': Math.round(ownerMs),
      'first tree page grouped by lifecycle (ms)': Math.round(lifecycleMs),
      'lifecycle: first group, first page of 100 (ms)': Math.round(lifecycleGroupMs),
      'facets request, warm (ms)': +facetsMs.toFixed(1),
      'facets exact (services with a system counted)': `${!facets.partial} (${counted})`,
      'first filtered page (ms)': Math.round(filterMs),
      'filter hits on first page': hits.length,
      'walk whole catalog (s)': +(walkMs / 1000).toFixed(1),
      'tree requests (getChildren + Load more)': walked.requests,
      'heap growth after walking the whole catalog (MB)': +(after - before).toFixed(1),
      'heap growth after refresh (MB)': +(afterReset - before).toFixed(1),
    };
  } finally {
    await s.stop();
  }
}

export async function run(): Promise<void> {
  const sizes = (process.env.PAVED_BENCH_CATALOG_SIZES ?? '10000,100000').split(',').map(Number);
  for (const n of sizes) console.table(await bench(n));
}
