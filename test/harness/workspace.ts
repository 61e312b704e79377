import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './paths';

const live = new Set<string>();
let exitHook = false;

function remove(dir: string): void {
  live.delete(dir);
  // Retries: a process that was just stopped (a local platform) may still be writing its last state file here.
  if (!process.env.PAVED_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

/**
 * A throwaway directory, removed by `dispose()` — or when the process exits (also after Ctrl-C) — unless
 * PAVED_KEEP_TMP is set.
 */
export function tempDir(prefix: string): { path: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `paved-${prefix}-`));
  live.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => [...live].forEach(remove));
  }
  return { path: dir, dispose: () => remove(dir) };
}

/** Copies a fixture workspace (test/fixtures/workspaces/NAME) into `target`. */
export function copyFixtureWorkspace(name: string, target: string): string {
  const src = path.join(repoRoot, 'test', 'fixtures', 'workspaces', name);
  if (!fs.existsSync(src)) throw new Error(`no fixture workspace ${name}`);
  fs.cpSync(src, target, { recursive: true });
  return target;
}
