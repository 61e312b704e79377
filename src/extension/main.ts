import * as vscode from 'vscode';
import { CatalogView } from './catalog/catalogView';
import { CommandRunner } from './commands';
import { Commands, ContextKeys } from './ids';
import { createLogger } from './log';
import { createBackend } from './platform/backends';
import { PlatformConnection } from './platform/connection';
import { LocalPlatform, readServeLock } from './platform/localPlatform';

/** What activate() returns: used by the integration tests and by other extensions. */
export interface PavedApi {
  /** Wall time of activate() itself, in milliseconds. */
  readonly activationTimeMs: number;
  /** The platform connection: `current()` is the backend every command uses. */
  readonly platform: PlatformConnection;
}

/** The composition root: builds each component once and hands its disposables to the extension context. */
export async function activate(context: vscode.ExtensionContext): Promise<PavedApi> {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('Paved', { log: true });
  context.subscriptions.push(channel);
  const log = createLogger(channel);
  const commands = new CommandRunner(log.child('commands'), { signIn: () => vscode.commands.executeCommand(Commands.signIn) });
  const local = new LocalPlatform({ stateDir: vscode.Uri.joinPath(context.globalStorageUri, 'local-platform').fsPath, cliPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath, log: log.child('local'), locate: readServeLock });
  const platform = new PlatformConnection({ context, commands, log: log.child('platform'), factory: createBackend, local });

  context.subscriptions.push(
    commands.register(Commands.showLog, () => channel.show(true)),
    platform,
    new CatalogView(commands),
  );

  await vscode.commands.executeCommand('setContext', ContextKeys.active, true);
  const activationTimeMs = performance.now() - started;
  log.info(`Paved ${context.extension.packageJSON.version} activated in ${activationTimeMs.toFixed(1)} ms`);
  return { activationTimeMs, platform };
}

export function deactivate(): void {
  // Every component is disposed through context.subscriptions.
}
