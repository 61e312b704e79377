import * as vscode from 'vscode';
import { deployLenses } from '../../core/wizard/deploy';
import { Commands } from '../ids';
import { HEALTH_MARK, HEALTH_MEANING, liveStateText, worstHealth } from '../ui/health';
import type { HealthWatcher } from './healthWatcher';

/**
 * Above `metadata:` in a paved.yaml, next to the Deploy lenses: the live state per environment (`local: healthy r7 ·
 * staging: degraded`, a click opens the details) and *Show Logs*. From the health watcher, so no request per file.
 */
export class LiveStateCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly health: HealthWatcher) {
    this.subscription = health.onDidChange(() => this.changed.fire());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted) return [];
    const first = deployLenses(document.getText())[0];
    if (!first) return [];
    const range = new vscode.Range(document.positionAt(first.offset), document.positionAt(first.offset + first.length));
    const items = this.health.itemsOf(first.service);
    const worst = worstHealth(this.health.healthOf(first.service));
    const title = items.length ? `$(pulse) ${liveStateText(items)}` : '$(circle-outline) not running';
    const tooltip = items.length
      ? items.map((i) => `${i.environment}: ${HEALTH_MARK[i.state]} ${HEALTH_MEANING[i.state]}${i.lastError && i.state !== 'healthy' ? ` (${i.lastError})` : ''}`).join('\n')
      : `${first.service} runs nowhere now.`;
    return [
      new vscode.CodeLens(range, { title: worst === 'unhealthy' ? title.replace('$(pulse)', '$(error)') : worst === 'degraded' ? title.replace('$(pulse)', '$(warning)') : title, tooltip, command: Commands.openDetails, arguments: [first.service] }),
      new vscode.CodeLens(range, { title: '$(output) Show Logs', tooltip: `Follow the logs of ${first.service}`, command: Commands.showServiceLogs, arguments: [{ service: first.service }] }),
    ];
  }
}
