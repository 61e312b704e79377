/**
 * Every identifier Paved contributes, in one place. `package.json` must declare exactly the commands and views
 * listed here: test/unit/extension/manifest.test.ts checks the declared side, the integration suite checks that
 * each one is really registered in the extension host.
 */
export const EXTENSION_ID = 'paved-dev.paved';

export const Commands = {
  refreshCatalog: 'paved.catalog.refresh',
  showLog: 'paved.showLog',
  signIn: 'paved.signIn',
  signOut: 'paved.signOut',
  stopLocalPlatform: 'paved.stopLocalPlatform',
  startLocalPlatform: 'paved.startLocalPlatform',
  catalogGroupBy: 'paved.catalog.groupBy',
  catalogFilter: 'paved.catalog.filter',
  catalogClearFilter: 'paved.catalog.clearFilter',
  catalogPickTeams: 'paved.catalog.pickMyTeams',
  catalogLoadMore: 'paved.catalog.loadMore',
  catalogRetry: 'paved.catalog.retry',
  openManifest: 'paved.service.openManifest',
  openDetails: 'paved.service.openDetails',
  openInsights: 'paved.insights.open',
  copyReference: 'paved.service.copyReference',
  openDocs: 'paved.service.openDocs',
  openRunbook: 'paved.service.openRunbook',
  openDashboard: 'paved.service.openDashboard',
  openRepo: 'paved.service.openRepo',
  refreshDeployments: 'paved.deployments.refresh',
  showDeploymentLog: 'paved.deployments.showLog',
  sendFeedback: 'paved.sendFeedback',
  newService: 'paved.newService',
  deploy: 'paved.deploy',
  rollback: 'paved.rollback',
  promote: 'paved.promote',
  lintManifests: 'paved.manifests.lintAll',
  /** Run by VS Code after a Paved quick fix's edit (CodeAction.command): the walkthrough's "fix one" step. */
  quickFixApplied: 'paved.manifests.quickFixApplied',
  dryRunTemplate: 'paved.backstage.dryRunTemplate',
  showServiceLogs: 'paved.service.showLogs',
  stopFollowingLogs: 'paved.service.stopFollowingLogs',
  restartService: 'paved.service.restart',
  stopService: 'paved.service.stop',
  openService: 'paved.service.openService',
  addResource: 'paved.addResource',
  copyConnectionString: 'paved.resources.copyConnectionString',
  releaseClaim: 'paved.resources.release',
  upgradeGoldenPath: 'paved.goldenPath.upgrade',
  adoptGoldenPath: 'paved.goldenPath.adopt',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  container: 'paved',
  catalog: 'paved.catalog',
  deployments: 'paved.deployments',
  goldenPaths: 'paved.goldenPaths',
} as const;

export const Settings = {
  section: 'paved',
  platformKind: 'platform.kind',
  platformUrl: 'platform.url',
  lintEnable: 'lint.enable',
  catalogPageSize: 'catalog.pageSize',
  deploymentsPollSeconds: 'deployments.pollIntervalSeconds',
  healthPollSeconds: 'health.pollIntervalSeconds',
} as const;

export const ContextKeys = {
  /** Set once activate() has finished. */
  active: 'paved.active',
  /** ConnectionState of the platform connection: unknown | untrusted | not-configured | connected | failed. */
  platformState: 'paved.platform.state',
  /** True when the catalog answered with no service at all. */
  catalogEmpty: 'paved.catalog.empty',
  /** True while a text filter is applied to the catalog. */
  catalogFiltered: 'paved.catalog.filtered',
  /** Why deploy/rollback/promote/new service are unavailable ('untrusted'), or '' when they are available. */
  deployDisabled: 'paved.deploy.disabled',
  /** True while at least one service log is being followed. */
  logsFollowing: 'paved.logs.following',
} as const;

/** The "Get started with Paved" walkthrough: package.json `contributes.walkthroughs[].id`. */
export const WALKTHROUGH_ID = 'getStarted';

/**
 * Its steps, by the event that completes them: the step's id in package.json and the context key its `onContext:`
 * completion event waits for (set by walkthrough.ts when the event really happens).
 */
export const WalkthroughSteps = {
  catalogOpened: { step: 'openCatalog', key: 'paved.walkthrough.catalogOpened' },
  quickFixApplied: { step: 'fixFinding', key: 'paved.walkthrough.quickFixApplied' },
  serviceCreated: { step: 'newService', key: 'paved.walkthrough.serviceCreated' },
  deployedHealthy: { step: 'deployLocal', key: 'paved.walkthrough.deployedHealthy' },
  platformConnected: { step: 'connect', key: 'paved.walkthrough.platformConnected' },
} as const;

/** URI scheme of read-only manifests of services that are not in the workspace. */
export const MANIFEST_SCHEME = 'paved-manifest';

/** workspaceState keys. */
export const StateKeys = {
  catalogGroupBy: 'paved.catalog.groupBy',
  catalogMyTeams: 'paved.catalog.myTeams',
  /** Deployments being watched, recorded before they start so a reload re-attaches (DeploymentRecord[]). */
  runningDeployments: 'paved.deploy.running',
  /** The owner team last used in New Service (globalState). */
  lastOwner: 'paved.scaffold.lastOwner',
  /** The service logs being followed, with the cursor of the last line shown (FollowedLog[]). */
  followedLogs: 'paved.logs.following',
  /** Files a golden-path upgrade left with conflict markers, listed in Problems until resolved (string[] of fs paths). */
  upgradeConflicts: 'paved.upgrade.conflicts',
} as const;
