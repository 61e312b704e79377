/**
 * The route table the HTTP layer dispatches through: operationId → handler. Each room of the platform contributes the
 * handlers of its own operations (catalog/routes.ts, deploy/routes.ts, …) and routes.ts joins them, so a new feature
 * adds its operations with a module of its own. A handler gets the request as the contract validated it and answers
 * with a status and a body, or with an event log for the HTTP layer to stream.
 */
import { DEFAULT_PAGE_LIMIT, IDEMPOTENT_REPLAYED_HEADER } from '../core/api/types';
import type { EventLog, SeqEvent } from './events';
import type { IdempotencyStore } from './idempotency';

/** A request after authentication and validation (parameters coerced, defaults applied, body checked). */
export interface ApiRequest {
  operationId: string;
  /** The request path (idempotency scopes include it). */
  pathname: string;
  path: Record<string, any>;
  query: Record<string, any>;
  header: Record<string, any>;
  body: any;
}

export type JsonReply = { status: number; body?: unknown; headers?: Record<string, string>; type?: string };

/** One Server-Sent Event of a feed: its id (what a reconnect sends back as Last-Event-ID), type and JSON data. */
export interface FeedEvent {
  id: string;
  event: string;
  data: unknown;
}

/**
 * A stream that is not an event log (logs): as SSE when the client accepts `text/event-stream` — batches of events,
 * resumed after the client's Last-Event-ID, ended with `event: end` when the iterable ends — else one JSON reply.
 */
export interface Feed {
  events(lastEventId: string | undefined, signal: AbortSignal): AsyncIterable<FeedEvent[]>;
  page(signal: AbortSignal): Promise<JsonReply>;
}

export type Reply =
  | JsonReply
  | { events: EventLog<SeqEvent & { type: string }> }
  | { feed: Feed }
  /**
   * A file sent as it is (streamed, never read whole into memory), with status 200 — or, with `redact`, read whole and
   * sent through it (a build log still being written, whose secrets are hidden only once it ends).
   */
  | { file: string; type: string; redact?: (text: string) => string };

export type Handler = (req: ApiRequest) => Reply | Promise<Reply>;

export type Routes = Readonly<Record<string, Handler>>;

/** One table from several; an operation handled twice is a programming error, refused at start. */
export function joinRoutes(...tables: Routes[]): Routes {
  const out: Record<string, Handler> = {};
  for (const t of tables) {
    for (const [id, h] of Object.entries(t)) {
      if (id in out) throw new Error(`operation ${id} has two handlers`);
      out[id] = h;
    }
  }
  return out;
}

export function pageLimit(req: ApiRequest): number {
  return (req.query.limit as number | undefined) ?? DEFAULT_PAGE_LIMIT;
}

/**
 * Runs a create operation under Idempotency-Key semantics: the same key with the same body answers with the resource
 * the first request made (marked replayed); with another body it is an `idempotency-mismatch`.
 */
export function idempotent<T extends { id: string }>(store: IdempotencyStore, req: ApiRequest, lookup: (id: string) => T, create: () => T, status: number): Reply {
  const key = req.header['idempotency-key'] as string | undefined;
  if (key === undefined) return { status, body: create() };
  const scope = `${req.operationId} ${req.pathname} ${key}`;
  const existing = store.replay(scope, req.body);
  if (existing !== undefined) return { status, body: lookup(existing), headers: { [IDEMPOTENT_REPLAYED_HEADER.toLowerCase()]: 'true' } };
  const created = create();
  store.remember(scope, req.body, created.id);
  return { status, body: created };
}
