/**
 * The deploy room's front: deploy, roll back, promote and cancel (each checked, then run in the background by the
 * runner), deployment history and DORA metrics, and what the catalog shows of a service's environments. It knows the
 * catalog only through `DeployCatalog`.
 */
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
import { DeploymentRunner } from './runner';
import { SlotTable } from './slots';
import { environmentStatus } from './status';
import { httpProbe, type HealthProbe } from './watch';

/** The catalog as deployments need it: `entry` throws not-found for a service it does not know. */
export interface DeployCatalog {
  entry(name: string): CatalogEntry;
}

export interface DeploymentsOptions {
  stateDir: string;
  environments: readonly Environment[];
  /** This platform's PAVED_OWNER mark on every process it starts. */
  owner: string;
  catalog: DeployCatalog;
  now: () => Date;
  log: (line: string) => void;
  /** Processes and ports (default: the operating system's). */
  host?: ProcessHost;
  /** Health requests (default: HTTP on loopback). */
  probe?: HealthProbe;
}

const DEFAULT_HEALTH_TIMEOUT_S = 30;

export class Deployments {
  readonly history: DeploymentHistory;
  readonly releases: ReleaseStore;
  readonly slots: SlotTable;
  private readonly runner: DeploymentRunner;
  private readonly running = new Map<string, { cancel: AbortController; done: Promise<void> }>();
  private stopping = false;

  constructor(private readonly opts: DeploymentsOptions) {
    const host = opts.host ?? systemHost;
    const deps = { host, owner: opts.owner, now: opts.now, log: opts.log };
    this.history = new DeploymentHistory(path.join(opts.stateDir, 'deployments'), deps);
    this.releases = new ReleaseStore(path.join(opts.stateDir, 'releases'));
    this.slots = new SlotTable(path.join(opts.stateDir, 'slots.json'), deps);
    this.runner = new DeploymentRunner({
      ...deps,
      logDir: path.join(opts.stateDir, 'logs'),
      probe: opts.probe ?? httpProbe,
      history: this.history,
      releases: this.releases,
      slots: this.slots,
      stopping: () => this.stopping,
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
    if (req.release !== undefined) {
      const meta = this.releases.runnable(service, req.release);
      if (!meta) throw new PavedError('not-found', `${service} has no release '${req.release}'`);
      releaseDir = meta.dir;
    } else if (!e.sourceDir) {
      throw new PavedError('conflict', `${service} has no source directory on this machine (register it with sourceDir) so it cannot be built here`);
    }
    const spec = effectiveSpec(releaseManifest(e, releaseDir), env.name);
    if (!spec.run) throw new PavedError('conflict', `${service} declares no spec.run.command, so there is nothing to start`);
    checkApproval(spec, env, req.approved);
    this.checkNoActive(service, env.name);
    return this.start(e, env, req.release ? 'promote' : 'deploy', { release: req.release, healthTimeoutSeconds: req.healthTimeoutSeconds, build: req.release === undefined });
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
    checkApproval(effectiveSpec(releaseManifest(e, meta.dir), to.name), to, req.approved);
    this.checkNoActive(service, to.name);
    return this.start(e, to, 'promote', { release: src.release, from: req.from, build: false });
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

  private checkNoActive(service: string, environment: string): void {
    const active = this.history.active(service, environment);
    if (active) throw new PavedError('conflict', `deployment ${active.id} of ${service} to ${environment} is still ${active.state}; wait for it or cancel it`);
  }

  private start(e: CatalogEntry, env: Environment, kind: DeploymentKind, o: { release?: string; from?: string; healthTimeoutSeconds?: number; build: boolean }): Deployment {
    const now = this.opts.now();
    const d: DeploymentRecord = { id: newId('d', now), service: e.name, environment: env.name, kind, state: 'pending', createdAt: now.toISOString() };
    if (o.release) d.release = o.release;
    if (o.from) d.from = o.from;
    const prev = this.slots.get(e.name, env.name);
    if (prev?.state === 'running') d.previousRelease = prev.release;
    const events = this.history.open(d);
    events.push({ type: 'state', message: `${kind} of ${e.name} to ${env.name} queued`, state: 'pending' });
    const cancel = new AbortController();
    const done = this.runner
      .run({ d, entry: e, env, build: o.build, healthTimeoutSeconds: o.healthTimeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_S, signal: cancel.signal, events })
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

  /** Finished deployments as insights rows, with the time each release snapshot was taken (platform insights). */
  *finishedRows(): Iterable<HistoryRow> {
    for (const d of this.history.all()) {
      if (!isTerminal(d.state) || d.finishedAt === undefined) continue;
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

function checkApproval(spec: EffectiveSpec, env: Environment, approved: boolean | undefined): void {
  if (env.approvalHonoured && spec.approvalRequired && approved !== true) {
    throw new PavedError('forbidden', `deploying to ${env.name} needs approval (the manifest sets environments.${env.name}.approval: required); send "approved": true`, { detail: 'approval-required' });
  }
}
