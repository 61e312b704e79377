/**
 * The first request a process serves runs cold code: Node's HTTP server and parser, the routing, the auth check, the
 * JSON answer, each compiled on first use — 10–25 ms on the 2-core machine, where a warm request takes 2–3 ms. Every
 * client's first requests (the identity check, then the catalog's first page) would pay it. `paved serve` pays it
 * itself instead, once, between listening and announcing itself in serve.json, while its starter is waiting anyway:
 * the same two requests, over loopback, with its own token. Best effort: a failure or a slow answer never stops a
 * start (it is bounded and only logged).
 */
import * as http from 'node:http';
import { newChallenge } from '../core/api/identity';
import { describeError } from '../core/errors';

const WARM_UP_TIMEOUT_MS = 2000;

function get(port: number, host: string, urlPath: string, timeoutMs: number, token?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: urlPath, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), connection: 'close' }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET ${urlPath.split('?')[0]} answered ${res.statusCode}`))));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${urlPath.split('?')[0]} took over ${timeoutMs} ms`)));
    req.once('error', reject);
  });
}

/** What every client asks first, asked once by the server itself at `host:port` (a loopback address it listens on). */
export async function warmUp(host: string, port: number, readOnlyToken: string, log: (line: string) => void, timeoutMs = WARM_UP_TIMEOUT_MS): Promise<void> {
  try {
    await get(port, host, `/v1/health?challenge=${newChallenge()}`, timeoutMs);
    await get(port, host, '/v1/services?limit=1', timeoutMs, readOnlyToken);
  } catch (err) {
    log(`paved serve: warm-up request failed (${describeError(err)}); serving anyway`);
  }
}
