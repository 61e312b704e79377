/**
 * Resource types and claims, as the manifest engine, the platform and every face see them. Pure data.
 *
 * A *resource type* (postgres, volume, or one a platform team defines) says what a claim of it provides: its classes,
 * the JSON Schema of its parameters and its outputs (which of them are secret). A *claim* is a service's request for
 * one resource of a type (`spec.claims.NAME` in paved.yaml); its outputs are bound into the service's environment with
 * placeholders `${claims.NAME.OUTPUT}`.
 */

export interface ResourceClass {
  name: string;
  description?: string;
  /** The class a claim without `class` gets (one per type). */
  default?: boolean;
}

export interface ResourceOutput {
  name: string;
  description?: string;
  /** A secret output (a password, a URL with credentials) is never written, logged or shown in clear. */
  secret: boolean;
}

/** A resource type as `GET /v1/resource-types` lists it. */
export interface ResourceType {
  type: string;
  description: string;
  classes: ResourceClass[];
  /** JSON Schema of a claim's `params`. */
  params: Record<string, unknown>;
  outputs: ResourceOutput[];
  /** The output *Add Resource* binds into the environment (e.g. postgres: url → DATABASE_URL). */
  mainOutput?: string;
  /** The environment variable *Add Resource* binds the main output to. */
  mainEnv?: string;
  /** How the platform provisions it: a built-in driver (postgres, volume) or a team's commands (exec). */
  driver: string;
  /** `built-in` or the definition file it came from. */
  source: string;
}

/** The resource types a linter or a wizard knows, and whether the platform said so (else: Paved's built-ins only). */
export interface ResourceTypeCatalog {
  types: readonly ResourceType[];
  /**
   * True when the list came from the platform: a type not in it does not exist there (an error). False when only
   * Paved's built-in types are known (no platform, or one without resources): an unknown type is a warning.
   */
  authoritative: boolean;
}

/** One claim of a manifest (`spec.claims.NAME`). */
export interface Claim {
  name: string;
  type: string;
  /** Absent: the type's default class. */
  class?: string;
  params: Record<string, unknown>;
  /** A shared resource id: claims naming the same id (any service, any environment) share one resource. */
  id?: string;
}

/** A claim's state in one environment. */
export type ClaimState = 'pending' | 'provisioning' | 'ready' | 'failed' | 'orphaned';

/** A claim's status in one environment as the API shows it: secret outputs masked. */
export interface ClaimStatus {
  service: string;
  claim: string;
  environment: string;
  type: string;
  class: string;
  state: ClaimState;
  /** Why it failed, or what `pending` / `orphaned` mean for it. */
  reason?: string;
  /** The resource behind the claim (shared claims name the same one). */
  resourceId: string;
  /** Every output; secret ones masked as `MASK`. */
  outputs: Record<string, string>;
  /** Names of the secret outputs. */
  secretOutputs: string[];
  updatedAt?: string;
}

/** How a secret value is shown wherever a secret output appears. */
export const MASK = '********';

/** A claim name (a key of `spec.claims`): what placeholders can name. */
export const CLAIM_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
