/**
 * The newest version of every golden path the platform serves, and each one's versions with their changelogs, read
 * once per connection and shared by the Catalog tree (drift badges), the details panel and the paved.yaml CodeLens.
 * A template list that cannot be read means "no drift known", never an error where the user looks.
 */
import * as vscode from 'vscode';
import type { TemplateVersion } from '../../core/api/types';
import { driftOf, isVersion, compareVersions, type GoldenPathDrift } from '../../core/templates';
import { allTemplates } from '../../platform/selfService';
import type { PlatformBackend } from '../../platform/backend';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { BackendSource } from './connection';

export interface GoldenPathInfo {
  drift: GoldenPathDrift;
  /** Versions newer than the recorded one, newest first, with their changelogs (empty when the platform keeps none). */
  newer: TemplateVersion[];
  /** The platform can render both versions: the upgrade itself is possible (capability `templateVersions`). */
  canUpgrade: boolean;
  platform: string;
}

export class GoldenPathVersions extends Component {
  private latestByTemplate: Promise<Map<string, string>> | undefined;
  private snapshot = new Map<string, string>();
  private readonly versions = new Map<string, Promise<TemplateVersion[]>>();
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when the versions were read again (the connection changed, or `refresh`). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly source: BackendSource,
    private readonly log: Logger,
    onDidChangeConnection?: vscode.Event<void>,
  ) {
    super();
    if (onDidChangeConnection) this.register(onDidChangeConnection(() => this.refresh()));
  }

  refresh(): void {
    this.latestByTemplate = undefined;
    this.versions.clear();
    this.changed.fire();
  }

  /** Template id → newest version (read once; `{}` when the platform cannot say). */
  latest(): Promise<Map<string, string>> {
    this.latestByTemplate ??= (async () => {
      if (!vscode.workspace.isTrusted) return new Map<string, string>(); // no request to a platform, nothing to compare
      try {
        const backend = await this.source.current();
        const map = new Map((await allTemplates(backend, { max: 5000 })).filter((t) => t.version).map((t) => [t.id, t.version]));
        this.snapshot = map;
        return map;
      } catch (err) {
        this.log.warn(`golden paths: versions unavailable: ${err instanceof Error ? err.message : String(err)}`);
        this.latestByTemplate = undefined; // not remembered: the next caller asks again
        return new Map<string, string>();
      }
    })();
    return this.latestByTemplate ?? Promise.resolve(new Map<string, string>());
  }

  /** What `latest()` last read, without waiting (the tree maps its items synchronously). */
  latestNow(): ReadonlyMap<string, string> {
    return this.snapshot;
  }

  /** Drift of a recorded golden path against what `latest()` last read. */
  driftNow(goldenPath: { template: string; version: string } | undefined): GoldenPathDrift | undefined {
    return goldenPath ? driftOf(goldenPath, this.snapshot.get(goldenPath.template)) : undefined;
  }

  /** Everything the editor shows about a recorded golden path: drift, the newer versions' changelogs, whether it can upgrade. */
  async info(goldenPath: { template: string; version: string }, backend?: PlatformBackend): Promise<GoldenPathInfo> {
    const b = backend ?? (await this.source.current());
    const latest = (await this.latest()).get(goldenPath.template);
    const drift = driftOf(goldenPath, latest);
    let newer: TemplateVersion[] = [];
    if (b.capabilities.templateVersions && drift.updateAvailable) {
      let list = this.versions.get(goldenPath.template);
      if (!list) {
        list = b.listTemplateVersions(goldenPath.template, { limit: 100 }).then(
          (p) => p.items,
          (err: unknown) => {
            this.log.warn(`golden paths: versions of ${goldenPath.template} unavailable: ${err instanceof Error ? err.message : String(err)}`);
            return [];
          },
        );
        this.versions.set(goldenPath.template, list);
      }
      newer = (await list).filter((v) => isVersion(v.version) && isVersion(goldenPath.version) && compareVersions(v.version, goldenPath.version) > 0 && (!latest || compareVersions(v.version, latest) <= 0));
    }
    return { drift, newer, canUpgrade: b.capabilities.templateVersions, platform: b.displayName };
  }
}
