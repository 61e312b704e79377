import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Deployment } from '../../core/api/types';
import type { PlatformBackend } from '../../platform/backend';
import { describeError } from '../../core/errors';
import { Commands } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import type { GoldenPathVersions } from '../platform/goldenPaths';
import { deployNoteFor } from '../backstage/deployNote';
import type { OperationsData } from './operations';
import { makeNonce, renderDetails, renderMessage, type RenderContext, safeUrl } from './render';

export const DETAILS_VIEW_TYPE = 'paved.serviceDetails';

/** One rendering of a details panel (for tests: what the webview got). */
export interface DetailsRenderEvent {
  ref: string;
  html: string;
  /** `loaded` with data, `failed` with the error page. */
  outcome: 'loaded' | 'failed';
}

type Message =
  | { type: 'open'; ref: string }
  | { type: 'link'; url: string }
  | { type: 'manifest' | 'refresh' | 'copy' | 'upgrade' }
  | { type: 'logs' | 'restart' | 'stop' | 'openService'; environment: string };

/** What each day-two action of the panel runs (with the service and the environment it was clicked for). */
const OPERATION_COMMANDS = { logs: Commands.showServiceLogs, restart: Commands.restartService, stop: Commands.stopService, openService: Commands.openService } as const;

/** Probe history shown per environment (hours). */
const HISTORY_HOURS = 6;

/**
 * Service details webviews, one per service (opening an open one reveals it). Strict CSP: no inline script or style,
 * scripts only with this render's nonce, resources only from media/. Reloads when the connection changes or a
 * deployment of the service changes (`serviceChanged`).
 */
export class DetailsPanels extends Component {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; seq: number }>();
  private readonly rendered = this.register(new vscode.EventEmitter<DetailsRenderEvent>());
  /** Fires after each rendering of a panel. */
  readonly onDidRender = this.rendered.event;

  constructor(
    private readonly connection: PlatformConnection,
    private readonly extensionUri: vscode.Uri,
    private readonly log: Logger,
    serviceChanged: vscode.Event<string>,
    /** Versions and changelogs of the service's golden path (the Golden path section). */
    private readonly goldenPaths?: GoldenPathVersions,
    /** The health of running services: a panel reloads when its service's health changes. */
    health?: { onDidChange: vscode.Event<string[]> },
  ) {
    super();
    this.register(connection.onDidChange(() => this.reloadAll()));
    if (health) {
      this.register(
        health.onDidChange((names) => {
          for (const ref of names) if (this.panels.has(ref)) void this.load(ref);
        }),
      );
    }
    this.register(
      serviceChanged((ref) => {
        if (this.panels.has(ref)) void this.load(ref);
      }),
    );
    this.register({ dispose: () => [...this.panels.values()].forEach((p) => p.panel.dispose()) });
  }

  /** The refs of the open panels. */
  get openRefs(): string[] {
    return [...this.panels.keys()];
  }

  /** Opens (or reveals) the details of a service and resolves when its first rendering is done. */
  async open(ref: string): Promise<void> {
    const existing = this.panels.get(ref);
    if (existing) {
      existing.panel.reveal();
      return this.load(ref);
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(DETAILS_VIEW_TYPE, ref, vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [media, vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
      retainContextWhenHidden: false,
    });
    panel.iconPath = vscode.Uri.joinPath(media, 'paved-activitybar.svg');
    this.panels.set(ref, { panel, seq: 0 });
    panel.onDidDispose(() => this.panels.delete(ref));
    panel.webview.onDidReceiveMessage((m: Message) => void this.onMessage(ref, m));
    await this.load(ref);
  }

  /** Re-fetches and re-renders one open panel. */
  async load(ref: string): Promise<void> {
    const entry = this.panels.get(ref);
    if (!entry) return;
    const seq = ++entry.seq;
    const ctx = this.context(entry.panel.webview, '');
    let html: string;
    let outcome: DetailsRenderEvent['outcome'];
    try {
      const backend = await this.connection.current();
      ctx.platform = backend.displayName;
      const [service, deployments, operations] = await Promise.all([
        backend.getService(ref),
        backend.capabilities.deploy ? backend.listDeployments(ref, { limit: 50 }).then((p) => p.items) : Promise.resolve<Deployment[]>([]),
        this.operations(backend, ref),
      ]);
      const goldenPath = service.goldenPath && this.goldenPaths ? await this.goldenPaths.info(service.goldenPath, backend) : undefined;
      html = renderDetails(
        { service, deployments, canDeploy: backend.capabilities.deploy || service.deploysThrough !== undefined, deployNote: deployNoteFor(backend, service), fetchedAt: new Date().toISOString(), operations, ...(goldenPath ? { goldenPath } : {}) },
        ctx,
      );
      entry.panel.title = service.title ?? service.name;
      outcome = 'loaded';
    } catch (err) {
      this.log.error(`details of ${ref}`, err);
      html = renderMessage(`Cannot show ${ref}`, describeError(err), ctx, true);
      outcome = 'failed';
    }
    if (seq !== entry.seq || !this.panels.has(ref)) return; // a newer load won
    entry.panel.webview.html = html;
    this.rendered.fire({ ref, html, outcome });
  }

  /** Health, SLOs and probe history of what runs; on a platform without them, why not (its links are shown instead). */
  private async operations(backend: PlatformBackend, ref: string): Promise<OperationsData> {
    if (!backend.capabilities.operations) return { histories: [], note: `Live logs, health, SLO status, restart and stop need a Paved platform; ${backend.displayName} has none. What the catalog links:` };
    try {
      const status = await backend.operations.status(ref);
      const running = status.environments.filter((e) => e.health);
      const histories = await Promise.all(running.map((e) => backend.operations.health(ref, e.environment, { hours: HISTORY_HOURS })));
      return { status, histories };
    } catch (err) {
      this.log.warn(`details of ${ref}: health and SLOs: ${describeError(err)}`);
      return { histories: [], note: `Paved could not get the health and SLOs of ${ref}: ${describeError(err)}` };
    }
  }

  private reloadAll(): void {
    for (const ref of this.panels.keys()) void this.load(ref);
  }

  private context(webview: vscode.Webview, platform: string): RenderContext {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    return {
      cspSource: webview.cspSource,
      nonce: makeNonce(randomBytes),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'details.css')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'details.js')).toString(),
      chartScriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'healthChart.js')).toString(),
      chartStyleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'uPlot.min.css')).toString(),
      platform,
    };
  }

  private async onMessage(ref: string, m: Message): Promise<void> {
    try {
      switch (m.type) {
        case 'open':
          if (typeof m.ref === 'string' && m.ref.length < 300) await this.open(m.ref);
          break;
        case 'link': {
          const url = typeof m.url === 'string' ? safeUrl(m.url) : undefined;
          if (url) await vscode.env.openExternal(vscode.Uri.parse(url));
          else this.log.warn(`details of ${ref}: refused to open a non-http link`);
          break;
        }
        case 'manifest':
          await vscode.commands.executeCommand(Commands.openManifest, ref);
          break;
        case 'copy':
          await vscode.commands.executeCommand(Commands.copyReference, ref);
          break;
        case 'upgrade':
          await vscode.commands.executeCommand(Commands.upgradeGoldenPath, { ref });
          break;
        case 'refresh':
          await this.load(ref);
          break;
        case 'logs':
        case 'restart':
        case 'stop':
        case 'openService':
          if (typeof m.environment === 'string' && /^[a-z][a-z0-9-]{0,30}$/.test(m.environment)) await vscode.commands.executeCommand(OPERATION_COMMANDS[m.type], { service: ref, environment: m.environment });
          break;
        default:
          this.log.warn(`details of ${ref}: unknown message ${JSON.stringify(m)}`);
      }
    } catch (err) {
      this.log.error(`details of ${ref}: ${m.type}`, err);
    }
  }
}
