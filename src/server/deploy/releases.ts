/**
 * Releases: immutable snapshots of a service's source (`<state-dir>/releases/<service>/<id>/`, without `.git` and
 * `.paved`), each with its metadata beside it (including the repository's policy additions as they were at build). A snapshot is copied to a hidden directory and renamed into place, so
 * a crash leaves either a whole release or a leftover that `load` removes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asV1, type CatalogEntry } from '../../core/catalog';
import { PavedError } from '../../core/errors';
import { readManifestFile } from '../manifests';
import { loadJson, writeJsonAtomic } from '../store';

export interface ReleaseMeta {
  id: string;
  service: string;
  createdAt: string;
  /** The snapshot; '' for a release known only from imported history (nothing to run). */
  dir: string;
  /**
   * The repository's `.paved/policies.yaml` when the release was built (the snapshot leaves `.paved/` out): promoting
   * or redeploying the release is checked with these additions.
   */
  repoPolicies?: string;
}

function isMeta(v: unknown): boolean {
  const m = v as Partial<ReleaseMeta> | null;
  return typeof m === 'object' && m !== null && typeof m.id === 'string' && typeof m.service === 'string' && typeof m.dir === 'string' && typeof m.createdAt === 'string';
}

export class ReleaseStore {
  private readonly byService = new Map<string, Map<string, ReleaseMeta>>();

  /** `root`: `<state-dir>/releases`. */
  constructor(private readonly root: string) {}

  /** Reads every release's metadata; unfinished snapshots and snapshots whose build never finished are removed. */
  load(): void {
    if (!fs.existsSync(this.root)) return;
    for (const svc of fs.readdirSync(this.root)) {
      const sdir = path.join(this.root, svc);
      for (const f of fs.readdirSync(sdir)) {
        if (f.startsWith('.')) {
          // An unfinished snapshot from a crash: never became a release.
          fs.rmSync(path.join(sdir, f), { recursive: true, force: true });
          continue;
        }
        if (!f.endsWith('.json')) continue;
        const meta = loadJson<ReleaseMeta>(path.join(sdir, f), 'went on without that release (its snapshot is removed)', isMeta);
        // dir '' is a release known only from imported history: its creation time still counts for lead times.
        if (meta && (meta.dir === '' || fs.existsSync(meta.dir))) this.of(svc).set(meta.id, meta);
      }
      for (const f of fs.readdirSync(sdir)) {
        const full = path.join(sdir, f);
        if (!f.endsWith('.json') && !this.of(svc).has(f) && fs.statSync(full).isDirectory()) fs.rmSync(full, { recursive: true, force: true });
      }
    }
  }

  private of(service: string): Map<string, ReleaseMeta> {
    let m = this.byService.get(service);
    if (!m) {
      m = new Map();
      this.byService.set(service, m);
    }
    return m;
  }

  get(service: string, id: string): ReleaseMeta | undefined {
    return this.byService.get(service)?.get(id);
  }

  /** The release when it has a snapshot to start (not one known only from imported history). */
  runnable(service: string, id: string): ReleaseMeta | undefined {
    const meta = this.get(service, id);
    return meta?.dir ? meta : undefined;
  }

  /** Release id → creation time, for lead times. */
  createdAt(service: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const [id, m] of this.byService.get(service) ?? []) out.set(id, m.createdAt);
    return out;
  }

  /**
   * Copies `sourceDir` (without `.git` and `.paved`) as release `id` of `service`; returns the release's directory.
   * A release must not change after it is made: a symbolic link to a file inside the folder is made again as a
   * relative link to that file's copy (never to the live source tree), and one that leads out of the folder is
   * refused (a `conflict` naming the link and where it leads).
   */
  snapshot(service: string, id: string, sourceDir: string): string {
    const sdir = path.join(this.root, service);
    const tmp = path.join(sdir, `.${id}.tmp`);
    const dir = path.join(sdir, id);
    fs.mkdirSync(sdir, { recursive: true });
    const root = fs.realpathSync(sourceDir);
    const links: { at: string; to: string }[] = [];
    try {
      fs.cpSync(sourceDir, tmp, {
        recursive: true,
        filter: (src) => {
          if (/[\\/](\.git|\.paved)$/.test(src) || /[\\/](\.git|\.paved)[\\/]/.test(src.slice(sourceDir.length))) return false;
          if (!fs.lstatSync(src).isSymbolicLink()) return true;
          links.push(insideLink(sourceDir, root, src));
          return false;
        },
      });
      for (const l of links) fs.symlinkSync(l.to, path.join(tmp, l.at));
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    fs.renameSync(tmp, dir);
    return dir;
  }

  /** Makes a built snapshot a release (until then `load` treats it as a leftover). */
  record(meta: ReleaseMeta): void {
    writeJsonAtomic(path.join(this.root, meta.service, `${meta.id}.json`), meta);
    this.of(meta.service).set(meta.id, meta);
  }

  /**
   * Knows a release from imported history (its metadata kept, so lead times survive a restart; it has no snapshot and
   * cannot be started; an existing release of that id is left alone).
   */
  remember(meta: ReleaseMeta): void {
    if (this.of(meta.service).has(meta.id)) return;
    writeJsonAtomic(path.join(this.root, meta.service, `${meta.id}.json`), { ...meta, dir: '' });
    this.of(meta.service).set(meta.id, { ...meta, dir: '' });
  }
}

/**
 * A symbolic link of the source folder as the release keeps it: where it is (relative to the folder) and a relative
 * target inside the folder. A link leading out of the folder (after resolving every link on the way) is refused.
 */
function insideLink(sourceDir: string, root: string, link: string): { at: string; to: string } {
  const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
  let real = target;
  try {
    real = fs.realpathSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
  }
  const rel = path.relative(root, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new PavedError('conflict', `${link} links to ${real}, outside ${sourceDir}: a release holds only its own files (a link out would run whatever is there later); copy the file into the folder or remove the link`);
  }
  const at = path.relative(sourceDir, link);
  return { at, to: path.relative(path.dirname(at), rel) };
}

/** The manifest (v1 shape) a deployment uses: the release's own paved.yaml when it has one, else the catalog's. */
export function releaseManifest(e: CatalogEntry, releaseDir?: string): Record<string, unknown> {
  if (releaseDir) {
    const f = path.join(releaseDir, 'paved.yaml');
    if (fs.existsSync(f)) {
      const docs = readManifestFile(f);
      if (docs[0] && typeof docs[0] === 'object') return asV1(docs[0]);
    }
  }
  return asV1(e.manifest);
}
