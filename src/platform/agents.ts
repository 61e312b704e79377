/**
 * Connection reuse for the transport. A kept-alive connection that sits idle is closed by the client after
 * IDLE_SOCKET_MS — well before a server closes it (the local platform keeps idle connections 30 s and asks clients to
 * keep theirs at most 4 s): a request is never written onto a connection the server is closing at that moment, which
 * would fail with ECONNRESET before any answer (seen under load right after a long build).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';

export const IDLE_SOCKET_MS = 2_000;

/** Closes idle (free) sockets after `idleMs`; a socket taken for a request has no idle timeout. */
function closingIdle<A extends http.Agent>(agent: A, idleMs: number): A {
  const keep = agent.keepSocketAlive.bind(agent);
  const reuse = agent.reuseSocket.bind(agent);
  // The agent destroys a free socket whose timeout fires (its own 'timeout' listener).
  agent.keepSocketAlive = (socket: Duplex) => {
    const kept = keep(socket) as unknown;
    if (kept !== false) (socket as unknown as { setTimeout(ms: number): void }).setTimeout(idleMs);
    return kept as void;
  };
  agent.reuseSocket = (socket: Duplex, request: http.ClientRequest) => {
    (socket as unknown as { setTimeout(ms: number): void }).setTimeout(0);
    reuse(socket, request);
  };
  return agent;
}

export function keepAliveAgents(idleMs = IDLE_SOCKET_MS): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  return {
    httpAgent: closingIdle(new http.Agent({ keepAlive: true }), idleMs),
    httpsAgent: closingIdle(new https.Agent({ keepAlive: true }), idleMs),
  };
}
