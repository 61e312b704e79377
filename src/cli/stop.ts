/**
 * `paved stop SERVICE --env ENV`: stops the release running there, through the same flow as the editor's Stop
 * (src/platform/selfService/operate.ts: the approval rule, the platform's `approval-required` answer). Stopping what
 * does not run changes nothing and still exits 0. `paved restart` is beside deploy, in deploy.ts.
 */
import type { PlatformBackend } from '../platform/backend';
import { stop } from '../platform/selfService';
import { parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, CONNECTION_OPTIONS, DeployTokens, openBackend, type CliDeps } from './connection';
import { flagPrompts } from './deploy';
import { clean, ExitCodes, reportError, withInterrupt } from './output';

const usage = `Usage: paved stop SERVICE --env ENV [--approve] [--json] [connection]

Stops the release running in ENV. Where the manifest requires approval (production), pass --approve. Stopping a
service that does not run there changes nothing. \`paved restart SERVICE --env ENV\` starts it again.

Options:
  --env ENV        environment (local, staging, production)
  --approve        confirm a stop that requires approval
  --json           print {"environment": …, "changed": …}

${connectionHelp()}

Exit codes: 0 stopped (or was not running), 1 refused or failed (approval missing, unknown service), 2 usage error.`;

const OPTIONS = { env: { type: 'string' }, approve: { type: 'boolean' }, json: { type: 'boolean' }, ...CONNECTION_OPTIONS } as const;

export async function runStop(args: string[], io: CliIO, deps: CliDeps): Promise<number> {
  return withInterrupt(async (signal) => {
    let backend: PlatformBackend | undefined;
    try {
      const { values: v, positionals } = parseCommandLine(args, OPTIONS);
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'SERVICE is required' : `unexpected argument '${positionals[1]}'`);
      if (!v.env) throw new UsageError('--env is required');
      backend = await openBackend(v, deps);
      const r = await stop({ backend, prompts: flagPrompts('stop', new DeployTokens(v, deps.env)), signal }, { service: positionals[0], environment: v.env, approved: v.approve });
      if (v.json) io.stdout.write(`${JSON.stringify({ environment: r.environment, changed: r.changed })}\n`);
      else io.stdout.write(r.changed ? `stopped ${clean(r.service)} in ${clean(v.env)} (release ${clean(r.environment.release ?? '?')})\n` : `${clean(r.service)} was not running in ${clean(v.env)}; nothing changed\n`);
      return ExitCodes.ok;
    } catch (err) {
      return reportError(io, 'stop', err);
    } finally {
      backend?.dispose();
    }
  });
}

export const stopCommand: Subcommand = {
  name: 'stop',
  summary: 'stop the release a service runs in an environment',
  usage,
  run: (args, io) => runStop(args, io, { env: process.env }),
};
