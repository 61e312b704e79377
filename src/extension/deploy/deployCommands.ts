import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Deployment, DeploymentEvent } from '../../core/api/types';
import { PavedError, UserCancelledError } from '../../core/errors';
import { deployLenses, serviceFromArg, type DeploymentRecord, type Outcome } from '../../core/wizard/deploy';
import type { PlatformBackend } from '../../platform/backend';
import {
  acknowledge,
  deploy,
  DeploymentJournal,
  followDeployment,
  promote,
  recordedOn,
  restart,
  rollback,
  type AcknowledgedRecord,
  type DeployContext,
  type ManifestSource,
  type Refused,
  type Started,
} from '../../platform/selfService';
import { abortSignalFrom } from '../../platform/transport';
import type { CommandRunner } from '../commands';
import { showLogLink, type DeploymentLog, type DeploymentLogs } from '../deployments/deploymentLogs';
import { Commands, ContextKeys, StateKeys } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { BackendSource } from '../platform/connection';
import { openExternalLink } from '../ui/links';
import { VsCodeQuickInputs, type QuickInputs } from '../ui/quickInputs';
import { DeployCodeLensProvider } from './codeLens';
import type { RefusalDiagnostics } from './refusals';
import { EditorDeployPrompts } from './prompts';
import { manifestGlob } from '../../core/manifest/kinds';

export interface DeployDeps {
  commands: CommandRunner;
  connection: BackendSource;
  log: Logger;
  /** workspaceState: where running deployments are recorded (survives a window reload). */
  state: vscode.Memento;
  /** The Deployments view's `track`, when there is one. */
  track?: (deployment: Deployment) => void;
  /** One output per deployment (outlives this component, as the window's outputs outlive a re-created one). */
  logs: DeploymentLogs;
  /** Where refusals show their findings (outlives this component). */
  refusals?: RefusalDiagnostics;
  /** The policy set and catalog names the gate checks with (the editor's own, as the linter uses them). */
  policies?: DeployContext['policies'];
  /** The platform refused a manifest the gate let through: what the editor holds of its policies is stale. */
  onRefusedByPlatform?: () => void;
}

/** The outcome of Deploy / Roll Back / Promote as the command returns it. */
export type DeployResult = { refused: string[] } | Deployment;

/** Arguments the commands accept (all optional: the palette asks). */
export interface DeployArgs {
  service?: string;
  environment?: string;
  release?: string;
  /** paved.yaml the deployment comes from (CodeLens). */
  manifestUri?: string;
  /** Health-check timeout for this deployment (the platform's default otherwise). */
  healthTimeoutSeconds?: number;
}

const UNTRUSTED =
  'Deploying is disabled in an untrusted workspace: it would run this workspace’s build and start its code. Trust the workspace (Manage Workspace Trust) to deploy, roll back or promote.';

/**
 * "Paved: Deploy…", "Paved: Roll Back…", "Paved: Promote…" and the paved.yaml CodeLens: the editor's face of the
 * self-service flows (src/platform/selfService), which hold every rule. This component asks through QuickPicks, records
 * deployments in workspaceState, and watches each in a cancellable notification with its own LogOutputChannel; on
 * activation the recorded ones are re-attached and their event streams resumed after the last seen event.
 */
export class DeployComponent extends Component {
  inputs: QuickInputs = new VsCodeQuickInputs();
  private readonly journal: DeploymentJournal;
  private readonly watching = new Map<string, Promise<Deployment>>();
  /** Cancellation of each watched deployment (by deployment id): the notification's Cancel button fires it. */
  private readonly cancellers = new Map<string, vscode.CancellationTokenSource>();
  private readonly ended = this.register(new vscode.EventEmitter<{ deployment: Deployment; outcome: Outcome }>());
  /** Fires when a watched deployment ends, with what the user was shown. */
  readonly onDidEnd = this.ended.event;
  private readonly events = this.register(new vscode.EventEmitter<{ key: string; event: DeploymentEvent }>());
  /** Fires for every deployment event seen (tests wait for a state before reloading or cancelling). */
  readonly onDidSeeEvent = this.events.event;
  private readonly lifetime = new AbortController();
  /** Resolves, once watching has resumed, with the records that were re-attached (as they were stored). */
  readonly reattached: Promise<DeploymentRecord[]>;

  constructor(private readonly deps: DeployDeps) {
    super();
    const { commands, state } = deps;
    this.journal = new DeploymentJournal({ read: () => state.get(StateKeys.runningDeployments), write: (records) => state.update(StateKeys.runningDeployments, records) });
    this.register(commands.register(Commands.deploy, (arg?: unknown, env?: unknown) => this.deploy(toArgs(arg, env))));
    this.register(commands.register(Commands.rollback, (arg?: unknown, env?: unknown) => this.rollback(toArgs(arg, env))));
    this.register(commands.register(Commands.promote, (arg?: unknown, from?: unknown, to?: unknown) => this.promote(toArgs(arg, from), typeof to === 'string' ? to : undefined)));
    this.register(commands.register(Commands.restartService, (arg?: unknown, env?: unknown) => this.restart(toArgs(arg, env))));
    const lenses = this.register(new DeployCodeLensProvider());
    this.register(vscode.languages.registerCodeLensProvider({ pattern: manifestGlob(['paved']) }, lenses));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.updateContext()));
    this.register({ dispose: () => this.lifetime.abort() });
    this.afterActivation(() => this.updateContext());
    this.reattached = new Promise((resolve) => this.afterActivation(() => resolve(this.reattach())));
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.deployDisabled, vscode.workspace.isTrusted ? '' : 'untrusted');
  }

  /** What the flows get from the editor: the connected platform, QuickPick prompts, the records, manifests as saved. */
  private async context(): Promise<DeployContext> {
    if (!vscode.workspace.isTrusted) throw new PavedError('untrusted', UNTRUSTED);
    const backend = await this.deps.connection.current();
    return {
      backend,
      prompts: new EditorDeployPrompts(this.inputs, this.deps.connection),
      journal: this.journal,
      readFile: (file) => this.readManifest(file),
      log: (line) => this.deps.log.info(line),
      signal: this.lifetime.signal,
      ...(this.deps.policies ? { policies: this.deps.policies } : {}),
    };
  }

  /**
   * Cancels a watched deployment exactly as the notification's Cancel button does (the platform is asked to cancel;
   * the stream continues until the final state). False when the deployment is not being watched.
   */
  cancel(deploymentId: string): boolean {
    const cts = this.cancellers.get(deploymentId);
    cts?.cancel();
    return cts !== undefined;
  }

  /** The records currently stored. */
  records(): DeploymentRecord[] {
    return this.journal.list();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Commands

  async deploy(args: DeployArgs = {}): Promise<DeployResult> {
    const ctx = await this.context();
    const service = args.service ?? (args.manifestUri ? await serviceInManifest(args.manifestUri) : undefined);
    const { environment, release, healthTimeoutSeconds } = args;
    const manifest = await manifestAt(args.manifestUri);
    return this.started(await deploy(ctx, { service, environment, release, healthTimeoutSeconds, manifest }), manifest && 'file' in manifest ? manifest.file : undefined);
  }

  async rollback(args: DeployArgs = {}): Promise<DeployResult> {
    const ctx = await this.context();
    return this.started(await rollback(ctx, { service: args.service, environment: args.environment, release: args.release }));
  }

  async promote(args: DeployArgs = {}, to?: string): Promise<DeployResult> {
    const ctx = await this.context();
    return this.started(await promote(ctx, { service: args.service, from: args.environment, to, manifest: await manifestAt(args.manifestUri) }));
  }

  /** Starts the release running in an environment again: a deployment of kind restart, watched like the others. */
  async restart(args: DeployArgs = {}): Promise<DeployResult> {
    const ctx = await this.context();
    return this.started(await restart(ctx, { service: args.service, environment: args.environment }));
  }

    private async started(result: Started | Refused, manifestFile?: string): Promise<DeployResult> {
    if (result.status === 'refused') {
      const placed = this.deps.refusals?.show(result) ?? false;
      if (result.by === 'platform') this.deps.onRefusedByPlatform?.();
      void this.showRefusal(result, placed);
      return { refused: result.problems };
    }
    this.deps.refusals?.clear(manifestFile);
    this.deps.track?.(result.deployment);
    return this.watch(result.backend, result.record);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Watching

  /** Re-attaches every recorded deployment of the current platform (and of the Paved platforms it hands off to). */
  private async reattach(): Promise<DeploymentRecord[]> {
    if (this.records().length === 0 || !vscode.workspace.isTrusted) return [];
    let backend: PlatformBackend;
    try {
      backend = await this.deps.connection.current();
    } catch (err) {
      this.deps.log.warn(`cannot re-attach ${this.records().length} deployment(s): ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
    const recorded = recordedOn(backend, this.records());
    for (const { record: r, backend: on } of recorded) {
      this.deps.log.info(`re-attaching ${r.kind} of ${r.service} to ${r.environment} (${r.id ?? 'not yet acknowledged'}, after event ${r.lastSeq})`);
      // Not acknowledged yet: the same Idempotency-Key returns the deployment the request made, or makes it once.
      void acknowledge(on, r, this.journal, this.lifetime.signal)
        .then((acked) => this.watch(on, acked))
        .catch((err: unknown) => this.deps.log.error(`re-attaching ${r.service} failed`, err));
    }
    return recorded.map((r) => r.record);
  }

  /** Watches a deployment until it ends (shared by every caller asking for the same deployment). */
  watch(backend: PlatformBackend, record: AcknowledgedRecord): Promise<Deployment> {
    const existing = this.watching.get(record.key);
    if (existing) return existing;
    const p = this.watchOnce(backend, record).finally(() => this.watching.delete(record.key));
    this.watching.set(record.key, p);
    return p;
  }

  private async watchOnce(backend: PlatformBackend, start: AcknowledgedRecord): Promise<Deployment> {
    const log = this.deps.logs.open({ id: start.id, kind: start.kind, service: start.service, environment: start.environment });
    const held = this.deps.logs.hold(log);
    try {
      return await this.follow(backend, start, log);
    } finally {
      held.dispose();
    }
  }

  /**
   * Follows the deployment into its log and the notification until it ends. Events up to `record.lastSeq` were seen
   * before (an earlier window): the stream resumes after them, except that those this window's log does not show yet
   * (a real reload starts with an empty output) are replayed into it first — each event lands in the log once.
   */
  private async follow(backend: PlatformBackend, record: AcknowledgedRecord, log: DeploymentLog): Promise<Deployment> {
    const { id } = record;
    const seen = record.lastSeq;
    const from = Math.min(seen, log.shownSeq);
    if (seen > 0 && from < seen) log.info(`re-attached after a window reload: events ${from + 1}–${seen} were shown before it (replayed from the platform); live from event ${seen + 1}`);
    else if (seen > 0) log.info(`re-attached: continuing after event ${log.shownSeq}`);
    const { deployment: final, outcome } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${verb(record)} ${record.service} to ${record.environment}`, cancellable: true },
      async (progress, notificationToken) => {
        const cts = new vscode.CancellationTokenSource();
        this.cancellers.set(id, cts);
        const forward = notificationToken.onCancellationRequested(() => cts.cancel());
        const cancel = abortSignalFrom(cts.token);
        const link = showLogLink(id);
        progress.report({ message: link });
        try {
          return await followDeployment(backend, record, {
            journal: this.journal,
            from,
            stop: this.lifetime.signal,
            cancel: cancel.signal,
            observer: {
              event: (ev, replayed) => {
                log.event(ev);
                if (ev.type === 'state' || ev.type === 'step' || ev.type === 'health' || ev.type === 'rollback') progress.report({ message: `${ev.message} · ${link}` });
                if (!replayed) this.events.fire({ key: record.key, event: ev });
              },
              cancelRequested: () => log.warn('cancel requested by the user'),
              cancelAnswered: (d) => log.info(`platform answered the cancel: ${d.state}`),
              cancelFailed: (err) => log.error(`cancel failed: ${err instanceof Error ? err.message : String(err)}`),
            },
          });
        } finally {
          cancel.dispose();
          forward.dispose();
          this.cancellers.delete(id);
          cts.dispose();
        }
      },
    );
    this.deps.track?.(final);
    log.info(`finished: ${final.state}${final.automaticRollback ? ' (automatic rollback)' : ''}`);
    this.ended.fire({ deployment: final, outcome });
    void this.showOutcome(final, outcome).catch((err: unknown) => this.deps.log.error(`showing the outcome of ${id} failed`, err));
    return final;
  }

  private async showOutcome(d: Deployment, outcome: Outcome): Promise<void> {
    const show = outcome.severity === 'info' ? vscode.window.showInformationMessage : outcome.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    const choice = await show(outcome.message, ...outcome.actions);
    if (choice === 'Open Service' && d.url) await openExternalLink(d.url, `${d.service} in ${d.environment}`);
    else if (choice === 'View Logs') await this.deps.logs.showLog(d);
    else if (choice === 'Roll Back') await vscode.commands.executeCommand(Commands.rollback, { service: d.service, environment: d.environment });
  }

  private async showRefusal(r: Refused, placed: boolean): Promise<void> {
    const { service, environment, problems: lines } = r;
    const shown = lines.slice(0, 5).join('\n') + (lines.length > 5 ? `\n… and ${lines.length - 5} more` : '');
    const who = r.by === 'platform' ? `the platform refused it${r.policySet ? ` (policy set ${r.policySet.name} ${r.policySet.version})` : ''}` : 'refused';
    this.deps.log.warn(`${who}: ${service} to ${environment}:\n${lines.join('\n')}`);
    const choice = await vscode.window.showErrorMessage(
      `Paved: ${service} cannot be deployed to ${environment}${r.by === 'platform' ? ': the platform refused it' : ''}: its manifest has ${lines.length} policy error(s)${placed ? ', shown in Problems' : ''}.`,
      { modal: false, detail: shown },
      'Open Problems',
    );
    if (choice === 'Open Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  /** A manifest file as the platform will read it: unsaved changes in an editor are saved first, with the user's consent. */
  private async readManifest(file: string): Promise<string> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    if (open?.isDirty) {
      const choice = await this.inputs.confirm(`${vscode.workspace.asRelativePath(file)} has unsaved changes`, 'The platform deploys what is on disk.', ['Save and Deploy']);
      if (choice !== 'Save and Deploy') throw new UserCancelledError('not deploying unsaved changes');
      if (!(await open.save())) throw new PavedError('io', `could not save ${file}`);
    }
    return fs.promises.readFile(file, 'utf8');
  }
}

/** The CodeLens document as the manifest to check: its file on disk, or the text of a document that has none. */
async function manifestAt(uri: string | undefined): Promise<ManifestSource | undefined> {
  if (!uri) return undefined;
  const parsed = vscode.Uri.parse(uri);
  if (parsed.scheme === 'file') return { file: parsed.fsPath };
  return { text: (await vscode.workspace.openTextDocument(parsed)).getText() };
}

async function serviceInManifest(uri: string): Promise<string | undefined> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  return deployLenses(doc.getText())[0]?.service;
}

function verb(r: DeploymentRecord): string {
  return r.kind === 'deploy' ? 'Deploying' : r.kind === 'rollback' ? 'Rolling back' : r.kind === 'restart' ? 'Restarting' : 'Promoting';
}

/** Command arguments: a service (string, tree node, record) and an environment, or one DeployArgs object. */
function toArgs(arg: unknown, env: unknown): DeployArgs {
  const out: DeployArgs = {};
  if (arg instanceof vscode.Uri) {
    out.manifestUri = arg.toString();
  } else if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
    const a = arg as Record<string, unknown>;
    if (typeof a.environment === 'string') out.environment = a.environment;
    if (typeof a.release === 'string') out.release = a.release;
    if (typeof a.manifestUri === 'string') out.manifestUri = a.manifestUri;
    if (typeof a.healthTimeoutSeconds === 'number') out.healthTimeoutSeconds = a.healthTimeoutSeconds;
  }
  const service = serviceFromArg(arg);
  if (service) out.service = service;
  if (typeof env === 'string') out.environment = env;
  return out;
}
