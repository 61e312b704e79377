/** Shared types of the manifest engine. Offsets are UTF-16 offsets into the original text (BOM and CR included). */
import type { LintContext, PolicySet } from '../policy/types';
import type { Severity } from '../severity';
import type { ManifestKind } from './kinds';

/** ManifestKind: a kind of the table in kinds.ts, or 'unknown' for a file that is none. */
export type { LintContext, ManifestKind, Severity };

/** Replace `length` characters at `offset` with `newText`. Edits of one fix never overlap. */
export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  isPreferred?: boolean;
}

export type FindingSource = 'yaml' | 'schema' | 'policy' | 'secrets';

export interface Finding {
  offset: number;
  length: number;
  severity: Severity;
  /** `yaml/<code>`, `schema/<ajv keyword>`, a policy rule id, or `secrets/<detector>`. */
  ruleId: string;
  source: FindingSource;
  message: string;
  docsUrl?: string;
  fixes?: Fix[];
  /** Policy findings: the JSON pointer (v1 manifest) the rule failed at, as the platform reports it. */
  path?: string;
}


export interface LintOptions {
  /** Policy set for paved.yaml documents (default: `defaultPolicySet()`). */
  policies?: PolicySet;
  context?: LintContext;
  /** Files longer than this (in characters) get one finding instead of a lint (default 1,000,000; editors lint larger files on save). */
  maxSize?: number;
  /**
   * Longest text (characters) handed to the full `yaml` parser when the fast scanner cannot read it (YAML errors,
   * anchors, tags…): that parser takes about 2 ms per KB, so editors keep it off the typing path for big files.
   * Default 300,000; above it the file gets one finding instead.
   */
  maxFullParseSize?: number;
  /** What happens to a file above `maxSize`, for its finding (default: it is linted on save and by `paved lint` only). */
  tooLargeHint?: string;
  /** Skip the secret scanner. */
  skipSecrets?: boolean;
}

export interface LintResult {
  kind: ManifestKind;
  findings: Finding[];
}

export type Lifecycle = 'experimental' | 'production' | 'deprecated';
export type LinkType = 'docs' | 'runbook' | 'dashboard' | 'repo';

export interface ResourcesSpec {
  cpu?: string;
  memory?: string;
}
export interface ReplicasSpec {
  min: number;
  max?: number;
}
export interface SecretRef {
  ref: string;
}
export interface EnvironmentOverride {
  replicas?: ReplicasSpec;
  resources?: ResourcesSpec;
  env?: Record<string, string | number | boolean>;
  secrets?: Record<string, SecretRef>;
  image?: string;
  approval?: 'required' | 'none';
}

/** A `paved.dev/v1` manifest, typed after schemas/paved.v1.schema.json. */
export interface PavedManifest {
  apiVersion: 'paved.dev/v1';
  kind: 'Service';
  metadata: {
    name: string;
    title?: string;
    description?: string;
    owner?: string;
    system?: string;
    lifecycle?: Lifecycle;
    tags?: string[];
    links?: { title?: string; url: string; type?: LinkType }[];
    goldenPath?: { template: string; version?: string };
  };
  spec: {
    runtime: { name: 'node' | 'python' | 'java' | 'go' | 'dotnet' | 'ruby' | 'rust' | 'container'; version?: string };
    image?: string;
    build?: { command: string };
    run: { command: string; port?: number };
    health?: { path: string; port?: number; intervalSeconds?: number };
    resources?: ResourcesSpec;
    replicas?: ReplicasSpec;
    env?: Record<string, string | number | boolean>;
    secrets?: Record<string, SecretRef>;
    dependsOn?: string[];
    providesApis?: string[];
    consumesApis?: string[];
    slos?: { name: string; objective: number; window: string }[];
    oncall?: { schedule: string; escalation?: string };
    environments?: Record<string, EnvironmentOverride>;
  };
}

/** A `paved.dev/v1alpha1` manifest (deprecated): `metadata.team`, top-level `spec.command`/`spec.port`, `spec.healthcheck` string, integer `spec.replicas`. */
export interface PavedManifestV1alpha1 {
  apiVersion: 'paved.dev/v1alpha1';
  kind: 'Service';
  metadata: Omit<PavedManifest['metadata'], 'owner' | 'goldenPath'> & { team?: string };
  spec: Omit<PavedManifest['spec'], 'run' | 'health' | 'replicas' | 'oncall' | 'environments' | 'providesApis' | 'image'> & {
    command: string;
    port?: number;
    healthcheck?: string;
    replicas?: number;
  };
}
