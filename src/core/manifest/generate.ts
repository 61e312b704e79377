/**
 * Build step (`npm run generate:manifests`), run after editing anything under schemas/:
 *  - compiles the manifest schemas, the policy-set schema and the default policies' conditions with ajv's
 *    standalone code generator into src/core/{manifest,policy}/*.generated.ts, so neither the editor nor
 *    `paved lint` pays ajv's compile time (~250 ms) at start-up;
 *  - embeds schemas/policies.default.yaml as a string.
 * test/unit/core/manifest/generated.test.ts fails when a generated file is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { POLICY_AJV_OPTIONS } from '../policy/ajvOptions';
import { MANIFEST_AJV_OPTIONS, PRECOMPILED_MANIFEST } from './ajvOptions';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCHEMA_DIR = path.join(ROOT, 'schemas');

const HEADER = (from: string) =>
  `// Generated from ${from} by \`npm run generate:manifests\`. Do not edit.\n/* eslint-disable */\n// @ts-nocheck\n`;

function schemaFile(id: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${id}.schema.json`), 'utf8')) as Record<string, unknown>;
}

/** Rule id → export name for the default policies' precompiled conditions. */
export function policyExportName(ruleId: string): string {
  return 'rule_' + ruleId.replace(/[^A-Za-z0-9]/g, '_');
}

export function renderAll(): Record<string, string> {
  const out: Record<string, string> = {};
  const m = addFormats(new Ajv({ ...MANIFEST_AJV_OPTIONS, code: { source: true, esm: true } }));
  const refs: Record<string, string> = {};
  for (const [name, id] of Object.entries(PRECOMPILED_MANIFEST)) {
    const s = schemaFile(id);
    m.addSchema(s);
    refs[name] = s.$id as string;
  }
  out['src/core/manifest/validators.generated.ts'] = HEADER('schemas/*.schema.json') + standaloneCode(m, refs);

  const s2020 = addFormats(new Ajv2020({ ...MANIFEST_AJV_OPTIONS, code: { source: true, esm: true } }));
  const score = schemaFile('score');
  s2020.addSchema(score);
  out['src/core/manifest/scoreValidator.generated.ts'] = HEADER('schemas/score.schema.json') + standaloneCode(s2020, { score: score.$id as string });

  const policiesText = fs.readFileSync(path.join(SCHEMA_DIR, 'policies.default.yaml'), 'utf8');
  const p = addFormats(new Ajv({ ...POLICY_AJV_OPTIONS, code: { source: true, esm: true } }));
  const setSchema = schemaFile('policy-set');
  p.addSchema(setSchema);
  const prefs: Record<string, string> = { policySet: setSchema.$id as string };
  const set = parse(policiesText) as { rules: { id: string; condition?: unknown; when?: { schema?: unknown } }[] };
  for (const r of set.rules) {
    if (r.condition === undefined || typeof r.condition !== 'object') continue;
    const id = `https://paved.dev/policies/default/${r.id}`;
    p.addSchema({ ...(r.condition as object), $id: id });
    prefs[policyExportName(r.id)] = id;
  }
  out['src/core/policy/validators.generated.ts'] = HEADER('schemas/policy-set.schema.json and schemas/policies.default.yaml') + standaloneCode(p, prefs);
  out['src/core/policy/defaultPolicies.generated.ts'] =
    '// Generated from schemas/policies.default.yaml by `npm run generate:manifests`. Do not edit.\n' +
    `export const DEFAULT_POLICIES_YAML = ${JSON.stringify(policiesText)};\n` +
    `/** The same set, parsed (start-up skips a YAML parse). */\nexport const DEFAULT_POLICIES = ${JSON.stringify(set)};\n`;
  return out;
}

if (require.main === module) {
  for (const [file, text] of Object.entries(renderAll())) {
    fs.writeFileSync(path.join(ROOT, file), text);
    process.stdout.write(`wrote ${file} (${text.length} bytes)\n`);
  }
}
