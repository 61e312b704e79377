/**
 * Manifest files as the server reads them: plain YAML (every document, paved.yaml and Backstage) for the catalog and
 * for the manifest a release deploys with. Policies and scorecards are the policy room's (policy/policies.ts).
 */
import { parseAllDocuments } from 'yaml';
import { PavedError } from '../core/errors';

/** Parses every YAML document of a manifest file into plain objects; syntax errors are invalid-input PavedErrors. */
export function parseManifestDocuments(text: string, fileName: string): unknown[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const out: unknown[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length > 0) {
      const e = d.errors[0];
      const line = e.linePos?.[0].line;
      throw new PavedError('invalid-input', `${fileName}${line ? `:${line}` : ''}: ${e.message.split('\n')[0]}`);
    }
    const value: unknown = d.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}
