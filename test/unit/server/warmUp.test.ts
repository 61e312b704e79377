import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { warmUp } from '../../../src/server/warmUp';

/** A loopback server that answers with `answer` (or never, when it returns undefined) and records what it was asked. */
async function listen(answer: (req: http.IncomingMessage) => number | undefined): Promise<{ port: number; seen: { url: string; auth?: string }[]; close(): Promise<void> }> {
  const seen: { url: string; auth?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    const status = answer(req);
    if (status !== undefined) res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('paved serve warms its request path before announcing itself', () => {
  it('asks what every client asks first: the identity check, then a catalog page with the read-only token', async () => {
    const s = await listen(() => 200);
    const lines: string[] = [];
    try {
      await warmUp('127.0.0.1', s.port, 'ro-token', (l) => lines.push(l));
      assert.equal(s.seen.length, 2);
      assert.match(s.seen[0].url, /^\/v1\/health\?challenge=[\w-]{20,}$/);
      assert.equal(s.seen[0].auth, undefined, 'the unauthenticated identity check carries no token');
      assert.equal(s.seen[1].url, '/v1/services?limit=1');
      assert.equal(s.seen[1].auth, 'Bearer ro-token');
      assert.deepEqual(lines, []);
    } finally {
      await s.close();
    }
  });

  it('an error answer is logged and the start goes on', async () => {
    const s = await listen(() => 500);
    const lines: string[] = [];
    try {
      await warmUp('127.0.0.1', s.port, 'ro-token', (l) => lines.push(l));
      assert.equal(lines.length, 1);
      assert.match(lines[0], /warm-up request failed \(GET \/v1\/health answered 500\); serving anyway/);
    } finally {
      await s.close();
    }
  });

  it('a request that gets no answer is given up after the bound, not waited for', async () => {
    const s = await listen(() => undefined);
    const lines: string[] = [];
    try {
      await warmUp('127.0.0.1', s.port, 'ro-token', (l) => lines.push(l), 50);
      assert.equal(lines.length, 1);
      assert.match(lines[0], /GET \/v1\/health took over 50 ms/);
    } finally {
      await s.close();
    }
  });

  it('nothing listening: logged, not thrown', async () => {
    const s = await listen(() => 200);
    const port = s.port;
    await s.close();
    const lines: string[] = [];
    await warmUp('127.0.0.1', port, 'ro-token', (l) => lines.push(l));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /ECONNREFUSED/);
  });
});
