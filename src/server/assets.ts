/**
 * Locates files shipped next to the server: when bundled (dist/cli.js) they sit in dist/ (copied by `build:assets`);
 * when run from source (tsx) they are in the repository.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PavedError } from '../core/errors';

/** `kind` is `golden-paths` or a file under `schemas/`, e.g. `schemas/platform-api.yaml`. */
export function findAsset(rel: string): string {
  const candidates =
    rel === 'golden-paths'
      ? [path.join(__dirname, 'golden-paths'), path.resolve(__dirname, '..', 'src', 'server', 'golden-paths')]
      : [path.join(__dirname, rel), path.resolve(__dirname, '..', rel), path.resolve(__dirname, '..', '..', rel)];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new PavedError('io', `cannot find ${rel} (looked in ${candidates.join(', ')})`);
}
