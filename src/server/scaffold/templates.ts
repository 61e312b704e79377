/**
 * Golden paths on disk: each template is a directory with `template.yaml` and a `files/` tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { checkTemplateMeta, type TemplateFile, type TemplateMeta } from '../../core/templates';
import { PavedError, describeError } from '../../core/errors';

export interface LoadedTemplate extends TemplateMeta {
  dir: string;
  files: TemplateFile[];
}

function walk(root: string, rel: string, out: TemplateFile[]): void {
  for (const d of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    const abs = path.join(root, r);
    if (d.isSymbolicLink()) throw new PavedError('untrusted', `${abs}: templates may not contain symbolic links`);
    if (d.isDirectory()) walk(root, r, out);
    else if (d.isFile()) {
      const st = fs.statSync(abs);
      if (st.size > 1024 * 1024) throw new PavedError('invalid-input', `${abs}: template files are limited to 1 MB`);
      out.push({ path: r, content: fs.readFileSync(abs, 'utf8'), mode: st.mode & 0o777 });
    }
  }
}

export function loadTemplate(dir: string): LoadedTemplate {
  const metaFile = path.join(dir, 'template.yaml');
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(metaFile, 'utf8'));
  } catch (err) {
    throw new PavedError('invalid-input', `${metaFile}: ${describeError(err)}`, { cause: err });
  }
  const meta = checkTemplateMeta(doc, metaFile);
  const filesDir = path.join(dir, 'files');
  if (!fs.existsSync(filesDir)) throw new PavedError('invalid-input', `${dir}: a template needs a files/ directory`);
  const files: TemplateFile[] = [];
  walk(filesDir, '', files);
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { ...meta, dir, files };
}

/**
 * The template directories of a root: the root itself when it holds `template.yaml`; else each folder holding one
 * (one version of a template), or holding version folders (`<id>/<version>/template.yaml`: every published version of
 * one golden path).
 */
function templateDirs(root: string): { dir: string; expect?: { id: string; version: string } }[] {
  if (fs.existsSync(path.join(root, 'template.yaml'))) return [{ dir: root }];
  const out: { dir: string; expect?: { id: string; version: string } }[] = [];
  const subdirs = (d: string) => fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const name of subdirs(root)) {
    const dir = path.join(root, name);
    if (fs.existsSync(path.join(dir, 'template.yaml'))) {
      out.push({ dir });
      continue;
    }
    for (const version of subdirs(dir)) {
      if (fs.existsSync(path.join(dir, version, 'template.yaml'))) out.push({ dir: path.join(dir, version), expect: { id: name, version } });
    }
  }
  return out;
}

/**
 * Loads every template directory under each root, in order. Several versions of one id are kept; of two directories
 * with the same id and version, the first one loaded wins (the built-in golden paths come first).
 */
export function loadTemplates(roots: readonly string[]): { templates: LoadedTemplate[]; errors: string[] } {
  const templates: LoadedTemplate[] = [];
  const errors: string[] = [];
  for (const root of roots) {
    let candidates: ReturnType<typeof templateDirs>;
    try {
      candidates = templateDirs(root);
    } catch (err) {
      errors.push(`${root}: ${describeError(err)}`);
      continue;
    }
    for (const { dir, expect } of candidates) {
      try {
        const t = loadTemplate(dir);
        if (expect && (t.id !== expect.id || t.version !== expect.version)) {
          errors.push(`${dir}: template.yaml says ${t.id} ${t.version}, but the folders say ${expect.id} ${expect.version}; ignored`);
          continue;
        }
        const dup = templates.find((x) => x.id === t.id && x.version === t.version);
        if (dup) errors.push(`${dir}: template ${t.id} ${t.version} is already provided by ${dup.dir}; ignored`);
        else templates.push(t);
      } catch (err) {
        errors.push(describeError(err));
      }
    }
  }
  return { templates, errors };
}
