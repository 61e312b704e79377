/**
 * Where PGlite comes from. It is not bundled (the VSIX stays small): the platform uses `@electric-sql/pglite` and
 * `@electric-sql/pglite-socket` at the pinned versions from the `node_modules` next to Paved (a checkout, an npm-installed
 * CLI), else from the cache (`$PAVED_CACHE_DIR`, `$XDG_CACHE_HOME/paved` or `~/.cache/paved`), where it installs them
 * with npm on first use.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PavedError } from '../../../core/errors';

export const PGLITE_VERSION = '0.5.14';
export const PGLITE_SOCKET_VERSION = '0.2.17';

export interface PgliteModules {
  /** Entry files (CommonJS) of the two packages. */
  pglite: string;
  socket: string;
  /** The node_modules they were found in. */
  from: string;
}

/** The cache directory: $PAVED_CACHE_DIR, else $XDG_CACHE_HOME/paved, else ~/.cache/paved. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PAVED_CACHE_DIR) return path.resolve(env.PAVED_CACHE_DIR);
  return path.join(env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache'), 'paved');
}

/** Where the cache keeps this PGlite version. */
export function cachedPgliteDir(cacheDir: string): string {
  return path.join(cacheDir, `pglite-${PGLITE_VERSION}`);
}

function versionOf(pkgDir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The pinned versions in `node_modules`, if both are there. */
function inNodeModules(nodeModules: string): PgliteModules | undefined {
  const pglite = path.join(nodeModules, '@electric-sql', 'pglite');
  const socket = path.join(nodeModules, '@electric-sql', 'pglite-socket');
  if (versionOf(pglite) !== PGLITE_VERSION || versionOf(socket) !== PGLITE_SOCKET_VERSION) return undefined;
  return { pglite: path.join(pglite, 'dist', 'index.cjs'), socket: path.join(socket, 'dist', 'index.cjs'), from: nodeModules };
}

/** The pinned PGlite next to Paved (the node_modules of `start` or of an ancestor), else in the cache; undefined when neither has it. */
export function findPglite(start: string, cacheDir: string): PgliteModules | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const found = inNodeModules(path.join(dir, 'node_modules'));
    if (found) return found;
    if (path.dirname(dir) === dir) break;
  }
  return inNodeModules(path.join(cachedPgliteDir(cacheDir), 'node_modules'));
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += dirSize(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/**
 * Installs the pinned PGlite into the cache with npm (into a temporary directory renamed into place, so a crash or a
 * concurrent install never leaves half a package). Resolves with the modules and the installed size in bytes.
 */
export async function installPglite(cacheDir: string, signal?: AbortSignal): Promise<{ modules: PgliteModules; bytes: number }> {
  const final = cachedPgliteDir(cacheDir);
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir, `.pglite-${PGLITE_VERSION}-`));
  try {
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'paved-pglite-cache', private: true }) + '\n');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const args = ['install', '--no-audit', '--no-fund', '--no-save', '--prefer-offline', `@electric-sql/pglite@${PGLITE_VERSION}`, `@electric-sql/pglite-socket@${PGLITE_SOCKET_VERSION}`];
    await new Promise<void>((resolve, reject) => {
      execFile(npm, args, { cwd: tmp, signal, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
        if (err) reject(new PavedError('io', `npm could not install PGlite ${PGLITE_VERSION}: ${(stderr || err.message).trim().split('\n').slice(-3).join(' ')}`, { cause: err }));
        else resolve();
      });
    });
    const modules = inNodeModules(path.join(tmp, 'node_modules'));
    if (!modules) throw new PavedError('io', `npm installed something else than PGlite ${PGLITE_VERSION} / pglite-socket ${PGLITE_SOCKET_VERSION}`);
    const bytes = dirSize(tmp);
    try {
      fs.renameSync(tmp, final);
    } catch (err) {
      // Another platform installed it meanwhile: use that one.
      if (!inNodeModules(path.join(final, 'node_modules'))) throw err;
    }
    return { modules: inNodeModules(path.join(final, 'node_modules'))!, bytes };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
