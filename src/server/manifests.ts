/**
 * Manifest files as the server reads them: every YAML document of a paved.yaml or Backstage file as a plain object,
 * for the catalog and for the manifest a release deploys with. Parsed with the linter's parser (src/core/manifest):
 * linear in the size of the file, duplicate keys included, alias expansion bounded; larger files than
 * MAX_MANIFEST_BYTES are refused before they are read. Policies and scorecards are the policy room's
 * (policy/policies.ts).
 */
import * as fs from 'node:fs';
import { parseYaml } from '../core/manifest/parse';
import { toPlain } from '../core/manifest/tree';
import { PavedError } from '../core/errors';

/** The largest manifest the platform reads (a catalog entry is a few KB; 1 MiB is far beyond any real one). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Parses every YAML document of a manifest file into plain objects; syntax errors are invalid-input PavedErrors. */
export function parseManifestDocuments(text: string, fileName: string): unknown[] {
  const parsed = parseYaml(text);
  const error = parsed.findings.filter((f) => f.severity === 'error').sort((a, b) => a.offset - b.offset)[0];
  if (error) throw new PavedError('invalid-input', `${fileName}:${lineOf(text, error.offset)}: ${error.message}`);
  const out: unknown[] = [];
  for (const d of parsed.docs) {
    const value = toPlain(d.contents);
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** Reads and parses a manifest file, refusing one larger than MAX_MANIFEST_BYTES (named, with its size). */
export function readManifestFile(file: string, size = fs.statSync(file).size): unknown[] {
  if (size > MAX_MANIFEST_BYTES) {
    throw new PavedError('invalid-input', `${file}: ${(size / 1024 / 1024).toFixed(1)} MB is larger than the ${MAX_MANIFEST_BYTES / 1024 / 1024} MB the platform reads of a manifest; not read`);
  }
  return parseManifestDocuments(fs.readFileSync(file, 'utf8'), file);
}
