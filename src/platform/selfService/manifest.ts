/**
 * The manifest a deployment is checked against, and the policy gate: the paved.yaml the platform will build from when
 * it is on this machine (the one the caller named, the workspace manifest, or the source folder's), else the
 * catalog's copy. Errors refuse the deployment before anything is sent.
 */
import * as fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { manifestFileCandidates, policyGate } from '../../core/wizard/deploy';
import type { PlatformBackend } from '../backend';

/** A manifest the caller already has: a file on this machine, or the text of an open document. */
export type ManifestSource = { file: string } | { text: string; fileName?: string };

export interface ManifestToCheck {
  text: string;
  /** `paved.yaml` or `catalog-info.yaml`: which rules apply. */
  fileName: string;
  /** The parsed document (the approval rule reads it). */
  object: unknown;
}

/** A deployment the policy gate refused: nothing was sent. */
export interface Refused {
  status: 'refused';
  service: string;
  environment: string;
  /** One line per error: `line:col message (rule)`. */
  problems: string[];
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
  if (given) return fromText(await readFile(given.file));
  const info = await backend.getService(service, { signal });
  const file = manifestFileCandidates(info).find((f) => fs.existsSync(f));
  if (file) return fromText(await readFile(file));
  return { text: stringify(info.manifest), fileName: info.manifestKind === 'catalog-info.yaml' ? 'catalog-info.yaml' : 'paved.yaml', object: info.manifest };
}

/** The policy gate for a deployment of `service` to `environment`: a refusal when the manifest has errors. */
export function policyRefusal(manifest: ManifestToCheck, service: string, environment: string): Refused | undefined {
  const gate = policyGate(manifest.text, manifest.fileName, environment);
  return gate.errors.length > 0 ? { status: 'refused', service, environment, problems: gate.lines } : undefined;
}
