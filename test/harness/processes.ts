import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Child processes started by the harness, each in its own process group so that everything they spawn (code-server
 * leaves an agent host and other helpers behind) can be ended at once. Only groups started here are ever signalled.
 */
const groups = new Set<number>();
let hooksInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const pid of groups) killGroup(pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nharness: ${signal}, ending the processes it started\n`);
      for (const pid of groups) killGroup(pid, 'SIGTERM');
      process.exit(130);
    });
  }
}

/** Spawns a command detached (own process group) and remembers the group for cleanup. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  installExitHooks();
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid !== undefined) groups.add(child.pid);
  child.once('exit', () => {
    // The leader exited; its group may live on (children), so keep it until stopGroup runs.
  });
  return child;
}

/** Ends a process group: SIGTERM, then SIGKILL after `graceMs` if anything in it is still alive. */
export async function stopGroup(pid: number, graceMs = 3000): Promise<void> {
  if (!groups.has(pid)) return;
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
  groups.delete(pid);
}
