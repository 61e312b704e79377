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

/** Loads every template directory under each root (in order; the first of a duplicate id wins). */
export function loadTemplates(roots: readonly string[]): { templates: LoadedTemplate[]; errors: string[] } {
  const templates: LoadedTemplate[] = [];
  const errors: string[] = [];
  for (const root of roots) {
    let dirs: fs.Dirent[];
    try {
      dirs = fs.readdirSync(root, { withFileTypes: true });
    } catch (err) {
      errors.push(`${root}: ${describeError(err)}`);
      continue;
    }
    // A root may itself be one template.
    const candidates = fs.existsSync(path.join(root, 'template.yaml'))
      ? [root]
      : dirs.filter((d) => d.isDirectory()).map((d) => path.join(root, d.name)).sort();
    for (const dir of candidates) {
      if (!fs.existsSync(path.join(dir, 'template.yaml'))) continue;
      try {
        const t = loadTemplate(dir);
        const dup = templates.find((x) => x.id === t.id);
        if (dup) errors.push(`${dir}: template id ${t.id} is already provided by ${dup.dir}; ignored`);
        else templates.push(t);
      } catch (err) {
        errors.push(describeError(err));
      }
    }
  }
  return { templates, errors };
}
