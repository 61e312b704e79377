/**
 * The public types of the HTTP transport (transport.ts): request and response shapes, options, the token provider,
 * the injectable clock and the event-stream options. Types only, so the transport's helper modules can share them
 * without importing the Transport class.
 */
export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Supplies the bearer token. Called with `refresh: false` before a request (cache it) and with `refresh: true` after
 * the platform answered 401 to `rejected`; return a different token to retry once, or `undefined` to give up.
 */
export type TokenProvider = (request: { refresh: boolean; rejected?: string }) => Promise<string | undefined>;

/** Time and randomness, injectable so backoff is deterministic in tests. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with a `cancelled` PlatformError when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export interface RetryPolicy {
  /** Attempts in total, including the first (1 = no retries). */
  maxAttempts: number;
  /** Backoff before retry n (1-based) is random() * min(maxDelayMs, baseDelayMs * 2^(n-1)) ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails with `retryAfterMs` set. */
  maxRetryAfterMs: number;
}

/** Checks a decoded JSON body. Compile once (ajv) and reuse; see schema.ts. */
export interface ResponseValidator<T> {
  /** Shown in messages and logs, e.g. "ServicePage". */
  readonly name: string;
  validate(value: unknown): value is T;
  /** The errors of the last failed `validate`, one line. */
  errorText(): string;
}

export interface TransportLog {
  debug(message: string): void;
  warn(message: string): void;
}

export interface TransportOptions {
  /** Platform base URL (may carry a path prefix). Validated with `parsePlatformUrl`. */
  baseUrl: string;
  token?: TokenProvider;
  /** Whole-response timeout per attempt, ms. Default 30 000. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  clock?: Partial<Clock>;
  /** Largest accepted response body, bytes. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Used in messages: "The Paved platform", "Backstage". */
  platformName?: string;
  userAgent?: string;
  log?: TransportLog;
}

export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];

export interface RequestOptions<T> {
  method?: HttpMethod;
  /** Path relative to the base URL, starting with '/'. Absolute URLs are refused. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Marks a POST as safe to retry: `true` generates one key for this call (reused by its retries); pass a string to
   * reuse a key across calls (e.g. when the user presses Retry on the same deployment).
   */
  idempotencyKey?: string | true;
  /** Checks the decoded 2xx body. Without it the body is returned as `unknown` JSON. */
  schema?: ResponseValidator<T>;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** `json` (default; 204/205 give `undefined`), `empty` (body ignored) or `text` (the body as a string). */
  expect?: 'json' | 'empty' | 'text';
  /** `false` turns retries off for this call. */
  retry?: boolean;
}

export interface TransportResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
  requestId?: string;
}

/** One event from `Transport.events`: the SSE `event`/`id` fields, and `data` decoded as JSON. */
export interface RawEvent {
  type?: string;
  id?: string;
  data: unknown;
}

export interface EventStreamOptions<E> {
  /** SSE endpoint (GET, `Accept: text/event-stream`), e.g. `/v1/deployments/42/events`. */
  ssePath: string;
  /** JSON long-poll endpoint; defaults to `ssePath` with `Accept: application/json`. */
  pollPath?: string;
  /** Resume after this event id (exclusive). */
  after?: string | number;
  /** Query parameter carrying the resume id. Default `after`. */
  afterParam?: string;
  /** Turns a raw event into E; throw (a PlatformError) for a malformed one. */
  decode(raw: RawEvent): E;
  /** The id to resume after (defaults to the SSE `id:` field). */
  idOf(event: E): string | number | undefined;
  /** The stream is complete after this event (e.g. a deployment's final status, Backstage `completion`). */
  isTerminal(event: E): boolean;
  /** SSE event type that marks the end of the stream without being an event itself (Paved API: `end`). */
  endEventType?: string;
  /** Events in a long-poll body. Default: the body if it is an array, else its `events` or `items` array. */
  pollItems?(body: unknown): unknown[] | undefined;
  /** True when a long-poll body says no more events will come (Paved API: `done: true`). */
  pollDone?(body: unknown): boolean;
  /** Extra query parameters for the long-poll (Paved API: `wait`). */
  pollQuery?: Record<string, QueryValue>;
  /** Whole-response timeout of one long-poll request (must exceed the server's wait). */
  pollTimeoutMs?: number;
  signal?: AbortSignal;
  /** `auto` (default): SSE, falling back to long-poll when the server does not offer a stream. */
  mode?: 'auto' | 'sse' | 'poll';
  /** No byte (not even a heartbeat comment) for this long → reconnect. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /**
   * Reconnections in a row that bring no new event before giving up (`mode: 'sse'`). In `auto` mode two such
   * streams in a row switch to the long-poll instead (a proxy that buffers event streams looks like this).
   */
  maxReconnects?: number;
  /** Pause between long-polls that returned nothing. Default 1 000 ms. */
  pollIntervalMs?: number;
}
