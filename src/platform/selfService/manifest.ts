/**
 * The manifest a deployment is checked against, and the policy gate: the paved.yaml the platform will build from when
 * it is on this machine (the one the caller named, the workspace manifest, or the source folder's), else the
 * catalog's copy. Errors refuse the deployment before anything is sent — with the policy set the platform uses
 * (policies.ts) — and the platform's own refusal (`policy-violation`) comes back the same way, its findings placed
 * on the manifest.
 */
import * as fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { placeFindings } from '../../core/manifest';
import { gateFindings, gateLines, manifestFileCandidates, policyGate, type GateFinding } from '../../core/wizard/deploy';
import type { PlatformBackend } from '../backend';
import { PolicyViolationError } from '../errors';
import type { DeployContext } from './context';
import { gatePolicies } from './policies';

/** A manifest the caller already has: a file on this machine, or the text of an open document. */
export type ManifestSource = { file: string } | { text: string; fileName?: string };

export interface ManifestToCheck {
  text: string;
  /** `paved.yaml` or `catalog-info.yaml`: which rules apply. */
  fileName: string;
  /** The parsed document (the approval rule reads it). */
  object: unknown;
  /** The file on this machine it was read from, when it was. */
  file?: string;
}

/** A deployment refused for its manifest: by the gate here (nothing was sent), or by the platform (nothing was started). */
export interface Refused {
  status: 'refused';
  service: string;
  environment: string;
  /** One line per error: `line:col message (rule)`. */
  problems: string[];
  /** Who refused: this side's gate, or the platform (`policy-violation`). */
  by: 'gate' | 'platform';
  /** The findings, placed on the manifest (the platform's: every one it listed, warnings and waived ones too). */
  findings: GateFinding[];
  /** The manifest they are placed on. */
  manifest: ManifestToCheck;
  /** The policy set the platform named (platform refusals). */
  policySet?: { name: string; version: string };
}

const readFromDisk = (file: string) => fs.promises.readFile(file, 'utf8');

export async function manifestToCheck(
  backend: PlatformBackend,
  service: string,
  given: ManifestSource | undefined,
  readFile: (file: string) => Promise<string> = readFromDisk,
  signal?: AbortSignal,
): Promise<ManifestToCheck> {
  const fromText = (text: string, fileName = 'paved.yaml'): ManifestToCheck => ({ text, fileName, object: parse(text) as unknown });
  if (given && 'text' in given) return fromText(given.text, given.fileName);
  if (given) return { ...fromText(await readFile(given.file)), file: given.file };
  const info = await backend.getService(service, { signal });
  const file = manifestFileCandidates(info).find((f) => fs.existsSync(f));
  if (file) return { ...fromText(await readFile(file)), file };
  return { text: stringify(info.manifest), fileName: info.manifestKind === 'catalog-info.yaml' ? 'catalog-info.yaml' : 'paved.yaml', object: info.manifest };
}

/**
 * The policy gate for a deployment of `service` to `environment`, on the deploying platform's merged set: a refusal
 * when the manifest has errors.
 */
export async function policyRefusal(ctx: DeployContext, backend: PlatformBackend, manifest: ManifestToCheck, service: string, environment: string): Promise<Refused | undefined> {
  const { set, context } = await gatePolicies(ctx, backend, manifest.file);
  const gate = policyGate(manifest.text, manifest.fileName, environment, { policies: set, context });
  return gate.errors.length > 0 ? { status: 'refused', by: 'gate', service, environment, problems: gate.lines, findings: gate.errors, manifest } : undefined;
}

/** The platform's `policy-violation` as a refusal, its findings placed on the manifest; undefined for any other error. */
export function platformRefusal(err: unknown, manifest: ManifestToCheck, service: string, environment: string): Refused | undefined {
  if (!(err instanceof PolicyViolationError)) return undefined;
  const placed = manifest.fileName === 'paved.yaml' || /paved\.ya?ml$/i.test(manifest.fileName) ? placeFindings(manifest.text, err.findings) : err.findings.map((f) => ({ ...f, offset: 0, length: 0 }));
  const findings = gateFindings(manifest.text, placed.map(({ on: _on, ...f }) => f));
  const errors = findings.filter((f) => f.severity === 'error');
  const refused: Refused = { status: 'refused', by: 'platform', service, environment, problems: gateLines(errors.length > 0 ? errors : findings), findings, manifest };
  if (err.policySet) refused.policySet = err.policySet;
  return refused;
}
