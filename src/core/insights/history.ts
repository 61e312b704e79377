/**
 * Deployment history in columns: one typed array per field, service and environment names interned to small
 * integers. A million deployments take ~30 MB and are walked in one pass; rows are added as deployments finish.
 */

export const KINDS = ['deploy', 'rollback', 'promote', 'restart'] as const;
/** Terminal states only: deployments still running are not history yet. */
export const STATES = ['succeeded', 'failed', 'rolled-back', 'cancelled'] as const;
export const K_DEPLOY = 0;
export const K_ROLLBACK = 1;
export const K_PROMOTE = 2;
export const S_SUCCEEDED = 0;
export const S_FAILED = 1;
export const S_ROLLED_BACK = 2;
export const S_CANCELLED = 3;

export interface HistoryRow {
  service: string;
  environment: string;
  kind: (typeof KINDS)[number];
  state: (typeof STATES)[number];
  /** When the deployment finished (ms). */
  finishedAt: number;
  /** When its release snapshot was taken (ms); NaN or absent when unknown. */
  releaseCreatedAt?: number;
}

/** Names ↔ small integers. */
export class Interner {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  id(name: string): number {
    let i = this.ids.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.ids.set(name, i);
    }
    return i;
  }

  find(name: string): number | undefined {
    return this.ids.get(name);
  }
}

export class DeploymentTable {
  length = 0;
  readonly services = new Interner();
  readonly environments = new Interner();
  service = new Uint32Array(1024);
  environment = new Uint8Array(1024);
  kind = new Uint8Array(1024);
  state = new Uint8Array(1024);
  finishedAt = new Float64Array(1024);
  releaseCreatedAt = new Float64Array(1024);
  /** True while rows were added in finish order (the usual case); else `order()` sorts. */
  private inOrder = true;
  private sortedOrder: Uint32Array | undefined;

  /** Adds a finished deployment; a state that is not terminal is refused. */
  add(r: HistoryRow): void {
    const state = STATES.indexOf(r.state);
    const kind = KINDS.indexOf(r.kind);
    if (state < 0 || kind < 0 || !Number.isFinite(r.finishedAt)) throw new Error(`not a finished deployment: ${r.service} ${r.kind} ${r.state}`);
    if (this.length === this.service.length) this.grow();
    const i = this.length++;
    this.service[i] = this.services.id(r.service);
    this.environment[i] = this.environments.id(r.environment);
    this.kind[i] = kind;
    this.state[i] = state;
    this.finishedAt[i] = r.finishedAt;
    this.releaseCreatedAt[i] = r.releaseCreatedAt ?? NaN;
    if (i > 0 && r.finishedAt < this.finishedAt[i - 1]) this.inOrder = false;
    this.sortedOrder = undefined;
  }

  private grow(): void {
    const n = this.service.length * 2;
    const copy = <T extends Uint32Array | Uint8Array | Float64Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.service = copy(this.service, new Uint32Array(n));
    this.environment = copy(this.environment, new Uint8Array(n));
    this.kind = copy(this.kind, new Uint8Array(n));
    this.state = copy(this.state, new Uint8Array(n));
    this.finishedAt = copy(this.finishedAt, new Float64Array(n));
    this.releaseCreatedAt = copy(this.releaseCreatedAt, new Float64Array(n));
  }

  /** Row indices in finish order (stable); computed once after rows arrive out of order. */
  order(): Uint32Array {
    if (this.sortedOrder && this.sortedOrder.length === this.length) return this.sortedOrder;
    const idx = new Uint32Array(this.length);
    for (let i = 0; i < idx.length; i++) idx[i] = i;
    if (!this.inOrder) {
      const t = this.finishedAt;
      idx.sort((a, b) => t[a] - t[b] || a - b);
    }
    this.sortedOrder = idx;
    return idx;
  }

  /** For each service, the first time it was healthy in each environment (ms, NaN never): [service][environment]. */
  firstHealthy(): (service: string, environment: string) => number | undefined {
    const envs = this.environments.names.length;
    const first = new Float64Array(this.services.names.length * envs).fill(NaN);
    for (let i = 0; i < this.length; i++) {
      if (this.state[i] !== S_SUCCEEDED) continue;
      const k = this.service[i] * envs + this.environment[i];
      if (!(first[k] <= this.finishedAt[i])) first[k] = this.finishedAt[i];
    }
    return (service, environment) => {
      const s = this.services.find(service);
      const e = this.environments.find(environment);
      if (s === undefined || e === undefined) return undefined;
      const v = first[s * envs + e];
      return Number.isNaN(v) ? undefined : v;
    };
  }
}
