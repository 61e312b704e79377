/**
 * The server-sent events parser (`text/event-stream`) the transport's event streams read, and `StreamDropped`, the
 * signal that a stream ended before its terminal event and may be resumed.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { cancelledError } from './signals';

/** A stream that ended, failed or went silent before its terminal event: the caller may resume it. */
export class StreamDropped extends Error {}

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
