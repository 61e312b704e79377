/** Day two as tools (`capabilities.operations`): a service's health and SLOs per environment, and its recent logs. */
import { clean } from '../../core/cleanText';
import { unsupportedError } from '../errors';
import type { PlatformBackend } from '../backend';
import type { AgentTool } from './types';

function assertOperations(backend: PlatformBackend): void {
  if (!backend.capabilities.operations) throw unsupportedError(backend.displayName, 'show live operations (health, SLOs, logs)', 'They need a Paved platform; use the catalog entry’s dashboard and runbook links.');
}

export const getServiceStatus: AgentTool<{ service: string }> = {
  name: 'paved_get_service_status',
  title: 'Get a service’s health and SLOs',
  referenceName: 'pavedStatus',
  description:
    "Gets a running service's health and SLOs in every environment, as the platform's health probes see them: the state (healthy, degraded, unhealthy) since when, the release, and each SLO's value, whether it is met and the error budget left. Use it to see whether a deployment stays healthy or why a service is degraded (then read its logs with paved_get_logs). The numbers measure the platform's probes, not user traffic.",
  kind: 'read',
  idempotent: true,
  inputSchema: { type: 'object', properties: { service: { type: 'string', minLength: 1 } }, required: ['service'], additionalProperties: false },
  outputSchema: { type: 'object', properties: { service: { type: 'string' }, note: { type: 'string' }, environments: { type: 'array' } }, required: ['service', 'environments'] },
  async run(ctx, input) {
    const backend = await ctx.backend();
    assertOperations(backend);
    const s = await backend.operations.status(input.service, { signal: ctx.signal });
    const envs = s.environments.map((e) => `${e.environment} ${e.health?.state ?? e.state}`).join(', ') || 'not running anywhere';
    return { summary: clean(`${s.service}: ${envs}.`), data: { ...s } };
  },
};

export const getLogs: AgentTool<{ service: string; environment: string; tail?: number; since?: string }> = {
  name: 'paved_get_logs',
  title: 'Get a service’s logs',
  referenceName: 'pavedLogs',
  description:
    "Gets the recent log lines of a service running in one environment (stdout and stderr of its release, secrets redacted by the platform): the last lines (tail, default 100) or those since a time. Use it to find out why a service fails its health check or misbehaves after a deployment.",
  kind: 'read',
  idempotent: true,
  inputSchema: {
    type: 'object',
    properties: {
      service: { type: 'string', minLength: 1 },
      environment: { type: 'string', minLength: 1, description: 'e.g. local, staging, production.' },
      tail: { type: 'integer', minimum: 1, maximum: 1000, description: 'The last N lines (default 100).' },
      since: { type: 'string', format: 'date-time', description: 'Lines written at or after this time (ISO 8601).' },
    },
    required: ['service', 'environment'],
    additionalProperties: false,
  },
  outputSchema: { type: 'object', properties: { lines: { type: 'array', items: { type: 'string' } }, release: { type: 'string' }, more: { type: 'boolean' } }, required: ['lines'] },
  async run(ctx, input) {
    const backend = await ctx.backend();
    assertOperations(backend);
    const page = await backend.operations.logs(input.service, input.environment, input.since ? { since: input.since } : { tail: input.tail ?? 100 }, { signal: ctx.signal });
    const lines = page.items.map((l) => `${l.at} ${l.stream === 'stderr' ? '[stderr] ' : ''}${clean(l.text)}`);
    return {
      summary: `${lines.length} log line${lines.length === 1 ? '' : 's'} of ${clean(input.service)} in ${clean(input.environment)}${page.release ? ` (release ${clean(page.release)})` : ''}.`,
      data: { lines, ...(page.release ? { release: clean(page.release) } : {}), more: page.more },
    };
  },
};
