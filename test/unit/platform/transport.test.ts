import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Transport, type ResponseValidator, type TransportOptions } from '../../../src/platform/transport';
import { fakeClock, json, rejection, settle, startFaultServer, watchUnhandledRejections, type FaultServer } from './faultServer';

interface Thing {
  id: string;
}

const thingSchema: ResponseValidator<Thing> = {
  name: 'Thing',
  validate: (v: unknown): v is Thing => typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string',
  errorText: () => '/id must be string',
};

describe('platform transport: fault injection against a loopback server', () => {
  let server: FaultServer;
  let other: FaultServer;
  let clock: ReturnType<typeof fakeClock>;
  const unhandled = watchUnhandledRejections();

  before(async () => {
    server = await startFaultServer();
    other = await startFaultServer();
  });
  after(async () => {
    await server.close();
    await other.close();
    unhandled.stop();
  });
  beforeEach(() => {
    server.requests.length = 0;
    other.requests.length = 0;
    clock = fakeClock();
  });
  afterEach(async () => {
    await settle();
    assert.deepEqual(unhandled.seen, [], 'no unhandled rejection');
  });

  function transport(extra: Partial<TransportOptions> = {}): Transport {
    return new Transport({
      baseUrl: server.url,
      token: async () => 'tok-1',
      timeoutMs: 2_000,
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 },
      clock,
      platformName: 'The test platform',
      ...extra,
    });
  }

  it('GETs JSON, sends the bearer token and validates against the schema', async () => {
    server.handle((_req, res) => json(res, 200, { id: 'a' }, { 'X-Request-Id': 'req-1' }));
    const res = await transport().requestFull({ path: '/v1/things/a', query: { limit: 5, text: 'x y', skip: undefined }, schema: thingSchema });
    assert.deepEqual(res.data, { id: 'a' });
    assert.equal(res.requestId, 'req-1');
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].url, '/v1/things/a?limit=5&text=x+y');
    assert.equal(server.requests[0].headers.authorization, 'Bearer tok-1');
    assert.match(String(server.requests[0].headers['user-agent']), /^paved\//);
  });

  it('keeps a base URL path prefix', async () => {
    server.handle((_req, res) => json(res, 200, { id: 'p' }));
    await transport({ baseUrl: `${server.url}/platform/` }).request({ path: '/v1/x' });
    assert.equal(server.requests[0].url, '/platform/v1/x');
  });

  it('a response that does not match the schema is invalid-response, not retried', async () => {
    server.handle((_req, res) => json(res, 200, { id: 42 }));
    const err = await rejection(transport().request({ path: '/v1/things/a', schema: thingSchema }));
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.message, 'The test platform sent a Thing that does not match the API contract. Is the platform a compatible version?');
    assert.equal(err.detail, 'GET /v1/things/a: /id must be string');
    assert.equal(server.requests.length, 1);
  });

  it('a server that never answers ends in timeout (whole-response timer)', async () => {
    server.handle(() => undefined); // hang
    const err = await rejection(transport({ timeoutMs: 150 }).request({ path: '/v1/hang' }));
    assert.equal(err.code, 'timeout');
    assert.equal(err.message, `The test platform did not answer within 150 ms. Check that ${new URL(server.url).host} is reachable and try again.`);
    assert.equal(err.action, 'retry');
    assert.equal(server.requests.length, 1, 'timeouts are not retried');
  });

  it('a slow drip (headers, then a byte at a time) ends in timeout, not a hang', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{');
      const t = setInterval(() => {
        if (res.destroyed) clearInterval(t);
        else res.write(' ');
      }, 20);
      res.on('close', () => clearInterval(t));
    });
    const err = await rejection(transport({ timeoutMs: 200 }).request({ path: '/v1/drip' }));
    assert.equal(err.code, 'timeout');
    assert.equal(err.message, 'The test platform did not finish its response in time (it was still arriving). Try again.');
    assert.equal(err.status, 200);
  });

  it('a connection reset on a GET is retried with backoff and then succeeds', async () => {
    server.handle((_req, res, i) => {
      if (i === 0) res.socket?.destroy();
      else json(res, 200, { id: 'b' });
    });
    const data = await transport().request({ path: '/v1/things/b', schema: thingSchema });
    assert.deepEqual(data, { id: 'b' });
    assert.equal(server.requests.length, 2);
    assert.deepEqual(clock.sleeps, [50], 'full jitter: random 0.5 × base 100');
  });

  it('a connection reset on a POST without Idempotency-Key is not retried: unreachable', async () => {
    server.handle((_req, res) => res.socket?.destroy());
    const err = await rejection(transport().request({ method: 'POST', path: '/v1/things', body: { a: 1 } }));
    assert.equal(err.code, 'unreachable');
    assert.match(err.message, /^The connection to 127\.0\.0\.1:\d+ failed \((ECONNRESET|socket hang up)\)\. Try again\.$/);
    assert.equal(server.requests.length, 1);
  });

  it('500 on every attempt: retried maxAttempts times with exponential backoff, then server-error', async () => {
    server.handle((_req, res) =>
      json(res, 500, { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'disk full' }, { 'Content-Type': 'application/problem+json' }),
    );
    const err = await rejection(transport().request({ path: '/v1/boom' }));
    assert.equal(err.code, 'server-error');
    assert.equal(err.status, 500);
    assert.equal(err.message, 'The test platform failed (HTTP 500) (disk full). Try again later.');
    assert.equal(err.server?.kind, 'problem');
    assert.equal(server.requests.length, 4);
    assert.deepEqual(clock.sleeps, [50, 100, 200]);
  });

  it('backoff is capped at maxDelayMs', async () => {
    server.handle((_req, res) => json(res, 502, {}));
    clock = fakeClock(0.999);
    await rejection(transport({ retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 300, maxRetryAfterMs: 5_000 } }).request({ path: '/v1/x' }));
    assert.deepEqual(clock.sleeps, [99, 199, 299, 299, 299]);
  });

  it('503 with Retry-After in seconds waits that long, then succeeds', async () => {
    server.handle((_req, res, i) => {
      if (i === 0) json(res, 503, { title: 'busy' }, { 'Retry-After': '2' });
      else json(res, 200, { id: 'c' });
    });
    assert.deepEqual(await transport().request({ path: '/v1/c' }), { id: 'c' });
    assert.deepEqual(clock.sleeps, [2000]);
  });

  it('429 with Retry-After as an HTTP date waits until then', async () => {
    const now = clock.now();
    server.handle((_req, res, i) => {
      if (i === 0) json(res, 429, {}, { 'Retry-After': new Date(now + 3_000).toUTCString() });
      else json(res, 200, { id: 'd' });
    });
    assert.deepEqual(await transport().request({ path: '/v1/d' }), { id: 'd' });
    assert.deepEqual(clock.sleeps, [3000]);
  });

  it('a Retry-After beyond the cap fails at once with retryAfterMs for the UI', async () => {
    server.handle((_req, res) => json(res, 429, { error: { name: 'TooManyRequests', message: 'slow down' } }, { 'Retry-After': '120' }));
    const err = await rejection(transport().request({ path: '/v1/e' }));
    assert.equal(err.code, 'server-error');
    assert.equal(err.retryAfterMs, 120_000);
    assert.equal(err.message, 'The test platform is rate-limiting requests (slow down). Try again in 2 min.');
    assert.equal(server.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('an HTML page on 200 is invalid-response pointing at the URL setting', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body>login</body></html>');
    });
    const err = await rejection(transport().request({ path: '/v1/services' }));
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.action, 'open-settings');
    assert.equal(
      err.message,
      "The test platform answered with an HTML page instead of API data. Is paved.platform.url the API's base URL (not a web page or a sign-in page)?",
    );
  });

  it('an HTML 502 page from a gateway is server-error saying so, retried', async () => {
    server.handle((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
    });
    const err = await rejection(transport({ retry: { maxAttempts: 2 } }).request({ path: '/v1/services' }));
    assert.equal(err.code, 'server-error');
    assert.equal(err.server?.kind, 'html');
    assert.equal(
      err.message,
      'The test platform is unavailable (HTTP 502). It answered with an HTML error page (a proxy or gateway in between?). Try again later.',
    );
    assert.equal(server.requests.length, 2);
  });

  it('truncated JSON (connection closed mid-body) is invalid-response after the retries', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"items":[{"name":"a"},');
      setImmediate(() => res.socket?.destroy());
    });
    const err = await rejection(transport({ retry: { maxAttempts: 3, baseDelayMs: 10 } }).request({ path: '/v1/services' }));
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.message, 'The test platform closed the connection before the whole response arrived. Try again.');
    assert.equal(err.action, 'retry');
    assert.equal(server.requests.length, 3);
  });

  it('a gzip-compressed response is decompressed; a truncated gzip body is invalid JSON', async () => {
    const body = gzipSync(JSON.stringify({ id: 'zipped', pad: 'x'.repeat(2000) }));
    server.handle((_req, res, i) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', ...(i === 0 ? { 'Content-Length': String(body.length) } : {}) });
      if (i === 0) res.end(body);
      else res.end(body.subarray(0, body.length - 20)); // complete HTTP framing, truncated gzip stream
    });
    const t = transport({ retry: { maxAttempts: 1 } });
    assert.equal((await t.request<{ id: string }>({ path: '/v1/zip', schema: thingSchema })).id, 'zipped');
    const err = await rejection(t.request({ path: '/v1/zip' }));
    assert.equal(err.code, 'invalid-response');
    // axios inflates leniently (Z_SYNC_FLUSH): the cut shows as JSON that ends early.
    assert.equal(err.message, 'The test platform sent a response that is not valid JSON (cut off or corrupted).');
  });

  it('truncated chunked JSON (no final chunk) is invalid-response', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked
      res.write('{"items":[');
      setImmediate(() => res.socket?.destroy());
    });
    const err = await rejection(transport({ retry: { maxAttempts: 1 } }).request({ path: '/v1/services' }));
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.message, 'The test platform closed the connection before the whole response arrived. Try again.');
  });

  it('invalid JSON in a complete response is invalid-response, not retried', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"items": [1, 2,, ]}');
    });
    const err = await rejection(transport().request({ path: '/v1/services' }));
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.message, 'The test platform sent a response that is not valid JSON (cut off or corrupted).');
    assert.equal(server.requests.length, 1);
  });

  it('an empty 200 body where JSON is expected is invalid-response; 204 is fine', async () => {
    server.handle((_req, res, i) => {
      if (i === 0) res.writeHead(200, { 'Content-Type': 'application/json' }).end();
      else res.writeHead(204).end();
    });
    const err = await rejection(transport().request({ path: '/v1/a' }));
    assert.equal(err.message, 'The test platform sent an empty response where data was expected.');
    assert.equal(await transport().request({ method: 'DELETE', path: '/v1/a' }), undefined);
  });

  it('a redirect to another origin is a typed error and the other origin never sees Authorization', async () => {
    other.handle((_req, res) => json(res, 200, { id: 'stolen' }));
    server.handle((_req, res) => {
      res.writeHead(302, { Location: `${other.url}/collect` });
      res.end();
    });
    const err = await rejection(transport().request({ path: '/v1/services' }));
    assert.equal(err.code, 'invalid-response');
    assert.equal(err.status, 302);
    assert.equal(err.action, 'open-settings');
    assert.equal(
      err.message,
      `The test platform answered with a redirect to ${other.origin} (HTTP 302). Paved does not follow redirects, so your token is never sent elsewhere; set paved.platform.url to the address the platform's API is served from.`,
    );
    assert.equal(other.requests.length, 0);
    assert.equal(server.requests.length, 1);
  });

  it('401 then a fresh token: one retry with the new token succeeds', async () => {
    const calls: { refresh: boolean; rejected?: string }[] = [];
    let current = 'old';
    server.handle((req, res) => {
      if (req.headers.authorization === 'Bearer new') json(res, 200, { id: 'ok' });
      else json(res, 401, { error: { name: 'AuthenticationError', message: 'Illegal token' } });
    });
    const t = transport({
      token: async (r) => {
        calls.push(r);
        if (r.refresh) current = 'new';
        return current;
      },
    });
    assert.deepEqual(await t.request({ path: '/v1/me' }), { id: 'ok' });
    assert.deepEqual(calls, [{ refresh: false }, { refresh: true, rejected: 'old' }]);
    assert.deepEqual(
      server.requests.map((r) => r.headers.authorization),
      ['Bearer old', 'Bearer new'],
    );
  });

  it('401 when no fresh token exists: unauthorized with a sign-in action and Backstage’s message', async () => {
    server.handle((_req, res) => json(res, 401, { error: { name: 'AuthenticationError', message: 'Illegal token' }, response: { statusCode: 401 } }));
    const err = await rejection(transport({ token: async () => 'same' }).request({ path: '/v1/me' }));
    assert.equal(err.code, 'unauthorized');
    assert.equal(err.action, 'sign-in');
    assert.equal(err.message, 'The test platform rejected the credentials (Illegal token). Sign in again with "Paved: Sign In".');
    assert.equal(err.server?.kind, 'backstage');
    assert.equal(server.requests.length, 1, 'the rejected token is not sent again');
  });

  it('a problem document 404 becomes not-found with the request id', async () => {
    server.handle((_req, res) =>
      json(res, 404, { type: 'https://paved.dev/problems/not-found', title: 'Not Found', status: 404, detail: 'No service "nope".', code: 'not-found' }, {
        'Content-Type': 'application/problem+json',
        'X-Request-Id': 'r-9',
      }),
    );
    const err = await rejection(transport().request({ path: '/v1/services/nope' }));
    assert.equal(err.code, 'not-found');
    assert.equal(err.message, 'Not found on the test platform (No service "nope".).');
    assert.equal(err.requestId, 'r-9');
    assert.equal(err.detail, 'GET /v1/services/nope · HTTP 404 · request id r-9 · https://paved.dev/problems/not-found · No service "nope".');
    assert.equal(server.requests.length, 1);
  });

  it('403 is forbidden; 409 conflict; 422 idempotency-mismatch is a conflict', async () => {
    const statuses: [number, unknown][] = [
      [403, { title: 'Forbidden', detail: 'read-only token' }],
      [409, { title: 'Conflict', detail: 'already finished' }],
      [422, { title: 'Unprocessable', detail: 'key reused', code: 'idempotency-mismatch' }],
    ];
    server.handle((_req, res, i) => json(res, statuses[i][0], statuses[i][1]));
    const t = transport();
    const codes = [];
    for (let i = 0; i < statuses.length; i++) codes.push((await rejection(t.request({ path: '/v1/x' }))).code);
    assert.deepEqual(codes, ['forbidden', 'conflict', 'conflict']);
  });

  it('a retried create with an Idempotency-Key creates exactly one deployment', async () => {
    const created = new Map<string, { id: string; body: string }>();
    let n = 0;
    server.handle((req, res, i) => {
      const key = String(req.headers['idempotency-key']);
      let dep = created.get(key);
      if (!dep) {
        dep = { id: `dep-${++n}`, body: req.body };
        created.set(key, dep);
      }
      if (i === 0) {
        res.socket?.destroy(); // created, but the answer is lost
        return;
      }
      if (i === 1) {
        json(res, 503, {}, { 'Retry-After': '1' });
        return;
      }
      json(res, 202, { id: dep.id });
    });
    const data = await transport().request({ method: 'POST', path: '/v1/services/a/deployments', body: { environment: 'local' }, idempotencyKey: true, schema: thingSchema });
    assert.deepEqual(data, { id: 'dep-1' });
    assert.equal(server.requests.length, 3);
    assert.equal(created.size, 1);
    const keys = new Set(server.requests.map((r) => r.headers['idempotency-key']));
    assert.equal(keys.size, 1);
    assert.match(String([...keys][0]), /^[0-9a-f-]{36}$/);
    assert.deepEqual(clock.sleeps, [50, 1000]);
  });

  it('two logical operations get two different keys', async () => {
    server.handle((_req, res) => json(res, 202, { id: 'x' }));
    const t = transport();
    await t.request({ method: 'POST', path: '/v1/a', body: {}, idempotencyKey: true });
    await t.request({ method: 'POST', path: '/v1/a', body: {}, idempotencyKey: true });
    assert.notEqual(server.requests[0].headers['idempotency-key'], server.requests[1].headers['idempotency-key']);
  });

  it('cancelling while waiting for the answer gives cancelled', async () => {
    server.handle(() => undefined);
    const ctl = new AbortController();
    const p = transport().request({ path: '/v1/slow', signal: ctl.signal });
    server.handle(() => undefined);
    setImmediate(() => ctl.abort());
    const err = await rejection(p);
    assert.equal(err.code, 'cancelled');
  });

  it('cancelling before the backoff sleep stops the retries', async () => {
    const ctl = new AbortController();
    server.handle((_req, res) => {
      ctl.abort();
      json(res, 503, {});
    });
    const err = await rejection(transport().request({ path: '/v1/x', signal: ctl.signal }));
    assert.equal(err.code, 'cancelled');
    assert.equal(server.requests.length, 1);
  });

  it('connection refused is unreachable and says so', async () => {
    const dead = await startFaultServer();
    const url = dead.url;
    await dead.close();
    const err = await rejection(new Transport({ baseUrl: url, clock, retry: { maxAttempts: 2, baseDelayMs: 1 } }).request({ path: '/v1/health' }));
    assert.equal(err.code, 'unreachable');
    assert.equal(err.message, `Could not connect to ${new URL(url).host}: connection refused. Is the platform running and the URL right?`);
    assert.equal(clock.sleeps.length, 1);
  });

  it('a token provider that throws becomes unauthorized, nothing is sent', async () => {
    const t = transport({
      token: async () => {
        throw new Error('keychain locked');
      },
    });
    const err = await rejection(t.request({ path: '/v1/x' }));
    assert.equal(err.code, 'unauthorized');
    assert.equal(err.detail, 'keychain locked');
    assert.equal(server.requests.length, 0);
  });

  it('refuses absolute or protocol-relative paths (the token stays on the platform origin)', async () => {
    const t = transport();
    assert.equal((await rejection(t.request({ path: 'http://evil.example/x' }))).code, 'invalid-input');
    assert.equal((await rejection(t.request({ path: '//evil.example/x' }))).code, 'invalid-input');
    assert.equal(server.requests.length, 0);
  });

});
