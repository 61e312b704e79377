/**
 * The resource types claims are linted, completed and hovered with: the platform's (`listResourceTypes`, when it has
 * the `resources` capability), fetched once and again only when the connection changes or a refresh is asked — never a
 * request per keystroke. Until the platform answered, and whenever it cannot (untrusted workspace, Backstage, a
 * failure), Paved's built-in types stand in and an unknown type is only a warning.
 */
import * as vscode from 'vscode';
import { BUILTIN_CATALOG, type ResourceTypeCatalog } from '../../core/resources';
import { describeError } from '../../core/errors';
import type { PlatformBackend } from '../../platform/backend';
import { Component } from '../lifecycle';
import type { Logger } from '../log';

export interface ResourceTypeBackendSource {
  current(): Promise<PlatformBackend>;
  /** The backend only when one is running already (never starts the local platform). */
  connected(): Promise<PlatformBackend | undefined>;
  readonly onDidChange: vscode.Event<void>;
}

export class ResourceTypes extends Component {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when the types changed (the linter re-lints). */
  readonly onDidChange = this.changed.event;
  private value: ResourceTypeCatalog = BUILTIN_CATALOG;
  private started = false;
  private seq = 0;
  private loading: Promise<void> | undefined;
  /** Why the built-ins stand in (for the log), once per reason. */
  private lastReason = '';

  constructor(
    private readonly source: ResourceTypeBackendSource | undefined,
    private readonly log: Logger,
  ) {
    super();
    // A connection change (e.g. Stop Local Platform) asks only a platform already running: it never starts one.
    if (source) this.register(source.onDidChange(() => this.started && void this.refresh(false)));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.started && void this.refresh()));
  }

  /** The types to use now; the first call starts loading the platform's (the built-ins meanwhile). */
  catalog(): ResourceTypeCatalog {
    if (!this.started) {
      this.started = true;
      void this.refresh();
    }
    return this.value;
  }

  /** The pending load, if any (tests await it). */
  whenLoaded(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  refresh(mayStart = true): Promise<void> {
    this.started = true;
    const seq = ++this.seq;
    const run = this.fetch(mayStart).then((next) => {
      if (seq !== this.seq) return;
      const before = JSON.stringify(this.value);
      this.value = next;
      if (JSON.stringify(next) !== before) this.changed.fire();
    });
    this.loading = run;
    return run;
  }

  private builtins(reason: string): ResourceTypeCatalog {
    if (reason && reason !== this.lastReason) this.log.info(`claims are checked against Paved's built-in resource types: ${reason}`);
    this.lastReason = reason;
    return BUILTIN_CATALOG;
  }

  private async fetch(mayStart: boolean): Promise<ResourceTypeCatalog> {
    if (!this.source) return BUILTIN_CATALOG;
    if (!vscode.workspace.isTrusted) return this.builtins('the workspace is not trusted, so the platform is not asked');
    let backend: PlatformBackend | undefined;
    try {
      backend = mayStart ? await this.source.current() : await this.source.connected();
    } catch (err) {
      return this.builtins(`no platform: ${describeError(err)}`);
    }
    if (!backend) return this.builtins('no platform is running');
    if (!backend.capabilities.resources) return this.builtins(`${backend.displayName} provisions no resources`);
    try {
      const types = await backend.listResourceTypes();
      this.log.info(`claims are checked against the ${types.length} resource types of ${backend.displayName}`);
      this.lastReason = '';
      return { types, authoritative: true };
    } catch (err) {
      return this.builtins(`${backend.displayName} did not list its resource types: ${describeError(err)}`);
    }
  }
}
