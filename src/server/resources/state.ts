/**
 * What the resource room remembers (`<state-dir>/resources/state.json`, written whole and atomically, so a crash or
 * kill -9 leaves the old or the new state): every resource (its type, class, outputs — the secret ones only sealed —,
 * its process), every claim binding a service's claim in an environment to a resource, and the releases done (so a
 * repeated release answers the same).
 */
import { readJson, writeJsonAtomic } from '../store';

export interface ResourceRecord {
  id: string;
  type: string;
  class: string;
  driver: string;
  /** Hash of the claim's params the resource was provisioned with. */
  params: string;
  state: 'provisioning' | 'ready' | 'failed';
  reason?: string;
  /** The non-secret outputs. */
  outputs: Record<string, string>;
  secretNames: string[];
  /** Secret outputs an exec driver returned, sealed with the room's key (postgres derives its password instead). */
  sealed?: string;
  /** The resource's own directory (data, or the exec driver's working state). */
  dir: string;
  /** The process serving it (postgres), while one runs. */
  process?: { pid: number; port: number };
  /** The port it serves on, kept across restarts. */
  port?: number;
  createdAt: string;
  updatedAt: string;
  /** When it first became ready (absent: it never did, so it holds no data yet). */
  readyAt?: string;
}

export interface ClaimRecord {
  service: string;
  environment: string;
  claim: string;
  resourceId: string;
  type: string;
  class: string;
  /** Set when a release deployed to the environment no longer claims it: kept until released explicitly. */
  orphaned: boolean;
  updatedAt: string;
}

export interface ReleasedClaim {
  service: string;
  environment: string;
  claim: string;
  resourceId: string;
  at: string;
}

interface StateFile {
  resources: ResourceRecord[];
  claims: ClaimRecord[];
  released: ReleasedClaim[];
}

const RELEASED_KEPT = 1000;

export const claimKey = (service: string, environment: string, claim: string): string => `${service}/${environment}/${claim}`;

export class ResourceState {
  private readonly resources = new Map<string, ResourceRecord>();
  private readonly claims = new Map<string, ClaimRecord>();
  private released: ReleasedClaim[] = [];

  /** `file`: `<state-dir>/resources/state.json`. */
  constructor(private readonly file: string) {}

  load(): void {
    const s = readJson<StateFile>(this.file);
    for (const r of s?.resources ?? []) this.resources.set(r.id, r);
    for (const c of s?.claims ?? []) this.claims.set(claimKey(c.service, c.environment, c.claim), c);
    this.released = s?.released ?? [];
  }

  save(): void {
    writeJsonAtomic(this.file, { resources: [...this.resources.values()], claims: [...this.claims.values()], released: this.released } satisfies StateFile);
  }

  resource(id: string): ResourceRecord | undefined {
    return this.resources.get(id);
  }

  allResources(): ResourceRecord[] {
    return [...this.resources.values()];
  }

  putResource(r: ResourceRecord): void {
    this.resources.set(r.id, r);
    this.save();
  }

  dropResource(id: string): void {
    this.resources.delete(id);
    this.save();
  }

  claim(service: string, environment: string, claim: string): ClaimRecord | undefined {
    return this.claims.get(claimKey(service, environment, claim));
  }

  /** Claims, optionally of one service (and environment). */
  claimsOf(service?: string, environment?: string): ClaimRecord[] {
    return [...this.claims.values()].filter((c) => (service === undefined || c.service === service) && (environment === undefined || c.environment === environment));
  }

  /** Whether the service has any claim record (orphaned ones included). */
  hasClaims(service: string): boolean {
    for (const c of this.claims.values()) if (c.service === service) return true;
    return false;
  }

  /** The claims bound to a resource (a shared resource has several). */
  bindings(resourceId: string): ClaimRecord[] {
    return [...this.claims.values()].filter((c) => c.resourceId === resourceId);
  }

  putClaim(c: ClaimRecord): void {
    this.claims.set(claimKey(c.service, c.environment, c.claim), c);
    this.save();
  }

  /** Forgets a claim that never held anything (no release to remember). */
  dropClaim(c: ClaimRecord): void {
    this.claims.delete(claimKey(c.service, c.environment, c.claim));
    this.save();
  }

  /** Removes a claim and remembers it was released (for an idempotent repeat). */
  release(c: ClaimRecord, at: string): void {
    this.claims.delete(claimKey(c.service, c.environment, c.claim));
    this.released = [...this.released.filter((r) => claimKey(r.service, r.environment, r.claim) !== claimKey(c.service, c.environment, c.claim)), { service: c.service, environment: c.environment, claim: c.claim, resourceId: c.resourceId, at }].slice(-RELEASED_KEPT);
    this.save();
  }

  wasReleased(service: string, environment: string, claim: string): ReleasedClaim | undefined {
    return this.released.find((r) => r.service === service && r.environment === environment && r.claim === claim);
  }

  /** A claim provisioned again after a release is no longer "released". */
  forgetRelease(service: string, environment: string, claim: string): void {
    const before = this.released.length;
    this.released = this.released.filter((r) => !(r.service === service && r.environment === environment && r.claim === claim));
    if (this.released.length !== before) this.save();
  }
}
