import type { Severity } from '../severity';

/** Names in the connected platform's catalog, for the reference rules (known-owner, known-system, …). */
export interface CatalogNames {
  /** Team names (owners). */
  teams?: readonly string[];
  systems?: readonly string[];
  /** Service names (without `service:`). */
  services?: readonly string[];
  /** API names. */
  apis?: readonly string[];
}

/** What a policy check depends on besides the manifest (the lint engine passes it through as `LintOptions.context`). */
export interface LintContext {
  /** The environment being deployed to, for rules with `when.environment`. */
  environment?: string;
  /** Names (or `service:<name>` refs) of deprecated services, for `no-deprecated-dependency`. */
  deprecatedServices?: ReadonlySet<string>;
  /** The platform's catalog: without it (no platform), the reference rules pass. */
  catalog?: CatalogNames;
  /** Today, for waivers (default: the clock). */
  now?: () => Date;
}

export interface PolicyWhen {
  /** Only for these `metadata.lifecycle` values. */
  lifecycle?: string[];
  /** Only when linting for one of these environments (`LintContext.environment`). */
  environment?: string[];
  /** Only when the manifest matches this JSON Schema. */
  schema?: object | boolean;
  /** Only when the platform's catalog is known (`LintContext.catalog`). */
  catalog?: boolean;
}

/** A built-in quick fix of a rule. */
export type PolicyFix = 'move-env-to-secret' | 'nearest-name';

export interface PolicyRule {
  id: string;
  severity: Severity;
  /** false: switched off (never for a mandatory rule after merging). */
  enabled: boolean;
  /** Set by the platform: a repository cannot switch it off or lower its severity. */
  mandatory: boolean;
  /** false: set by the platform, a waiver of this rule is refused (default true). */
  waivable: boolean;
  description?: string;
  docsUrl?: string;
  when?: PolicyWhen;
  /** JSON Schema the manifest must match. */
  condition: object | boolean;
  /** JSON pointer of the node a violation points at (nearest existing ancestor when missing). */
  path?: string;
  message: string;
  /** A built-in quick fix. */
  fix?: PolicyFix;
  /** Where the rule came from (file name or "default"). */
  source: string;
}

/** A team's time-limited exception to one rule (in a manifest's `spec.waivers` or a policy set's `waivers`). */
export interface Waiver {
  rule: string;
  reason: string;
  /** Last day the waiver counts (YYYY-MM-DD, UTC). */
  expires: string;
  approvedBy?: string;
  /** Where it was written: `manifest` or the policy set file. */
  source: string;
  /** JSON pointer of the waiver in the manifest (manifest waivers only). */
  pointer?: string;
}

export interface PolicySet {
  name: string;
  /** The set's version (`metadata.version`, else a digest of its rules). */
  version?: string;
  rules: PolicyRule[];
  /** The longest a waiver may last, in days from today (the platform's set decides; a repository can only shorten it). */
  maxWaiverDays?: number;
  /** Waivers the set itself grants (a repository's `.paved/policies.yaml`). */
  waivers?: Waiver[];
  /** Overrides a merge refused (a repository trying to switch off or weaken a mandatory rule). */
  notes: string[];
}

/** One finding of the policies on one manifest: what the server returns, and what the lint engine places. */
export interface PolicyFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** JSON pointer into the (v1) manifest. */
  path: string;
  docsUrl?: string;
  /** The key at `path` is the problem (a forbidden key), not its value. */
  on?: 'key';
  /** A built-in quick fix. */
  fix?: PolicyFix;
  /** Near names for a reference the catalog does not know (quick fixes). */
  suggestions?: string[];
}

/** As on the wire (`GET /v1/services/{name}`); the score is the weighted share of applicable rules that pass (error 3, warning 2, info 1, hint 1). */
export type { Scorecard, ScorecardResult } from '../api/types';
