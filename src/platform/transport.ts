/**
 * The one HTTP transport every platform backend uses (Paved API and Backstage). Plain Node, no vscode.
 *
 * - Base URL + bearer token from a token provider (asked again with `refresh: true` after a 401: one retry with the
 *   fresh token).
 * - A whole-response timeout on every attempt (connect + headers + body), so a slow drip cannot hang a command.
 * - Retries with exponential backoff and full jitter for idempotent methods and for POSTs carrying an
 *   `Idempotency-Key` (one key per logical operation, reused by its retries). `Retry-After` (seconds or HTTP date)
 *   on 429/503 is honoured up to a cap; beyond the cap the call fails at once with `retryAfterMs` on the error.
 * - Cancellation through AbortSignal (see `CancellationLike` / `abortSignalFrom` for VS Code tokens).
 * - Redirects are never followed: a 3xx is a typed error, so the Authorization header never reaches another origin.
 * - `https` is required unless the host is loopback (127.0.0.0/8, ::1, localhost).
 * - 2xx bodies are parsed as JSON and checked against a schema at the boundary; HTML pages, truncated or invalid
 *   JSON and schema mismatches become `invalid-response` errors.
 * - Server-sent events (`text/event-stream`) with resumption from the last seen id and a JSON long-poll fallback.
 *
 * Every failure is a `PlatformError` (see errors.ts); no promise is left rejected without a handler.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { version } from '../../package.json';
import { PlatformError, errorForStatus, looksLikeHtml, parseServerError, requestIdOf } from './errors';

// ---------------------------------------------------------------------------------------------------------------
// Public types

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
  /** `json` (default; 204/205 give `undefined`), or `empty` (body ignored). */
  expect?: 'json' | 'empty';
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

/** The part of a VS Code CancellationToken the transport needs (no vscode import here). */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** An AbortSignal that aborts when `token` is cancelled; dispose it when the operation ends. */
export function abortSignalFrom(token: CancellationLike | undefined): { signal: AbortSignal; dispose(): void } {
  const ctl = new AbortController();
  if (!token) return { signal: ctl.signal, dispose: () => undefined };
  if (token.isCancellationRequested) {
    ctl.abort();
    return { signal: ctl.signal, dispose: () => undefined };
  }
  const sub = token.onCancellationRequested(() => ctl.abort());
  return { signal: ctl.signal, dispose: () => sub.dispose() };
}

/**
 * An AbortSignal that aborts when any of `signals` does (with that signal's reason). `AbortSignal.any` needs
 * Node 20.3; VS Code 1.85's extension host runs Node 18, hence this. Call `dispose` when the operation ends so a
 * long-lived signal does not collect listeners.
 */
export function linkedSignal(...signals: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose(): void } {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 1) return { signal: present[0], dispose: () => undefined };
  const ctl = new AbortController();
  const already = present.find((s) => s.aborted);
  if (already) {
    ctl.abort(already.reason);
    return { signal: ctl.signal, dispose: () => undefined };
  }
  const unlink: (() => void)[] = [];
  for (const s of present) {
    const onAbort = () => {
      ctl.abort(s.reason);
      for (const u of unlink) u();
    };
    s.addEventListener('abort', onAbort, { once: true });
    unlink.push(() => s.removeEventListener('abort', onAbort));
  }
  return { signal: ctl.signal, dispose: () => unlink.forEach((u) => u()) };
}

/** A fresh Idempotency-Key for one logical operation. */
export function newIdempotencyKey(): string {
  return randomUUID();
}

// URL rules (url.ts: no HTTP client, so `paved lint` can use them)
import { isLoopbackHost, parsePlatformUrl } from './url';
export { isLoopbackHost, parsePlatformUrl };

// ---------------------------------------------------------------------------------------------------------------
// Clock

const realClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(cancelledError());
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(cancelledError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

function cancelledError(init: { method?: string; path?: string } = {}): PlatformError {
  return new PlatformError('cancelled', 'Cancelled.', { ...init, action: 'none' });
}

/** Parses Retry-After (delta seconds or HTTP date) into ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

// ---------------------------------------------------------------------------------------------------------------
// Transport

const IDEMPOTENT = new Set<HttpMethod>(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const ERROR_BODY_LIMIT = 64 * 1024;
const TIMEOUT = Symbol('timeout');
const CANCEL = Symbol('cancel');

/** When a failed attempt may be repeated. */
type RetryClass = 'never' | 'if-idempotent' | 'always';

interface AttemptFailure {
  error: PlatformError;
  retry: RetryClass;
  unauthorized?: boolean;
  retryAfterMs?: number;
}

type AttemptResult<R> = { ok: true; value: R } | ({ ok: false } & AttemptFailure);

interface OpenedResponse {
  res: AxiosResponse<Readable>;
  headers: Record<string, string>;
  stream: Readable;
  /** Aborts with TIMEOUT or CANCEL as reason. */
  signal: AbortSignal;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

export class Transport {
  readonly baseUrl: URL;
  readonly platformName: string;
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly maxResponseBytes: number;
  private readonly tokenProvider?: TokenProvider;
  private readonly log?: TransportLog;

  constructor(options: TransportOptions) {
    this.baseUrl = parsePlatformUrl(options.baseUrl);
    this.platformName = options.platformName ?? 'The platform';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.clock = { ...realClock, ...options.clock };
    this.maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.tokenProvider = options.token;
    this.log = options.log;
    this.http = axios.create({
      adapter: 'http',
      maxRedirects: 0,
      allowAbsoluteUrls: false,
      responseType: 'stream',
      validateStatus: () => true,
      maxContentLength: -1,
      maxBodyLength: 16 * 1024 * 1024,
      decompress: true,
      // Loopback never goes through a proxy; remote hosts use the environment's proxy settings.
      proxy: isLoopbackHost(this.baseUrl.hostname) ? false : undefined,
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      headers: { 'User-Agent': options.userAgent ?? `paved/${version}` },
    });
  }

  /** Sends a request and returns the validated JSON body. */
  async request<T = unknown>(opts: RequestOptions<T>): Promise<T> {
    return (await this.requestFull(opts)).data;
  }

  /** Like `request`, with status, headers and request id. */
  async requestFull<T = unknown>(opts: RequestOptions<T>): Promise<TransportResponse<T>> {
    return this.execute(opts, 'application/json', async (opened, ctx) => {
      const text = await this.readBody(opened, this.maxResponseBytes, ctx);
      const requestId = requestIdOf(opened.headers);
      const base = { status: opened.res.status, headers: opened.headers, requestId };
      if (opts.expect === 'empty' || opened.res.status === 204 || opened.res.status === 205) {
        return { ok: true, value: { ...base, data: undefined as T } };
      }
      const decoded = this.decodeJson(text, opened.headers['content-type'], ctx, requestId);
      if (!decoded.ok) return decoded;
      if (opts.schema && !opts.schema.validate(decoded.value)) {
        return {
          ok: false,
          retry: 'never',
          error: new PlatformError(
            'invalid-response',
            `${this.platformName} sent a ${opts.schema.name} that does not match the API contract. Is the platform a compatible version?`,
            { ...ctx, status: opened.res.status, requestId, detail: `${ctx.method} ${ctx.path}: ${opts.schema.errorText()}` },
          ),
        };
      }
      return { ok: true, value: { ...base, data: decoded.value as T } };
    });
  }

  /**
   * Opens a streaming GET (retries and errors as for `request` up to the response headers); the whole-response
   * timeout stops at the headers, then the caller owns the stream (destroy it when done). `signal` still aborts it.
   */
  async openStream(opts: Omit<RequestOptions<never>, 'schema' | 'expect' | 'body' | 'idempotencyKey'> & { accept: string }): Promise<{
    status: number;
    headers: Record<string, string>;
    stream: Readable;
  }> {
    return this.execute({ ...opts, method: 'GET' }, opts.accept, async (opened) => ({
      ok: true,
      value: { status: opened.res.status, headers: opened.headers, stream: opened.stream },
    }), true);
  }

  /**
   * Streams events: SSE from `ssePath`, resuming after the last seen id when the connection drops, or a JSON
   * long-poll when the server does not offer `text/event-stream` (or `mode: 'poll'`). Ends after the terminal event.
   * Breaking out of the loop closes the connection.
   */
  async *events<E>(opts: EventStreamOptions<E>): AsyncGenerator<E, void, undefined> {
    let after = opts.after;
    let mode: 'sse' | 'poll' = opts.mode === 'poll' ? 'poll' : 'sse';
    const maxReconnects = opts.maxReconnects ?? 5;
    const afterParam = opts.afterParam ?? 'after';
    let fruitless = 0;
    const seen = (id: string | number | undefined): boolean => {
      // Servers resend from `after` (exclusive); drop duplicates of numeric ids we already passed on.
      if (id === undefined || after === undefined) return false;
      const a = Number(after);
      const b = Number(id);
      return Number.isFinite(a) && Number.isFinite(b) && b <= a;
    };
    for (;;) {
      if (opts.signal?.aborted) throw cancelledError({ method: 'GET', path: opts.ssePath });
      if (mode === 'poll') {
        const path = opts.pollPath ?? opts.ssePath;
        const body = await this.request({
          path,
          query: { ...opts.pollQuery, [afterParam]: after },
          signal: opts.signal,
          timeoutMs: opts.pollTimeoutMs,
        });
        const items = (opts.pollItems ?? defaultPollItems)(body);
        if (!Array.isArray(items)) {
          throw new PlatformError('invalid-response', `${this.platformName} sent an event list that is not a list.`, { method: 'GET', path });
        }
        let got = false;
        for (const item of items) {
          const event = opts.decode({ data: item });
          const id = opts.idOf(event);
          if (seen(id)) continue;
          if (id !== undefined) after = id;
          got = true;
          yield event;
          if (opts.isTerminal(event)) return;
        }
        if (opts.pollDone?.(body)) return;
        if (!got) await this.clock.sleep(opts.pollIntervalMs ?? 1_000, opts.signal);
        continue;
      }

      let opened: { status: number; headers: Record<string, string>; stream: Readable };
      try {
        opened = await this.openStream({
          path: opts.ssePath,
          accept: 'text/event-stream',
          query: { [afterParam]: after },
          headers: after !== undefined ? { 'Last-Event-ID': String(after) } : {},
          signal: opts.signal,
        });
      } catch (err) {
        const noStream = PlatformError.isPlatformError(err) && (err.code === 'not-found' || err.status === 406 || err.status === 415 || err.code === 'timeout');
        if (opts.mode !== 'sse' && noStream && !opts.signal?.aborted) {
          // 404/406/415: the server offers no stream here; timeout: something in between holds the stream back.
          this.log?.debug(`${opts.ssePath}: no event stream (${err.status ?? err.code}); falling back to long-poll`);
          mode = 'poll';
          continue;
        }
        throw err;
      }
      const type = opened.headers['content-type'] ?? '';
      if (!/^text\/event-stream\b/i.test(type)) {
        opened.stream.destroy();
        if (opts.mode === 'sse') {
          throw new PlatformError('invalid-response', `${this.platformName} did not answer with an event stream (got ${type || 'no content type'}).`, {
            method: 'GET',
            path: opts.ssePath,
            status: opened.status,
          });
        }
        this.log?.debug(`${opts.ssePath}: answered ${type || 'without content type'}; falling back to long-poll`);
        mode = 'poll';
        continue;
      }

      let progressed = false;
      let dropped: unknown;
      try {
        for await (const msg of parseSse(opened.stream, opts.idleTimeoutMs ?? 60_000, opts.signal)) {
          if (opts.endEventType !== undefined && msg.event === opts.endEventType) return;
          if (msg.data === '') continue;
          let data: unknown;
          try {
            data = JSON.parse(msg.data);
          } catch {
            throw new PlatformError('invalid-response', `${this.platformName} sent an event that is not valid JSON.`, {
              method: 'GET',
              path: opts.ssePath,
              detail: `event ${msg.id ?? '?'}: ${msg.data.slice(0, 200)}`,
            });
          }
          const event = opts.decode({ type: msg.event, id: msg.id, data });
          const id = opts.idOf(event) ?? msg.id;
          if (seen(id)) continue;
          if (id !== undefined) after = id;
          progressed = true;
          fruitless = 0;
          yield event;
          if (opts.isTerminal(event)) return;
        }
      } catch (err) {
        if (opts.signal?.aborted) throw cancelledError({ method: 'GET', path: opts.ssePath });
        if (!(err instanceof StreamDropped)) throw err;
        dropped = err.cause;
      } finally {
        opened.stream.destroy();
      }
      if (!progressed) fruitless++;
      if (opts.mode === undefined || opts.mode === 'auto') {
        if (!progressed && fruitless >= 2) {
          // Two streams in a row that brought nothing: often a proxy that buffers text/event-stream. Poll instead.
          this.log?.debug(`${opts.ssePath}: ${fruitless} event streams brought no event; switching to long-poll`);
          mode = 'poll';
          fruitless = 0;
          continue;
        }
      }
      if (fruitless > maxReconnects) {
        throw new PlatformError(
          'unreachable',
          `The event stream from ${this.platformName.replace(/^The /, 'the ')} keeps closing before it ends. Try again later.`,
          { method: 'GET', path: opts.ssePath, cause: dropped },
        );
      }
      const delay = this.backoff(Math.max(1, fruitless));
      this.log?.debug(`${opts.ssePath}: stream closed before its end (${dropped instanceof Error ? dropped.message : 'closed'}); resuming after ${String(after)} in ${delay} ms`);
      await this.clock.sleep(delay, opts.signal);
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  private backoff(retryNumber: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (retryNumber - 1));
    return Math.floor(this.clock.random() * ceiling);
  }

  private async getToken(refresh: boolean, rejected?: string): Promise<string | undefined> {
    if (!this.tokenProvider) return undefined;
    try {
      return await this.tokenProvider(refresh ? { refresh, rejected } : { refresh });
    } catch (err) {
      if (err instanceof PlatformError) throw err;
      throw new PlatformError('unauthorized', `Could not read the token for ${this.platformName.replace(/^The /, 'the ')}. Sign in again with "Paved: Sign In".`, {
        cause: err,
        detail: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private url(path: string, query: Record<string, QueryValue> | undefined): string {
    if (!path.startsWith('/') || path.startsWith('//')) {
      throw new PlatformError('invalid-input', `Internal error: request path must be relative to the platform URL ("${path}").`);
    }
    const prefix = this.baseUrl.pathname.replace(/\/+$/, '');
    const u = new URL(prefix + path, this.baseUrl.origin);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v as readonly (string | number)[]) u.searchParams.append(k, String(item));
      else u.searchParams.append(k, String(v));
    }
    if (u.origin !== this.baseUrl.origin) throw new PlatformError('invalid-input', `Internal error: request left the platform origin ("${path}").`);
    return u.toString();
  }

  private async execute<R>(
    opts: RequestOptions<unknown>,
    accept: string,
    consume: (opened: OpenedResponse, ctx: { method: HttpMethod; path: string }) => Promise<AttemptResult<R>>,
    keepOpen = false,
  ): Promise<R> {
    const method = opts.method ?? 'GET';
    const url = this.url(opts.path, opts.query);
    const ctx = { method, path: url.slice(this.baseUrl.origin.length) };
    const idempotencyKey = opts.idempotencyKey === true ? newIdempotencyKey() : opts.idempotencyKey;
    const retrySafe = opts.retry !== false && (IDEMPOTENT.has(method) || idempotencyKey !== undefined);
    const maxAttempts = opts.retry === false ? 1 : Math.max(1, this.retry.maxAttempts);
    let token = await this.getToken(false);
    let refreshed = false;
    let attempt = 0;
    for (;;) {
      if (opts.signal?.aborted) throw cancelledError(ctx);
      attempt++;
      const headers: Record<string, string> = { Accept: accept, ...opts.headers };
      if (token) headers.Authorization = `Bearer ${token}`;
      if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
      if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
      const result = await this.attempt<R>(
        { method, url, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal, timeoutMs: opts.timeoutMs ?? this.timeoutMs },
        ctx,
        consume,
        keepOpen,
      );
      if (result.ok) return result.value;
      if (result.unauthorized && !refreshed && this.tokenProvider) {
        refreshed = true;
        const fresh = await this.getToken(true, token);
        if (fresh && fresh !== token) {
          this.log?.debug(`${method} ${ctx.path}: 401, retrying once with a refreshed token`);
          token = fresh;
          attempt--;
          continue;
        }
      }
      const mayRetry = result.retry === 'always' || (result.retry === 'if-idempotent' && retrySafe);
      if (!mayRetry || attempt >= maxAttempts) throw result.error;
      if (result.retryAfterMs !== undefined && result.retryAfterMs > this.retry.maxRetryAfterMs) throw result.error;
      const delay = result.retryAfterMs ?? this.backoff(attempt);
      this.log?.debug(`${method} ${ctx.path}: ${result.error.code}${result.error.status ? ` (HTTP ${result.error.status})` : ''}; retry ${attempt}/${maxAttempts - 1} in ${delay} ms`);
      await this.clock.sleep(delay, opts.signal);
    }
  }

  private async attempt<R>(
    req: { method: HttpMethod; url: string; headers: Record<string, string>; body?: string; signal?: AbortSignal; timeoutMs: number },
    ctx: { method: HttpMethod; path: string },
    consume: (opened: OpenedResponse, ctx: { method: HttpMethod; path: string }) => Promise<AttemptResult<R>>,
    keepOpen: boolean,
  ): Promise<AttemptResult<R>> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(TIMEOUT), req.timeoutMs);
    const onCancel = () => ctl.abort(CANCEL);
    req.signal?.addEventListener('abort', onCancel, { once: true });
    let handedOff = false;
    let stream: Readable | undefined;
    const destroyStream = () => stream?.destroy();
    const cleanup = () => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCancel);
      ctl.signal.removeEventListener('abort', destroyStream);
    };
    try {
      let res: AxiosResponse<Readable>;
      try {
        res = await this.http.request<Readable>({ method: req.method, url: req.url, headers: req.headers, data: req.body, signal: ctl.signal });
      } catch (err) {
        return { ok: false, ...this.networkFailure(err, ctl.signal, ctx, req.timeoutMs) };
      }
      stream = res.data;
      // Swallowing is not what happens here: errors surface through the reader; this keeps a late error (after we
      // stopped reading) from becoming an uncaught 'error' event.
      stream.on('error', (e: unknown) => this.log?.debug(`${ctx.method} ${ctx.path}: response stream: ${String(e)}`));
      ctl.signal.addEventListener('abort', destroyStream, { once: true });
      if (ctl.signal.aborted) destroyStream();
      const headers = flatHeaders(res.headers);
      const opened: OpenedResponse = { res, headers, stream, signal: ctl.signal };
      const status = res.status;
      if (status >= 300 && status < 400) {
        stream.destroy();
        const location = headers.location;
        let where = '';
        if (location) {
          try {
            const target = new URL(location, req.url);
            where = target.origin === this.baseUrl.origin ? ` to ${target.pathname}` : ` to ${target.origin}`;
          } catch {
            where = ' to an unreadable address';
          }
        }
        return {
          ok: false,
          retry: 'never',
          error: new PlatformError(
            'invalid-response',
            `${this.platformName} answered with a redirect${where} (HTTP ${status}). Paved does not follow redirects, so your token is never sent elsewhere; set paved.platform.url to the address the platform's API is served from.`,
            { ...ctx, status, requestId: requestIdOf(headers), action: 'open-settings' },
          ),
        };
      }
      if (status < 200 || status >= 300) {
        let text = '';
        try {
          text = await this.readBody(opened, ERROR_BODY_LIMIT, ctx, true);
        } catch (err) {
          if (PlatformError.isPlatformError(err, 'cancelled') || PlatformError.isPlatformError(err, 'timeout')) throw err;
          this.log?.debug(`${ctx.method} ${ctx.path}: HTTP ${status}, error body unreadable: ${String(err)}`);
        }
        const server = parseServerError(headers['content-type'], text);
        const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers['retry-after'], this.clock.now()) : undefined;
        const error = errorForStatus(status, server, { ...ctx, requestId: requestIdOf(headers, server), retryAfterMs, platform: this.platformName });
        return { ok: false, error, retry: RETRY_STATUSES.has(status) ? 'if-idempotent' : 'never', unauthorized: status === 401, retryAfterMs };
      }
      if (keepOpen) {
        const result = await consume(opened, ctx);
        if (result.ok) {
          handedOff = true;
          clearTimeout(timer);
          stream.once('close', cleanup);
        }
        return result;
      }
      try {
        return await consume(opened, ctx);
      } catch (err) {
        if (err instanceof BodyFailure) return { ok: false, error: err.error, retry: err.retry };
        throw err;
      }
    } finally {
      if (!handedOff) {
        cleanup();
        stream?.destroy();
      }
    }
  }

  private networkFailure(err: unknown, signal: AbortSignal, ctx: { method: HttpMethod; path: string }, timeoutMs: number): AttemptFailure {
    if (signal.aborted && signal.reason === CANCEL) return { error: cancelledError(ctx), retry: 'never' };
    const where = this.baseUrl.host;
    if (signal.aborted && signal.reason === TIMEOUT) {
      return {
        error: new PlatformError('timeout', `${this.platformName} did not answer within ${seconds(timeoutMs)}. Check that ${where} is reachable and try again.`, { ...ctx, cause: err }),
        retry: 'never',
      };
    }
    const code = (err as { code?: string } | undefined)?.code ?? '';
    const msg = err instanceof Error ? err.message : String(err);
    const init = { ...ctx, cause: err, detail: `${ctx.method} ${ctx.path}: ${code} ${msg}` };
    if (code === 'ECONNREFUSED') {
      return { error: new PlatformError('unreachable', `Could not connect to ${where}: connection refused. Is the platform running and the URL right?`, init), retry: 'always' };
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return { error: new PlatformError('unreachable', `Could not find the host ${this.baseUrl.hostname}. Check paved.platform.url and your network.`, { ...init, action: 'open-settings' }), retry: code === 'EAI_AGAIN' ? 'always' : 'never' };
    }
    if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) {
      return { error: new PlatformError('unreachable', `The TLS certificate of ${where} is not trusted (${code}). Ask the platform team, or add the CA to your system's trust store.`, { ...init, action: 'show-log' }), retry: 'never' };
    }
    // ECONNRESET, EPIPE, "socket hang up", ETIMEDOUT from the OS…: the request may or may not have arrived.
    return { error: new PlatformError('unreachable', `The connection to ${where} failed (${code || msg}). Try again.`, init), retry: 'if-idempotent' };
  }

  /** Reads a whole body within the attempt's timeout, refusing more than `limit` bytes. */
  private async readBody(opened: OpenedResponse, limit: number, ctx: { method: HttpMethod; path: string }, lenient = false): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of opened.stream) {
        const buf = chunk as Buffer;
        size += buf.length;
        if (size > limit) {
          if (lenient) break;
          throw new BodyFailure(new PlatformError('invalid-response', `${this.platformName} sent a response larger than ${Math.round(limit / 1024 / 1024)} MiB.`, ctx), 'never');
        }
        chunks.push(buf);
      }
    } catch (err) {
      if (err instanceof BodyFailure) throw err;
      if (opened.signal.aborted && opened.signal.reason === CANCEL) throw cancelledError(ctx);
      if (opened.signal.aborted && opened.signal.reason === TIMEOUT) {
        throw new PlatformError('timeout', `${this.platformName} did not finish its response in time (it was still arriving). Try again.`, { ...ctx, status: opened.res.status, cause: err });
      }
      throw new BodyFailure(
        new PlatformError('invalid-response', `${this.platformName} closed the connection before the whole response arrived. Try again.`, { ...ctx, status: opened.res.status, cause: err, action: 'retry' }),
        'if-idempotent',
      );
    }
    if (opened.signal.aborted) {
      if (opened.signal.reason === CANCEL) throw cancelledError(ctx);
      throw new PlatformError('timeout', `${this.platformName} did not finish its response in time (it was still arriving). Try again.`, { ...ctx, status: opened.res.status });
    }
    const body = Buffer.concat(chunks);
    // A body cut short (Content-Length or chunked framing, or a truncated gzip stream) surfaces above as a stream
    // error from Node / zlib. The declared length is not compared here: axios decompresses and the header then
    // counts compressed bytes.
    return body.toString('utf8').replace(/^\uFEFF/, '');
  }

  private decodeJson(text: string, contentType: string | undefined, ctx: { method: HttpMethod; path: string }, requestId: string | undefined): AttemptResult<unknown> {
    const init = { ...ctx, requestId };
    if (looksLikeHtml(contentType, text)) {
      return {
        ok: false,
        retry: 'never',
        error: new PlatformError(
          'invalid-response',
          `${this.platformName} answered with an HTML page instead of API data. Is paved.platform.url the API's base URL (not a web page or a sign-in page)?`,
          { ...init, action: 'open-settings', detail: `${ctx.method} ${ctx.path}: ${text.slice(0, 200)}` },
        ),
      };
    }
    if (text.trim() === '') {
      return { ok: false, retry: 'never', error: new PlatformError('invalid-response', `${this.platformName} sent an empty response where data was expected.`, init) };
    }
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (err) {
      return {
        ok: false,
        retry: 'never',
        error: new PlatformError('invalid-response', `${this.platformName} sent a response that is not valid JSON (cut off or corrupted).`, {
          ...init,
          cause: err,
          detail: `${ctx.method} ${ctx.path}: ${err instanceof Error ? err.message : String(err)}; body starts ${JSON.stringify(text.slice(0, 120))}`,
        }),
      };
    }
  }
}

class BodyFailure extends Error {
  constructor(
    readonly error: PlatformError,
    readonly retry: RetryClass,
  ) {
    super(error.message);
  }
}

class StreamDropped extends Error {}

function defaultPollItems(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) {
    const b = body as { events?: unknown; items?: unknown };
    if (Array.isArray(b.events)) return b.events;
    if (Array.isArray(b.items)) return b.items;
  }
  return undefined;
}

function flatHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

// ---------------------------------------------------------------------------------------------------------------
// Server-sent events

export interface SseMessage {
  event?: string;
  id?: string;
  data: string;
  retry?: number;
}

/**
 * Parses a `text/event-stream` per the WHATWG rules (CRLF/LF/CR line ends, `:` comments, multi-line `data`, `id`
 * persisting across events). A connection that ends, errors or stays silent for `idleTimeoutMs` throws
 * `StreamDropped`; cancellation throws a `cancelled` PlatformError.
 */
export async function* parseSse(stream: Readable, idleTimeoutMs: number, signal?: AbortSignal): AsyncGenerator<SseMessage, void, undefined> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let lastId: string | undefined;
  let data: string[] = [];
  let event: string | undefined;
  let retry: number | undefined;
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => stream.destroy(new StreamDropped(`no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  };
  const onAbort = () => stream.destroy(new StreamDropped('cancelled'));
  signal?.addEventListener('abort', onAbort, { once: true });
  armIdle();
  try {
    try {
      for await (const chunk of stream) {
        armIdle();
        buffer += decoder.write(chunk as Buffer);
        for (;;) {
          const m = /\r\n|\n|\r/.exec(buffer);
          if (!m) break;
          // A lone CR at the very end may be the first half of CRLF: wait for more.
          if (m[0] === '\r' && m.index === buffer.length - 1) break;
          const line = buffer.slice(0, m.index);
          buffer = buffer.slice(m.index + m[0].length);
          if (line === '') {
            // Spec: an event without data is not dispatched; an explicit `event:` type (e.g. `end`) still is.
            if (data.length > 0 || event !== undefined) {
              yield { event, id: lastId, data: data.join('\n'), retry };
            }
            data = [];
            event = undefined;
            retry = undefined;
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'data') data.push(value);
          else if (field === 'event') event = value;
          else if (field === 'id' && !value.includes('\0')) lastId = value;
          else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
        }
      }
    } catch (err) {
      if (signal?.aborted) throw cancelledError();
      throw err instanceof StreamDropped ? err : new StreamDropped(String(err), { cause: err });
    }
    if (signal?.aborted) throw cancelledError();
    // The server closed the stream; an unterminated last event is discarded (per spec). The caller decides whether
    // the stream was complete (terminal event seen) or must be resumed.
    throw new StreamDropped('closed by the server');
  } finally {
    if (idle) clearTimeout(idle);
    signal?.removeEventListener('abort', onAbort);
  }
}
