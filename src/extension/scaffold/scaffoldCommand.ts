import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TemplateSummary } from '../../core/api/types';
import { PavedError, UserCancelledError } from '../../core/errors';
import type { WriteResult } from '../../core/fs/safeWrite';
import { fieldsFromTemplate, TemplateValidator, WizardFlow, type FieldOption, type ReviewAction } from '../../core/wizard';
import type { PlatformBackend, ScaffoldOutcome, TemplateInfo } from '../../platform/backend';
import { allTemplates, scaffoldService, type ScaffoldResult as FlowResult } from '../../platform/selfService';
import { abortSignalFrom } from '../../platform/transport';
import type { CommandRunner } from '../commands';
import { Commands, StateKeys } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import { walkthroughStep } from '../walkthrough';
import type { BackendSource } from '../platform/connection';
import { openExternalLink } from '../ui/links';
import { BACK, VsCodeQuickInputs, type QuickInputs } from '../ui/quickInputs';
import { FolderStep, ReviewStep, stepFor, TemplateStep, type ReferenceSource, type StepContext } from './steps';

/** What a finished New Service produced (returned by the command, for tests and callers). */
export interface ScaffoldResult {
  templateId: string;
  values: Record<string, unknown>;
  /** Where the files went (Paved), or undefined (Backstage publishes elsewhere). */
  folder?: string;
  write?: WriteResult;
  outcome: ScaffoldOutcome;
  /** The service name registered in the catalog, when registration happened. */
  registered?: string;
  action: ReviewAction;
}

export interface ScaffoldDeps {
  commands: CommandRunner;
  connection: BackendSource;
  log: Logger;
  globalState: vscode.Memento;
  /** Deploys a service to an environment (the Deploy component); used by "Deploy to local". */
  deploy?: (service: string, environment: string) => Promise<unknown>;
}

/**
 * "Paved: New Service…": pick a golden path, answer its parameters (one step class per kind, back navigation, ajv
 * checks as you type, owners and systems offered from the catalog), choose the folder, review, then write the files
 * safely, register the service, open its README and paved.yaml and offer "Deploy to local".
 */
export class ScaffoldComponent extends Component {
  /** Replaced by tests (PavedApi.testHooks.setQuickInputs); the real QuickPick/InputBox otherwise. */
  inputs: QuickInputs = new VsCodeQuickInputs();
  private outputChannel: vscode.OutputChannel | undefined;
  /** Fires when a New Service run finished (tests wait on it). */
  private readonly finished = this.register(new vscode.EventEmitter<ScaffoldResult>());
  readonly onDidFinish = this.finished.event;

  /** The "Paved: Scaffold" output, made on first use (activation does nothing but registration). */
  private get output(): vscode.OutputChannel {
    return (this.outputChannel ??= this.register(vscode.window.createOutputChannel('Paved: Scaffold', { log: true })));
  }

  constructor(private readonly deps: ScaffoldDeps) {
    super();
    this.register(deps.commands.register(Commands.newService, (arg?: unknown) => this.newService(templateIdOf(arg))));
  }

  /** Runs the wizard; with `templateId` (a Golden Paths click) it starts at that template's first question. */
  async newService(templateId?: string): Promise<ScaffoldResult> {
    if (!vscode.workspace.isTrusted) {
      throw new PavedError('untrusted', 'Creating services is disabled in an untrusted workspace: Paved would write files and contact the platform. Trust the workspace to use New Service.');
    }
    const backend = await this.deps.connection.current();
    const templates = listAllTemplates(backend);
    const references = catalogReferences(backend, this.deps.log);
    let preset = templateId;
    for (;;) {
      const summary = preset ? await templates.then((list) => list.find((t) => t.id === preset)) : await new TemplateStep().prompt(this.inputs, templates);
      if (preset && !summary) throw new PavedError('not-found', `${backend.displayName} has no golden path '${preset}'`);
      preset = undefined;
      if (summary === BACK || !summary) continue;
      const template = await backend.getTemplate(summary.id);
      const answered = await this.collect(backend, template, summary, references);
      if (answered === BACK) continue;
      const result = await this.create(backend, template, answered);
      this.finished.fire(result);
      walkthroughStep('serviceCreated');
      return result;
    }
  }

  /** Runs the wizard over the template's fields; BACK when the user went back past the first step. */
  private async collect(backend: PlatformBackend, template: TemplateInfo, summary: TemplateSummary, references: ReferenceSource) {
    const fields = fieldsFromTemplate(template);
    const validator = new TemplateValidator(template, fields);
    const writesFiles = backend.capabilities.scaffoldWritesFiles;
    const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    const given: Record<string, unknown> = {};
    // An owner field without a default gets the team used last time, or the only team of the catalog.
    const ownerField = fields.find((f) => f.reference === 'team' && f.default === undefined);
    if (ownerField) {
      const teams = await references.teams();
      const last = this.deps.globalState.get<string>(StateKeys.lastOwner);
      const pick = teams.find((t) => t.value === last)?.value ?? (teams.length === 1 ? teams[0].value : undefined);
      if (pick !== undefined && validator.checkValue(ownerField, pick).ok) given[ownerField.key] = pick;
    }
    const flow = new WizardFlow(fields, validator, given, {
      noFolder: !writesFiles,
      defaultFolder: root ? (v) => (typeof v.name === 'string' && v.name !== '' ? path.join(root, v.name) : undefined) : undefined,
    });
    const ctx: StepContext = { inputs: this.inputs, validator, references, title: `New Service: ${summary.title} v${template.version}` };
    while (flow.state === 'asking') {
      const step = flow.current();
      const canGoBack = true; // back from the first step returns to the template list
      if (step.type === 'field') {
        const value = await stepFor(step.field).prompt(ctx, step, canGoBack);
        if (value === BACK) flow.back();
        else flow.answerField(value);
      } else if (step.type === 'folder') {
        const folder = await new FolderStep().prompt(ctx, step, canGoBack);
        if (folder === BACK) flow.back();
        else flow.answerFolder(folder.trim());
      } else {
        const choice = await new ReviewStep().prompt(ctx, step, canGoBack, writesFiles && backend.capabilities.deploy && this.deps.deploy !== undefined);
        if (choice === BACK) flow.back();
        else if ('action' in choice) flow.finish(choice.action);
        else if (choice.edit !== '') flow.edit(choice.edit);
      }
    }
    if (flow.state === 'exited-back') return BACK;
    return flow.result();
  }

  /**
   * The scaffold flow (src/platform/selfService/scaffold.ts) in a cancellable notification: the task's log into the
   * Scaffold output, existing files replaced or kept only when the user says so, the service registered.
   */
  private async create(
    backend: PlatformBackend,
    template: TemplateInfo,
    answered: { values: Record<string, unknown>; folder: string | undefined; action: ReviewAction },
  ): Promise<ScaffoldResult> {
    const { values, folder, action } = answered;
    if (typeof values.owner === 'string') await this.deps.globalState.update(StateKeys.lastOwner, values.owner);
    const name = typeof values.name === 'string' ? values.name : template.id;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Creating ${name} from ${template.title}`, cancellable: true },
      (progress, token) => this.runFlow(backend, template, values, folder, progress, token),
    );
    if (result.status === 'published') {
      void this.showPublished(result.outcome, name);
      return { templateId: template.id, values, outcome: result.outcome, action };
    }
    if (result.status === 'conflicts') throw new UserCancelledError('Not writing over existing files');
    const { write, registered, outcome } = result;
    if (registered) {
      await vscode.commands.executeCommand(Commands.refreshCatalog).then(undefined, (err: unknown) => this.deps.log.warn(`catalog refresh failed: ${String(err)}`));
    }
    await this.openFiles(result.folder);
    const scaffolded: ScaffoldResult = { templateId: template.id, values, folder: result.folder, write, outcome, registered: registered?.name, action };
    const service = registered?.name;
    if (service && this.deps.deploy) {
      if (action === 'create-and-deploy') {
        void this.deps.deploy(service, 'local');
      } else {
        void vscode.window.showInformationMessage(`Created ${service} in ${result.folder}.`, 'Deploy to local').then((c) => {
          if (c === 'Deploy to local') return this.deps.deploy?.(service, 'local');
          return undefined;
        });
      }
    }
    return scaffolded;
  }

  private async runFlow(
    backend: PlatformBackend,
    template: TemplateInfo,
    values: Record<string, unknown>,
    folder: string | undefined,
    progress: vscode.Progress<{ message?: string }>,
    token: vscode.CancellationToken,
  ): Promise<FlowResult> {
    const abort = abortSignalFrom(token);
    try {
      return await scaffoldService(
        {
          backend,
          signal: abort.signal,
          log: (line) => this.output.appendLine(line),
          onTask: (task) => this.output.appendLine(`Scaffold task ${task.id} (${template.id} v${template.version})`),
          onTaskEvent: (ev) => {
            this.output.appendLine(`[${ev.type}] ${ev.message}`);
            if (ev.type === 'step' || ev.type === 'log') progress.report({ message: ev.message });
          },
          prompts: {
            resolveConflicts: async (conflicts, target) => {
              const list = conflicts.slice(0, 8).join('\n') + (conflicts.length > 8 ? `\n… and ${conflicts.length - 8} more` : '');
              const choice = await this.inputs.confirm(`${conflicts.length} file(s) already exist in ${target}`, `${list}\n\nNothing has been written yet.`, ['Overwrite', 'Keep Existing Files']);
              if (choice === 'Overwrite') return 'overwrite';
              if (choice === 'Keep Existing Files') return 'skip';
              throw new UserCancelledError('Not writing over existing files');
            },
          },
        },
        { template, values, folder },
      );
    } catch (err) {
      if (token.isCancellationRequested) throw new UserCancelledError('Scaffolding cancelled');
      throw err;
    } finally {
      abort.dispose();
    }
  }

  private async openFiles(folder: string): Promise<void> {
    for (const [file, column] of [
      ['README.md', vscode.ViewColumn.One],
      ['paved.yaml', vscode.ViewColumn.Beside],
    ] as const) {
      const uri = vscode.Uri.file(path.join(folder, file));
      try {
        await vscode.window.showTextDocument(uri, { viewColumn: column, preview: false, preserveFocus: file !== 'README.md' });
      } catch (err) {
        this.deps.log.warn(`could not open ${uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Backstage: the template published the service itself; show its output links. */
  private async showPublished(outcome: ScaffoldOutcome, name: string): Promise<void> {
    this.output.show(true);
    const links = (outcome.links ?? []).filter((l) => l.url);
    if (outcome.text) this.output.appendLine(outcome.text);
    for (const l of outcome.links ?? []) this.output.appendLine(`${l.title ?? 'Link'}: ${l.url ?? l.entityRef ?? ''}`);
    const choice = await vscode.window.showInformationMessage(`${name} was created by the platform.`, ...links.map((l) => l.title ?? l.url!));
    const link = links.find((l) => (l.title ?? l.url) === choice);
    if (link?.url) await openExternalLink(link.url, `the link "${link.title ?? link.url}" the template returned`);
  }
}

function templateIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') return arg;
  if (arg !== null && typeof arg === 'object') {
    const t = (arg as { template?: { id?: unknown } }).template;
    if (typeof t?.id === 'string') return t.id;
  }
  return undefined;
}

async function listAllTemplates(backend: PlatformBackend): Promise<TemplateSummary[]> {
  const out = await allTemplates(backend, { max: 1000 });
  if (out.length === 0) throw new PavedError('not-found', `${backend.displayName} offers no golden paths`);
  return out;
}

/** Teams and systems from the catalog, fetched once per wizard run. */
function catalogReferences(backend: PlatformBackend, log: Logger): ReferenceSource {
  let teams: Promise<FieldOption[]> | undefined;
  let systems: Promise<FieldOption[]> | undefined;
  return {
    teams() {
      teams ??= backend.listTeams({ limit: 500 }).then(
        (page) => page.items.map((t) => ({ value: t.name, label: t.name, description: [t.title, `${t.serviceCount} service(s)`].filter(Boolean).join(' · ') })),
        (err: unknown) => {
          log.warn(`teams unavailable for the owner step: ${err instanceof Error ? err.message : String(err)}`);
          return [];
        },
      );
      return teams;
    },
    systems() {
      systems ??= backend.facets().then(
        (f) => f.systems.map((s) => ({ value: s.value, label: s.value, description: `${s.count} service(s)` })),
        (err: unknown) => {
          log.warn(`systems unavailable for the system step: ${err instanceof Error ? err.message : String(err)}`);
          return [];
        },
      );
      return systems;
    },
  };
}
