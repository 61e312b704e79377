/**
 * Paths an agent names: relative ones are taken in the first workspace folder; every path, after following symbolic
 * links as far as it exists, must lie inside a workspace folder. Anything else is refused with `forbidden`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PavedError } from '../../core/errors';

function realpathOfExisting(p: string): string {
  // The longest existing prefix, resolved; the rest (not created yet) appended as is.
  let head = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(head), ...rest.reverse());
    } catch {
      const up = path.dirname(head);
      if (up === head) return p;
      rest.push(path.basename(head));
      head = up;
    }
  }
}

function inside(folder: string, p: string): boolean {
  const rel = path.relative(folder, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The absolute path of `p` (relative: to the first workspace folder); `forbidden` unless inside a workspace folder. */
export function workspacePath(folders: readonly string[], p: string, what: string): string {
  if (folders.length === 0) throw new PavedError('forbidden', `No workspace folder is open, so the ${what} ${JSON.stringify(p)} cannot be used. Open the service's folder first.`);
  if (typeof p !== 'string' || p.trim() === '' || p.includes('\0')) throw new PavedError('invalid-input', `The ${what} is empty.`);
  const abs = path.resolve(folders[0], p);
  const real = realpathOfExisting(abs);
  const roots = folders.map((f) => realpathOfExisting(path.resolve(f)));
  if (!roots.some((r) => inside(r, real))) {
    throw new PavedError('forbidden', `The ${what} ${JSON.stringify(p)} is outside the workspace (${folders.join(', ')}). Use a path inside a workspace folder.`);
  }
  return abs;
}

/** A path as the model should see it: relative to the workspace folder it is in, '/'-separated. */
export function displayPath(folders: readonly string[], abs: string): string {
  for (const f of folders) {
    const rel = path.relative(f, abs);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return (rel || '.').split(path.sep).join('/');
  }
  return abs;
}
