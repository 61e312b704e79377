import * as vscode from 'vscode';
import { describeError, isCancellation } from '../core/errors';
import { errorAction, type PlatformErrorAction } from '../platform/errors';
import type { CommandId } from './ids';
import { Commands } from './ids';
import type { Logger } from './log';
import { asUserAction } from './userAction';

export type CommandHandler = (...args: any[]) => unknown;

/** The button a failed command offers for the error's action (`PlatformError.action`); Show Log is always offered. */
const BUTTON_FOR_ACTION: Record<PlatformErrorAction, string | undefined> = {
  'sign-in': 'Sign In',
  retry: 'Retry',
  'open-settings': 'Open Settings',
  'show-log': undefined,
  none: undefined,
};

/**
 * The one way Paved registers a command. Every invocation is logged with its id; a cancellation is silent; any other
 * failure is logged with its stack and shown once, with actions that fit the error. The disposable goes to the
 * component that owns the command.
 */
export class CommandRunner {
  private readonly registered = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly hooks: { signIn?: () => unknown } = {},
  ) {}

  register(id: CommandId, handler: CommandHandler): vscode.Disposable {
    if (this.registered.has(id)) throw new Error(`Command ${id} registered twice`);
    this.registered.add(id);
    const disposable = vscode.commands.registerCommand(id, (...args: unknown[]) => this.run(id, handler, args));
    return new vscode.Disposable(() => {
      this.registered.delete(id);
      disposable.dispose();
    });
  }

  /** Runs a handler with the command's error handling; resolves to the handler's result, or undefined on failure. */
  async run(id: string, handler: CommandHandler, args: unknown[]): Promise<unknown> {
    const started = Date.now();
    this.log.debug(`${id} started`);
    try {
      const result = await asUserAction(id, () => handler(...args));
      this.log.debug(`${id} finished in ${Date.now() - started} ms`);
      return result;
    } catch (err) {
      if (isCancellation(err)) {
        this.log.info(`${id} cancelled after ${Date.now() - started} ms`);
        return undefined;
      }
      this.log.error(`${id} failed`, err);
      void this.report(id, handler, args, err);
      return undefined;
    }
  }

  private async report(id: string, handler: CommandHandler, args: unknown[], err: unknown): Promise<void> {
    const message = describeError(err);
    // The error says what to offer: a PlatformError its `action`, any other PavedError the action of its code.
    const button = BUTTON_FOR_ACTION[errorAction(err)];
    const actions = [...(button ? [button] : []), 'Show Log'];
    const choice = await vscode.window.showErrorMessage(`Paved: ${message}`, ...actions);
    switch (choice) {
      case 'Retry':
        await this.run(id, handler, args);
        break;
      case 'Sign In':
        await this.hooks.signIn?.();
        break;
      case 'Open Settings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'paved.platform');
        break;
      case 'Show Log':
        await vscode.commands.executeCommand(Commands.showLog);
        break;
      default:
        break;
    }
  }
}
