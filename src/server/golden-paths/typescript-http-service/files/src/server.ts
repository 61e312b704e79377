import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SERVICE: string = {{name|json}};
export const OWNER: string = {{owner|json}};
export const DEFAULT_PORT = {{port}};

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Handles one request. Exported so the tests can serve it on a random port. */
export function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const known = url.pathname === '/healthz' || url.pathname === '/';
  if (!known) {
    sendJson(res, 404, { error: 'not found', path: url.pathname });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    return;
  }
  if (url.pathname === '/healthz') {
    sendJson(res, 200, { status: 'ok', service: SERVICE });
    return;
  }
  sendJson(res, 200, { service: SERVICE, owner: OWNER, message: `Hello from ${SERVICE}` });
}

/**
 * The port to listen on: `PORT` from the environment, else the default. A value that is not a whole number from 0
 * to 65535 is an error naming it (0 asks the system for a free port).
 */
export function portFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.PORT;
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORT;
  if (!/^\d+$/.test(raw.trim())) throw new Error(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(raw)}`);
  const port = Number(raw);
  if (port > 65535) throw new Error(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(raw)}`);
  return port;
}

/** Starts listening; resolves with the server once it accepts connections, rejects if it cannot bind. */
export function start(port: number, host: string): Promise<http.Server> {
  const server = http.createServer(handle);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * Stops accepting connections, lets requests in flight finish, then exits 0. If that takes longer than
 * `graceMs`, open connections are cut and the process exits 1.
 */
export function stopGracefully(server: http.Server, signal: string, graceMs = 10_000): void {
  console.log(`${SERVICE}: ${signal} received, closing`);
  const force = setTimeout(() => {
    console.error(`${SERVICE}: connections still open after ${graceMs} ms, closing them`);
    server.closeAllConnections();
    process.exit(1);
  }, graceMs);
  force.unref();
  server.close((err) => {
    if (err) {
      console.error(`${SERVICE}: close failed: ${err.message}`);
      process.exit(1);
    }
    console.log(`${SERVICE}: stopped`);
    process.exit(0);
  });
  server.closeIdleConnections();
}

async function main(): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  const server = await start(portFromEnv(process.env), host);
  const { port } = server.address() as AddressInfo;
  console.log(`${SERVICE} listening on http://${host}:${port}`);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      stopGracefully(server, signal);
    });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`${SERVICE}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
