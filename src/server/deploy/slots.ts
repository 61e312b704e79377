/**
 * Slots: which release of a service serves in an environment, on which port, as which process group — and which
 * releases served there before (the rollback targets). Persisted in `<state-dir>/slots.json`; ports are handed out
 * from the environment's range.
 */
import type { Environment } from '../../core/api/types';
import { PavedError } from '../../core/errors';
import { readJson, writeJsonAtomic } from '../store';
import type { ProcessHost } from './processes';

export interface Slot {
  service: string;
  environment: string;
  release: string;
  port: number;
  pid: number;
  state: 'running' | 'stopped' | 'failed';
  deploymentId: string;
  /** The log run of this process (serviceLogs.ts); absent for a release started before runs existed. */
  run?: number;
  since: string;
  /** Releases that served here successfully, oldest first. */
  history: string[];
}

export interface SlotDeps {
  host: ProcessHost;
  /** This platform's PAVED_OWNER mark: only processes carrying it are adopted or stopped at load. */
  owner: string;
  now: () => Date;
  log: (line: string) => void;
}

const HISTORY = 20;

export class SlotTable {
  private readonly slots = new Map<string, Slot>();
  /** Ports handed to a release that is starting or serving. */
  private readonly usedPorts = new Set<number>();

  /** `file`: `<state-dir>/slots.json`. */
  constructor(
    private readonly file: string,
    private readonly deps: SlotDeps,
  ) {}

  /**
   * Services an earlier instance started and that still run (it was killed with SIGKILL, so it could not stop them)
   * are adopted: they keep serving and this instance stops them when it stops. A slot whose process is gone — or is
   * not ours — is marked stopped.
   */
  async load(): Promise<void> {
    const { host, owner } = this.deps;
    const saved = readJson<Slot[]>(this.file) ?? [];
    for (const s of saved) {
      if (s.state === 'running') {
        if (s.pid > 0 && host.isAlive(s.pid) && host.isOwnedBy(s.pid, owner) && !(await host.portFree(s.port))) {
          this.deps.log(`adopted ${s.service}/${s.environment} (release ${s.release}, pid ${s.pid}, port ${s.port}) left running by an earlier instance`);
          this.usedPorts.add(s.port);
        } else {
          if (s.pid > 0 && host.isAlive(s.pid) && host.isOwnedBy(s.pid, owner)) await host.stop(s.pid);
          s.state = 'stopped';
          s.since = this.deps.now().toISOString();
        }
      }
      this.slots.set(key(s.service, s.environment), s);
    }
    this.save();
  }

  private save(): void {
    writeJsonAtomic(this.file, [...this.slots.values()]);
  }

  get(service: string, environment: string): Slot | undefined {
    return this.slots.get(key(service, environment));
  }

  /** True when no service was ever started here (nothing to look up). */
  isEmpty(): boolean {
    return this.slots.size === 0;
  }

  /** A service process that died on its own (crash, killed by someone) turns its slot `failed`. */
  check(): void {
    let changed = false;
    for (const slot of this.slots.values()) {
      if (slot.state === 'running' && !(slot.pid > 0 && this.deps.host.isAlive(slot.pid))) {
        slot.state = 'failed';
        slot.since = this.deps.now().toISOString();
        this.usedPorts.delete(slot.port);
        this.deps.log(`${slot.service}/${slot.environment}: release ${slot.release} (pid ${slot.pid}) exited on its own`);
        changed = true;
      }
    }
    if (changed) this.save();
  }

  /** Number of service processes running now. */
  running(): number {
    this.check();
    return [...this.slots.values()].filter((s) => s.state === 'running').length;
  }

  /** The first free port of the environment's range, held until `releasePort` (or until its slot stops). */
  async allocatePort(env: Environment): Promise<number> {
    const { from, to } = env.portRange;
    const taken = new Set([...this.slots.values()].filter((s) => s.state === 'running').map((s) => s.port));
    for (let p = from; p <= to; p++) {
      if (taken.has(p) || this.usedPorts.has(p)) continue;
      if (await this.deps.host.portFree(p)) {
        this.usedPorts.add(p);
        return p;
      }
    }
    throw new PavedError('conflict', `no free port in ${env.name}'s range ${from}-${to}`);
  }

  /** Gives a port back unless the service's slot in that environment serves on it. */
  releasePort(service: string, environment: string, port: number): void {
    if (this.get(service, environment)?.port !== port) this.usedPorts.delete(port);
  }

  /** A healthy release becomes the slot's (and joins its history); returns the slot it replaces, still running. */
  switchTo(next: Omit<Slot, 'state' | 'since' | 'history'>): Slot | undefined {
    const k = key(next.service, next.environment);
    const prev = this.slots.get(k);
    this.slots.set(k, {
      ...next,
      state: 'running',
      since: this.deps.now().toISOString(),
      history: [...(prev?.history ?? []).filter((r) => r !== next.release), next.release].slice(-HISTORY),
    });
    this.save();
    return prev;
  }

  /** Stops a replaced release's process group and frees its port. */
  async retire(prev: Slot): Promise<void> {
    await this.deps.host.stop(prev.pid);
    this.usedPorts.delete(prev.port);
  }

  /** The release a rollback goes back to: the newest earlier one that served in the environment. */
  rollbackTarget(service: string, environment: string): string | undefined {
    const slot = this.get(service, environment);
    return [...(slot?.history ?? [])].reverse().find((r) => r !== slot?.release);
  }

  /**
   * Stops the release running in one environment; returns false when none ran there (nothing changed). The slot keeps
   * its release and history: a restart starts it again.
   */
  async stopOne(service: string, environment: string): Promise<boolean> {
    const s = this.get(service, environment);
    if (!s || s.state !== 'running') return false;
    await this.deps.host.stop(s.pid);
    s.state = 'stopped';
    s.since = this.deps.now().toISOString();
    this.usedPorts.delete(s.port);
    this.save();
    return true;
  }

  /** Every slot (for the health prober and the views). */
  all(): Slot[] {
    return [...this.slots.values()];
  }

  /** Stops every running release (of `service`, or all of them). */
  async stop(service?: string): Promise<void> {
    await Promise.all(
      [...this.slots.values()]
        .filter((s) => s.state === 'running' && (service === undefined || s.service === service))
        .map(async (s) => {
          await this.deps.host.stop(s.pid);
          s.state = 'stopped';
          s.since = this.deps.now().toISOString();
          this.usedPorts.delete(s.port);
        }),
    );
    this.save();
  }
}

function key(service: string, environment: string): string {
  return `${service}/${environment}`;
}
