/**
 * `paved upgrade [DIR]`: the editor's Upgrade Golden Path from the command line and in CI — `--check` (exit 2 when an
 * upgrade exists, like `copier check-update`), the plan, and the three-way upgrade applied all or nothing
 * (src/platform/selfService/upgrade.ts); `--adopt TEMPLATE@VERSION` records the golden path of a service that has no
 * answers file. This file only turns flags into the flow's inputs and its answers into output and exit codes.
 */
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { UpgradeAction } from '../core/templates';
import { fieldsFromTemplate, initialValues, parseAssignments, TemplateValidator, withoutUndefined } from '../core/wizard';
import type { PlatformBackend, TemplateInfo } from '../platform/backend';
import { adoptGoldenPath, adoptionDefaults, applyGoldenPathUpgrade, checkGoldenPath, planGoldenPathUpgrade, readGoldenPath, type PlannedUpgrade, type ValuesRequest } from '../platform/selfService';
import { parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { connectionHelp, CONNECTION_OPTIONS, openBackend, type CliDeps } from './connection';
import { clean, ExitCodes, jsonText, reportError } from './output';

const usage = `Usage: paved upgrade [DIR] [--to VERSION] [--check] [--json] [--set KEY=VALUE...] [--yes] [connection]
       paved upgrade [DIR] --adopt TEMPLATE@VERSION [--set KEY=VALUE...] [connection]

Upgrades the service in DIR (default .) to a newer version of the golden path it was created from: a three-way merge
per file of the recorded version (rendered again with the values in .paved/golden-path.yaml), the new version (the
same values) and your files. Files only the golden path changed are updated, files only you changed stay yours, both
changed are merged, with conflict markers where the changes collide. The plan is printed first; nothing is written
without --yes (or a "y" at the prompt), and then all or nothing.

Options:
  --check            only say whether an upgrade exists (for CI): exit 0 up to date, 2 an upgrade exists, 1 failure
                     (a usage error too, so 2 always means an upgrade exists)
  --json             --check: {"template","current","latest","updateAvailable"}; upgrade: the plan and what was written
  --to VERSION       upgrade to this version (default: the newest)
  --set KEY=VALUE    a value for a parameter the upgrade asks for: one new in the target version, or a secret (never
                     stored); without it the parameter's default is used (repeatable)
  --yes              apply the plan without asking
  --adopt T@V        record that DIR follows golden path T at version V (writes .paved/golden-path.yaml, nothing
                     else); values come from paved.yaml (name, owner, system, description) and --set

${connectionHelp()}

Exit codes (without --check):
  0  upgraded (or already up to date, or adopted)
  1  refused or failed (not applied without --yes in a non-interactive shell, no answers file, the platform failed)
  2  usage error
  4  upgraded, with conflict markers left to resolve (the files are listed)`;

const OPTIONS = {
  to: { type: 'string' },
  check: { type: 'boolean' },
  json: { type: 'boolean' },
  set: { type: 'string', multiple: true },
  yes: { type: 'boolean' },
  adopt: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

export interface UpgradeDeps extends CliDeps {
  cwd?: string;
  /** Asks a yes/no question (default: the terminal, when stdin is one; else no question can be asked). */
  confirm?: (question: string) => Promise<boolean | undefined>;
}

const SYMBOL: Record<UpgradeAction, string> = { updated: 'M', added: 'A', removed: 'D', conflicted: 'C', kept: '=', binary: 'B' };

async function terminalConfirm(question: string): Promise<boolean | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** Values for the keys an upgrade (or adoption) asks, from --set and the defaults, checked against the schema. */
function valuesFromFlags(template: TemplateInfo, keys: readonly string[], given: Record<string, unknown>, sets: readonly string[], used: Set<string>): Record<string, unknown> {
  const fields = fieldsFromTemplate(template);
  const validator = new TemplateValidator(template, fields);
  let parsed: Record<string, unknown>;
  try {
    parsed = parseAssignments(fields, sets, validator);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  for (const k of Object.keys(parsed)) if (keys.includes(k)) used.add(k);
  const asked = fields.filter((f) => keys.includes(f.key));
  const values = withoutUndefined(initialValues(asked, { ...given, ...Object.fromEntries(Object.entries(parsed).filter(([k]) => keys.includes(k))) }));
  const problems = validator.checkAll(values);
  if (problems.length > 0) throw new UsageError(`values for ${template.id} ${template.version}: ${problems.join('; ')} (give them with --set KEY=VALUE)`);
  return Object.fromEntries(keys.filter((k) => values[k] !== undefined).map((k) => [k, values[k]]));
}

function printPlan(io: CliIO, p: PlannedUpgrade): void {
  io.stdout.write(`${clean(p.template)} ${clean(p.from)} → ${clean(p.to)} in ${p.folder}\n`);
  for (const v of p.newer) {
    io.stdout.write(`\n${clean(v.version)}:\n`);
    if (v.changelog) io.stdout.write(`${clean(v.changelog).replace(/^/gm, '  ')}\n`);
  }
  io.stdout.write('\n');
  for (const f of p.plan.files) io.stdout.write(`  ${SYMBOL[f.action]} ${clean(f.path).padEnd(36)} ${clean(f.reason)}\n`);
  const c = p.plan.counts;
  io.stdout.write(`\n${c.updated} updated, ${c.added} added, ${c.removed} removed, ${c.conflicted} conflicted, ${c.kept + c.binary} kept, ${p.plan.unchanged} unchanged\n`);
}

async function check(io: CliIO, backend: PlatformBackend, folder: string, json: boolean): Promise<number> {
  const r = await checkGoldenPath({ backend }, folder);
  if (json) io.stdout.write(`${jsonText({ template: r.template, current: r.current, latest: r.latest ?? null, updateAvailable: r.updateAvailable })}\n`);
  else if (r.updateAvailable) io.stdout.write(`${clean(r.template)} ${clean(r.current)} → ${clean(r.latest)} available\n`);
  else io.stdout.write(`${clean(r.template)} ${clean(r.current)} is up to date${r.latest ? '' : ' (the platform does not publish this golden path)'}\n`);
  return r.updateAvailable ? 2 : 0;
}

async function adopt(io: CliIO, backend: PlatformBackend, folder: string, spec: string, sets: readonly string[]): Promise<number> {
  const m = /^([^@\s]+)@([^@\s]+)$/.exec(spec);
  if (!m) throw new UsageError(`--adopt takes TEMPLATE@VERSION, not '${spec}'`);
  const template = await backend.getTemplate(m[1], { version: m[2] });
  const recorded = await readGoldenPath(folder);
  const keys = fieldsFromTemplate(template).map((f) => f.key);
  const values = valuesFromFlags(template, keys, adoptionDefaults(recorded.manifest, template), sets, new Set());
  const r = await adoptGoldenPath({ backend }, { folder, template, values });
  io.stdout.write(`Adopted ${clean(template.id)} ${clean(template.version)}: wrote ${r.file}\n`);
  return 0;
}

export async function runUpgrade(args: string[], io: CliIO, deps: UpgradeDeps): Promise<number> {
  let backend: PlatformBackend | undefined;
  let checking = false;
  try {
    const { values: v, positionals } = parseCommandLine(args, OPTIONS);
    checking = v.check === true;
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    if (v.check && (v.adopt || v.yes || v.to || v.set)) throw new UsageError('--check takes no --adopt, --yes, --to or --set');
    if (v.adopt && (v.to || v.yes)) throw new UsageError('--adopt takes no --to or --yes');
    const folder = path.resolve(deps.cwd ?? process.cwd(), positionals[0] ?? '.');
    backend = await openBackend(v, deps);
    if (v.check) return await check(io, backend, folder, v.json === true);
    if (v.adopt) return await adopt(io, backend, folder, v.adopt, v.set ?? []);

    const used = new Set<string>();
    const askValues = async (r: ValuesRequest) => valuesFromFlags(r.template, r.keys, r.given, v.set ?? [], used);
    const planned = await planGoldenPathUpgrade({ backend, prompts: { askValues }, log: (l) => io.stderr.write(`${clean(l)}\n`) }, { folder, to: v.to });
    const unused = (v.set ?? []).map((s) => s.split('=')[0]).filter((k) => !used.has(k));
    if (unused.length > 0) throw new UsageError(`--set ${unused.join(', ')}: not asked by this upgrade (only parameters new in the target version and secrets are; the others keep their recorded values)`);
    if ('upToDate' in planned) {
      if (v.json) io.stdout.write(`${jsonText({ template: planned.upToDate.template, from: planned.upToDate.current, to: planned.upToDate.current, files: [], applied: false, conflicted: [] })}\n`);
      else io.stdout.write(`${clean(planned.upToDate.template)} ${clean(planned.upToDate.current)} is up to date: nothing to do\n`);
      return ExitCodes.ok;
    }
    if (!v.json) printPlan(io, planned);
    const apply = v.yes === true || (await (deps.confirm ?? terminalConfirm)(`Apply the upgrade to ${planned.to}?`));
    const summary = { template: planned.template, from: planned.from, to: planned.to, files: planned.plan.files.map((f) => ({ path: f.path, action: f.action, reason: f.reason })) };
    if (!apply) {
      if (v.json) io.stdout.write(`${jsonText({ ...summary, applied: false, conflicted: [] })}\n`);
      io.stderr.write(apply === false ? 'Not applied.\n' : 'Not applied: pass --yes to apply the plan (nothing was written).\n');
      return ExitCodes.failed;
    }
    const applied = await applyGoldenPathUpgrade({ backend }, planned);
    if (v.json) {
      io.stdout.write(`${jsonText({ ...summary, applied: true, conflicted: applied.conflicted })}\n`);
    } else {
      io.stdout.write(`Upgraded ${clean(planned.template)} to ${clean(planned.to)}: ${applied.write.written.length} file(s) written, ${applied.write.removed.length} removed.\n`);
      if (applied.conflicted.length > 0) io.stdout.write(`Resolve the conflict markers (<<<<<<< … >>>>>>>) in:\n${applied.conflicted.map((f) => `  ${clean(f)}`).join('\n')}\n`);
    }
    return applied.conflicted.length > 0 ? ExitCodes.conflicted : ExitCodes.ok;
  } catch (err) {
    const code = reportError(io, 'upgrade', err);
    // With --check, 2 means "an upgrade exists" and nothing else.
    return checking && code === ExitCodes.usage ? ExitCodes.failed : code;
  } finally {
    backend?.dispose();
  }
}

export const upgradeCommand: Subcommand = {
  name: 'upgrade',
  summary: 'upgrade a service to a newer version of its golden path (three-way merge), or check for one in CI',
  usage,
  run: (args, io) => runUpgrade(args, io, { env: process.env }),
};

