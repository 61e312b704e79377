/**
 * The operations room's front: day two of a running service. Health of every running release (the prober) with its
 * history, SLO status measured from the probes, logs (logs.ts), restart and stop (the deploy room does them; this room
 * records them as events), and the events of each service and environment. It knows the deploy room and the catalog
 * only through `OperationsRuntime` and `OperationsCatalog`.
 */
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import type {
  EnvironmentHealth,
  HealthHistory,
  OperationEvent,
  RestartRequest,
  ServiceHealthItem,
  ServiceHealthList,
  ServiceStatus,
  StopRequest,
  StopResult,
} from '../../core/api/operations';
import type { Deployment, Environment, HealthState, ServiceEnvironmentStatus } from '../../core/api/types';
import type { CatalogEntry } from '../../core/catalog';
import { findEnvironment } from '../../core/deploy';
import { describeError } from '../../core/errors';
import { computeSlo, healthPolicy, publicBucket, rollUp, sloSpecs } from '../../core/operations';
import { releaseManifest, type ReleaseMeta } from '../deploy/releases';
import type { Slot } from '../deploy/slots';
import type { HealthProbe } from '../deploy/watch';
import { EventLog } from '../events';
import { HealthHistories } from './healthHistory';
import { ServiceLogs } from './logs';
import { HealthProber, type ProbeTarget } from './prober';

/** What this room needs of the deploy room (the `Deployments` of deploy/ has it). */
export interface OperationsRuntime {
  readonly logDir: string;
  readonly slots: { all(): Slot[]; get(service: string, environment: string): Slot | undefined; check(): void };
  readonly releases: { runnable(service: string, id: string): ReleaseMeta | undefined; createdAt(service: string): Map<string, string> };
  readonly history: { active(service: string, environment?: string): { kind: string } | undefined };
  environments(service: string): ServiceEnvironmentStatus[];
  restart(service: string, environment: string, o: { approved?: boolean; automatic?: boolean }): Deployment;
  stopService(service: string, environment: string, o: { approved?: boolean }): Promise<StopResult>;
}

/** The catalog as this room needs it: `entry` throws not-found for a service it does not know. */
export interface OperationsCatalog {
  entry(name: string): CatalogEntry;
}

export interface OperationsOptions {
  stateDir: string;
  environments: readonly Environment[];
  catalog: OperationsCatalog;
  runtime: OperationsRuntime;
  isAlive: (pid: number) => boolean;
  probe: HealthProbe;
  now: () => Date;
  log: (line: string) => void;
  /** The secret values a release of a service gets in an environment (its logs never show them). */
  secrets: (service: string, environment: string, manifest: Record<string, unknown>) => readonly string[];
  /** Monotonic ms for scheduling probes (tests step it). */
  monotonic?: () => number;
}

const NOTE =
  'Measured from the platform\'s own health probes of each running release (GET on spec.health.path every spec.health.intervalSeconds), not from user traffic: an SLO here says how often the service answered its health check in time.';

export class Operations {
  readonly logs: ServiceLogs;
  readonly prober: HealthProber;
  private readonly histories: HealthHistories;
  private readonly eventLogs = new Map<string, EventLog<OperationEvent>>();
  private readonly manifests = new Map<string, Record<string, unknown>>();

  constructor(private readonly opts: OperationsOptions) {
    const { runtime } = opts;
    this.histories = new HealthHistories(path.join(opts.stateDir, 'health'), opts.now);
    this.logs = new ServiceLogs({
      logDir: runtime.logDir,
      now: opts.now,
      secrets: (service, environment) => opts.secrets(service, environment, this.manifestOf(service, environment)),
      serving: (service, environment) => {
        const slot = runtime.slots.get(service, environment);
        return slot?.state === 'running' ? slot.release : undefined;
      },
      isAlive: opts.isAlive,
    });
    this.prober = new HealthProber({
      slots: () => runtime.slots.all(),
      policy: (slot) => healthPolicy(this.manifestOf(slot.service, slot.environment)),
      isAlive: opts.isAlive,
      checkExited: () => runtime.slots.check(),
      probe: opts.probe,
      now: opts.now,
      monotonic: opts.monotonic ?? (() => performance.now()),
      history: this.histories,
      changed: (t, previous) => this.healthChanged(t, previous),
      restart: (t, unhealthyFor) => this.restartAutomatically(t, unhealthyFor),
    });
  }

  /** Starts probing the running releases. */
  start(): void {
    this.prober.start();
  }

  async stop(): Promise<void> {
    await this.prober.stop();
    this.histories.close();
    this.logs.close();
    for (const e of this.eventLogs.values()) e.finish();
    this.eventLogs.clear();
  }

  // Health and SLOs

  /** Environment → health where a release runs (ServiceSummary.health). */
  healthOf(service: string): Record<string, HealthState> | undefined {
    let out: Record<string, HealthState> | undefined;
    for (const env of this.opts.environments) {
      const t = this.prober.target(service, env.name);
      if (t) (out ??= {})[env.name] = t.track.state;
    }
    return out;
  }

  status(service: string): ServiceStatus {
    const entry = this.opts.catalog.entry(service);
    this.prober.sync();
    const now = this.opts.now();
    const environments = this.opts.runtime.environments(entry.name).map((st) => {
      const slos =
        st.state === 'not-deployed' ? [] : sloSpecs(this.manifestOf(entry.name, st.environment)).map((spec) => computeSlo(spec, this.histories.of(entry.name, st.environment).buckets(now.getTime() / 1000 - spec.windowSeconds), now));
      const health = this.environmentHealth(entry.name, st.environment);
      return { environment: st.environment, state: st.state, ...(st.release ? { release: st.release } : {}), ...(st.url ? { url: st.url } : {}), ...(health ? { health } : {}), slos };
    });
    return { service: entry.name, basis: 'probes', note: NOTE, environments };
  }

  health(service: string, environment: string, hours: number): HealthHistory {
    const entry = this.opts.catalog.entry(service);
    const env = findEnvironment(this.opts.environments, environment);
    const fromS = this.opts.now().getTime() / 1000 - hours * 3600;
    const raw = this.histories.of(entry.name, env.name).buckets(fromS);
    // About 300 points at most: minutes for a few hours, coarser for days.
    const seconds = Math.max(60, Math.ceil((hours * 3600) / 300 / 60) * 60);
    const buckets = (raw.every((b) => b.seconds === seconds) ? raw : rollUp(raw, seconds)).map(publicBucket);
    const log = this.events(entry.name, env.name);
    const changes = log
      .after(Math.max(0, log.lastSeq - 200))
      .filter((e) => e.type === 'health')
      .reverse()
      .slice(0, 20);
    const health = this.environmentHealth(entry.name, env.name);
    return { service: entry.name, environment: env.name, ...(health ? { health } : {}), buckets, changes };
  }

  /** Every watched release with its health, by service then environment; `cursor` is the last key of the page before. */
  healthList(limit: number, cursor?: string): ServiceHealthList {
    this.prober.sync();
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
    const targets = this.prober
      .all()
      .map((t) => ({ key: `${t.service}\u0000${t.environment}`, t }))
      .filter((x) => x.key > after)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const items: ServiceHealthItem[] = [];
    let last = '';
    for (const { key, t } of targets) {
      if (items.length >= limit) break;
      let owner: string;
      try {
        owner = this.opts.catalog.entry(t.service).owner;
      } catch {
        continue; // left the catalog
      }
      const item: ServiceHealthItem = { service: t.service, owner, environment: t.environment, state: t.track.state, since: new Date(t.track.since).toISOString(), release: t.release };
      const n = this.releaseNumber(t.service, t.release);
      if (n) item.releaseNumber = n;
      if (t.track.lastError && t.track.state !== 'healthy') item.lastError = t.track.lastError;
      items.push(item);
      last = key;
    }
    const more = targets.length > 0 && last !== '' && targets[targets.length - 1].key > last;
    return more ? { items, nextCursor: Buffer.from(last, 'utf8').toString('base64url') } : { items };
  }

  private environmentHealth(service: string, environment: string): EnvironmentHealth | undefined {
    const t = this.prober.target(service, environment);
    if (!t) return undefined;
    const { track, policy } = t;
    const h: EnvironmentHealth = {
      environment,
      state: track.state,
      since: new Date(track.since).toISOString(),
      release: t.release,
      healthPath: policy.path,
      intervalSeconds: policy.intervalSeconds,
      timeoutSeconds: policy.timeoutSeconds,
      failureThreshold: policy.failureThreshold,
      consecutiveFailures: track.consecutiveFailures,
    };
    const n = this.releaseNumber(service, t.release);
    if (n) h.releaseNumber = n;
    if (!t.exited) h.url = `http://127.0.0.1:${t.port}`;
    if (policy.restartAfterSeconds) h.restartAfterSeconds = policy.restartAfterSeconds;
    if (track.lastProbeAt) h.lastProbeAt = new Date(track.lastProbeAt).toISOString();
    if (track.latencyMs !== undefined) h.latencyMs = track.latencyMs;
    if (track.lastError) h.lastError = track.lastError;
    const restarts = this.prober.automaticRestarts(service, environment);
    if (restarts) h.automaticRestarts = restarts;
    return h;
  }

  /** 1 for the service's first release, by creation. */
  private releaseNumber(service: string, release: string): number | undefined {
    const all = [...this.opts.runtime.releases.createdAt(service)].sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]));
    const i = all.findIndex(([id]) => id === release);
    return i < 0 ? undefined : i + 1;
  }

  /** The manifest a running (or last) release of a service uses in an environment; the catalog's without one. */
  manifestOf(service: string, environment: string): Record<string, unknown> {
    const entry = this.opts.catalog.entry(service);
    const slot = this.opts.runtime.slots.get(service, environment);
    const meta = slot ? this.opts.runtime.releases.runnable(service, slot.release) : undefined;
    if (!meta) return releaseManifest(entry);
    let m = this.manifests.get(meta.dir);
    if (!m) {
      m = releaseManifest(entry, meta.dir);
      if (this.manifests.size > 500) this.manifests.clear();
      this.manifests.set(meta.dir, m);
    }
    return m;
  }

  // Events, restart, stop

  events(service: string, environment: string): EventLog<OperationEvent> {
    const key = `${service}/${environment}`;
    let log = this.eventLogs.get(key);
    if (!log) {
      log = new EventLog<OperationEvent>(path.join(this.opts.stateDir, 'operations', service, `${environment}.events.jsonl`));
      this.eventLogs.set(key, log);
    }
    return log;
  }

  /** The events of a service in an environment (both must exist). */
  eventsOf(service: string, environment: string): EventLog<OperationEvent> {
    const entry = this.opts.catalog.entry(service);
    return this.events(entry.name, findEnvironment(this.opts.environments, environment).name);
  }

  restart(service: string, environment: string, req: RestartRequest): Deployment {
    const d = this.opts.runtime.restart(service, environment, { approved: req.approved });
    const log = this.events(d.service, d.environment);
    const told = log.after(Math.max(0, log.lastSeq - 20)).some((e) => e.type === 'restart' && e.deploymentId === d.id);
    if (!told) log.push({ type: 'restart', message: `restart of release ${d.release} requested: deployment ${d.id}`, release: d.release, deploymentId: d.id, automatic: false });
    return d;
  }

  async stopService(service: string, environment: string, req: StopRequest): Promise<StopResult> {
    const before = this.opts.runtime.slots.get(service, environment);
    const result = await this.opts.runtime.stopService(service, environment, { approved: req.approved });
    this.prober.sync();
    if (result.changed) this.events(service, result.environment.environment).push({ type: 'stop', message: `stopped release ${before?.release} (pid ${before?.pid}) on request`, release: before?.release });
    return result;
  }

  private healthChanged(t: ProbeTarget, previous: HealthState): void {
    const { track, policy } = t;
    let message = `${previous} → ${track.state}`;
    if (track.state !== 'healthy' && track.lastError) message += `: ${track.lastError}`;
    if (track.state === 'unhealthy') {
      message += track.consecutiveFailures > 1 ? ` (${track.consecutiveFailures} failed probes in a row)` : '';
      message += policy.restartAfterSeconds
        ? `; the platform restarts it once it has been unhealthy for ${policy.restartAfterSeconds} s (spec.health.restartAfterSeconds)`
        : '; reported, not restarted: set spec.health.restartAfterSeconds to have the platform restart it';
    }
    this.events(t.service, t.environment).push({ type: 'health', message, state: track.state, release: t.release });
    this.opts.log(`${t.service}/${t.environment}: ${message}`);
  }

  private restartAutomatically(t: ProbeTarget, unhealthyFor: number): boolean {
    if (this.opts.runtime.history.active(t.service, t.environment)) return false;
    const log = this.events(t.service, t.environment);
    try {
      const d = this.opts.runtime.restart(t.service, t.environment, { automatic: true });
      log.push({ type: 'restart', message: `unhealthy for ${unhealthyFor} s: restarting release ${t.release} as spec.health.restartAfterSeconds (${t.policy.restartAfterSeconds}) asks — deployment ${d.id}`, release: t.release, deploymentId: d.id, automatic: true });
    } catch (err) {
      log.push({ type: 'restart', message: `unhealthy for ${unhealthyFor} s, but the restart could not start: ${describeError(err)}`, release: t.release, automatic: true });
    }
    return true;
  }
}
