/**
 * "Get started with Paved" — the walkthrough in package.json (`contributes.walkthroughs`). Each step completes on a real
 * event: the catalog view shown, a quick fix of Paved applied, a service scaffolded, a deployment healthy, the
 * organisation's platform answering with its catalog. Where the event happens, one line calls `walkthroughStep(…)`,
 * which sets the context key the step's `onContext:` completion event waits for.
 *
 * It also tells the workbench directly (`welcome.markStepComplete`): VS Code creates its walkthroughs service only when
 * something first needs it (the Welcome page), and a step whose key is already true when the service registers the
 * walkthrough is never checked off (VS Code 1.139) — so an event that happened before the user opened the walkthrough
 * would be lost. The command is VS Code's own (Welcome: Mark Step Complete); where it does not exist, the key suffices.
 */
import * as vscode from 'vscode';
import type { CatalogNode } from './catalog/model';
import { EXTENSION_ID, WALKTHROUGH_ID, WalkthroughSteps } from './ids';
import type { ConnectionState } from './platform/connection';

export type WalkthroughStep = keyof typeof WalkthroughSteps;

const reached = new Set<WalkthroughStep>();
const emitter = new vscode.EventEmitter<WalkthroughStep>();

/** The walkthrough's progress in this window, for the integration tests (PavedApi.walkthrough). */
export interface WalkthroughProgress {
  /** Fires the first time a step's event happens in this window. */
  readonly onDidReach: vscode.Event<WalkthroughStep>;
  reached(): WalkthroughStep[];
}

export const walkthroughProgress: WalkthroughProgress = {
  onDidReach: emitter.event,
  reached: () => [...reached],
};

/** The event of `step` happened: sets its context key and marks the step complete. Once per window. */
export function walkthroughStep(step: WalkthroughStep): void {
  if (reached.has(step)) return;
  reached.add(step);
  const { key, step: id } = WalkthroughSteps[step];
  void vscode.commands.executeCommand('setContext', key, true);
  void vscode.commands.executeCommand('welcome.markStepComplete', `${EXTENSION_ID}#${WALKTHROUGH_ID}#${id}`).then(undefined, () => undefined);
  emitter.fire(step);
}

/** "Open the catalog": done when the Catalog view is (or becomes) visible. */
export function watchCatalogView(view: vscode.TreeView<unknown>): vscode.Disposable {
  if (view.visible) walkthroughStep('catalogOpened');
  return view.onDidChangeVisibility((e) => {
    if (e.visible) walkthroughStep('catalogOpened');
  });
}

/**
 * "Connect to your organisation's platform": done when a platform other than the embedded local one answers with its
 * catalog (services or groups at the root, no error node).
 */
export function watchPlatformConnection(
  onDidLoadCatalog: vscode.Event<{ parent: CatalogNode | undefined; children: CatalogNode[] }>,
  connection: { readonly state: ConnectionState; settings(): { kind: string } },
): vscode.Disposable {
  return onDidLoadCatalog((e) => {
    if (e.parent || connection.state !== 'connected' || e.children.some((c) => c.kind === 'error')) return;
    let kind: string;
    try {
      kind = connection.settings().kind;
    } catch {
      return; // settings that cannot be read are reported where they are used
    }
    if (kind === 'local') return;
    if (e.children.some((c) => c.kind === 'group' || c.kind === 'service' || c.kind === 'my-services')) walkthroughStep('platformConnected');
  });
}
