/**
 * Deployment records and their event logs (`<state-dir>/deployments/<id>.json` and `<id>.events.jsonl`), indexed by
 * service newest first, listed with cursor paging. A deployment an earlier instance left unfinished is failed at load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Deployment, DeploymentEvent, Page } from '../../core/api/types';
import { pageSorted } from '../../core/catalog';
import { isTerminal } from '../../core/deploy';
import { PavedError } from '../../core/errors';
import { EventLog } from '../events';
import { loadJson, writeJsonAtomic } from '../store';
import type { ProcessHost } from './processes';

export interface DeploymentRecord extends Deployment {
  /** Pid (= process group) of the build or candidate process while the deployment runs. */
  pid?: number;
  /** The file holding the build's whole output (`GET /v1/deployments/{id}/log`), when the deployment built. */
  buildLog?: string;
}

export function publicDeployment(d: DeploymentRecord): Deployment {
  const { pid: _pid, buildLog: _log, ...rest } = d;
  return rest;
}

function isRecord(v: unknown): boolean {
  const d = v as Partial<DeploymentRecord> | null;
  return typeof d === 'object' && d !== null && typeof d.id === 'string' && typeof d.service === 'string' && typeof d.environment === 'string' && typeof d.state === 'string' && typeof d.createdAt === 'string';
}

export interface HistoryDeps {
  host: ProcessHost;
  owner: string;
  now: () => Date;
  log: (line: string) => void;
}

const newestFirst = (a: DeploymentRecord, b: DeploymentRecord): number => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1);

/** Maps a string to one that sorts in the reverse order (for newest-first cursor paging). */
function invert(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(0xffff - s.charCodeAt(i));
  return out;
}

/** Newest first; the cursor key is position-independent: createdAt + id, descending. */
const pageKey = (d: DeploymentRecord): string => invert(`${d.createdAt}|${d.id}`);

export class DeploymentHistory {
  private readonly byId = new Map<string, DeploymentRecord>();
  private readonly byService = new Map<string, DeploymentRecord[]>();
  private readonly logs = new Map<string, EventLog<DeploymentEvent>>();
  /** Finished deployments in the order they finished here (loaded ones first): the history insights read. */
  private readonly finishedOrder: DeploymentRecord[] = [];
  /** Deployments not finished yet: the ones `save` may see finish. */
  private readonly unfinished = new Set<string>();

  /** `dir`: `<state-dir>/deployments`. */
  constructor(
    private readonly dir: string,
    private readonly deps: HistoryDeps,
  ) {}

  async load(): Promise<void> {
    if (!fs.existsSync(this.dir)) return;
    const files = fs.readdirSync(this.dir).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    for (const f of files) {
      const d = loadJson<DeploymentRecord>(path.join(this.dir, f), 'went on without that deployment', isRecord);
      if (!d) continue;
      const events = this.log(d.id);
      if (!isTerminal(d.state)) {
        const { host, owner } = this.deps;
        if (d.pid !== undefined && d.pid > 0 && host.isAlive(d.pid) && host.isOwnedBy(d.pid, owner)) {
          this.deps.log(`stopping the build/start of deployment ${d.id} (process group ${d.pid}) left by an earlier instance`);
          await host.stop(d.pid, 500);
        }
        d.state = 'failed';
        d.error = 'the platform stopped while this deployment was running; it was marked failed on restart';
        d.finishedAt = this.deps.now().toISOString();
        delete d.pid;
        writeJsonAtomic(path.join(this.dir, f), d);
        events.push({ type: 'failed', message: d.error, state: 'failed' });
      }
      events.finish();
      this.add(d, events, false);
    }
    // Each service's list sorted once, not once per record added (a long history has many records per service).
    for (const list of this.byService.values()) list.sort(newestFirst);
  }

  private log(id: string): EventLog<DeploymentEvent> {
    return new EventLog<DeploymentEvent>(path.join(this.dir, `${id}.events.jsonl`));
  }

  /** Saves a new deployment and opens its event log. */
  open(d: DeploymentRecord): EventLog<DeploymentEvent> {
    this.save(d);
    const events = this.log(d.id);
    this.add(d, events);
    return events;
  }

  private add(d: DeploymentRecord, events: EventLog<DeploymentEvent>, sort = true): void {
    this.logs.set(d.id, events);
    this.byId.set(d.id, d);
    if (!isTerminal(d.state)) this.unfinished.add(d.id);
    else if (d.finishedAt !== undefined) this.finishedOrder.push(d);
    const list = this.byService.get(d.service) ?? [];
    list.push(d);
    if (sort) list.sort(newestFirst);
    this.byService.set(d.service, list);
  }

  save(d: DeploymentRecord): void {
    writeJsonAtomic(path.join(this.dir, `${d.id}.json`), d);
    // A terminal state is final (core/deploy/model.ts): a deployment finishes once.
    if (isTerminal(d.state) && this.unfinished.delete(d.id) && d.finishedAt !== undefined) this.finishedOrder.push(d);
  }

  /** How many deployments have finished: `finished(from)` gives those after the first `from`. */
  get finishedCount(): number {
    return this.finishedOrder.length;
  }

  /** Finished deployments from position `from` on, in the order they finished (those loaded at start first). */
  *finished(from = 0): Iterable<DeploymentRecord> {
    for (let i = from; i < this.finishedOrder.length; i++) yield this.finishedOrder[i];
  }

  record(id: string): DeploymentRecord {
    const d = this.byId.get(id);
    if (!d) throw new PavedError('not-found', `no deployment '${id}'`);
    return d;
  }

  get(id: string): Deployment {
    return publicDeployment(this.record(id));
  }

  events(id: string): EventLog<DeploymentEvent> {
    const e = this.logs.get(id);
    if (!e) throw new PavedError('not-found', `no deployment '${id}'`);
    return e;
  }

  /** A service's deployments, newest first. */
  ofService(service: string): readonly DeploymentRecord[] {
    return this.byService.get(service) ?? [];
  }

  /** Every deployment, in no particular order. */
  all(): Iterable<DeploymentRecord> {
    return this.byId.values();
  }

  hasService(service: string): boolean {
    return this.byService.has(service);
  }

  /** The deployment of `service` still in progress (in `environment`, when given). */
  active(service: string, environment?: string): DeploymentRecord | undefined {
    return this.ofService(service).find((d) => (environment === undefined || d.environment === environment) && !isTerminal(d.state));
  }

  listOfService(service: string, environment: string | undefined, limit: number, cursor?: string): Page<Deployment> {
    const list = this.ofService(service).filter((d) => environment === undefined || d.environment === environment);
    return pageSorted(list, pageKey, { limit, cursor, map: publicDeployment });
  }

  /** Deployments across services, newest first; `active` keeps the ones still in progress. */
  list(q: { service?: string; environment?: string; active?: boolean; limit: number; cursor?: string }): Page<Deployment> {
    const list = [...this.byId.values()]
      .filter((d) => (q.service === undefined || d.service === q.service) && (q.environment === undefined || d.environment === q.environment) && (q.active === undefined || q.active === !isTerminal(d.state)))
      .sort(newestFirst);
    return pageSorted(list, pageKey, { limit: q.limit, cursor: q.cursor, map: publicDeployment });
  }
}
