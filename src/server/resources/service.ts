/**
 * The resource room's front: provisions a deployment's claims (before its build), keeps the claims a deployed release
 * no longer names as orphaned (never deleting data silently), releases them on request, reveals an output to the
 * platform-token holder, and tells each claim's state per environment. Drivers do the work per type (drivers/); state.ts
 * remembers it crash-safe; secrets.ts keeps the secrets out of every file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import type { ClaimSummary, Environment, Page, RevealedClaimOutput } from '../../core/api/types';
import { pageSorted } from '../../core/catalog';
import { describeError, PavedError } from '../../core/errors';
import { classFor, claimsOf, maskOutputs, resourceIdFor, type Claim, type ClaimStatus, type ResourceType } from '../../core/resources';
import type { ProcessHost } from '../deploy/processes';
import { execDriver } from './drivers/exec';
import { PostgresDriver } from './drivers/postgres';
import type { ResourceDriver } from './drivers/types';
import { volumeDriver } from './drivers/volume';
import { publicType, ResourceTypes, type DefinedType } from './registry';
import { SecretKeeper } from './secrets';
import { ResourceState, type ClaimRecord, type ResourceRecord } from './state';

/** The catalog as the resource room needs it: a service's v1 manifest, undefined when the service is not in it. */
export interface ResourceCatalog {
  manifestOf(service: string): Record<string, unknown> | undefined;
  /** Whether the service's manifest declares claims (asked for every service of a catalog page: cheap). */
  declaresClaims(service: string): boolean;
}

export interface ResourceServiceOptions {
  stateDir: string;
  owner: string;
  host: ProcessHost;
  environments: readonly Environment[];
  catalog: ResourceCatalog;
  /** `paved serve --resources` directories of definition files. */
  resourceDirs: readonly string[];
  cacheDir: string;
  /** Ports resources serve on. */
  ports: { from: number; to: number };
  now: () => Date;
  log: (line: string) => void;
  /** The deployment in progress for a service in an environment, if any (a claim is not released under it). */
  activeDeployment: (service: string, environment: string) => string | undefined;
}

/** One line of a deployment's log. */
export type ProvisionLog = (line: string, kind?: 'step' | 'stdout' | 'stderr') => void;

export interface Provisioned {
  /** Claim name → every output (secret ones included: for the process environment only). */
  outputs: Map<string, Record<string, string>>;
  /** The secret values, for masking log lines. */
  secrets: string[];
}

const hashParams = (params: Record<string, unknown>): string => createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16);

export class ResourceService {
  readonly types: ResourceTypes;
  private readonly state: ResourceState;
  private readonly keeper: SecretKeeper;
  private readonly drivers: Record<string, ResourceDriver>;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly dataDir: string;

  constructor(private readonly o: ResourceServiceOptions) {
    const dir = path.join(o.stateDir, 'resources');
    this.dataDir = path.join(dir, 'data');
    this.types = new ResourceTypes(o.resourceDirs);
    this.state = new ResourceState(path.join(dir, 'state.json'));
    this.keeper = new SecretKeeper(path.join(dir, 'key'));
    const postgres = new PostgresDriver({
      host: o.host,
      owner: o.owner,
      keeper: this.keeper,
      logDir: path.join(o.stateDir, 'logs', 'resources'),
      packageDir: __dirname,
      cacheDir: o.cacheDir,
      ports: o.ports,
      portsInUse: () => new Set(this.state.allResources().flatMap((r) => (r.port !== undefined ? [r.port] : []))),
      save: (r) => this.state.putResource(r),
    });
    this.drivers = { postgres, volume: volumeDriver, exec: execDriver(o.owner, (r) => this.outputsOf(r)) };
  }

  /** Loads the types and the state; adopts the processes a killed platform left serving, forgets the others. */
  async load(): Promise<void> {
    this.types.load();
    this.state.load();
    for (const r of this.state.allResources()) {
      await this.drivers[r.driver]?.adopt?.(r);
      if (r.state === 'provisioning') {
        // The platform stopped while provisioning it: the next deployment provisions it again.
        r.state = 'failed';
        r.reason = 'the platform stopped while provisioning it';
        this.state.putResource(r);
      }
    }
  }

  /** Stops every resource process (the data stays; the next deployment that needs one starts it again). */
  async stop(): Promise<void> {
    await Promise.all(this.state.allResources().map(async (r) => this.drivers[r.driver]?.stop?.(r)));
  }

  /** Resource processes serving now. */
  runningProcesses(): number {
    return this.state.allResources().filter((r) => r.process !== undefined).length;
  }

  listTypes(): ResourceType[] {
    return this.types.list().map(publicType);
  }

  // Provisioning (a deployment's step before its build)

  /** Provisions every claim of `manifest` for the service in the environment; fails on the first claim that cannot be. */
  async provision(req: { service: string; environment: string; manifest: Record<string, unknown>; log: ProvisionLog; signal: AbortSignal }): Promise<Provisioned> {
    const outputs = new Map<string, Record<string, string>>();
    const secrets: string[] = [];
    for (const claim of claimsOf(req.manifest)) {
      const t = this.types.get(claim.type);
      if (!t) throw new PavedError('conflict', `claim ${claim.name}: this platform has no resource type "${claim.type}" (it offers ${this.types.list().map((x) => x.type).join(', ')})`);
      const cls = classFor(t, claim.class);
      if (cls === undefined) throw new PavedError('conflict', `claim ${claim.name}: ${t.type} has no class "${claim.class}" (classes: ${t.classes.map((c) => c.name).join(', ')})`);
      this.checkParams(t, claim);
      const all = await this.locked(resourceIdFor(req.service, req.environment, claim), () => this.provisionClaim(req, claim, t, cls));
      outputs.set(claim.name, all);
      for (const o of t.outputs) if (o.secret && all[o.name]) secrets.push(all[o.name]);
    }
    return { outputs, secrets };
  }

  private checkParams(t: DefinedType, claim: Claim): void {
    let v = this.validators.get(t.type);
    if (!v) {
      v = this.ajv.compile(t.params);
      this.validators.set(t.type, v);
    }
    if (!v(claim.params)) throw new PavedError('invalid-input', `claim ${claim.name}: params ${(v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ')}`);
  }

  private async provisionClaim(req: { service: string; environment: string; log: ProvisionLog; signal: AbortSignal }, claim: Claim, t: DefinedType, cls: string): Promise<Record<string, string>> {
    const id = resourceIdFor(req.service, req.environment, claim);
    const label = `${claim.name} (${t.type}, ${cls})`;
    const started = Date.now();
    req.log(`provisioning ${label}…`, 'step');
    const now = this.o.now().toISOString();
    let existing = this.state.resource(id);
    if (existing && !existing.readyAt && (existing.type !== t.type || existing.class !== cls)) {
      // It never became ready, so it holds nothing: provision the claim as it is now from scratch.
      await this.discard(existing);
      existing = undefined;
    }
    if (existing && existing.type !== t.type) throw new PavedError('conflict', `provisioning ${label} failed: resource ${id} is a ${existing.type}; release it before claiming it as ${t.type}`);
    if (existing && t.driver !== 'exec' && existing.class !== cls) throw new PavedError('conflict', `provisioning ${label} failed: ${id} was provisioned as class ${existing.class}; the local platform does not change the class of an existing ${t.type} (release it first)`);
    const bind = () => {
      this.state.putClaim({ service: req.service, environment: req.environment, claim: claim.name, resourceId: id, type: t.type, class: cls, orphaned: false, updatedAt: this.o.now().toISOString() });
      this.state.forgetRelease(req.service, req.environment, claim.name);
    };
    const r: ResourceRecord = existing ?? { id, type: t.type, class: cls, driver: t.driver, params: '', state: 'provisioning', outputs: {}, secretNames: [], dir: path.join(this.dataDir, id), createdAt: now, updatedAt: now };
    const driver = this.drivers[t.driver];
    const params = hashParams(claim.params);
    let all: Record<string, string>;
    if (driver.ensure === 'when-changed' && r.state === 'ready' && r.class === cls && r.params === params) {
      all = this.outputsOf(r);
      req.log(`provisioning ${label}… ready (provisioned before, unchanged)`, 'step');
    } else {
      Object.assign(r, { state: 'provisioning', class: cls, params, updatedAt: now });
      delete r.reason;
      this.state.putResource(r);
      try {
        all = await driver.provision({ record: r, type: t, claim, service: req.service, environment: req.environment, signal: req.signal, log: (line, stream) => req.log(line, stream ?? 'stdout') });
      } catch (err) {
        r.state = 'failed';
        r.reason = describeError(err);
        r.updatedAt = this.o.now().toISOString();
        this.state.putResource(r);
        // Bound even so: its state (failed, and why) shows under the claim until a deployment fixes or drops it.
        bind();
        if (PavedError.is(err, 'cancelled')) throw err;
        throw new PavedError('conflict', `provisioning ${label} failed: ${r.reason}`, { cause: err });
      }
      const secretNames = t.outputs.filter((o) => o.secret).map((o) => o.name);
      r.outputs = Object.fromEntries(Object.entries(all).filter(([k]) => !secretNames.includes(k)));
      r.secretNames = secretNames;
      if (driver.derivedSecrets) delete r.sealed;
      else r.sealed = this.keeper.seal(Object.fromEntries(Object.entries(all).filter(([k]) => secretNames.includes(k))));
      r.state = 'ready';
      r.updatedAt = this.o.now().toISOString();
      r.readyAt ??= r.updatedAt;
      this.state.putResource(r);
      const shown = Object.entries(r.outputs).map(([k, v]) => `${k} ${v}`).join(', ');
      req.log(`provisioning ${label}… ready in ${((Date.now() - started) / 1000).toFixed(1)} s${shown ? ` (${shown})` : ''}`, 'step');
    }
    bind();
    return all;
  }

  /** Forgets a resource that never became ready (its directory too): there is no data to keep. */
  private async discard(r: ResourceRecord): Promise<void> {
    await this.drivers[r.driver]?.stop?.(r);
    fs.rmSync(r.dir, { recursive: true, force: true });
    for (const c of this.state.bindings(r.id)) this.state.dropClaim(c);
    this.state.dropResource(r.id);
  }

  /**
   * After a release switched over: the service's claims in the environment it no longer names become orphaned (their
   * data is kept); one whose resource never became ready holds nothing and is dropped.
   */
  async settle(service: string, environment: string, claimed: readonly string[], log: (line: string, kind?: 'step') => void): Promise<void> {
    for (const c of this.state.claimsOf(service, environment)) {
      if (claimed.includes(c.claim) || c.orphaned) continue;
      const r = this.state.resource(c.resourceId);
      if (r && !r.readyAt && this.state.bindings(r.id).length === 1) {
        try {
          await this.locked(r.id, () => this.discard(r));
          log(`claim ${c.claim} is no longer in the manifest and was never provisioned: dropped`, 'step');
        } catch (err) {
          // The release is serving already: a leftover is reported, never a reason to fail the deployment.
          log(`claim ${c.claim} is no longer in the manifest; dropping what its failed provisioning left failed: ${describeError(err)}`, 'step');
        }
        continue;
      }
      c.orphaned = true;
      c.updatedAt = this.o.now().toISOString();
      this.state.putClaim(c);
      log(`claim ${c.claim} is no longer in the manifest: its ${c.type} (resource ${c.resourceId}) is kept, orphaned, until released with: paved resources release ${service} ${c.claim} --env ${environment}`, 'step');
    }
  }

  /** Every output of a ready resource, secret ones included. */
  private outputsOf(r: ResourceRecord): Record<string, string> {
    const secrets = r.sealed ? this.keeper.unseal(r.sealed) : (this.drivers[r.driver]?.derivedSecrets?.(r) ?? {});
    return { ...r.outputs, ...secrets };
  }

  private async locked<T>(id: string, body: () => Promise<T>): Promise<T> {
    const before = this.locks.get(id) ?? Promise.resolve();
    const run = before.then(body, body);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }

  // What the API shows

  private status(c: ClaimRecord, serviceGone: boolean): ClaimStatus {
    const r = this.state.resource(c.resourceId);
    const t = this.types.get(c.type);
    const secretNames = r?.secretNames ?? t?.outputs.filter((o) => o.secret).map((o) => o.name) ?? [];
    const s: ClaimStatus = {
      service: c.service,
      claim: c.claim,
      environment: c.environment,
      type: c.type,
      class: c.class,
      state: c.orphaned || serviceGone ? 'orphaned' : (r?.state ?? 'failed'),
      resourceId: c.resourceId,
      outputs: r && r.state === 'ready' ? maskOutputs({ ...r.outputs, ...Object.fromEntries(secretNames.map((n) => [n, ''])) }, secretNames) : {},
      secretOutputs: secretNames,
      updatedAt: c.updatedAt,
    };
    if (s.state === 'orphaned') s.reason = serviceGone ? `${c.service} is no longer in the catalog; the data is kept until the claim is released` : `no longer claimed by the release deployed to ${c.environment}; the data is kept until the claim is released`;
    else if (r?.state === 'failed') s.reason = r.reason;
    else if (!r) s.reason = 'its resource record is missing';
    return s;
  }

  /** A service's claims in every environment: declared ones (pending until deployed there) and orphaned ones. */
  claimsOfService(service: string): ClaimStatus[] {
    const manifest = this.o.catalog.manifestOf(service);
    const declared = manifest ? claimsOf(manifest) : [];
    const out: ClaimStatus[] = [];
    for (const env of this.o.environments) {
      for (const claim of declared) {
        const rec = this.state.claim(service, env.name, claim.name);
        if (rec) {
          out.push(this.status(rec, false));
          continue;
        }
        const t = this.types.get(claim.type);
        const id = resourceIdFor(service, env.name, claim);
        // Never bound here yet: its resource failed to provision, or the next deployment provisions it.
        const failed = this.state.resource(id)?.state === 'failed' ? this.state.resource(id) : undefined;
        out.push({
          service,
          claim: claim.name,
          environment: env.name,
          type: claim.type,
          class: (t && classFor(t, claim.class)) ?? claim.class ?? '',
          state: failed ? 'failed' : 'pending',
          reason: failed?.reason ?? (t ? `provisioned by the next deployment to ${env.name}` : `this platform has no resource type "${claim.type}"`),
          resourceId: id,
          outputs: {},
          secretOutputs: t?.outputs.filter((o) => o.secret).map((o) => o.name) ?? [],
          ...(failed ? { updatedAt: failed.updatedAt } : {}),
        });
      }
      for (const rec of this.state.claimsOf(service, env.name)) if (!declared.some((d) => d.name === rec.claim)) out.push(this.status(rec, manifest === undefined));
    }
    return out;
  }

  /** The catalog's compact form: each claim's state per environment (nothing for a service without claims). */
  claimSummary(service: string): ClaimSummary[] {
    if (!this.o.catalog.declaresClaims(service) && !this.state.hasClaims(service)) return [];
    const out = new Map<string, ClaimSummary>();
    for (const c of this.claimsOfService(service)) {
      const s = out.get(c.claim) ?? { name: c.claim, type: c.type, states: {} };
      s.states[c.environment] = c.state;
      out.set(c.claim, s);
    }
    return [...out.values()];
  }

  /** Claims of every service, ordered by service, environment and claim. */
  list(q: { service?: string; environment?: string; state?: string; limit: number; cursor?: string }): Page<ClaimStatus> {
    const key = (c: ClaimRecord) => `${c.service}\0${c.environment}\0${c.claim}`;
    const sorted = this.state.claimsOf(q.service, q.environment).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const statuses = new Map(sorted.map((c) => [c, this.status(c, this.o.catalog.manifestOf(c.service) === undefined)]));
    return pageSorted(sorted, key, { limit: q.limit, cursor: q.cursor, filter: (c) => q.state === undefined || statuses.get(c)!.state === q.state, map: (c) => statuses.get(c)! });
  }

  // Release and reveal

  /** Releases an orphaned claim (deleting its resource when no other claim shares it). `false`: it was released before. */
  async release(service: string, environment: string, claim: string): Promise<boolean> {
    const c = this.state.claim(service, environment, claim);
    if (!c) {
      if (this.state.wasReleased(service, environment, claim)) return false;
      throw new PavedError('not-found', `${service} has no claim '${claim}' in ${environment}`);
    }
    const serviceGone = this.o.catalog.manifestOf(service) === undefined;
    if (!c.orphaned && !serviceGone) {
      throw new PavedError('conflict', `claim ${claim} of ${service} is still in use in ${environment} (the release deployed there claims it); remove it from paved.yaml and deploy first, then release it`);
    }
    const active = this.o.activeDeployment(service, environment);
    if (active) throw new PavedError('conflict', `deployment ${active} of ${service} to ${environment} is in progress; release the claim when it has finished`);
    await this.locked(c.resourceId, async () => {
      const shared = this.state.bindings(c.resourceId).filter((b) => b !== c);
      const r = this.state.resource(c.resourceId);
      if (shared.length === 0 && r) {
        const t = this.types.get(r.type);
        if (!t) throw new PavedError('conflict', `resource type ${r.type} is no longer defined on this platform, so ${c.resourceId} cannot be deprovisioned; restore its definition first`);
        await this.drivers[r.driver].release(r, t, (line) => this.o.log(`release ${c.resourceId}: ${line}`));
        this.state.dropResource(r.id);
      }
      this.state.release(c, this.o.now().toISOString());
      this.o.log(`released claim ${claim} of ${service} in ${environment}${shared.length === 0 ? `; deleted resource ${c.resourceId}` : `; resource ${c.resourceId} stays for ${shared.length} other claim(s)`}`);
    });
    return true;
  }

  /** One output of a ready claim, secret or not, for the platform-token holder (logged, without the value). */
  reveal(service: string, environment: string, claim: string, output: string): RevealedClaimOutput {
    const c = this.state.claim(service, environment, claim);
    if (!c) throw new PavedError('not-found', `${service} has no claim '${claim}' in ${environment} (it is provisioned by a deployment there)`);
    const r = this.state.resource(c.resourceId);
    if (!r || r.state !== 'ready') throw new PavedError('conflict', `claim ${claim} of ${service} in ${environment} is not ready${r?.reason ? `: ${r.reason}` : ''}`);
    const t = this.types.get(r.type);
    const o = t?.outputs.find((x) => x.name === output);
    if (!o) throw new PavedError('not-found', `${r.type} has no output '${output}'${t ? ` (outputs: ${t.outputs.map((x) => x.name).join(', ')})` : ''}`);
    const value = this.outputsOf(r)[output];
    if (value === undefined) throw new PavedError('conflict', `claim ${claim} has no value for '${output}' yet`);
    this.o.log(`revealed output ${output} of claim ${claim} (${service}, ${environment})${o.secret ? ' (secret)' : ''}`);
    return { service, claim, environment, output, secret: o.secret, value };
  }
}
