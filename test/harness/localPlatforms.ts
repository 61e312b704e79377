import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The extension starts `paved serve` detached (it must outlive a window reload), so stopping code-server does not stop
 * it. A test profile's local platforms are ours: find their `serve.json` records under the profile and end each one's
 * process group — after checking the pid still belongs to a `paved serve` (pids are reused).
 */
export async function stopLocalPlatforms(profileDir: string): Promise<number> {
  const records: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 8 || !fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !e.isSymbolicLink()) walk(p, depth + 1);
      else if (e.name === 'serve.json') records.push(p);
    }
  };
  walk(profileDir, 0);
  let stopped = 0;
  for (const file of records) {
    let pid: number | undefined;
    try {
      pid = (JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number }).pid;
    } catch (err) {
      process.stderr.write(`harness: unreadable ${file}: ${String(err)}\n`);
      continue;
    }
    if (!pid || !isPavedServe(pid)) continue;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      process.kill(pid, 'SIGTERM');
    }
    const deadline = Date.now() + 10_000;
    while (isPavedServe(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isPavedServe(pid)) process.kill(-pid, 'SIGKILL');
    stopped++;
  }
  return stopped;
}

function isPavedServe(pid: number): boolean {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && cmd.some((a) => a.endsWith('cli.js')) && cmd.includes('serve');
  } catch {
    return false;
  }
}
