/**
 * Pure parts of Deploy / Roll Back / Promote, shared by the editor and the CLI (no vscode): the CodeLens model of a
 * paved.yaml, the approval rule, the policy gate, the outcome message, and the records that let a deployment
 * survive a window reload.
 */
import { isMap, isScalar, parseDocument, type Pair } from 'yaml';
import type { Deployment } from '../api/types';
import { lint, LineIndex, type Finding } from '../manifest';
import type { LintContext, PolicySet } from '../policy';

export const DEPLOY_ENVIRONMENTS = ['local', 'staging', 'production'] as const;

export interface DeployLens {
  /** Offset/length of the anchor (`metadata.name` value, else the first line). */
  offset: number;
  length: number;
  service: string;
  environment: string;
  title: string;
}

/**
 * CodeLenses for a paved.yaml: "Deploy to local | staging | production" above `metadata:` (on the name's line when
 * there is no metadata key range). Nothing for a document that is not a Paved Service manifest or has no name.
 */
export function deployLenses(text: string): DeployLens[] {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (!isMap(doc.contents)) return [];
  const plain = doc.toJS() as unknown;
  if (!isRecord(plain) || plain.kind !== 'Service' || typeof plain.apiVersion !== 'string' || !plain.apiVersion.startsWith('paved.dev/')) return [];
  const name = isRecord(plain.metadata) ? plain.metadata.name : undefined;
  if (typeof name !== 'string' || name.trim() === '') return [];
  const metaPair = doc.contents.items.find((p: Pair) => isScalar(p.key) && p.key.value === 'metadata');
  if (!metaPair) return [];
  const anchor = isScalar(metaPair.key) && metaPair.key.range ? metaPair.key.range : [0, 0];
  const approvals = approvalEnvironments(plain);
  return DEPLOY_ENVIRONMENTS.map((env, i) => ({
    offset: anchor[0],
    length: anchor[1] - anchor[0],
    service: name,
    environment: env,
    title: `${i === 0 ? '$(rocket) Deploy to ' : ''}${env}${approvals.has(env) ? ' (approval)' : ''}`,
  }));
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Environments whose deployments the manifest says need approval (`spec.environments.<env>.approval: required`). */
export function approvalEnvironments(manifest: unknown): Set<string> {
  const out = new Set<string>();
  const spec = isRecord(manifest) && isRecord(manifest.spec) ? manifest.spec : undefined;
  const envs = spec && isRecord(spec.environments) ? spec.environments : {};
  for (const [env, cfg] of Object.entries(envs)) {
    if (isRecord(cfg) && (cfg.approval === 'required' || cfg.approval === true || cfg.requireApproval === true)) out.add(env);
  }
  return out;
}

/** Does deploying this manifest to this environment need the user's confirmation? */
export function needsApproval(manifest: unknown, environment: { name: string; approvalHonoured: boolean }): boolean {
  return environment.approvalHonoured && approvalEnvironments(manifest).has(environment.name);
}

/** A finding of the policy gate, placed in the manifest (1-based line and column, as editors and terminals show them). */
export interface GateFinding {
  ruleId: string;
  severity: Finding['severity'];
  message: string;
  /** JSON pointer of a policy finding (absent for schema and secret findings). */
  path?: string;
  docsUrl?: string;
  offset: number;
  length: number;
  line: number;
  column: number;
}

export interface PolicyGate {
  /** Every finding that refuses the deployment (errors: schema, policy, secrets), in document order. */
  errors: GateFinding[];
  /** One line per error, "line:col message (rule)", for the notification and the CLI. */
  lines: string[];
}

/** Findings placed in a text, with 1-based lines and columns, in document order. */
export function gateFindings(text: string, findings: readonly (Omit<GateFinding, 'line' | 'column'>)[]): GateFinding[] {
  const idx = new LineIndex(text);
  return [...findings]
    .sort((a, b) => a.offset - b.offset)
    .map((f) => {
      const p = idx.position(f.offset);
      return { ...f, line: p.line + 1, column: p.column + 1 };
    });
}

export function gateLines(findings: readonly GateFinding[]): string[] {
  return findings.map((f) => `${f.line}:${f.column} ${f.message} (${f.ruleId})`);
}

/**
 * Lints a manifest for a deployment to `environment` with the policy set the platform uses (the platform's merged
 * with the repository's, `options.policies`; the default set without one) and its catalog; error findings refuse it.
 */
export function policyGate(text: string, fileName: string, environment: string, options: { policies?: PolicySet; context?: LintContext } = {}): PolicyGate {
  const result = lint(text, fileName, { ...(options.policies ? { policies: options.policies } : {}), context: { ...options.context, environment }, skipSecrets: false });
  const errors = gateFindings(
    text,
    result.findings
      .filter((f) => f.severity === 'error')
      .map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, offset: f.offset, length: f.length, ...(f.path ? { path: f.path } : {}), ...(f.docsUrl ? { docsUrl: f.docsUrl } : {}) })),
  );
  return { errors, lines: gateLines(errors) };
}

export type OutcomeSeverity = 'info' | 'warning' | 'error';

export interface Outcome {
  severity: OutcomeSeverity;
  message: string;
  /** Buttons, in order. */
  actions: ('Open Service' | 'View Logs' | 'Roll Back')[];
}

/** What the user is told when a deployment ends. */
export function describeOutcome(d: Deployment): Outcome {
  const what = d.kind === 'rollback' ? 'Rollback of' : d.kind === 'promote' ? 'Promotion of' : d.kind === 'restart' ? 'Restart of' : 'Deployment of';
  const release = d.release ? ` (${d.release})` : '';
  switch (d.state) {
    case 'succeeded':
      return {
        severity: 'info',
        message: `${d.service}${release} is running in ${d.environment}${d.url ? ` at ${d.url}` : ''}.`,
        actions: d.url ? ['Open Service', 'View Logs'] : ['View Logs'],
      };
    case 'rolled-back':
      return {
        severity: 'warning',
        message: `${what} ${d.service} to ${d.environment} failed${d.error ? `: ${d.error}` : ''}. Automatic rollback: ${d.previousRelease ?? 'the previous release'} keeps serving.`,
        actions: d.url ? ['View Logs', 'Open Service'] : ['View Logs'],
      };
    case 'cancelled':
      return { severity: 'warning', message: `${what} ${d.service} to ${d.environment} was cancelled.`, actions: ['View Logs'] };
    default:
      return {
        severity: 'error',
        message: `${what} ${d.service} to ${d.environment} ${d.state === 'failed' ? 'failed' : `ended ${d.state}`}${d.error ? `: ${d.error}` : ''}.`,
        actions: d.previousRelease ? ['View Logs', 'Roll Back'] : ['View Logs'],
      };
  }
}

/** What Paved remembers about a deployment it watches, written before the deployment is requested. */
export interface DeploymentRecord {
  /** The Idempotency-Key of the request: re-sending it after a reload returns the same deployment. */
  key: string;
  kind: 'deploy' | 'rollback' | 'promote' | 'restart';
  service: string;
  environment: string;
  /** The request that was (or is about to be) sent. */
  request: Record<string, unknown>;
  /** Set once the platform answered. */
  id?: string;
  /** Last event seq seen: the stream resumes after it. */
  lastSeq: number;
  recordedAt: string;
  /** Which platform (base URL) it runs on: a record of another platform is not re-attached. */
  platform: string;
  /**
   * Set when the connected catalog has no deploy API (Backstage): the Paved platform URL the entity named, through
   * which the deployment was started and is re-attached.
   */
  via?: string;
}

/** Records with one replaced or added (by key). */
export function upsertRecord(records: readonly DeploymentRecord[], record: DeploymentRecord): DeploymentRecord[] {
  const i = records.findIndex((r) => r.key === record.key);
  return i < 0 ? [...records, record] : records.map((r, j) => (j === i ? record : r));
}

export function removeRecord(records: readonly DeploymentRecord[], key: string): DeploymentRecord[] {
  return records.filter((r) => r.key !== key);
}

/** Reads stored records, dropping anything malformed (the state may come from an older version). */
export function readRecords(raw: unknown): DeploymentRecord[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (r): r is DeploymentRecord =>
      isRecord(r) &&
      typeof r.key === 'string' &&
      typeof r.service === 'string' &&
      typeof r.environment === 'string' &&
      typeof r.lastSeq === 'number' &&
      typeof r.platform === 'string' &&
      (r.kind === 'deploy' || r.kind === 'rollback' || r.kind === 'promote' || r.kind === 'restart') &&
      isRecord(r.request),
  );
}

/**
 * Where the manifest a deployment will use lives on this machine: the workspace manifest, or the paved.yaml in the
 * source folder the platform snapshots (a registered service's catalog copy may be older than that file).
 */
export function manifestFileCandidates(info: { manifestPath?: string; manifestKind?: string; sourceDir?: string }): string[] {
  const out: string[] = [];
  if (info.manifestPath && info.manifestKind === 'paved.yaml') out.push(info.manifestPath);
  if (info.sourceDir) out.push(`${info.sourceDir.replace(/[\\/]+$/, '')}/paved.yaml`);
  return out;
}

/** A command argument naming a service: a string, a catalog tree item, a deployment, or CodeLens args. */
export function serviceFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg.trim() !== '') return arg;
  if (!isRecord(arg)) return undefined;
  for (const key of ['service', 'name', 'ref']) {
    const v = arg[key];
    if (typeof v === 'string' && v !== '') return v;
    if (isRecord(v) && typeof v.name === 'string') return v.name;
  }
  return undefined;
}
