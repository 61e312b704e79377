import * as vscode from 'vscode';
import type { EnvironmentOperations } from '../../core/api/operations';
import { PavedError, UserCancelledError } from '../../core/errors';
import type { PlatformBackend } from '../../platform/backend';
import { stop } from '../../platform/selfService';
import { pickService } from '../catalog/serviceCommands';
import type { CommandRunner } from '../commands';
import { EditorDeployPrompts } from '../deploy/prompts';
import { Commands } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import { notBack, VsCodeQuickInputs, type QuickInputs } from '../ui/quickInputs';
import type { HealthWatcher } from './healthWatcher';
import type { LogFollowers } from './logChannels';
import { openableUrl, operateArgs } from './targets';

/**
 * *Show Service Logs*, *Stop Following*, *Stop Service…* and *Open Service*: what the catalog menu, the details panel,
 * the CodeLens and the palette offer for a running service. (*Restart Service…* is a deployment: the deploy component
 * has it.) On a platform without live operations they say so and offer the service's dashboard and runbook.
 */
export class OperationsCommands extends Component {
  inputs: QuickInputs = new VsCodeQuickInputs();

  constructor(
    commands: CommandRunner,
    private readonly connection: PlatformConnection,
    private readonly logs: LogFollowers,
    private readonly health: HealthWatcher,
    private readonly log: Logger,
  ) {
    super();
    this.register(commands.register(Commands.showServiceLogs, (arg?: unknown, env?: unknown) => this.showLogs(operateArgs(arg, env))));
    this.register(commands.register(Commands.stopFollowingLogs, (arg?: unknown, env?: unknown) => this.stopFollowing(operateArgs(arg, env))));
    this.register(commands.register(Commands.stopService, (arg?: unknown, env?: unknown) => this.stopService(operateArgs(arg, env))));
    this.register(commands.register(Commands.openService, (arg?: unknown, env?: unknown) => this.openService(operateArgs(arg, env))));
  }

  async showLogs(a: { service?: string; environment?: string }): Promise<void> {
    const { backend, service } = await this.target(a, 'Show the logs of which service?');
    const environment = a.environment ?? (await this.pickEnvironment(backend, service, (e) => e.state !== 'not-deployed', 'logs'));
    this.logs.show(service, environment);
  }

  async stopFollowing(a: { service?: string; environment?: string }): Promise<void> {
    let key = a.service && a.environment ? `${a.service}/${a.environment}` : undefined;
    if (!key) {
      const following = this.logs.following;
      if (following.length === 0) {
        void vscode.window.showInformationMessage('Paved: no service log is being followed.');
        return;
      }
      const picked = following.length === 1 ? following[0] : notBack(await this.inputs.quickPick({ title: 'Paved: Stop Following', canGoBack: false, id: 'log', placeholder: 'Stop following which log?', items: following.map((k) => ({ label: k, value: k })) }));
      key = picked;
    }
    const [service, environment] = key.split('/');
    this.logs.stop(service, environment);
  }

  async stopService(a: { service?: string; environment?: string }): Promise<void> {
    if (!vscode.workspace.isTrusted) throw new PavedError('untrusted', 'Stopping services is disabled in an untrusted workspace. Trust the workspace (Manage Workspace Trust) first.');
    const { backend, service } = await this.target(a, 'Stop which service?');
    const environment = a.environment ?? (await this.pickEnvironment(backend, service, (e) => e.state === 'running', 'stop'));
    if (environment !== 'local') {
      const ok = await this.inputs.confirm(`Stop ${service} in ${environment}?`, `The release running in ${environment} stops and stops answering. Restart Service starts it again.`, ['Stop']);
      if (ok !== 'Stop') throw new UserCancelledError();
    }
    const r = await stop({ backend, prompts: new EditorDeployPrompts(this.inputs, this.connection) }, { service, environment });
    await this.health.poll();
    this.log.info(`stop ${service} in ${environment}: ${r.changed ? 'stopped' : 'was not running'}`);
    void vscode.window.showInformationMessage(r.changed ? `Paved: ${service} stopped in ${environment}.` : `Paved: ${service} was not running in ${environment}.`);
  }

  async openService(a: { service?: string; environment?: string }): Promise<void> {
    const { backend, service } = await this.target(a, 'Open which service?');
    const status = await backend.operations.status(service);
    const environment = a.environment ?? (await this.pickEnvironment(backend, service, (e) => e.url !== undefined, 'open', status.environments));
    const url = status.environments.find((e) => e.environment === environment)?.url;
    const safe = openableUrl(url);
    if (!safe) throw new PavedError('invalid-input', url ? `${service} answers at ${url}, which Paved does not open (only https, or http on this machine).` : `${service} is not running in ${environment}.`);
    await vscode.env.openExternal(await vscode.env.asExternalUri(vscode.Uri.parse(safe)));
  }

  /** The backend (it must have live operations: else say where to look) and the service (picked when not given). */
  private async target(a: { service?: string }, question: string): Promise<{ backend: PlatformBackend; service: string }> {
    const backend = await this.connection.current();
    const service = a.service ?? (await pickService(this.connection, `Paved: ${question}`))?.ref;
    if (!service) throw new UserCancelledError();
    if (!backend.capabilities.operations) {
      await this.offerLinks(backend, service);
      throw new UserCancelledError();
    }
    return { backend, service };
  }

  private async offerLinks(backend: PlatformBackend, service: string): Promise<void> {
    const info = await backend.getService(service).catch(() => undefined);
    const links = (info?.links ?? []).filter((l) => l.type === 'dashboard' || l.type === 'runbook');
    const buttons = links.map((l) => (l.type === 'dashboard' ? 'Open Dashboard' : 'Open Runbook'));
    const choice = await vscode.window.showInformationMessage(
      `Paved: live logs, health, restart and stop need a Paved platform; ${backend.displayName} has none.${links.length ? ' The catalog links the service\'s dashboard and runbook.' : ''}`,
      ...new Set(buttons),
    );
    if (choice === 'Open Dashboard') await vscode.commands.executeCommand(Commands.openDashboard, service);
    if (choice === 'Open Runbook') await vscode.commands.executeCommand(Commands.openRunbook, service);
  }

  private async pickEnvironment(backend: PlatformBackend, service: string, fits: (e: EnvironmentOperations) => boolean, what: 'logs' | 'stop' | 'open', known?: EnvironmentOperations[]): Promise<string> {
    const envs = (known ?? (await backend.operations.status(service)).environments).filter(fits);
    if (envs.length === 0) throw new PavedError('conflict', what === 'logs' ? `${service} was not deployed anywhere yet: there is no log to show.` : `${service} is not running anywhere.`);
    if (envs.length === 1) return envs[0].environment;
    const items = envs.map((e) => ({ label: e.environment, description: [e.state, e.health?.state, e.release].filter(Boolean).join(' · '), value: e.environment }));
    return notBack(await this.inputs.quickPick({ title: 'Paved', canGoBack: false, id: 'environment', placeholder: `${service} in which environment?`, items }));
  }
}
