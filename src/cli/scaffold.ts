/**
 * `paved scaffold TEMPLATE --set key=value... --out DIR`: a new service from a golden path, with the editor's rules:
 * values checked against the template's parameter schema (ajv), files written all or nothing with every path checked
 * to stay inside DIR (src/core/fs/safeWrite.ts), existing files never overwritten without --overwrite, then the
 * service registered in the catalog so `paved deploy NAME` works next.
 */
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PavedError } from '../core/errors';
import { planWrite, safeWrite, type ConflictPolicy } from '../core/fs/safeWrite';
import { fieldsFromTemplate, initialValues, parseAssignments, TemplateValidator, withoutUndefined } from '../core/wizard';
import type { PlatformBackend, ScaffoldOutcome } from '../platform/backend';
import { newIdempotencyKey } from '../platform/transport';
import type { CliIO, Subcommand } from './cli';
import { clean, connectBackend, CONNECTION_HELP, flag, parseArgs, reportError, UsageError } from './deploy';
import type { CatalogCliDeps } from './services';

const usage = `Usage: paved scaffold TEMPLATE --set KEY=VALUE... [--out DIR] [--overwrite | --keep-existing] [--no-register] [--json] [connection]

Creates a service from the golden path TEMPLATE (see \`paved templates\` and \`paved templates TEMPLATE\`). Values
are checked against the template's parameter schema; defaults fill the rest. Files are written all or nothing into
DIR (default ./NAME): every path must stay inside DIR, symlinks are refused, and existing files are not touched
unless you choose --overwrite (replace them) or --keep-existing (write only the new files).

Options:
  --set KEY=VALUE    a parameter value (repeatable); numbers and booleans are converted by the schema
  --version V        require this template version
  --out DIR          target folder (default ./NAME)
  --overwrite        replace files that already exist in DIR
  --keep-existing    keep files that already exist in DIR, write the others
  --no-register      do not register the new service in the platform catalog
  --json             print {"folder", "written", "skipped", "overwritten", "registered", "nextSteps"} as JSON

${CONNECTION_HELP}

Exit codes:
  0  written (Backstage: the platform published the service; its links are printed)
  1  refused or failed: files already exist, an unsafe path, the scaffold task failed, the platform failed
  2  usage error: unknown template parameter, invalid value, missing required value, or an I/O error`;

export async function runScaffold(args: string[], io: CliIO, deps: CatalogCliDeps & { cwd?: string }): Promise<number> {
  let backend: PlatformBackend | undefined;
  try {
    const p = parseArgs(args, { valued: ['--out', '--version'], boolean: ['--overwrite', '--keep-existing', '--no-register', '--json'], repeatable: ['--set'] });
    if (p.positional.length !== 1) throw new UsageError(p.positional.length === 0 ? 'TEMPLATE is required' : `unexpected argument '${p.positional[1]}'`);
    if (p.flags.has('--overwrite') && p.flags.has('--keep-existing')) throw new UsageError('choose one of --overwrite and --keep-existing');
    const json = p.flags.has('--json');
    backend = await connectBackend(p, deps);
    const template = await backend.getTemplate(p.positional[0]);
    const version = flag(p, '--version');
    if (version && version !== template.version) throw new PavedError('conflict', `${template.id} is at version ${template.version}, not ${version}`);
    const fields = fieldsFromTemplate(template);
    const validator = new TemplateValidator(template, fields);
    let values: Record<string, unknown>;
    try {
      values = withoutUndefined(initialValues(fields, parseAssignments(fields, p.lists.get('--set') ?? [], validator)));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const problems = validator.checkAll(values);
    if (problems.length > 0) throw new UsageError(`invalid values for ${template.id}: ${problems.join('; ')}`);

    const name = typeof values.name === 'string' ? values.name : template.id;
    const cwd = deps.cwd ?? process.cwd();
    const folder = path.resolve(cwd, flag(p, '--out') ?? name);

    const task = await backend.createScaffoldTask({ templateId: template.id, version: template.version, values }, { idempotencyKey: newIdempotencyKey() });
    let outcome: ScaffoldOutcome | undefined = task.result;
    let failure = task.state === 'failed' ? (task.error ?? 'failed') : undefined;
    if (!outcome && !failure) {
      for await (const ev of backend.scaffoldTaskEvents(task.id)) {
        io.stderr.write(`#${ev.seq} ${ev.type}: ${clean(ev.message)}\n`);
        if (ev.outcome) outcome = ev.outcome;
        if (ev.type === 'failed' || ev.type === 'cancelled') failure = ev.message;
      }
      if (!outcome && !failure) {
        const done = await backend.getScaffoldTask(task.id);
        outcome = done.result;
        if (done.state !== 'succeeded') failure = done.error ?? `the task ended ${done.state}`;
      }
    }
    if (failure) throw new PavedError('server-error', `the scaffold task failed: ${failure}`);
    if (!outcome) throw new PavedError('invalid-response', 'the scaffold task finished without a result');

    if (!backend.capabilities.scaffoldWritesFiles) {
      for (const l of outcome.links ?? []) io.stdout.write(`${clean(l.title ?? 'link')}: ${clean(l.url ?? l.entityRef ?? '')}\n`);
      if (outcome.text) io.stdout.write(`${clean(outcome.text)}\n`);
      return 0;
    }
    const files = outcome.files.map((f) => ({ path: f.path, content: f.content, mode: f.mode }));
    const policy: ConflictPolicy = p.flags.has('--overwrite') ? 'overwrite' : p.flags.has('--keep-existing') ? 'skip' : 'refuse';
    const plan = await planWrite(folder, files);
    if (plan.conflicts.length > 0 && policy === 'refuse') {
      io.stderr.write(`paved scaffold: ${plan.conflicts.length} file(s) already exist in ${folder}; nothing was written:\n`);
      for (const c of plan.conflicts) io.stderr.write(`  ${c}\n`);
      io.stderr.write('Choose --overwrite to replace them or --keep-existing to keep them.\n');
      return 1;
    }
    const result = await safeWrite(folder, files, { onConflict: policy });
    let registered: string | undefined;
    if (!p.flags.has('--no-register') && backend.capabilities.register) {
      const manifestFile = outcome.files.find((f) => f.path === 'paved.yaml');
      if (manifestFile) {
        const manifest = parseYaml(manifestFile.content) as Record<string, unknown>;
        const meta = (manifest.metadata ?? {}) as { name?: unknown };
        registered = typeof meta.name === 'string' ? meta.name : name;
        try {
          await backend.register({ manifest, sourceDir: folder }, { idempotencyKey: newIdempotencyKey() });
        } catch (err) {
          if (!PavedError.is(err, 'conflict')) throw err;
          io.stderr.write(`paved scaffold: ${clean(err.message)} (not registered again)\n`);
        }
      }
    }
    if (json) {
      io.stdout.write(`${JSON.stringify({ folder, written: result.written, skipped: result.skipped, overwritten: result.overwritten, registered, nextSteps: outcome.nextSteps })}\n`);
    } else {
      io.stdout.write(`Created ${name} in ${folder}: ${result.written.length} file(s) written${result.skipped.length ? `, ${result.skipped.length} kept` : ''}${result.overwritten.length ? `, ${result.overwritten.length} replaced` : ''}.\n`);
      if (registered) io.stdout.write(`Registered ${registered} in the catalog.\n`);
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
