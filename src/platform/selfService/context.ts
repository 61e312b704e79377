/**
 * What a face gives a self-service flow. The editor, the CLI and (later) an AI agent's tools each implement these
 * small interfaces; the flows beside this file (deploy.ts, rollback.ts, promote.ts, scaffold.ts) hold every rule.
 * Plain Node: no vscode, no terminal.
 */
import type { Environment } from '../../core/api/types';
import type { LintContext, PolicySet } from '../../core/policy';
import type { CatalogService, PlatformBackend } from '../backend';
import type { DeploymentJournal } from './journal';

/** A deployment that needs the user's explicit approval before it is sent (again). */
export interface ApprovalRequest {
  /** The service as the deploying platform names it. */
  service: string;
  environment: string;
  /** The release to deploy; absent: a new release built from the source, or (promotion) the one in `promotedFrom`. */
  release?: string;
  /** Promotion: the environment whose running release is deployed. */
  promotedFrom?: string;
  /** `manifest`: the manifest requires approval here; `platform`: the platform answered with problem `approval-required`. */
  reason: 'manifest' | 'platform';
  /** What is to be approved: a deployment (default), or restarting or stopping what runs. */
  action?: 'deploy' | 'restart' | 'stop';
}

/** An earlier release a service can be deployed or rolled back to. */
export interface ReleaseChoice {
  release: string;
  /** Where it last succeeded. */
  environment: string;
  /** When that deployment finished (or was created). */
  at: string;
}

/** The questions a deploy, rollback or promotion may ask. A face that cannot ask (the CLI) answers from its flags or refuses. */
export interface SelfServicePrompts {
  /** Which service; asked only when the caller named none. `services` resolves to the ones that can be deployed. */
  pickService(services: Promise<CatalogService[]>, question: string): Promise<string>;
  /** Which environment (by name), among `environments`. */
  pickEnvironment(environments: Environment[], question: string): Promise<string>;
  /**
   * Which release: one of `releases`, or undefined for the default — a new release built from the source (deploy),
   * the release that served before the current one (rollback).
   */
  pickRelease(releases: Promise<ReleaseChoice[]>, question: { title: string; purpose: 'deploy' | 'rollback' }): Promise<string | undefined>;
  /** True to go ahead. False (or a thrown error) stops the flow; nothing is sent. Asked at most once per reason. */
  confirmApproval(request: ApprovalRequest): Promise<boolean>;
  /**
   * Makes sure there is a token for the Paved platform at `url` (a catalog entry deploys through it): asks for one
   * (saying `why`) or finds it configured; fails when there is none. Never the connected catalog's own token.
   */
  ensureToken(url: string, why: string): Promise<void>;
}

/** The policy set and lint context (the catalog's names) the client-side gate checks a manifest with. */
export interface GatePolicies {
  set: PolicySet;
  context: LintContext;
}

/** Everything a flow gets from its face. */
export interface FlowContext {
  /** The connected platform. It may not deploy itself (`capabilities.deployDelegation`: Backstage hands off to Paved). */
  backend: PlatformBackend;
  /** One line for the face's log (what was decided and why). */
  log?: (line: string) => void;
  /** Aborts the platform calls of the flow (the window closes, the process stops). */
  signal?: AbortSignal;
}

export interface DeployContext extends FlowContext {
  prompts: SelfServicePrompts;
  /** Where operations are recorded before their request is sent, so a restart re-attaches them (the editor's workspace state). */
  journal?: DeploymentJournal;
  /** Reads a manifest file on this machine (the editor saves unsaved changes first, with consent). Default: from disk. */
  readFile?: (file: string) => Promise<string>;
  /**
   * The policy set and catalog names the client-side gate checks with, for a manifest file (the editor's cached ones).
   * Default: asked of the deploying platform, merged with the repository's `.paved/policies.yaml` (policies.ts).
   */
  policies?: (backend: PlatformBackend, manifestFile: string | undefined) => Promise<GatePolicies>;
}
