/** The operations room's operations: logs, health, SLO status, events, restart and stop of running services. */
import type { LogLine } from '../../core/api/operations';
import type { Deployment } from '../../core/api/types';
import type { IdempotencyStore } from '../idempotency';
import { idempotent, pageLimit, type FeedEvent, type Routes } from '../routing';
import type { LogRequest, ServiceLogs } from './logs';
import type { Operations } from './operations';

const asEvents = (lines: readonly LogLine[]): FeedEvent[] => lines.map((l) => ({ id: l.cursor, event: 'line', data: l }));

/** The lines a request asks for as SSE batches: its start (tail, since, cursor), then new lines while following. */
async function* logEvents(logs: ServiceLogs, service: string, environment: string, q: LogRequest, follow: boolean, signal: AbortSignal): AsyncGenerator<FeedEvent[]> {
  const { from, tail } = logs.start(service, environment, q);
  if (tail.length > 0) yield asEvents(tail);
  if (follow) {
    for await (const lines of logs.follow(service, environment, from, signal)) yield asEvents(lines);
    return;
  }
  for (let pos = from; !signal.aborted; ) {
    const { lines, next } = logs.read(service, environment, pos, q.limit);
    if (lines.length === 0) return;
    yield asEvents(lines);
    pos = next;
  }
}

export function operationsRoutes(ops: Operations, idempotency: IdempotencyStore, deployment: (id: string) => Deployment): Routes {
  return {
    getServiceStatus: (req) => ({ status: 200, body: ops.status(req.path.name) }),
    getServiceHealth: (req) => ({ status: 200, body: ops.health(req.path.name, req.path.environment, (req.query.hours as number | undefined) ?? 24) }),
    listServiceHealth: (req) => ({ status: 200, body: ops.healthList(pageLimit(req), req.query.cursor) }),
    getServiceOperationEvents: (req) => ({ events: ops.eventsOf(req.path.name, req.path.environment) }),
    restartService: (req) => idempotent(idempotency, req, deployment, () => ops.restart(req.path.name, req.path.environment, req.body), 202),
    // Stopping is idempotent by nature: an Idempotency-Key changes nothing.
    stopService: async (req) => ({ status: 200, body: await ops.stopService(req.path.name, req.path.environment, req.body) }),
    getServiceLogs: (req) => {
      const { name, environment } = req.path as { name: string; environment: string };
      ops.eventsOf(name, environment); // both exist, or a 404 now
      const q: LogRequest = { tail: req.query.tail, since: req.query.since, after: req.query.after, limit: (req.query.limit as number | undefined) ?? 1000 };
      return {
        feed: {
          page: async (signal) => ({ status: 200, body: await ops.logs.page(name, environment, q, ((req.query.wait as number | undefined) ?? 0) * 1000, signal) }),
          events: (lastEventId, signal) => logEvents(ops.logs, name, environment, { ...q, after: q.after ?? lastEventId }, req.query.follow === true, signal),
        },
      };
    },
  };
}
