import type * as vscode from 'vscode';
import { UserCancelledError } from '../core/errors';
import type { Deployment } from '../core/api/types';
import type { CommandRunner } from './commands';
import type { DeployContext } from '../platform/selfService';
import { DeployComponent } from './deploy/deployCommands';
import { RefusalDiagnostics } from './deploy/refusals';
import { DeploymentLogs } from './deployments/deploymentLogs';
import { StateKeys } from './ids';
import { Component } from './lifecycle';
import type { Logger } from './log';
import type { BackendSource } from './platform/connection';
import { GoldenPathsView } from './scaffold/goldenPathsView';
import { ScaffoldComponent } from './scaffold/scaffoldCommand';
import { BACK, type QuickInputs } from './ui/quickInputs';

/** Hooks the integration tests use through PavedApi.selfService. */
export interface SelfServiceTestHooks {
  /** The value an input returns for the Back button (the extension bundle's own symbol). */
  readonly BACK: typeof BACK;
  /** The error an input throws when the user dismisses it (the extension bundle's UserCancelledError). */
  dismissed(): Error;
  /** Replaces the QuickPick/InputBox/confirm UI of New Service and Deploy (undefined: back to the real one). */
  setQuickInputs(inputs: QuickInputs | undefined): void;
  /** Disposes the deploy component and builds a new one, as a window reload would: it re-attaches recorded deployments. */
  recreateDeploy(): DeployComponent;
  /** Forgets the owner team New Service remembered (so the owner step is asked again). */
  forgetLastOwner(): Thenable<void>;
  /** Replaces where New Service and Deploy get their backend (e.g. a wrapper that misbehaves); undefined restores it. */
  setBackendSource(source: BackendSource | undefined): void;
  /** Sets how many deployment logs are kept (MAX_DEPLOYMENT_LOGS by default); the least recently used beyond it are disposed now. */
  setMaxDeploymentLogs(max: number): void;
}

/**
 * New Service, Deploy, Roll Back, Promote: the editor's face of the self-service flows (src/platform/selfService). One
 * component so the composition root adds a single line; `deploy` is replaceable (recreateDeploy) to simulate a window
 * reload in tests.
 */
export class SelfService extends Component {
  readonly scaffold: ScaffoldComponent;
  readonly goldenPaths: GoldenPathsView;
  /** One output per deployment ("Paved: payments-api → staging #<id>"), kept across a re-created deploy component. */
  readonly logs: DeploymentLogs;
  /** Deployments refused for their manifest: the findings in Problems. */
  readonly refusals: RefusalDiagnostics;
  private deployComponent: DeployComponent;
  private inputsOverride: QuickInputs | undefined;
  private sourceOverride: BackendSource | undefined;
  /** What the components call: the connection, or the test's replacement (asking for a token as the connection does). */
  private readonly source: BackendSource = {
    current: () => (this.sourceOverride ?? this.deps.connection).current(),
    ensureToken: async (url, why) => {
      const source = this.sourceOverride?.ensureToken ? this.sourceOverride : this.deps.connection;
      await source.ensureToken?.(url, why);
    },
  };
  readonly testHooks: SelfServiceTestHooks;

  constructor(
    private readonly deps: {
      commands: CommandRunner;
      connection: BackendSource;
      log: Logger;
      workspaceState: vscode.Memento;
      globalState: vscode.Memento;
      track?: (deployment: Deployment) => void;
      /** Fires when the platform connection changes (the Golden Paths view reloads). */
      onDidChangeConnection?: vscode.Event<void>;
      /** The policy set and catalog names the deploy gate checks with (the linter's). */
      policies?: DeployContext['policies'];
      /** The platform refused a manifest the gate let through. */
      onRefusedByPlatform?: () => void;
    },
  ) {
    super();
    this.logs = this.register(new DeploymentLogs(deps.commands, this.source, deps.log.child('deployment-logs')));
    this.refusals = this.register(new RefusalDiagnostics());
    this.deployComponent = this.makeDeploy();
    this.scaffold = this.register(
      new ScaffoldComponent({
        commands: deps.commands,
        connection: this.source,
        log: deps.log.child('scaffold'),
        globalState: deps.globalState,
        deploy: (service, environment) => deps.commands.run('paved.deploy', (a: unknown) => this.deploy.deploy(a as never), [{ service, environment }]),
      }),
    );
    this.register({ dispose: () => this.deployComponent.dispose() });
    this.goldenPaths = this.register(new GoldenPathsView(this.source, deps.onDidChangeConnection));
    const scaffoldDefault = this.scaffold.inputs;
    this.testHooks = {
      BACK,
      dismissed: () => new UserCancelledError('Dismissed'),
      setQuickInputs: (inputs) => {
        this.inputsOverride = inputs;
        this.scaffold.inputs = inputs ?? scaffoldDefault;
        if (inputs) this.deployComponent.inputs = inputs;
      },
      forgetLastOwner: () => deps.globalState.update(StateKeys.lastOwner, undefined),
      setBackendSource: (source) => {
        this.sourceOverride = source;
      },
      setMaxDeploymentLogs: (max) => {
        this.logs.max = max;
        this.logs.trim();
      },
      recreateDeploy: () => {
        this.deployComponent.dispose();
        this.deployComponent = this.makeDeploy();
        return this.deployComponent;
      },
    };
  }

  get deploy(): DeployComponent {
    return this.deployComponent;
  }

  private makeDeploy(): DeployComponent {
    const d = new DeployComponent({
      commands: this.deps.commands,
      connection: this.source,
      log: this.deps.log.child('deploy'),
      state: this.deps.workspaceState,
      track: this.deps.track,
      logs: this.logs,
      refusals: this.refusals,
      ...(this.deps.policies ? { policies: this.deps.policies } : {}),
      ...(this.deps.onRefusedByPlatform ? { onRefusedByPlatform: this.deps.onRefusedByPlatform } : {}),
    });
    if (this.inputsOverride) d.inputs = this.inputsOverride;
    return d;
  }
}
