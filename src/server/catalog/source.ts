/**
 * Where the local catalog comes from: `paved.yaml` and `catalog-info.yaml` files under the workspace folders (the
 * names core/manifest/kinds.ts gives a catalog kind: also `.yml`, prefixed and in any case), and `.paved/teams.yaml`
 * for teams. A scan reads only the files that changed since the last one (a cache by path, size, mtime and inode);
 * a file over the size limit is a catalog error naming it, never read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CatalogEntryError, entryFromCatalogInfo, entryFromPavedManifest, mergeEntries, type CatalogEntry } from '../../core/catalog';
import { PavedError, describeError } from '../../core/errors';
import { CATALOG_KINDS, kindFromFileName, SKIPPED_FOLDERS } from '../../core/manifest/kinds';
import { readManifestFile } from '../manifests';

const MAX_DEPTH = 6;

export interface WorkspaceScan {
  entries: CatalogEntry[];
  /** One line per file that could not be read: `file: reason`. */
  errors: string[];
  teams: TeamRecord[];
}

export interface TeamRecord {
  name: string;
  title?: string;
  description?: string;
  email?: string;
  channel?: string;
  members: string[];
}

/** What a file held when it was last read: its documents, or why it could not be read. */
interface CachedFile {
  size: number;
  mtimeMs: number;
  ino: number;
  docs?: unknown[];
  error?: string;
}

/** Parsed files by path, kept between scans; a scan drops the files it no longer saw. */
export type ScanCache = Map<string, CachedFile>;

function manifestFiles(root: string, depth = 0, out: string[] = []): string[] {
  let dirents: fs.Dirent[];
  try {
    dirents = fs.readdirSync(root, { withFileTypes: true });
  } catch (err) {
    if (depth === 0) throw new PavedError('io', `cannot read workspace folder ${root}: ${describeError(err)}`, { cause: err });
    return out;
  }
  for (const d of dirents) {
    const p = path.join(root, d.name);
    if (d.isFile() && CATALOG_KINDS.has(kindFromFileName(d.name))) out.push(p);
    else if (d.isDirectory() && depth < MAX_DEPTH && !SKIPPED_FOLDERS.has(d.name)) manifestFiles(p, depth + 1, out);
  }
  return out;
}

/** A file's documents, from the cache when its size, mtime and inode are unchanged; throws why it cannot be read. */
function documents(file: string, cache: ScanCache, seen: Set<string>): unknown[] {
  seen.add(file);
  const st = fs.statSync(file);
  let hit = cache.get(file);
  if (!hit || hit.size !== st.size || hit.mtimeMs !== st.mtimeMs || hit.ino !== st.ino) {
    hit = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
    try {
      hit.docs = readManifestFile(file, st.size);
    } catch (err) {
      hit.error = describeError(err);
    }
    cache.set(file, hit);
  }
  if (hit.error !== undefined) throw new PavedError('invalid-input', hit.error);
  return hit.docs ?? [];
}

/** Reads every manifest under the workspace folders; a broken file is reported in `errors`, never fatal. */
export function scanWorkspaces(folders: readonly string[], cache: ScanCache = new Map()): WorkspaceScan {
  const errors: string[] = [];
  const byDir = new Map<string, { paved?: CatalogEntry; backstage: CatalogEntry[] }>();
  const teams: TeamRecord[] = [];
  const seen = new Set<string>();
  for (const folder of folders) {
    for (const file of manifestFiles(folder)) {
      const dir = path.dirname(file);
      const slot = byDir.get(dir) ?? { backstage: [] };
      byDir.set(dir, slot);
      try {
        for (const doc of documents(file, cache, seen)) {
          const origin = { source: 'workspace' as const, manifestPath: file, sourceDir: dir };
          if (kindFromFileName(file) === 'paved') {
            if (slot.paved) throw new CatalogEntryError('only one Service per paved.yaml is read');
            slot.paved = entryFromPavedManifest(doc, origin);
          } else {
            const e = entryFromCatalogInfo(doc, origin);
            if (e) slot.backstage.push(e);
          }
        }
      } catch (err) {
        const msg = describeError(err);
        errors.push(msg.startsWith(file) ? msg : `${file}: ${msg}`);
      }
    }
    teams.push(...readTeams(path.join(folder, '.paved', 'teams.yaml'), cache, seen, errors));
  }
  for (const file of cache.keys()) if (!seen.has(file)) cache.delete(file);
  const entries = new Map<string, CatalogEntry>();
  for (const [, slot] of [...byDir.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const list: CatalogEntry[] = [];
    if (slot.paved) {
      const twin = slot.backstage.find((b) => b.name === slot.paved?.name);
      list.push(twin ? mergeEntries(slot.paved, twin) : slot.paved);
      list.push(...slot.backstage.filter((b) => b !== twin).map((b) => ({ ...b, sourceDir: undefined })));
    } else {
      // A catalog-info.yaml alone describes the component; without a paved.yaml there is nothing to build or run.
      list.push(...slot.backstage);
    }
    for (const e of list) {
      const prev = entries.get(e.name);
      if (prev) errors.push(`${e.manifestPath ?? e.name}: service ${e.name} is already defined in ${prev.manifestPath ?? 'another file'}`);
      else entries.set(e.name, e);
    }
  }
  return { entries: [...entries.values()], errors, teams };
}

function readTeams(file: string, cache: ScanCache, seen: Set<string>, errors: string[]): TeamRecord[] {
  if (!fs.existsSync(file)) return [];
  try {
    const doc = documents(file, cache, seen)[0] as { teams?: unknown } | undefined;
    const list = Array.isArray(doc?.teams) ? doc.teams : [];
    const out: TeamRecord[] = [];
    for (const t of list as Record<string, unknown>[]) {
      if (typeof t?.name !== 'string' || t.name === '') {
        errors.push(`${file}: every team needs a name`);
        continue;
      }
      const rec: TeamRecord = { name: t.name, members: Array.isArray(t.members) ? t.members.filter((m): m is string => typeof m === 'string') : [] };
      for (const k of ['title', 'description', 'email', 'channel'] as const) if (typeof t[k] === 'string') rec[k] = t[k];
      out.push(rec);
    }
    return out;
  } catch (err) {
    const msg = describeError(err);
    errors.push(msg.startsWith(file) ? msg : `${file}: ${msg}`);
    return [];
  }
}
