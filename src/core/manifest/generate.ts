/**
 * Build step (`npm run generate:manifests`): embeds schemas/policies.default.yaml into
 * src/core/policy/defaultPolicies.generated.ts so the bundles carry it without a file read or a loader.
 * test/unit/core/policy/policy.test.ts fails when the generated file is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const POLICIES_YAML = path.join(ROOT, 'schemas', 'policies.default.yaml');
export const POLICIES_TS = path.join(ROOT, 'src', 'core', 'policy', 'defaultPolicies.generated.ts');

export function renderDefaultPolicies(yamlText: string): string {
  return (
    '// Generated from schemas/policies.default.yaml by `npm run generate:manifests`. Do not edit.\n' +
    `export const DEFAULT_POLICIES_YAML = ${JSON.stringify(yamlText)};\n`
  );
}

if (require.main === module) {
  fs.writeFileSync(POLICIES_TS, renderDefaultPolicies(fs.readFileSync(POLICIES_YAML, 'utf8')));
  process.stdout.write(`wrote ${path.relative(ROOT, POLICIES_TS)}\n`);
}
