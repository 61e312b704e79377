/**
 * *Paved: Upgrade Golden Path…* (palette, the paved.yaml CodeLens, the catalog's context menu, the details panel) and
 * *Paved: Adopt Golden Path…*: the editor's face of src/platform/selfService/upgrade.ts. The plan is shown before
 * anything is written, each file as a diff; after applying, conflicted files open with their markers and the Problems
 * view lists them until resolved.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PavedError, UserCancelledError } from '../../core/errors';
import { fieldsFromTemplate, TemplateValidator, WizardFlow } from '../../core/wizard';
import type { PlatformBackend, TemplateInfo } from '../../platform/backend';
import {
  adoptGoldenPath,
  adoptionDefaults,
  allTemplates,
  applyGoldenPathUpgrade,
  planGoldenPathUpgrade,
  readGoldenPath,
  type AppliedUpgrade,
  type PlannedUpgrade,
  type ValuesRequest,
} from '../../platform/selfService';
import { abortSignalFrom } from '../../platform/transport';
import type { CommandRunner } from '../commands';
import { Commands } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { BackendSource } from '../platform/connection';
import type { GoldenPathVersions } from '../platform/goldenPaths';
import { ReviewStep, stepFor, type StepContext } from '../scaffold/steps';
import { BACK, VsCodeQuickInputs, type QuickInputs } from '../ui/quickInputs';
import { GoldenPathLens } from './codeLens';
import { UpgradeConflicts } from './conflicts';
import { PREVIEW_SCHEME, PreviewDocuments, reviewPlan } from './preview';

export interface UpgradeOutcome {
  folder: string;
  planned?: PlannedUpgrade;
  applied?: AppliedUpgrade;
}

export interface UpgradeDeps {
  commands: CommandRunner;
  connection: BackendSource;
  versions: GoldenPathVersions;
  log: Logger;
  workspaceState: vscode.Memento;
}

const NO_REFERENCES = { teams: async () => [], systems: async () => [] };

export class GoldenPathUpgrades extends Component {
  /** Replaced by tests with scripted answers; the real QuickPick/InputBox otherwise. */
  inputs: QuickInputs = new VsCodeQuickInputs();
  readonly conflicts: UpgradeConflicts;
  readonly lens: GoldenPathLens;
  private readonly docs = new PreviewDocuments();
  private readonly finished = this.register(new vscode.EventEmitter<UpgradeOutcome>());
  /** Fires when an upgrade ended (applied or not): tests wait on it. */
  readonly onDidFinish = this.finished.event;

  constructor(private readonly deps: UpgradeDeps) {
    super();
    this.conflicts = this.register(new UpgradeConflicts(deps.workspaceState, deps.log.child('conflicts')));
    this.lens = this.register(new GoldenPathLens(deps.versions));
    const selector: vscode.DocumentSelector = { language: 'yaml', scheme: 'file' };
    this.register(vscode.languages.registerCodeLensProvider(selector, this.lens));
    this.register(vscode.languages.registerHoverProvider(selector, this.lens));
    this.register(vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this.docs));
    this.register(deps.commands.register(Commands.upgradeGoldenPath, (arg?: unknown) => this.upgrade(arg)));
    this.register(deps.commands.register(Commands.adoptGoldenPath, (arg?: unknown) => this.adopt(arg)));
  }

  /** Plans, shows and (when the user applies it) writes the upgrade of the service `arg` names (or the one picked). */
  async upgrade(arg?: unknown): Promise<UpgradeOutcome> {
    this.requireTrust('Upgrading');
    const backend = await this.deps.connection.current();
    const folder = await this.folderOf(arg, backend);
    const recorded = await readGoldenPath(folder);
    if (!recorded.answers && backend.capabilities.templateVersions) {
      const choice = await this.inputs.confirm(
        `${path.basename(folder)} has no .paved/golden-path.yaml`,
        'Paved does not know the values this service was created with. Adopt its golden path first: pick the template and version it came from; only the answers file is written.',
        ['Adopt Golden Path…'],
      );
      if (choice === 'Adopt Golden Path…') await this.adopt({ folder });
      return { folder };
    }
    const planned = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Planning the golden-path upgrade of ${path.basename(folder)}`, cancellable: true }, async (_p, token) => {
      const abort = abortSignalFrom(token);
      try {
        return await planGoldenPathUpgrade({ backend, signal: abort.signal, log: (l) => this.deps.log.info(l), prompts: { askValues: (r) => this.askValues(r) } }, { folder });
      } finally {
        abort.dispose();
      }
    });
    if ('upToDate' in planned) {
      void vscode.window.showInformationMessage(`${planned.upToDate.template} ${planned.upToDate.current} is up to date: nothing to upgrade.`);
      return this.done({ folder });
    }
    if (!(await reviewPlan(this.inputs, this.docs, planned))) return this.done({ folder, planned });
    const applied = await applyGoldenPathUpgrade({ backend, log: (l) => this.deps.log.info(l) }, planned);
    const conflicted = applied.conflicted.map((f) => vscode.Uri.file(path.join(folder, ...f.split('/'))));
    await this.conflicts.track(conflicted);
    for (const uri of conflicted) await vscode.window.showTextDocument(uri, { preview: false });
    this.deps.versions.refresh();
    void vscode.commands.executeCommand(Commands.refreshCatalog).then(undefined, (err: unknown) => this.deps.log.warn(`catalog refresh failed: ${String(err)}`));
    const note = conflicted.length > 0 ? ` ${conflicted.length} file(s) have conflict markers to resolve (listed in Problems).` : '';
    void vscode.window.showInformationMessage(`Upgraded ${planned.template} ${planned.from} → ${planned.to} in ${path.basename(folder)}: ${applied.write.written.length} file(s) written, ${applied.write.removed.length} removed.${note}`);
    return this.done({ folder, planned, applied });
  }

  /** Records the golden path of a service without an answers file: template, version and values; nothing else is written. */
  async adopt(arg?: unknown): Promise<{ folder: string; file?: string }> {
    this.requireTrust('Adopting a golden path');
    const backend = await this.deps.connection.current();
    const folder = await this.folderOf(arg, backend);
    const recorded = await readGoldenPath(folder);
    if (recorded.answers) {
      void vscode.window.showInformationMessage(`${path.basename(folder)} already follows ${recorded.answers.template} ${recorded.answers.version}.`);
      return { folder };
    }
    const templates = allTemplates(backend, { max: 1000 });
    const id = await this.inputs.quickPick({
      title: `Adopt a golden path for ${path.basename(folder)}`,
      canGoBack: false,
      id: 'adopt-template',
      placeholder: 'The golden path this service was created from',
      items: templates.then((list) => list.map((t) => ({ label: t.title, description: `${t.id} · newest ${t.version}`, value: t.id }))),
      active: (i) => i.value === recorded.goldenPath?.template,
    });
    if (id === BACK) throw new UserCancelledError();
    const versions = backend.capabilities.templateVersions ? (await backend.listTemplateVersions(id, { limit: 100 })).items.map((v) => v.version) : [(await backend.getTemplate(id)).version];
    const version = await this.inputs.quickPick({
      title: `Adopt ${id}`,
      canGoBack: false,
      id: 'adopt-version',
      placeholder: 'The version it was created from (an upgrade starts from it)',
      items: versions.map((v) => ({ label: v, description: v === recorded.goldenPath?.version ? 'what paved.yaml records' : undefined, value: v })),
      active: (i) => i.value === recorded.goldenPath?.version,
    });
    if (version === BACK) throw new UserCancelledError();
    const template = await backend.getTemplate(id, { version });
    const values = await this.wizard(template, undefined, adoptionDefaults(recorded.manifest, template), `Adopt ${id} ${version}: values`);
    const list = Object.entries(values).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n');
    const ok = await this.inputs.confirm(`Adopt ${id} ${version} for ${path.basename(folder)}?`, `Writes .paved/golden-path.yaml with:\n${list}\n\nNothing else changes; a later upgrade starts from this version.`, ['Adopt']);
    if (ok !== 'Adopt') throw new UserCancelledError();
    const r = await adoptGoldenPath({ backend }, { folder, template, values });
    this.deps.versions.refresh();
    void vscode.window.showInformationMessage(`${path.basename(folder)} now follows ${id} ${version}: wrote .paved/golden-path.yaml.`);
    return { folder, file: r.file };
  }

  private done(outcome: UpgradeOutcome): UpgradeOutcome {
    this.finished.fire(outcome);
    return outcome;
  }

  private requireTrust(what: string): void {
    if (!vscode.workspace.isTrusted) throw new PavedError('untrusted', `${what} is disabled in an untrusted workspace: Paved would write files and contact the platform. Trust the workspace first.`);
  }

  /** Values the upgrade asks for (secrets, parameters new in the target version), through the New Service steps. */
  private askValues(r: ValuesRequest): Promise<Record<string, unknown>> {
    return this.wizard(r.template, r.keys, r.given, `Upgrade to ${r.template.id} ${r.template.version}: new and secret values`);
  }

  /** The scaffold wizard's steps over `keys` (every field when undefined); resolves to the values of those fields. */
  private async wizard(template: TemplateInfo, keys: readonly string[] | undefined, given: Record<string, unknown>, title: string): Promise<Record<string, unknown>> {
    const all = fieldsFromTemplate(template);
    const fields = keys ? all.filter((f) => keys.includes(f.key)) : all;
    const validator = new TemplateValidator(template, all);
    const flow = new WizardFlow(fields, validator, given, { askAll: keys !== undefined, noFolder: true });
    const ctx: StepContext = { inputs: this.inputs, validator, references: NO_REFERENCES, title };
    while (flow.state === 'asking') {
      const step = flow.current();
      if (step.type === 'field') {
        const value = await stepFor(step.field).prompt(ctx, step, true);
        if (value === BACK) flow.back();
        else flow.answerField(value);
      } else if (step.type === 'review') {
        if (step.problems.length === 0) flow.finish('create');
        else {
          const choice = await new ReviewStep().prompt(ctx, step, true, false);
          if (choice === BACK) flow.back();
          else if ('edit' in choice && choice.edit !== '') flow.edit(choice.edit);
        }
      } else {
        flow.back();
      }
    }
    if (flow.state === 'exited-back') throw new UserCancelledError();
    const values = flow.result().values;
    return keys ? Object.fromEntries(keys.filter((k) => values[k] !== undefined).map((k) => [k, values[k]])) : values;
  }

  /**
   * The service folder: `{ folder }`, a catalog node or `{ ref }` (its manifest's folder), a paved.yaml URI, the
   * active paved.yaml, or one picked from the workspace's paved.yaml files that record a golden path.
   */
  private async folderOf(arg: unknown, backend: PlatformBackend): Promise<string> {
    if (arg instanceof vscode.Uri) return path.dirname(arg.fsPath);
    const a = (arg ?? {}) as { folder?: unknown; ref?: unknown; service?: { ref?: unknown } };
    if (typeof a.folder === 'string') return a.folder;
    const ref = typeof a.ref === 'string' ? a.ref : typeof a.service?.ref === 'string' ? a.service.ref : undefined;
    if (ref !== undefined) {
      const s = await backend.getService(ref);
      if (!s.manifestPath) throw new PavedError('not-found', `${s.name} is not in this workspace: open its folder to upgrade it.`);
      return path.dirname(s.manifestPath);
    }
    const active = vscode.window.activeTextEditor?.document;
    if (active?.uri.scheme === 'file' && /(^|[.-])paved\.ya?ml$/i.test(path.basename(active.uri.fsPath))) return path.dirname(active.uri.fsPath);
    const manifests = await vscode.workspace.findFiles('**/paved.{yaml,yml}', '**/{node_modules,.git,dist,out}/**', 500);
    const candidates = (await Promise.all(manifests.map(async (u) => ({ folder: path.dirname(u.fsPath), gp: (await readGoldenPath(path.dirname(u.fsPath))).goldenPath })))).filter((c) => c.gp);
    if (candidates.length === 0) throw new PavedError('not-found', 'No service in this workspace records a golden path (metadata.goldenPath in paved.yaml).');
    if (candidates.length === 1) return candidates[0].folder;
    const picked = await this.inputs.quickPick({
      title: 'Upgrade Golden Path',
      canGoBack: false,
      id: 'service-folder',
      placeholder: 'Which service?',
      items: candidates.map((c) => ({ label: path.basename(c.folder), description: `${c.gp!.template} ${c.gp!.version}`, detail: c.folder, value: c.folder })),
    });
    if (picked === BACK) throw new UserCancelledError();
    return picked;
  }
}
