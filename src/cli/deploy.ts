/**
 * `paved deploy`, `paved rollback`, `paved promote`: the editor's Deploy / Roll Back / Promote from the command line,
 * through the same platform client and connection rules (`openBackend` of `paved services`), the same policy gate and
 * approval rule (src/core/wizard/deploy.ts), streaming the same deployment events.
 */
import * as fs from 'node:fs';
import { stringify } from 'yaml';
import type { CreateDeploymentRequest, Deployment, DeploymentEvent, Environment, PromoteRequest, RollbackRequest } from '../core/api/types';
import { describeError, PavedError } from '../core/errors';
import { describeOutcome, manifestFileCandidates, needsApproval, policyGate } from '../core/wizard/deploy';
import type { PlatformBackend } from '../platform/backend';
import { PlatformError } from '../platform/errors';
import { newIdempotencyKey } from '../platform/transport';
import type { CliIO, Subcommand } from './cli';
import { openBackend, type CatalogCliDeps } from './services';

/** Exit codes of deploy / rollback / promote (documented in --help). */
export const ExitCodes = {
  ok: 0,
  failed: 1,
  usage: 2,
  rolledBack: 3,
  interrupted: 130,
} as const;

export class UsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
  /** Repeatable flags (`--set`). */
  lists: Map<string, string[]>;
}

export const CONNECTION_FLAGS = ['--backend', '--url', '--state-dir'] as const;

export const CONNECTION_HELP = `Connection:
  --backend KIND     local (default), paved or backstage (env PAVED_BACKEND)
  --url URL          platform base URL for paved/backstage; https unless loopback (env PAVED_URL)
  --state-dir DIR    state directory of the local platform (env PAVED_STATE_DIR)
Token: PAVED_TOKEN, or for the local platform the token file of the running \`paved serve\`.`;

/** Parses `--flag value`, `--flag=value`, boolean flags and repeatable flags; anything else is a UsageError. */
export function parseArgs(args: readonly string[], spec: { valued?: readonly string[]; boolean?: readonly string[]; repeatable?: readonly string[] }): ParsedArgs {
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--') || a === '--') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (spec.boolean?.includes(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      flags.set(name, true);
    } else if (spec.repeatable?.includes(name)) {
      lists.set(name, [...(lists.get(name) ?? []), value()]);
    } else if (spec.valued?.includes(name) || (CONNECTION_FLAGS as readonly string[]).includes(name)) {
      if (flags.has(name)) throw new UsageError(`${name} given twice`);
      flags.set(name, value());
    } else {
      throw new UsageError(`unknown option '${name}'`);
    }
  }
  return { positional, flags, lists };
}

export function flag(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export async function connectBackend(p: ParsedArgs, deps: CatalogCliDeps): Promise<PlatformBackend> {
  try {
    return await openBackend({ positional: p.positional, flags: p.flags }, deps);
  } catch (err) {
    // openBackend fails with a PlatformError, or a plain Error for a bad --backend value (a usage error).
    if (err instanceof Error && !PavedError.is(err)) throw new UsageError(err.message);
    throw err;
  }
}

/** Terminal-safe text: control characters removed (platform text cannot move the cursor or recolour the terminal). */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** Prints an error and returns the exit code for it. */
export function reportError(io: CliIO, cmd: string, err: unknown): number {
  if (err instanceof UsageError) {
    io.stderr.write(`paved ${cmd}: ${err.message}. Run 'paved ${cmd} --help'.\n`);
    return ExitCodes.usage;
  }
  io.stderr.write(`paved ${cmd}: ${clean(describeError(err))}\n`);
  if (PavedError.is(err) && err.detail && !(err instanceof PlatformError)) io.stderr.write(`  ${clean(err.detail)}\n`);
  if (PavedError.is(err, 'io')) return ExitCodes.usage;
  if (err instanceof PlatformError && err.code === 'invalid-input' && err.status === undefined) return ExitCodes.usage;
  return ExitCodes.failed;
}

/** Runs `body` with an AbortSignal for the first Ctrl-C. */
async function withInterrupt<T>(body: (interrupted: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  const onInt = () => ctl.abort();
  process.once('SIGINT', onInt);
  try {
    return await body(ctl.signal);
  } finally {
    process.off('SIGINT', onInt);
  }
}

function formatEvent(ev: DeploymentEvent): string {
  const where = ev.step ? `[${ev.step}${ev.stream === 'stderr' ? ':stderr' : ''}] ` : '';
  const state = ev.type === 'state' && ev.state ? `state → ${ev.state}: ` : ev.type !== 'log' ? `${ev.type}: ` : '';
  return `#${ev.seq} ${where}${state}${clean(ev.message)}`;
}

/**
 * Streams a deployment's events until it ends. The first Ctrl-C cancels the deployment on the platform (the stream
 * continues so the cancellation is seen); the exit code follows the final state.
 */
export async function watchDeployment(backend: PlatformBackend, d: Deployment, io: CliIO, json: boolean, interrupted: AbortSignal): Promise<number> {
  let cancelRequested = false;
  const onInterrupt = () => {
    cancelRequested = true;
    io.stderr.write(`paved: cancelling deployment ${d.id}…\n`);
    backend.cancelDeployment(d.id).then(
      (c) => io.stderr.write(`paved: the platform answered the cancel: ${c.state}\n`),
      (err: unknown) => io.stderr.write(`paved: cancel failed: ${clean(describeError(err))}\n`),
    );
  };
  interrupted.addEventListener('abort', onInterrupt, { once: true });
  try {
    for await (const ev of backend.deploymentEvents(d.id)) {
      io.stdout.write(json ? `${JSON.stringify({ event: ev })}\n` : `${formatEvent(ev)}\n`);
    }
  } finally {
    interrupted.removeEventListener('abort', onInterrupt);
  }
  const final = await backend.getDeployment(d.id);
  const outcome = describeOutcome(final);
  if (json) io.stdout.write(`${JSON.stringify({ deployment: final })}\n`);
  // With --json stdout carries only JSON lines.
  (outcome.severity === 'info' && !json ? io.stdout : io.stderr).write(`${clean(outcome.message)}\n`);
  if (final.state === 'succeeded') return ExitCodes.ok;
  if (cancelRequested) return ExitCodes.interrupted;
  if (final.state === 'rolled-back') return ExitCodes.rolledBack;
  return ExitCodes.failed;
}

/** The manifest of a service as text: its paved.yaml on this machine, else the catalog's copy. */
async function manifestOf(backend: PlatformBackend, service: string): Promise<{ text: string; fileName: string; object: unknown }> {
  const info = await backend.getService(service);
  const file = manifestFileCandidates(info).find((f) => fs.existsSync(f));
  if (file) {
    const text = await fs.promises.readFile(file, 'utf8');
    const { parse } = await import('yaml');
    return { text, fileName: 'paved.yaml', object: parse(text) as unknown };
  }
  return { text: stringify(info.manifest), fileName: info.manifestKind === 'catalog-info.yaml' ? 'catalog-info.yaml' : 'paved.yaml', object: info.manifest };
}

function findEnv(envs: Environment[], name: string): Environment {
  const env = envs.find((e) => e.name === name);
  if (!env) throw new UsageError(`no environment '${name}' (known: ${envs.map((e) => e.name).join(', ')})`);
  return env;
}

/** The policy gate and the approval rule; returns the refusal exit code, or undefined to go on. */
async function gate(backend: PlatformBackend, service: string, env: Environment, approve: boolean, io: CliIO, cmd: string): Promise<number | undefined> {
  const manifest = await manifestOf(backend, service);
  const g = policyGate(manifest.text, manifest.fileName, env.name);
  if (g.errors.length > 0) {
    io.stderr.write(`paved ${cmd}: refusing to deploy ${service} to ${env.name}: its manifest has ${g.errors.length} policy error(s):\n`);
    for (const l of g.lines) io.stderr.write(`  ${clean(l)}\n`);
    return ExitCodes.failed;
  }
  if (needsApproval(manifest.object, env) && !approve) {
    io.stderr.write(`paved ${cmd}: ${service}'s manifest requires approval for ${env.name}; pass --approve to confirm.\n`);
    return ExitCodes.failed;
  }
  return undefined;
}

const exitHelp = `Exit codes:
  0    succeeded (without --wait: the platform accepted the request)
  1    refused or failed: policy errors, approval missing, platform error, deployment failed
  2    usage error
  3    the new release was unhealthy and was rolled back automatically (the previous release keeps serving)
  130  interrupted: Ctrl-C cancelled the deployment on the platform`;

const deployUsage = `Usage: paved deploy SERVICE --env ENV [--release R] [--wait] [--approve] [--json] [connection]

Deploys SERVICE to ENV: a new release built from the service's source, or an existing release (--release). The
manifest is checked against the platform policies first; a manifest with policy errors is refused.

Options:
  --env ENV               target environment (local, staging, production)
  --release R             deploy this existing release instead of building a new one
  --wait                  stream the deployment's events and wait until it ends
  --approve               confirm a deployment the manifest requires approval for (production)
  --health-timeout S      health-check timeout in seconds
  --idempotency-key K     retry-safe key: the same key and request return the same deployment
  --json                  JSON lines: {"deployment":…} (and {"event":…} with --wait)

${CONNECTION_HELP}

${exitHelp}`;

const rollbackUsage = `Usage: paved rollback SERVICE --env ENV [--release R] [--wait] [--json] [connection]

Rolls SERVICE back in ENV to the release that served before the current one, or to --release R (no rebuild).

${CONNECTION_HELP}

${exitHelp}`;

const promoteUsage = `Usage: paved promote SERVICE --from ENV [--to ENV] [--approve] [--wait] [--json] [connection]

Promotes the release running in --from to the next environment (or --to), without rebuilding.

${CONNECTION_HELP}

${exitHelp}`;

type Op = 'deploy' | 'rollback' | 'promote';

export async function runDeployCommand(op: Op, args: string[], io: CliIO, deps: CatalogCliDeps): Promise<number> {
  return withInterrupt(async (interrupted) => {
    let backend: PlatformBackend | undefined;
    try {
      const p = parseArgs(args, {
        valued: ['--env', '--release', '--from', '--to', '--health-timeout', '--idempotency-key'],
        boolean: ['--wait', '--approve', '--json'],
      });
      if (p.positional.length !== 1) throw new UsageError(p.positional.length === 0 ? 'SERVICE is required' : `unexpected argument '${p.positional[1]}'`);
      const service = p.positional[0];
      const json = p.flags.has('--json');
      const approve = p.flags.has('--approve');
      const key = flag(p, '--idempotency-key') ?? newIdempotencyKey();
      const allowed: Record<Op, string[]> = {
        deploy: ['--env', '--release', '--health-timeout', '--wait', '--approve', '--json', '--idempotency-key'],
        rollback: ['--env', '--release', '--wait', '--json', '--idempotency-key'],
        promote: ['--from', '--to', '--wait', '--approve', '--json', '--idempotency-key'],
      };
      for (const f of p.flags.keys()) {
        if (!allowed[op].includes(f) && !(CONNECTION_FLAGS as readonly string[]).includes(f)) throw new UsageError(`${f} does not apply to paved ${op}`);
      }
      let healthTimeout: number | undefined;
      const rawTimeout = flag(p, '--health-timeout');
      if (rawTimeout !== undefined) {
        healthTimeout = Number(rawTimeout);
        if (!Number.isInteger(healthTimeout) || healthTimeout < 1) throw new UsageError(`--health-timeout must be a positive integer, not '${rawTimeout}'`);
      }
      if (op !== 'promote' && !flag(p, '--env')) throw new UsageError('--env is required');
      if (op === 'promote' && !flag(p, '--from')) throw new UsageError('--from is required');

      backend = await connectBackend(p, deps);
      if (!backend.capabilities.deploy) throw new PavedError('unsupported', `${backend.displayName} does not deploy services through Paved`);
      const envs = await backend.listEnvironments();
      let deployment: Deployment;
      if (op === 'deploy') {
        const env = findEnv(envs, flag(p, '--env')!);
        const refused = await gate(backend, service, env, approve, io, op);
        if (refused !== undefined) return refused;
        const req: CreateDeploymentRequest = { environment: env.name };
        const release = flag(p, '--release');
        if (release) req.release = release;
        if (approve) req.approved = true;
        if (healthTimeout !== undefined) req.healthTimeoutSeconds = healthTimeout;
        deployment = await backend.deploy(service, req, { idempotencyKey: key });
      } else if (op === 'rollback') {
        const env = findEnv(envs, flag(p, '--env')!);
        const req: RollbackRequest = { environment: env.name };
        const release = flag(p, '--release');
        if (release) req.release = release;
        deployment = await backend.rollback(service, req, { idempotencyKey: key });
      } else {
        const from = findEnv(envs, flag(p, '--from')!);
        const to = findEnv(envs, flag(p, '--to') ?? from.next ?? '');
        const refused = await gate(backend, service, to, approve, io, op);
        if (refused !== undefined) return refused;
        const req: PromoteRequest = { from: from.name, to: to.name };
        if (approve) req.approved = true;
        deployment = await backend.promote(service, req, { idempotencyKey: key });
      }
      io.stderr.write(`paved ${op}: deployment ${deployment.id} (${deployment.kind} ${deployment.service} → ${deployment.environment}${deployment.release ? `, ${deployment.release}` : ''}) is ${deployment.state}\n`);
      if (!p.flags.has('--wait')) {
        if (json) io.stdout.write(`${JSON.stringify({ deployment })}\n`);
        else io.stdout.write(`${deployment.id}\n`);
        return ExitCodes.ok;
      }
      return await watchDeployment(backend, deployment, io, json, interrupted);
    } catch (err) {
      return reportError(io, op, err);
    } finally {
      backend?.dispose();
    }
  });
}

export const deployCommand: Subcommand = {
  name: 'deploy',
  summary: 'deploy a service to an environment (policy-checked), optionally waiting for it',
  usage: deployUsage,
  run: (args, io) => runDeployCommand('deploy', args, io, { env: process.env }),
};

export const rollbackCommand: Subcommand = {
  name: 'rollback',
  summary: 'roll a service back to its previous (or a named) release',
  usage: rollbackUsage,
  run: (args, io) => runDeployCommand('rollback', args, io, { env: process.env }),
};

export const promoteCommand: Subcommand = {
  name: 'promote',
  summary: 'promote the release running in one environment to the next',
  usage: promoteUsage,
  run: (args, io) => runDeployCommand('promote', args, io, { env: process.env }),
};
