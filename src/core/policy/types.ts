import type { Severity } from '../severity';

/** What a policy check depends on besides the manifest (the lint engine passes it through as `LintOptions.context`). */
export interface LintContext {
  /** The environment being deployed to, for rules with `when.environment`. */
  environment?: string;
  /** Names (or `service:<name>` refs) of deprecated services, for `no-deprecated-dependency`. */
  deprecatedServices?: ReadonlySet<string>;
}

export interface PolicyWhen {
  /** Only for these `metadata.lifecycle` values. */
  lifecycle?: string[];
  /** Only when linting for one of these environments (`LintContext.environment`). */
  environment?: string[];
  /** Only when the manifest matches this JSON Schema. */
  schema?: object | boolean;
}

export interface PolicyRule {
  id: string;
  severity: Severity;
  /** false: switched off (never for a mandatory rule after merging). */
  enabled: boolean;
  /** Set by the platform: a repository cannot switch it off or lower its severity. */
  mandatory: boolean;
  description?: string;
  docsUrl?: string;
  when?: PolicyWhen;
  /** JSON Schema the manifest must match. */
  condition: object | boolean;
  /** JSON pointer of the node a violation points at (nearest existing ancestor when missing). */
  path?: string;
  message: string;
  /** A built-in quick fix. */
  fix?: 'move-env-to-secret';
  /** Where the rule came from (file name or "default"). */
  source: string;
}

export interface PolicySet {
  name: string;
  rules: PolicyRule[];
  /** Overrides a merge refused (a repository trying to switch off or weaken a mandatory rule). */
  notes: string[];
}

/** As on the wire (`GET /v1/services/{name}`); the score is the weighted share of applicable rules that pass (error 3, warning 2, info 1, hint 1). */
export type { Scorecard, ScorecardResult } from '../api/types';
