/**
 * Reading a response body within an attempt: the opened response, the failure shapes an attempt returns, reading a
 * whole body under a size limit and the attempt's timeout, decoding JSON, and flattening headers.
 */
import type { Readable } from 'node:stream';
import type { AxiosResponse } from 'axios';
import { PlatformError, looksLikeHtml } from './errors';
import type { RetryClass } from './retry';
import { cancelledError } from './signals';
import type { HttpMethod } from './transportTypes';

/** Largest error body read to find the server's problem details. */
export const ERROR_BODY_LIMIT = 64 * 1024;
/** Abort reasons of an attempt's signal. */
export const TIMEOUT = Symbol('timeout');
export const CANCEL = Symbol('cancel');

export interface AttemptFailure {
  error: PlatformError;
  retry: RetryClass;
  unauthorized?: boolean;
  retryAfterMs?: number;
}

export type AttemptResult<R> = { ok: true; value: R } | ({ ok: false } & AttemptFailure);

export interface OpenedResponse {
  res: AxiosResponse<Readable>;
  headers: Record<string, string>;
  stream: Readable;
  /** Aborts with TIMEOUT or CANCEL as reason. */
  signal: AbortSignal;
}

/** A body that could not be read: the attempt fails with `error`, retried as `retry` says. */
export class BodyFailure extends Error {
  constructor(
    readonly error: PlatformError,
    readonly retry: RetryClass,
  ) {
    super(error.message);
  }
}

/** Reads a whole body within the attempt's timeout, refusing more than `limit` bytes. */
export async function readBody(platformName: string, opened: OpenedResponse, limit: number, ctx: { method: HttpMethod; path: string }, lenient = false): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of opened.stream) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > limit) {
        if (lenient) break;
        throw new BodyFailure(new PlatformError('invalid-response', `${platformName} sent a response larger than ${Math.round(limit / 1024 / 1024)} MiB.`, ctx), 'never');
      }
      chunks.push(buf);
    }
  } catch (err) {
    if (err instanceof BodyFailure) throw err;
    if (opened.signal.aborted && opened.signal.reason === CANCEL) throw cancelledError(ctx);
    if (opened.signal.aborted && opened.signal.reason === TIMEOUT) {
      throw new PlatformError('timeout', `${platformName} did not finish its response in time (it was still arriving). Try again.`, { ...ctx, status: opened.res.status, cause: err });
    }
    throw new BodyFailure(
      new PlatformError('invalid-response', `${platformName} closed the connection before the whole response arrived. Try again.`, { ...ctx, status: opened.res.status, cause: err, action: 'retry' }),
      'if-idempotent',
    );
  }
  if (opened.signal.aborted) {
    if (opened.signal.reason === CANCEL) throw cancelledError(ctx);
    throw new PlatformError('timeout', `${platformName} did not finish its response in time (it was still arriving). Try again.`, { ...ctx, status: opened.res.status });
  }
  const body = Buffer.concat(chunks);
  // A body cut short (Content-Length or chunked framing, or a truncated gzip stream) surfaces above as a stream
  // error from Node / zlib. The declared length is not compared here: axios decompresses and the header then
  // counts compressed bytes.
  return body.toString('utf8').replace(/^\uFEFF/, '');
}

/** Decodes a 2xx body as JSON; HTML pages, empty bodies and invalid JSON become `invalid-response` failures. */
export function decodeJson(platformName: string, text: string, contentType: string | undefined, ctx: { method: HttpMethod; path: string }, requestId: string | undefined): AttemptResult<unknown> {
  const init = { ...ctx, requestId };
  if (looksLikeHtml(contentType, text)) {
    return {
      ok: false,
      retry: 'never',
      error: new PlatformError(
        'invalid-response',
        `${platformName} answered with an HTML page instead of API data. Is paved.platform.url the API's base URL (not a web page or a sign-in page)?`,
        { ...init, action: 'open-settings', detail: `${ctx.method} ${ctx.path}: ${text.slice(0, 200)}` },
      ),
    };
  }
  if (text.trim() === '') {
    return { ok: false, retry: 'never', error: new PlatformError('invalid-response', `${platformName} sent an empty response where data was expected.`, init) };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return {
      ok: false,
      retry: 'never',
      error: new PlatformError('invalid-response', `${platformName} sent a response that is not valid JSON (cut off or corrupted).`, {
        ...init,
        cause: err,
        detail: `${ctx.method} ${ctx.path}: ${err instanceof Error ? err.message : String(err)}; body starts ${JSON.stringify(text.slice(0, 120))}`,
      }),
    };
  }
}

/** Response headers as one lower-case string per name. */
export function flatHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
