/**
 * `Transport.events`: an event stream over SSE, resumed after the last seen id when the connection drops, with a
 * JSON long-poll fallback. It reaches the network only through the transport's own requests (`EventSource`).
 */
import type { Readable } from 'node:stream';
import { PlatformError } from './errors';
import { cancelledError } from './signals';
import { StreamDropped, parseSse } from './sse';
import type { Clock, EventStreamOptions, RequestOptions, TransportLog } from './transportTypes';

/** What the event stream needs from the transport. */
export interface EventSource {
  readonly platformName: string;
  readonly clock: Clock;
  readonly log?: TransportLog;
  request(opts: RequestOptions<unknown>): Promise<unknown>;
  openStream(opts: Omit<RequestOptions<never>, 'schema' | 'expect' | 'body' | 'idempotencyKey'> & { accept: string }): Promise<{
    status: number;
    headers: Record<string, string>;
    stream: Readable;
  }>;
  /** Delay before retry number `n` (exponential backoff with jitter). */
  backoff(n: number): number;
}

/**
 * Streams events: SSE from `ssePath`, resuming after the last seen id when the connection drops, or a JSON
 * long-poll when the server does not offer `text/event-stream` (or `mode: 'poll'`). Ends after the terminal event.
 * Breaking out of the loop closes the connection.
 */
export async function* streamEvents<E>(source: EventSource, opts: EventStreamOptions<E>): AsyncGenerator<E, void, undefined> {
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
      const body = await source.request({
        path,
        query: { ...opts.pollQuery, [afterParam]: after },
        signal: opts.signal,
        timeoutMs: opts.pollTimeoutMs,
      });
      const items = (opts.pollItems ?? defaultPollItems)(body);
      if (!Array.isArray(items)) {
        throw new PlatformError('invalid-response', `${source.platformName} sent an event list that is not a list.`, { method: 'GET', path });
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
      if (!got) await source.clock.sleep(opts.pollIntervalMs ?? 1_000, opts.signal);
      continue;
    }

    let opened: { status: number; headers: Record<string, string>; stream: Readable };
    try {
      opened = await source.openStream({
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
        source.log?.debug(`${opts.ssePath}: no event stream (${err.status ?? err.code}); falling back to long-poll`);
        mode = 'poll';
        continue;
      }
      throw err;
    }
    const type = opened.headers['content-type'] ?? '';
    if (!/^text\/event-stream\b/i.test(type)) {
      opened.stream.destroy();
      if (opts.mode === 'sse') {
        throw new PlatformError('invalid-response', `${source.platformName} did not answer with an event stream (got ${type || 'no content type'}).`, {
          method: 'GET',
          path: opts.ssePath,
          status: opened.status,
        });
      }
      source.log?.debug(`${opts.ssePath}: answered ${type || 'without content type'}; falling back to long-poll`);
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
          throw new PlatformError('invalid-response', `${source.platformName} sent an event that is not valid JSON.`, {
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
        source.log?.debug(`${opts.ssePath}: ${fruitless} event streams brought no event; switching to long-poll`);
        mode = 'poll';
        fruitless = 0;
        continue;
      }
    }
    if (fruitless > maxReconnects) {
      throw new PlatformError(
        'unreachable',
        `The event stream from ${source.platformName.replace(/^The /, 'the ')} keeps closing before it ends. Try again later.`,
        { method: 'GET', path: opts.ssePath, cause: dropped },
      );
    }
    const delay = source.backoff(Math.max(1, fruitless));
    source.log?.debug(`${opts.ssePath}: stream closed before its end (${dropped instanceof Error ? dropped.message : 'closed'}); resuming after ${String(after)} in ${delay} ms`);
    await source.clock.sleep(delay, opts.signal);
  }
}


function defaultPollItems(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) {
    const b = body as { events?: unknown; items?: unknown };
    if (Array.isArray(b.events)) return b.events;
    if (Array.isArray(b.items)) return b.items;
  }
  return undefined;
}
