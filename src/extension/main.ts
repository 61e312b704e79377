import * as vscode from 'vscode';
import { CatalogView } from './catalog/catalogView';
import { FeedbackCommand } from './catalog/feedback';
import { ServiceCommands } from './catalog/serviceCommands';
import { ServiceStatusBar } from './catalog/statusBar';
import { DetailsPanels } from './details/detailsPanel';
import { DeploymentsView } from './deployments/deploymentsView';
import { SelfService } from './selfService';
import { BackstageTools } from './backstage';
import { CommandRunner } from './commands';
import { Commands, ContextKeys } from './ids';
import { InsightsDashboard } from './insights/dashboard';
import { createLogger } from './log';
import { backendFactory } from './platform/backends';
import { PlatformConnection } from './platform/connection';
import { findLocalPlatform } from '../platform/local';
import { LocalPlatform } from './platform/localPlatform';
import { ManifestLinter } from './manifests/manifestLinter';
import { ResourceCommands } from './resources/resourceCommands';
import { walkthroughProgress, watchCatalogView, watchPlatformConnection, type WalkthroughProgress } from './walkthrough';
import { GoldenPathVersions } from './platform/goldenPaths';
import { GoldenPathUpgrades } from './upgrade/upgradeCommands';
import { Operations } from './operations';
import { AgentTools } from './agentTools/agentTools';

/** What activate() returns: used by the integration tests and by other extensions. */
export interface PavedApi {
  /** Wall time of activate() itself, in milliseconds. */
  readonly activationTimeMs: number;
  /**
   * CPU time of the extension host's thread during activate(), in milliseconds, where Node can tell
   * (`process.threadCpuUsage`, Node ≥ 23.9): the wall time less the time other processes had the core.
   */
  readonly activationCpuMs: number | undefined;
  /** The platform connection: `current()` is the backend every command uses. */
  readonly platform: PlatformConnection;
  /** The Catalog tree (model, getChildren, onDidLoad). */
  readonly catalog: CatalogView;
  /** The Deployments view: deploy commands call `deployments.track(deployment)`. */
  readonly deployments: DeploymentsView;
  /** Service details webviews (open, onDidRender). */
  readonly details: DetailsPanels;
  /** The status bar item of the open manifest's service. */
  readonly statusBar: ServiceStatusBar;
  /** New Service, Deploy, Roll Back, Promote (`selfService.testHooks` for the integration tests). */
  readonly selfService: SelfService;
  /** catalog-info.yaml checks against Backstage (`backstage.checks.onDidCheck`) and Dry Run Template. */
  readonly backstage: BackstageTools;
  /** Manifest linting in the editor (`manifests.onDidLint`, `manifests.diagnostics`, `manifests.lintWorkspace()`). */
  readonly manifests: ManifestLinter;
  /** Day two: the health of running services (`operations.health`), their log channels (`operations.logs`), Stop, Open Service. */
  readonly operations: Operations;
  /** Add Resource, Copy Connection String, Release Resource (`resources.prompts` for the integration tests). */
  readonly resources: ResourceCommands;
  /** Steps of the "Get started with Paved" walkthrough whose event happened in this window. */
  readonly walkthrough: WalkthroughProgress;
  /** Upgrade / Adopt Golden Path, the goldenPath CodeLens and the upgrade conflicts in Problems (`inputs` for tests). */
  readonly upgrades: GoldenPathUpgrades;
  /** The AI-agent tools (language-model tools and the `paved mcp` definition); `tool(name)` for tests. */
  readonly agentTools: AgentTools;
  /** Paved: Platform Insights (`insights.onDidRender` gives what the dashboard shows). */
  readonly insights: InsightsDashboard;
}

/** The composition root: builds each component once and hands its disposables to the extension context. */
export async function activate(context: vscode.ExtensionContext): Promise<PavedApi> {
  const threadCpu = (process as { threadCpuUsage?: (since?: NodeJS.CpuUsage) => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);
  const cpuStarted = threadCpu?.();
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('Paved', { log: true });
  context.subscriptions.push(channel);
  const log = createLogger(channel);
  const commands = new CommandRunner(log.child('commands'), { signIn: () => vscode.commands.executeCommand(Commands.signIn) });
  const local = new LocalPlatform({ legacyStateDir: vscode.Uri.joinPath(context.globalStorageUri, 'local-platform').fsPath, packageRoot: context.extensionPath, cliPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath, log: log.child('local'), locate: (dir) => findLocalPlatform(dir) });
  const platform = new PlatformConnection({ context, commands, log: log.child('platform'), factory: backendFactory(context.extensionPath, context.secrets), local });

  const deployments = new DeploymentsView(commands, platform, log.child('deployments'));
  const goldenPaths = new GoldenPathVersions(platform, log.child('golden-paths'), platform.onDidChange);
  const operations = new Operations({ commands, connection: platform, workspaceState: context.workspaceState, log: log.child('operations'), myTeams: (): readonly string[] => catalog.model.myTeams });
  const details = new DetailsPanels(platform, context.extensionUri, log.child('details'), deployments.onDidChangeService, goldenPaths, operations.health);
  const catalog: CatalogView = new CatalogView(commands, platform, context.workspaceState, log.child('catalog'), deployments.onDidChangeService, goldenPaths, operations.health);
  const statusBar = new ServiceStatusBar(platform, log.child('status'), deployments.onDidChangeService, operations.health);
  const backstage = new BackstageTools(commands, platform, log.child('backstage'), context.secrets);
  const manifests = new ManifestLinter({ commands, log: log.child('manifests'), platform, onDidRefreshCatalog: catalog.onDidRefresh });
  const resources = new ResourceCommands(commands, platform, log.child('resources'));
  const insights = new InsightsDashboard(commands, platform, context.extensionUri, context.workspaceState, log.child('insights'));
  const upgrades = new GoldenPathUpgrades({ commands, connection: platform, versions: goldenPaths, log: log.child('upgrade'), workspaceState: context.workspaceState });
  const agentTools = new AgentTools({ connection: platform, cliPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath, log: log.child('agent-tools'), policies: (backend, file) => manifests.gatePolicies(backend, file) });
  const selfService = new SelfService({
    commands,
    connection: platform,
    log: log.child('self-service'),
    workspaceState: context.workspaceState,
    globalState: context.globalState,
    track: (d) => deployments.track(d),
    onDidChangeConnection: platform.onDidChange,
    policies: (backend, file) => manifests.gatePolicies(backend, file),
    onRefusedByPlatform: () => manifests.reloadPlatformData(),
  });

  context.subscriptions.push(
    commands.register(Commands.showLog, () => channel.show(true)),
    platform,
    deployments,
    operations,
    details,
    catalog,
    new ServiceCommands(commands, platform, details, log.child('service')),
    new FeedbackCommand(commands, platform, log.child('feedback')),
    statusBar,
    selfService,
    backstage,
    manifests,
    resources,
    watchCatalogView(catalog.treeView),
    watchPlatformConnection(catalog.onDidLoad, platform),
    goldenPaths,
    upgrades,
    agentTools,
    insights,
  );

  // Not awaited: a round trip to the window (tens of ms on a busy machine) is no part of activation.
  void vscode.commands.executeCommand('setContext', ContextKeys.active, true);
  const activationTimeMs = performance.now() - started;
  const cpu = cpuStarted && threadCpu?.(cpuStarted);
  const activationCpuMs = cpu ? (cpu.user + cpu.system) / 1000 : undefined;
  log.info(`Paved ${context.extension.packageJSON.version} activated in ${activationTimeMs.toFixed(1)} ms${activationCpuMs === undefined ? '' : ` (${activationCpuMs.toFixed(1)} ms of CPU)`}`);
  return { activationTimeMs, activationCpuMs, platform, catalog, deployments, details, statusBar, selfService, backstage, manifests, walkthrough: walkthroughProgress, upgrades, operations, resources, agentTools, insights };
}

export function deactivate(): void {
  // Every component is disposed through context.subscriptions.
}
