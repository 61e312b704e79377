/**
 * The policy set manifests are linted with in the editor: the platform's set (`PlatformBackend.getPolicies()`, when the
 * backend has the `policies` capability) merged with each workspace folder's `.paved/policies.yaml` by
 * `mergePolicySets` (a repository cannot switch off or weaken rules the platform marks mandatory) — the same rule as
 * `paved lint --policies`.
 *
 *  - Until the platform answered, and whenever it cannot (unreachable, invalid set, a backend without policies), the
 *    shipped default set stands in; the reason is logged once and kept in `describe()` (the status item's tooltip).
 *  - Untrusted workspace: no request, and the repository's file is not read (its conditions are JSON Schemas compiled
 *    to code); the default set alone applies.
 *  - `onDidChange` fires when the set a document gets may have changed (connection change, refresh, the repository
 *    file edited); the linter re-lints then.
 */
import * as vscode from 'vscode';
import type { PolicySet } from '../../core/policy/index';
import { defaultPolicySet, loadPolicySet, mergePolicySets } from '../../core/policy/index';
import { fromWire } from './manifestData';
import type { PlatformBackend } from '../../platform/backend';
import { Component } from '../lifecycle';
import type { Logger } from '../log';

/** Where the platform part of the set came from. */
export type PolicyOrigin =
  /** Not asked yet, or untrusted workspace: the shipped default set. */
  | 'default'
  /** The platform's own set. */
  | 'platform'
  /** The platform serves no policy set (e.g. Backstage): the shipped default set. */
  | 'default-unsupported'
  /** The platform could not be reached or served an invalid set: the shipped default set. */
  | 'fallback';

export interface PolicyBackendSource {
  current(): Promise<PlatformBackend>;
  /** The backend only when one is running already (never starts the local platform). */
  connected?(): Promise<PlatformBackend | undefined>;
  readonly onDidChange: vscode.Event<void>;
}

export const REPO_POLICIES = '.paved/policies.yaml';

interface RepoSet {
  set: PolicySet | undefined;
  /** Why the file is not used (invalid), for the log and the status. */
  problem?: string;
}

export class PolicySets extends Component {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires after the effective set changed (platform set loaded or lost, a repository file edited). */
  readonly onDidChange = this.changed.event;
  /** The platform's set; Paved's default one (built on first use, not at activation) until the platform's loads. */
  private loadedPlatformSet: PolicySet | undefined;
  private originValue: PolicyOrigin = 'default';
  private reason = '';
  private loading: Promise<void> | undefined;
  private started = false;
  private seq = 0;
  /** Per workspace folder (uri string): its repository set, read on demand. */
  private readonly repo = new Map<string, RepoSet>();
  private readonly merged = new Map<string, PolicySet>();
  private readonly reported = new Set<string>();
  /** Per workspace folder: the latest read of its repository file; an older read that finishes later is dropped. */
  private readonly repoReads = new Map<string, Promise<void>>();

  constructor(
    private readonly connection: PolicyBackendSource | undefined,
    private readonly log: Logger,
  ) {
    super();
    if (connection) {
      this.register(
        connection.onDidChange(() => {
          // A connection event (e.g. Stop Local Platform) asks only a platform already running: with none, the set
          // held stays (it is asked again when a platform runs), and no platform is started for it.
          if (this.started) void this.refreshIfRunning();
        }),
      );
    }
    const reload = (uri: vscode.Uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const file = folder && vscode.Uri.joinPath(folder.uri, REPO_POLICIES);
      if (!folder || !file || (uri.toString() !== file.toString() && uri.toString() !== vscode.Uri.joinPath(file, '..').toString())) return;
      void this.loadRepo(folder).then(() => this.changed.fire());
    };
    // The file, and its folder: deleting or renaming `.paved` reports the folder only.
    for (const glob of [`**/${REPO_POLICIES}`, `**/${REPO_POLICIES.split('/')[0]}`]) {
      const watcher = this.register(vscode.workspace.createFileSystemWatcher(glob));
      this.register(watcher.onDidCreate(reload));
      this.register(watcher.onDidChange(reload));
      this.register(watcher.onDidDelete(reload));
    }
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reloadRepos()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reloadRepos()));
  }

  private get platformNow(): PolicySet {
    this.loadedPlatformSet ??= defaultPolicySet();
    return this.loadedPlatformSet;
  }

  get origin(): PolicyOrigin {
    return this.originValue;
  }

  /** The platform part (before the repository's rules). */
  get platformSet(): PolicySet {
    return this.platformNow;
  }

  /** One line for the status item: which set applies and why. */
  describe(): string {
    const base =
      this.originValue === 'platform'
        ? `the platform's policy set "${this.platformNow.name}"`
        : this.originValue === 'fallback'
          ? `Paved's default policy set (${this.reason})`
          : this.originValue === 'default-unsupported'
            ? `Paved's default policy set (${this.reason})`
            : `Paved's default policy set`;
    const repos = [...this.repo.values()].filter((r) => r.set).length;
    const broken = [...this.repo.values()].find((r) => r.problem)?.problem;
    return `Policies: ${base}${repos > 0 ? ` + ${REPO_POLICIES}` : ''}${broken ? `; ${broken}` : ''}.`;
  }

  /** The set a manifest is linted with. Starts loading the platform's set on first use (lint with the default meanwhile). */
  forDocument(uri: vscode.Uri): PolicySet {
    if (!this.started) {
      this.started = true;
      void this.refresh();
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return this.platformNow;
    const key = folder.uri.toString();
    const cached = this.merged.get(key);
    if (cached) return cached;
    const repo = this.repo.get(key);
    if (!repo) {
      // Not read yet: read it and re-lint when it is there.
      this.repo.set(key, { set: undefined });
      void this.loadRepo(folder).then(() => {
        if (this.repo.get(key)?.set || this.repo.get(key)?.problem) this.changed.fire();
      });
      return this.platformNow;
    }
    const set = repo.set ? mergePolicySets(this.platformNow, repo.set) : this.platformNow;
    for (const n of set.notes) this.once(n);
    this.merged.set(key, set);
    return set;
  }

  /** Fetches the platform's set again (after a connection change, or on request); resolves when applied. */
  private async refreshIfRunning(): Promise<void> {
    if (this.connection?.connected && vscode.workspace.isTrusted && !(await this.connection.connected())) return;
    await this.refresh();
  }

  refresh(): Promise<void> {
    this.started = true;
    const seq = ++this.seq;
    const run = this.fetch().then((result) => {
      if (seq !== this.seq) return; // a newer refresh decides
      const before = this.fingerprint();
      this.loadedPlatformSet = result.set;
      this.originValue = result.origin;
      this.reason = result.reason;
      this.merged.clear();
      if (result.origin === 'platform') this.log.info(`linting with the platform's policy set "${result.set.name}" (${result.set.rules.length} rules)`);
      else if (result.reason) this.once(`linting with Paved's default policy set: ${result.reason}`);
      if (this.fingerprint() !== before) this.changed.fire();
    });
    this.loading = run;
    return run;
  }

  /** The pending refresh, if any (tests await it). */
  whenLoaded(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  private fingerprint(): string {
    // The rules only: the platform serving exactly the default set changes no finding, so nothing is re-linted.
    return this.platformNow.rules.map((r) => JSON.stringify(r)).join('\n');
  }

  private async fetch(): Promise<{ set: PolicySet; origin: PolicyOrigin; reason: string }> {
    const fallback = (origin: PolicyOrigin, reason: string) => ({ set: defaultPolicySet(), origin, reason });
    if (!this.connection) return fallback('default', '');
    if (!vscode.workspace.isTrusted) return fallback('default', 'the workspace is not trusted, so the platform is not asked');
    let backend: PlatformBackend;
    try {
      backend = await this.connection.current();
    } catch (err) {
      return fallback('fallback', `no platform: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!backend.capabilities.policies) return fallback('default-unsupported', `${backend.displayName} serves no policy set`);
    try {
      const wire = await backend.getPolicies();
      return { set: fromWire(wire, `policies of ${backend.displayName}`), origin: 'platform', reason: '' };
    } catch (err) {
      return fallback('fallback', `${backend.displayName} did not serve its policy set: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async reloadRepos(): Promise<void> {
    this.repo.clear();
    this.merged.clear();
    await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => this.loadRepo(f)));
    this.changed.fire();
  }

  /**
   * Reads the folder's repository set. Reads can overlap (a write reports create and change, a folder delete comes
   * after): only the latest read is applied, and an older one resolves when the latest is, so a slow read of the old
   * file never undoes a newer one and nobody is told "changed" before the newest state is in.
   */
  private loadRepo(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    const run: Promise<void> = this.readRepo(folder).then((result) => {
      const latest = this.repoReads.get(key);
      if (latest !== run) return latest;
      this.merged.delete(key);
      this.repo.set(key, result);
      return undefined;
    });
    this.repoReads.set(key, run);
    return run;
  }

  private async readRepo(folder: vscode.WorkspaceFolder): Promise<RepoSet> {
    const uri = vscode.Uri.joinPath(folder.uri, REPO_POLICIES);
    if (!vscode.workspace.isTrusted) {
      const exists = await vscode.workspace.fs.stat(uri).then(
        () => true,
        () => false, // no file: nothing to ignore
      );
      if (exists) this.once(`${folder.name}: the workspace is not trusted, so ${REPO_POLICIES} is not used`);
      return { set: undefined };
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
    } catch (err) {
      if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return { set: undefined };
      const problem = `cannot read ${REPO_POLICIES}: ${err instanceof Error ? err.message : String(err)}`;
      this.once(problem);
      return { set: undefined, problem };
    }
    try {
      const set = loadPolicySet(text, REPO_POLICIES);
      this.log.info(`${folder.name}: adding the rules of ${REPO_POLICIES}`);
      return { set };
    } catch (err) {
      const problem = `${err instanceof Error ? err.message : String(err)} (the file is ignored until fixed)`;
      this.once(problem);
      return { set: undefined, problem };
    }
  }

  /** Logs a warning once per distinct text (no popup, no repeat on every lint). */
  private once(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.log.warn(message);
  }
}
