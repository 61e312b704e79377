/**
 * A loopback HTTP server for fault-injection tests: each test scripts what it does per request (answer, hang, reset,
 * drip, redirect…), and every request is recorded (method, url, headers, body).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { identityProof } from '../../../src/core/api/identity';
import type { Clock } from '../../../src/platform/transport';
import { PlatformError } from '../../../src/platform/errors';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: RecordedRequest, res: http.ServerResponse, index: number) => void;

export interface FaultServer {
  url: string;
  origin: string;
  requests: RecordedRequest[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const requests: RecordedRequest[] = [];
  let handler: Handler = (_req, res) => {
    res.writeHead(500).end('no handler');
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      handler(rec, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    origin,
    requests,
    handle(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Answers the local platform's identity challenge (`GET /v1/health?challenge=`) as the instance `instanceId` holding
 * `token` would; true when the request was one (and is answered).
 */
export function answerIdentity(req: RecordedRequest, res: http.ServerResponse, token: string, instanceId: string): boolean {
  const m = /^\/v1\/health\?challenge=([\w-]+)$/.exec(req.url);
  if (!m) return false;
  json(res, 200, { status: 'ok', version: '0.1.0', apiVersion: 'v1', platform: 'local', uptimeSeconds: 1, runningServices: 0, instanceId, proof: identityProof(token, instanceId, m[1]) });
  return true;
}

/** A clock whose sleeps return at once and are recorded; `random` and `now` fixed. Sleeping honours the signal. */
export function fakeClock(random = 0.5, now = Date.UTC(2026, 10, 22, 6, 0, 0)): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    random: () => random,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new PlatformError('cancelled', 'Cancelled.');
      sleeps.push(ms);
    },
  };
}

/** Records unhandled rejections for the duration of a suite. */
export function watchUnhandledRejections(): { seen: unknown[]; stop(): void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  return { seen, stop: () => process.off('unhandledRejection', listener) };
}

/** Resolves on the next macrotask turns so late rejections (if any) get reported before we assert. */
export async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

export async function rejection(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PlatformError) return err;
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new Error(`expected a PlatformError, got ${what}`, { cause: err });
  }
  throw new Error('expected the promise to reject');
}
