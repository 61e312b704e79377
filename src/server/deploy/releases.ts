/**
 * Releases: immutable snapshots of a service's source (`<state-dir>/releases/<service>/<id>/`, without `.git` and
 * `.paved`), each with its metadata beside it (including the repository's policy additions as they were at build). A snapshot is copied to a hidden directory and renamed into place, so
 * a crash leaves either a whole release or a leftover that `load` removes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asV1, type CatalogEntry } from '../../core/catalog';
import { parseManifestDocuments } from '../manifests';
import { readJson, writeJsonAtomic } from '../store';

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
        const meta = readJson<ReleaseMeta>(path.join(sdir, f));
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

  /** Copies `sourceDir` (without `.git` and `.paved`) as release `id` of `service`; returns the release's directory. */
  snapshot(service: string, id: string, sourceDir: string): string {
    const sdir = path.join(this.root, service);
    const tmp = path.join(sdir, `.${id}.tmp`);
    const dir = path.join(sdir, id);
    fs.mkdirSync(sdir, { recursive: true });
    fs.cpSync(sourceDir, tmp, {
      recursive: true,
      filter: (src) => !/[\\/](\.git|\.paved)$/.test(src) && !/[\\/](\.git|\.paved)[\\/]/.test(src.slice(sourceDir.length)),
    });
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

/** The manifest (v1 shape) a deployment uses: the release's own paved.yaml when it has one, else the catalog's. */
export function releaseManifest(e: CatalogEntry, releaseDir?: string): Record<string, unknown> {
  if (releaseDir) {
    const f = path.join(releaseDir, 'paved.yaml');
    if (fs.existsSync(f)) {
      const docs = parseManifestDocuments(fs.readFileSync(f, 'utf8'), f);
      if (docs[0] && typeof docs[0] === 'object') return asV1(docs[0]);
    }
  }
  return asV1(e.manifest);
}
