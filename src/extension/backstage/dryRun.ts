import * as vscode from 'vscode';
import { parseAllDocuments } from 'yaml';
import { PavedError, UserCancelledError } from '../../core/errors';
import { BackstageBackend, type DryRunResult } from '../../platform/backstage';
import { abortSignalFrom } from '../../platform/transport';
import type { CommandRunner } from '../commands';
import { Commands } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';

/** URI scheme of the read-only previews of the files a dry run produced. */
export const DRY_RUN_SCHEME = 'paved-dry-run';

/** Arguments of "Paved: Dry Run Template…" (all optional: the command uses the active editor and asks). */
export interface DryRunArgs {
  /** The template.yaml (default: the active editor's document). */
  uri?: string;
  /** Parameter values; required ones that are missing are asked for. */
  values?: Record<string, unknown>;
  /** false: do not show the QuickPick of files (the previews stay available through their URIs). */
  preview?: boolean;
}

/** What the command returns. */
export interface DryRunPreview {
  template: string;
  files: { path: string; uri: string; executable: boolean }[];
  result: DryRunResult;
}

const MAX_FILES = 500;
const MAX_BYTES = 10 * 1024 * 1024;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);
const KEPT_RUNS = 5;

interface ParameterProperty {
  title?: string;
  description?: string;
  type?: string;
  enum?: unknown[];
  default?: unknown;
}

/**
 * "Paved: Dry Run Template…" for template authors on a Backstage backend: the open template.yaml (kind Template) and
 * the files of its folder go to `POST /api/scaffolder/v2/dry-run`; the files it would produce open as read-only
 * previews (`paved-dry-run:` documents, picked from a QuickPick), its log goes to the "Paved: Dry Run" output.
 */
export class DryRunCommand extends Component implements vscode.TextDocumentContentProvider {
  private outputChannel: vscode.OutputChannel | undefined;
  /** The "Paved: Dry Run" output, made on first use (activation does nothing but registration). */
  private get output(): vscode.OutputChannel {
    return (this.outputChannel ??= this.register(vscode.window.createOutputChannel('Paved: Dry Run')));
  }
  private readonly runs = new Map<string, Map<string, string>>();
  private runCount = 0;

  constructor(
    commands: CommandRunner,
    private readonly connection: PlatformConnection,
    private readonly log: Logger,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(DRY_RUN_SCHEME, this));
    this.register(commands.register(Commands.dryRunTemplate, (arg?: unknown) => this.run(toArgs(arg))));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, run, ...rest] = uri.path.split('/');
    const content = this.runs.get(run)?.get(rest.join('/'));
    if (content === undefined) throw new PavedError('not-found', `The dry run preview ${uri.path} is gone (only the last ${KEPT_RUNS} dry runs are kept).`);
    return content;
  }

  async run(args: DryRunArgs = {}): Promise<DryRunPreview | undefined> {
    if (!vscode.workspace.isTrusted) {
      throw new PavedError('untrusted', 'Dry runs are disabled in an untrusted workspace: Paved would send this workspace’s template to the platform. Trust the workspace to dry-run templates.');
    }
    const uri = args.uri ? vscode.Uri.parse(args.uri) : vscode.window.activeTextEditor?.document.uri;
    if (!uri) throw new PavedError('invalid-input', 'Open a Backstage template.yaml (kind: Template) to dry-run it.');
    const doc = await vscode.workspace.openTextDocument(uri);
    const template = templateOf(doc.getText(), uri);
    const backend = await this.connection.current();
    if (!backend.capabilities.templateDryRun || !(backend instanceof BackstageBackend)) {
      throw new PavedError('unsupported', `${backend.displayName} has no template dry run: set paved.platform.kind to "backstage" to dry-run Backstage templates.`);
    }
    const values = await this.askMissing(template, { ...(args.values ?? {}) });
    const directoryContents = await readFolder(vscode.Uri.joinPath(uri, '..'));
    const metaName = (template.metadata as { name?: unknown } | undefined)?.name;
    const name = typeof metaName === 'string' && metaName !== '' ? metaName : 'template';
    this.output.appendLine(`Dry run of ${name} (${uri.fsPath || uri.toString()}) on ${backend.displayName}, ${directoryContents.length} file(s) sent`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Dry run of ${name}`, cancellable: true },
      async (_p, token) => {
        const abort = abortSignalFrom(token);
        try {
          return await backend.dryRun({ template, values, directoryContents }, { signal: abort.signal });
        } catch (err) {
          if (token.isCancellationRequested) throw new UserCancelledError('Dry run cancelled');
          throw err;
        } finally {
          abort.dispose();
        }
      },
    );
    const run = String(++this.runCount);
    this.runs.set(run, new Map(result.files.map((f) => [f.path, f.content])));
    for (const old of [...this.runs.keys()].slice(0, -KEPT_RUNS)) this.runs.delete(old);
    const files = result.files.map((f) => ({
      path: f.path,
      uri: vscode.Uri.from({ scheme: DRY_RUN_SCHEME, path: `/${run}/${f.path}` }).toString(),
      executable: f.executable,
    }));
    this.report(name, result);
    this.log.info(`dry run of ${name}: ${files.length} file(s)`);
    const preview: DryRunPreview = { template: name, files, result };
    if (args.preview === false) return preview;
    if (files.length === 0) {
      void vscode.window.showInformationMessage(`Paved: the dry run of ${name} produced no files. Its log is in the "Paved: Dry Run" output.`);
      this.output.show(true);
      return preview;
    }
    const picked = await vscode.window.showQuickPick(
      files.map((f) => ({ label: f.path, description: f.executable ? 'executable' : undefined, uri: f.uri })),
      { title: `Dry run of ${name}: ${files.length} file(s) it would produce`, placeHolder: 'Open a file to preview it (read-only)' },
    );
    if (picked) await vscode.window.showTextDocument(vscode.Uri.parse(picked.uri), { preview: true });
    return preview;
  }

  private report(name: string, result: DryRunResult): void {
    for (const s of result.steps) this.output.appendLine(`step ${s.id}: ${s.name} (${s.action})`);
    for (const l of result.log) this.output.appendLine(`${l.stepId ? `[${l.stepId}] ` : ''}${l.status ? `(${l.status}) ` : ''}${l.message}`);
    this.output.appendLine(`Files (${result.files.length}):`);
    for (const f of result.files) this.output.appendLine(`  ${f.path}${f.executable ? ' (executable)' : ''}`);
    for (const l of result.outcome.links ?? []) this.output.appendLine(`Link: ${l.title ?? ''} ${l.url ?? l.entityRef ?? ''}`.trimEnd());
    if (result.outcome.text) this.output.appendLine(result.outcome.text);
    this.output.appendLine(`Dry run of ${name} finished.`);
  }

  /** Required parameters without a value or default are asked for (an enum as a pick, others as text). */
  private async askMissing(template: Record<string, unknown>, values: Record<string, unknown>): Promise<Record<string, unknown>> {
    const spec = (template.spec ?? {}) as { parameters?: unknown };
    const steps = (Array.isArray(spec.parameters) ? spec.parameters : spec.parameters ? [spec.parameters] : []) as {
      required?: unknown;
      properties?: Record<string, ParameterProperty>;
    }[];
    for (const step of steps) {
      const required = Array.isArray(step.required) ? step.required.filter((r): r is string => typeof r === 'string') : [];
      for (const key of required) {
        const prop = step.properties?.[key] ?? {};
        if (values[key] !== undefined || prop.default !== undefined) continue;
        const title = `Dry run: ${prop.title ?? key}`;
        let answer: unknown;
        if (Array.isArray(prop.enum)) {
          answer = (await vscode.window.showQuickPick(prop.enum.map((v) => ({ label: String(v), value: v })), { title, placeHolder: prop.description }))?.value;
        } else {
          const text = await vscode.window.showInputBox({
            title,
            prompt: prop.description ?? `Value of ${key}`,
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim() === '' ? `${prop.title ?? key} is required.` : (prop.type === 'integer' || prop.type === 'number') && !Number.isFinite(Number(v)) ? 'A number.' : undefined),
          });
          answer = text === undefined ? undefined : prop.type === 'integer' || prop.type === 'number' ? Number(text) : prop.type === 'boolean' ? text === 'true' : text;
        }
        if (answer === undefined) throw new UserCancelledError('Dry run cancelled');
        values[key] = answer;
      }
    }
    return values;
  }
}

function toArgs(arg: unknown): DryRunArgs {
  if (arg instanceof vscode.Uri) return { uri: arg.toString() };
  if (typeof arg === 'object' && arg !== null) return arg;
  return {};
}

/** The Template entity of a template.yaml (the first document of kind Template). */
export function templateOf(text: string, uri: vscode.Uri): Record<string, unknown> {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new PavedError('invalid-input', `${uri.fsPath} is not YAML.`);
  for (const d of docs) {
    if (d.errors.length > 0) throw new PavedError('invalid-input', `${uri.fsPath} has YAML errors: ${d.errors[0].message}`);
    const value = d.toJS() as unknown;
    if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Template') return value as Record<string, unknown>;
  }
  throw new PavedError('invalid-input', `${uri.fsPath} holds no Backstage template (kind: Template).`);
}

/** The files of the template's folder (its skeleton), relative paths; .git and node_modules left out. */
async function readFolder(root: vscode.Uri): Promise<{ path: string; content: Uint8Array }[]> {
  const out: { path: string; content: Uint8Array }[] = [];
  let bytes = 0;
  const walk = async (dir: vscode.Uri, rel: string): Promise<void> => {
    for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
      const child = vscode.Uri.joinPath(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      // Symlinks are not followed: they could point outside the template's folder.
      if (type & vscode.FileType.SymbolicLink) continue;
      if (type & vscode.FileType.Directory) {
        if (!SKIPPED_DIRS.has(name)) await walk(child, path);
      } else if (type & vscode.FileType.File) {
        const content = await vscode.workspace.fs.readFile(child);
        bytes += content.byteLength;
        out.push({ path, content });
        if (out.length > MAX_FILES || bytes > MAX_BYTES) {
          throw new PavedError('invalid-input', `The template folder ${root.fsPath} is too big for a dry run (more than ${MAX_FILES} files or ${MAX_BYTES / 1024 / 1024} MB).`);
        }
      }
    }
  };
  await walk(root, '');
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
