/**
 * `paved resources`: claims and resource types from the command line, through the same client, connection rules and
 * flows as the editor (src/platform/selfService/resources.ts).
 *
 *   paved resources [SERVICE]                       claims with their state per environment
 *   paved resources types                           the resource types the platform offers
 *   paved resources release SERVICE CLAIM --env E   release an orphaned claim (asks first; --yes for scripts)
 */
import { createInterface } from 'node:readline';
import type { ClaimStatus } from '../core/api/types';
import type { PlatformBackend } from '../platform/backend';
import { releaseClaim } from '../platform/selfService/resources';
import { parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, CONNECTION_OPTIONS, openBackend, type CliDeps } from './connection';
import { clean, ExitCodes, reportError } from './output';

const usage = `Usage: paved resources [SERVICE] [--env ENV] [--state STATE] [--json] [connection]
       paved resources types [--json] [connection]
       paved resources release SERVICE CLAIM --env ENV [--yes] [connection]

Claims (spec.claims in paved.yaml) and the resources the platform provisioned for them.

  paved resources            every provisioned claim of every service, with its state per environment
  paved resources SERVICE    the service's claims in every environment (also those not provisioned yet)
  paved resources types      the resource types the platform offers: classes, outputs (secret ones marked)
  paved resources release    deletes an orphaned claim's resource and its data, after asking (type y); --yes does not
                             ask. Only a claim the deployed release no longer names (orphaned) can be released.

Secret outputs are shown masked; the editor's Copy Connection String is the way to use one.
(A service named "types" or "release": list it with --service NAME.)

Options:
  --env ENV          only this environment (required for release)
  --state STATE      only claims in this state: pending, provisioning, ready, failed, orphaned
  --service NAME     the service to list (instead of the SERVICE argument)
  --yes              release without asking
  --json             print JSON

${connectionHelp()}

Exit codes: 0 done, 1 refused, not found, not confirmed or the platform failed, 2 usage error.`;

const OPTIONS = {
  env: { type: 'string' },
  state: { type: 'string' },
  service: { type: 'string' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
  ...CONNECTION_OPTIONS,
} as const;

const STATES = ['pending', 'provisioning', 'ready', 'failed', 'orphaned'];

function claimRows(claims: readonly ClaimStatus[]): string {
  const head = `${'SERVICE'.padEnd(24)} ${'ENVIRONMENT'.padEnd(12)} ${'CLAIM'.padEnd(14)} ${'TYPE'.padEnd(12)} ${'CLASS'.padEnd(10)} ${'STATE'.padEnd(12)} DETAILS\n`;
  return (
    head +
    claims
      .map((c) => {
        const outputs = Object.entries(c.outputs)
          .map(([k, v]) => `${clean(k)}=${clean(v)}`)
          .join(' ');
        const details = c.reason ? `${clean(c.reason)}${outputs ? `; ${outputs}` : ''}` : outputs;
        return `${clean(c.service).padEnd(24)} ${clean(c.environment).padEnd(12)} ${clean(c.claim).padEnd(14)} ${clean(c.type).padEnd(12)} ${clean(c.class).padEnd(10)} ${clean(c.state).padEnd(12)} ${details}`.trimEnd() + '\n';
      })
      .join('')
  );
}

/** Asks on stderr and reads one line; only "y" or "yes" is a yes (end of input is a no). */
async function ask(io: CliIO, question: string): Promise<boolean> {
  io.stderr.write(`${question} [y/N] `);
  const rl = createInterface({ input: io.stdin ?? process.stdin, terminal: false });
  try {
    const line = await new Promise<string | undefined>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(undefined));
    });
    if (line === undefined) io.stderr.write('\n');
    return /^\s*y(es)?\s*$/i.test(line ?? '');
  } finally {
    rl.close();
  }
}

async function list(backend: PlatformBackend, io: CliIO, service: string | undefined, v: { env?: string; state?: string; json?: true }): Promise<number> {
  let claims: ClaimStatus[];
  if (service !== undefined) {
    const s = await backend.getService(service);
    claims = s.claims ?? [];
  } else {
    claims = [];
    let cursor: string | undefined;
    do {
      const page = await backend.listClaims({ environment: v.env, state: v.state as ClaimStatus['state'] | undefined, limit: 500, cursor });
      claims.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
  }
  claims = claims.filter((c) => (v.env === undefined || c.environment === v.env) && (v.state === undefined || c.state === v.state));
  if (v.json) io.stdout.write(`${JSON.stringify(claims, null, 2)}\n`);
  else {
    io.stdout.write(claimRows(claims));
    io.stderr.write(`${claims.length} claim${claims.length === 1 ? '' : 's'}\n`);
  }
  return ExitCodes.ok;
}

async function types(backend: PlatformBackend, io: CliIO, json: boolean): Promise<number> {
  const all = await backend.listResourceTypes();
  if (json) {
    io.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return ExitCodes.ok;
  }
  for (const t of all) {
    io.stdout.write(`${clean(t.type)} (${clean(t.source === 'built-in' ? 'built-in' : `${t.driver}, ${t.source}`)})\n  ${clean(t.description)}\n`);
    io.stdout.write(`  classes: ${t.classes.map((c) => `${clean(c.name)}${c.default ? ' (default)' : ''}`).join(', ')}\n`);
    io.stdout.write(`  outputs: ${t.outputs.map((o) => `${clean(o.name)}${o.secret ? ' (secret)' : ''}`).join(', ')}${t.mainOutput ? `; Add Resource binds ${clean(t.mainEnv ?? t.mainOutput)}: \${claims.NAME.${clean(t.mainOutput)}}` : ''}\n`);
  }
  return ExitCodes.ok;
}

export async function runResources(args: string[], io: CliIO, deps: CliDeps): Promise<number> {
  let backend: PlatformBackend | undefined;
  try {
    const { values: v, positionals } = parseCommandLine(args, OPTIONS);
    if (v.state !== undefined && !STATES.includes(v.state)) throw new UsageError(`--state must be one of ${STATES.join(', ')}, not '${v.state}'`);
    const [first, ...rest] = positionals;
    if (first === 'types' && v.service === undefined) {
      if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
      backend = await openBackend(v, deps);
      return await types(backend, io, v.json === true);
    }
    if (first === 'release' && v.service === undefined) {
      if (rest.length !== 2) throw new UsageError('release takes SERVICE and CLAIM');
      if (v.env === undefined) throw new UsageError('release needs --env ENV');
      const [service, claim] = rest;
      backend = await openBackend(v, deps);
      const released = await releaseClaim({ backend }, { service, claim, environment: v.env }, async (warning) => {
        if (v.yes) return true;
        return ask(io, clean(warning));
      });
      if (released === 'declined') {
        io.stderr.write('Not released: nothing was deleted.\n');
        return ExitCodes.failed;
      }
      io.stdout.write(released === 'released' ? `Released claim ${clean(claim)} of ${clean(service)} in ${clean(v.env)}.\n` : `Claim ${clean(claim)} of ${clean(service)} in ${clean(v.env)} was released before; nothing to do.\n`);
      return ExitCodes.ok;
    }
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    if (first !== undefined && v.service !== undefined) throw new UsageError('give the service as SERVICE or as --service, not both');
    backend = await openBackend(v, deps);
    return await list(backend, io, v.service ?? first, v);
  } catch (err) {
    return reportError(io, 'resources', err);
  } finally {
    backend?.dispose();
  }
}

export const resourcesCommand: Subcommand = {
  name: 'resources',
  summary: 'claims and the resources provisioned for them: list, types, release',
  usage,
  run: (args, io) => runResources(args, io, { env: process.env }),
};
