/**
 * The one default state directory of the local platform, shared by `paved serve`, the `paved` CLI and every VS Code
 * window (so the CLI sees what the editor sees): `$PAVED_STATE_DIR`, else `$XDG_STATE_HOME/paved`, else
 * `~/.local/state/paved`. Tests and the test harness set PAVED_STATE_DIR to a throwaway directory.
 * Dependency-free so that the server, the CLI and the extension can all import it cheaply.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export const STATE_DIR_ENV = 'PAVED_STATE_DIR';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const explicit = env[STATE_DIR_ENV]?.trim();
  if (explicit) return path.resolve(explicit);
  const xdg = env.XDG_STATE_HOME?.trim();
  return path.join(xdg ? xdg : path.join(home, '.local', 'state'), 'paved');
}
