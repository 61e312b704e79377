/**
 * The deploy room's front: deploy, roll back, promote and cancel (each checked, then run in the background by the
 * runner), deployment history and DORA metrics, and what the catalog shows of a service's environments. It knows the
 * catalog only through `DeployCatalog`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  CreateDeploymentRequest,
  Deployment,
  DeploymentEvent,
  DeploymentKind,
  DoraMetrics,
  Environment,
  EnvironmentState,
  Page,
  PromoteRequest,
  RollbackRequest,
  ServiceEnvironmentStatus,
} from '../../core/api/types';
import { computeDora, type CatalogEntry } from '../../core/catalog';
import { effectiveSpec, findEnvironment, isTerminal, promotionTarget, type EffectiveSpec } from '../../core/deploy';
import { PavedError } from '../../core/errors';
import type { HistoryRow } from '../../core/insights';
import type { EventLog } from '../events';
import { newId } from '../ids';
import { DeploymentHistory, publicDeployment, type DeploymentRecord } from './history';
import { importHistory, type HistoryRecord } from './historyImport';
import { systemHost, type ProcessHost } from './processes';
import { ReleaseStore, releaseManifest } from './releases';
import { DeploymentRunner, type DeploymentResources } from './runner';
import { SlotTable } from './slots';
import { environmentStatus } from './status';
import { httpProbe, type HealthProbe } from './watch';

/** The catalog as deployments need it: `entry` throws not-found for a service it does not know. */
export interface DeployCatalog {
  entry(name: string): CatalogEntry;
}

/** The platform's policies as deployments need them (the policy room's gate). */
export interface DeployPolicy {
  /** Refuses (a `policy-violation`) a manifest the policies reject for `environment`. */
  check(service: string, manifest: Record<string, unknown>, environment: string, repoPolicies: string | undefined): void;
  /** The repository's `.paved/policies.yaml` as it is now: read when a release is built, and stored with it. */
  repositoryPolicies(entry: CatalogEntry): string | undefined;
}

export interface DeploymentsOptions {
  stateDir: string;
  environments: readonly Environment[];
  /** This platform's PAVED_OWNER mark on every process it starts. */
  owner: string;
  catalog: DeployCatalog;
  /** Without it (tests of the runner alone), nothing is checked. */
  policy?: DeployPolicy;
  now: () => Date;
  log: (line: string) => void;
  /** Processes and ports (default: the operating system's). */
  host?: ProcessHost;
  /** Health requests (default: HTTP on loopback). */
  probe?: HealthProbe;
  /** The secret values a release gets (its log writer redacts them); default none. */
  secrets?: (service: string, environment: string, manifest: Record<string, unknown>) => readonly string[];
  /** Provisions the claims of a release before its build (the resource room). */
  resources?: DeploymentResources;
}

const DEFAULT_HEALTH_TIMEOUT_S = 30;

export class Deployments {
  readonly history: DeploymentHistory;
  readonly releases: ReleaseStore;
  readonly slots: SlotTable;
  private readonly runner: DeploymentRunner;
  private readonly running = new Map<string, { cancel: AbortController; done: Promise<void> }>();
  private stopping = false;
  /** `<state-dir>/logs`: build logs, and per service and environment the runs of its processes (serviceLogs.ts). */
  readonly logDir: string;

  constructor(private readonly opts: DeploymentsOptions) {
    this.logDir = path.join(opts.stateDir, 'logs');
    const host = opts.host ?? systemHost;
    const deps = { host, owner: opts.owner, now: opts.now, log: opts.log };
    this.history = new DeploymentHistory(path.join(opts.stateDir, 'deployments'), deps);
    this.releases = new ReleaseStore(path.join(opts.stateDir, 'releases'));
    this.slots = new SlotTable(path.join(opts.stateDir, 'slots.json'), deps);
    this.runner = new DeploymentRunner({
      ...deps,
      logDir: this.logDir,
      secrets: opts.secrets ?? (() => []),
      probe: opts.probe ?? httpProbe,
      history: this.history,
      releases: this.releases,
      slots: this.slots,
      stopping: () => this.stopping,
      resources: opts.resources,
    });
  }

  /** Loads releases and history (failing what an earlier instance left unfinished) and adopts or reaps its services. */
  async load(): Promise<void> {
    this.releases.load();
    await this.history.load();
    await this.slots.load();
  }

  /** Cancels deployments in progress and stops every service process this platform started. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const [, r] of this.running) r.cancel.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
    await this.slots.stop();
  }

  /** True while a deployment is in progress. */
  busy(): boolean {
    return this.running.size > 0;
  }

  /** Number of service processes running now. */
  runningServices(): number {
    return this.slots.running();
  }

  // Deploy, roll back, promote, cancel

  create(service: string, req: CreateDeploymentRequest): Deployment {
    if (this.stopping) throw new PavedError('conflict', 'the platform is stopping');
    const e = this.opts.catalog.entry(service);
    const env = findEnvironment(this.opts.environments, req.environment);
    let releaseDir: string | undefined;
    let repoPolicies: string | undefined;
    if (req.release !== undefined) {
      const meta = this.releases.runnable(service, req.release);
      if (!meta) throw new PavedError('not-found', `${service} has no release '${req.release}'`);
      releaseDir = meta.dir;
      repoPolicies = meta.repoPolicies;
    } else if (!e.sourceDir) {
      throw new PavedError('conflict', `${service} has no source directory on this machine (register it with sourceDir) so it cannot be built here`);
    } else {
      repoPolicies = this.opts.policy?.repositoryPolicies(e);
    }
    // A new release is built from the source folder as it is now: its paved.yaml is what is checked.
    const manifest = releaseManifest(e, releaseDir ?? e.sourceDir);
    const spec = effectiveSpec(manifest, env.name);
    if (!spec.run) throw new PavedError('conflict', `${service} declares no spec.run.command, so there is nothing to start`);
    this.opts.policy?.check(service, manifest, env.name, repoPolicies);
    checkApproval(spec, env, req.approved);
    this.checkNoActive(service, env.name);
    return this.start(e, env, req.release ? 'promote' : 'deploy', { release: req.release, healthTimeoutSeconds: req.healthTimeoutSeconds, build: req.release === undefined, repoPolicies });
  }

  rollback(service: string, req: RollbackRequest): Deployment {
    const e = this.opts.catalog.entry(service);
    const env = findEnvironment(this.opts.environments, req.environment);
    const current = this.slots.get(service, env.name)?.release;
    const target = req.release ?? this.slots.rollbackTarget(service, env.name);
    if (target === undefined) throw new PavedError('conflict', `${service} has no earlier release in ${env.name} to roll back to`);
    if (!this.releases.runnable(service, target)) throw new PavedError('not-found', `${service} has no release '${target}'`);
    this.checkNoActive(service, env.name);
    return this.start(e, env, 'rollback', { release: target, from: current, build: false });
  }

  promote(service: string, req: PromoteRequest): Deployment {
    const e = this.opts.catalog.entry(service);
    const to = promotionTarget(this.opts.environments, req.from, req.to);
    const src = this.slots.get(service, req.from);
    if (!src || src.state !== 'running') throw new PavedError('conflict', `${service} is not running in ${req.from}; nothing to promote`);
    const meta = this.releases.runnable(service, src.release);
    if (!meta) throw new PavedError('not-found', `${service} release ${src.release} is gone`);
    const manifest = releaseManifest(e, meta.dir);
    this.opts.policy?.check(service, manifest, to.name, meta.repoPolicies);
    checkApproval(effectiveSpec(manifest, to.name), to, req.approved);
    this.checkNoActive(service, to.name);
    return this.start(e, to, 'promote', { release: src.release, from: req.from, build: false });
  }

  /**
   * Starts the release serving in an environment (or the last one that did, when it stopped or crashed) again: a new
   * process next to the old one, switched to once healthy. A restart already in progress is returned, not doubled.
   * `automatic` restarts (the manifest's `restartAfterSeconds`) need no approval: the manifest asked for them.
   */
  restart(service: string, environment: string, o: { approved?: boolean; automatic?: boolean } = {}): Deployment {
    if (this.stopping) throw new PavedError('conflict', 'the platform is stopping');
    const e = this.opts.catalog.entry(service);
    const env = findEnvironment(this.opts.environments, environment);
    const slot = this.slots.get(service, env.name);
    if (!slot) throw new PavedError('conflict', `${service} was never deployed to ${env.name}; deploy it first`);
    const meta = this.releases.runnable(service, slot.release);
    if (!meta) throw new PavedError('not-found', `${service} release ${slot.release} is gone`);
    if (!o.automatic) checkApproval(effectiveSpec(releaseManifest(e, meta.dir), env.name), env, o.approved, 'restarting');
    const active = this.history.active(service, env.name);
    if (active?.kind === 'restart') return publicDeployment(active);
    this.checkNoActive(service, env.name);
    return this.start(e, env, 'restart', { release: slot.release, build: false });
  }

  /** Stops the release serving in an environment; `changed` false when nothing ran there. */
  async stopService(service: string, environment: string, o: { approved?: boolean } = {}): Promise<{ environment: ServiceEnvironmentStatus; changed: boolean }> {
    const e = this.opts.catalog.entry(service);
    const env = findEnvironment(this.opts.environments, environment);
    const slot = this.slots.get(service, env.name);
    const meta = slot ? this.releases.runnable(service, slot.release) : undefined;
    if (slot?.state === 'running') checkApproval(effectiveSpec(releaseManifest(e, meta?.dir), env.name), env, o.approved, 'stopping');
    this.checkNoActive(service, env.name);
    const changed = await this.slots.stopOne(service, env.name);
    return { environment: environmentStatus(env, this.slots.get(service, env.name), this.history.ofService(service)), changed };
  }

  cancel(id: string): Deployment {
    const d = this.history.record(id);
    if (isTerminal(d.state)) throw new PavedError('conflict', `deployment ${id} already ended (${d.state})`);
    this.running.get(id)?.cancel.abort();
    return publicDeployment(d);
  }

  /** Resolves when the deployment has reached a terminal state (for tests and shutdown). */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  /** The id of the deployment in progress for the service in the environment, if any. */
  activeIn(service: string, environment: string): string | undefined {
    return this.history.active(service, environment)?.id;
  }

  private checkNoActive(service: string, environment: string): void {
    const active = this.history.active(service, environment);
    if (active) throw new PavedError('conflict', `deployment ${active.id} of ${service} to ${environment} is still ${active.state}; wait for it or cancel it`);
  }

  private start(e: CatalogEntry, env: Environment, kind: DeploymentKind, o: { release?: string; from?: string; healthTimeoutSeconds?: number; build: boolean; repoPolicies?: string }): Deployment {
    const now = this.opts.now();
    const d: DeploymentRecord = { id: newId('d', now), service: e.name, environment: env.name, kind, state: 'pending', createdAt: now.toISOString() };
    if (o.release) d.release = o.release;
    if (o.from) d.from = o.from;
    const prev = this.slots.get(e.name, env.name);
    if (prev?.state === 'running') d.previousRelease = prev.release;
    const events = this.history.open(d);
    events.push({ type: 'state', message: `${kind} of ${e.name} ${kind === 'restart' ? 'in' : 'to'} ${env.name} queued`, state: 'pending' });
    const cancel = new AbortController();
    const done = this.runner
      .run({ d, entry: e, env, build: o.build, healthTimeoutSeconds: o.healthTimeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_S, signal: cancel.signal, events, ...(o.repoPolicies !== undefined ? { repoPolicies: o.repoPolicies } : {}) })
      .finally(() => {
        this.running.delete(d.id);
        events.finish();
      });
    this.running.set(d.id, { cancel, done });
    return publicDeployment(d);
  }

  // History

  get(id: string): Deployment {
    return this.history.get(id);
  }

  events(id: string): EventLog<DeploymentEvent> {
    return this.history.events(id);
  }

  /**
   * The file with the whole build output of a deployment (its events keep only the start and the end of it), and while
   * it builds what hides its secrets in it (once the build ended, the file has them hidden).
   */
  buildLog(id: string): { file: string; redact?: (text: string) => string } {
    const d = this.history.record(id);
    if (!d.buildLog || !fs.existsSync(d.buildLog)) {
      throw new PavedError('not-found', `deployment ${id} has no build output${d.kind === 'deploy' ? '' : ` (a ${d.kind} starts an existing release without building)`}`);
    }
    const redact = this.runner.buildLogRedactor(id);
    return { file: d.buildLog, ...(redact ? { redact } : {}) };
  }

  listOfService(service: string, environment: string | undefined, limit: number, cursor?: string): Page<Deployment> {
    this.opts.catalog.entry(service);
    return this.history.listOfService(service, environment, limit, cursor);
  }

  list(q: { service?: string; environment?: string; active?: boolean; limit: number; cursor?: string }): Page<Deployment> {
    return this.history.list(q);
  }

  /** DORA metrics of a service in an environment over the last `windowDays` days. */
  metrics(service: string, windowDays: number, environment: string): DoraMetrics {
    return computeDora({ deployments: this.history.ofService(service), releaseCreatedAt: this.releases.createdAt(service), now: this.opts.now(), windowDays, environment });
  }

  /** `metrics` for the API: the service and the environment must exist. */
  serviceMetrics(service: string, windowDays: number, environment: string): DoraMetrics {
    this.opts.catalog.entry(service);
    findEnvironment(this.opts.environments, environment);
    return this.metrics(service, windowDays, environment);
  }

  /** How many deployments have finished (`finishedRows(from)` gives the rows after the first `from`). */
  get finishedCount(): number {
    return this.history.finishedCount;
  }

  /**
   * The finished deployments as insights rows, with the time each release snapshot was taken, from position `from` on,
   * in the order they finished (platform insights).
   */
  *finishedRows(from = 0): Iterable<HistoryRow> {
    for (const d of this.history.finished(from)) {
      if (d.finishedAt === undefined) continue;
      const release = d.release === undefined ? undefined : this.releases.get(d.service, d.release);
      yield { service: d.service, environment: d.environment, kind: d.kind, state: d.state as HistoryRow['state'], finishedAt: Date.parse(d.finishedAt), releaseCreatedAt: release ? Date.parse(release.createdAt) : NaN };
    }
  }

  importHistory(records: readonly HistoryRecord[]): void {
    importHistory(records, this.history, this.releases);
  }

  // What the catalog shows (ServiceRuntime)

  environments(service: string): ServiceEnvironmentStatus[] {
    if (!this.slots.isEmpty()) this.slots.check();
    const history = this.history.ofService(service);
    return this.opts.environments.map((env) => environmentStatus(env, this.slots.get(service, env.name), history));
  }

  states(service: string): Record<string, EnvironmentState> {
    const out: Record<string, EnvironmentState> = {};
    if (!this.history.hasService(service) && this.slots.isEmpty()) return out;
    for (const st of this.environments(service)) if (st.state !== 'not-deployed') out[st.environment] = st.state;
    return out;
  }

  /** Before a service leaves the catalog: refused while it deploys, else stopped wherever it runs. */
  async retire(service: string): Promise<void> {
    const active = this.history.active(service);
    if (active) throw new PavedError('conflict', `deployment ${active.id} of ${service} is still ${active.state}; cancel it first`);
    await this.slots.stop(service);
  }
}

function checkApproval(spec: EffectiveSpec, env: Environment, approved: boolean | undefined, what = 'deploying to'): void {
  if (env.approvalHonoured && spec.approvalRequired && approved !== true) {
    const doing = what === 'deploying to' ? `deploying to ${env.name}` : `${what} the service in ${env.name}`;
    throw new PavedError('forbidden', `${doing} needs approval (the manifest sets environments.${env.name}.approval: required); send "approved": true`, { detail: 'approval-required' });
  }
}
