/**
 * Catalog names for reference completion in manifests (owners, services, resources, systems), from the connected
 * platform. Nothing is fetched until a completion asks for a kind of name; then:
 *
 *  - services / resources / systems: one catalog search with the typed prefix (`listServices({ text, limit })`), never
 *    the whole catalog (a catalog may hold 100k services). Backstage entities are sorted by kind (Component → service,
 *    Resource → resource, System → system, API → api); a Paved catalog lists services only, so it offers no APIs.
 *  - owners: the platform's teams (`listTeams`, at most MAX_TEAMS), filtered locally.
 *  - Results are cached for TTL_MS; a cached complete result for a shorter prefix answers a longer one locally.
 *  - A completion waits at most DEADLINE_MS: a slower platform yields no references this time (the list is marked
 *    incomplete so the next keystroke asks again, and the fetch still fills the cache). The completion's cancellation
 *    aborts the request.
 *  - Untrusted workspace, no platform, a failing platform: no references, one log line (no popup), and no new request
 *    for RETRY_MS unless the connection changes.
 */
import * as vscode from 'vscode';
import type { ReferenceProvider } from '../../core/manifest/index';
import type { PlatformBackend } from '../../platform/backend';
import { PlatformError } from '../../platform/errors';
import { abortSignalFrom } from '../../platform/transport';
import { Component } from '../lifecycle';
import { matchNames } from './manifestData';
import type { Logger } from '../log';

export type ReferenceKind = 'owners' | 'systems' | 'services' | 'resources' | 'apis';

/** The part of PlatformConnection this needs. */
export interface BackendSource {
  current(): Promise<PlatformBackend>;
  /** The backend only when one is running already (never starts the local platform). */
  connected(): Promise<PlatformBackend | undefined>;
  readonly onDidChange: vscode.Event<void>;
}

export interface CatalogReferencesOptions {
  /** How long fetched names are reused (default 30 s). */
  ttlMs?: number;
  /** At most this many names per kind and prefix (default 100). */
  maxItems?: number;
  /** How long a completion waits for the platform (default 1500 ms). */
  deadlineMs?: number;
  /** After a failure, no new request for this long unless the connection changes (default 30 s). */
  retryMs?: number;
}

export interface ReferenceLookup {
  refs: ReferenceProvider;
  /** API names (for providesApis / consumesApis), when asked for and the catalog lists APIs. */
  apis: string[];
  /** Some kind was capped, late or failed: ask again as the user types on. */
  incomplete: boolean;
}

interface Entry {
  at: number;
  names: Record<ReferenceKind, string[]>;
  /** Every match of the prefix is in `names` (not capped). */
  complete: boolean;
}

const MAX_TEAMS = 2000;
const CATALOG_KINDS: readonly ReferenceKind[] = ['services', 'resources', 'systems', 'apis'];

function emptyNames(): Record<ReferenceKind, string[]> {
  return { owners: [], systems: [], services: [], resources: [], apis: [] };
}

export class CatalogReferences extends Component {
  private readonly ttlMs: number;
  private readonly maxItems: number;
  private readonly deadlineMs: number;
  private readonly retryMs: number;
  /** Catalog searches by prefix (lower case). */
  private readonly searches = new Map<string, Entry>();
  private teams: Entry | undefined;
  /** Whether catalog entries carry a kind (Backstage: Component, API, …); a Paved catalog lists services only, no APIs. */
  private typedCatalog: boolean | undefined;
  private inflightTeams: Promise<Entry> | undefined;
  /** Why references are off, and until when (after a failure). */
  private failedUntil = 0;
  private lastProblem: string | undefined;
  /** Requests sent to the platform (for the tests: caching and laziness are observable). */
  requests = 0;
  /** Fetches still running (one may outlive the completion that started it, to fill the cache). */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly connection: BackendSource,
    private readonly log: Logger,
    opts: CatalogReferencesOptions = {},
  ) {
    super();
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.maxItems = opts.maxItems ?? 100;
    this.deadlineMs = opts.deadlineMs ?? 1500;
    this.retryMs = opts.retryMs ?? 30_000;
    this.register(connection.onDidChange(() => this.reset()));
  }

  /** Resolves when every fetch started so far has finished (tests: the cache is filled). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    const done = () => this.running.delete(p);
    p.then(done, done);
    return p;
  }

  /** Forgets every cached name and failure (the connection changed). */
  reset(): void {
    this.searches.clear();
    this.teams = undefined;
    this.inflightTeams = undefined;
    this.typedCatalog = undefined;
    this.failedUntil = 0;
    this.lastProblem = undefined;
  }

  /** The names of `kinds` matching `prefix`, from the cache or the platform, within the deadline. */
  async lookup(kinds: ReadonlySet<ReferenceKind>, prefix: string, token: vscode.CancellationToken): Promise<ReferenceLookup> {
    const none: ReferenceLookup = { refs: {}, apis: [], incomplete: false };
    if (kinds.size === 0) return none;
    if (kinds.size === 1 && kinds.has('apis') && this.typedCatalog === false) return none;
    if (!vscode.workspace.isTrusted) {
      this.problem('the workspace is not trusted: completing without catalog references (no request is sent)');
      return none;
    }
    if (Date.now() < this.failedUntil) return { refs: {}, apis: [], incomplete: true };
    const p = prefix.toLowerCase();
    const wantCatalog = CATALOG_KINDS.some((k) => kinds.has(k));
    const abort = abortSignalFrom(token);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.deadlineMs)));
    try {
      const [catalog, teams] = await Promise.all([
        wantCatalog ? Promise.race([this.track(this.search(p, abort.signal)), deadline]) : undefined,
        kinds.has('owners') ? Promise.race([this.track(this.listTeams(abort.signal)), deadline]) : undefined,
      ]);
      const refs: ReferenceProvider = {};
      let apis: string[] = [];
      let incomplete = false;
      if (catalog === 'late' || teams === 'late') {
        incomplete = true;
        this.log.debug(`the platform did not answer within ${this.deadlineMs} ms: completing without those references`);
      }
      if (catalog && catalog !== 'late') {
        const names = (k: ReferenceKind) => matchNames(catalog.names[k], p, this.maxItems);
        if (kinds.has('services')) refs.services = () => names('services');
        if (kinds.has('resources')) refs.resources = () => names('resources');
        if (kinds.has('systems')) refs.systems = () => names('systems');
        if (kinds.has('apis')) apis = names('apis');
        incomplete ||= !catalog.complete;
      }
      if (teams && teams !== 'late') {
        const owners = matchNames(teams.names.owners, p, this.maxItems);
        refs.owners = () => owners;
        incomplete ||= !teams.complete || owners.length === this.maxItems;
      }
      return { refs, apis, incomplete };
    } catch (err) {
      // Logged once by fail(); a cancelled completion (the user typed on) is not a failure.
      if (!token.isCancellationRequested) this.fail(err);
      return { refs: {}, apis: [], incomplete: true };
    } finally {
      clearTimeout(timer);
      abort.dispose();
    }
  }

  /** A failed request: no new one for RETRY_MS, one log line. Cancellation (the user typed on) is not a failure. */
  private fail(err: unknown): void {
    if (err instanceof PlatformError && err.code === 'cancelled') return;
    this.failedUntil = Date.now() + this.retryMs;
    this.problem(`no catalog references for completion: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** Logs a reason for completing without references, once until it changes. */
  private problem(message: string): void {
    if (this.lastProblem === message) return;
    this.lastProblem = message;
    this.log.warn(message);
  }

  private fresh(e: Entry | undefined): e is Entry {
    return e !== undefined && Date.now() - e.at < this.ttlMs;
  }

  private async search(prefix: string, signal: AbortSignal): Promise<Entry> {
    const exact = this.searches.get(prefix);
    if (this.fresh(exact)) return exact;
    // A complete result for a shorter prefix holds every match of this one.
    for (let i = prefix.length - 1; i >= 0; i--) {
      const shorter = this.searches.get(prefix.slice(0, i));
      if (this.fresh(shorter) && shorter.complete) return shorter;
    }
    let page: Awaited<ReturnType<PlatformBackend['listServices']>>;
    try {
      const backend = await this.connection.current();
      this.requests++;
      page = await backend.listServices({ ...(prefix ? { text: prefix } : {}), limit: this.maxItems }, { signal });
    } catch (err) {
      this.fail(err);
      throw err;
    }
    const names = emptyNames();
    if (page.items.length > 0) this.typedCatalog = page.items.some((s) => s.kind !== undefined);
    for (const s of page.items) {
      const kind = s.kind?.toLowerCase();
      if (kind === undefined || kind === 'component') names.services.push(s.name);
      else if (kind === 'resource') names.resources.push(s.name);
      else if (kind === 'system') names.systems.push(s.name);
      else if (kind === 'api') names.apis.push(s.name);
    }
    const entry: Entry = { at: Date.now(), names, complete: page.nextCursor === undefined };
    this.searches.set(prefix, entry);
    this.lastProblem = undefined;
    return entry;
  }

  private listTeams(signal: AbortSignal): Promise<Entry> {
    if (this.fresh(this.teams)) return Promise.resolve(this.teams);
    this.inflightTeams ??= this.fetchTeams(signal).finally(() => (this.inflightTeams = undefined));
    return this.inflightTeams;
  }

  private async fetchTeams(signal: AbortSignal): Promise<Entry> {
    const names = emptyNames();
    let cursor: string | undefined;
    try {
      const backend = await this.connection.current();
      do {
        this.requests++;
        const page = await backend.listTeams({ limit: 500, ...(cursor ? { cursor } : {}) }, { signal });
        names.owners.push(...page.items.map((t) => t.name));
        cursor = page.nextCursor;
      } while (cursor && names.owners.length < MAX_TEAMS);
    } catch (err) {
      this.fail(err);
      throw err;
    }
    const entry: Entry = { at: Date.now(), names, complete: cursor === undefined };
    this.teams = entry;
    this.lastProblem = undefined;
    return entry;
  }
}
