/**
 * The local catalog: the manifests under the workspace folders (rescanned at most every 2 s, at once when the folders
 * change) over the registered services, with exact owner/system/lifecycle counts kept entry by entry. A workspace
 * manifest wins over a registration of the same name; the registration comes back when the file goes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CatalogNamesList, Page, RegisterServiceRequest, ServiceQuery, Team } from '../../core/api/types';
import { Catalog, entryFromPavedManifest, serviceRefTarget, type CatalogEntry } from '../../core/catalog';
import { PavedError, describeError } from '../../core/errors';
import { InvalidRequest } from '../errors';
import { FacetIndex, type ServiceFacets } from './facets';
import { Registrations, registeredEntry } from './registrations';
import { scanWorkspaces, type TeamRecord } from './source';
import { findTeam, teamsPage } from './teams';
import { WorkspaceAttachments, type AttachWorkspaceRequest, type Workspace, type WorkspaceDeps } from './workspaces';

export interface CatalogOptions extends WorkspaceDeps {
  /** Folders given at start (`paved serve --workspace`). */
  workspaces: readonly string[];
  /** The registrations journal. */
  registrationsFile: string;
}

const RESCAN_MS = 2000;

export class LocalCatalog {
  private readonly catalog = new Catalog();
  /** Owner/system/lifecycle counts of `catalog`: every change to it goes through put/remove. */
  private readonly facetIndex = new FacetIndex();
  private readonly attachments: WorkspaceAttachments;
  private readonly registrations: Registrations;
  private workspaceNames = new Set<string>();
  private teams: TeamRecord[] = [];
  private lastScan = 0;
  /** One line per manifest (or teams file) that could not be read, as of the last scan. */
  errors: string[] = [];

  constructor(private readonly opts: CatalogOptions) {
    this.attachments = new WorkspaceAttachments(opts.workspaces, opts);
    this.registrations = new Registrations(opts.registrationsFile, opts.now);
  }

  /** The registered services from the journal, then a first scan of the workspace folders. */
  load(): void {
    this.registrations.load();
    const registered: CatalogEntry[] = [];
    for (const reg of this.registrations.all()) {
      try {
        registered.push(registeredEntry(reg));
      } catch (err) {
        this.errors.push(`registration: ${describeError(err)}`);
      }
    }
    this.catalog.putMany(registered);
    this.facetIndex.reset(this.catalog.all());
    this.refresh(true);
  }

  close(): void {
    this.registrations.close();
  }

  private put(e: CatalogEntry): void {
    const previous = this.catalog.get(e.name);
    if (previous) this.facetIndex.remove(previous);
    this.catalog.put(e);
    this.facetIndex.add(e);
  }

  private remove(name: string): void {
    const previous = this.catalog.get(name);
    if (previous && this.catalog.remove(name)) this.facetIndex.remove(previous);
  }

  /** Rescans the workspace folders (at most every 2 s unless forced). */
  refresh(force = false): void {
    // A window that went away takes its folders with it at once, not on the next scheduled rescan.
    if (this.attachments.dropDead()) force = true;
    if (!force && Date.now() - this.lastScan < RESCAN_MS) return;
    this.lastScan = Date.now();
    const scan = scanWorkspaces(this.attachments.folders());
    const previous = this.workspaceNames;
    this.workspaceNames = new Set(scan.entries.map((e) => e.name));
    for (const name of previous) {
      if (this.workspaceNames.has(name) || this.catalog.get(name)?.source !== 'workspace') continue;
      this.remove(name);
      // A registration the workspace file was hiding comes back.
      const reg = this.registrations.get(name);
      if (reg) this.put(registeredEntry(reg));
    }
    for (const e of scan.entries) this.put(e); // a workspace manifest wins over a registration of the same name
    this.teams = scan.teams;
    const fresh = scan.errors.filter((e) => !this.errors.includes(e));
    for (const e of fresh) this.opts.log(`catalog: ${e}`);
    this.errors = scan.errors;
  }

  /** The entry named `name` (after a rescan when one is due); not-found when there is none. */
  entry(name: string): CatalogEntry {
    this.refresh();
    const e = this.catalog.get(name);
    if (!e) throw new PavedError('not-found', `no service named '${name}' in the catalog`);
    return e;
  }

  list(q: Pick<ServiceQuery, 'text' | 'owner' | 'system' | 'lifecycle' | 'cursor'> & { limit: number }): Page<CatalogEntry> {
    this.refresh();
    return this.catalog.list({ text: q.text, owner: q.owner, system: q.system, lifecycle: q.lifecycle }, q.limit, q.cursor);
  }

  dependents(name: string): string[] {
    return this.catalog.dependents(name);
  }

  /** Every entry (after a rescan when one is due), for computations over the whole catalog. */
  entries(): readonly CatalogEntry[] {
    this.refresh();
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
    this.refresh();
    return this.facetIndex.facets();
  }

  /**
   * Registers a service. Registering the workspace manifest's own service from its own folder again is not an error
   * (`created: false`), and a registered service registered again from its own folder takes the new manifest; any other
   * service of that name is a conflict.
   */
  register(req: RegisterServiceRequest): { entry: CatalogEntry; created: boolean } {
    const entry = checkedEntry(req);
    this.refresh();
    const existing = this.catalog.get(entry.name);
    if (existing) {
      const sameFolder = req.sourceDir !== undefined && path.resolve(req.sourceDir) === existing.sourceDir;
      if (existing.source === 'workspace' && sameFolder) return { entry: existing, created: false };
      if (existing.source === 'registered' && sameFolder) {
        // The same service registered again from its folder (its manifest changed, e.g. by a golden-path upgrade).
        this.registrations.put(entry.name, { manifest: req.manifest, sourceDir: req.sourceDir });
        this.put(entry);
        return { entry, created: false };
      }
      throw new PavedError('conflict', `a service named '${entry.name}' is already in the catalog (${existing.manifestPath ?? 'registered'})`);
    }
    if (req.sourceDir !== undefined) {
      if (!path.isAbsolute(req.sourceDir)) throw new InvalidRequest('sourceDir must be an absolute path', [{ pointer: '/body/sourceDir', message: 'must be an absolute path' }]);
      if (!fs.existsSync(req.sourceDir) || !fs.statSync(req.sourceDir).isDirectory()) {
        throw new InvalidRequest(`sourceDir ${req.sourceDir} is not a directory`, [{ pointer: '/body/sourceDir', message: 'is not a directory on the platform host' }]);
      }
    }
    this.registrations.put(entry.name, { manifest: req.manifest, sourceDir: req.sourceDir });
    this.put(entry);
    return { entry, created: true };
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

  listWorkspaces(): Workspace[] {
    if (this.attachments.dropDead()) this.lastScan = 0;
    return this.attachments.list();
  }

  /** Adds (or replaces) client `id`'s folders and rescans at once, so the next catalog read includes them. */
  attachWorkspace(id: string, req: AttachWorkspaceRequest): Workspace {
    const { workspace, changed } = this.attachments.attach(id, req);
    if (changed) this.refresh(true);
    return workspace;
  }

  detachWorkspace(id: string): void {
    this.attachments.detach(id);
    this.refresh(true);
  }

  /** Every name a manifest's references are checked against (`GET /v1/catalog/names`), sorted. */
  names(): CatalogNamesList {
    this.refresh();
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
    this.refresh();
    return teamsPage(this.teams, this.catalog.all(), limit, cursor);
  }

  getTeam(name: string): Team {
    this.refresh();
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
