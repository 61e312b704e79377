/**
 * `paved templates [ID]`: the platform's golden paths, or one golden path's parameters (what `paved scaffold --set`
 * takes), through the same client and connection rules as the editor.
 */
import { fieldsFromTemplate } from '../core/wizard';
import type { PlatformBackend } from '../platform/backend';
import { allTemplates } from '../platform/selfService/scaffold';
import { parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, CONNECTION_OPTIONS, openBackend, type CliDeps } from './connection';
import { clean, jsonText, reportError } from './output';

const usage = `Usage: paved templates [ID] [--json] [connection]

Without ID: lists the golden paths (id, version, owner, title).
With ID: shows that golden path and its parameters (name, type, required, default) for \`paved scaffold --set\`.

Options:
  --json             print JSON (the list, or the template with its parameter schema)

${connectionHelp()}

Exit codes: 0 listed, 1 not found or the platform failed, 2 usage error.`;

const OPTIONS = { json: { type: 'boolean' }, ...CONNECTION_OPTIONS } as const;

export async function runTemplates(args: string[], io: CliIO, deps: CliDeps): Promise<number> {
  let backend: PlatformBackend | undefined;
  try {
    const { values: v, positionals } = parseCommandLine(args, OPTIONS);
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const json = v.json === true;
    backend = await openBackend(v, deps);
    const id = positionals[0];
    if (id === undefined) {
      const all = await allTemplates(backend);
      if (json) {
        io.stdout.write(`${jsonText(all, 2)}\n`);
      } else {
        io.stdout.write(`${'ID'.padEnd(24)} ${'VERSION'.padEnd(10)} ${'OWNER'.padEnd(18)} TITLE\n`);
        for (const t of all) io.stdout.write(`${clean(t.id).padEnd(24)} ${clean(t.version).padEnd(10)} ${clean(t.owner).padEnd(18)} ${clean(t.title)}\n`);
        io.stderr.write(`${all.length} golden path${all.length === 1 ? '' : 's'}\n`);
      }
      return 0;
    }
    const t = await backend.getTemplate(id);
    if (json) {
      io.stdout.write(`${jsonText(t, 2)}\n`);
      return 0;
    }
    io.stdout.write(`${clean(t.title)} (${clean(t.id)} v${clean(t.version)}, owner ${clean(t.owner)})\n${clean(t.description)}\n\nParameters (--set KEY=VALUE):\n`);
    for (const f of fieldsFromTemplate(t)) {
      const type = f.kind === 'enum' ? `one of ${(f.options ?? []).map((o) => String(o.value)).join('|')}` : f.kind === 'number' ? (f.integer ? 'integer' : 'number') : f.kind === 'reference' ? `${f.reference} name` : f.kind;
      const extra = [f.required ? 'required' : `default ${f.default === undefined ? '(none)' : jsonText(f.default)}`, f.pattern ? `pattern ${f.pattern}` : ''].filter(Boolean).join(', ');
      io.stdout.write(`  ${clean(f.key).padEnd(18)} ${clean(type).padEnd(14)} ${clean(f.title)} (${clean(extra)})\n`);
    }
    return 0;
  } catch (err) {
    return reportError(io, 'templates', err);
  } finally {
    backend?.dispose();
  }
}

export const templatesCommand: Subcommand = {
  name: 'templates',
  summary: 'list the golden paths, or show one golden path’s parameters',
  usage,
  run: (args, io) => runTemplates(args, io, { env: process.env }),
};
