import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CreateFeedbackRequest, Feedback } from '../../core/api/types';
import { UserCancelledError } from '../../core/errors';
import { newIdempotencyKey } from '../../platform/transport';
import { unsupportedError } from '../../platform/errors';
import type { CommandRunner } from '../commands';
import { Commands } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import { pickService, refOf, type ServiceArg } from './serviceCommands';
import { serviceNameOf } from './statusBar';

const CATEGORIES: NonNullable<CreateFeedbackRequest['category']>[] = ['bug', 'idea', 'question', 'praise', 'other'];

/** "Paved: Send Feedback…": a message to the platform team about a service, through the backend's feedback endpoint. */
export class FeedbackCommand extends Component {
  constructor(
    commands: CommandRunner,
    private readonly connection: PlatformConnection,
    private readonly log: Logger,
  ) {
    super();
    this.register(commands.register(Commands.sendFeedback, (arg?: ServiceArg, message?: string, category?: CreateFeedbackRequest['category']) => this.send(arg, message, category)));
  }

  /** With arguments (tests, other commands) nothing is asked; without, the user picks the service, kind and message. */
  async send(arg?: ServiceArg, message?: string, category?: CreateFeedbackRequest['category']): Promise<Feedback> {
    const backend = await this.connection.current();
    if (!backend.capabilities.feedback) throw unsupportedError(backend.displayName, 'take feedback', 'Contact the platform team directly.');
    let service = refOf(arg);
    if (service === undefined && message === undefined) service = await this.askService();
    const kind =
      category ??
      (await vscode.window.showQuickPick(CATEGORIES.map((c) => ({ label: c })), { title: 'Paved: Send Feedback — what kind?' }))?.label;
    if (!kind) throw new UserCancelledError();
    const text =
      message ??
      (await vscode.window.showInputBox({
        title: `Paved: Send Feedback${service ? ` about ${service}` : ''}`,
        prompt: 'Your message to the platform team',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? 'Write a message.' : v.length > 4000 ? 'At most 4000 characters.' : undefined),
      }));
    if (text === undefined) throw new UserCancelledError();
    const sent = await backend.sendFeedback({ message: text.trim(), service, category: kind }, { idempotencyKey: newIdempotencyKey() });
    this.log.info(`feedback ${sent.id} sent${service ? ` about ${service}` : ''}`);
    if (message === undefined) void vscode.window.showInformationMessage(`Paved: thanks — your feedback reached ${backend.displayName}.`);
    return sent;
  }

  /** The service of the manifest in the active editor, or one the user picks (or none: general feedback). */
  private async askService(): Promise<string | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    const fromEditor = doc && /^(paved|catalog-info)\.ya?ml$/.test(path.basename(doc.uri.path)) ? serviceNameOf(doc.getText()) : undefined;
    const choice = await vscode.window.showQuickPick(
      [
        ...(fromEditor ? [{ label: fromEditor, description: 'the manifest in the editor', value: 'editor' }] : []),
        { label: 'Another service…', value: 'pick' },
        { label: 'No particular service', value: 'none' },
      ],
      { title: 'Paved: Send Feedback — about which service?' },
    );
    if (!choice) throw new UserCancelledError();
    if (choice.value === 'editor') return fromEditor;
    if (choice.value === 'none') return undefined;
    const picked = await pickService(this.connection, 'Paved: Send Feedback — pick the service');
    if (!picked) throw new UserCancelledError();
    return picked.ref;
  }
}
