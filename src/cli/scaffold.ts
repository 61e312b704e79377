/**
 * `paved scaffold TEMPLATE --set key=value... --out DIR`: a new service from a golden path — the values from `--set`,
 * checked against the template's parameter schema (src/core/wizard), then the scaffold flow the editor runs too
 * (src/platform/selfService/scaffold.ts): files written all or nothing inside DIR, existing files never touched without
 * --overwrite or --keep-existing, the service registered so `paved deploy NAME` works next.
 */
import * as path from 'node:path';
import { PavedError } from '../core/errors';
import { fieldsFromTemplate, initialValues, parseAssignments, TemplateValidator, withoutUndefined } from '../core/wizard';
import type { PlatformBackend } from '../platform/backend';
import { scaffoldService } from '../platform/selfService/scaffold';
import { parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, CONNECTION_OPTIONS, openBackend, type CliDeps } from './connection';
import { clean, jsonText, reportError } from './output';

const usage = `Usage: paved scaffold TEMPLATE --set KEY=VALUE... [--out DIR] [--overwrite | --keep-existing] [--no-register] [--json] [connection]

Creates a service from the golden path TEMPLATE (see \`paved templates\` and \`paved templates TEMPLATE\`). Values
are checked against the template's parameter schema; defaults fill the rest. Files are written all or nothing into
DIR (default ./NAME): every path must stay inside DIR, symlinks are refused, and existing files are not touched
unless you choose --overwrite (replace them) or --keep-existing (write only the new files).

Options:
  --set KEY=VALUE    a parameter value (repeatable); numbers and booleans are converted by the schema
  --version V        render this published version of the golden path (default: the newest)
  --out DIR          target folder (default ./NAME)
  --overwrite        replace files that already exist in DIR
  --keep-existing    keep files that already exist in DIR, write the others
  --no-register      do not register the new service in the platform catalog
  --json             print {"folder", "written", "skipped", "overwritten", "registered", "nextSteps"} as JSON

${connectionHelp()}

Exit codes:
  0  written (Backstage: the platform published the service; its links are printed)
  1  refused or failed: files already exist, an unsafe path, the scaffold task failed, the platform failed
  2  usage error: unknown template parameter, invalid value, missing required value, or an I/O error`;

const OPTIONS = {
  set: { type: 'string', multiple: true },
  out: { type: 'string' },
  version: { type: 'string' },
  overwrite: { type: 'boolean' },
  'keep-existing': { type: 'boolean' },
  'no-register': { type: 'boolean' },
  json: { type: 'boolean' },
  ...CONNECTION_OPTIONS,
} as const;

export async function runScaffold(args: string[], io: CliIO, deps: CliDeps & { cwd?: string }): Promise<number> {
  let backend: PlatformBackend | undefined;
  try {
    const { values: v, positionals } = parseCommandLine(args, OPTIONS);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'TEMPLATE is required' : `unexpected argument '${positionals[1]}'`);
    if (v.overwrite && v['keep-existing']) throw new UsageError('choose one of --overwrite and --keep-existing');
    backend = await openBackend(v, deps);
    const template = await backend.getTemplate(positionals[0], v.version ? { version: v.version } : {});
    if (v.version && v.version !== template.version) throw new PavedError('conflict', `${template.id} is at version ${template.version}, not ${v.version}`);
    const fields = fieldsFromTemplate(template);
    const validator = new TemplateValidator(template, fields);
    let values: Record<string, unknown>;
    try {
      values = withoutUndefined(initialValues(fields, parseAssignments(fields, v.set ?? [], validator)));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const problems = validator.checkAll(values);
    if (problems.length > 0) throw new UsageError(`invalid values for ${template.id}: ${problems.join('; ')}`);

    const name = typeof values.name === 'string' ? values.name : template.id;
    const folder = path.resolve(deps.cwd ?? process.cwd(), v.out ?? name);
    const result = await scaffoldService(
      {
        backend,
        prompts: { resolveConflicts: async () => (v.overwrite ? 'overwrite' : v['keep-existing'] ? 'skip' : 'refuse') },
        onTaskEvent: (ev) => io.stderr.write(`#${ev.seq} ${ev.type}: ${clean(ev.message)}\n`),
      },
      { template, values, folder, register: !v['no-register'] },
    );
    if (result.status === 'published') {
      for (const l of result.outcome.links ?? []) io.stdout.write(`${clean(l.title ?? 'link')}: ${clean(l.url ?? l.entityRef ?? '')}\n`);
      if (result.outcome.text) io.stdout.write(`${clean(result.outcome.text)}\n`);
      return 0;
    }
    if (result.status === 'conflicts') {
      io.stderr.write(`paved scaffold: ${result.conflicts.length} file(s) already exist in ${folder}; nothing was written:\n`);
      for (const c of result.conflicts) io.stderr.write(`  ${clean(c)}\n`);
      io.stderr.write('Choose --overwrite to replace them or --keep-existing to keep them.\n');
      return 1;
    }
    const { write, registered, outcome } = result;
    if (registered?.already) io.stderr.write(`paved scaffold: ${clean(registered.already)} (not registered again)\n`);
    if (v.json) {
      io.stdout.write(`${jsonText({ folder, written: write.written, skipped: write.skipped, overwritten: write.overwritten, registered: registered?.name, nextSteps: outcome.nextSteps })}\n`);
    } else {
      io.stdout.write(`Created ${name} in ${folder}: ${write.written.length} file(s) written${write.skipped.length ? `, ${write.skipped.length} kept` : ''}${write.overwritten.length ? `, ${write.overwritten.length} replaced` : ''}.\n`);
      if (registered) io.stdout.write(`Registered ${clean(registered.name)} in the catalog.\n`);
      if (outcome.nextSteps.length > 0) io.stdout.write(`Next steps:\n${outcome.nextSteps.map((s) => `  ${clean(s)}`).join('\n')}\n`);
    }
    return 0;
  } catch (err) {
    return reportError(io, 'scaffold', err);
  } finally {
    backend?.dispose();
  }
}

export const scaffoldCommand: Subcommand = {
  name: 'scaffold',
  summary: 'create a service from a golden path (safe, all-or-nothing writes)',
  usage,
  run: (args, io) => runScaffold(args, io, { env: process.env }),
};
