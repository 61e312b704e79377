/**
 * The local catalog: the manifests under the workspace folders over the registered services, with exact
 * owner/system/lifecycle counts kept entry by entry. A workspace manifest wins over a registration of the same name;
 * the registration comes back when the file goes.
 *
 * Scans run in a worker thread (scanner.ts), one at a time, reading only what changed: at start, at once when the
 * folders change (attach, detach, a window's process gone: those requests wait for the scan), and at most every 2 s
 * when the catalog is read — a read waits a moment for that scan, then answers with what the catalog holds while a
 * long scan (a huge manifest) goes on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CatalogNamesList, Page, RegisterServiceRequest, ServiceQuery, Team } from '../../core/api/types';
import { asV1, Catalog, entryFromPavedManifest, serviceRefTarget, type CatalogEntry } from '../../core/catalog';
import { PavedError, describeError } from '../../core/errors';
import { InvalidRequest } from '../errors';
import { FacetIndex, type ServiceFacets } from './facets';
import { Registrations } from './registrations';
import { declaresClaims } from './storedEntry';
import { WorkspaceScanner } from './scanner';
import type { TeamRecord, WorkspaceScan } from './source';
import { findTeam, teamsPage } from './teams';
import { WorkspaceAttachments, type AttachWorkspaceRequest, type Workspace, type WorkspaceDeps } from './workspaces';

export interface CatalogOptions extends WorkspaceDeps {
  /** Folders given at start (`paved serve --workspace`). */
  workspaces: readonly string[];
  /** The registrations journal. */
  registrationsFile: string;
  /** Where scans run (default: a worker thread). */
  scanner?: WorkspaceScanner;
}

const RESCAN_MS = 2000;
/** How long a catalog read waits for a due rescan before it answers with what the catalog holds. */
const FRESH_WAIT_MS = 300;

export class LocalCatalog {
  private readonly catalog = new Catalog();
  /** Owner/system/lifecycle counts of `catalog`: every change to it goes through put/remove. */
  private readonly facetIndex = new FacetIndex();
  private readonly attachments: WorkspaceAttachments;
  private readonly registrations: Registrations;
  private workspaceNames = new Set<string>();
  private teams: TeamRecord[] = [];
  /** `names()` until the catalog or its teams change (one object, so its users can cache what they derive from it). */
  private namesList: CatalogNamesList | undefined;
  private lastScan = 0;
  private readonly scanner: WorkspaceScanner;
  /** The scan in progress, and the one queued behind it. */
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** One line per manifest (or teams file) that could not be read, as of the last scan. */
  errors: string[] = [];

  constructor(private readonly opts: CatalogOptions) {
    this.attachments = new WorkspaceAttachments(opts.workspaces, opts);
    this.registrations = new Registrations(opts.registrationsFile, opts.now);
    this.scanner = opts.scanner ?? new WorkspaceScanner(opts.log);
  }

  /** The registered services from the journal, then a first scan of the workspace folders. */
  async load(): Promise<void> {
    for (const bad of this.registrations.load()) this.errors.push(`registration: ${describeError(bad.error)}`);
    this.catalog.putMany(this.registrations.all());
    this.namesList = undefined;
    this.facetIndex.reset(this.catalog.all());
    await this.rescan();
  }

  close(): void {
    this.registrations.close();
    this.scanner.close();
  }

  private put(e: CatalogEntry): void {
    const previous = this.catalog.get(e.name);
    if (previous) this.facetIndex.remove(previous);
    this.catalog.put(e);
    this.namesList = undefined;
    this.facetIndex.add(e);
  }

  private remove(name: string): void {
    const previous = this.catalog.get(name);
    if (previous && this.catalog.remove(name)) {
      this.namesList = undefined;
      this.facetIndex.remove(previous);
    }
  }

  /** Scans the workspace folders now: after the scan in progress, if any (it may have read older folders or files). */
  rescan(): Promise<void> {
    if (this.queued) return this.queued;
    const start = (): Promise<void> => {
      this.queued = undefined;
      this.lastScan = Date.now();
      const run = this.scanner.scan(this.attachments.folders()).then((scan) => this.apply(scan));
      this.running = run;
      const done = (): void => {
        if (this.running === run) this.running = undefined;
      };
      run.then(done, done);
      return run;
    };
    if (!this.running) return start();
    this.queued = this.running.catch(() => undefined).then(start);
    return this.queued;
  }

  /**
   * Brings the catalog up to date for a read: at once when a client's folders went with its process; otherwise a
   * rescan when one is due (every 2 s), waited for only briefly.
   */
  async current(): Promise<void> {
    try {
      if (this.attachments.dropDead()) {
        await this.rescan();
        return;
      }
      if (this.running || this.queued || Date.now() - this.lastScan < RESCAN_MS) return;
      const scan = this.rescan();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([scan, new Promise<void>((r) => (timer = setTimeout(r, FRESH_WAIT_MS)))]).finally(() => clearTimeout(timer));
    } catch (err) {
      this.opts.log(`catalog: ${describeError(err)}`);
    }
  }

  private apply(scan: WorkspaceScan): void {
    const previous = this.workspaceNames;
    this.workspaceNames = new Set(scan.entries.map((e) => e.name));
    for (const name of previous) {
      if (this.workspaceNames.has(name) || this.catalog.get(name)?.source !== 'workspace') continue;
      this.remove(name);
      // A registration the workspace file was hiding comes back.
      const reg = this.registrations.get(name);
      if (reg) this.put(reg);
    }
    for (const e of scan.entries) this.put(e); // a workspace manifest wins over a registration of the same name
    this.teams = scan.teams;
    this.namesList = undefined;
    const fresh = scan.errors.filter((e) => !this.errors.includes(e));
    for (const e of fresh) this.opts.log(`catalog: ${e}`);
    this.errors = scan.errors;
  }

  /** The entry named `name`; not-found when there is none. */
  entry(name: string): CatalogEntry {
    const e = this.catalog.get(name);
    if (!e) throw new PavedError('not-found', `no service named '${name}' in the catalog`);
    return e;
  }

  /** The service's manifest in its v1 shape (as of the last scan), undefined when the catalog has no such service. */
  v1Manifest(name: string): Record<string, unknown> | undefined {
    const e = this.catalog.get(name);
    return e ? asV1(e.manifest) : undefined;
  }

  /** Whether the service's manifest declares claims; false when the catalog has no such service. */
  declaresClaims(name: string): boolean {
    const e = this.catalog.get(name);
    return e !== undefined && declaresClaims(e);
  }

  list(q: Pick<ServiceQuery, 'text' | 'owner' | 'system' | 'lifecycle' | 'cursor'> & { limit: number }): Page<CatalogEntry> {
    return this.catalog.list({ text: q.text, owner: q.owner, system: q.system, lifecycle: q.lifecycle }, q.limit, q.cursor);
  }

  dependents(name: string): string[] {
    return this.catalog.dependents(name);
  }

  /** Every entry, for computations over the whole catalog (await current() first for a fresh one). */
  entries(): readonly CatalogEntry[] {
    return this.catalog.all();
  }

  /** The deprecated services among `e`'s dependencies (what the no-deprecated-dependency policy needs). */
  deprecatedDependencies(e: CatalogEntry): Set<string> {
    const out = new Set<string>();
    for (const ref of e.dependsOn) {
      const target = serviceRefTarget(ref);
      if (target !== undefined && this.catalog.get(target)?.lifecycle === 'deprecated') out.add(target);
    }
    return out;
  }

  /** Exact owner/system/lifecycle counts over the whole catalog (`GET /v1/service-facets`). */
  facets(): ServiceFacets {
    return this.facetIndex.facets();
  }

  /**
   * Registers a service. Registering the workspace manifest's own service from its own folder again is not an error
   * (`created: false`), and a registered service registered again from its own folder takes the new manifest; any other
   * service of that name is a conflict.
   */
  register(req: RegisterServiceRequest): { entry: CatalogEntry; created: boolean } {
    const entry = checkedEntry(req);
    const existing = this.catalog.get(entry.name);
    if (existing) {
      const sameFolder = req.sourceDir !== undefined && path.resolve(req.sourceDir) === existing.sourceDir;
      if (existing.source === 'workspace' && sameFolder) return { entry: existing, created: false };
      if (existing.source === 'registered' && sameFolder) {
        // The same service registered again from its folder (its manifest changed, e.g. by a golden-path upgrade).
        const stored = this.registrations.put(entry, { manifest: req.manifest, sourceDir: req.sourceDir });
        this.put(stored);
        return { entry: stored, created: false };
      }
      throw new PavedError('conflict', `a service named '${entry.name}' is already in the catalog (${existing.manifestPath ?? 'registered'})`);
    }
    if (req.sourceDir !== undefined) {
      if (!path.isAbsolute(req.sourceDir)) throw new InvalidRequest('sourceDir must be an absolute path', [{ pointer: '/body/sourceDir', message: 'must be an absolute path' }]);
      if (!fs.existsSync(req.sourceDir) || !fs.statSync(req.sourceDir).isDirectory()) {
        throw new InvalidRequest(`sourceDir ${req.sourceDir} is not a directory`, [{ pointer: '/body/sourceDir', message: 'is not a directory on the platform host' }]);
      }
    }
    const stored = this.registrations.put(entry, { manifest: req.manifest, sourceDir: req.sourceDir });
    this.put(stored);
    return { entry: stored, created: true };
  }

  /** The entry of a registered service; one read from a workspace file is a conflict (remove the file instead). */
  registered(name: string): CatalogEntry {
    const e = this.entry(name);
    if (e.source !== 'registered') throw new PavedError('conflict', `'${name}' comes from ${e.manifestPath ?? 'a workspace manifest'}; remove the file instead`);
    return e;
  }

  unregister(name: string): void {
    this.registered(name);
    this.registrations.delete(name);
    this.remove(name);
  }

  // Workspace folders of clients (each editor window attaches its own)

  async listWorkspaces(): Promise<Workspace[]> {
    if (this.attachments.dropDead()) await this.rescan();
    return this.attachments.list();
  }

  /** Adds (or replaces) client `id`'s folders and rescans at once: when it answers, catalog reads include them. */
  async attachWorkspace(id: string, req: AttachWorkspaceRequest): Promise<Workspace> {
    const { workspace, changed } = this.attachments.attach(id, req);
    if (changed) await this.rescan();
    return workspace;
  }

  async detachWorkspace(id: string): Promise<void> {
    this.attachments.detach(id);
    await this.rescan();
  }

  /** Every name a manifest's references are checked against (`GET /v1/catalog/names`), sorted (await current() first). */
  names(): CatalogNamesList {
    return (this.namesList ??= this.collectNames());
  }

  private collectNames(): CatalogNamesList {
    const teams = new Set(this.teams.map((t) => t.name));
    const systems = new Set<string>();
    const apis = new Set<string>();
    const services: string[] = [];
    const deprecatedServices: string[] = [];
    for (const e of this.catalog.all()) {
      teams.add(e.owner);
      if (e.system) systems.add(e.system);
      for (const a of e.providesApis) apis.add(a);
      services.push(e.name);
      if (e.lifecycle === 'deprecated') deprecatedServices.push(e.name);
    }
    const sorted = (xs: Iterable<string>) => [...xs].sort();
    return { teams: sorted(teams), systems: sorted(systems), services: sorted(services), deprecatedServices: sorted(deprecatedServices), apis: sorted(apis) };
  }

  /**
   * The repository a service's source belongs to, for its `.paved/policies.yaml`: the workspace folder holding its
   * source directory (the nearest, when folders nest), else the source directory itself (a registered service).
   */
  repositoryRoot(e: CatalogEntry): string | undefined {
    if (!e.sourceDir) return undefined;
    const dir = path.resolve(e.sourceDir);
    let best: string | undefined;
    for (const w of this.attachments.list()) {
      for (const f of w.folders) {
        const root = path.resolve(f);
        if ((dir === root || dir.startsWith(root + path.sep)) && (best === undefined || root.length > best.length)) best = root;
      }
    }
    return best ?? dir;
  }

  // Teams

  listTeams(limit: number, cursor?: string): Page<Team> {
    return teamsPage(this.teams, this.catalog.all(), limit, cursor);
  }

  getTeam(name: string): Team {
    return findTeam(this.teams, this.catalog.all(), name);
  }
}

function checkedEntry(req: RegisterServiceRequest): CatalogEntry {
  try {
    return entryFromPavedManifest(req.manifest, { source: 'registered', sourceDir: req.sourceDir ? path.resolve(req.sourceDir) : undefined });
  } catch (err) {
    throw new InvalidRequest(describeError(err), [{ pointer: '/body/manifest', message: describeError(err) }]);
  }
}
