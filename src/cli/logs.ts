/**
 * `paved logs SERVICE --env ENV [--tail N | --since TIME] [--follow]`: a running service's log from the command line —
 * the same platform client and the same follow (src/platform/selfService/logs.ts: reconnects resume after the last
 * line) as the editor's log channels. Ctrl-C ends a follow: that is how a follow ends, so it exits 0.
 */
import type { LogLine } from '../core/api/operations';
import { describeError } from '../core/errors';
import type { PlatformBackend } from '../platform/backend';
import { assertOperations, followLogs } from '../platform/selfService';
import { integerOption, parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, CONNECTION_OPTIONS, openBackend, type CliDeps } from './connection';
import { clean, listing, reportError } from './output';

const usage = `Usage: paved logs SERVICE --env ENV [--tail N | --since TIME] [--follow] [--json] [connection]

Prints the log of the release running in ENV (and of the releases before it): each line with its time, its stream
(stdout, stderr, or platform for the platform's own lines: started, exited) and its text. Secret values the platform
knows are shown as [redacted]; lines longer than 8 KiB are cut (marked with …).

Options:
  --env ENV        environment (local, staging, production)
  --tail N         the last N lines (default 100)
  --since TIME     the lines written since TIME (ISO 8601, e.g. 2026-06-30T12:00:00Z, or an age: 10m, 2h, 1d)
  --follow, -f     keep printing new lines as they are written, across restarts and new deployments; a lost
                   connection is resumed after the last line printed. Ctrl-C ends it.
  --json           one JSON object per line ({"cursor", "at", "stream", "text", "release", "truncated"?})

${connectionHelp()}

Exit codes: 0 printed (a follow ended with Ctrl-C also exits 0), 1 the platform failed or refused (unknown service
or environment, a platform without live logs), 2 usage error.`;

const OPTIONS = {
  env: { type: 'string' },
  tail: { type: 'string' },
  since: { type: 'string' },
  follow: { type: 'boolean' },
  f: { type: 'boolean' },
  json: { type: 'boolean' },
  ...CONNECTION_OPTIONS,
} as const;

/** `10m` → that long ago; an ISO time as it is. */
export function sinceTime(raw: string, now = Date.now()): string {
  const age = /^(\d+)([smhd])$/.exec(raw.trim());
  if (age) return new Date(now - Number(age[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 's' | 'm' | 'h' | 'd']).toISOString();
  const t = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw.trim()) || Number.isNaN(t)) throw new UsageError(`--since must be an ISO 8601 time or an age such as 10m, 2h or 1d, not '${raw}'`);
  return new Date(t).toISOString();
}

export function formatLine(l: LogLine): string {
  return `${l.at} ${l.stream.padEnd(8)} ${clean(l.text)}${l.truncated ? ' …' : ''}\n`;
}

export async function runLogs(args: string[], io: CliIO, deps: CliDeps): Promise<number> {
  return listing(io, async (signal) => {
    let backend: PlatformBackend | undefined;
    try {
      const { values: v, positionals } = parseCommandLine(args, OPTIONS);
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'SERVICE is required' : `unexpected argument '${positionals[1]}'`);
      if (!v.env) throw new UsageError('--env is required');
      if (v.tail !== undefined && v.since !== undefined) throw new UsageError('--tail and --since do not go together');
      const tail = v.tail === undefined ? undefined : integerOption('tail', v.tail, 0, 10_000);
      const since = v.since === undefined ? undefined : sinceTime(v.since);
      const follow = v.follow === true || v.f === true;
      const print = (l: LogLine) => io.stdout.write(v.json ? `${JSON.stringify(l)}\n` : formatLine(l));
      const [service] = positionals;
      backend = await openBackend(v, deps);
      assertOperations(backend);
      // What is there now, page by page (a --since may span many), then — following — what comes.
      let page = await backend.operations.logs(service, v.env, since ? { since, limit: 5000 } : { tail: tail ?? 100, limit: 5000 }, { signal });
      for (;;) {
        page.items.forEach(print);
        if (!page.more || signal.aborted) break;
        page = await backend.operations.logs(service, v.env, { after: page.cursor, limit: 5000 }, { signal });
      }
      if (follow && !signal.aborted) {
        await followLogs(backend, service, v.env, {
          after: page.cursor,
          signal,
          observer: {
            line: print,
            reconnecting: (err, delayMs) => io.stderr.write(`paved logs: connection lost (${clean(describeError(err))}); retrying in ${Math.round(delayMs / 100) / 10} s\n`),
            resumed: () => io.stderr.write('paved logs: resumed after the last line printed\n'),
          },
        });
      }
      return 0;
    } catch (err) {
      if (signal.aborted) return 0;
      return reportError(io, 'logs', err);
    } finally {
      backend?.dispose();
    }
  });
}

export const logsCommand: Subcommand = {
  name: 'logs',
  summary: 'print (or follow) the logs of a running service',
  usage,
  run: (args, io) => runLogs(args, io, { env: process.env }),
};
