/**
 * Golden-path rendering: substitute `{{ key }}` placeholders in file paths and contents, and refuse any output path
 * that would land outside the target directory. Pure: takes the template's files and the values, returns files.
 */
import * as path from 'node:path';
import { PavedError } from '../errors';
import type { ScaffoldFile, TemplateSummary } from '../api/types';

export interface TemplateFile {
  /** Relative POSIX path inside the template's `files/` tree (may contain placeholders). */
  path: string;
  content: string;
  mode: number;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*(json)\s*)?\}\}/g;

/**
 * Replaces `{{ key }}` with the value and `{{ key | json }}` with the value as a JSON literal (a safe quoted string in
 * JSON and YAML files). An unknown key is an error naming the key and where it is used.
 */
export function substitute(text: string, values: Readonly<Record<string, unknown>>, where: string): string {
  return text.replace(PLACEHOLDER, (_m, key: string, filter: string | undefined) => {
    if (!Object.prototype.hasOwnProperty.call(values, key)) {
      throw new PavedError('invalid-input', `${where}: placeholder {{${key}}} has no value (known: ${Object.keys(values).sort().join(', ') || 'none'})`);
    }
    const v = values[key];
    if (v === null || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) {
      throw new PavedError('invalid-input', `${where}: placeholder {{${key}}} needs a string, number or boolean value`);
    }
    return filter === 'json' ? JSON.stringify(v) : String(v);
  });
}

/**
 * Checks a relative output path and returns it normalised (POSIX separators). Refuses: empty paths, NUL, absolute
 * paths (`/x`, `\\x`), drive letters (`C:`), UNC paths, any `..` segment, and paths that normalise to the target itself.
 */
export function checkRelativePath(p: string): string {
  const why = unsafeReason(p);
  if (why) throw new PavedError('untrusted', `refusing output path ${JSON.stringify(p)}: ${why}`);
  return p.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.').join('/');
}

function unsafeReason(p: string): string | undefined {
  if (p.length === 0) return 'it is empty';
  if (p.includes('\0')) return 'it contains a NUL character';
  if (/^[A-Za-z]:/.test(p)) return 'it starts with a drive letter';
  if (p.startsWith('/') || p.startsWith('\\')) return 'it is absolute';
  const segments = p.split(/[\\/]/);
  if (segments.includes('..')) return 'it climbs out with ..';
  if (segments.every((s) => s === '' || s === '.')) return 'it names the target directory itself';
  if (segments.some((s) => s.includes(':'))) return 'a segment contains a colon (drive or stream separator)';
  return undefined;
}

/**
 * Resolves a relative path inside `target` and checks the result stays inside it (also guards the sibling-prefix
 * trick: `/work/app` vs `/work/app-evil`). Returns the absolute path.
 */
export function resolveInside(target: string, rel: string): string {
  const clean = checkRelativePath(rel);
  const root = path.resolve(target);
  const abs = path.resolve(root, clean);
  const rootWithSep = root.endsWith(path.sep) ? root : root + path.sep;
  if (!abs.startsWith(rootWithSep)) {
    throw new PavedError('untrusted', `refusing output path ${JSON.stringify(rel)}: it resolves outside ${root}`);
  }
  return abs;
}

/** Renders every file: path and content placeholders substituted, each path checked. Duplicate outputs are refused. */
export function renderFiles(files: readonly TemplateFile[], values: Readonly<Record<string, unknown>>): ScaffoldFile[] {
  const seen = new Set<string>();
  return files.map((f) => {
    const rendered = substitute(f.path, values, `path ${f.path}`);
    const outPath = checkRelativePath(rendered);
    // Check again as if written into a target: catches anything the segment rules would miss.
    resolveInside('/target', outPath);
    if (seen.has(outPath)) throw new PavedError('invalid-input', `two template files render to ${outPath}`);
    seen.add(outPath);
    return { path: outPath, content: substitute(f.content, values, outPath), mode: f.mode & 0o7777 };
  });
}

/** Fills in `default`s of top-level properties of a parameter schema that the values lack. */
export function applyDefaults(schema: Record<string, unknown>, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  const props = schema.properties;
  if (props !== null && typeof props === 'object') {
    for (const [k, p] of Object.entries(props as Record<string, unknown>)) {
      if (out[k] === undefined && p !== null && typeof p === 'object' && 'default' in p) out[k] = (p).default;
    }
  }
  return out;
}

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export interface TemplateMeta extends TemplateSummary {
  parameters: Record<string, unknown>;
  nextSteps: string[];
  /** What changed in this version (Markdown), when the template says. */
  changelog?: string;
}

/** Validates a parsed `template.yaml`; every problem is an invalid-input PavedError naming the file and the field. */
export function checkTemplateMeta(doc: unknown, fileName: string): TemplateMeta {
  const d = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  if (!d) throw new PavedError('invalid-input', `${fileName}: must be a YAML mapping`);
  const need = (k: string): string => {
    const v = d[k];
    if (typeof v !== 'string' || v.trim() === '') throw new PavedError('invalid-input', `${fileName}: '${k}' must be a non-empty string`);
    return v;
  };
  const id = need('id');
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) throw new PavedError('invalid-input', `${fileName}: id '${id}' must be lowercase letters, digits and dashes`);
  const version = typeof d.version === 'number' ? String(d.version) : need('version');
  if (!SEMVER.test(version)) throw new PavedError('invalid-input', `${fileName}: version '${version}' is not a semantic version (x.y.z)`);
  const parameters = d.parameters;
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new PavedError('invalid-input', `${fileName}: 'parameters' must be a JSON Schema object`);
  }
  const p = parameters as Record<string, unknown>;
  const required = Array.isArray(p.required) ? p.required : [];
  for (const k of ['name', 'owner']) {
    if (!required.includes(k)) throw new PavedError('invalid-input', `${fileName}: parameters must require '${k}'`);
  }
  const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  if (d.changelog !== undefined && typeof d.changelog !== 'string') throw new PavedError('invalid-input', `${fileName}: 'changelog' must be text (Markdown)`);
  return {
    id,
    title: need('title'),
    description: need('description'),
    owner: need('owner'),
    version,
    tags: strs(d.tags),
    parameters: p,
    nextSteps: strs(d.nextSteps),
    ...(typeof d.changelog === 'string' && d.changelog.trim() !== '' ? { changelog: d.changelog.trim() } : {}),
  };
}
