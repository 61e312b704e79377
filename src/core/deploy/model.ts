/**
 * The deployment model: states and their allowed transitions, environments and their order, release ids. Pure.
 */
import { randomBytes } from 'node:crypto';
import { PavedError } from '../errors';
import type { DeploymentKind, DeploymentState, Environment } from '../api/types';

export const TERMINAL_STATES: readonly DeploymentState[] = ['succeeded', 'failed', 'rolled-back', 'cancelled'];

const TRANSITIONS: Record<DeploymentState, readonly DeploymentState[]> = {
  pending: ['building', 'starting', 'failed', 'cancelled'],
  building: ['starting', 'failed', 'cancelled'],
  starting: ['health-checking', 'failed', 'rolled-back', 'cancelled'],
  'health-checking': ['succeeded', 'failed', 'rolled-back', 'cancelled'],
  succeeded: [],
  failed: [],
  'rolled-back': [],
  cancelled: [],
};

export function isTerminal(state: DeploymentState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canTransition(from: DeploymentState, to: DeploymentState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Checks a transition; an illegal one is a `conflict` PavedError naming both states. */
export function transition(from: DeploymentState, to: DeploymentState): DeploymentState {
  if (!canTransition(from, to)) throw new PavedError('conflict', `a deployment cannot go from ${from} to ${to}`);
  return to;
}

/** The steps a deployment of this kind runs, in order (rollback, promote and restart reuse a built release). */
export function plannedStates(kind: DeploymentKind): DeploymentState[] {
  return kind === 'deploy' ? ['pending', 'building', 'starting', 'health-checking'] : ['pending', 'starting', 'health-checking'];
}

/** The state a deployment ends in when its new release is unhealthy: kept previous → rolled-back, else failed. */
export function unhealthyOutcome(hadPrevious: boolean): DeploymentState {
  return hadPrevious ? 'rolled-back' : 'failed';
}

export const DEFAULT_ENVIRONMENTS: readonly Environment[] = [
  { name: 'local', order: 0, next: 'staging', portRange: { from: 41000, to: 41999 }, approvalHonoured: false },
  { name: 'staging', order: 1, next: 'production', portRange: { from: 42000, to: 42999 }, approvalHonoured: false },
  { name: 'production', order: 2, portRange: { from: 43000, to: 43999 }, approvalHonoured: true },
];

export function findEnvironment(envs: readonly Environment[], name: string): Environment {
  const env = envs.find((e) => e.name === name);
  if (!env) throw new PavedError('not-found', `no environment '${name}' (known: ${envs.map((e) => e.name).join(', ')})`);
  return env;
}

/** The environment after `from` in promotion order; `to`, when given, must be exactly that one. */
export function promotionTarget(envs: readonly Environment[], from: string, to?: string): Environment {
  const src = findEnvironment(envs, from);
  if (!src.next) throw new PavedError('conflict', `${from} is the last environment; nothing to promote to`);
  if (to !== undefined && to !== src.next) {
    throw new PavedError('conflict', `a release in ${from} is promoted to ${src.next}, not ${to}`);
  }
  return findEnvironment(envs, src.next);
}

const RELEASE_RE = /^r-(\d{8}T\d{6}Z)-([0-9a-f]{6})$/;

/** A new release id: `r-<UTC time>-<6 hex>`, sortable by creation time. */
export function newReleaseId(now: Date = new Date(), random: () => string = () => randomBytes(3).toString('hex')): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `r-${iso}-${random()}`;
}

export function isReleaseId(s: string): boolean {
  return RELEASE_RE.test(s);
}

/** Creation time of a release id as an ISO string. */
export function releaseTime(id: string): string {
  const m = RELEASE_RE.exec(id);
  if (!m) throw new PavedError('invalid-input', `'${id}' is not a release id`);
  const t = m[1];
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}.000Z`;
}

/** Per-environment settings of a paved.yaml manifest: `spec` with `spec.environments[env]` merged over it. */
export interface EffectiveSpec {
  build?: string;
  run?: string;
  port?: number;
  healthPath: string;
  env: Record<string, string>;
  approvalRequired: boolean;
}

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function effectiveSpec(manifest: Record<string, unknown>, environment: string): EffectiveSpec {
  const spec = obj(manifest.spec);
  const override = obj(obj(spec.environments)[environment]);
  const pick = (k: string): Record<string, unknown> => ({ ...obj(spec[k]), ...obj(override[k]) });
  const build = pick('build');
  const run = pick('run');
  const health = pick('health');
  const envVars: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...obj(spec.env), ...obj(override.env) })) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') envVars[k] = String(v);
  }
  const out: EffectiveSpec = {
    healthPath: typeof health.path === 'string' && health.path.startsWith('/') ? health.path : '/healthz',
    env: envVars,
    approvalRequired: override.approval === 'required',
  };
  if (typeof build.command === 'string') out.build = build.command;
  if (typeof run.command === 'string') out.run = run.command;
  if (typeof run.port === 'number') out.port = run.port;
  return out;
}
