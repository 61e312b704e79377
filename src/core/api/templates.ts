/** Wire types of the Platform API: templates (golden paths), their versions and adoption, and scaffold tasks. */
export interface TemplateSummary {
  id: string;
  title: string;
  description: string;
  owner: string;
  /** Semantic version. */
  version: string;
  tags: string[];
}

export interface TemplateDetails extends TemplateSummary {
  /** JSON Schema (draft 2020-12 subset) of the values; always requires at least `name` and `owner`. */
  parameters: JsonSchemaObject;
  /** Relative paths of the files the template produces (before placeholder substitution in paths). */
  files: string[];
  /** What changed in this version (Markdown), when the template says. */
  changelog?: string;
}

/** One published version of a golden path (`GET /v1/templates/{id}/versions`, newest first). */
export interface TemplateVersion {
  version: string;
  title: string;
  description: string;
  /** What changed in this version (Markdown). */
  changelog?: string;
}

export interface VersionAdoption {
  version: string;
  services: number;
  /** False for a version services record that the platform does not publish (any more). */
  published: boolean;
}

export interface TemplateAdoption {
  id: string;
  title?: string;
  /** The newest published version; absent when the platform does not know the template. */
  latest?: string;
  /** False when services name a template the platform does not serve. */
  known: boolean;
  services: number;
  /** Services on an older version than `latest`. */
  behind: number;
  /** Newest first: every published version, and any other version a service records. */
  versions: VersionAdoption[];
}

/** `GET /v1/golden-paths`: which services are on which golden path and version (computed by src/core/templates/adoption.ts). */
export interface GoldenPathAdoption {
  /** Services in the catalog. */
  total: number;
  /** Services on a golden path. */
  onGoldenPath: number;
  templates: TemplateAdoption[];
  /** Services on no golden path: their count and (at most `limit`) names, sorted. */
  offPavedRoad: { count: number; services: string[] };
}

/** A JSON Schema object, kept loose on the wire. */
export type JsonSchemaObject = Record<string, unknown>;

export interface CreateScaffoldTaskRequest {
  templateId: string;
  /** Exact template version; omitted → the current one. A mismatch is a 409 problem. */
  version?: string;
  values: Record<string, unknown>;
}

export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface ScaffoldFile {
  /** Relative POSIX path inside the target directory (checked: no `..`, not absolute). */
  path: string;
  /** UTF-8 text content. */
  content: string;
  /** Unix file mode, e.g. 420 (0o644) or 493 (0o755). */
  mode: number;
}

export interface ScaffoldResult {
  files: ScaffoldFile[];
  /** Human-readable next steps ("cd NAME", "npm test", "Deploy to local"). */
  nextSteps: string[];
}

export interface ScaffoldTask {
  id: string;
  templateId: string;
  templateVersion: string;
  values: Record<string, unknown>;
  state: TaskState;
  createdAt: string;
  finishedAt?: string;
  /** Present when state is `succeeded`. */
  result?: ScaffoldResult;
  /** Present when state is `failed`. */
  error?: string;
}

export type TaskEventType = 'log' | 'step' | 'completed' | 'failed';

export interface TaskEvent {
  /** 1-based, increasing per task; resume with `?after=seq`. */
  seq: number;
  type: TaskEventType;
  message: string;
  at: string;
}

