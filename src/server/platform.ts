/**
 * The local platform: catalog, templates, scaffold tasks, deployments into loopback process slots, feedback and
 * idempotency, all persisted in the state dir. The HTTP layer (http.ts) is a thin adapter over this class.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type {
  CreateDeploymentRequest,
  CreateFeedbackRequest,
  CreateScaffoldTaskRequest,
  Deployment,
  DeploymentEvent,
  DeploymentKind,
  DeploymentState,
  DoraMetrics,
  Environment,
  EnvironmentState,
  Feedback,
  Page,
  PromoteRequest,
  ProblemFieldError,
  RegisterServiceRequest,
  RollbackRequest,
  ScaffoldTask,
  ServiceDetails,
  ServiceEnvironmentStatus,
  ServiceQuery,
  ServiceSummary,
  TaskEvent,
  Team,
  TemplateDetails,
  TemplateSummary,
} from '../core/api/types';
import { Catalog, asV1, computeDora, entryFromPavedManifest, pageSorted, serviceRefTarget, type CatalogEntry } from '../core/catalog';
import {
  DEFAULT_ENVIRONMENTS,
  effectiveSpec,
  findEnvironment,
  isTerminal,
  newReleaseId,
  promotionTarget,
  transition,
  unhealthyOutcome,
  type EffectiveSpec,
} from '../core/deploy';
import { applyDefaults, renderFiles } from '../core/templates';
import { PavedError, describeError } from '../core/errors';
import { EventLog } from './events';
import { parseManifestDocuments, policiesFileIn, scorecardFor } from './manifests';
import { LogTail, isAlive, isOwnedBy, portFree, spawnLogged, stopGroup, type Spawned } from './processes';
import { Journal, readJson, writeJsonAtomic } from './store';
import { scanWorkspaces, type TeamRecord } from './catalogSource';
import { FacetIndex, type ServiceFacets } from './facets';
import { loadTemplates, type LoadedTemplate } from './templates';

export interface PlatformOptions {
  stateDir: string;
  workspaces: readonly string[];
  /** Template roots, built-in golden paths first. */
  templateRoots: readonly string[];
  /** First port of the `local` range; staging = +1000, production = +2000 (each 1000 ports). */
  portBase?: number;
  log?: (line: string) => void;
  /** Injected clock for tests of history (defaults to Date.now). */
  now?: () => Date;
}

/** `AttachWorkspaceRequest` in the contract. */
export interface AttachWorkspaceRequest {
  folders: string[];
  pid?: number;
  label?: string;
}

/** `Workspace` in the contract: one client's folders (or, id `serve`, those given at start). */
export interface Workspace {
  id: string;
  folders: string[];
  pid?: number;
  label?: string;
  attachedAt: string;
}

/** Thrown for request-level problems that carry field errors (400). */
export class InvalidRequest extends PavedError {
  constructor(
    message: string,
    readonly errors: ProblemFieldError[],
  ) {
    super('invalid-input', message);
  }
}

interface DeploymentRecord extends Deployment {
  /** Pid (= process group) of the build or candidate process while the deployment runs. */
  pid?: number;
}

interface Slot {
  service: string;
  environment: string;
  release: string;
  port: number;
  pid: number;
  state: 'running' | 'stopped' | 'failed';
  deploymentId: string;
  since: string;
  /** Releases that served here successfully, oldest first. */
  history: string[];
}

interface ReleaseMeta {
  id: string;
  service: string;
  createdAt: string;
  dir: string;
}

interface TaskRecord extends ScaffoldTask {
  /** not on the wire */
  _?: never;
}

type RegistrationOp = { op: 'put'; manifest: Record<string, unknown>; sourceDir?: string; at: string } | { op: 'delete'; name: string; at: string };

interface IdempotencyRecord {
  scope: string;
  hash: string;
  id: string;
  at: string;
}

const ACTIVE_STATES: readonly DeploymentState[] = ['pending', 'building', 'starting', 'health-checking'];

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function bodyHash(body: unknown): string {
  return createHash('sha256').update(stableStringify(body ?? null)).digest('hex');
}

function newId(prefix: string, now: Date): string {
  return `${prefix}-${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(5).toString('hex')}`;
}

function publicDeployment(d: DeploymentRecord): Deployment {
  const { pid: _pid, ...rest } = d;
  return rest;
}

export class LocalPlatform {
  readonly environments: Environment[];
  readonly owner: string;
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private readonly catalog = new Catalog();
  /** Owner/system/lifecycle counts of `catalog`: every change to it goes through putEntry/removeEntry. */
  private readonly facetIndex = new FacetIndex();
  /** Folders clients attached (`PUT /v1/workspaces/{id}`), by attachment id. */
  private readonly attached = new Map<string, Workspace>();
  private workspaceNames = new Set<string>();
  private teams: TeamRecord[] = [];
  private lastScan = 0;
  catalogErrors: string[] = [];
  private readonly registrations = new Map<string, { manifest: Record<string, unknown>; sourceDir?: string }>();
  private readonly registrationJournal: Journal<RegistrationOp>;
  templates: LoadedTemplate[] = [];
  templateErrors: string[] = [];
  private readonly templateValidators = new Map<string, ValidateFunction>();
  private readonly deployments = new Map<string, DeploymentRecord>();
  private readonly deploymentsByService = new Map<string, DeploymentRecord[]>();
  private readonly deploymentEvents = new Map<string, EventLog<DeploymentEvent>>();
  private readonly running = new Map<string, { cancel: AbortController; done: Promise<void> }>();
  private readonly slots = new Map<string, Slot>();
  private readonly processes = new Map<string, Spawned>();
  private readonly releases = new Map<string, Map<string, ReleaseMeta>>();
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly taskEvents = new Map<string, EventLog<TaskEvent>>();
  private readonly feedback: Feedback[] = [];
  private readonly feedbackJournal: Journal<Feedback>;
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private readonly idempotencyJournal: Journal<IdempotencyRecord>;
  private readonly usedPorts = new Set<number>();
  private stopping = false;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly opts: PlatformOptions) {
    this.log = opts.log ?? (() => undefined);
    this.now = opts.now ?? (() => new Date());
    const base = opts.portBase ?? 41000;
    this.environments = DEFAULT_ENVIRONMENTS.map((e) => ({ ...e, portRange: { from: base + e.order * 1000, to: base + e.order * 1000 + 999 } }));
    fs.mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
    this.owner = createHash('sha256').update(path.resolve(opts.stateDir)).digest('hex').slice(0, 16);
    this.registrationJournal = new Journal(path.join(opts.stateDir, 'registrations.jsonl'));
    this.feedbackJournal = new Journal(path.join(opts.stateDir, 'feedback.jsonl'));
    this.idempotencyJournal = new Journal(path.join(opts.stateDir, 'idempotency.jsonl'));
  }

  private get dir(): string {
    return this.opts.stateDir;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Start-up and shutdown

  /** Loads state, reaps processes an earlier (killed) instance left behind and marks its unfinished work failed. */
  async load(): Promise<void> {
    for (const op of this.registrationJournal.readAll()) {
      if (op.op === 'put') {
        const name = String((op.manifest.metadata as Record<string, unknown>).name);
        this.registrations.set(name, { manifest: op.manifest, sourceDir: op.sourceDir });
      } else this.registrations.delete(op.name);
    }
    const registered: CatalogEntry[] = [];
    for (const [, reg] of this.registrations) {
      try {
        registered.push(entryFromPavedManifest(reg.manifest, { source: 'registered', sourceDir: reg.sourceDir }));
      } catch (err) {
        this.catalogErrors.push(`registration: ${describeError(err)}`);
      }
    }
    this.catalog.putMany(registered);
    this.facetIndex.reset(this.catalog.all());
    this.feedback.push(...this.feedbackJournal.readAll());
    for (const r of this.idempotencyJournal.readAll()) this.idempotency.set(r.scope, r);
    this.loadReleases();
    await this.loadDeployments();
    await this.reapSlots();
    this.loadTasks();
    this.reloadTemplates();
    this.refreshWorkspaces(true);
  }

  private loadReleases(): void {
    const root = path.join(this.dir, 'releases');
    if (!fs.existsSync(root)) return;
    for (const svc of fs.readdirSync(root)) {
      const sdir = path.join(root, svc);
      for (const f of fs.readdirSync(sdir)) {
        if (f.startsWith('.')) {
          // An unfinished snapshot from a crash: never became a release.
          fs.rmSync(path.join(sdir, f), { recursive: true, force: true });
          continue;
        }
        if (!f.endsWith('.json')) continue;
        const meta = readJson<ReleaseMeta>(path.join(sdir, f));
        if (meta && fs.existsSync(meta.dir)) this.releaseMap(svc).set(meta.id, meta);
      }
      for (const f of fs.readdirSync(sdir)) {
        const full = path.join(sdir, f);
        if (!f.endsWith('.json') && !this.releaseMap(svc).has(f) && fs.statSync(full).isDirectory()) fs.rmSync(full, { recursive: true, force: true });
      }
    }
  }

  private async loadDeployments(): Promise<void> {
    const ddir = path.join(this.dir, 'deployments');
    if (!fs.existsSync(ddir)) return;
    const files = fs.readdirSync(ddir).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    for (const f of files) {
      const d = readJson<DeploymentRecord>(path.join(ddir, f));
      if (!d) continue;
      const events = new EventLog<DeploymentEvent>(path.join(ddir, `${d.id}.events.jsonl`));
      if (!isTerminal(d.state)) {
        if (d.pid !== undefined && d.pid > 0 && isAlive(d.pid) && isOwnedBy(d.pid, this.owner)) {
          this.log(`stopping the build/start of deployment ${d.id} (process group ${d.pid}) left by an earlier instance`);
          await stopGroup(d.pid, 500);
        }
        d.state = 'failed';
        d.error = 'the platform stopped while this deployment was running; it was marked failed on restart';
        d.finishedAt = this.now().toISOString();
        delete d.pid;
        writeJsonAtomic(path.join(ddir, f), d);
        events.push({ type: 'failed', message: d.error, state: 'failed' });
      }
      events.finish();
      this.deploymentEvents.set(d.id, events);
      this.addDeployment(d);
    }
  }

  /**
   * Services an earlier instance started and that still run (it was killed with SIGKILL, so it could not stop them)
   * are adopted: they keep serving and this instance stops them when it stops. A slot whose process is gone — or is
   * not ours — is marked stopped.
   */
  private async reapSlots(): Promise<void> {
    const saved = readJson<Slot[]>(path.join(this.dir, 'slots.json')) ?? [];
    for (const s of saved) {
      if (s.state === 'running') {
        if (s.pid > 0 && isAlive(s.pid) && isOwnedBy(s.pid, this.owner) && !(await portFree(s.port))) {
          this.log(`adopted ${s.service}/${s.environment} (release ${s.release}, pid ${s.pid}, port ${s.port}) left running by an earlier instance`);
          this.usedPorts.add(s.port);
        } else {
          if (s.pid > 0 && isAlive(s.pid) && isOwnedBy(s.pid, this.owner)) await stopGroup(s.pid);
          s.state = 'stopped';
          s.since = this.now().toISOString();
        }
      }
      this.slots.set(`${s.service}/${s.environment}`, s);
    }
    this.saveSlots();
  }

  private loadTasks(): void {
    const tdir = path.join(this.dir, 'tasks');
    if (!fs.existsSync(tdir)) return;
    for (const f of fs.readdirSync(tdir).filter((x) => x.endsWith('.json') && !x.startsWith('.'))) {
      const t = readJson<TaskRecord>(path.join(tdir, f));
      if (!t) continue;
      const events = new EventLog<TaskEvent>(path.join(tdir, `${t.id}.events.jsonl`));
      if (t.state === 'pending' || t.state === 'running') {
        t.state = 'failed';
        t.error = 'the platform stopped while this task was running';
        t.finishedAt = this.now().toISOString();
        writeJsonAtomic(path.join(tdir, f), t);
        events.push({ type: 'failed', message: t.error });
      }
      events.finish();
      this.tasks.set(t.id, t);
      this.taskEvents.set(t.id, events);
    }
  }

  reloadTemplates(): void {
    const { templates, errors } = loadTemplates(this.opts.templateRoots);
    this.templates = templates;
    this.templateErrors = errors;
    this.templateValidators.clear();
    for (const e of errors) this.log(`template: ${e}`);
  }

  /** Number of service processes running now. */
  runningServices(): number {
    this.checkSlots();
    return [...this.slots.values()].filter((s) => s.state === 'running').length;
  }

  /** A service process that died on its own (crash, killed by someone) turns its slot `failed`. */
  private checkSlots(): void {
    let changed = false;
    for (const slot of this.slots.values()) {
      if (slot.state === 'running' && !(slot.pid > 0 && isAlive(slot.pid))) {
        slot.state = 'failed';
        slot.since = this.now().toISOString();
        this.usedPorts.delete(slot.port);
        this.log(`${slot.service}/${slot.environment}: release ${slot.release} (pid ${slot.pid}) exited on its own`);
        changed = true;
      }
    }
    if (changed) this.saveSlots();
  }

  /** True while a deployment or scaffold task is in progress. */
  busy(): boolean {
    return this.running.size > 0 || [...this.tasks.values()].some((t) => t.state === 'running' || t.state === 'pending');
  }

  /** Cancels deployments in progress and stops every service process this platform started. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const [, r] of this.running) r.cancel.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
    await Promise.all(
      [...this.slots.values()]
        .filter((s) => s.state === 'running')
        .map(async (s) => {
          await stopGroup(s.pid);
          s.state = 'stopped';
          s.since = this.now().toISOString();
        }),
    );
    this.saveSlots();
    this.registrationJournal.close();
    this.feedbackJournal.close();
    this.idempotencyJournal.close();
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Catalog

  private putEntry(e: CatalogEntry): void {
    const previous = this.catalog.get(e.name);
    if (previous) this.facetIndex.remove(previous);
    this.catalog.put(e);
    this.facetIndex.add(e);
  }

  private removeEntry(name: string): void {
    const previous = this.catalog.get(name);
    if (previous && this.catalog.remove(name)) this.facetIndex.remove(previous);
  }

  /** The folders the catalog is read from: those given at start, then every attached client's, each once. */
  workspaceFolders(): string[] {
    const all = [...this.opts.workspaces];
    for (const w of this.attached.values()) all.push(...w.folders);
    return [...new Set(all)];
  }

  /** Rescans the workspace folders (at most every 2 s unless forced). */
  refreshWorkspaces(force = false): void {
    // A window that went away takes its folders with it at once, not on the next scheduled rescan.
    if (this.dropDeadAttachments()) force = true;
    if (!force && Date.now() - this.lastScan < 2000) return;
    this.lastScan = Date.now();
    const scan = scanWorkspaces(this.workspaceFolders());
    const previous = this.workspaceNames;
    this.workspaceNames = new Set(scan.entries.map((e) => e.name));
    for (const name of previous) {
      if (this.workspaceNames.has(name) || this.catalog.get(name)?.source !== 'workspace') continue;
      this.removeEntry(name);
      // A registration the workspace file was hiding comes back.
      const reg = this.registrations.get(name);
      if (reg) this.putEntry(entryFromPavedManifest(reg.manifest, { source: 'registered', sourceDir: reg.sourceDir }));
    }
    for (const e of scan.entries) this.putEntry(e); // a workspace manifest wins over a registration of the same name
    this.teams = scan.teams;
    const fresh = scan.errors.filter((e) => !this.catalogErrors.includes(e));
    for (const e of fresh) this.log(`catalog: ${e}`);
    this.catalogErrors = scan.errors;
  }

  /** Exact owner/system/lifecycle counts over the whole catalog (`GET /v1/service-facets`). */
  serviceFacets(): ServiceFacets {
    this.refreshWorkspaces();
    return this.facetIndex.facets();
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Workspace folders of clients (each editor window attaches its own)

  /** The attachments, the start-up folders first (id `serve`). */
  listWorkspaces(): Workspace[] {
    this.dropDeadAttachments();
    const out: Workspace[] = [];
    if (this.opts.workspaces.length > 0) out.push({ id: 'serve', folders: [...this.opts.workspaces], label: 'paved serve --workspace', attachedAt: this.startedAt });
    out.push(...[...this.attached.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
    return out;
  }

  /**
   * Adds (or replaces) client `id`'s folders and rescans at once, so the next catalog read includes them. The
   * attachment ends with `detachWorkspace`, or when process `pid` (on this host) is gone.
   */
  attachWorkspace(id: string, req: AttachWorkspaceRequest): Workspace {
    if (id === 'serve') throw new InvalidRequest("'serve' names the folders given at start; choose another id", [{ pointer: '/path/id', message: 'is reserved' }]);
    const errors: ProblemFieldError[] = [];
    const folders: string[] = [];
    req.folders.forEach((f, i) => {
      if (!path.isAbsolute(f)) errors.push({ pointer: `/body/folders/${i}`, message: 'must be an absolute path' });
      else if (!fs.existsSync(f) || !fs.statSync(f).isDirectory()) errors.push({ pointer: `/body/folders/${i}`, message: 'is not a directory on the platform host' });
      else folders.push(path.resolve(f));
    });
    if (req.pid !== undefined && !isAlive(req.pid)) errors.push({ pointer: '/body/pid', message: 'is not a running process on the platform host' });
    if (errors.length) throw new InvalidRequest(errors.map((e) => `${e.pointer} ${e.message}`).join('; '), errors);
    const previous = this.attached.get(id);
    const w: Workspace = { id, folders: [...new Set(folders)], attachedAt: this.now().toISOString() };
    if (req.pid !== undefined) w.pid = req.pid;
    if (req.label !== undefined) w.label = req.label;
    const same = previous && previous.pid === w.pid && previous.label === w.label && previous.folders.join('\0') === w.folders.join('\0');
    if (same) return previous;
    this.attached.set(id, w);
    this.log(`workspace ${id}${w.label ? ` (${w.label})` : ''} attached: ${w.folders.join(', ') || 'no folders'}`);
    this.refreshWorkspaces(true);
    return w;
  }

  detachWorkspace(id: string): void {
    const w = this.attached.get(id);
    if (!w) throw new PavedError('not-found', id === 'serve' ? "the folders given at start cannot be detached" : `no workspace attachment '${id}'`);
    this.attached.delete(id);
    this.log(`workspace ${id}${w.label ? ` (${w.label})` : ''} detached`);
    this.refreshWorkspaces(true);
  }

  /** Attachments whose process ended (a window that closed without detaching) are dropped; true when one was. */
  private dropDeadAttachments(): boolean {
    let dropped = false;
    for (const [id, w] of this.attached) {
      if (w.pid === undefined || isAlive(w.pid)) continue;
      this.attached.delete(id);
      this.log(`workspace ${id}${w.label ? ` (${w.label})` : ''} detached: process ${w.pid} is gone`);
      this.lastScan = 0;
      dropped = true;
    }
    return dropped;
  }

  listServices(q: ServiceQuery & { limit: number }): Page<ServiceSummary> {
    this.refreshWorkspaces();
    const page = this.catalog.list({ text: q.text, owner: q.owner, system: q.system, lifecycle: q.lifecycle }, q.limit, q.cursor);
    return { ...page, items: page.items.map((e) => this.summary(e)) };
  }

  private entry(name: string): CatalogEntry {
    this.refreshWorkspaces();
    const e = this.catalog.get(name);
    if (!e) throw new PavedError('not-found', `no service named '${name}' in the catalog`);
    return e;
  }

  private summary(e: CatalogEntry): ServiceSummary {
    const s: ServiceSummary = { name: e.name, owner: e.owner, tags: e.tags, source: e.source, status: {} };
    if (e.title) s.title = e.title;
    if (e.description) s.description = e.description;
    if (e.system) s.system = e.system;
    if (e.lifecycle) s.lifecycle = e.lifecycle;
    if (this.deploymentsByService.has(e.name) || this.slots.size > 0) {
      for (const st of this.environmentStatuses(e.name)) if (st.state !== 'not-deployed') s.status[st.environment] = st.state;
    }
    return s;
  }

  private environmentStatuses(service: string): ServiceEnvironmentStatus[] {
    if (this.slots.size > 0) this.checkSlots();
    const history = this.deploymentsByService.get(service) ?? [];
    return this.environments.map((env) => {
      const slot = this.slots.get(`${service}/${env.name}`);
      const active = history.find((d) => d.environment === env.name && !isTerminal(d.state));
      const last = history.find((d) => d.environment === env.name);
      let state: EnvironmentState = 'not-deployed';
      if (active) state = 'deploying';
      else if (slot?.state === 'running') state = 'running';
      else if (slot) state = slot.state === 'failed' ? 'failed' : 'stopped';
      else if (last && (last.state === 'failed' || last.state === 'rolled-back')) state = 'failed';
      const st: ServiceEnvironmentStatus = { environment: env.name, state };
      if (slot) {
        st.release = slot.release;
        st.since = slot.since;
        st.deploymentId = slot.deploymentId;
        if (slot.state === 'running') {
          st.port = slot.port;
          st.url = `http://127.0.0.1:${slot.port}`;
        }
      }
      if (active) st.deploymentId = active.id;
      return st;
    });
  }

  getService(name: string): ServiceDetails {
    const e = this.entry(name);
    const d: ServiceDetails = {
      ...this.summary(e),
      manifest: e.manifest,
      manifestKind: e.manifestKind,
      links: e.links,
      dependsOn: e.dependsOn,
      dependents: this.catalog.dependents(e.name),
      apis: { provides: e.providesApis, consumes: e.consumesApis },
      environments: this.environmentStatuses(e.name),
      scorecard: e.manifestKind === 'catalog-info.yaml' ? { score: 0, results: [] } : scorecardFor(asV1(e.manifest), { deprecatedServices: this.deprecatedDependencies(e) }, policiesFileIn(this.opts.stateDir)),
      metrics: this.metrics(e.name, 30, 'production'),
    };
    if (e.manifestPath) d.manifestPath = e.manifestPath;
    if (e.sourceDir) d.sourceDir = e.sourceDir;
    if (e.goldenPath) d.goldenPath = e.goldenPath;
    return d;
  }

  /** The deprecated services among `e`'s dependencies (what the no-deprecated-dependency policy needs). */
  private deprecatedDependencies(e: CatalogEntry): Set<string> {
    const out = new Set<string>();
    for (const ref of e.dependsOn) {
      const target = serviceRefTarget(ref);
      if (target !== undefined && this.catalog.get(target)?.lifecycle === 'deprecated') out.add(target);
    }
    return out;
  }

  register(req: RegisterServiceRequest): { details: ServiceDetails; created: boolean } {
    const entry = entryFromPavedManifestChecked(req);
    this.refreshWorkspaces();
    const existing = this.catalog.get(entry.name);
    if (existing) {
      if (existing.source === 'workspace' && req.sourceDir && path.resolve(req.sourceDir) === existing.sourceDir) {
        return { details: this.getService(entry.name), created: false };
      }
      throw new PavedError('conflict', `a service named '${entry.name}' is already in the catalog (${existing.manifestPath ?? 'registered'})`);
    }
    if (req.sourceDir !== undefined) {
      if (!path.isAbsolute(req.sourceDir)) throw new InvalidRequest('sourceDir must be an absolute path', [{ pointer: '/body/sourceDir', message: 'must be an absolute path' }]);
      if (!fs.existsSync(req.sourceDir) || !fs.statSync(req.sourceDir).isDirectory()) {
        throw new InvalidRequest(`sourceDir ${req.sourceDir} is not a directory`, [{ pointer: '/body/sourceDir', message: 'is not a directory on the platform host' }]);
      }
    }
    this.registrationJournal.append({ op: 'put', manifest: req.manifest, sourceDir: req.sourceDir, at: this.now().toISOString() });
    this.registrations.set(entry.name, { manifest: req.manifest, sourceDir: req.sourceDir });
    this.putEntry(entry);
    return { details: this.getService(entry.name), created: true };
  }

  /** Removes a registered service; its running environments are stopped first, a deployment in progress refuses. */
  async unregister(name: string): Promise<void> {
    const e = this.entry(name);
    if (e.source !== 'registered') throw new PavedError('conflict', `'${name}' comes from ${e.manifestPath ?? 'a workspace manifest'}; remove the file instead`);
    const active = (this.deploymentsByService.get(name) ?? []).find((d) => !isTerminal(d.state));
    if (active) throw new PavedError('conflict', `deployment ${active.id} of ${name} is still ${active.state}; cancel it first`);
    for (const slot of this.slots.values()) {
      if (slot.service !== name || slot.state !== 'running') continue;
      await stopGroup(slot.pid);
      slot.state = 'stopped';
      slot.since = this.now().toISOString();
      this.usedPorts.delete(slot.port);
    }
    this.saveSlots();
    this.registrationJournal.append({ op: 'delete', name, at: this.now().toISOString() });
    this.registrations.delete(name);
    this.removeEntry(name);
  }

  listTeams(limit: number, cursor?: string): Page<Team> {
    this.refreshWorkspaces();
    const counts = new Map<string, number>();
    for (const e of this.catalog.all()) counts.set(e.owner, (counts.get(e.owner) ?? 0) + 1);
    const byName = new Map<string, Team>();
    for (const t of this.teams) byName.set(t.name, { ...t, serviceCount: counts.get(t.name) ?? 0 });
    for (const [owner, n] of counts) if (!byName.has(owner)) byName.set(owner, { name: owner, members: [], serviceCount: n });
    const sorted = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    return pageSorted(sorted, (t) => t.name, { limit, cursor, map: (t) => t });
  }

  getTeam(name: string): Team {
    const all = this.listTeams(Number.MAX_SAFE_INTEGER).items;
    const t = all.find((x) => x.name === name);
    if (!t) throw new PavedError('not-found', `no team named '${name}'`);
    return t;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Templates and scaffolding

  listTemplates(limit: number, cursor?: string): Page<TemplateSummary> {
    const sorted = [...this.templates].sort((a, b) => (a.id < b.id ? -1 : 1));
    return pageSorted(sorted, (t) => t.id, {
      limit,
      cursor,
      map: (t) => ({ id: t.id, title: t.title, description: t.description, owner: t.owner, version: t.version, tags: t.tags }),
    });
  }

  getTemplate(id: string): TemplateDetails {
    const t = this.templates.find((x) => x.id === id);
    if (!t) throw new PavedError('not-found', `no template '${id}'`);
    return { id: t.id, title: t.title, description: t.description, owner: t.owner, version: t.version, tags: t.tags, parameters: t.parameters, files: t.files.map((f) => f.path) };
  }

  private validatorFor(t: LoadedTemplate): ValidateFunction {
    let v = this.templateValidators.get(t.id);
    if (!v) {
      const ajv = new Ajv2020({ allErrors: true, strict: false });
      addFormats(ajv);
      v = ajv.compile(t.parameters);
      this.templateValidators.set(t.id, v);
    }
    return v;
  }

  createScaffoldTask(req: CreateScaffoldTaskRequest): ScaffoldTask {
    const t = this.templates.find((x) => x.id === req.templateId);
    if (!t) throw new PavedError('not-found', `no template '${req.templateId}'`);
    if (req.version !== undefined && req.version !== t.version) {
      throw new PavedError('conflict', `template ${t.id} is at version ${t.version}, not ${req.version}`);
    }
    const values = applyDefaults(t.parameters, req.values);
    const validate = this.validatorFor(t);
    if (!validate(values)) {
      const errors = (validate.errors ?? []).map((e) => ({
        pointer: `/body/values${e.instancePath}${e.keyword === 'required' ? `/${String((e.params as { missingProperty: string }).missingProperty)}` : ''}${e.keyword === 'additionalProperties' ? `/${String((e.params as { additionalProperty: string }).additionalProperty)}` : ''}`,
        message: e.keyword === 'additionalProperties' ? 'is not a parameter of this template' : (e.message ?? 'is invalid'),
      }));
      throw new InvalidRequest(`values do not match the parameters of ${t.id}: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`, errors);
    }
    const now = this.now();
    const task: TaskRecord = { id: newId('t', now), templateId: t.id, templateVersion: t.version, values, state: 'pending', createdAt: now.toISOString() };
    const tdir = path.join(this.dir, 'tasks');
    const events = new EventLog<TaskEvent>(path.join(tdir, `${task.id}.events.jsonl`));
    this.tasks.set(task.id, task);
    this.taskEvents.set(task.id, events);
    writeJsonAtomic(path.join(tdir, `${task.id}.json`), task);
    setImmediate(() => this.runScaffold(task, t, events));
    return task;
  }

  private runScaffold(task: TaskRecord, t: LoadedTemplate, events: EventLog<TaskEvent>): void {
    const file = path.join(this.dir, 'tasks', `${task.id}.json`);
    try {
      task.state = 'running';
      events.push({ type: 'step', message: `rendering ${t.files.length} files of ${t.id} ${t.version}` });
      const files = renderFiles(t.files, task.values);
      for (const f of files) events.push({ type: 'log', message: `${f.path} (${f.content.length} bytes, mode ${f.mode.toString(8)})` });
      const nextSteps = t.nextSteps.map((s) => renderFiles([{ path: 'x', content: s, mode: 0o644 }], task.values)[0].content);
      task.result = { files, nextSteps };
      task.state = 'succeeded';
      task.finishedAt = this.now().toISOString();
      writeJsonAtomic(file, task);
      events.push({ type: 'completed', message: `${files.length} files ready` });
    } catch (err) {
      task.state = 'failed';
      task.error = describeError(err);
      task.finishedAt = this.now().toISOString();
      writeJsonAtomic(file, task);
      events.push({ type: 'failed', message: task.error });
    }
    events.finish();
  }

  getTask(id: string): ScaffoldTask {
    const t = this.tasks.get(id);
    if (!t) throw new PavedError('not-found', `no scaffold task '${id}'`);
    return t;
  }

  taskEventLog(id: string): EventLog<TaskEvent> {
    const e = this.taskEvents.get(id);
    if (!e) throw new PavedError('not-found', `no scaffold task '${id}'`);
    return e;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Idempotency

  /** The resource id stored for this key with this body; a different body is an `idempotency-mismatch`. */
  idempotent(scope: string, body: unknown): string | undefined {
    const r = this.idempotency.get(scope);
    if (!r) return undefined;
    if (r.hash !== bodyHash(body)) {
      throw new PavedError('conflict', 'this Idempotency-Key was used with a different request body', { detail: 'idempotency-mismatch' });
    }
    return r.id;
  }

  rememberIdempotent(scope: string, body: unknown, id: string): void {
    const r: IdempotencyRecord = { scope, hash: bodyHash(body), id, at: this.now().toISOString() };
    this.idempotencyJournal.append(r);
    this.idempotency.set(scope, r);
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Feedback

  createFeedback(req: CreateFeedbackRequest): Feedback {
    if (req.service !== undefined) this.entry(req.service);
    const now = this.now();
    const fb: Feedback = { ...req, id: newId('f', now), createdAt: now.toISOString() };
    this.feedbackJournal.append(fb);
    this.feedback.push(fb);
    return fb;
  }

  getFeedback(id: string): Feedback | undefined {
    return this.feedback.find((f) => f.id === id);
  }

  listFeedback(limit: number, cursor?: string): Page<Feedback> {
    // Newest first: the key is the position counted from the end, so it ascends as the list is walked.
    const sorted = this.feedback.map((f, i) => ({ f, key: String(Number.MAX_SAFE_INTEGER - i).padStart(16, '0') })).reverse();
    return pageSorted(sorted, (x) => x.key, { limit, cursor, map: (x) => x.f });
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Deployments

  private releaseMap(service: string): Map<string, ReleaseMeta> {
    let m = this.releases.get(service);
    if (!m) {
      m = new Map();
      this.releases.set(service, m);
    }
    return m;
  }

  private addDeployment(d: DeploymentRecord): void {
    this.deployments.set(d.id, d);
    const list = this.deploymentsByService.get(d.service) ?? [];
    list.push(d);
    list.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
    this.deploymentsByService.set(d.service, list);
  }

  private saveDeployment(d: DeploymentRecord): void {
    writeJsonAtomic(path.join(this.dir, 'deployments', `${d.id}.json`), d);
  }

  private saveSlots(): void {
    writeJsonAtomic(path.join(this.dir, 'slots.json'), [...this.slots.values()]);
  }

  getDeployment(id: string): Deployment {
    const d = this.deployments.get(id);
    if (!d) throw new PavedError('not-found', `no deployment '${id}'`);
    return publicDeployment(d);
  }

  deploymentEventLog(id: string): EventLog<DeploymentEvent> {
    const e = this.deploymentEvents.get(id);
    if (!e) throw new PavedError('not-found', `no deployment '${id}'`);
    return e;
  }

  listDeployments(service: string, environment: string | undefined, limit: number, cursor?: string): Page<Deployment> {
    this.entry(service);
    const list = (this.deploymentsByService.get(service) ?? []).filter((d) => environment === undefined || d.environment === environment);
    // newest first; the cursor key is an inverted position-independent key: createdAt + id, descending.
    const key = (d: DeploymentRecord): string => invert(`${d.createdAt}|${d.id}`);
    return pageSorted(list, key, { limit, cursor, map: publicDeployment });
  }

  /** Deployments across services, newest first; `active` keeps the ones still in progress. */
  listAllDeployments(q: { service?: string; environment?: string; active?: boolean; limit: number; cursor?: string }): Page<Deployment> {
    const list = [...this.deployments.values()]
      .filter((d) => (q.service === undefined || d.service === q.service) && (q.environment === undefined || d.environment === q.environment) && (q.active === undefined || q.active === !isTerminal(d.state)))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
    return pageSorted(list, (d) => invert(`${d.createdAt}|${d.id}`), { limit: q.limit, cursor: q.cursor, map: publicDeployment });
  }

  metrics(service: string, windowDays: number, environment: string): DoraMetrics {
    const created = new Map<string, string>();
    for (const [id, m] of this.releases.get(service) ?? []) created.set(id, m.createdAt);
    return computeDora({ deployments: this.deploymentsByService.get(service) ?? [], releaseCreatedAt: created, now: this.now(), windowDays, environment });
  }

  serviceMetrics(service: string, windowDays: number, environment: string): DoraMetrics {
    this.entry(service);
    findEnvironment(this.environments, environment);
    return this.metrics(service, windowDays, environment);
  }

  /**
   * Records a finished deployment without running anything: for seeding a history (tests of DORA numbers, demos).
   * Exposed only through `paved serve --seed-history FILE`, never over HTTP.
   */
  importHistory(records: { service: string; environment: string; kind: DeploymentKind; state: DeploymentState; release: string; releaseCreatedAt: string; createdAt: string; finishedAt: string }[]): void {
    for (const r of records) {
      const d: DeploymentRecord = { id: newId('d', new Date(r.createdAt)), service: r.service, environment: r.environment, kind: r.kind, state: r.state, release: r.release, createdAt: r.createdAt, startedAt: r.createdAt, finishedAt: r.finishedAt };
      if (r.state === 'rolled-back') d.automaticRollback = true;
      this.saveDeployment(d);
      const log = new EventLog<DeploymentEvent>(path.join(this.dir, 'deployments', `${d.id}.events.jsonl`));
      log.push({ type: 'completed', message: 'imported history', state: r.state });
      log.finish();
      this.deploymentEvents.set(d.id, log);
      this.addDeployment(d);
      if (!this.releaseMap(r.service).has(r.release)) {
        const meta: ReleaseMeta = { id: r.release, service: r.service, createdAt: r.releaseCreatedAt, dir: '' };
        this.releaseMap(r.service).set(r.release, meta);
      }
    }
  }

  /** The manifest (v1 shape) a deployment uses: the release's own paved.yaml when it has one, else the catalog's. */
  private manifestFor(e: CatalogEntry, releaseDir?: string): Record<string, unknown> {
    if (releaseDir) {
      const f = path.join(releaseDir, 'paved.yaml');
      if (fs.existsSync(f)) {
        const docs = parseManifestDocuments(fs.readFileSync(f, 'utf8'), f);
        if (docs[0] && typeof docs[0] === 'object') return asV1(docs[0]);
      }
    }
    return asV1(e.manifest);
  }

  private checkNoActive(service: string, environment: string): void {
    const active = (this.deploymentsByService.get(service) ?? []).find((d) => d.environment === environment && ACTIVE_STATES.includes(d.state));
    if (active) throw new PavedError('conflict', `deployment ${active.id} of ${service} to ${environment} is still ${active.state}; wait for it or cancel it`);
  }

  private checkApproval(spec: EffectiveSpec, env: Environment, approved: boolean | undefined): void {
    if (env.approvalHonoured && spec.approvalRequired && approved !== true) {
      throw new PavedError('forbidden', `deploying to ${env.name} needs approval (the manifest sets environments.${env.name}.approval: required); send "approved": true`, { detail: 'approval-required' });
    }
  }

  createDeployment(service: string, req: CreateDeploymentRequest): Deployment {
    if (this.stopping) throw new PavedError('conflict', 'the platform is stopping');
    const e = this.entry(service);
    const env = findEnvironment(this.environments, req.environment);
    let releaseDir: string | undefined;
    if (req.release !== undefined) {
      const meta = this.releaseMap(service).get(req.release);
      if (!meta || !meta.dir) throw new PavedError('not-found', `${service} has no release '${req.release}'`);
      releaseDir = meta.dir;
    } else if (!e.sourceDir) {
      throw new PavedError('conflict', `${service} has no source directory on this machine (register it with sourceDir) so it cannot be built here`);
    }
    const spec = effectiveSpec(this.manifestFor(e, releaseDir), env.name);
    if (!spec.run) throw new PavedError('conflict', `${service} declares no spec.run.command, so there is nothing to start`);
    this.checkApproval(spec, env, req.approved);
    this.checkNoActive(service, env.name);
    return this.startDeployment(e, env, req.release ? 'promote' : 'deploy', req.release, undefined, req.healthTimeoutSeconds, req.release === undefined);
  }

  rollback(service: string, req: RollbackRequest): Deployment {
    const e = this.entry(service);
    const env = findEnvironment(this.environments, req.environment);
    const slot = this.slots.get(`${service}/${env.name}`);
    let target = req.release;
    if (target === undefined) {
      const hist = slot?.history ?? [];
      const current = slot?.release;
      target = [...hist].reverse().find((r) => r !== current);
      if (!target) throw new PavedError('conflict', `${service} has no earlier release in ${env.name} to roll back to`);
    }
    const meta = this.releaseMap(service).get(target);
    if (!meta || !meta.dir) throw new PavedError('not-found', `${service} has no release '${target}'`);
    this.checkNoActive(service, env.name);
    return this.startDeployment(e, env, 'rollback', target, slot?.release, undefined, false);
  }

  promote(service: string, req: PromoteRequest): Deployment {
    const e = this.entry(service);
    const to = promotionTarget(this.environments, req.from, req.to);
    const src = this.slots.get(`${service}/${req.from}`);
    if (!src || src.state !== 'running') throw new PavedError('conflict', `${service} is not running in ${req.from}; nothing to promote`);
    const meta = this.releaseMap(service).get(src.release);
    if (!meta || !meta.dir) throw new PavedError('not-found', `${service} release ${src.release} is gone`);
    const spec = effectiveSpec(this.manifestFor(e, meta.dir), to.name);
    this.checkApproval(spec, to, req.approved);
    this.checkNoActive(service, to.name);
    return this.startDeployment(e, to, 'promote', src.release, req.from, undefined, false);
  }

  cancel(id: string): Deployment {
    const d = this.deployments.get(id);
    if (!d) throw new PavedError('not-found', `no deployment '${id}'`);
    if (isTerminal(d.state)) throw new PavedError('conflict', `deployment ${id} already ended (${d.state})`);
    this.running.get(id)?.cancel.abort();
    return publicDeployment(d);
  }

  /** Resolves when the deployment has reached a terminal state (for tests and shutdown). */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  private startDeployment(e: CatalogEntry, env: Environment, kind: DeploymentKind, release: string | undefined, from: string | undefined, healthTimeout: number | undefined, build: boolean): Deployment {
    const now = this.now();
    const d: DeploymentRecord = { id: newId('d', now), service: e.name, environment: env.name, kind, state: 'pending', createdAt: now.toISOString() };
    if (release) d.release = release;
    if (from) d.from = from;
    const prev = this.slots.get(`${e.name}/${env.name}`);
    if (prev?.state === 'running') d.previousRelease = prev.release;
    this.saveDeployment(d);
    const events = new EventLog<DeploymentEvent>(path.join(this.dir, 'deployments', `${d.id}.events.jsonl`));
    this.deploymentEvents.set(d.id, events);
    this.addDeployment(d);
    events.push({ type: 'state', message: `${kind} of ${e.name} to ${env.name} queued`, state: 'pending' });
    const cancel = new AbortController();
    const done = this.runDeployment(d, e, env, build, healthTimeout ?? 30, cancel.signal, events).finally(() => {
      this.running.delete(d.id);
      events.finish();
    });
    this.running.set(d.id, { cancel, done });
    return publicDeployment(d);
  }

  private setState(d: DeploymentRecord, state: DeploymentState, events: EventLog<DeploymentEvent>, message: string): void {
    d.state = transition(d.state, state);
    if (isTerminal(state)) {
      d.finishedAt = this.now().toISOString();
      delete d.pid;
    }
    this.saveDeployment(d);
    const type = state === 'succeeded' ? 'completed' : state === 'failed' || state === 'cancelled' ? 'failed' : state === 'rolled-back' ? 'rollback' : 'state';
    events.push({ type, message, state });
  }

  private async allocatePort(env: Environment): Promise<number> {
    const { from, to } = env.portRange;
    const taken = new Set([...this.slots.values()].filter((s) => s.state === 'running').map((s) => s.port));
    for (let p = from; p <= to; p++) {
      if (taken.has(p) || this.usedPorts.has(p)) continue;
      if (await portFree(p)) {
        this.usedPorts.add(p);
        return p;
      }
    }
    throw new PavedError('conflict', `no free port in ${env.name}'s range ${from}-${to}`);
  }

  private async runDeployment(d: DeploymentRecord, e: CatalogEntry, env: Environment, build: boolean, healthTimeout: number, signal: AbortSignal, events: EventLog<DeploymentEvent>): Promise<void> {
    const logDir = path.join(this.dir, 'logs');
    let candidate: Spawned | undefined;
    let port: number | undefined;
    const cancelled = (): boolean => {
      if (!signal.aborted) return false;
      this.setState(d, 'cancelled', events, this.stopping ? 'cancelled: the platform is stopping' : 'cancelled; the previous release keeps serving');
      d.error = 'cancelled';
      this.saveDeployment(d);
      return true;
    };
    try {
      d.startedAt = this.now().toISOString();
      let releaseDir: string;
      if (build) {
        this.setState(d, 'building', events, 'taking a snapshot and building');
        const rel = newReleaseId(this.now());
        d.release = rel;
        const sdir = path.join(this.dir, 'releases', e.name);
        const tmp = path.join(sdir, `.${rel}.tmp`);
        releaseDir = path.join(sdir, rel);
        events.push({ type: 'step', step: 'snapshot', message: `snapshot of ${e.sourceDir} as release ${rel}` });
        fs.mkdirSync(sdir, { recursive: true });
        fs.cpSync(e.sourceDir as string, tmp, {
          recursive: true,
          filter: (src) => !/[\\/](\.git|\.paved)$/.test(src) && !/[\\/](\.git|\.paved)[\\/]/.test(src.slice((e.sourceDir as string).length)),
        });
        fs.renameSync(tmp, releaseDir);
        this.saveDeployment(d);
        const spec = effectiveSpec(this.manifestFor(e, releaseDir), env.name);
        if (spec.build) {
          events.push({ type: 'step', step: 'build', message: `$ ${spec.build}` });
          const logFile = path.join(logDir, `${e.name}-${rel}-build.log`);
          const proc = spawnLogged(spec.build, { cwd: releaseDir, env: { ...process.env, ...spec.env, PAVED_OWNER: this.owner, PAVED_RELEASE: rel }, logFile });
          d.pid = proc.pid;
          this.saveDeployment(d);
          const code = await this.follow(proc, logFile, 'build', events, signal);
          delete d.pid;
          if (cancelled()) return;
          if (code !== 0) {
            d.error = `build failed (exit ${code})`;
            this.setState(d, 'failed', events, `${d.error}; nothing changed in ${env.name}`);
            return;
          }
        }
        const meta: ReleaseMeta = { id: rel, service: e.name, createdAt: d.startedAt, dir: releaseDir };
        writeJsonAtomic(path.join(sdir, `${rel}.json`), meta);
        this.releaseMap(e.name).set(rel, meta);
      } else {
        const meta = this.releaseMap(e.name).get(d.release as string) as ReleaseMeta;
        releaseDir = meta.dir;
        events.push({ type: 'step', step: 'snapshot', message: `reusing release ${meta.id} (built ${meta.createdAt}); no rebuild` });
      }
      if (cancelled()) return;

      const spec = effectiveSpec(this.manifestFor(e, releaseDir), env.name);
      this.setState(d, 'starting', events, `starting release ${d.release} in ${env.name}`);
      port = await this.allocatePort(env);
      d.port = port;
      const logFile = path.join(logDir, `${e.name}-${env.name}-${d.release}.log`);
      events.push({ type: 'step', step: 'start', message: `$ PORT=${port} ${spec.run}` });
      candidate = spawnLogged(spec.run as string, {
        cwd: releaseDir,
        env: { ...process.env, ...spec.env, PORT: String(port), PAVED_ENVIRONMENT: env.name, PAVED_RELEASE: d.release, PAVED_SERVICE: e.name, PAVED_OWNER: this.owner },
        logFile,
      });
      d.pid = candidate.pid;
      this.saveDeployment(d);
      this.setState(d, 'health-checking', events, `waiting up to ${healthTimeout}s for GET ${spec.healthPath} on port ${port}`);
      const healthy = await this.waitHealthy(candidate, port, spec.healthPath, healthTimeout * 1000, logFile, events, signal);
      if (signal.aborted) {
        await stopGroup(candidate.pid);
        candidate = undefined;
        delete d.port;
        cancelled();
        return;
      }
      if (!healthy.ok) {
        events.push({ type: 'health', step: 'health', message: `unhealthy: ${healthy.reason}` });
        events.push({ type: 'step', step: 'stop', message: `stopping the new release ${d.release}` });
        await stopGroup(candidate.pid);
        candidate = undefined;
        delete d.port;
        const prev = this.slots.get(`${e.name}/${env.name}`);
        const keptPrevious = prev?.state === 'running';
        d.error = `health check failed: ${healthy.reason}`;
        if (keptPrevious) {
          d.automaticRollback = true;
          this.setState(d, unhealthyOutcome(true), events, `automatic rollback: release ${prev.release} keeps serving on port ${prev.port}`);
        } else {
          this.setState(d, unhealthyOutcome(false), events, `${d.error}; no earlier release was serving`);
        }
        return;
      }
      events.push({ type: 'health', step: 'health', message: `healthy: GET ${spec.healthPath} → 200` });
      // Switch over: the new release becomes the slot, then the previous one stops.
      const key = `${e.name}/${env.name}`;
      const prev = this.slots.get(key);
      const slot: Slot = {
        service: e.name,
        environment: env.name,
        release: d.release as string,
        port,
        pid: candidate.pid,
        state: 'running',
        deploymentId: d.id,
        since: this.now().toISOString(),
        history: [...(prev?.history ?? []).filter((r) => r !== d.release), d.release as string].slice(-20),
      };
      this.slots.set(key, slot);
      this.processes.set(key, candidate);
      this.saveSlots();
      events.push({ type: 'step', step: 'switch', message: `${env.name} now serves ${d.release} at http://127.0.0.1:${port}` });
      candidate = undefined;
      if (prev?.state === 'running') {
        events.push({ type: 'step', step: 'stop', message: `stopping previous release ${prev.release} (port ${prev.port})` });
        await stopGroup(prev.pid);
        this.usedPorts.delete(prev.port);
      }
      d.url = `http://127.0.0.1:${port}`;
      this.setState(d, 'succeeded', events, `${d.release} is serving in ${env.name} at ${d.url}`);
    } catch (err) {
      if (candidate) await stopGroup(candidate.pid);
      d.error = describeError(err);
      this.log(`deployment ${d.id}: ${d.error}`);
      if (!isTerminal(d.state)) this.setState(d, 'failed', events, `failed: ${d.error}`);
    } finally {
      if (port !== undefined && this.slots.get(`${e.name}/${env.name}`)?.port !== port) this.usedPorts.delete(port);
    }
  }

  /** Streams a process's log into events until it exits (or the deployment is cancelled: then the group is stopped). */
  private async follow(proc: Spawned, logFile: string, step: 'build', events: EventLog<DeploymentEvent>, signal: AbortSignal): Promise<number | string> {
    const tail = new LogTail(logFile, (line) => events.push({ type: 'log', step, stream: 'stdout', message: line }));
    const onAbort = (): void => void stopGroup(proc.pid);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!proc.hasExited()) {
        await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 100))]);
        tail.poll();
      }
      tail.poll(true);
      return await proc.exited;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async waitHealthy(proc: Spawned, port: number, healthPath: string, timeoutMs: number, logFile: string, events: EventLog<DeploymentEvent>, signal: AbortSignal): Promise<{ ok: true } | { ok: false; reason: string }> {
    const tail = new LogTail(logFile, (line) => events.push({ type: 'log', step: 'start', stream: 'stdout', message: line }));
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    let attempts = 0;
    try {
      while (Date.now() < deadline && !signal.aborted) {
        tail.poll();
        if (proc.hasExited()) {
          tail.poll(true);
          return { ok: false, reason: `the process exited (${String(await proc.exited)}) before it became healthy` };
        }
        attempts++;
        try {
          const res = await fetch(`http://127.0.0.1:${port}${healthPath}`, { signal: AbortSignal.timeout(2000) });
          await res.arrayBuffer();
          if (res.status === 200) return { ok: true };
          last = `GET ${healthPath} answered ${res.status}`;
          if (attempts === 1 || attempts % 10 === 0) events.push({ type: 'health', step: 'health', message: last });
        } catch (err) {
          last = `GET ${healthPath}: ${describeError(err)}`;
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      return { ok: false, reason: `${last} (timed out after ${Math.round(timeoutMs / 1000)}s)` };
    } finally {
      tail.poll(true);
    }
  }
}

/** Maps a string to one that sorts in the reverse order (for newest-first cursor paging). */
function invert(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(0xffff - s.charCodeAt(i));
  return out;
}

function entryFromPavedManifestChecked(req: RegisterServiceRequest): CatalogEntry {
  try {
    return entryFromPavedManifest(req.manifest, { source: 'registered', sourceDir: req.sourceDir ? path.resolve(req.sourceDir) : undefined });
  } catch (err) {
    throw new InvalidRequest(describeError(err), [{ pointer: '/body/manifest', message: describeError(err) }]);
  }
}

/** Reads `paved serve --seed-history` input. */
export function readHistoryFile(file: string): Parameters<LocalPlatform['importHistory']>[0] {
  const doc = parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(doc)) throw new PavedError('invalid-input', `${file}: must be a list of deployments`);
  return doc as Parameters<LocalPlatform['importHistory']>[0];
}
