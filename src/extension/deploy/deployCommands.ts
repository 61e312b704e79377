import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import type { Deployment, DeploymentEvent, Environment } from '../../core/api/types';
import { PavedError, UserCancelledError } from '../../core/errors';
import type { PlatformBackend } from '../../platform/backend';
import { FINISHED_DEPLOYMENT_STATES } from '../../platform/backend';
import { PlatformError } from '../../platform/errors';
import { newIdempotencyKey } from '../../platform/transport';
import type { CommandRunner } from '../commands';
import { Commands, ContextKeys, StateKeys } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import { BACK, VsCodeQuickInputs, type PickItem, type QuickInputs } from '../ui/quickInputs';
import { DeployCodeLensProvider } from './codeLens';
import { showLogLink, type DeploymentLog, type DeploymentLogs } from '../deployments/deploymentLogs';
import {
  deployLenses,
  describeOutcome,
  manifestFileCandidates,
  needsApproval,
  policyGate,
  readRecords,
  removeRecord,
  serviceFromArg,
  upsertRecord,
  type DeploymentRecord,
  type Outcome,
} from '../../core/wizard/deploy';

export interface BackendSource {
  current(): Promise<PlatformBackend>;
  /** Makes sure a token for `url` is stored (asking the user, with `why`); fails with `cancelled` when they decline. */
  ensureToken?(url: string, why: string): Promise<void>;
}

/** The platform a deployment goes to and the service's name there; `via` when it is not the connected one. */
interface DeployTarget {
  backend: PlatformBackend;
  service: string;
  via?: string;
}

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
 * "Paved: Deploy…", "Paved: Roll Back…", "Paved: Promote…" and the paved.yaml CodeLens. Every deployment is recorded
 * (workspaceState) before it is requested and watched in a cancellable notification with its own LogOutputChannel;
 * on activation the recorded ones are re-attached and their event streams resumed after the last seen event.
 */
export class DeployComponent extends Component {
  inputs: QuickInputs = new VsCodeQuickInputs();
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
    const { commands } = deps;
    this.register(commands.register(Commands.deploy, (arg?: unknown, env?: unknown) => this.deploy(toArgs(arg, env))));
    this.register(commands.register(Commands.rollback, (arg?: unknown, env?: unknown) => this.rollback(toArgs(arg, env))));
    this.register(commands.register(Commands.promote, (arg?: unknown, from?: unknown, to?: unknown) => this.promote(toArgs(arg, from), typeof to === 'string' ? to : undefined)));
    const lenses = this.register(new DeployCodeLensProvider());
    this.register(vscode.languages.registerCodeLensProvider({ pattern: '**/paved.yaml' }, lenses));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.updateContext()));
    this.register({ dispose: () => this.lifetime.abort() });
    this.updateContext();
    this.reattached = this.reattach();
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.deployDisabled, vscode.workspace.isTrusted ? '' : 'untrusted');
  }

  private async backend(): Promise<PlatformBackend> {
    if (!vscode.workspace.isTrusted) throw new PavedError('untrusted', UNTRUSTED);
    const backend = await this.deps.connection.current();
    return backend;
  }

  /**
   * Where `service` deploys: the connected platform, or — for a catalog without a deploy API (Backstage) — the Paved
   * platform its entity names, signed in to first when Paved holds no token for it.
   */
  private async target(connected: PlatformBackend, service: string): Promise<DeployTarget> {
    if (connected.capabilities.deploy) return { backend: connected, service };
    if (!connected.deployBackendFor) throw new PavedError('unsupported', `${connected.displayName} does not deploy services through Paved.`);
    const d = await connected.deployBackendFor(service);
    if (this.deps.connection.ensureToken) await this.deps.connection.ensureToken(d.url, `${service} deploys through the Paved platform at ${d.url}.`);
    this.deps.log.info(`${service} deploys through ${d.url} as "${d.service}"`);
    return { backend: d.backend, service: d.service, via: d.url };
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
    return readRecords(this.deps.state.get(StateKeys.runningDeployments));
  }

  private async save(update: (records: DeploymentRecord[]) => DeploymentRecord[]): Promise<void> {
    await this.deps.state.update(StateKeys.runningDeployments, update(this.records()));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Commands

  async deploy(args: DeployArgs = {}): Promise<DeployResult> {
    const connected = await this.backend();
    const picked = args.service ?? (args.manifestUri ? await serviceInManifest(args.manifestUri) : undefined) ?? (await this.pickService(connected, 'Deploy which service?'));
    const { backend, service, via } = await this.target(connected, picked);
    const environments = await backend.listEnvironments();
    const environment = findEnv(environments, args.environment ?? (await this.pickEnvironment(environments, 'Deploy to which environment?')));
    const release = args.environment === undefined && args.release === undefined ? await this.pickRelease(backend, service, environment.name) : args.release;

    const manifest = await this.manifestText(backend, service, args.manifestUri);
    const gate = policyGate(manifest.text, manifest.fileName, environment.name);
    if (gate.errors.length > 0) {
      void this.showRefusal(service, environment.name, gate.lines);
      return { refused: gate.lines };
    }
    let approved: boolean | undefined;
    if (needsApproval(manifest.object, environment)) {
      approved = await this.confirmApproval(service, environment.name, release);
    }
    const request = {
      environment: environment.name,
      ...(release ? { release } : {}),
      ...(approved ? { approved } : {}),
      ...(args.healthTimeoutSeconds ? { healthTimeoutSeconds: args.healthTimeoutSeconds } : {}),
    };
    return this.start(backend, { kind: 'deploy', service, environment: environment.name, request, ...(via ? { via } : {}) }, (opts) => backend.deploy(service, request, opts), async (err) => {
      // The platform asks for approval the client could not see in the manifest (policy): ask, then retry once.
      if (PlatformError.is(err, 'forbidden') && err instanceof PlatformError && /approval/i.test(`${err.detail ?? ''} ${err.message}`) && !approved) {
        const ok = await this.confirmApproval(service, environment.name, release);
        return ok ? { ...request, approved: true } : undefined;
      }
      return undefined;
    });
  }

  async rollback(args: DeployArgs = {}): Promise<DeployResult> {
    const connected = await this.backend();
    const { backend, service, via } = await this.target(connected, args.service ?? (await this.pickService(connected, 'Roll back which service?')));
    const environments = await backend.listEnvironments();
    const environment = args.environment ?? (await this.pickEnvironment(environments, `Roll back ${service} in which environment?`));
    const release = args.release ?? (args.environment === undefined ? await this.pickRollbackTarget(backend, service, environment) : undefined);
    const request = { environment, ...(release ? { release } : {}) };
    return this.start(backend, { kind: 'rollback', service, environment, request, ...(via ? { via } : {}) }, (opts) => backend.rollback(service, request, opts));
  }

  async promote(args: DeployArgs = {}, to?: string): Promise<DeployResult> {
    const connected = await this.backend();
    const { backend, service, via } = await this.target(connected, args.service ?? (await this.pickService(connected, 'Promote which service?')));
    const environments = await backend.listEnvironments();
    const from = findEnv(environments, args.environment ?? (await this.pickEnvironment(environments.filter((e) => e.next), `Promote ${service} from which environment?`)));
    const target = findEnv(environments, to ?? from.next ?? '');
    const manifest = await this.manifestText(backend, service, args.manifestUri);
    const gate = policyGate(manifest.text, manifest.fileName, target.name);
    if (gate.errors.length > 0) {
      void this.showRefusal(service, target.name, gate.lines);
      return { refused: gate.lines };
    }
    const approved = needsApproval(manifest.object, target) ? await this.confirmApproval(service, target.name, `the release running in ${from.name}`) : undefined;
    const request = { from: from.name, to: target.name, ...(approved ? { approved } : {}) };
    return this.start(backend, { kind: 'promote', service, environment: target.name, request, ...(via ? { via } : {}) }, (opts) => backend.promote(service, request, opts));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Starting and watching

  private async start(
    backend: PlatformBackend,
    what: Pick<DeploymentRecord, 'kind' | 'service' | 'environment' | 'request' | 'via'>,
    send: (opts: { idempotencyKey: string; signal: AbortSignal }) => Promise<Deployment>,
    retry?: (err: unknown) => Promise<Record<string, unknown> | undefined>,
  ): Promise<Deployment> {
    let record: DeploymentRecord = { ...what, key: newIdempotencyKey(), lastSeq: 0, recordedAt: new Date().toISOString(), platform: backend.baseUrl };
    // Recorded before the request: a reload between here and the answer re-sends the same key and gets the same deployment.
    await this.save((rs) => upsertRecord(rs, record));
    let deployment: Deployment;
    try {
      deployment = await send({ idempotencyKey: record.key, signal: this.lifetime.signal });
    } catch (err) {
      await this.save((rs) => removeRecord(rs, record.key));
      const again = retry ? await retry(err) : undefined;
      if (!again) throw err;
      return this.start(backend, { ...what, request: again }, (opts) => backend.deploy(what.service, again as never, opts));
    }
    record = { ...record, id: deployment.id };
    await this.save((rs) => upsertRecord(rs, record));
    this.deps.track?.(deployment);
    return this.watch(backend, record);
  }

  /** Re-attaches every recorded deployment of the current platform. */
  private async reattach(): Promise<DeploymentRecord[]> {
    if (this.records().length === 0 || !vscode.workspace.isTrusted) return [];
    let backend: PlatformBackend;
    try {
      backend = await this.deps.connection.current();
    } catch (err) {
      this.deps.log.warn(`cannot re-attach ${this.records().length} deployment(s): ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
    // Deployments of this platform, and those started through a Paved platform a Backstage entity named.
    const delegated = (r: DeploymentRecord) => (r.via !== undefined && backend.deployBackendAt ? backend.deployBackendAt(r.via) : undefined);
    const records = this.records().filter((r) => r.platform === backend.baseUrl || delegated(r)?.baseUrl === r.platform);
    for (const r of records) {
      this.deps.log.info(`re-attaching ${r.kind} of ${r.service} to ${r.environment} (${r.id ?? 'not yet acknowledged'}, after event ${r.lastSeq})`);
      void this.resume(delegated(r) ?? backend, r).catch((err: unknown) => this.deps.log.error(`re-attaching ${r.service} failed`, err));
    }
    return records;
  }

  private async resume(backend: PlatformBackend, r: DeploymentRecord): Promise<Deployment> {
    let record = r;
    if (!record.id) {
      // The request may or may not have reached the platform: the same Idempotency-Key returns the same deployment.
      const opts = { idempotencyKey: record.key, signal: this.lifetime.signal };
      const req = record.request as never;
      const d =
        record.kind === 'deploy' ? await backend.deploy(record.service, req, opts) : record.kind === 'rollback' ? await backend.rollback(record.service, req, opts) : await backend.promote(record.service, req, opts);
      record = { ...record, id: d.id };
      await this.save((rs) => upsertRecord(rs, record));
    }
    return this.watch(backend, record);
  }

  /** Watches a deployment until it ends (shared by every caller asking for the same deployment). */
  watch(backend: PlatformBackend, record: DeploymentRecord): Promise<Deployment> {
    const existing = this.watching.get(record.key);
    if (existing) return existing;
    const p = this.watchOnce(backend, record).finally(() => this.watching.delete(record.key));
    this.watching.set(record.key, p);
    return p;
  }

  private async watchOnce(backend: PlatformBackend, start: DeploymentRecord): Promise<Deployment> {
    const log = this.deps.logs.open({ id: start.id!, kind: start.kind, service: start.service, environment: start.environment });
    const held = this.deps.logs.hold(log);
    try {
      return await this.follow(backend, start, log);
    } finally {
      held.dispose();
    }
  }

  /**
   * Streams the deployment's events into its log and the notification until it ends. Events up to `record.lastSeq`
   * were seen before (an earlier window): the stream resumes after them, except that those this window's log does not
   * show yet (a real reload starts with an empty output) are replayed into it first — each event lands in the log once.
   */
  private async follow(backend: PlatformBackend, start: DeploymentRecord, log: DeploymentLog): Promise<Deployment> {
    let record = start;
    const id = record.id!;
    const seen = record.lastSeq;
    const from = Math.min(seen, log.shownSeq);
    if (seen > 0 && from < seen) log.info(`re-attached after a window reload: events ${from + 1}–${seen} were shown before it (replayed from the platform); live from event ${seen + 1}`);
    else if (seen > 0) log.info(`re-attached: continuing after event ${log.shownSeq}`);
    const final = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${verb(record)} ${record.service} to ${record.environment}`, cancellable: true },
      async (progress, notificationToken) => {
        const cts = new vscode.CancellationTokenSource();
        this.cancellers.set(id, cts);
        const forward = notificationToken.onCancellationRequested(() => cts.cancel());
        const token = cts.token;
        const cancel = token.onCancellationRequested(() => {
          log.warn('cancel requested by the user');
          backend.cancelDeployment(id).then(
            (d) => log.info(`platform answered the cancel: ${d.state}`),
            (err: unknown) => log.error(`cancel failed: ${err instanceof Error ? err.message : String(err)}`),
          );
        });
        let pendingSave: Promise<void> = Promise.resolve();
        const link = showLogLink(id);
        progress.report({ message: link });
        try {
          for await (const ev of backend.deploymentEvents(id, { after: from, signal: this.lifetime.signal })) {
            // Disposed (window closing): stop at once; what was seen so far is stored, the next window resumes after it.
            if (this.lifetime.signal.aborted) throw new UserCancelledError(`stopped watching deployment ${id}`);
            log.event(ev);
            if (ev.type === 'state' || ev.type === 'step' || ev.type === 'health' || ev.type === 'rollback') progress.report({ message: `${ev.message} · ${link}` });
            if (ev.seq <= seen) continue; // replayed into this window's log; seen before the reload
            record = { ...record, lastSeq: ev.seq };
            const snapshot = record;
            pendingSave = pendingSave.then(() => this.save((rs) => (rs.some((x) => x.key === snapshot.key) ? upsertRecord(rs, snapshot) : rs)));
            this.events.fire({ key: record.key, event: ev });
          }
          await pendingSave;
          return await backend.getDeployment(id);
        } finally {
          // Even when the stream stops early (window closing), the last seen seq is stored before this settles.
          await pendingSave;
          cancel.dispose();
          forward.dispose();
          this.cancellers.delete(id);
          cts.dispose();
        }
      },
    );
    if (!FINISHED_DEPLOYMENT_STATES.has(final.state)) {
      throw new PavedError('invalid-response', `the event stream of deployment ${id} ended while it is still ${final.state}`);
    }
    await this.save((rs) => removeRecord(rs, record.key));
    this.deps.track?.(final);
    const outcome = describeOutcome(final);
    log.info(`finished: ${final.state}${final.automaticRollback ? ' (automatic rollback)' : ''}`);
    this.ended.fire({ deployment: final, outcome });
    void this.showOutcome(final, outcome).catch((err: unknown) => this.deps.log.error(`showing the outcome of ${id} failed`, err));
    return final;
  }

  private async showOutcome(d: Deployment, outcome: Outcome): Promise<void> {
    const show = outcome.severity === 'info' ? vscode.window.showInformationMessage : outcome.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    const choice = await show(outcome.message, ...outcome.actions);
    if (choice === 'Open Service' && d.url) await vscode.env.openExternal(vscode.Uri.parse(d.url));
    else if (choice === 'View Logs') await this.deps.logs.showLog(d);
    else if (choice === 'Roll Back') await vscode.commands.executeCommand(Commands.rollback, { service: d.service, environment: d.environment });
  }

  private async showRefusal(service: string, environment: string, lines: string[]): Promise<void> {
    const shown = lines.slice(0, 5).join('\n') + (lines.length > 5 ? `\n… and ${lines.length - 5} more` : '');
    this.deps.log.warn(`refused to deploy ${service} to ${environment}:\n${lines.join('\n')}`);
    const choice = await vscode.window.showErrorMessage(
      `Paved: ${service} cannot be deployed to ${environment}: its manifest has ${lines.length} policy error(s).`,
      { modal: false, detail: shown },
      'Open Problems',
    );
    if (choice === 'Open Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  // ------------------------------------------------------------------------------------------------------------
  // Prompts

  private async confirmApproval(service: string, environment: string, release: string | undefined): Promise<boolean> {
    const choice = await this.inputs.confirm(
      `Deploy ${service} to ${environment}?`,
      `The manifest requires approval for ${environment}. ${release ? `Release: ${release}.` : 'A new release is built from the source.'}`,
      ['Approve and Deploy'],
    );
    if (choice !== 'Approve and Deploy') throw new UserCancelledError(`${environment} deployment not approved`);
    return true;
  }

  private async pickService(backend: PlatformBackend, placeholder: string): Promise<string> {
    // A catalog without a deploy API (Backstage) offers only the entities that name a Paved platform to deploy through.
    const items = backend.listServices({ limit: 500 }).then((page) => {
      const deployable = page.items.filter((s) => backend.capabilities.deploy || s.deploysThrough !== undefined);
      if (deployable.length === 0 && page.items.length > 0) {
        throw new PavedError('unsupported', `${backend.displayName} has no deploy API and none of its first ${page.items.length} entities names a Paved platform to deploy through (annotation paved.dev/platform-api).`);
      }
      return deployable.map((s): PickItem<string> => ({ label: s.name, description: [s.owner, s.system, s.deploysThrough && `via ${s.deploysThrough}`].filter(Boolean).join(' · '), detail: s.description, value: s.ref }));
    });
    return notBack(await this.inputs.quickPick({ title: 'Paved', canGoBack: false, id: 'service', placeholder, items }));
  }

  private async pickEnvironment(environments: Environment[], placeholder: string): Promise<string> {
    const items = environments.map((e): PickItem<string> => ({ label: e.name, description: e.approvalHonoured ? 'approval honoured' : undefined, value: e.name }));
    return notBack(await this.inputs.quickPick({ title: 'Paved', canGoBack: false, id: 'environment', placeholder, items }));
  }

  /** A new release from the source, or an earlier release of this service. */
  private async pickRelease(backend: PlatformBackend, service: string, environment: string): Promise<string | undefined> {
    const items = backend.listDeployments(service, { limit: 50 }).then((page) => {
      const seen = new Set<string>();
      const list: PickItem<string | undefined>[] = [{ label: '$(package) New release', description: 'snapshot and build the current source', value: undefined }];
      for (const d of page.items) {
        if (!d.release || seen.has(d.release) || d.state !== 'succeeded') continue;
        seen.add(d.release);
        list.push({ label: d.release, description: `${d.environment} · ${d.finishedAt ?? d.createdAt}`, value: d.release });
      }
      return list;
    });
    return notBack(await this.inputs.quickPick<string | undefined>({ title: `Deploy ${service} to ${environment}`, canGoBack: false, id: 'release', placeholder: 'Which release?', items }));
  }

  private async pickRollbackTarget(backend: PlatformBackend, service: string, environment: string): Promise<string | undefined> {
    const items = backend.listDeployments(service, { environment, limit: 50 }).then((page) => {
      const seen = new Set<string>();
      const list: PickItem<string | undefined>[] = [{ label: '$(history) Previous release', description: 'the release that served before the current one', value: undefined }];
      for (const d of page.items) {
        if (!d.release || seen.has(d.release) || d.state !== 'succeeded') continue;
        seen.add(d.release);
        list.push({ label: d.release, description: d.finishedAt ?? d.createdAt, value: d.release });
      }
      return list;
    });
    return notBack(await this.inputs.quickPick<string | undefined>({ title: `Roll back ${service} in ${environment}`, canGoBack: false, id: 'release', placeholder: 'Roll back to which release?', items }));
  }

  /**
   * The manifest to check: the paved.yaml the platform will build from (the CodeLens document, the workspace manifest
   * or the source folder's file), read from disk; unsaved changes in an editor are saved first, with the user's consent.
   */
  private async manifestText(backend: PlatformBackend, service: string, manifestUri?: string): Promise<{ text: string; fileName: string; object: unknown }> {
    const { parse } = await import('yaml');
    const fromFile = async (file: string) => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
      if (open?.isDirty) {
        const choice = await this.inputs.confirm(`${vscode.workspace.asRelativePath(file)} has unsaved changes`, 'The platform deploys what is on disk.', ['Save and Deploy']);
        if (choice !== 'Save and Deploy') throw new UserCancelledError('not deploying unsaved changes');
        if (!(await open.save())) throw new PavedError('io', `could not save ${file}`);
      }
      const text = await fs.promises.readFile(file, 'utf8');
      return { text, fileName: 'paved.yaml', object: parse(text) as unknown };
    };
    if (manifestUri) {
      const uri = vscode.Uri.parse(manifestUri);
      if (uri.scheme === 'file') return fromFile(uri.fsPath);
      const doc = await vscode.workspace.openTextDocument(uri);
      return { text: doc.getText(), fileName: 'paved.yaml', object: parse(doc.getText()) as unknown };
    }
    const info = await backend.getService(service);
    const file = manifestFileCandidates(info).find((f) => fs.existsSync(f));
    if (file) return fromFile(file);
    const fileName = info.manifestKind === 'catalog-info.yaml' ? 'catalog-info.yaml' : 'paved.yaml';
    return { text: stringify(info.manifest), fileName, object: info.manifest };
  }
}

async function serviceInManifest(uri: string): Promise<string | undefined> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  return deployLenses(doc.getText())[0]?.service;
}

function verb(r: DeploymentRecord): string {
  return r.kind === 'deploy' ? 'Deploying' : r.kind === 'rollback' ? 'Rolling back' : 'Promoting';
}

function notBack<T>(v: T | typeof BACK): T {
  if (v === BACK) throw new UserCancelledError();
  return v;
}

function findEnv(environments: Environment[], name: string): Environment {
  const env = environments.find((e) => e.name === name);
  if (!env) throw new PavedError('not-found', `No environment '${name}' (known: ${environments.map((e) => e.name).join(', ')})`);
  return env;
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
