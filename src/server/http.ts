/**
 * The HTTP adapter of the local platform: node:http, every request matched to a contract operation, authenticated,
 * validated (ajv, compiled once), handed to the operation's handler in the route table (routes.ts) and answered with
 * JSON, an event stream (SSE or a long-poll page) or an RFC 9457 problem document.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { timingSafeEqual } from 'node:crypto';
import type { Problem, ProblemCode, ProblemFieldError } from '../core/api/types';
import { PROBLEM_MEDIA_TYPE } from '../core/api/types';
import { PavedError, describeError } from '../core/errors';
import { InvalidRequest, PolicyViolation } from './errors';
import type { EventLog, SeqEvent } from './events';
import { Contract } from './openapi';
import type { ApiRequest, Feed, Reply, Routes } from './routing';

export interface HttpOptions {
  token: string;
  readOnlyToken?: string;
  log: (line: string) => void;
  /** Called on every request (idle tracking) with its operation, when it matched one. */
  onActivity?: (operationId?: string) => void;
  /**
   * The names (host part of the Host header) requests may carry besides the loopback ones: the configured bind
   * address. A request for another name (a DNS-rebinding page, say) is refused before anything else.
   */
  hosts?: readonly string[];
  /** Accept any IP address as the Host (the platform is bound to a wildcard address with a token file). */
  anyIpHost?: boolean;
}

const MAX_BODY = 1024 * 1024;
/** A body this much over the limit is not read to its end: the connection is closed. */
const MAX_DRAIN = 16 * MAX_BODY;
/**
 * Idle keep-alive connections stay open this long on the server, while clients are told (`Keep-Alive: timeout=`) to
 * drop theirs much sooner: a client never reuses a connection the server is closing at that moment.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_HINT_S = 4;
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

const STATUS: Record<string, { status: number; title: string; code: ProblemCode }> = {
  'invalid-input': { status: 400, title: 'Bad request', code: 'invalid-input' },
  unauthorized: { status: 401, title: 'Unauthorized', code: 'unauthorized' },
  forbidden: { status: 403, title: 'Forbidden', code: 'forbidden' },
  'not-found': { status: 404, title: 'Not found', code: 'not-found' },
  conflict: { status: 409, title: 'Conflict', code: 'conflict' },
  unsupported: { status: 501, title: 'Not implemented', code: 'unsupported' },
};

class HttpProblem extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail ?? problem.title);
  }
}

function problem(status: number, code: ProblemCode, title: string, detail: string, errors?: ProblemFieldError[]): HttpProblem {
  const p: Problem = { type: `https://paved.dev/problems/${code}`, title, status, detail, code };
  if (errors && errors.length) p.errors = errors;
  return new HttpProblem(p);
}

function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof InvalidRequest) return problem(400, 'invalid-input', 'Bad request', err.message, err.errors);
  if (err instanceof PolicyViolation) {
    const p = problem(422, 'policy-violation', 'Policy violation', err.message).problem;
    return new HttpProblem({ ...p, findings: err.findings, policySet: err.policySet } as Problem);
  }
  if (err instanceof PavedError) {
    if (err.detail === 'idempotency-mismatch') return problem(422, 'idempotency-mismatch', 'Idempotency-Key reused', err.message);
    if (err.detail === 'approval-required') return problem(403, 'approval-required', 'Approval required', err.message);
    const m = STATUS[err.code];
    if (m) return problem(m.status, m.code, m.title, err.message);
  }
  return problem(500, 'server-error', 'Internal error', describeError(err));
}

function acceptsEventStream(req: http.IncomingMessage): boolean {
  return String(req.headers.accept ?? '').includes('text/event-stream');
}

function sameToken(given: string, expected: string | undefined): boolean {
  if (!expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, type = 'application/json'): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...(text ? { 'content-length': String(Buffer.byteLength(text)) } : {}), ...headers });
  res.end(text);
}

/** Streams a file as the 200 answer (its size as it is when the answer starts). */
async function sendFile(res: http.ServerResponse, file: string, type: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { size } = await handle.stat();
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-length': String(size) });
    if (size === 0) {
      res.end();
      return;
    }
    await pipeline(handle.createReadStream({ start: 0, end: Math.max(0, size - 1), autoClose: false }), res);
  } finally {
    await handle.close();
  }
}

function tooLarge(): HttpProblem {
  const p = problem(413, 'invalid-input', 'Payload too large', `request bodies are limited to ${MAX_BODY} bytes`);
  return new HttpProblem(p.problem, { connection: 'close' });
}

/**
 * Reads a request body of at most MAX_BODY bytes. A larger one is answered with a 413 that the client gets to read:
 * the rest of the body is read and dropped first (closing a socket with unread data would reset the connection and
 * lose the answer), up to MAX_DRAIN; the connection closes after the answer.
 */
function readBody(req: http.IncomingMessage): Promise<string> {
  if (Number(req.headers['content-length']) > MAX_DRAIN) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_DRAIN) {
        req.destroy();
        return;
      }
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => (size > MAX_BODY ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** The host part of a Host header, lower case, without brackets or port. */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

export class ApiServer {
  readonly contract = new Contract();
  private readonly sse = new Set<http.ServerResponse>();

  constructor(
    private readonly routes: Routes,
    private readonly opts: HttpOptions,
  ) {}

  openStreams(): number {
    return this.sse.size;
  }

  closeStreams(): void {
    for (const r of this.sse) r.end();
    this.sse.clear();
  }

  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    this.opts.onActivity?.(this.operationOf(req));
    res.setHeader('keep-alive', `timeout=${KEEP_ALIVE_HINT_S}`);
    this.dispatch(req, res).catch((err: unknown) => {
      const p = toProblem(err);
      if (p.problem.status >= 500) this.opts.log(`${req.method} ${req.url}: ${describeError(err)}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      sendJson(res, p.problem.status, { ...p.problem, instance: (req.url ?? '').split('?')[0] }, p.headers, PROBLEM_MEDIA_TYPE);
    });
  };

  /** The operation a request is for, if any (for idle tracking); a malformed request is dispatch's to answer. */
  private operationOf(req: http.IncomingMessage): string | undefined {
    try {
      const matched = this.contract.match((req.method ?? 'GET').toUpperCase(), new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      return matched && 'op' in matched ? matched.op.operationId : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether the request's Host names this platform: a loopback name or a configured one (DNS-rebinding defence). */
  private hostAllowed(header: string | undefined): boolean {
    if (header === undefined) return true; // HTTP/1.0 without Host: no name to rebind
    const name = hostName(header);
    if (LOOPBACK_NAMES.has(name) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
    if (this.opts.hosts?.some((h) => h.toLowerCase() === name)) return true;
    return this.opts.anyIpHost === true && (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':'));
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!this.hostAllowed(req.headers.host)) {
      throw problem(400, 'invalid-input', 'Bad request', `the Host header names ${JSON.stringify(req.headers.host)}, which is not this platform's address; use http://127.0.0.1:<port>`);
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const matched = this.contract.match(method, url.pathname);
    if (!matched) throw problem(404, 'not-found', 'Not found', `no such endpoint: ${url.pathname}`);
    if ('allowed' in matched) {
      const p = problem(405, 'invalid-input', 'Method not allowed', `${method} is not allowed on ${url.pathname}; allowed: ${matched.allowed.join(', ')}`);
      throw new HttpProblem(p.problem, { allow: matched.allowed.join(', ') });
    }
    const { op, pathParams } = matched;
    if (op.secured) this.authenticate(req, method);

    const query: Record<string, any> = {};
    for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
    const header: Record<string, any> = {};
    for (const h of op.headerNames) {
      const v = req.headers[h];
      if (typeof v === 'string') header[h] = v;
    }
    const params = { path: { ...pathParams }, query, header };
    const unknown = Object.keys(query).filter((k) => !op.queryNames.includes(k));
    const errors = [...this.contract.checkParams(op, params), ...unknown.map((k) => ({ pointer: `/query/${k}`, message: 'is not a parameter of this operation' }))];
    if (errors.length) throw problem(400, 'invalid-input', 'Bad request', errors.map((e) => `${e.pointer} ${e.message}`).join('; '), errors);

    let body: unknown;
    if (op.hasBody) {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const text = await readBody(req);
      if (type !== 'application/json') throw problem(415, 'invalid-input', 'Unsupported media type', `send the body as application/json (got ${type || 'no content type'})`);
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw problem(400, 'invalid-input', 'Bad request', `the body is not valid JSON: ${describeError(err)}`, [{ pointer: '/body', message: 'is not valid JSON' }]);
      }
      const bodyErrors = this.contract.checkBody(op, body);
      if (bodyErrors.length) throw problem(400, 'invalid-input', 'Bad request', bodyErrors.map((e) => `${e.pointer} ${e.message}`).join('; '), bodyErrors);
    }
    const handler = Object.hasOwn(this.routes, op.operationId) ? this.routes[op.operationId] : undefined;
    if (!handler) throw new PavedError('unsupported', `${op.operationId} is not implemented by the local platform`);
    const request: ApiRequest = { operationId: op.operationId, pathname: url.pathname, path: params.path, query: params.query, header: params.header, body };
    const result: Reply = await handler(request);
    if ('events' in result) {
      await this.events(request, result.events, req, res, url);
      return;
    }
    if ('feed' in result) {
      await this.feed(result.feed, req, res);
      return;
    }
    if ('file' in result) {
      if (result.redact) {
        const text = result.redact(await fs.promises.readFile(result.file, 'utf8'));
        res.writeHead(200, { 'content-type': result.type, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      await sendFile(res, result.file, result.type);
      return;
    }
    if (result.status === 204) {
      res.writeHead(204, result.headers ?? {});
      res.end();
      return;
    }
    sendJson(res, result.status, result.body, result.headers ?? {}, result.type);
  }

  private authenticate(req: http.IncomingMessage, method: string): void {
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) {
      throw new HttpProblem(problem(401, 'unauthorized', 'Unauthorized', 'send Authorization: Bearer <token> (the local platform writes it to its token file)').problem, { 'www-authenticate': 'Bearer realm="paved"' });
    }
    if (sameToken(m[1], this.opts.token)) return;
    if (sameToken(m[1], this.opts.readOnlyToken)) {
      if (method === 'GET') return;
      throw problem(403, 'forbidden', 'Forbidden', 'this token is read-only; use the platform token for changes');
    }
    throw new HttpProblem(problem(401, 'unauthorized', 'Unauthorized', 'the bearer token is not valid for this platform').problem, { 'www-authenticate': 'Bearer realm="paved", error="invalid_token"' });
  }

  /** SSE headers, the stream registered (closeStreams ends it) and kept alive; `end` unregisters and ends it. */
  private openEventStream(res: http.ServerResponse): { closed: AbortSignal; end(): void } {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders(); // the client learns the stream is open before its first event
    this.sse.add(res);
    const closed = new AbortController();
    res.on('close', () => {
      closed.abort();
      this.sse.delete(res);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15000);
    return {
      closed: closed.signal,
      end: () => {
        clearInterval(keepAlive);
        this.sse.delete(res);
        res.end();
      },
    };
  }

  /** A feed (logs): SSE batches written with backpressure, resumed after Last-Event-ID; else its JSON reply. */
  private async feed(feed: Feed, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!acceptsEventStream(req)) {
      const closed = new AbortController();
      res.on('close', () => closed.abort());
      const r = await feed.page(closed.signal);
      if (!res.destroyed) sendJson(res, r.status, r.body, r.headers ?? {}, r.type);
      return;
    }
    const header = req.headers['last-event-id'];
    const stream = this.openEventStream(res);
    try {
      for await (const batch of feed.events(typeof header === 'string' && header !== '' ? header : undefined, stream.closed)) {
        let chunk = '';
        for (const e of batch) chunk += `id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
        if (!res.write(chunk)) await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            stream.closed.removeEventListener('abort', done);
            resolve();
          };
          res.on('drain', done);
          stream.closed.addEventListener('abort', done, { once: true });
        });
        if (stream.closed.aborted) break;
      }
      if (!stream.closed.aborted) res.write('event: end\ndata: {}\n\n');
    } finally {
      stream.end();
    }
  }

  /** Events as SSE (Accept: text/event-stream) or as a JSON long-poll page. */
  private async events<E extends SeqEvent & { type: string }>(request: ApiRequest, log: EventLog<E>, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const lastEventId = Number.parseInt(String(req.headers['last-event-id'] ?? ''), 10);
    // An explicit ?after= wins; otherwise an SSE client's reconnect header (Last-Event-ID) says where to resume.
    let after = !url.searchParams.has('after') && Number.isFinite(lastEventId) && lastEventId >= 0 ? lastEventId : ((request.query.after as number | undefined) ?? 0);
    if (acceptsEventStream(req)) {
      const stream = this.openEventStream(res);
      try {
        for (;;) {
          for (const e of log.after(after)) {
            res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
            after = e.seq;
          }
          if (log.done && log.lastSeq <= after) {
            res.write(`event: end\ndata: {"lastSeq":${after}}\n\n`);
            break;
          }
          if (stream.closed.aborted) break;
          await log.wait(after, 60000, stream.closed);
          if (stream.closed.aborted) break;
        }
      } finally {
        stream.end();
      }
      return;
    }
    const waitS = (request.query.wait as number | undefined) ?? 0;
    if (log.lastSeq <= after && !log.done && waitS > 0) {
      const closed = new AbortController();
      res.on('close', () => closed.abort());
      await log.wait(after, waitS * 1000, closed.signal);
    }
    const items = log.after(after);
    const lastSeq = items.length ? items[items.length - 1].seq : after;
    sendJson(res, 200, { items, done: log.done && log.lastSeq <= lastSeq, lastSeq });
  }
}
