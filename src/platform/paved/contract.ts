/**
 * The Paved Platform API contract (`schemas/platform-api.yaml`, OpenAPI 3.1) as compiled response validators.
 *
 * Bundling: the YAML file is read at run time from the package root, not imported. The extension passes its
 * `context.extensionPath` (the VSIX ships `schemas/**`, see .vscodeignore); the CLI (dist/cli.js) and the tests find
 * the root by walking up from this module to the directory holding `schemas/platform-api.yaml`. This keeps one
 * source of truth that the server (request validation) and the client share, works unchanged under tsx and esbuild,
 * and needs no esbuild loader (tsx, which runs the tests, has none for `.yaml`).
 *
 * Each component schema is compiled once, on first use, and cached per contract file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type * as api from '../../core/api/types';
import type { DeliveryService, FeedbackItem } from '../../core/insights';
import { PlatformError } from '../errors';
import { SchemaSet } from '../schema';
import type { ResponseValidator } from '../transport';

/** `ServiceFacets` (`GET /v1/service-facets`): exact counts over the whole catalog, each list ordered by value. */
export interface ServiceFacetsWire {
  total: number;
  owners: { value: string; count: number }[];
  systems: { value: string; count: number }[];
  lifecycles: { value: string; count: number }[];
}

/** `Workspace` (`PUT /v1/workspaces/{id}`): one client's folders the local platform reads the catalog from. */
export interface WorkspaceWire {
  id: string;
  folders: string[];
  pid?: number;
  label?: string;
  attachedAt: string;
}

export const CONTRACT_FILE = path.join('schemas', 'platform-api.yaml');
const SCHEMA_ID = 'https://paved.dev/schemas/platform-api/v1';

/** The package root: `start` or its nearest ancestor holding schemas/platform-api.yaml. */
export function findPackageRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, CONTRACT_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new PlatformError('invalid-input', `Cannot find ${CONTRACT_FILE} above ${start}; the Paved installation is incomplete.`, {
        action: 'show-log',
      });
    }
    dir = parent;
  }
}

/** Rewrites OpenAPI `#/components/schemas/X` refs into `#/$defs/X` so the component schemas form one JSON Schema. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace(/^#\/components\/schemas\//, '#/$defs/') : rewriteRefs(v);
  }
  return out;
}

export class PavedContract {
  readonly schemas: SchemaSet;
  readonly file: string;
  readonly componentNames: readonly string[];

  constructor(file: string, text: string) {
    this.file = file;
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (err) {
      throw new PlatformError('invalid-input', `${file} is not valid YAML.`, { cause: err, detail: err instanceof Error ? err.message : String(err) });
    }
    const components = (doc as { components?: { schemas?: Record<string, unknown> } } | null)?.components?.schemas;
    if (!components || typeof components !== 'object') {
      throw new PlatformError('invalid-input', `${file} has no components.schemas.`);
    }
    this.componentNames = Object.keys(components);
    this.schemas = new SchemaSet();
    this.schemas.add(SCHEMA_ID, { $defs: rewriteRefs(components) });
  }

  /** The validator of one component schema, compiled once. */
  validator<T>(component: string): ResponseValidator<T> {
    return this.schemas.validator<T>(`${SCHEMA_ID}#/$defs/${component}`, component);
  }

  get health() {
    return this.validator<api.Health>('Health');
  }
  get servicePage() {
    return this.validator<api.Page<api.ServiceSummary>>('ServicePage');
  }
  get serviceDetails() {
    return this.validator<api.ServiceDetails>('ServiceDetails');
  }
  get teamPage() {
    return this.validator<api.Page<api.Team>>('TeamPage');
  }
  get environmentList() {
    return this.validator<api.EnvironmentList>('EnvironmentList');
  }
  get templatePage() {
    return this.validator<api.Page<api.TemplateSummary>>('TemplatePage');
  }
  get templateDetails() {
    return this.validator<api.TemplateDetails>('TemplateDetails');
  }
  get templateVersionPage() {
    return this.validator<api.Page<api.TemplateVersion>>('TemplateVersionPage');
  }
  insights<T>(section: string): ResponseValidator<T> {
    return this.validator<T>(`${section[0].toUpperCase()}${section.slice(1)}Insights`);
  }
  get deliveryServicePage() {
    return this.validator<api.Page<DeliveryService>>('DeliveryServicePage');
  }
  get feedbackItem() {
    return this.validator<FeedbackItem>('FeedbackItem');
  }
  get goldenPathAdoption() {
    return this.validator<api.GoldenPathAdoption>('GoldenPathAdoption');
  }
  get scaffoldTask() {
    return this.validator<api.ScaffoldTask>('ScaffoldTask');
  }
  get taskEvent() {
    return this.validator<api.TaskEvent>('TaskEvent');
  }
  get deployment() {
    return this.validator<api.Deployment>('Deployment');
  }
  get deploymentPage() {
    return this.validator<api.Page<api.Deployment>>('DeploymentPage');
  }
  get deploymentEvent() {
    return this.validator<api.DeploymentEvent>('DeploymentEvent');
  }
  get policySet() {
    return this.validator<api.PolicySet>('PolicySet');
  }
  get catalogNames() {
    return this.validator<api.CatalogNamesList>('CatalogNames');
  }
  get doraMetrics() {
    return this.validator<api.DoraMetrics>('DoraMetrics');
  }
  get feedback() {
    return this.validator<api.Feedback>('Feedback');
  }
  get serviceFacets() {
    return this.validator<ServiceFacetsWire>('ServiceFacets');
  }
  get workspace() {
    return this.validator<WorkspaceWire>('Workspace');
  }
  get resourceTypeList() {
    return this.validator<api.ResourceTypeList>('ResourceTypeList');
  }
  get claimPage() {
    return this.validator<api.ClaimPage>('ClaimPage');
  }
  get revealedClaimOutput() {
    return this.validator<api.RevealedClaimOutput>('RevealedClaimOutput');
  }
  get workspaceList() {
    return this.validator<{ items: WorkspaceWire[] }>('WorkspaceList');
  }
}

const loaded = new Map<string, PavedContract>();

/** Loads (once per file) the contract under `root` (default: found from this module). */
export function loadPavedContract(root?: string): PavedContract {
  const file = path.join(root ?? findPackageRoot(), CONTRACT_FILE);
  let contract = loaded.get(file);
  if (!contract) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new PlatformError('invalid-input', `Cannot read the Paved API contract ${file}; the Paved installation is incomplete.`, {
        cause: err,
        action: 'show-log',
      });
    }
    contract = new PavedContract(file, text);
    loaded.set(file, contract);
  }
  return contract;
}
