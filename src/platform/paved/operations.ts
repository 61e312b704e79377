/**
 * The day-two operations of the Paved Platform API (`ServiceOperations`): logs (a page, or followed as SSE that
 * resumes after the last line's cursor), health, SLO status, events, restart and stop. Each response is checked
 * against the contract's schema; the calls go through the backend's own request helpers.
 */
import type { EventsPage } from '../../core/api/types';
import type * as ops from '../../core/api/operations';
import type * as api from '../../core/api/types';
import type { CallOptions, ServiceOperations, WriteOptions } from '../backend';
import type { ResponseValidator } from '../transport';
import type { PavedContract } from './contract';

/** What the operations borrow from the backend: its request helpers (lifetime, cancellation, retries, validation). */
export interface PavedCalls {
  get<T>(path: string, schema: ResponseValidator<T>, opts: CallOptions | undefined, query?: Record<string, string | number | undefined>): Promise<T>;
  /** A POST with an Idempotency-Key (the caller's, or one per call), so retries never do it twice. */
  post<T>(path: string, body: unknown, schema: ResponseValidator<T>, opts: WriteOptions | undefined): Promise<T>;
  /** SSE with the JSON long-poll as fallback; `id:` is the item's cursor. */
  stream<T>(opts: { path: string; schema: ResponseValidator<T>; after?: string; signal?: AbortSignal; idOf: (item: T) => string; pollItems: (body: unknown) => unknown[] | undefined }): AsyncIterable<T>;
}

const seg = (s: string) => encodeURIComponent(s);
const envPath = (service: string, environment: string) => `/v1/services/${seg(service)}/environments/${seg(environment)}`;

export class PavedOperations implements ServiceOperations {
  constructor(
    private readonly calls: PavedCalls,
    private readonly contract: PavedContract,
  ) {}

  status(service: string, opts?: CallOptions): Promise<ops.ServiceStatus> {
    return this.calls.get(`/v1/services/${seg(service)}/status`, this.contract.validator<ops.ServiceStatus>('ServiceStatus'), opts);
  }

  health(service: string, environment: string, query: { hours?: number } = {}, opts?: CallOptions): Promise<ops.HealthHistory> {
    return this.calls.get(`${envPath(service, environment)}/health`, this.contract.validator<ops.HealthHistory>('HealthHistory'), opts, { hours: query.hours });
  }

  async healthOverview(opts?: CallOptions): Promise<ops.ServiceHealthItem[]> {
    const out: ops.ServiceHealthItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.calls.get('/v1/service-health', this.contract.validator<ops.ServiceHealthList>('ServiceHealthList'), opts, { limit: 500, cursor });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  logs(service: string, environment: string, query: ops.LogQuery = {}, opts?: CallOptions): Promise<ops.LogPage> {
    return this.calls.get(`${envPath(service, environment)}/logs`, this.contract.validator<ops.LogPage>('LogPage'), opts, {
      tail: query.tail,
      since: query.since,
      after: query.after,
      limit: query.limit,
    });
  }

  followLogs(service: string, environment: string, opts: CallOptions & { after?: string; tail?: number } = {}): AsyncIterable<ops.LogLine> {
    const first = opts.after === undefined ? `&tail=${opts.tail ?? 0}` : '';
    return this.calls.stream({
      path: `${envPath(service, environment)}/logs?follow=true${first}`,
      schema: this.contract.validator<ops.LogLine>('LogLine'),
      after: opts.after,
      signal: opts.signal,
      idOf: (l) => l.cursor,
      pollItems: (body) => (body as { items?: unknown[] } | null)?.items,
    });
  }

  events(service: string, environment: string, query: { after?: number; wait?: number } = {}, opts?: CallOptions): Promise<EventsPage<ops.OperationEvent>> {
    return this.calls.get(`${envPath(service, environment)}/events`, this.contract.validator<EventsPage<ops.OperationEvent>>('OperationEventsPage'), opts, { after: query.after, wait: query.wait });
  }

  restart(service: string, environment: string, request: ops.RestartRequest = {}, opts?: WriteOptions): Promise<api.Deployment> {
    return this.calls.post(`${envPath(service, environment)}/restart`, request, this.contract.deployment, opts);
  }

  stop(service: string, environment: string, request: ops.StopRequest = {}, opts?: CallOptions): Promise<ops.StopResult> {
    // Stopping is idempotent on the platform: a lost answer is safely asked again.
    return this.calls.post(`${envPath(service, environment)}/stop`, request, this.contract.validator<ops.StopResult>('StopResult'), opts);
  }
}
