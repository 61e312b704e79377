/**
 * Benchmark INSIDE the extension host (not a test: `npm run bench -- extension-host` runs it through
 * test/bench/extensionHost.ts; `npm test` never does). Paved talks to a `paved serve` the bench started with
 * PAVED_BENCH_SERVICES services (paved.platform.kind = paved, url = that server, token in SecretStorage), and this file
 * measures, through PavedApi.catalog:
 *
 * - the time until the first tree page is available: the root groups, then the first group's first page — cold (the
 *   window's first request) and warm (after Refresh, several times);
 * - the extension host's heap growth after walking the whole catalog (every group expanded, Load more until the end,
 *   a TreeItem made for every node as the view does), after a full GC, with the peak seen on the way and the RSS;
 * - the same first page as the Catalog view itself asks for it (the view opened, its first group revealed expanded),
 *   and — up to PAVED_BENCH_UI_WALK_MAX services — the heap growth with the whole catalog expanded in the view (VS
 *   Code's tree keeps its own TreeItems for every node it shows).
 *
 * Every figure goes to the harness as a metric (reportMetric); the bench prints them as a table.
 */
import * as assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { CatalogLoadEvent } from '../../../src/extension/catalog/catalogView';
import type { CatalogNode, GroupNode, LoadMoreNode } from '../../../src/extension/catalog/model';
import type { PavedApi } from '../../../src/extension/main';
import type { RunnerEvent } from '../runner/protocol';
import { activatePaved, reportMetric } from '../suite/helpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
const mb = (bytes: number) => +(bytes / MB).toFixed(1);

/** Heap used and RSS after two full collections (the second one frees what the first one's finalizers released). */
function settled(): { heap: number; rss: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

/** A line in the harness output (console on the electron route). */
function reportLog(message: string): void {
  const report = (globalThis as { __pavedReport?: (e: RunnerEvent) => void }).__pavedReport;
  if (report) report({ type: 'log', message });
  else console.log(message);
}

/** With PAVED_BENCH_HEAP_SNAPSHOT_DIR set, writes a heap snapshot of the extension host there (for a diff of the view walk). */
function snapshot(label: string): void {
  const dir = process.env.PAVED_BENCH_HEAP_SNAPSHOT_DIR;
  if (!dir) return;
  gc();
  reportLog(`heap snapshot: ${v8.writeHeapSnapshot(`${dir}/catalog-view-walk-${process.env.PAVED_BENCH_SERVICES}-${label}.heapsnapshot`)}`);
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through npm run bench (test/bench/extensionHost.ts)`);
  return v;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Resolves with the next onDidLoad for `parent` (root when undefined) whose children pass `accept`. */
function nextLoad(p: PavedApi, parent: CatalogNode | undefined, accept: (children: CatalogNode[]) => boolean, what: string, timeoutMs = 120_000): Promise<CatalogNode[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`the Catalog view did not load ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = p.catalog.onDidLoad((e: CatalogLoadEvent) => {
      if (e.parent?.id !== parent?.id || !accept(e.children)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e.children);
    });
  });
}

const services = (nodes: CatalogNode[]) => nodes.filter((n) => n.kind === 'service').length;
/** How far into its group a window of children reaches: the children before it (dropped by the sibling cap) + its services. */
const reach = (nodes: CatalogNode[]) => (nodes[0]?.kind === 'load-earlier' ? nodes[0].before : 0) + services(nodes);
/** Adds the ids of the services shown to `seen` (a group's window slides: a page is counted once, whenever it showed). */
const see = (seen: Set<string>, nodes: CatalogNode[]) => {
  for (const n of nodes) if (n.kind === 'service') seen.add(n.id);
};
const loadMoreOf = (nodes: CatalogNode[]) => nodes.find((n): n is LoadMoreNode => n.kind === 'load-more');

describe('Catalog in the extension host (benchmark)', function () {
  const url = env('PAVED_BENCH_URL');
  const expected = Number(env('PAVED_BENCH_SERVICES'));
  const uiWalkMax = Number(process.env.PAVED_BENCH_UI_WALK_MAX ?? 10_000);
  const warmRuns = Number(process.env.PAVED_BENCH_WARM_RUNS ?? 5);
  let p: PavedApi;

  before(async () => {
    p = (await activatePaved()) as unknown as PavedApi;
    const { kind, url: configured } = p.platform.settings();
    assert.deepEqual({ kind, url: configured }, { kind: 'paved', url });
    // The token goes where "Paved: Sign In" puts it (SecretStorage, keyed by the URL).
    await p.backstage.testHooks.storeToken(url, env('PAVED_BENCH_TOKEN'));
    const backend = await p.platform.current();
    assert.equal(backend.kind, 'paved');
    reportMetric('services in the catalog', expected, '');
  });

  it('first tree page: root groups, then the first group’s first page', async () => {
    p.catalog.refresh();
    const t0 = performance.now();
    const root = await p.catalog.getChildren();
    const t1 = performance.now();
    assert.equal(root[0]?.kind, 'group', `first root node: ${JSON.stringify(root[0])}`);
    const first = await p.catalog.getChildren(root[0]);
    const t2 = performance.now();
    assert.equal(services(first), p.catalog.model.pageSize);
    reportMetric('first page, cold: root groups', Math.round(t1 - t0), 'ms');
    reportMetric('first page, cold: first group’s first page', Math.round(t2 - t1), 'ms');
    reportMetric('root groups', root.length, '');

    const rootMs: number[] = [];
    const groupMs: number[] = [];
    for (let i = 0; i < warmRuns; i++) {
      p.catalog.refresh();
      const a = performance.now();
      const r = await p.catalog.getChildren();
      const b = performance.now();
      await p.catalog.getChildren(r[0]);
      rootMs.push(b - a);
      groupMs.push(performance.now() - b);
    }
    const total = rootMs.map((r, i) => r + groupMs[i]);
    reportMetric(`first page after Refresh, median of ${warmRuns}: root groups`, Math.round(median(rootMs)), 'ms');
    reportMetric(`first page after Refresh, median of ${warmRuns}: first group’s first page`, Math.round(median(groupMs)), 'ms');
    reportMetric(`first page after Refresh, median of ${warmRuns}: both`, Math.round(median(total)), 'ms');
    reportMetric(`first page after Refresh, max of ${warmRuns}: both`, Math.round(Math.max(...total)), 'ms');
  });

  it('heap growth after walking the whole catalog through PavedApi.catalog', async () => {
    p.catalog.refresh();
    const before = settled();
    let peakHeap = before.heap;
    let peakRss = before.rss;
    const sample = () => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    };
    const walked = new Set<string>();
    let requests = 0;
    const t0 = performance.now();
    const expand = async (parent: CatalogNode | undefined): Promise<void> => {
      let kids = await p.catalog.getChildren(parent);
      requests++;
      see(walked, kids);
      for (let more = loadMoreOf(kids); more; more = loadMoreOf(kids)) {
        for (const k of kids) p.catalog.getTreeItem(k); // what the view makes of every node it shows
        await p.catalog.loadMore(more);
        requests++;
        kids = await p.catalog.getChildren(parent);
        see(walked, kids);
        sample();
      }
      for (const k of kids) p.catalog.getTreeItem(k);
      sample();
      for (const k of kids) {
        if (k.kind === 'group' || k.kind === 'my-services') await expand(k);
        else if (k.kind === 'error') throw new Error(`error node under ${parent?.id ?? 'the root'}: ${k.message}`);
      }
    };
    await expand(undefined);
    const walkMs = performance.now() - t0;
    assert.equal(walked.size, expected);
    walked.clear();
    const after = settled();
    p.catalog.refresh();
    const afterRefresh = settled();
    reportMetric('walk: services loaded', expected, '');
    reportMetric('walk: tree requests (getChildren + Load more)', requests, '');
    reportMetric('walk: time', +(walkMs / 1000).toFixed(1), 's');
    reportMetric('heap before walk', mb(before.heap), 'MB');
    reportMetric('heap after walk (every group loaded to its end, at most 500 children kept per group)', mb(after.heap), 'MB');
    reportMetric('heap peak during walk (no forced GC)', mb(peakHeap), 'MB');
    reportMetric('heap growth after walking the whole catalog', mb(after.heap - before.heap), 'MB');
    reportMetric('heap growth after Refresh', mb(afterRefresh.heap - before.heap), 'MB');
    reportMetric('RSS before walk', mb(before.rss), 'MB');
    reportMetric('RSS after walk', mb(after.rss), 'MB');
    reportMetric('RSS peak during walk', mb(peakRss), 'MB');
  });

  it('first page and whole walk as the Catalog view asks for them', async () => {
    p.catalog.refresh();
    const before = settled();
    const rootLoaded = nextLoad(p, undefined, (c) => c.length > 0, 'its root');
    const t0 = performance.now();
    await vscode.commands.executeCommand('workbench.view.extension.paved');
    const root = await rootLoaded;
    const t1 = performance.now();
    const group = root.find((n): n is GroupNode => n.kind === 'group');
    assert.ok(group, 'a group at the root');
    const firstPage = nextLoad(p, group, (c) => services(c) > 0, group.id);
    await p.catalog.treeView.reveal(group, { expand: true, select: false, focus: false });
    await firstPage;
    const t2 = performance.now();
    reportMetric('Catalog view: opened → root groups', Math.round(t1 - t0), 'ms');
    reportMetric('Catalog view: first group revealed → its first page', Math.round(t2 - t1), 'ms');
    reportMetric('Catalog view: first tree page, both', Math.round(t2 - t0), 'ms');
    if (expected > uiWalkMax) {
      reportMetric(`Catalog view walk skipped (more than PAVED_BENCH_UI_WALK_MAX=${uiWalkMax} services)`, expected, '');
      return;
    }

    snapshot('1-before');
    // Every group expanded in the view, Load more pressed until the end: VS Code refetches the group after each page.
    const t3 = performance.now();
    const shown = new Set<string>();
    for (const g of root) {
      if (g.kind !== 'group') continue;
      let kids: CatalogNode[];
      if (g === group) kids = await p.catalog.getChildren(g);
      else {
        const loaded = nextLoad(p, g, (c) => c.length > 0, g.id);
        await p.catalog.treeView.reveal(g, { expand: true, select: false, focus: false });
        kids = await loaded;
      }
      see(shown, kids);
      for (let more = loadMoreOf(kids); more; more = loadMoreOf(kids)) {
        const had = reach(kids);
        const reloaded = nextLoad(p, g, (c) => reach(c) > had || c.some((n) => n.kind === 'error'), `${g.id} after Load more`);
        await vscode.commands.executeCommand('paved.catalog.loadMore', more);
        kids = await reloaded;
        const err = kids.find((n) => n.kind === 'error');
        if (err?.kind === 'error') throw new Error(`error node under ${g.id}: ${err.message}`);
        see(shown, kids);
      }
    }
    assert.equal(shown.size, expected);
    shown.clear();
    const walkMs = performance.now() - t3;
    const after = settled();
    reportMetric('Catalog view walk: time', +(walkMs / 1000).toFixed(1), 's');
    reportMetric('Catalog view walk: heap growth with every group expanded to its end (at most 500 children each)', mb(after.heap - before.heap), 'MB');
    reportMetric('Catalog view walk: RSS after', mb(after.rss), 'MB');
    snapshot('2-expanded');
    await vscode.commands.executeCommand('workbench.actions.treeView.paved.catalog.collapseAll');
    p.catalog.refresh();
    await nextLoad(p, undefined, (c) => c.length > 0, 'its root after Refresh');
    const afterRefresh = settled();
    reportMetric('Catalog view walk: heap growth after Collapse All + Refresh', mb(afterRefresh.heap - before.heap), 'MB');
    // VS Code disposes the items a refresh replaced only when the next refresh starts: refresh once more.
    p.catalog.refresh();
    await nextLoad(p, undefined, (c) => c.length > 0, 'its root after the second Refresh');
    const afterSecondRefresh = settled();
    reportMetric('Catalog view walk: heap growth after a second Refresh', mb(afterSecondRefresh.heap - before.heap), 'MB');
    snapshot('3-after-second-refresh');
  });
});
