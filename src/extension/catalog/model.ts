/**
 * The catalog tree's data model: grouping, "My services", text filter, paging state per parent and the error / Load
 * more nodes. Plain TypeScript, no vscode import: the view (catalogView.ts) adapts these nodes to TreeItems, and unit
 * tests drive the model with a fake source.
 */
import type { EnvironmentState, HealthState, Page, Team } from '../../core/api/types';
import type { CatalogFacets, CatalogService, FacetValue, ServiceQuery } from '../../platform/backend';
import { Compactor } from './compactor';

export type GroupBy = 'system' | 'owner' | 'lifecycle';
export const GROUP_BY_VALUES: readonly GroupBy[] = ['system', 'owner', 'lifecycle'];

/** The part of a PlatformBackend the tree reads. */
export interface CatalogSource {
  /** `teamsAsOwners`: owner groups come from `listTeams` (exact service counts); else from the facets. */
  readonly capabilities: { readonly deploy: boolean; readonly teamsAsOwners?: boolean };
  /** Teams with their service counts: one cheap request instead of a facet scan when grouping by owner. */
  listTeams?(page?: { limit?: number; cursor?: string }, opts?: { signal?: AbortSignal }): Promise<Page<Team>>;
  listServices(query: ServiceQuery, opts?: { signal?: AbortSignal }): Promise<Page<CatalogService>>;
  facets(opts?: { signal?: AbortSignal }): Promise<CatalogFacets>;
}

/**
 * How the model gets its source. `blocked` (untrusted, not configured) means there is nothing to show and nothing to
 * ask: the view's welcome content explains it. Any other thrown error becomes an error node with Retry.
 */
export type SourceProvider = () => Promise<CatalogSource>;

export interface GroupNode {
  kind: 'group';
  id: string;
  field: GroupBy;
  /** Facet value; undefined = services without a value for the field ("No system"). */
  value: string | undefined;
  count: number;
  /** The backend counted from a sample: `count` is a lower bound. */
  partial: boolean;
}
export interface MyServicesNode {
  kind: 'my-services';
  id: string;
  teams: readonly string[];
}
export interface ServiceNode {
  kind: 'service';
  id: string;
  service: CatalogService;
  deployable: boolean;
}
export interface LoadMoreNode {
  kind: 'load-more';
  id: string;
  parent: ParentNode | undefined;
  /** How many children are shown. */
  loaded: number;
  /** How many come before the shown ones (dropped from the front to keep the siblings few). */
  before: number;
}
/** "Show earlier": brings back the page before the shown ones (dropped to keep at most `maxSiblings`). */
export interface LoadEarlierNode {
  kind: 'load-earlier';
  id: string;
  parent: ParentNode | undefined;
  /** How many children come before the shown ones. */
  before: number;
}
export interface ErrorNode {
  kind: 'error';
  id: string;
  parent: ParentNode | undefined;
  message: string;
  error: unknown;
  /** The failed fetch was "Show earlier" (Retry fetches that page again). */
  earlier?: boolean;
}
export interface MessageNode {
  kind: 'message';
  id: string;
  message: string;
}
export type CatalogNode = GroupNode | MyServicesNode | ServiceNode | LoadMoreNode | LoadEarlierNode | ErrorNode | MessageNode;
export type ParentNode = GroupNode | MyServicesNode;

/** A page of children: where it starts and how many children it brought. */
interface PageMark {
  cursor: string | undefined;
  count: number;
}

/**
 * Children of one parent, as far as they are loaded: a window of consecutive pages. Load more appends a page; when
 * the window holds more than `maxSiblings` children, pages are dropped from the front (kept as marks, so Show earlier
 * fetches them again, dropping from the end).
 */
interface Paging {
  items: CatalogNode[];
  /** The pages in `items`, in order. */
  pages: PageMark[];
  /** Pages dropped from the front, the one just before the window last. */
  earlier: PageMark[];
  /** Where the next page starts; undefined when everything is loaded. */
  next: string | undefined;
  error?: ErrorNode;
  /** In-flight fetch, shared by concurrent callers. */
  loading?: Promise<void>;
}

/** Thrown by a SourceProvider when there is deliberately no source (untrusted, not configured). */
export class SourceBlockedError extends Error {
  constructor(readonly reason: string, cause?: unknown) {
    super(reason, cause === undefined ? undefined : { cause });
    this.name = 'SourceBlockedError';
  }
}

export const MAX_PAGE_SIZE = 200;
/** At most this many children under one parent (plus the paging nodes): a window of pages, never the whole group. */
export const MAX_SIBLINGS = 500;
/** Pages fetched at most for one "No system" page before offering Load more (they filter client-side). */
const MAX_SCAN_PAGES = 10;

export interface CatalogModelOptions {
  pageSize?: number;
  /** Children kept under one parent before Load more drops the first pages (at least one page is always kept). */
  maxSiblings?: number;
  groupBy?: GroupBy;
  myTeams?: readonly string[];
  describeError?: (err: unknown) => string;
}

type Fetcher = (cursor: string | undefined, source: CatalogSource) => Promise<{ items: CatalogNode[]; next: string | undefined }>;

const ROOT = '';

export class CatalogModel {
  private paging = new Map<string, Paging>();
  private pageSizeValue: number;
  private readonly maxSiblings: number;
  private groupByValue: GroupBy;
  private filterValue = '';
  private teams: readonly string[];
  private blockedValue: string | undefined;
  private emptyValue = false;
  private generation = 0;
  private readonly describe: (err: unknown) => string;
  private compact = new Compactor();

  constructor(private readonly source: SourceProvider, options: CatalogModelOptions = {}) {
    this.pageSizeValue = clampPageSize(options.pageSize ?? 100);
    this.maxSiblings = Math.max(1, options.maxSiblings ?? MAX_SIBLINGS);
    this.groupByValue = options.groupBy ?? 'system';
    this.teams = [...new Set(options.myTeams ?? [])].sort();
    this.describe = options.describeError ?? ((e) => (e instanceof Error ? e.message : String(e)));
  }

  get groupBy(): GroupBy {
    return this.groupByValue;
  }
  get filter(): string {
    return this.filterValue;
  }
  get myTeams(): readonly string[] {
    return this.teams;
  }
  get pageSize(): number {
    return this.pageSizeValue;
  }
  /** Why the last root load showed nothing on purpose (untrusted / not configured), if it did. */
  get blocked(): string | undefined {
    return this.blockedValue;
  }
  /** True when the last root load found a catalog without any service (and no filter was applied). */
  get empty(): boolean {
    return this.emptyValue;
  }

  setGroupBy(groupBy: GroupBy): void {
    this.groupByValue = groupBy;
    this.reset();
  }
  setFilter(text: string): void {
    this.filterValue = text.trim();
    this.reset();
  }
  setMyTeams(teams: readonly string[]): void {
    this.teams = [...new Set(teams)].sort();
    this.reset();
  }
  setPageSize(size: number): void {
    this.pageSizeValue = clampPageSize(size);
    this.reset();
  }

  /** Forgets everything loaded: the next getChildren fetches again. */
  reset(): void {
    this.generation++;
    this.paging = new Map();
    this.compact = new Compactor();
    this.blockedValue = undefined;
    this.emptyValue = false;
  }

  /** The children of `parent` (root when undefined): the loaded ones, then Load more or the error node. */
  async getChildren(parent?: CatalogNode): Promise<CatalogNode[]> {
    if (parent && parent.kind !== 'group' && parent.kind !== 'my-services') return [];
    const key = parent?.id ?? ROOT;
    let state = this.paging.get(key);
    if (!state) {
      state = { items: [], pages: [], earlier: [], next: undefined };
      this.paging.set(key, state);
      await this.fetchPage(parent, state, undefined);
    } else if (state.loading) {
      await state.loading;
    }
    return this.visible(parent, state);
  }

  /**
   * Loads the next page under the Load more node's parent (or, for Show earlier, the page before the shown ones).
   * Resolves when the parent's children changed.
   */
  async loadMore(node: LoadMoreNode | LoadEarlierNode): Promise<void> {
    const state = this.paging.get(node.parent?.id ?? ROOT);
    if (!state) return;
    if (state.loading) return state.loading;
    if (node.kind === 'load-earlier') return this.fetchEarlier(node.parent, state);
    if (state.next === undefined) return;
    await this.fetchPage(node.parent, state, state.next);
  }

  /** Retries what failed under the error node's parent (the first page, or the page after the loaded ones). */
  async retry(node: ErrorNode): Promise<void> {
    const key = node.parent?.id ?? ROOT;
    const state = this.paging.get(key);
    if (!state) return;
    if (state.loading) return state.loading;
    state.error = undefined;
    if (node.earlier) return this.fetchEarlier(node.parent, state);
    if (state.items.length === 0) {
      if (key === ROOT) this.reset();
      else this.paging.delete(key);
      return;
    }
    await this.fetchPage(node.parent, state, state.next);
  }

  /**
   * Replaces the environment status and health of a loaded service (after a deployment or a health change) without reloading the tree;
   * returns the nodes that changed so the view refreshes just those items.
   */
  updateStatus(ref: string, status: Record<string, EnvironmentState>, health?: Record<string, HealthState>): ServiceNode[] {
    const changed: ServiceNode[] = [];
    for (const node of this.loadedServices()) {
      if (node.service.ref !== ref || !(node instanceof LoadedServiceNode)) continue;
      const { health: _old, ...rest } = node.service;
      node.service = this.compact.service({ ...rest, status, ...(health ? { health } : {}) });
      changed.push(node);
    }
    return changed;
  }

  /** Every service node loaded so far (for lookups by name); no fetch. */
  *loadedServices(): Iterable<ServiceNode> {
    for (const state of this.paging.values()) for (const n of state.items) if (n.kind === 'service') yield n;
  }

  private visible(parent: ParentNode | undefined, state: Paging): CatalogNode[] {
    const id = parent?.id ?? ROOT;
    const before = state.earlier.reduce((sum, p) => sum + p.count, 0);
    const out: CatalogNode[] = [];
    if (state.error?.earlier) out.push(state.error);
    else if (state.earlier.length > 0) out.push({ kind: 'load-earlier', id: `${id}/#earlier`, parent, before });
    out.push(...state.items);
    if (state.error && !state.error.earlier) out.push(state.error);
    else if (state.next !== undefined) out.push({ kind: 'load-more', id: `${id}/#more`, parent, loaded: state.items.length, before });
    return out;
  }

  /** Fetches the page just before the window again (Show earlier, and its Retry). */
  private async fetchEarlier(parent: ParentNode | undefined, state: Paging): Promise<void> {
    const mark = state.earlier.at(-1);
    if (mark) await this.fetchPage(parent, state, mark.cursor, true);
  }

  /** Puts a fetched page into the window: after it (Load more) or before it (Show earlier), then trims the other end. */
  private place(state: Paging, cursor: string | undefined, items: CatalogNode[], next: string | undefined, earlier: boolean): void {
    const mark: PageMark = { cursor, count: items.length };
    if (!earlier) {
      state.items.push(...items);
      state.pages.push(mark);
      state.next = next;
      while (state.items.length > this.maxSiblings && state.pages.length > 1) {
        const first = state.pages.shift()!;
        state.items.splice(0, first.count);
        state.earlier.push(first);
      }
      return;
    }
    state.earlier.pop();
    state.items.unshift(...items);
    state.pages.unshift(mark);
    while (state.items.length > this.maxSiblings && state.pages.length > 1) {
      const last = state.pages.pop()!;
      state.items.splice(state.items.length - last.count, last.count);
      state.next = last.cursor;
    }
  }

  private fetchPage(parent: ParentNode | undefined, state: Paging, cursor: string | undefined, earlier = false): Promise<void> {
    const generation = this.generation;
    const run = async () => {
      let source: CatalogSource;
      try {
        source = await this.source();
      } catch (err) {
        if (err instanceof SourceBlockedError) {
          if (generation === this.generation) this.blockedValue = err.reason;
          return;
        }
        throw err;
      }
      const page = await this.fetcherFor(parent)(cursor, source);
      if (generation !== this.generation) return; // reset while loading: the result belongs to nobody
      this.place(state, cursor, page.items, page.next, earlier);
      state.error = undefined;
    };
    const loading = run()
      .catch((err: unknown) => {
        if (generation !== this.generation) return;
        state.error = {
          kind: 'error',
          id: `${parent?.id ?? ROOT}/#error`,
          parent,
          message: this.describe(err),
          error: err,
          ...(earlier ? { earlier } : {}),
        };
      })
      .finally(() => {
        state.loading = undefined;
      });
    state.loading = loading;
    return loading;
  }

  private fetcherFor(parent: ParentNode | undefined): Fetcher {
    if (!parent) return this.filterValue ? this.filteredRoot() : this.groupedRoot();
    if (parent.kind === 'my-services') return this.myServices(parent);
    return this.groupMembers(parent);
  }

  private serviceNodes(parentId: string, services: CatalogService[], source: CatalogSource): ServiceNode[] {
    // A catalog without a deploy API (Backstage) deploys only the entities that name a Paved platform.
    const all = source.capabilities.deploy;
    return services.map((service) => new LoadedServiceNode(parentId, this.compact.service(service), all || service.deploysThrough !== undefined));
  }

  private filteredRoot(): Fetcher {
    return async (cursor, source) => {
      const text = this.filterValue;
      const page = await source.listServices({ text, limit: this.pageSizeValue, cursor });
      const items: CatalogNode[] = this.serviceNodes('filter', page.items, source);
      if (cursor === undefined && items.length === 0) {
        items.push({ kind: 'message', id: 'filter/#none', message: `No service matches “${text}”.` });
      }
      return { items, next: page.nextCursor };
    };
  }

  private groupedRoot(): Fetcher {
    const byFacets = this.groupedByFacets();
    return async (cursor, source) => {
      if (this.groupByValue === 'owner' && source.listTeams && source.capabilities.teamsAsOwners) return this.groupedByTeams(cursor, source);
      return byFacets(cursor, source);
    };
  }

  /** Owner groups straight from the teams list (paged by the platform, exact counts). */
  private async groupedByTeams(cursor: string | undefined, source: CatalogSource): Promise<{ items: CatalogNode[]; next: string | undefined }> {
    const page = await source.listTeams!({ limit: this.pageSizeValue, cursor });
    const groups: CatalogNode[] = page.items
      .filter((t) => t.serviceCount > 0)
      .map((t) => ({ kind: 'group', id: `owner:${t.name}`, field: 'owner', value: t.name, count: t.serviceCount, partial: false }));
    if (cursor === undefined) {
      this.emptyValue = groups.length === 0 && page.nextCursor === undefined;
      if (this.teams.length > 0) groups.unshift({ kind: 'my-services', id: 'my', teams: this.teams });
    }
    return { items: groups, next: page.nextCursor };
  }

  private groupedByFacets(): Fetcher {
    return async (cursor, source) => {
      const offset = cursor === undefined ? 0 : Number(cursor);
      const field = this.groupByValue;
      const facets = await source.facets();
      const values = facetValues(facets, field);
      // Every service has an owner, so the owner counts add up to the catalog size.
      const total = facets.owners.reduce((sum, f) => sum + f.count, 0);
      if (offset === 0 && total === 0 && values.length === 0) {
        this.emptyValue = true;
        return { items: [], next: undefined };
      }
      this.emptyValue = false;
      const partial = facets.partial;
      const groups: CatalogNode[] = values.map((f) => ({ kind: 'group', id: `${field}:${f.value}`, field, value: f.value, count: f.count, partial }));
      const covered = values.reduce((sum, f) => sum + f.count, 0);
      // With sampled facets the services without a value may all lie beyond the sample: always offer the group then.
      if (field !== 'owner' && (total > covered || partial)) {
        groups.push({ kind: 'group', id: `${field}:#none`, field, value: undefined, count: total - covered, partial });
      }
      const all: CatalogNode[] = offset === 0 && this.teams.length > 0 ? [{ kind: 'my-services', id: 'my', teams: this.teams }] : [];
      const pageItems = groups.slice(offset, offset + this.pageSizeValue);
      const end = offset + pageItems.length;
      return { items: [...all, ...pageItems], next: end < groups.length ? String(end) : undefined };
    };
  }

  private groupMembers(group: GroupNode): Fetcher {
    return async (cursor, source) => {
      if (group.value !== undefined) {
        const page = await source.listServices({ [group.field]: group.value, limit: this.pageSizeValue, cursor });
        return { items: this.serviceNodes(group.id, page.items, source), next: page.nextCursor };
      }
      // Services without a value for the field: the API cannot filter for "missing", so scan and filter here.
      const found: CatalogService[] = [];
      let next = cursor;
      for (let i = 0; i < MAX_SCAN_PAGES && found.length < this.pageSizeValue; i++) {
        const page = await source.listServices({ limit: MAX_PAGE_SIZE, cursor: next });
        found.push(...page.items.filter((s) => !s[group.field]));
        next = page.nextCursor;
        if (next === undefined) break;
      }
      return { items: this.serviceNodes(group.id, found, source), next };
    };
  }

  /** Services of every chosen team, team after team; the cursor is `<team index>:<cursor within the team>`. */
  private myServices(node: MyServicesNode): Fetcher {
    return async (cursor, source) => {
      let index = 0;
      let inner: string | undefined;
      if (cursor !== undefined) {
        const sep = cursor.indexOf(':');
        index = Number(cursor.slice(0, sep));
        inner = cursor.slice(sep + 1) || undefined;
      }
      const items: CatalogNode[] = [];
      while (index < node.teams.length && items.length < this.pageSizeValue) {
        const page = await source.listServices({ owner: node.teams[index], limit: this.pageSizeValue - items.length, cursor: inner });
        items.push(...this.serviceNodes(node.id, page.items, source));
        if (page.nextCursor !== undefined) {
          inner = page.nextCursor;
          break;
        }
        index++;
        inner = undefined;
      }
      const next = index < node.teams.length ? `${index}:${inner ?? ''}` : undefined;
      if (cursor === undefined && items.length === 0 && next === undefined) {
        items.push({ kind: 'message', id: 'my/#none', message: `No service is owned by ${node.teams.join(', ')}.` });
      }
      return { items, next };
    };
  }
}

/**
 * A service node as the model stores it: the id is computed (not stored) and the service is compacted, so a fully
 * expanded catalog of 100k services stays small (see test/bench/catalog.ts).
 */
class LoadedServiceNode implements ServiceNode {
  constructor(
    private readonly parentId: string,
    public service: CatalogService,
    readonly deployable: boolean,
  ) {}
  get kind(): 'service' {
    return 'service';
  }
  get id(): string {
    return `${this.parentId}/${this.service.ref}`;
  }
}

function clampPageSize(n: number): number {
  return Number.isFinite(n) ? Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(n))) : 100;
}

function facetValues(facets: CatalogFacets, field: GroupBy): FacetValue[] {
  const list = field === 'system' ? facets.systems : field === 'owner' ? facets.owners : facets.lifecycles;
  return list.filter((f) => f.value !== '').slice().sort((a, b) => a.value.localeCompare(b.value));
}
