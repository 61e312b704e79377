/**
 * Safe writing of a generated file set (a scaffolded service) into a target directory. Pure Node (no vscode), used
 * by the editor and by `paved scaffold`.
 *
 * Rules:
 * - Every path is relative, checked segment by segment and resolved to stay strictly inside the target: `..`,
 *   absolute paths, drive letters, UNC paths, NUL, colons (drive/stream separators), backslash tricks, duplicate paths
 *   (also case-insensitively: they collide on macOS/Windows) and sibling-prefix tricks (`/tmp/app` vs `/tmp/app-evil`)
 *   are refused.
 * - Symlinks are refused: the target itself, any existing directory on the way to a file, an existing file.
 * - Existing files are never overwritten without an explicit `onConflict: 'overwrite'` (or `'skip'` to keep them);
 *   the default refuses with a `conflict` error listing them, before anything is written.
 * - All or nothing: files are written into a staging directory next to the target (same filesystem), then moved into
 *   place; if any move fails, everything moved so far is undone (overwritten files restored) and the staging directory
 *   removed. A new target directory appears with a single rename.
 * - File modes (permission bits, 0o777) are kept, independent of the umask.
 * - `remove` deletes files in the same all-or-nothing step (an upgrade drops what its golden path no longer has): each
 *   is moved aside with the overwritten files and put back if anything fails; only regular files inside the target.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PavedError } from '../errors';

export interface FileToWrite {
  /** Relative path inside the target (POSIX separators). */
  path: string;
  content: string | Uint8Array;
  /** Unix mode; only the permission bits (0o777) are used. Default 0o644. */
  mode?: number;
}

export type ConflictPolicy = 'refuse' | 'overwrite' | 'skip';

export interface WritePlanEntry {
  /** Normalised relative path (POSIX). */
  path: string;
  /** Absolute destination. */
  absolute: string;
  /** A file already exists there. */
  exists: boolean;
  mode: number;
}

export interface WritePlan {
  target: string;
  /** The target directory already exists. */
  targetExists: boolean;
  entries: WritePlanEntry[];
  /** Relative paths of existing files the write would replace. */
  conflicts: string[];
}

export interface WriteResult {
  target: string;
  /** Relative paths written (new or overwritten). */
  written: string[];
  overwritten: string[];
  /** Existing files kept (`onConflict: 'skip'`). */
  skipped: string[];
  /** Files deleted (`remove`). */
  removed: string[];
}

/** File-system operations, replaceable in tests to inject a failure at a chosen step. */
export interface FsOps {
  rename(from: string, to: string): Promise<void>;
  writeFile(file: string, data: string | Uint8Array, mode: number): Promise<void>;
}

const realOps: FsOps = {
  rename: (from, to) => fs.promises.rename(from, to),
  async writeFile(file, data, mode) {
    await fs.promises.writeFile(file, data, { mode, flag: 'wx' });
    await fs.promises.chmod(file, mode);
  },
};

export interface WriteOptions {
  onConflict?: ConflictPolicy;
  ops?: FsOps;
  /** Relative paths of files to delete in the same step; one that is already gone is fine. */
  remove?: readonly string[];
}

const unsafe = (p: string, why: string) => new PavedError('untrusted', `refusing to write ${JSON.stringify(p)}: ${why}`);

/** Why a relative output path is unsafe, or undefined when it is fine. */
export function unsafePathReason(p: string): string | undefined {
  if (typeof p !== 'string' || p.length === 0) return 'the path is empty';
  if (p.includes('\0')) return 'it contains a NUL character';
  if (/^[A-Za-z]:/.test(p)) return 'it starts with a drive letter';
  if (p.startsWith('/') || p.startsWith('\\')) return 'it is an absolute path';
  if (p.includes('\\')) return 'it contains a backslash';
  const segments = p.split('/');
  if (segments.includes('..')) return 'it climbs out of the target with ..';
  if (segments.some((s) => s.includes(':'))) return 'a segment contains a colon';
  if (segments.every((s) => s === '' || s === '.')) return 'it names the target directory itself';
  if (segments.some((s) => /^\.+$/.test(s) && s !== '.')) return 'a segment is only dots';
  return undefined;
}

/** Checks a relative path and returns it normalised (no empty or `.` segments). Throws `untrusted`. */
export function normaliseRelative(p: string): string {
  const why = unsafePathReason(p);
  if (why) throw unsafe(p, why);
  return p.split('/').filter((s) => s !== '' && s !== '.').join('/');
}

/** The absolute path of `rel` inside `root`; throws `untrusted` unless it is strictly inside (sibling-prefix safe). */
export function resolveInside(root: string, rel: string): string {
  const clean = normaliseRelative(rel);
  const base = path.resolve(root);
  const abs = path.resolve(base, clean);
  const relBack = path.relative(base, abs);
  if (relBack === '' || relBack.startsWith('..') || path.isAbsolute(relBack) || !abs.startsWith(base.endsWith(path.sep) ? base : base + path.sep)) {
    throw unsafe(rel, `it resolves outside ${base}`);
  }
  return abs;
}

async function lstatOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PavedError('io', `cannot inspect ${p}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Checks every path and looks at what exists, without writing anything: the plan tells the caller which files would
 * be replaced, so it can ask the user before calling `safeWrite` with an explicit conflict policy.
 */
export async function planWrite(target: string, files: readonly FileToWrite[], allowEmpty = false): Promise<WritePlan> {
  if (!path.isAbsolute(target)) throw new PavedError('invalid-input', `the target folder must be an absolute path: ${target}`);
  const root = path.resolve(target);
  const rootStat = await lstatOrUndefined(root);
  if (rootStat?.isSymbolicLink()) throw unsafe(root, 'the target folder is a symbolic link');
  if (rootStat && !rootStat.isDirectory()) throw new PavedError('conflict', `the target ${root} exists and is not a folder`);
  if (files.length === 0 && !allowEmpty) throw new PavedError('invalid-input', 'there are no files to write');

  const seen = new Map<string, string>();
  const entries: WritePlanEntry[] = [];
  for (const f of files) {
    const abs = resolveInside(root, f.path);
    const rel = path.relative(root, abs).split(path.sep).join('/');
    const folded = rel.toLowerCase();
    const dup = seen.get(folded);
    if (dup !== undefined) throw unsafe(f.path, dup === rel ? 'it appears twice' : `it collides with ${dup} on case-insensitive file systems`);
    seen.set(folded, rel);
    const mode = (f.mode ?? 0o644) & 0o777;
    if (typeof f.content !== 'string' && !(f.content instanceof Uint8Array)) throw new PavedError('invalid-input', `${rel}: content must be text or bytes`);
    entries.push({ path: rel, absolute: abs, exists: false, mode });
  }
  // A file path that is also a directory of another file (a and a/b) cannot both be written.
  for (const e of entries) {
    const prefix = e.path.toLowerCase() + '/';
    const child = entries.find((o) => o.path.toLowerCase().startsWith(prefix));
    if (child) throw unsafe(e.path, `it is both a file and the folder of ${child.path}`);
  }

  const conflicts: string[] = [];
  if (rootStat) {
    const checkedDirs = new Map<string, fs.Stats | undefined>();
    for (const e of entries) {
      const segments = e.path.split('/');
      let dir = root;
      for (const seg of segments.slice(0, -1)) {
        dir = path.join(dir, seg);
        if (!checkedDirs.has(dir)) checkedDirs.set(dir, await lstatOrUndefined(dir));
        const st = checkedDirs.get(dir);
        if (!st) break;
        if (st.isSymbolicLink()) throw unsafe(e.path, `${path.relative(root, dir)} in the target is a symbolic link`);
        if (!st.isDirectory()) throw new PavedError('conflict', `cannot write ${e.path}: ${path.relative(root, dir)} exists and is not a folder`);
      }
      const st = await lstatOrUndefined(e.absolute);
      if (!st) continue;
      if (st.isSymbolicLink()) throw unsafe(e.path, 'an existing symbolic link is in its place');
      if (!st.isFile()) throw new PavedError('conflict', `cannot write ${e.path}: a folder or special file is in its place`);
      e.exists = true;
      conflicts.push(e.path);
    }
  }
  return { target: root, targetExists: rootStat !== undefined, entries, conflicts };
}

/**
 * Writes the files into `target` all or nothing (see the module comment). Throws `untrusted` for unsafe paths or
 * symlinks, `conflict` for existing files with the default policy, `io` when the file system fails; in every case
 * nothing is left behind.
 */
export async function safeWrite(target: string, files: readonly FileToWrite[], options: WriteOptions = {}): Promise<WriteResult> {
  const policy = options.onConflict ?? 'refuse';
  const ops = options.ops ?? realOps;
  const plan = await planWrite(target, files, (options.remove?.length ?? 0) > 0);
  const removals = await planRemovals(plan, options.remove ?? []);
  if (plan.conflicts.length > 0 && policy === 'refuse') {
    const list = plan.conflicts.slice(0, 10).join(', ') + (plan.conflicts.length > 10 ? `, and ${plan.conflicts.length - 10} more` : '');
    throw new PavedError('conflict', `${plan.conflicts.length === 1 ? 'a file already exists' : `${plan.conflicts.length} files already exist`} in ${plan.target}: ${list}`);
  }
  const toWrite = plan.entries.filter((e) => !(e.exists && policy === 'skip'));
  const skipped = plan.entries.filter((e) => e.exists && policy === 'skip').map((e) => e.path);
  const byPath = new Map(files.map((f) => [normaliseRelative(f.path), f]));

  const parent = path.dirname(plan.target);
  try {
    await fs.promises.mkdir(parent, { recursive: true });
  } catch (err) {
    throw new PavedError('io', `cannot create ${parent}: ${(err as Error).message}`, { cause: err });
  }
  const staging = path.join(parent, `.${path.basename(plan.target)}.paved-${randomBytes(6).toString('hex')}`);
  const stagedFiles = path.join(staging, 'files');
  const backups = path.join(staging, 'backup');
  try {
    await fs.promises.mkdir(staging, { mode: 0o700 });
    // The files folder becomes the target itself when it is new: created with the usual mode (umask applies).
    await fs.promises.mkdir(stagedFiles);
    await fs.promises.mkdir(backups, { mode: 0o700 });
    for (const e of toWrite) {
      const file = byPath.get(e.path)!;
      const dest = path.join(stagedFiles, ...e.path.split('/'));
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      await ops.writeFile(dest, file.content, e.mode);
    }
    if (!plan.targetExists) {
      if (removals.length > 0) throw new PavedError('conflict', `${plan.target} does not exist: there is nothing to remove`);
      // Re-check: nothing may have appeared meanwhile; then the whole tree appears with one rename.
      if (await lstatOrUndefined(plan.target)) throw new PavedError('conflict', `${plan.target} appeared while writing; nothing was written`);
      await ops.rename(stagedFiles, plan.target);
    } else {
      await moveInto(plan, toWrite, stagedFiles, backups, ops, removals);
    }
  } catch (err) {
    await removeQuietly(staging);
    if (err instanceof PavedError) throw err;
    throw new PavedError('io', `writing into ${plan.target} failed, nothing was written: ${(err as Error).message}`, { cause: err });
  }
  await removeQuietly(staging);
  return {
    target: plan.target,
    written: toWrite.map((e) => e.path),
    overwritten: toWrite.filter((e) => e.exists).map((e) => e.path),
    skipped,
    removed: removals.map((r) => r.path),
  };
}

/** The files of `remove` that exist (regular files strictly inside the target, not also written). */
async function planRemovals(plan: WritePlan, remove: readonly string[]): Promise<WritePlanEntry[]> {
  const out: WritePlanEntry[] = [];
  for (const p of remove) {
    const abs = resolveInside(plan.target, p);
    const rel = path.relative(plan.target, abs).split(path.sep).join('/');
    if (plan.entries.some((e) => e.path.toLowerCase() === rel.toLowerCase())) throw unsafe(p, 'it is both written and removed');
    const st = plan.targetExists ? await lstatOrUndefined(abs) : undefined;
    if (!st) continue;
    if (st.isSymbolicLink()) throw unsafe(p, 'a symbolic link is in its place');
    if (!st.isFile()) throw new PavedError('conflict', `cannot remove ${rel}: it is not a file`);
    out.push({ path: rel, absolute: abs, exists: true, mode: st.mode & 0o777 });
  }
  return out;
}

/** Moves staged files into an existing target; on failure undoes every step and rethrows. */
async function moveInto(plan: WritePlan, entries: readonly WritePlanEntry[], staged: string, backups: string, ops: FsOps, removals: readonly WritePlanEntry[]): Promise<void> {
  const undo: (() => Promise<void>)[] = [];
  try {
    for (const r of removals) {
      const backup = path.join(backups, ...r.path.split('/'));
      await fs.promises.mkdir(path.dirname(backup), { recursive: true });
      const current = await lstatOrUndefined(r.absolute);
      if (!current) continue;
      if (!current.isFile()) throw new PavedError('conflict', `cannot remove ${r.path}: it changed while writing; nothing was written`);
      await ops.rename(r.absolute, backup);
      undo.push(() => fs.promises.rename(backup, r.absolute));
    }
    for (const e of entries) {
      // Re-check each directory on the way just before moving (something may have been swapped for a symlink).
      let dir = plan.target;
      for (const seg of e.path.split('/').slice(0, -1)) {
        dir = path.join(dir, seg);
        const st = await lstatOrUndefined(dir);
        if (st?.isSymbolicLink()) throw unsafe(e.path, `${path.relative(plan.target, dir)} in the target is a symbolic link`);
        if (!st) {
          await fs.promises.mkdir(dir);
          const created = dir;
          undo.push(() => fs.promises.rmdir(created));
        } else if (!st.isDirectory()) {
          throw new PavedError('conflict', `cannot write ${e.path}: ${path.relative(plan.target, dir)} exists and is not a folder`);
        }
      }
      const src = path.join(staged, ...e.path.split('/'));
      const current = await lstatOrUndefined(e.absolute);
      if (current && !e.exists) throw new PavedError('conflict', `${e.path} appeared while writing; nothing was written`);
      if (current?.isSymbolicLink()) throw unsafe(e.path, 'an existing symbolic link is in its place');
      if (current) {
        const backup = path.join(backups, ...e.path.split('/'));
        await fs.promises.mkdir(path.dirname(backup), { recursive: true });
        await ops.rename(e.absolute, backup);
        undo.push(() => fs.promises.rename(backup, e.absolute));
      }
      await ops.rename(src, e.absolute);
      undo.push(() => fs.promises.rm(e.absolute, { force: true }));
    }
  } catch (err) {
    const failures: unknown[] = [];
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (undoErr) {
        failures.push(undoErr);
      }
    }
    if (failures.length > 0) {
      throw new PavedError('io', `writing into ${plan.target} failed and ${failures.length} step(s) could not be undone: ${(err as Error).message}`, {
        cause: new AggregateError([err, ...failures]),
      });
    }
    throw err;
  }
}

async function removeQuietly(dir: string): Promise<void> {
  // Best effort by design: the staging directory is ours, hidden and uniquely named; a failure here leaves no
  // user-visible partial state, so it must not mask the outcome. It is still reported on stderr for diagnosis.
  await fs.promises.rm(dir, { recursive: true, force: true }).catch((err: unknown) => {
    process.emitWarning(`Paved: could not remove staging folder ${dir}: ${(err as Error).message}`);
  });
}
