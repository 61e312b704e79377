/**
 * Deployments as tools. Reads: a deployment with its recent events (its log), DORA metrics. Writes: deploy, roll back,
 * promote through the self-service flows the editor and the CLI run (where the service deploys, the policy gate, the
 * approval rule, the idempotent send). An agent never approves: when a deployment needs approval the tool fails and
 * says how a person approves it.
 */
import { clean } from '../../core/cleanText';
import type { Deployment, DeploymentEvent } from '../../core/api/types';
import { eventLines } from '../../core/deploy/eventText';
import { PavedError } from '../../core/errors';
import { FINISHED_DEPLOYMENT_STATES, type PlatformBackend } from '../backend';
import { unsupportedError } from '../errors';
import { deploy, followDeployment, promote, rollback, type Refused, type SelfServicePrompts, type Started } from '../selfService';
import type { AgentTool, AgentToolContext, ToolResult } from './types';

export function deploymentData(d: Deployment): Record<string, unknown> {
  return {
    id: d.id,
    service: clean(d.service),
    environment: clean(d.environment),
    kind: d.kind,
    state: d.state,
    ...(d.release ? { release: clean(d.release) } : {}),
    ...(d.previousRelease ? { previousRelease: clean(d.previousRelease) } : {}),
    ...(d.url ? { url: clean(d.url) } : {}),
    ...(d.error ? { error: clean(d.error) } : {}),
    ...(d.automaticRollback ? { automaticRollback: true } : {}),
    createdAt: d.createdAt,
    ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}),
  };
}

/** "#seq [step] line" for each line of the event's message (a batch of output is one event of several lines). */
const eventText = (e: DeploymentEvent) => eventLines({ message: clean(e.message) }, `#${e.seq} ${e.step ? `[${e.step}] ` : ''}${e.type === 'log' ? '' : `${e.type}: `}`);

/** The last `limit` events: all of a finished deployment's; of a running one, those that come within a moment. */
async function recentEvents(backend: PlatformBackend, d: Deployment, limit: number, signal?: AbortSignal): Promise<string[]> {
  const ctl = new AbortController();
  const stopOuter = () => ctl.abort();
  signal?.addEventListener('abort', stopOuter, { once: true });
  const running = !FINISHED_DEPLOYMENT_STATES.has(d.state);
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    if (!running) return;
    clearTimeout(idle);
    idle = setTimeout(() => ctl.abort(), 400);
  };
  const lines: string[] = [];
  try {
    arm();
    for await (const e of backend.deploymentEvents(d.id, { signal: ctl.signal })) {
      lines.push(...eventText(e));
      if (lines.length > limit) lines.splice(0, lines.length - limit);
      arm();
    }
  } catch (err) {
    // A running deployment's stream is cut after a quiet moment: what came so far is the answer.
    if (!(ctl.signal.aborted && !signal?.aborted)) throw err;
  } finally {
    clearTimeout(idle);
    signal?.removeEventListener('abort', stopOuter);
  }
  return lines;
}

interface GetDeploymentInput {
  id?: string;
  service?: string;
  environment?: string;
  events?: number;
}

export const getDeployment: AgentTool<GetDeploymentInput> = {
  name: 'paved_get_deployment',
  title: 'Get a deployment',
  referenceName: 'pavedDeployment',
  description:
    "Gets a deployment with its recent events (build, start and health-check log lines, state changes): by id, or the latest one of a service (optionally in one environment). Use it after paved_deploy to see whether the release is healthy, or to find out why a deployment failed or was rolled back.",
  kind: 'read',
  idempotent: true,
  inputSchema: {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'Deployment id (from paved_deploy).' },
      service: { type: 'string', description: 'Without id: the latest deployment of this service.' },
      environment: { type: 'string', description: 'With service: only deployments to this environment.' },
      events: { type: 'integer', minimum: 0, maximum: 200, description: 'How many of the last events to return (default 30).' },
    },
    additionalProperties: false,
  },
  outputSchema: { type: 'object', properties: { deployment: { type: 'object' }, events: { type: 'array', items: { type: 'string' } } }, required: ['deployment', 'events'] },
  async run(ctx, input) {
    const backend = await ctx.backend();
    if (!backend.capabilities.deploy) throw unsupportedError(backend.displayName, 'show deployments', 'Its services deploy through the Paved platform their catalog entry names.');
    let d: Deployment;
    if (input.id) d = await backend.getDeployment(input.id, { signal: ctx.signal });
    else if (input.service) {
      const page = await backend.listDeployments(input.service, { ...(input.environment ? { environment: input.environment } : {}), limit: 1 }, { signal: ctx.signal });
      if (page.items.length === 0) throw new PavedError('not-found', `${input.service} has no deployment${input.environment ? ` to ${input.environment}` : ''} yet.`);
      d = page.items[0];
    } else throw new PavedError('invalid-input', 'Give a deployment id, or a service (and optionally an environment).');
    const events = await recentEvents(backend, d, input.events ?? 30, ctx.signal);
    return { summary: clean(`Deployment ${d.id}: ${d.kind} ${d.service} → ${d.environment}${d.release ? ` (${d.release})` : ''} is ${d.state}${d.error ? `: ${d.error}` : ''}.`), data: { deployment: deploymentData(d), events } };
  },
};

export const getDoraMetrics: AgentTool<{ service: string; environment?: string; windowDays?: number }> = {
  name: 'paved_get_dora_metrics',
  title: 'Get DORA metrics',
  referenceName: 'pavedDora',
  description: "Gets a service's DORA metrics from the platform: deployment frequency, lead time for changes, change failure rate and time to restore, over a window of days (default 30) in one environment (default production).",
  kind: 'read',
  idempotent: true,
  inputSchema: {
    type: 'object',
    properties: {
      service: { type: 'string', minLength: 1 },
      environment: { type: 'string' },
      windowDays: { type: 'integer', minimum: 1, maximum: 365 },
    },
    required: ['service'],
    additionalProperties: false,
  },
  outputSchema: { type: 'object', properties: { service: { type: 'string' }, deploymentFrequencyPerDay: { type: 'number' } }, required: ['service'] },
  async run(ctx, input) {
    const backend = await ctx.backend();
    if (!backend.capabilities.metrics) throw unsupportedError(backend.displayName, 'compute DORA metrics');
    const m = await backend.getMetrics(input.service, { ...(input.windowDays ? { windowDays: input.windowDays } : {}), ...(input.environment ? { environment: input.environment } : {}) }, { signal: ctx.signal });
    const pct = m.changeFailureRate === undefined ? 'n/a' : `${Math.round(m.changeFailureRate * 100)}%`;
    return { summary: clean(`${input.service} in ${m.environment}, ${m.windowDays} days: ${m.deploymentFrequencyPerDay.toFixed(2)} deployments/day, change failure rate ${pct}.`), data: { service: input.service, ...m } };
  },
};

/** The agent's answers to the flows' questions: every value comes from the input, and approval is never given. */
function agentPrompts(ctx: AgentToolContext, kind: 'deploy' | 'promote' | 'rollback', from?: string): SelfServicePrompts {
  const missing = (what: string) => () => Promise.reject(new PavedError('invalid-input', `${what} is required.`));
  return {
    pickService: missing('service'),
    pickEnvironment: missing(kind === 'promote' ? 'from' : 'environment'),
    pickRelease: async () => undefined,
    confirmApproval: (r) =>
      Promise.reject(
        new PavedError(
          'forbidden',
          `${r.reason === 'manifest' ? `${r.service}'s manifest requires` : 'The platform requires'} a person's approval to deploy ${r.service} to ${r.environment}, and an agent cannot give it. A person must approve it: ${ctx.approvalHint({ kind: kind === 'promote' ? 'promote' : 'deploy', service: r.service, environment: r.environment, ...(from ? { from } : {}) })}`,
        ),
      ),
    ensureToken: (url, why) => (ctx.ensureToken ? ctx.ensureToken(url, why) : Promise.reject(new PavedError('unauthorized', `${why} There is no token for that platform here.`))),
  };
}

async function finish(ctx: AgentToolContext, result: Started | Refused, wait: boolean | undefined): Promise<ToolResult> {
  if (result.status === 'refused') {
    throw new PavedError('invalid-input', `Refused: ${result.service}'s manifest has ${result.problems.length} policy error(s) for ${result.environment}; nothing was deployed. Fix them (paved_lint_manifest shows them) and try again:\n${result.problems.map((p) => `  ${clean(p)}`).join('\n')}`);
  }
  if (!wait) {
    const d = result.deployment;
    return { summary: clean(`Deployment ${d.id} started: ${d.kind} ${d.service} → ${d.environment}${d.release ? ` (${d.release})` : ''}. Follow it with paved_get_deployment.`), data: { deployment: deploymentData(d) } };
  }
  const followed = await followDeployment(result.backend, result.record, { stop: ctx.signal });
  return { summary: clean(followed.outcome.message), data: { deployment: deploymentData(followed.deployment) } };
}

const WAIT = { type: 'boolean', description: 'Wait until the deployment ends and return its final state (default false: return once it started).' };
const DEPLOYMENT_OUTPUT = { type: 'object', properties: { deployment: { type: 'object' } }, required: ['deployment'] };

export const deployTool: AgentTool<{ service: string; environment: string; release?: string; wait?: boolean }> = {
  name: 'paved_deploy',
  title: 'Deploy a service',
  referenceName: 'pavedDeploy',
  description:
    "Deploys a service through the platform (never by running scripts yourself): a new release built from its source, or an existing release. The manifest is checked against the platform's policies first and a manifest with errors is refused (nothing deployed; fix the findings). A deployment that needs approval (production, usually) is refused too: a person must approve it, the error says how. Returns the deployment (id, state); with wait, its final state.",
  kind: 'write',
  idempotent: false,
  inputSchema: {
    type: 'object',
    properties: {
      service: { type: 'string', minLength: 1 },
      environment: { type: 'string', minLength: 1, description: 'e.g. local, staging, production.' },
      release: { type: 'string', description: 'An existing release to deploy (default: a new release from the source).' },
      wait: WAIT,
    },
    required: ['service', 'environment'],
    additionalProperties: false,
  },
  outputSchema: DEPLOYMENT_OUTPUT,
  confirmation: (i) => ({ title: 'Deploy', message: `Deploy ${i.service}${i.release ? ` release ${i.release}` : ' (a new release from its source)'} to ${i.environment}` }),
  async run(ctx, input) {
    const backend = await ctx.backend();
    const result = await deploy({ backend, signal: ctx.signal, log: ctx.log, policies: ctx.policies, prompts: agentPrompts(ctx, 'deploy') }, { service: input.service, environment: input.environment, ...(input.release ? { release: input.release } : {}) });
    return finish(ctx, result, input.wait);
  },
};

export const rollbackTool: AgentTool<{ service: string; environment: string; release?: string; wait?: boolean }> = {
  name: 'paved_rollback',
  title: 'Roll back a service',
  referenceName: 'pavedRollback',
  description: 'Rolls a service back in one environment to the release that served before the current one, or to a named earlier release (no rebuild). It replaces what runs there now.',
  kind: 'destructive',
  idempotent: false,
  inputSchema: {
    type: 'object',
    properties: { service: { type: 'string', minLength: 1 }, environment: { type: 'string', minLength: 1 }, release: { type: 'string', description: 'Release to go back to (default: the previous one).' }, wait: WAIT },
    required: ['service', 'environment'],
    additionalProperties: false,
  },
  outputSchema: DEPLOYMENT_OUTPUT,
  confirmation: (i) => ({ title: 'Roll back', message: `Roll back ${i.service} in ${i.environment} to ${i.release ? `release ${i.release}` : 'its previous release'}` }),
  async run(ctx, input) {
    const backend = await ctx.backend();
    const result = await rollback({ backend, signal: ctx.signal, log: ctx.log, policies: ctx.policies, prompts: agentPrompts(ctx, 'rollback') }, { service: input.service, environment: input.environment, ...(input.release ? { release: input.release } : {}) });
    return finish(ctx, result, input.wait);
  },
};

export const promoteTool: AgentTool<{ service: string; from: string; to?: string; wait?: boolean }> = {
  name: 'paved_promote',
  title: 'Promote a release',
  referenceName: 'pavedPromote',
  description: "Promotes the release running in one environment to the next one (or a named one) without rebuilding, after the same policy check as a deploy. A promotion that needs approval (to production, usually) is refused: a person must approve it, the error says how.",
  kind: 'write',
  idempotent: false,
  inputSchema: {
    type: 'object',
    properties: { service: { type: 'string', minLength: 1 }, from: { type: 'string', minLength: 1 }, to: { type: 'string', description: 'Default: the environment after from.' }, wait: WAIT },
    required: ['service', 'from'],
    additionalProperties: false,
  },
  outputSchema: DEPLOYMENT_OUTPUT,
  confirmation: (i) => ({ title: 'Promote', message: `Promote ${i.service} from ${i.from} to ${i.to ?? 'the next environment'}` }),
  async run(ctx, input) {
    const backend = await ctx.backend();
    const result = await promote({ backend, signal: ctx.signal, log: ctx.log, policies: ctx.policies, prompts: agentPrompts(ctx, 'promote', input.from) }, { service: input.service, from: input.from, ...(input.to ? { to: input.to } : {}) });
    return finish(ctx, result, input.wait);
  },
};
