/**
 * The answers file a scaffolded service keeps (`.paved/golden-path.yaml`): the golden path's id and version and the
 * parameter values it was rendered with, so the same version can be rendered again for a three-way upgrade (the way
 * Copier keeps `.copier-answers.yml`). Secret parameters (`writeOnly`, `format: password`, `ui:widget: password`) are
 * never written: an upgrade asks for them again. Pure: text in, text out.
 */
import { parse, stringify } from 'yaml';
import { PavedError } from '../errors';
import { isVersion } from './semver';

/** Where the answers file lives, relative to the service folder. */
export const ANSWERS_FILE = '.paved/golden-path.yaml';

export interface GoldenPathAnswers {
  template: string;
  version: string;
  values: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether one property schema marks its value as a secret. */
export function isSecretProperty(prop: unknown): boolean {
  return isObject(prop) && (prop.writeOnly === true || prop.format === 'password' || prop['ui:widget'] === 'password');
}

/** The top-level parameters of a schema that hold secrets. */
export function secretKeys(schema: Record<string, unknown> | undefined): string[] {
  const props = isObject(schema?.properties) ? schema.properties : {};
  return Object.keys(props).filter((k) => isSecretProperty(props[k]));
}

/** The values without the secret ones. */
export function withoutSecrets(values: Readonly<Record<string, unknown>>, schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const secret = new Set(secretKeys(schema));
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => !secret.has(k) && v !== undefined));
}

/** The text of the answers file; secret values are left out whatever the caller passes. */
export function answersFileText(answers: GoldenPathAnswers, schema: Record<string, unknown> | undefined): string {
  const body = stringify({ template: answers.template, version: answers.version, values: withoutSecrets(answers.values, schema) }, { lineWidth: 0 });
  return `# The golden path this service was created from, for \`paved upgrade\` and Paved's Upgrade Golden Path.\n# Written by Paved; secret values are never stored here.\n${body}`;
}

/** Parses an answers file; a broken or incomplete one is an `invalid-input` error naming what is wrong. */
export function parseAnswers(text: string, where = ANSWERS_FILE): GoldenPathAnswers {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new PavedError('invalid-input', `${where} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(doc)) throw new PavedError('invalid-input', `${where} must be a mapping with template, version and values`);
  const template = doc.template;
  const version = typeof doc.version === 'number' ? String(doc.version) : doc.version;
  if (typeof template !== 'string' || template === '') throw new PavedError('invalid-input', `${where}: 'template' must be the golden path's id`);
  if (typeof version !== 'string' || !isVersion(version)) throw new PavedError('invalid-input', `${where}: 'version' must be a semantic version, not ${JSON.stringify(doc.version)}`);
  if (doc.values !== undefined && !isObject(doc.values)) throw new PavedError('invalid-input', `${where}: 'values' must be a mapping`);
  return { template, version, values: isObject(doc.values) ? { ...doc.values } : {} };
}

/** The `goldenPath:` key in a paved.yaml and what it records (the key's line, template and version). */
/** (In the manifest's own text, for the editor: no YAML parse needed to place a CodeLens.) */
export function findGoldenPath(text: string): { line: number; column: number; template: string; version: string } | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s+)goldenPath:\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    // Flow style `{ template: x, version: y }` on the line, or block style on the lines below.
    let rest = m[2];
    for (let j = i + 1; j < lines.length && /^\s/.test(lines[j]) && lines[j].search(/\S/) > m[1].length; j++) rest += `\n${lines[j]}`;
    const template = /template:\s*["']?([^,"'\s}]+)/.exec(rest)?.[1];
    const version = /version:\s*["']?([^,"'\s}]+)/.exec(rest)?.[1];
    if (template && version) return { line: i, column: m[1].length, template, version };
  }
  return undefined;
}

