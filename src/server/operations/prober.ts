/**
 * The health prober: probes every running release on its manifest's interval (`spec.health`), keeps its health
 * (core/operations applyProbe) and its probe history, and tells the operations room when a health changes or a
 * release stayed unhealthy long enough to be restarted (`spec.health.restartAfterSeconds`). One timer for all of them:
 * it wakes when the next probe is due (at least once a second, to notice releases that started or stopped), and probes
 * reuse their connections (watch.ts), so probing many services stays cheap.
 */
import type { HealthState } from '../../core/api/types';
import { applyProbe, initialTrack, type HealthPolicy, type HealthTrack, type ProbeOutcome } from '../../core/operations';
import { describeError } from '../../core/errors';
import type { Slot } from '../deploy/slots';
import type { HealthProbe } from '../deploy/watch';
import type { HealthHistories } from './healthHistory';

export interface ProbeTarget {
  service: string;
  environment: string;
  release: string;
  pid: number;
  port: number;
  policy: HealthPolicy;
  track: HealthTrack;
  /** Monotonic ms when the next probe is due. */
  due: number;
  probing: boolean;
  /** The process is gone (the slot failed): nothing to probe, unhealthy until restarted. */
  exited: boolean;
}

export interface ProberDeps {
  /** Every slot; running and failed ones are watched. */
  slots(): readonly Slot[];
  policy(slot: Slot): HealthPolicy;
  isAlive(pid: number): boolean;
  /** Marks slots whose process died as failed. */
  checkExited(): void;
  probe: HealthProbe;
  /** Wall clock (health times, history). */
  now(): Date;
  /** Monotonic ms (scheduling). */
  monotonic(): number;
  history: HealthHistories;
  /** A target's health changed (from `previous`). */
  changed(t: ProbeTarget, previous: HealthState): void;
  /**
   * It stayed unhealthy past its `restartAfterSeconds`: restart it. True when that was tried (started, or failed and
   * told): the next try waits another `restartAfterSeconds`. False to try again soon (a deployment is in progress).
   */
  restart(t: ProbeTarget, unhealthyForSeconds: number): boolean;
}

const SYNC_MS = 1000;

export class HealthProber {
  private readonly targets = new Map<string, ProbeTarget>();
  /** Automatic restarts per `service/environment` since it was last healthy. */
  private readonly restarts = new Map<string, { count: number; lastAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly deps: ProberDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The watched release of an environment, if any. */
  target(service: string, environment: string): ProbeTarget | undefined {
    return this.targets.get(`${service}/${environment}`);
  }

  all(): ProbeTarget[] {
    return [...this.targets.values()];
  }

  automaticRestarts(service: string, environment: string): number {
    return this.restarts.get(`${service}/${environment}`)?.count ?? 0;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runDue().finally(() => {
        this.running = undefined;
        const mono = this.deps.monotonic();
        const next = Math.min(mono + SYNC_MS, ...[...this.targets.values()].filter((t) => !t.exited).map((t) => t.due));
        this.schedule(Math.max(10, next - mono));
      });
    }, ms);
    this.timer.unref?.();
  }

  /** Follows the slots: new releases are watched, stopped ones dropped, a process that died turns its release unhealthy. */
  sync(): void {
    const mono = this.deps.monotonic();
    const seen = new Set<string>();
    for (const slot of this.deps.slots()) {
      if (slot.state === 'stopped') continue;
      const key = `${slot.service}/${slot.environment}`;
      let t = this.targets.get(key);
      if (!t || t.pid !== slot.pid || t.release !== slot.release) {
        if (slot.state !== 'running') continue; // a failure from before this instance: not watched
        const policy = this.deps.policy(slot);
        t = { service: slot.service, environment: slot.environment, release: slot.release, pid: slot.pid, port: slot.port, policy, track: initialTrack(this.deps.now().getTime()), due: mono + Math.random() * Math.min(1000, policy.intervalSeconds * 1000), probing: false, exited: false };
        this.targets.set(key, t);
      }
      seen.add(key);
      if (slot.state === 'failed' && !t.exited) this.apply(t, { ok: false, at: this.deps.now().getTime(), error: 'the process exited', fatal: true });
    }
    for (const key of [...this.targets.keys()]) if (!seen.has(key)) this.targets.delete(key);
  }

  /** Probes what is due, then restarts what stayed unhealthy too long. */
  async runDue(): Promise<void> {
    this.sync();
    const mono = this.deps.monotonic();
    const due = [...this.targets.values()].filter((t) => !t.exited && !t.probing && t.due <= mono);
    await Promise.all(due.map((t) => this.probeOne(t)));
    this.restartUnhealthy();
  }

  private async probeOne(t: ProbeTarget): Promise<void> {
    t.probing = true;
    try {
      if (!this.deps.isAlive(t.pid)) {
        this.deps.checkExited();
        this.apply(t, { ok: false, at: this.deps.now().getTime(), error: 'the process exited', fatal: true });
        return;
      }
      const started = this.deps.monotonic();
      let outcome: ProbeOutcome;
      try {
        const status = await this.deps.probe(t.port, t.policy.path, t.policy.timeoutSeconds * 1000);
        const latencyMs = Math.round((this.deps.monotonic() - started) * 10) / 10;
        outcome = status >= 200 && status < 300 ? { ok: true, at: this.deps.now().getTime(), latencyMs } : { ok: false, at: this.deps.now().getTime(), latencyMs, error: `GET ${t.policy.path} answered ${status}` };
      } catch (err) {
        outcome = { ok: false, at: this.deps.now().getTime(), error: `GET ${t.policy.path}: ${describeError(err)}` };
      }
      if (this.targets.get(`${t.service}/${t.environment}`) !== t) return; // replaced meanwhile (a new release)
      this.deps.history.of(t.service, t.environment).record(outcome.at, outcome.ok, outcome.ok ? outcome.latencyMs : undefined);
      this.apply(t, outcome);
    } finally {
      t.probing = false;
      t.due = Math.max(t.due + t.policy.intervalSeconds * 1000, this.deps.monotonic());
    }
  }

  private apply(t: ProbeTarget, outcome: ProbeOutcome): void {
    const previous = t.track.state;
    t.track = applyProbe(t.track, outcome, t.policy);
    if (!outcome.ok && outcome.fatal) t.exited = true;
    if (t.track.state === 'healthy') this.restarts.delete(`${t.service}/${t.environment}`);
    if (t.track.state !== previous) this.deps.changed(t, previous);
  }

  private restartUnhealthy(): void {
    const now = this.deps.now().getTime();
    for (const t of this.targets.values()) {
      const after = t.policy.restartAfterSeconds;
      if (t.track.state !== 'unhealthy' || after === undefined) continue;
      const key = `${t.service}/${t.environment}`;
      const r = this.restarts.get(key);
      const unhealthyFor = now - t.track.since;
      if (unhealthyFor < after * 1000 || (r && now - r.lastAt < after * 1000)) continue;
      if (this.deps.restart(t, Math.round(unhealthyFor / 1000))) this.restarts.set(key, { count: (r?.count ?? 0) + 1, lastAt: now });
    }
  }
}
