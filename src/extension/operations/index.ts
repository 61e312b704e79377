import * as vscode from 'vscode';
import type { CommandRunner } from '../commands';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import { HealthWatcher } from './healthWatcher';
import { LiveStateCodeLensProvider } from './liveCodeLens';
import { LogFollowers } from './logChannels';
import { OperationsCommands } from './operationsCommands';

/**
 * Day two in the editor, one component: the health of running services (HealthWatcher, read by the catalog, the status
 * bar and the CodeLens), their logs in log channels (LogFollowers), Stop / Open Service / Show Logs (OperationsCommands)
 * and the live-state CodeLens on paved.yaml. Restart is a deployment: the deploy component has it.
 */
export class Operations extends Component {
  readonly health: HealthWatcher;
  readonly logs: LogFollowers;
  readonly commands: OperationsCommands;

  constructor(deps: { commands: CommandRunner; connection: PlatformConnection; workspaceState: vscode.Memento; log: Logger; myTeams: () => readonly string[] }) {
    super();
    this.health = this.register(new HealthWatcher(deps.connection, deps.log.child('health'), deps.myTeams));
    this.logs = this.register(new LogFollowers(deps.connection, deps.workspaceState, deps.log.child('logs')));
    this.commands = this.register(new OperationsCommands(deps.commands, deps.connection, this.logs, this.health, deps.log.child('operations')));
    this.register(vscode.languages.registerCodeLensProvider({ pattern: '**/paved.yaml' }, this.register(new LiveStateCodeLensProvider(this.health))));
  }
}

export type { HealthWatcher } from './healthWatcher';
