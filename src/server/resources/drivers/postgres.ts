/**
 * `postgres` on the local platform: one PGlite process per resource (pglite-server.cjs), in its own process group with
 * PAVED_OWNER in its environment, serving on a loopback port kept across restarts, its data in the resource's directory.
 * The password is derived from the room's key (never stored); the process gets only md5(password + user) to check
 * clients against. A process an earlier platform left running (kill -9) is adopted; a stopped one is started again by
 * the next deployment that needs it.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { PavedError } from '../../../core/errors';
import { LogTail, type ProcessHost } from '../../deploy/processes';
import type { SecretKeeper } from '../secrets';
import type { ResourceRecord } from '../state';
import { findPglite, installPglite, PGLITE_VERSION, type PgliteModules } from './pglite';
import type { ProvisionContext, ResourceDriver } from './types';

export const PG_USER = 'postgres';
export const PG_DATABASE = 'postgres';
const READY_TIMEOUT_MS = 180_000;

export interface PostgresDriverOptions {
  host: ProcessHost;
  owner: string;
  keeper: SecretKeeper;
  /** `<state-dir>/logs/resources`. */
  logDir: string;
  /** Where to look for PGlite first (Paved's own package directory). */
  packageDir: string;
  cacheDir: string;
  /** Ports resources serve on. */
  ports: { from: number; to: number };
  /** Ports other resources hold. */
  portsInUse: () => Set<number>;
  /** Saves a record after its process changed. */
  save: (r: ResourceRecord) => void;
}

/** The driver process script, next to the bundle (dist/) or in the sources. */
export function driverScript(): string {
  const candidates = [path.join(__dirname, 'pglite-server.cjs'), path.resolve(__dirname, '..', 'src', 'server', 'resources', 'drivers', 'pglite-server.cjs')];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new PavedError('io', `cannot find pglite-server.cjs (looked in ${candidates.join(', ')})`);
  return found;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export class PostgresDriver implements ResourceDriver {
  readonly ensure = 'always';
  private modules: Promise<PgliteModules> | undefined;

  constructor(private readonly o: PostgresDriverOptions) {}

  derivedSecrets(record: ResourceRecord): Record<string, string> {
    const password = this.o.keeper.derive(record.id, 'postgres-password');
    const port = record.port ?? 0;
    return { password, url: `postgresql://${PG_USER}:${password}@127.0.0.1:${port}/${PG_DATABASE}` };
  }

  async provision(ctx: ProvisionContext): Promise<Record<string, string>> {
    const r = ctx.record;
    if (!(await this.running(r))) await this.start(ctx);
    else ctx.log(`PostgreSQL (PGlite) already serving on 127.0.0.1:${r.port}`);
    return { host: '127.0.0.1', port: String(r.port), database: PG_DATABASE, username: PG_USER, ...this.derivedSecrets(r) };
  }

  /** Whether the record's process is ours, alive and listening. */
  private async running(r: ResourceRecord): Promise<boolean> {
    const p = r.process;
    return p !== undefined && this.o.host.isAlive(p.pid) && this.o.host.isOwnedBy(p.pid, this.o.owner) && !(await this.o.host.portFree(p.port));
  }

  async adopt(r: ResourceRecord): Promise<void> {
    if (!r.process) return;
    if (await this.running(r)) return; // left serving by a killed platform: keep it
    if (this.o.host.isAlive(r.process.pid) && this.o.host.isOwnedBy(r.process.pid, this.o.owner)) await this.o.host.stop(r.process.pid, 10_000);
    delete r.process;
    this.o.save(r);
  }

  async stop(r: ResourceRecord): Promise<void> {
    if (!r.process) return;
    if (this.o.host.isAlive(r.process.pid) && this.o.host.isOwnedBy(r.process.pid, this.o.owner)) await this.o.host.stop(r.process.pid, 10_000);
    delete r.process;
    this.o.save(r);
  }

  async release(r: ResourceRecord, _type: unknown, log: (line: string) => void): Promise<void> {
    await this.stop(r);
    fs.rmSync(r.dir, { recursive: true, force: true });
    log(`deleted the database files in ${r.dir}`);
  }

  private pglite(log: (line: string) => void, signal: AbortSignal): Promise<PgliteModules> {
    const found = findPglite(this.o.packageDir, this.o.cacheDir);
    if (found) return Promise.resolve(found);
    this.modules ??= (async () => {
      log(`PGlite ${PGLITE_VERSION} is not installed next to Paved: installing it into ${this.o.cacheDir} (first use)…`);
      const started = Date.now();
      const { modules, bytes } = await installPglite(this.o.cacheDir, signal);
      log(`installed PGlite ${PGLITE_VERSION} (${(bytes / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return modules;
    })().finally(() => (this.modules = undefined));
    return this.modules;
  }

  private async freePort(r: ResourceRecord): Promise<number> {
    const taken = this.o.portsInUse();
    if (r.port !== undefined && (await this.o.host.portFree(r.port))) return r.port;
    for (let p = this.o.ports.from; p <= this.o.ports.to; p++) {
      if (taken.has(p)) continue;
      if (await this.o.host.portFree(p)) return p;
    }
    throw new PavedError('conflict', `no free port for resources in ${this.o.ports.from}-${this.o.ports.to}`);
  }

  private async start(ctx: ProvisionContext): Promise<void> {
    const r = ctx.record;
    const modules = await this.pglite((line) => ctx.log(line), ctx.signal);
    const port = await this.freePort(r);
    if (r.port !== undefined && r.port !== port) ctx.log(`port ${r.port} is taken now: serving on ${port} (the next start of the service gets the new address)`);
    r.port = port;
    fs.mkdirSync(r.dir, { recursive: true, mode: 0o700 });
    const logFile = path.join(this.o.logDir, `${r.id}.log`);
    const password = this.o.keeper.derive(r.id, 'postgres-password');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PAVED_OWNER: this.o.owner,
      PAVED_RESOURCE_ID: r.id,
      PAVED_PGLITE_MODULE: modules.pglite,
      PAVED_PGLITE_SOCKET_MODULE: modules.socket,
      PAVED_PG_DATA: r.dir,
      PAVED_PG_PORT: String(port),
      PAVED_PG_USER: PG_USER,
      PAVED_PG_DATABASE: PG_DATABASE,
      PAVED_PG_AUTH: createHash('md5').update(password + PG_USER).digest('hex'),
    };
    const tail = new LogTail(logFile, (lines) => {
      for (const line of lines) ctx.log(line.replace(/^\S+ /, ''), 'stdout');
    });
    const proc = this.o.host.spawn(`exec ${quote(process.execPath)} ${quote(driverScript())}`, { cwd: r.dir, env, logFile });
    r.process = { pid: proc.pid, port };
    this.o.save(r);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    try {
      for (;;) {
        tail.poll();
        if (proc.hasExited()) {
          tail.poll(true);
          throw new PavedError('io', `the PGlite process exited (${String(await proc.exited)}) before it served; see ${logFile}`);
        }
        if (ctx.signal.aborted) throw new PavedError('cancelled', 'cancelled while PostgreSQL was starting');
        if (await connects(port)) break;
        if (Date.now() > deadline) throw new PavedError('timeout', `PostgreSQL did not serve on port ${port} within ${READY_TIMEOUT_MS / 1000}s; see ${logFile}`);
        await new Promise((res) => setTimeout(res, 100));
      }
      tail.poll();
    } catch (err) {
      await this.o.host.stop(proc.pid, 10_000);
      delete r.process;
      this.o.save(r);
      throw err;
    }
  }
}
