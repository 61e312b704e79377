/**
 * Runs one deployment through its states, a step each: build (snapshot the source into a release, provision its claims,
 * run its build) or reuse a built release (and provision its claims) → start it on a free port with the claims' outputs
 * bound into its environment → health-check it → switch over (the previous release stops; claims it no longer names are
 * kept as orphaned) — or stop the unhealthy candidate and keep the previous release serving (automatic rollback).
 * Cancellation is honoured between and during steps; every outcome is saved and told in the deployment's events, with
 * the claims' secret values masked in every log line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeploymentEvent, DeploymentState, Environment } from '../../core/api/types';
import type { CatalogEntry } from '../../core/catalog';
import { effectiveSpec, isTerminal, newReleaseId, transition, unhealthyOutcome, type EffectiveSpec } from '../../core/deploy';
import { describeError, PavedError } from '../../core/errors';
import { bindEnvironment, claimsOf, redactor } from '../../core/resources';
import type { EventLog } from '../events';
import { writeFileAtomic } from '../store';
import type { DeploymentHistory, DeploymentRecord } from './history';
import { logSize, type ProcessHost, type Spawned } from './processes';
import { releaseManifest, type ReleaseStore } from './releases';
import { envLogDir, markServed, nextRun, pruneRuns, runBase, RunTail, type ServiceLogTarget } from './serviceLogs';
import type { SlotTable } from './slots';
import { followToExit, waitHealthy, type EventSink, type HealthProbe } from './watch';

/** What a deployment needs of the resource room (server/resources): its claims provisioned, and settled after a switch. */
export interface DeploymentResources {
  /** Provisions the manifest's claims for the service in the environment; fails with a clear message. */
  provision(req: {
    service: string;
    environment: string;
    manifest: Record<string, unknown>;
    log: (line: string, kind?: 'step' | 'stdout' | 'stderr') => void;
    signal: AbortSignal;
  }): Promise<{ outputs: Map<string, Record<string, string>>; secrets: string[] }>;
  /** After a switch-over: the claims in the environment the release does not name become orphaned (kept). */
  settle(service: string, environment: string, claimed: readonly string[], log: (line: string, kind?: 'step') => void): Promise<void>;
}

export interface RunnerDeps {
  /** Where build and service logs go (`<state-dir>/logs`). */
  logDir: string;
  /** The secret values a release of a service gets in an environment: its log writer redacts them. */
  secrets: (service: string, environment: string, manifest: Record<string, unknown>) => readonly string[];
  owner: string;
  host: ProcessHost;
  probe: HealthProbe;
  history: DeploymentHistory;
  releases: ReleaseStore;
  slots: SlotTable;
  now: () => Date;
  log: (line: string) => void;
  /** True once the platform is stopping (cancellations say so). */
  stopping: () => boolean;
  /** Provisions claims (absent: a manifest with claims cannot be deployed). */
  resources?: DeploymentResources;
}

/** What one run asks for. */
export interface RunRequest {
  d: DeploymentRecord;
  entry: CatalogEntry;
  env: Environment;
  /** Snapshot and build a new release (deploy), or start `d.release` as it is (rollback, promote, redeploy). */
  build: boolean;
  healthTimeoutSeconds: number;
  signal: AbortSignal;
  events: EventLog<DeploymentEvent>;
  /** The repository's `.paved/policies.yaml` when the deployment was checked: stored with a new release. */
  repoPolicies?: string;
}

/** A run as it goes: the candidate process and its port, while they are the run's to clean up, and its log. */
interface Run extends RunRequest {
  candidate?: Spawned;
  port?: number;
  log?: ServiceLogTarget;
  /** The environment variables with the claims' outputs bound (set by provisioning). */
  vars?: Record<string, string>;
  /** The claims the release names (settled after the switch). */
  claims?: string[];
  /** The claims' secret values: masked in the deployment's events and redacted by the service's log writer. */
  claimSecrets?: readonly string[];
  /** Where process output goes: the events, with secret values masked. */
  sink: EventSink;
  /** Every secret value of the release (set by provisioning), and what hides them (none: nothing to hide). */
  secrets?: readonly string[];
  redact?: (text: string) => string;
}

/** Log runs kept per service and environment (each at most LOG_KEEP_GENERATIONS files of LOG_ROTATE_BYTES). */
const KEEP_RUNS = 10;

export class DeploymentRunner {
  /** Deployments building now, with what hides their secrets in the build log (GET …/log reads it while it grows). */
  private readonly building = new Map<string, (text: string) => string>();

  constructor(private readonly deps: RunnerDeps) {}

  /** What hides the secrets of a build in progress; undefined once it ended (its log file has them hidden). */
  buildLogRedactor(id: string): ((text: string) => string) | undefined {
    return this.building.get(id);
  }

  async run(req: RunRequest): Promise<void> {
    const run: Run = { ...req, sink: req.events };
    const { d, entry, env } = run;
    try {
      d.startedAt = this.deps.now().toISOString();
      const releaseDir = run.build ? await this.build(run) : await this.reuse(run);
      if (releaseDir === undefined || this.cancelled(run)) return;
      const manifest = releaseManifest(entry, releaseDir);
      const spec = effectiveSpec(manifest, env.name);
      await this.start(run, releaseDir, spec, manifest);
      if (await this.healthy(run, spec)) await this.switchOver(run);
    } catch (err) {
      if (run.candidate) await this.deps.host.stop(run.candidate.pid);
      d.error = describeError(err);
      this.deps.log(`deployment ${d.id}: ${d.error}`);
      if (!isTerminal(d.state)) this.setState(run, 'failed', `failed: ${d.error}`);
    } finally {
      if (run.port !== undefined) this.deps.slots.releasePort(entry.name, env.name, run.port);
    }
  }

  private setState(run: Run, state: DeploymentState, message: string): void {
    const { d } = run;
    d.state = transition(d.state, state);
    if (isTerminal(state)) {
      d.finishedAt = this.deps.now().toISOString();
      delete d.pid;
    }
    this.deps.history.save(d);
    const type = state === 'succeeded' ? 'completed' : state === 'failed' || state === 'cancelled' ? 'failed' : state === 'rolled-back' ? 'rollback' : 'state';
    run.events.push({ type, message, state });
  }

  /** Ends the run as cancelled when it was; the previous release keeps serving. */
  private cancelled(run: Run): boolean {
    if (!run.signal.aborted) return false;
    this.setState(run, 'cancelled', this.deps.stopping() ? 'cancelled: the platform is stopping' : 'cancelled; the previous release keeps serving');
    run.d.error = 'cancelled';
    this.deps.history.save(run.d);
    return true;
  }

  /** Step 1 (deploy): snapshot the source as a new release and build it; its directory, or undefined when the run ended. */
  private async build(run: Run): Promise<string | undefined> {
    const { d, entry, env, events } = run;
    this.setState(run, 'building', 'taking a snapshot and building');
    const rel = newReleaseId(this.deps.now());
    d.release = rel;
    events.push({ type: 'step', step: 'snapshot', message: `snapshot of ${entry.sourceDir} as release ${rel}` });
    const releaseDir = this.deps.releases.snapshot(entry.name, rel, entry.sourceDir as string);
    this.deps.history.save(d);
    const manifest = releaseManifest(entry, releaseDir);
    if (!(await this.provision(run, manifest))) return undefined;
    const spec = effectiveSpec(manifest, env.name);
    if (spec.build) {
      events.push({ type: 'step', step: 'build', message: `$ ${spec.build}` });
      const logFile = path.join(this.deps.logDir, `${entry.name}-${rel}-build.log`);
      d.buildLog = logFile;
      const from = logSize(logFile);
      const proc = this.deps.host.spawn(spec.build, { cwd: releaseDir, env: { ...process.env, ...run.vars, PAVED_OWNER: this.deps.owner, PAVED_RELEASE: rel, PAVED_ENVIRONMENT: env.name }, logFile });
      d.pid = proc.pid;
      this.deps.history.save(d);
      // With secrets to hide: while it builds, GET …/log hides them as it reads the file; once it ended, the file has
      // them hidden. Without, the log is served and kept as the build wrote it.
      const redact = run.redact;
      if (redact) this.building.set(d.id, redact);
      let code: number | string;
      try {
        code = await followToExit(this.deps.host, proc, { file: logFile, from }, run.sink, run.signal, `GET /v1/deployments/${d.id}/log`);
      } finally {
        if (redact) {
          redactFile(logFile, from, redact);
          this.building.delete(d.id);
        }
      }
      delete d.pid;
      if (this.cancelled(run)) return undefined;
      if (code !== 0) {
        d.error = `build failed (exit ${code})`;
        this.setState(run, 'failed', `${d.error}; nothing changed in ${env.name}`);
        return undefined;
      }
    }
    this.deps.releases.record({ id: rel, service: entry.name, createdAt: d.startedAt as string, dir: releaseDir, ...(run.repoPolicies !== undefined ? { repoPolicies: run.repoPolicies } : {}) });
    return releaseDir;
  }

  /** Step 1 (rollback, promote): the release to start is already built; its claims are provisioned here. */
  private async reuse(run: Run): Promise<string | undefined> {
    const meta = this.deps.releases.get(run.entry.name, run.d.release as string);
    if (!meta) throw new Error(`release ${run.d.release} of ${run.entry.name} is gone`);
    run.events.push({ type: 'step', step: 'snapshot', message: `reusing release ${meta.id} (built ${meta.createdAt}); no rebuild` });
    return (await this.provision(run, releaseManifest(run.entry, meta.dir))) ? meta.dir : undefined;
  }

  /**
   * Provisions the release's claims and binds their outputs into its environment (`run.env`), masking their secret
   * values in every log line from then on. A failure fails the deployment; the release serving now keeps serving.
   */
  private async provision(run: Run, manifest: Record<string, unknown>): Promise<boolean> {
    const { d, entry, env, events } = run;
    const spec = effectiveSpec(manifest, env.name);
    const claims = claimsOf(manifest);
    try {
      let outputs = new Map<string, Record<string, string>>();
      if (claims.length > 0) {
        if (!this.deps.resources) throw new PavedError('unsupported', 'this platform provisions no resources');
        const log = (message: string, kind: 'step' | 'stdout' | 'stderr' = 'step') =>
          events.push(kind === 'step' ? { type: 'step', step: 'provision', message } : { type: 'log', step: 'provision', stream: kind, message });
        const p = await this.deps.resources.provision({ service: entry.name, environment: env.name, manifest, log, signal: run.signal });
        outputs = p.outputs;
        run.claimSecrets = p.secrets;
      }
      // From here on every line the run shows — its events, its build log, its service's log — hides the secret values
      // the release gets: the claims' and those its manifest names (spec.secrets).
      run.secrets = [...this.deps.secrets(entry.name, env.name, manifest), ...(run.claimSecrets ?? [])];
      if (run.secrets.length > 0) {
        const redact = redactor(run.secrets);
        run.redact = redact;
        run.sink = { push: (e) => events.push({ ...e, message: redact(e.message) }) };
      }
      const bound = bindEnvironment(spec.env, outputs);
      if (bound.problems.length > 0) throw new PavedError('invalid-input', `cannot bind the environment: ${bound.problems.join('; ')}`);
      run.vars = bound.env;
      run.claims = claims.map((c) => c.name);
      return true;
    } catch (err) {
      if (this.cancelled(run)) return false;
      d.error = describeError(err);
      this.setState(run, 'failed', `${d.error}; nothing changed in ${env.name}`);
      return false;
    }
  }

  /** Step 2: start the release on a free port of the environment, next to the one serving now, as a new log run. */
  private async start(run: Run, releaseDir: string, spec: EffectiveSpec, manifest: Record<string, unknown>): Promise<void> {
    const { d, entry, env, events } = run;
    this.setState(run, 'starting', `starting release ${d.release} in ${env.name}`);
    const port = await this.deps.slots.allocatePort(env);
    run.port = port;
    d.port = port;
    const dir = envLogDir(this.deps.logDir, entry.name, env.name);
    pruneRuns(dir, KEEP_RUNS, this.deps.slots.get(entry.name, env.name)?.run);
    run.log = { dir, run: nextRun(dir), release: d.release as string, secrets: run.secrets ?? this.deps.secrets(entry.name, env.name, manifest) };
    events.push({ type: 'step', step: 'start', message: `$ PORT=${port} ${spec.run}` });
    run.candidate = this.deps.host.spawnService(spec.run as string, {
      cwd: releaseDir,
      env: { ...process.env, ...(run.vars ?? spec.env), PORT: String(port), PAVED_ENVIRONMENT: env.name, PAVED_RELEASE: d.release, PAVED_SERVICE: entry.name, PAVED_OWNER: this.deps.owner },
      log: run.log,
    });
    d.pid = run.candidate.pid;
    this.deps.history.save(d);
  }

  /** Step 3: wait for the health check; an unhealthy (or cancelled) candidate is stopped and the run ends. */
  private async healthy(run: Run, spec: EffectiveSpec): Promise<boolean> {
    const { d, entry, env, events } = run;
    const candidate = run.candidate as Spawned;
    const port = run.port as number;
    this.setState(run, 'health-checking', `waiting up to ${run.healthTimeoutSeconds}s for GET ${spec.healthPath} on port ${port}`);
    const log = run.log as ServiceLogTarget;
    const tail = new RunTail(log.dir, runBase(log.run, log.release));
    const health = await waitHealthy(this.deps.probe, candidate, { port, healthPath: spec.healthPath, timeoutMs: run.healthTimeoutSeconds * 1000 }, tail, run.sink, run.signal);
    if (run.signal.aborted) {
      await this.dropCandidate(run);
      this.cancelled(run);
      return false;
    }
    if (health.ok) {
      events.push({ type: 'health', step: 'health', message: `healthy: GET ${spec.healthPath} → 200` });
      return true;
    }
    events.push({ type: 'health', step: 'health', message: `unhealthy: ${health.reason}` });
    events.push({ type: 'step', step: 'stop', message: `stopping the new release ${d.release}` });
    await this.dropCandidate(run);
    const prev = this.deps.slots.get(entry.name, env.name);
    d.error = `health check failed: ${health.reason}`;
    if (prev?.state === 'running') {
      d.automaticRollback = true;
      this.setState(run, unhealthyOutcome(true), `automatic rollback: release ${prev.release} keeps serving on port ${prev.port}`);
    } else {
      this.setState(run, unhealthyOutcome(false), `${d.error}; no earlier release was serving`);
    }
    return false;
  }

  private async dropCandidate(run: Run): Promise<void> {
    await this.deps.host.stop((run.candidate as Spawned).pid);
    run.candidate = undefined;
    delete run.d.port;
  }

  /** Step 4: the healthy release becomes the environment's, then the previous one stops. */
  private async switchOver(run: Run): Promise<void> {
    const { d, entry, env, events } = run;
    const port = run.port as number;
    const log = run.log as ServiceLogTarget;
    markServed(log.dir, log.run);
    const prev = this.deps.slots.switchTo({ service: entry.name, environment: env.name, release: d.release as string, port, pid: (run.candidate as Spawned).pid, deploymentId: d.id, run: log.run });
    events.push({ type: 'step', step: 'switch', message: `${env.name} now serves ${d.release} at http://127.0.0.1:${port}` });
    run.candidate = undefined;
    if (prev?.state === 'running') {
      events.push({ type: 'step', step: 'stop', message: `stopping previous release ${prev.release} (port ${prev.port})` });
      await this.deps.slots.retire(prev);
    }
    await this.deps.resources?.settle(entry.name, env.name, run.claims ?? [], (message) => events.push({ type: 'step', step: 'provision', message }));
    d.url = `http://127.0.0.1:${port}`;
    this.setState(run, 'succeeded', `${d.release} is serving in ${env.name} at ${d.url}`);
  }
}

/** Rewrites the part of a build log from byte `from` with the secret values hidden (atomically; unchanged: no write). */
function redactFile(file: string, from: number, redact: (text: string) => string): void {
  let whole: Buffer;
  try {
    whole = fs.readFileSync(file);
  } catch {
    return; // no output
  }
  const rest = whole.subarray(from).toString('utf8');
  const hidden = redact(rest);
  if (hidden !== rest) writeFileAtomic(file, whole.subarray(0, from).toString('utf8') + hidden);
}
