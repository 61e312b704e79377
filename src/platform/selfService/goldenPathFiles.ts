/**
 * What a service folder says about its golden path, read from disk: the answers file (`.paved/golden-path.yaml`,
 * written at scaffold time or by adoption) and, for services without one, `metadata.goldenPath` in its paved.yaml.
 * Also the service's files at given paths, read for a three-way merge without following symbolic links.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PavedError } from '../../core/errors';
import { resolveInside } from '../../core/fs/safeWrite';
import { ANSWERS_FILE, parseAnswers, type CurrentFile, type GoldenPathAnswers } from '../../core/templates';

export interface RecordedGoldenPath {
  /** The service folder (absolute). */
  folder: string;
  /** The answers file, when there is one. */
  answers?: GoldenPathAnswers;
  /** paved.yaml `metadata.goldenPath` (or the answers file's template and version): what the service says it is on. */
  goldenPath?: { template: string; version: string };
  /** What paved.yaml says, for adoption defaults (name, owner, system, description). */
  manifest?: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PavedError('io', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** The golden path a service folder records. A broken answers file is an error; a broken paved.yaml is ignored here. */
export async function readGoldenPath(folder: string): Promise<RecordedGoldenPath> {
  const root = path.resolve(folder);
  const out: RecordedGoldenPath = { folder: root };
  const answersText = await readIfExists(path.join(root, ANSWERS_FILE));
  if (answersText !== undefined) out.answers = parseAnswers(answersText, path.join(root, ANSWERS_FILE));
  const manifestText = (await readIfExists(path.join(root, 'paved.yaml'))) ?? (await readIfExists(path.join(root, 'paved.yml')));
  if (manifestText !== undefined) {
    try {
      const doc: unknown = parse(manifestText);
      if (isObject(doc)) out.manifest = doc;
    } catch {
      // The linter reports a broken manifest where the user looks; here it only lacks defaults.
    }
  }
  const md = isObject(out.manifest?.metadata) ? out.manifest.metadata : {};
  const gp = isObject(md.goldenPath) ? md.goldenPath : {};
  if (out.answers) out.goldenPath = { template: out.answers.template, version: out.answers.version };
  else if (typeof gp.template === 'string' && (typeof gp.version === 'string' || typeof gp.version === 'number')) out.goldenPath = { template: gp.template, version: String(gp.version) };
  return out;
}

/**
 * The service's files at `paths` (those that exist). A symbolic link or a folder in a file's place takes no part in
 * the merge (`unreadable` says why); nothing outside the folder is read.
 */
export async function readCurrentFiles(folder: string, paths: Iterable<string>): Promise<Map<string, CurrentFile>> {
  const out = new Map<string, CurrentFile>();
  for (const rel of paths) {
    const abs = resolveInside(folder, rel);
    let st: fs.Stats;
    try {
      st = await fs.promises.lstat(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      throw new PavedError('io', `cannot read ${abs}: ${(err as Error).message}`, { cause: err });
    }
    if (st.isSymbolicLink()) out.set(rel, { content: '', mode: 0, unreadable: 'a symbolic link is in its place: kept, never followed' });
    else if (!st.isFile()) out.set(rel, { content: '', mode: 0, unreadable: 'a folder or special file is in its place: kept' });
    else out.set(rel, { content: new Uint8Array(await fs.promises.readFile(abs)), mode: st.mode & 0o777 });
  }
  return out;
}

/** The same bytes (or both absent)? */
export function sameContent(a: CurrentFile | undefined, b: CurrentFile | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.unreadable || b.unreadable) return a.unreadable === b.unreadable;
  const x = typeof a.content === 'string' ? Buffer.from(a.content) : a.content;
  const y = typeof b.content === 'string' ? Buffer.from(b.content) : b.content;
  return Buffer.compare(Buffer.from(x), Buffer.from(y)) === 0;
}
