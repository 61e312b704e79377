/**
 * The editor's face of resources (src/platform/selfService/resources.ts):
 *  - *Paved: Add Resource…* (palette, details panel): pick a type and class from the platform, name the claim; the claim
 *    and an env binding of its main output go into paved.yaml as one WorkspaceEdit (undo takes both back).
 *  - *Copy Connection String* (details panel, palette): a claim's main output (a secret one too) to the clipboard — never
 *    shown, never logged.
 *  - *Release Resource…* (details panel, palette): an orphaned claim, after a modal confirmation that names what will be
 *    deleted.
 */
import * as vscode from 'vscode';
import type { ClaimStatus, ResourceType } from '../../core/api/types';
import { PavedError, UserCancelledError } from '../../core/errors';
import { kindFromFileName } from '../../core/manifest';
import { addResource, connectionString, releaseClaim, type AddedResource, type ReleaseOutcome, type ResourcePrompts } from '../../platform/selfService/resources';
import type { CommandRunner } from '../commands';
import { pickService } from '../catalog/serviceCommands';
import { Commands } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';

/** A claim in an environment of a service (what the details panel passes). */
export interface ClaimArg {
  service: string;
  claim: string;
  environment: string;
}

/** The real prompts: QuickPicks and an InputBox. */
export const vscodeResourcePrompts: ResourcePrompts = {
  async pickType(types: ResourceType[]) {
    const picked = await vscode.window.showQuickPick(
      types.map((t) => ({ label: t.type, description: t.source === 'built-in' ? 'built-in' : t.driver, detail: t.description, t })),
      { title: 'Paved: Add Resource — which type?', matchOnDetail: true, ignoreFocusOut: true },
    );
    if (!picked) throw new UserCancelledError();
    return picked.t;
  },
  async pickClass(type, preset) {
    const picked = await vscode.window.showQuickPick(
      type.classes.map((c) => ({ label: c.name, description: c.name === preset ? 'default' : undefined, detail: c.description })),
      { title: `Paved: Add Resource — which class of ${type.type}?`, ignoreFocusOut: true },
    );
    if (!picked) throw new UserCancelledError();
    return picked.label;
  },
  async claimName(suggested, validate) {
    const name = await vscode.window.showInputBox({ title: 'Paved: Add Resource — name the claim', prompt: 'Placeholders name it: ${claims.NAME.OUTPUT}', value: suggested, validateInput: validate, ignoreFocusOut: true });
    if (name === undefined) throw new UserCancelledError();
    return name;
  },
};

export class ResourceCommands extends Component {
  /** The questions Add Resource asks (the integration tests script them). */
  prompts: ResourcePrompts = vscodeResourcePrompts;
  /** The confirmation before a release (the integration tests script it); true to release. */
  confirmRelease: (warning: string) => Promise<boolean> = async (warning) => (await vscode.window.showWarningMessage(warning, { modal: true }, 'Release')) === 'Release';
  private readonly added = this.register(new vscode.EventEmitter<{ uri: vscode.Uri; added: AddedResource }>());
  /** Fires after Add Resource edited a manifest. */
  readonly onDidAdd = this.added.event;

  constructor(
    commands: CommandRunner,
    private readonly connection: PlatformConnection,
    private readonly log: Logger,
  ) {
    super();
    this.register(commands.register(Commands.addResource, (arg?: string | vscode.Uri) => this.add(arg)));
    this.register(commands.register(Commands.copyConnectionString, (arg?: ClaimArg) => this.copy(arg)));
    this.register(commands.register(Commands.releaseClaim, (arg?: ClaimArg) => this.release(arg)));
  }

  /** The paved.yaml to edit: the argument's (a service ref or a file), the active editor's, or one the user picks. */
  private async manifestDocument(arg: string | vscode.Uri | undefined): Promise<vscode.TextDocument> {
    if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
    if (typeof arg === 'string') {
      const service = await (await this.connection.current()).getService(arg);
      if (!service.manifestPath || service.manifestKind !== 'paved.yaml') throw new PavedError('not-found', `${service.name} has no paved.yaml in this workspace to add a resource to`);
      return vscode.workspace.openTextDocument(vscode.Uri.file(service.manifestPath));
    }
    const active = vscode.window.activeTextEditor?.document;
    if (active && kindFromFileName(active.fileName) === 'paved') return active;
    const files = await vscode.workspace.findFiles('**/paved.{yaml,yml}', '**/node_modules/**', 200);
    if (files.length === 0) throw new PavedError('not-found', 'no paved.yaml in this workspace: create a service first (Paved: New Service…)');
    if (files.length === 1) return vscode.workspace.openTextDocument(files[0]);
    const picked = await vscode.window.showQuickPick(
      files.map((f) => ({ label: vscode.workspace.asRelativePath(f), f })),
      { title: 'Paved: Add Resource — to which paved.yaml?' },
    );
    if (!picked) throw new UserCancelledError();
    return vscode.workspace.openTextDocument(picked.f);
  }

  async add(arg?: string | vscode.Uri): Promise<AddedResource> {
    const doc = await this.manifestDocument(arg);
    const backend = await this.connection.current();
    const version = doc.version;
    const added = await addResource({ backend, log: (l) => this.log.info(l) }, this.prompts, doc.getText());
    if (doc.version !== version) throw new PavedError('conflict', `${vscode.workspace.asRelativePath(doc.uri)} changed while you answered; run Add Resource again`);
    const edit = new vscode.WorkspaceEdit();
    for (const e of added.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
    if (!(await vscode.workspace.applyEdit(edit))) throw new PavedError('conflict', `could not edit ${vscode.workspace.asRelativePath(doc.uri)}`);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const at = doc.getText().indexOf(`\n    ${added.claim}:`);
    if (at >= 0) editor.revealRange(new vscode.Range(doc.positionAt(at + 1), doc.positionAt(at + 1)), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.added.fire({ uri: doc.uri, added });
    const binding = added.envVar ? ` and ${added.envVar}: \${claims.${added.claim}.${added.output}}` : '';
    void vscode.window.showInformationMessage(`Paved: added claim ${added.claim} (${added.type}, ${added.class})${binding}. Save, then deploy: the platform provisions it first.`);
    return added;
  }

  /** The claim the argument names, or one the user picks (a service, then one of its provisioned claims). */
  private async claimArg(arg: ClaimArg | undefined, want: (c: ClaimStatus) => boolean, what: string): Promise<ClaimArg> {
    if (arg && typeof arg.service === 'string' && typeof arg.claim === 'string' && typeof arg.environment === 'string') return arg;
    const service = await pickService(this.connection, `Paved: ${what} — which service?`);
    if (!service) throw new UserCancelledError();
    const details = await (await this.connection.current()).getService(service.ref);
    const claims = (details.claims ?? []).filter(want);
    if (claims.length === 0) throw new PavedError('not-found', `${service.name} has no claim to ${what.toLowerCase()}`);
    const picked = await vscode.window.showQuickPick(
      claims.map((c) => ({ label: `${c.claim} (${c.environment})`, description: `${c.type} · ${c.state}`, c })),
      { title: `Paved: ${what} — which claim?` },
    );
    if (!picked) throw new UserCancelledError();
    return { service: service.ref, claim: picked.c.claim, environment: picked.c.environment };
  }

  async copy(arg?: ClaimArg): Promise<void> {
    const target = await this.claimArg(arg, (c) => c.state === 'ready', 'Copy Connection String');
    const backend = await this.connection.current();
    const r = await connectionString({ backend, log: (l) => this.log.info(l) }, target);
    await vscode.env.clipboard.writeText(r.value);
    vscode.window.setStatusBarMessage(`Paved: copied the ${r.output} of ${target.claim} (${target.environment})${r.secret ? ' — it is a secret: paste it only where it belongs' : ''}`, 5000);
  }

  async release(arg?: ClaimArg): Promise<ReleaseOutcome> {
    const target = await this.claimArg(arg, (c) => c.state === 'orphaned', 'Release Resource');
    const backend = await this.connection.current();
    const outcome = await releaseClaim({ backend, log: (l) => this.log.info(l) }, target, (warning) => this.confirmRelease(warning));
    if (outcome !== 'declined') void vscode.window.showInformationMessage(`Paved: ${outcome === 'released' ? 'released' : 'already released'} claim ${target.claim} of ${target.service} in ${target.environment}.`);
    return outcome;
  }
}
