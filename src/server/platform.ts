/**
 * The local platform: composes its rooms — the catalog (catalog/), golden paths and scaffold tasks (scaffold/),
 * deployments into loopback process slots (deploy/), logs, health, SLOs, restart and stop of what runs (operations/),
 * feedback and idempotency records — over one state dir, loads
 * them in order and stops them. Each room knows the others only through the narrow interfaces passed in here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Environment } from '../core/api/types';
import { asV1 } from '../core/catalog';
import { DEFAULT_ENVIRONMENTS } from '../core/deploy';
import { secretEnvValues } from '../core/operations';
import { LocalCatalog } from './catalog/localCatalog';
import { ServiceViews } from './catalog/serviceViews';
import { Deployments } from './deploy/deployments';
import { systemHost, type ProcessHost } from './deploy/processes';
import { httpProbe, type HealthProbe } from './deploy/watch';
import { Operations } from './operations/operations';
import { FeedbackStore } from './feedback';
import { onQuarantine } from './store';
import { IdempotencyStore } from './idempotency';
import { FeedbackStates } from './insights/feedbackStates';
import { PlatformInsights } from './insights/insights';
import { ComplianceSnapshots } from './insights/snapshots';
import { PolicyGate } from './policy/gate';
import { policiesFileIn, policySet } from './policy/policies';
import { defaultCacheDir } from './resources/drivers/pglite';
import { ResourceService } from './resources/service';
import { TemplateLibrary } from './scaffold/library';
import { ScaffoldTasks } from './scaffold/tasks';

export interface PlatformOptions {
  stateDir: string;
  workspaces: readonly string[];
  /** Template roots, built-in golden paths first. */
  templateRoots: readonly string[];
  /** First port of the `local` range; staging = +1000, production = +2000 (each 1000 ports). */
  portBase?: number;
  log?: (line: string) => void;
  /** Injected clock for tests of history (defaults to Date.now). */
  now?: () => Date;
  /** Processes and ports, and health requests (tests pass fakes; default: the operating system's, HTTP). */
  host?: ProcessHost;
  probe?: HealthProbe;
  /**
   * Secret values a service gets in an environment beyond the variables its `spec.secrets` names (e.g. resource
   * outputs): they are redacted from its logs. The hook for rooms that hand out secrets.
   */
  secretValues?: (service: string, environment: string) => readonly string[];
  /** Directories of resource type definitions (`paved serve --resources`). */
  resourceDirs?: readonly string[];
  /** Where PGlite is installed on first use when it is not next to Paved (default: defaultCacheDir()). */
  cacheDir?: string;
}

export class LocalPlatform {
  readonly environments: Environment[];
  /** PAVED_OWNER of every process this state dir's platform starts. */
  readonly owner: string;
  /** `<state-dir>/policies.yaml`: the platform's policy set when it exists. */
  readonly policiesFile: string;
  /** The platform's policies at deploy and promote time, and in scorecards. */
  readonly policy: PolicyGate;
  readonly catalog: LocalCatalog;
  readonly services: ServiceViews;
  readonly templates: TemplateLibrary;
  readonly scaffold: ScaffoldTasks;
  readonly deployments: Deployments;
  readonly operations: Operations;
  readonly feedback: FeedbackStore;
  readonly idempotency: IdempotencyStore;
  readonly resources: ResourceService;
  /** Stops reporting quarantined state files to this platform's log. */
  private readonly unhearQuarantine: () => void;
  readonly feedbackStates: FeedbackStates;
  readonly complianceSnapshots: ComplianceSnapshots;
  readonly insights: PlatformInsights;

  constructor(opts: PlatformOptions) {
    const log = opts.log ?? (() => undefined);
    const now = opts.now ?? (() => new Date());
    const dir = opts.stateDir;
    const host = opts.host ?? systemHost;
    const base = opts.portBase ?? 41000;
    this.environments = DEFAULT_ENVIRONMENTS.map((e) => ({ ...e, portRange: { from: base + e.order * 1000, to: base + e.order * 1000 + 999 } }));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.owner = createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16);
    this.policiesFile = policiesFileIn(dir);
    // A corrupt state file is moved aside (store.ts) so the platform starts; the log says which and what it means.
    this.unhearQuarantine = onQuarantine((m) => log(`paved serve: ${m}`));

    this.catalog = new LocalCatalog({
      workspaces: opts.workspaces,
      registrationsFile: path.join(dir, 'registrations.jsonl'),
      now,
      log,
      isAlive: (pid) => host.isAlive(pid),
      startedAt: new Date().toISOString(),
    });
    this.policy = new PolicyGate({ policiesFile: this.policiesFile, catalog: this.catalog, now });
    this.resources = new ResourceService({
      stateDir: dir,
      owner: this.owner,
      host,
      environments: this.environments,
      catalog: { manifestOf: (service) => this.catalog.v1Manifest(service), declaresClaims: (service) => this.catalog.declaresClaims(service) },
      resourceDirs: opts.resourceDirs ?? [],
      cacheDir: opts.cacheDir ?? defaultCacheDir(),
      // Resources serve above the environments' ranges: base+3000 … base+3999.
      ports: { from: base + 3000, to: base + 3999 },
      now,
      log,
      activeDeployment: (service, environment) => this.deployments.activeIn(service, environment),
    });
    const probe = opts.probe ?? httpProbe;
    const secrets = (service: string, environment: string, manifest: Record<string, unknown>): readonly string[] => [
      ...secretEnvValues(manifest, environment, process.env),
      ...(opts.secretValues?.(service, environment) ?? []),
    ];
    this.deployments = new Deployments({ stateDir: dir, environments: this.environments, owner: this.owner, catalog: this.catalog, policy: this.policy, now, log, host, probe, secrets, resources: this.resources });
    this.operations = new Operations({ stateDir: dir, environments: this.environments, catalog: this.catalog, runtime: this.deployments, isAlive: (pid) => host.isAlive(pid), probe, now, log, secrets });
    this.services = new ServiceViews(this.catalog, this.deployments, this.policy, (service) => this.operations.healthOf(service), this.resources);
    this.templates = new TemplateLibrary(opts.templateRoots, log);
    this.scaffold = new ScaffoldTasks(path.join(dir, 'tasks'), this.templates, now);
    this.feedback = new FeedbackStore(path.join(dir, 'feedback.jsonl'), this.catalog, now);
    this.idempotency = new IdempotencyStore(path.join(dir, 'idempotency.jsonl'), now);
    this.feedbackStates = new FeedbackStates(path.join(dir, 'feedback-states.jsonl'), now);
    this.complianceSnapshots = new ComplianceSnapshots(path.join(dir, 'insights', 'compliance.jsonl'));
    const policiesFile = this.policiesFile;
    const catalog = this.catalog;
    this.insights = new PlatformInsights(
      {
        catalog,
        templates: this.templates,
        tasks: this.scaffold,
        deployments: this.deployments,
        environments: this.environments,
        feedback: this.feedback,
        policy: {
          rules: () => policySet(policiesFile).rules.map((r) => ({ id: r.id, mandatory: r.mandatory === true })),
          // catalog-info.yaml services have no scorecard (as in their details); the gate's scorecard judges today's waivers.
          evaluate: (e) => {
            if (e.manifestKind === 'catalog-info.yaml') return undefined;
            const card = this.policy.scorecard(e, asV1(e.manifest));
            const waived = card.waived ?? [];
            return {
              results: [...card.results, ...waived.map((w) => ({ ruleId: w.ruleId, passed: false }))],
              waivers: waived.map((w) => ({ rule: w.ruleId, reason: w.reason, expires: w.expires, valid: true, ...(w.approvedBy ? { approvedBy: w.approvedBy } : {}) })),
            };
          },
        },
        now,
      },
      this.feedbackStates,
      this.complianceSnapshots,
    );
  }

  /** Loads state, reaps processes an earlier (killed) instance left behind and marks its unfinished work failed. */
  async load(): Promise<void> {
    this.feedback.load();
    this.feedbackStates.load();
    this.complianceSnapshots.load();
    this.idempotency.load();
    await this.resources.load();
    await this.deployments.load();
    this.scaffold.load();
    this.templates.reload();
    await this.catalog.load();
    this.operations.start();
  }

  /** Cancels deployments in progress, stops every service process this platform started, closes the journals. */
  async stop(): Promise<void> {
    await this.operations.stop();
    await this.deployments.stop();
    await this.resources.stop();
    this.catalog.close();
    this.feedback.close();
    this.feedbackStates.close();
    this.complianceSnapshots.close();
    this.idempotency.close();
    this.unhearQuarantine();
  }

  /** Number of service processes running now. */
  runningServices(): number {
    return this.deployments.runningServices();
  }

  /** True while a deployment or scaffold task is in progress. */
  busy(): boolean {
    return this.deployments.busy() || this.scaffold.busy();
  }

  /** Manifests under the workspace folders that could not be read (as of the last scan). */
  get catalogErrors(): readonly string[] {
    return this.catalog.errors;
  }

  /** Template directories that were not loaded, and why. */
  get templateErrors(): readonly string[] {
    return this.templates.errors;
  }

  /** Resource type definitions that were not loaded, and why. */
  get resourceErrors(): readonly string[] {
    return this.resources.types.errors;
  }
}
