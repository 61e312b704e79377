/**
 * *Paved: Platform Insights*: one webview dashboard of the platform's insights (adoption, onboarding, delivery,
 * compliance, feedback). The extension host fetches the sections through the connection and posts them to the
 * webview script (dist/webview/insightsDashboard.js, its own bundle with uPlot — never in dist/extension.js), which
 * draws charts and tables and posts back what it shows. A team's view by default (the catalog's first "My team"),
 * switchable; a Backstage platform gets the sections named with why they need a Paved platform.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { describeError, isCancellation } from '../../core/errors';
import { FEEDBACK_STATES, INSIGHTS_SECTIONS, type FeedbackState, type InsightsBySection } from '../../core/insights';
import type { CommandRunner } from '../commands';
import { contentSecurityPolicy, esc, makeNonce } from '../details/render';
import { Commands, StateKeys } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import { BACK, VsCodeQuickInputs, type QuickInputs } from '../ui/quickInputs';
import { asUserAction } from '../userAction';

export const INSIGHTS_VIEW_TYPE = 'paved.insights';

/** What the webview says it shows after each rendering (tests read the numbers from here). */
export interface InsightsRenderEvent {
  numbers: Record<string, number | undefined>;
  /** The team the view shows (its team picker's choice); undefined for all teams. */
  team?: string;
  /** Every number that opens services, by its control's name (`data-act`): the services it opens. */
  links: Record<string, string[]>;
  /** The feedback inbox's rows as the table shows them: id → state. */
  feedback: Record<string, FeedbackState>;
}

/** What integration tests use to act in the dashboard as a user would. */
export interface InsightsTestHooks {
  /** Replaces the pick of several services behind a number (undefined: the real QuickPick again). */
  setQuickInputs(inputs: QuickInputs | undefined): void;
  /**
   * Clicks the control named `name` in the webview (its `data-act`), or chooses `value` in it when it is a select, the
   * way a user does (the control's own listener posts its message). Rejects when the view has no such control/option.
   */
  act(name: string, value?: string): Promise<void>;
  /** Closes the dashboard (the next open starts from the catalog's My teams again). */
  close(): void;
}

type Message =
  | { type: 'ready' | 'refresh' }
  | { type: 'team'; team?: string }
  | { type: 'open'; services: string[] }
  | { type: 'feedbackState'; id: string; state: FeedbackState }
  | { type: 'acted'; seq: number; error?: string }
  | ({ type: 'rendered' } & InsightsRenderEvent);

export class InsightsDashboard extends Component {
  private panel: vscode.WebviewPanel | undefined;
  private team: string | undefined;
  private seq = 0;
  private readonly rendered = this.register(new vscode.EventEmitter<InsightsRenderEvent>());
  /** Fires when the webview has drawn a new set of numbers. */
  readonly onDidRender = this.rendered.event;
  private inputs: QuickInputs = new VsCodeQuickInputs();
  private actSeq = 0;
  /** The test's actions waiting for the webview's answer, by number. */
  private readonly acting = new Map<number, { panel: vscode.WebviewPanel; done: (error?: string) => void }>();
  readonly testHooks: InsightsTestHooks = {
    setQuickInputs: (inputs) => {
      this.inputs = inputs ?? new VsCodeQuickInputs();
    },
    act: (name, value) => this.act(name, value),
    close: () => {
      const panel = this.panel;
      this.panel = undefined;
      panel?.dispose();
    },
  };

  constructor(
    commands: CommandRunner,
    private readonly connection: PlatformConnection,
    private readonly extensionUri: vscode.Uri,
    private readonly workspaceState: vscode.Memento,
    private readonly log: Logger,
  ) {
    super();
    this.register(commands.register(Commands.openInsights, () => this.open()));
    this.register(connection.onDidChange(() => void this.load()));
    this.register({ dispose: () => this.panel?.dispose() });
  }

  /** Opens (or reveals) the dashboard; it loads once the webview script is ready. */
  open(team?: string): void {
    if (team !== undefined) this.team = team;
    else if (!this.panel) this.team = this.workspaceState.get<string[]>(StateKeys.catalogMyTeams)?.[0];
    if (this.panel) {
      this.panel.reveal();
      void this.load();
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(INSIGHTS_VIEW_TYPE, 'Platform Insights', vscode.ViewColumn.Active, { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist], retainContextWhenHidden: true });
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
      for (const [seq, a] of this.acting) {
        if (a.panel !== panel) continue;
        this.acting.delete(seq);
        a.done('the dashboard was closed');
      }
    });
    // What the user does in the dashboard is theirs as a command is: it may start a local platform they stopped.
    panel.webview.onDidReceiveMessage((m: Message) => void (m.type === 'rendered' || m.type === 'acted' ? this.onMessage(m) : asUserAction(`${Commands.openInsights}:${m.type}`, () => this.onMessage(m))));
    const nonce = makeNonce(randomBytes);
    const uri = (f: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, f)).toString();
    panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy({ cspSource: panel.webview.cspSource, nonce }))}">
<link rel="stylesheet" href="${esc(uri('uPlot.min.css'))}"><link rel="stylesheet" href="${esc(uri('insights.css'))}"><title>Platform Insights</title></head>
<body><main id="root" aria-live="polite"><p>Loading platform insights…</p></main><script nonce="${esc(nonce)}" src="${esc(uri('insightsDashboard.js'))}"></script></body></html>`;
  }

  /** Fetches every section and posts it to the webview. */
  async load(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    const seq = ++this.seq;
    const msg: Record<string, unknown> = { type: 'data', team: this.team, teams: [] as string[], since: '', until: '', platform: '' };
    try {
      const backend = await this.connection.current();
      msg.platform = backend.displayName;
      msg.teams = (await backend.listTeams({ limit: 500 })).items.map((t) => t.name);
      if (!backend.capabilities.insights) {
        msg.unsupported = `${backend.displayName} keeps no scaffold, deployment or policy history: adoption, onboarding time, delivery (DORA), compliance and the feedback inbox need a Paved platform (the local one or a Paved Platform API).`;
      } else {
        const query = this.team ? { team: this.team } : {};
        const sections = Object.fromEntries(await Promise.all(INSIGHTS_SECTIONS.map(async (s) => [s, await backend.insights(s, query)] as const))) as unknown as InsightsBySection;
        const services = (await backend.deliveryServices({ ...query, limit: 500 })).items;
        Object.assign(msg, {
          sections,
          since: sections.delivery.since,
          until: sections.delivery.until,
          deliveryServices: services.filter((s) => s.deployments > 0).map((s) => s.service),
          failingServices: services.filter((s) => s.failedChanges > 0).map((s) => s.service),
          sample: sections.feedback.items.items.some((f) => f.from === 'sample data'),
        });
      }
    } catch (err) {
      this.log.error('platform insights', err);
      msg.error = `Cannot load the platform insights: ${describeError(err)}`;
    }
    if (seq !== this.seq || this.panel !== panel) return;
    await panel.webview.postMessage(msg);
  }

  private async onMessage(m: Message): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
        case 'refresh':
          await this.load();
          break;
        case 'team':
          this.team = typeof m.team === 'string' && m.team.length > 0 ? m.team : undefined;
          await this.load();
          break;
        case 'open':
          await this.openServices(Array.isArray(m.services) ? m.services.filter((x): x is string => typeof x === 'string').slice(0, 1000) : []);
          break;
        case 'feedbackState': {
          if (typeof m.id !== 'string' || !FEEDBACK_STATES.includes(m.state)) break;
          try {
            await (await this.connection.current()).setFeedbackState(m.id, m.state);
          } catch (err) {
            this.log.error('platform insights: feedback state', err);
            void vscode.window.showErrorMessage(`Paved: the feedback's state was not changed: ${describeError(err)}`);
          }
          // Either way the table shows the platform's state again.
          await this.load();
          break;
        }
        case 'acted':
          this.acting.get(m.seq)?.done(m.error);
          this.acting.delete(m.seq);
          break;
        case 'rendered':
          this.rendered.fire({ numbers: m.numbers ?? {}, ...(typeof m.team === 'string' && m.team ? { team: m.team } : {}), links: m.links ?? {}, feedback: m.feedback ?? {} });
          break;
        default:
          this.log.warn(`platform insights: unknown message ${JSON.stringify(m)}`);
      }
    } catch (err) {
      if (!isCancellation(err)) this.log.error(`platform insights: ${m.type}`, err);
    }
  }

  /** The services behind a number: one opens its details at once; several are offered in a pick (thousands, maybe). */
  private async openServices(services: string[]): Promise<void> {
    if (services.length === 0) return;
    const pick =
      services.length === 1
        ? services[0]
        : await this.inputs.quickPick({
            id: 'insights.services',
            title: 'Platform Insights',
            placeholder: `${services.length} services behind this number: open the details of…`,
            canGoBack: false,
            items: services.map((s) => ({ label: s, value: s })),
          });
    if (pick !== undefined && pick !== BACK) await vscode.commands.executeCommand(Commands.openDetails, pick);
  }

  private act(name: string, value?: string): Promise<void> {
    const panel = this.panel;
    if (!panel) return Promise.reject(new Error('the dashboard is not open'));
    const seq = ++this.actSeq;
    return new Promise<void>((resolve, reject) => {
      this.acting.set(seq, { panel, done: (error) => (error ? reject(new Error(error)) : resolve()) });
      void panel.webview.postMessage({ type: 'act', seq, name, ...(value !== undefined ? { value } : {}) });
    });
  }
}
