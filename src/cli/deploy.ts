/**
 * `paved deploy`, `paved rollback`, `paved promote`, `paved restart`: the editor's Deploy / Roll Back / Promote /
 * Restart from the command line —
 * the same flows (src/platform/selfService: where the service deploys, including a Backstage entity's hand-off to the
 * Paved platform it names, environments, the policy gate, approval, the idempotent send, following the events). This
 * file only turns flags into the flows' inputs and their answers into output and exit codes.
 */
import * as path from 'node:path';
import type { Deployment, DeploymentEvent } from '../core/api/types';
import { eventLines } from '../core/deploy/eventText';
import { describeError, PavedError } from '../core/errors';
import type { PlatformBackend } from '../platform/backend';
import { deploy, followDeployment, promote, restart, rollback, type Refused, type SelfServicePrompts, type Started } from '../platform/selfService';
import { integerOption, parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, DEPLOY_CONNECTION_OPTIONS, DeployTokens, openBackend, type CliDeps } from './connection';
import { clean, ExitCodes, jsonText, reportError, withInterrupt } from './output';

type Op = 'deploy' | 'rollback' | 'promote' | 'restart';

const OPTIONS = {
  env: { type: 'string' },
  release: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'health-timeout': { type: 'string' },
  'idempotency-key': { type: 'string' },
  wait: { type: 'boolean' },
  approve: { type: 'boolean' },
  json: { type: 'boolean' },
  ...DEPLOY_CONNECTION_OPTIONS,
} as const;

/** The options of each command (besides the connection options); another is a usage error that names the command. */
const ALLOWED: Record<Op, (keyof typeof OPTIONS)[]> = {
  deploy: ['env', 'release', 'health-timeout', 'wait', 'approve', 'json', 'idempotency-key'],
  rollback: ['env', 'release', 'wait', 'json', 'idempotency-key'],
  promote: ['from', 'to', 'wait', 'approve', 'json', 'idempotency-key'],
  restart: ['env', 'wait', 'approve', 'json', 'idempotency-key'],
};

const exitHelp = `Exit codes:
  0    succeeded (without --wait: the platform accepted the request)
  1    refused or failed: policy errors, approval missing, platform error, deployment failed
  2    usage error
  3    the new release was unhealthy and was rolled back automatically (the previous release keeps serving)
  130  interrupted: Ctrl-C cancelled the deployment on the platform`;

const backstageHelp = `With --backend backstage, SERVICE is a catalog entity annotated paved.dev/platform-api: https://… (and optionally
paved.dev/service: NAME): it deploys through that Paved platform, with PAVED_DEPLOY_TOKEN, sent only to the platform
--deploy-url names.`;

const deployUsage = `Usage: paved deploy SERVICE --env ENV [--release R] [--wait] [--approve] [--json] [connection]

Deploys SERVICE to ENV: a new release built from the service's source, or an existing release (--release). The
manifest is checked against the platform policies first; a manifest with policy errors is refused.
${backstageHelp}

Options:
  --env ENV               target environment (local, staging, production)
  --release R             deploy this existing release instead of building a new one
  --wait                  stream the deployment's events and wait until it ends
  --approve               confirm a deployment that requires approval (the manifest's rule, or the platform's)
  --health-timeout S      health-check timeout in seconds
  --idempotency-key K     retry-safe key: the same key and request return the same deployment
  --json                  JSON lines: {"deployment":…} (and {"event":…} with --wait)

${connectionHelp({ deploy: true })}

${exitHelp}`;

const rollbackUsage = `Usage: paved rollback SERVICE --env ENV [--release R] [--wait] [--json] [connection]

Rolls SERVICE back in ENV to the release that served before the current one, or to --release R (no rebuild).
${backstageHelp}

${connectionHelp({ deploy: true })}

${exitHelp}`;

const promoteUsage = `Usage: paved promote SERVICE --from ENV [--to ENV] [--approve] [--wait] [--json] [connection]

Promotes the release running in --from to the next environment (or --to), without rebuilding.
${backstageHelp}

${connectionHelp({ deploy: true })}

${exitHelp}`;

const restartUsage = `Usage: paved restart SERVICE --env ENV [--approve] [--wait] [--json] [connection]

Starts the release serving in ENV (or the last one that did, when it was stopped or crashed) again: a new process
next to the old one, switched to once healthy — like a deployment of that release, without rebuilding. While a
restart of it runs, asking again returns that one. Where the manifest requires approval (production), pass --approve.

Options:
  --env ENV               environment (local, staging, production)
  --approve               confirm a restart that requires approval
  --wait                  stream the restart's events and wait until it ends
  --idempotency-key K     retry-safe key: the same key returns the same restart
  --json                  JSON lines: {"deployment":…} (and {"event":…} with --wait)

${connectionHelp()}

${exitHelp.replace('the deployment on the platform', 'the restart on the platform')}`;

/**
 * The CLI asks nothing: what the flags do not say is a usage error (the flags are checked before, so the pickers are
 * never reached), an approval not given with --approve a refusal, a Paved platform token one of PAVED_DEPLOY_TOKEN.
 */
export function flagPrompts(op: Op | 'stop', tokens: DeployTokens): SelfServicePrompts {
  return {
    pickService: () => Promise.reject(new UsageError('SERVICE is required')),
    pickEnvironment: () => Promise.reject(new UsageError(op === 'promote' ? '--from is required' : '--env is required')),
    pickRelease: async () => undefined,
    confirmApproval: (r) =>
      Promise.reject(
        new PavedError(
          'forbidden',
          r.action === 'restart' || r.action === 'stop'
            ? `${r.reason === 'manifest' ? `${r.service}'s manifest` : 'the platform'} requires approval to ${r.action} ${r.service} in ${r.environment}; pass --approve to confirm.`
            : r.reason === 'manifest'
              ? `${r.service}'s manifest requires approval for ${r.environment}; pass --approve to confirm.`
              : `the platform requires approval to deploy ${r.service} to ${r.environment}; pass --approve to confirm.`,
        ),
      ),
    ensureToken: async (url, why) => tokens.ensure(url, why),
  };
}

/** "#seq [step] line" for each line of the event's message (a batch of build output is one event of several lines). */
function formatEvent(ev: DeploymentEvent): string {
  const where = ev.step ? `[${clean(ev.step)}${ev.stream === 'stderr' ? ':stderr' : ''}] ` : '';
  const state = ev.type === 'state' && ev.state ? `state → ${clean(ev.state)}: ` : ev.type !== 'log' ? `${clean(ev.type)}: ` : '';
  return eventLines({ message: clean(ev.message) }, `#${clean(ev.seq)} ${where}${state}`).join('\n');
}

/**
 * Streams a deployment's events until it ends. The first Ctrl-C cancels the deployment on the platform (the stream
 * continues so the cancellation is seen); the exit code follows the final state.
 */
async function watch(started: Started, io: CliIO, json: boolean, interrupted: AbortSignal): Promise<number> {
  const { id } = started.deployment;
  const { deployment: final, outcome, cancelRequested } = await followDeployment(started.backend, started.record, {
    cancel: interrupted,
    observer: {
      event: (ev) => io.stdout.write(json ? `${jsonText({ event: ev })}\n` : `${formatEvent(ev)}\n`),
      cancelRequested: () => io.stderr.write(`paved: cancelling deployment ${clean(id)}…\n`),
      cancelAnswered: (c) => io.stderr.write(`paved: the platform answered the cancel: ${clean(c.state)}\n`),
      cancelFailed: (err) => io.stderr.write(`paved: cancel failed: ${clean(describeError(err))}\n`),
    },
  });
  if (json) io.stdout.write(`${jsonText({ deployment: final })}\n`);
  // With --json stdout carries only JSON lines.
  (outcome.severity === 'info' && !json ? io.stdout : io.stderr).write(`${clean(outcome.message)}\n`);
  if (final.state === 'succeeded') return ExitCodes.ok;
  if (cancelRequested) return ExitCodes.interrupted;
  if (final.state === 'rolled-back') return ExitCodes.rolledBack;
  return ExitCodes.failed;
}

function describeStarted(op: Op, d: Deployment): string {
  return `paved ${op}: deployment ${clean(d.id)} (${clean(d.kind)} ${clean(d.service)} → ${clean(d.environment)}${d.release ? `, ${clean(d.release)}` : ''}) is ${clean(d.state)}\n`;
}

/**
 * A refusal, as `paved lint` prints findings: `file:line:col severity rule message` (the file when the manifest was
 * read from one, relative to the working directory), every finding the platform listed.
 */
function reportRefused(io: CliIO, op: Op, r: Refused): number {
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const who = r.by === 'platform' ? `the platform refused it${r.policySet ? ` (policy set ${clean(r.policySet.name)} ${clean(r.policySet.version)})` : ''}` : 'refusing';
  io.stderr.write(`paved ${op}: ${who}: ${clean(r.service)} cannot be deployed to ${clean(r.environment)}; its manifest has ${errors} policy error(s):\n`);
  const where = r.manifest.file ? path.relative(process.cwd(), r.manifest.file) || r.manifest.file : r.manifest.fileName;
  for (const f of r.findings) io.stderr.write(`${clean(where)}:${f.line}:${f.column} ${f.severity} ${clean(f.ruleId)} ${clean(f.message)}\n`);
  return ExitCodes.failed;
}

export async function runDeployCommand(op: Op, args: string[], io: CliIO, deps: CliDeps): Promise<number> {
  return withInterrupt(async (interrupted) => {
    let backend: PlatformBackend | undefined;
    try {
      const { values: v, positionals } = parseCommandLine(args, OPTIONS);
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'SERVICE is required' : `unexpected argument '${positionals[1]}'`);
      for (const [name, given] of Object.entries(v)) {
        if (given !== undefined && !(ALLOWED[op] as string[]).includes(name) && !(name in DEPLOY_CONNECTION_OPTIONS)) throw new UsageError(`--${name} does not apply to paved ${op}`);
      }
      const healthTimeoutSeconds = v['health-timeout'] === undefined ? undefined : integerOption('health-timeout', v['health-timeout'], 1, undefined, 'a positive integer');
      if (op !== 'promote' && !v.env) throw new UsageError('--env is required');
      if (op === 'restart' && v.release) throw new UsageError('--release does not apply to paved restart');
      if (op === 'promote' && !v.from) throw new UsageError('--from is required');

      backend = await openBackend(v, deps);
      const ctx = { backend, prompts: flagPrompts(op, new DeployTokens(v, deps.env)) };
      const common = { service: positionals[0], idempotencyKey: v['idempotency-key'] };
      const result =
        op === 'deploy'
          ? await deploy(ctx, { ...common, environment: v.env, release: v.release, healthTimeoutSeconds, approved: v.approve })
          : op === 'rollback'
            ? await rollback(ctx, { ...common, environment: v.env, release: v.release })
            : op === 'restart'
              ? await restart(ctx, { ...common, environment: v.env, approved: v.approve })
              : await promote(ctx, { ...common, from: v.from, to: v.to, approved: v.approve });
      if (result.status === 'refused') return reportRefused(io, op, result);
      const { deployment } = result;
      io.stderr.write(describeStarted(op, deployment));
      if (!v.wait) {
        io.stdout.write(v.json ? `${jsonText({ deployment })}\n` : `${clean(deployment.id)}\n`);
        return ExitCodes.ok;
      }
      return await watch(result, io, v.json === true, interrupted);
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

export const restartCommand: Subcommand = {
  name: 'restart',
  summary: 'start the release a service runs in an environment again (a new process, switched to once healthy)',
  usage: restartUsage,
  run: (args, io) => runDeployCommand('restart', args, io, { env: process.env }),
};
