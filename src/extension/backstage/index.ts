import type { CommandRunner } from '../commands';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import { CatalogInfoChecks } from './catalogInfo';
import { DryRunCommand } from './dryRun';

export type { BackstageCheckEvent } from './catalogInfo';
export type { DryRunArgs, DryRunPreview } from './dryRun';

/**
 * What Paved adds in the editor when the platform is Backstage: the server check and ref completion of
 * catalog-info.yaml (`checks`) and "Paved: Dry Run Template…" (`dryRun`).
 */
export class BackstageTools extends Component {
  readonly checks: CatalogInfoChecks;
  readonly dryRun: DryRunCommand;

  constructor(commands: CommandRunner, connection: PlatformConnection, log: Logger) {
    super();
    this.checks = this.register(new CatalogInfoChecks(connection, log.child('checks')));
    this.dryRun = this.register(new DryRunCommand(commands, connection, log.child('dry-run')));
  }
}
