import type * as vscode from 'vscode';
import type { CommandRunner } from '../commands';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import { tokenKey, type PlatformConnection } from '../platform/connection';
import { CatalogInfoChecks } from './catalogInfo';
import { DryRunCommand } from './dryRun';

export type { BackstageCheckEvent } from './catalogInfo';
export type { DryRunArgs, DryRunPreview } from './dryRun';

/** Hooks the integration tests use through PavedApi.backstage. */
export interface BackstageTestHooks {
  /** Stores a platform token as "Paved: Sign In" does (without its input box); undefined deletes it. */
  storeToken(url: string, token: string | undefined): Thenable<void>;
}

/**
 * What Paved adds in the editor when the platform is Backstage: the server check and ref completion of
 * catalog-info.yaml (`checks`) and "Paved: Dry Run Template…" (`dryRun`).
 */
export class BackstageTools extends Component {
  readonly checks: CatalogInfoChecks;
  readonly dryRun: DryRunCommand;
  readonly testHooks: BackstageTestHooks;

  constructor(commands: CommandRunner, connection: PlatformConnection, log: Logger, secrets: vscode.SecretStorage) {
    super();
    this.checks = this.register(new CatalogInfoChecks(connection, log.child('checks')));
    this.dryRun = this.register(new DryRunCommand(commands, connection, log.child('dry-run')));
    this.testHooks = {
      storeToken: (url, token) => (token === undefined ? secrets.delete(tokenKey(url)) : secrets.store(tokenKey(url), token)),
    };
  }
}
