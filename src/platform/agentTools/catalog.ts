/** The catalog as tools: search (summaries, paged) and one service in full. */
import { clean } from '../../core/cleanText';
import type { CatalogService, ServiceInfo, ServiceQuery } from '../backend';
import type { AgentTool } from './types';

const text = (v: unknown) => (v === undefined || v === null ? undefined : clean(v));

/** A catalog entry as a model needs it: who owns it, where it runs. */
export function serviceSummary(s: CatalogService): Record<string, unknown> {
  return {
    ref: text(s.ref),
    title: text(s.title),
    owner: text(s.owner),
    system: text(s.system),
    lifecycle: text(s.lifecycle),
    status: Object.fromEntries(Object.entries(s.status ?? {}).map(([env, state]) => [clean(env), clean(state)])),
  };
}

export const searchServices: AgentTool<ServiceQuery> = {
  name: 'paved_search_services',
  title: 'Search the service catalog',
  referenceName: 'pavedSearch',
  description:
    "Searches the platform's service catalog (Paved). Use it to find which service does something, who owns a service, or the services of a team or system, before reading or changing one. Filters: free text (name, title, description, tags), owner team, system, lifecycle (experimental, production, deprecated). Returns summaries (ref, title, owner, system, lifecycle, state per environment), one page at a time; pass nextCursor back as cursor for the next page. Use paved_get_service for one service in full.",
  kind: 'read',
  idempotent: true,
  inputSchema: {
    type: 'object',
    properties: {
      text: { type: 'string', description: 'Case-insensitive text over name, title, description and tags.' },
      owner: { type: 'string', description: 'Owner team, e.g. team-payments.' },
      system: { type: 'string', description: 'System the service belongs to.' },
      lifecycle: { type: 'string', description: 'experimental, production or deprecated.' },
      limit: { type: 'integer', minimum: 1, maximum: 100, description: 'Page size (default 20).' },
      cursor: { type: 'string', description: 'nextCursor of the previous page.' },
    },
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: { services: { type: 'array', items: { type: 'object' } }, nextCursor: { type: 'string' } },
    required: ['services'],
  },
  async run(ctx, input) {
    const backend = await ctx.backend();
    const page = await backend.listServices({ text: input.text, owner: input.owner, system: input.system, lifecycle: input.lifecycle, limit: input.limit ?? 20, cursor: input.cursor }, { signal: ctx.signal });
    const services = page.items.map(serviceSummary);
    const more = page.nextCursor ? ' (more: pass nextCursor as cursor)' : '';
    return { summary: `${services.length} service${services.length === 1 ? '' : 's'} found${more}.`, data: { services, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
  },
};

/** A service in full, as a model needs it: no manifest body, no host paths. */
export function serviceDetails(s: ServiceInfo): Record<string, unknown> {
  return {
    ...serviceSummary(s),
    description: text(s.description),
    tags: (s.tags ?? []).map(clean),
    links: s.links.map((l) => ({ type: text(l.type), title: text(l.title), url: text(l.url) })),
    dependsOn: s.dependsOn.map(clean),
    dependents: s.dependents.map(clean),
    apis: { provides: s.apis.provides.map(clean), consumes: s.apis.consumes.map(clean) },
    environments: s.environments.map((e) => ({ environment: clean(e.environment), state: clean(e.state), release: text(e.release), url: text(e.url) })),
    ...(s.scorecard
      ? { scorecard: { score: s.scorecard.score, failing: s.scorecard.results.filter((r) => !r.passed).map((r) => ({ ruleId: clean(r.ruleId), severity: clean(r.severity), message: clean(r.message) })) } }
      : {}),
    ...(s.metrics ? { dora: s.metrics } : {}),
    deployable: s.sourceDir !== undefined || s.deploysThrough !== undefined,
  };
}

export const getService: AgentTool<{ service: string }> = {
  name: 'paved_get_service',
  title: 'Get a service',
  referenceName: 'pavedService',
  description:
    'Gets one service of the catalog in full: owner, system, lifecycle, links (docs, runbook, dashboard, repository), dependencies and dependents, provided and consumed APIs, each environment with its state and release, the scorecard (failing policy rules) and DORA metrics. Use the ref from paved_search_services (on Paved the service name). An unknown service is a not-found error.',
  kind: 'read',
  idempotent: true,
  inputSchema: {
    type: 'object',
    properties: { service: { type: 'string', minLength: 1, description: 'The service ref, e.g. payments-api.' } },
    required: ['service'],
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: { ref: { type: 'string' }, owner: { type: 'string' }, environments: { type: 'array' }, links: { type: 'array' } },
    required: ['ref', 'environments'],
  },
  async run(ctx, input) {
    const backend = await ctx.backend();
    const s = await backend.getService(input.service, { signal: ctx.signal });
    const envs = s.environments.map((e) => `${e.environment} ${e.state}`).join(', ') || 'not deployed';
    return { summary: clean(`${s.ref}: owner ${s.owner}${s.system ? `, system ${s.system}` : ''}; ${envs}.`), data: serviceDetails(s) };
  },
};
