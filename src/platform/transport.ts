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
 *
 * This module is the one everyone imports: it holds the `Transport` class and re-exports its public types
 * (transportTypes.ts) and helpers, which live beside it — cancellation (signals.ts), retry rules and idempotency keys
 * (retry.ts), URL rules (url.ts), body reading (responseBody.ts), event streams (eventStream.ts) and the SSE parser
 * (sse.ts).
 */
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { version } from '../../package.json';
import { keepAliveAgents } from './agents';
import { PlatformError, errorForStatus, parseServerError, requestIdOf } from './errors';
import { streamEvents } from './eventStream';
import {
  BodyFailure,
  CANCEL,
  ERROR_BODY_LIMIT,
  TIMEOUT,
  decodeJson,
  flatHeaders,
  readBody,
  type AttemptFailure,
  type AttemptResult,
  type OpenedResponse,
} from './responseBody';
import { DEFAULT_RETRY, IDEMPOTENT, RETRY_STATUSES, backoffDelay, newIdempotencyKey, parseRetryAfter } from './retry';
import { cancelledError, realClock } from './signals';
import type {
  Clock,
  EventStreamOptions,
  HttpMethod,
  QueryValue,
  RequestOptions,
  RetryPolicy,
  TokenProvider,
  TransportLog,
  TransportOptions,
  TransportResponse,
} from './transportTypes';
// URL rules (url.ts: no HTTP client, so `paved lint` can use them)
import { isLoopbackHost, parsePlatformUrl } from './url';

// The transport's types are part of its interface: every one of them, from the file that declares them.
export type * from './transportTypes';
export { DEFAULT_RETRY, newIdempotencyKey, parseRetryAfter } from './retry';
export { abortSignalFrom, linkedSignal, type CancellationLike } from './signals';
export { parseSse, type SseMessage } from './sse';
export { isLoopbackHost, parsePlatformUrl };

// ---------------------------------------------------------------------------------------------------------------
// Transport


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
      // Kept-alive connections, dropped by this side after a short idle time (agents.ts).
      ...keepAliveAgents(),
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
    return this.execute(opts, opts.expect === 'text' ? 'text/plain' : 'application/json', async (opened, ctx) => {
      const text = await readBody(this.platformName, opened, this.maxResponseBytes, ctx);
      const requestId = requestIdOf(opened.headers);
      const base = { status: opened.res.status, headers: opened.headers, requestId };
      if (opts.expect === 'empty' || opened.res.status === 204 || opened.res.status === 205) {
        return { ok: true, value: { ...base, data: undefined as T } };
      }
      if (opts.expect === 'text') return { ok: true, value: { ...base, data: text as T } };
      const decoded = decodeJson(this.platformName, text, opened.headers['content-type'], ctx, requestId);
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
   * Breaking out of the loop closes the connection. See eventStream.ts.
   */
  async *events<E>(opts: EventStreamOptions<E>): AsyncGenerator<E, void, undefined> {
    yield* streamEvents(
      {
        platformName: this.platformName,
        clock: this.clock,
        log: this.log,
        request: (o) => this.request(o),
        openStream: (o) => this.openStream(o),
        backoff: (n) => this.backoff(n),
      },
      opts,
    );
  }

  // -------------------------------------------------------------------------------------------------------------

  private backoff(retryNumber: number): number {
    return backoffDelay(this.retry, this.clock, retryNumber);
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
          text = await readBody(this.platformName, opened, ERROR_BODY_LIMIT, ctx, true);
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
    const error = new PlatformError('unreachable', `The connection to ${where} failed (${code || msg}). Try again.`, init);
    // A kept-alive connection the server closed just as the request went out: retry at once (when that is safe).
    const reused = (err as { request?: { reusedSocket?: boolean } } | undefined)?.request?.reusedSocket === true;
    return reused && code === 'ECONNRESET' ? { error, retry: 'if-idempotent', retryAfterMs: 0 } : { error, retry: 'if-idempotent' };
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
