import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import { Readable } from 'node:stream';
import { Transport, parseSse, type EventStreamOptions, type SseMessage } from '../../../src/platform/transport';
import { fakeClock, json, rejection, settle, startFaultServer, watchUnhandledRejections, type FaultServer } from './faultServer';

interface Ev {
  seq: number;
  type: string;
}

function sse(res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
}
function send(res: http.ServerResponse, seq: number, type = 'log'): void {
  res.write(`id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ seq, type })}\n\n`);
}

async function collect<E>(it: AsyncIterable<E>): Promise<E[]> {
  const out: E[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('platform transport: event streams (SSE with resume, long-poll fallback)', () => {
  let server: FaultServer;
  let clock: ReturnType<typeof fakeClock>;
  const unhandled = watchUnhandledRejections();

  before(async () => {
    server = await startFaultServer();
  });
  after(async () => {
    await server.close();
    unhandled.stop();
  });
  beforeEach(() => {
    server.requests.length = 0;
    clock = fakeClock();
  });
  afterEach(async () => {
    await settle();
    assert.deepEqual(unhandled.seen, []);
  });

  const t = () => new Transport({ baseUrl: server.url, token: async () => 'tok', clock, timeoutMs: 2_000, retry: { baseDelayMs: 10 } });
  const opts = (extra: Partial<EventStreamOptions<Ev>> = {}): EventStreamOptions<Ev> => ({
    ssePath: '/v1/deployments/d1/events',
    decode: (raw) => raw.data as Ev,
    idOf: (e) => e.seq,
    isTerminal: () => false,
    endEventType: 'end',
    ...extra,
  });

  it('reads SSE events until the end event', async () => {
    server.handle((_req, res) => {
      sse(res);
      res.write(': heartbeat\n\n');
      send(res, 1, 'state');
      send(res, 2);
      send(res, 3, 'completed');
      res.write('event: end\ndata: {}\n\n');
      res.end();
    });
    const events = await collect(t().events(opts()));
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3]);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].headers.accept, 'text/event-stream');
    assert.equal(server.requests[0].headers.authorization, 'Bearer tok');
    assert.equal(server.requests[0].url, '/v1/deployments/d1/events');
  });

  it('resumes after the last seen id when the connection drops, without duplicates', async () => {
    server.handle((req, res, i) => {
      sse(res);
      if (i === 0) {
        send(res, 1);
        send(res, 2);
        setImmediate(() => res.socket?.destroy());
        return;
      }
      assert.equal(req.url, '/v1/deployments/d1/events?after=2');
      assert.equal(req.headers['last-event-id'], '2');
      send(res, 2); // a server resending the boundary event must not produce a duplicate
      send(res, 3, 'completed');
      res.end('event: end\n\n');
    });
    const events = await collect(t().events(opts()));
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3]);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(clock.sleeps, [5]);
  });

  it('starts after a given id', async () => {
    server.handle((_req, res) => {
      sse(res);
      send(res, 8);
      res.end('event: end\n\n');
    });
    await collect(t().events(opts({ after: 7 })));
    assert.equal(server.requests[0].url, '/v1/deployments/d1/events?after=7');
  });

  it('ends on a terminal event (Backstage: the server closes after completion)', async () => {
    server.handle((_req, res) => {
      sse(res);
      res.write(`event: log\ndata: ${JSON.stringify({ id: 10, type: 'log' })}\n\n`);
      res.write(`event: completion\ndata: ${JSON.stringify({ id: 11, type: 'completion' })}\n\n`);
      res.end();
    });
    const events = await collect(
      t().events<{ id: number; type: string }>({
        ssePath: '/api/scaffolder/v2/tasks/t1/eventstream',
        decode: (raw) => raw.data as { id: number; type: string },
        idOf: (e) => e.id,
        isTerminal: (e) => e.type === 'completion',
      }),
    );
    assert.deepEqual(events.map((e) => e.id), [10, 11]);
    assert.equal(server.requests.length, 1);
  });

  it('a silent connection (no heartbeat within the idle timeout) is resumed', async () => {
    server.handle((_req, res, i) => {
      sse(res);
      if (i === 0) {
        send(res, 1);
        return; // then silence
      }
      send(res, 2, 'completed');
      res.end('event: end\n\n');
    });
    const events = await collect(t().events(opts({ idleTimeoutMs: 100 })));
    assert.deepEqual(events.map((e) => e.seq), [1, 2]);
    assert.equal(server.requests[1].url, '/v1/deployments/d1/events?after=1');
  });

  it('sse mode: a stream that keeps dropping without news gives up as unreachable', async () => {
    server.handle((_req, res) => {
      sse(res);
      res.end();
    });
    const err = await rejection(collect(t().events(opts({ maxReconnects: 2, mode: 'sse' }))));
    assert.equal(err.code, 'unreachable');
    assert.equal(err.message, 'The event stream from the platform keeps closing before it ends. Try again later.');
    assert.equal(server.requests.length, 3);
  });

  it('auto mode: two silent streams in a row (a buffering proxy) switch to the long-poll', async () => {
    server.handle((req, res) => {
      if (req.headers.accept === 'text/event-stream') {
        sse(res); // headers, then nothing: the proxy holds the events back
        res.flushHeaders();
        return;
      }
      json(res, 200, { items: [{ seq: 1, type: 'completed' }], done: true, lastSeq: 1 });
    });
    const events = await collect(t().events(opts({ idleTimeoutMs: 50, pollDone: (b) => (b as { done: boolean }).done })));
    assert.deepEqual(events.map((e) => e.seq), [1]);
    assert.deepEqual(
      server.requests.map((r) => r.headers.accept),
      ['text/event-stream', 'text/event-stream', 'application/json'],
    );
  });

  it('auto mode: an event stream whose headers never come (timeout) falls back to the long-poll', async () => {
    server.handle((req, res) => {
      if (req.headers.accept === 'text/event-stream') return; // never answers
      json(res, 200, { items: [{ seq: 4, type: 'completed' }], done: true, lastSeq: 4 });
    });
    const quick = new Transport({ baseUrl: server.url, clock, timeoutMs: 150 });
    const events = await collect(quick.events(opts({ after: 3, pollDone: (b) => (b as { done: boolean }).done })));
    assert.deepEqual(events.map((e) => e.seq), [4]);
    assert.equal(server.requests[1].url, '/v1/deployments/d1/events?after=3');
  });

  it('falls back to the JSON long-poll when the SSE request is answered with JSON', async () => {
    server.handle((req, res) => {
      if (req.headers.accept === 'text/event-stream') {
        json(res, 200, { items: [], done: false, lastSeq: 0 });
        return;
      }
      const after = new URL(req.url, 'http://x').searchParams.get('after');
      if (after === null) json(res, 200, { items: [{ seq: 1, type: 'log' }, { seq: 2, type: 'log' }], done: false, lastSeq: 2 });
      else if (after === '2') json(res, 200, { items: [], done: false, lastSeq: 2 });
      else json(res, 200, { items: [{ seq: 3, type: 'completed' }], done: true, lastSeq: 3 });
    });
    let polls = 0;
    const events = await collect(
      t().events(
        opts({
          pollQuery: { wait: 20 },
          pollItems: (b) => {
            polls++;
            if (polls === 2) server.handle((_req, res) => json(res, 200, { items: [{ seq: 3, type: 'completed' }], done: true, lastSeq: 3 }));
            return (b as { items: unknown[] }).items;
          },
          pollDone: (b) => (b as { done: boolean }).done,
          pollIntervalMs: 7,
        }),
      ),
    );
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3]);
    assert.deepEqual(
      server.requests.map((r) => r.url),
      ['/v1/deployments/d1/events', '/v1/deployments/d1/events?wait=20', '/v1/deployments/d1/events?wait=20&after=2', '/v1/deployments/d1/events?wait=20&after=2'],
    );
    assert.equal(server.requests[1].headers.accept, 'application/json');
    assert.deepEqual(clock.sleeps, [7], 'an empty poll pauses pollIntervalMs');
  });

  it('falls back to the long-poll path when the SSE endpoint is 404 (Backstage /events)', async () => {
    server.handle((req, res) => {
      if (req.url.startsWith('/api/scaffolder/v2/tasks/t1/eventstream')) json(res, 404, { error: { name: 'NotFoundError', message: 'no' } });
      else json(res, 200, [{ id: 5, type: 'completion' }]);
    });
    const events = await collect(
      t().events<{ id: number; type: string }>({
        ssePath: '/api/scaffolder/v2/tasks/t1/eventstream',
        pollPath: '/api/scaffolder/v2/tasks/t1/events',
        after: 4,
        decode: (raw) => raw.data as { id: number; type: string },
        idOf: (e) => e.id,
        isTerminal: (e) => e.type === 'completion',
      }),
    );
    assert.deepEqual(events, [{ id: 5, type: 'completion' }]);
    assert.equal(server.requests[1].url, '/api/scaffolder/v2/tasks/t1/events?after=4');
  });

  it('an event whose data is not JSON is invalid-response', async () => {
    server.handle((_req, res) => {
      sse(res);
      res.end('id: 1\ndata: {oops\n\n');
    });
    const err = await rejection(collect(t().events(opts())));
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.message, 'The platform sent an event that is not valid JSON.');
  });

  it('401 on the stream is unauthorized (no fallback)', async () => {
    server.handle((_req, res) => json(res, 401, { title: 'Unauthorized', detail: 'wrong token' }));
    const err = await rejection(collect(t().events(opts())));
    assert.equal(err.code, 'unauthorized');
  });

  it('cancelling mid-stream gives cancelled and closes the connection', async () => {
    const ctl = new AbortController();
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => (closed = r));
    server.handle((_req, res) => {
      sse(res);
      send(res, 1);
      res.on('close', () => closed());
    });
    const it = t().events(opts({ signal: ctl.signal }));
    const got: number[] = [];
    const err = await rejection(
      (async () => {
        for await (const e of it) {
          got.push(e.seq);
          ctl.abort();
        }
      })(),
    );
    assert.equal(err.code, 'cancelled');
    assert.deepEqual(got, [1]);
    await serverSawClose;
  });

  it('breaking out of the loop closes the connection', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => (closed = r));
    server.handle((_req, res) => {
      sse(res);
      send(res, 1);
      send(res, 2);
      res.on('close', () => closed());
    });
    for await (const e of t().events(opts())) {
      if (e.seq === 1) break;
    }
    await serverSawClose;
  });
});

describe('parseSse', () => {
  async function parse(chunks: string[]): Promise<SseMessage[]> {
    const out: SseMessage[] = [];
    try {
      for await (const m of parseSse(Readable.from(chunks.map((c) => Buffer.from(c))), 1_000)) out.push(m);
    } catch (err) {
      // The stream ending always surfaces as a dropped stream; the caller decides whether it was complete.
      assert.equal((err as Error).message, 'closed by the server');
    }
    return out;
  }

  it('handles CRLF, CR, comments, multi-line data, persistent ids and chunk splits', async () => {
    const msgs = await parse(['id: 1\r\nevent: a\r\ndata: {"x":\r\ndata: 1}\r\n\r\n', ': ping\n\nda', 'ta: two\rid', ': 2\r\r', 'data: three\n', '\n']);
    assert.deepEqual(msgs, [
      { event: 'a', id: '1', data: '{"x":\n1}', retry: undefined },
      { event: undefined, id: '2', data: 'two', retry: undefined },
      { event: undefined, id: '2', data: 'three', retry: undefined },
    ]);
  });

  it('drops an unterminated last event and splits multi-byte characters correctly', async () => {
    const euro = Buffer.from('data: €\n\n');
    const msgs: SseMessage[] = [];
    try {
      for await (const m of parseSse(Readable.from([euro.subarray(0, 7), euro.subarray(7), Buffer.from('data: partial')]), 1_000)) msgs.push(m);
    } catch (err) {
      assert.equal((err as Error).message, 'closed by the server');
    }
    assert.deepEqual(msgs.map((m) => m.data), ['€']);
  });
});
