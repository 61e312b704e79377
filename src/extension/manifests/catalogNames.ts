/**
 * The connected platform's catalog names (teams, systems, services with the deprecated ones, APIs), for checking a
 * manifest's references as you type and completing them: one request (`catalogNames`, where the backend has the
 * capability), cached, and fetched again when the catalog is refreshed, the connection changes, or after TTL — never a
 * request per keystroke or per reference. Until it arrives (or when it cannot: untrusted workspace, no platform, a
 * failure, logged once) references are not checked; `onDidChange` fires when names arrive or go, and the linter
 * lints again.
 */
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { LintContext } from '../../core/policy/index';
import type { ReferenceNames } from '../../platform/backend';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { BackendSource } from './catalogReferences';

export class CatalogNamesCache extends Component {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when the names arrived, changed or went (the linter lints open manifests again). */
  readonly onDidChange = this.changed.event;
  private names: ReferenceNames | undefined;
  private context: LintContext = {};
  private at = 0;
  private loading: Promise<void> | undefined;
  private seq = 0;
  private lastProblem: string | undefined;
  /** Requests sent (tests: one per refresh, none per keystroke). */
  requests = 0;

  constructor(
    private readonly connection: BackendSource,
    private readonly log: Logger,
    onDidRefreshCatalog: vscode.Event<void> | undefined,
    private readonly ttlMs = 5 * 60_000,
  ) {
    super();
    // A connection change (e.g. Stop Local Platform) asks only a platform already running: it never starts one.
    this.register(connection.onDidChange(() => this.reload(false)));
    if (onDidRefreshCatalog) this.register(onDidRefreshCatalog(() => this.reload()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()));
  }

  /** The lint context for the names held now (empty until they arrive); starts a fetch when none is fresh. */
  lintContext(): LintContext {
    if (!this.loading && Date.now() - this.at > this.ttlMs) this.loading = this.fetch();
    return this.context;
  }

  /** The names held now (undefined until they arrive). */
  get current(): ReferenceNames | undefined {
    this.lintContext();
    return this.names;
  }

  /** Resolves when the fetch under way (if any) has finished (tests). */
  async whenLoaded(): Promise<void> {
    this.lintContext();
    await this.loading;
  }

  /** Forgets the names and fetches them again. */
  reload(mayStart = true): void {
    this.at = 0;
    this.loading = this.fetch(mayStart);
  }

  private async fetch(mayStart = true): Promise<void> {
    const seq = ++this.seq;
    let names: ReferenceNames | undefined;
    try {
      if (!vscode.workspace.isTrusted) throw new Error('the workspace is not trusted, so the platform is not asked');
      const backend = mayStart ? await this.connection.current() : await this.connection.connected();
      if (!backend) throw new Error('no platform is running');
      if (!backend.capabilities.catalogNames) throw new Error(`${backend.displayName} does not list its catalog names`);
      this.requests++;
      names = await backend.catalogNames();
      this.lastProblem = undefined;
      this.log.info(`checking references against the catalog: ${names.teams?.length ?? '?'} teams, ${names.systems?.length ?? '?'} systems, ${names.services?.length ?? '?'} services, ${names.apis?.length ?? '?'} APIs`);
    } catch (err) {
      const problem = `references are not checked against the catalog: ${describeError(err)}`;
      if (problem !== this.lastProblem) this.log.warn(problem);
      this.lastProblem = problem;
    }
    if (seq !== this.seq) return; // a newer fetch decides
    this.at = Date.now();
    this.loading = undefined;
    const before = JSON.stringify(this.names ?? null);
    this.names = names;
    this.context = names ? { catalog: names, deprecatedServices: new Set(names.deprecatedServices) } : {};
    if (JSON.stringify(names ?? null) !== before) this.changed.fire();
  }
}
