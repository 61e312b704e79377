import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installEnv, type CodeServerInstall } from './codeServerInstall';
import { spawnGroup, stopGroup } from './processes';

export { ensureCodeServer, type CodeServerInstall } from './codeServerInstall';

function run(cmd: string, args: string[], opts: { cwd: string }): void {
  const res = spawnSync(cmd, args, { cwd: opts.cwd, env: installEnv(), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status ?? res.signal}):\n${(res.stdout ?? '').slice(-2000)}\n${(res.stderr ?? '').slice(-4000)}`);
  }
}

export interface Profile {
  userDataDir: string;
  extensionsDir: string;
}

/** Installs VSIX files into a throwaway profile (a copied folder is not picked up: the install writes extensions.json). */
export function installExtensions(cs: CodeServerInstall, profile: Profile, vsixFiles: string[]): void {
  writeUserSettings(profile);
  for (const vsix of vsixFiles) {
    run(cs.node, [cs.entry, '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir, '--install-extension', vsix, '--force'], {
      cwd: path.dirname(vsix),
    });
  }
}

/** Quiet, predictable user settings for a test profile: no chat panel, no start page, no update checks. */
export function writeUserSettings(profile: Profile, extra: Record<string, unknown> = {}): void {
  const dir = path.join(profile.userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    // code-server announces every port a deployed service listens on: noise in screenshots.
    'remote.autoForwardPorts': false,
    ...extra,
  };
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

export interface RunningCodeServer {
  url: string;
  pid: number;
  /** Opens `folder` in the workbench. */
  folderUrl(folder: string): string;
  stop(): Promise<void>;
  output(): string;
}

export async function startCodeServer(
  cs: CodeServerInstall,
  profile: Profile,
  options: { workspace: string; env?: NodeJS.ProcessEnv; trust?: boolean; port?: number; host?: string; readyTimeoutMs?: number },
): Promise<RunningCodeServer> {
  const host = options.host ?? '127.0.0.1';
  const args = [
    cs.entry,
    '--auth', 'none', // loopback only: the bind address below is never anything else
    '--bind-addr', `${host}:${options.port ?? 0}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir', profile.userDataDir,
    '--extensions-dir', profile.extensionsDir,
  ];
  if (options.trust !== false) args.push('--disable-workspace-trust');
  args.push(options.workspace);
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/.test(host)) throw new Error(`refusing to serve without auth on ${host}`);

  const child = spawnGroup(cs.node, args, {
    cwd: options.workspace,
    // The local platform of this throwaway profile (not the user’s shared ~/.local/state/paved): stopLocalPlatforms finds it there.
    env: { ...process.env, PAVED_STATE_DIR: path.join(profile.userDataDir, 'paved-state'), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within ${options.readyTimeoutMs ?? 60000} ms:\n${output}`)), options.readyTimeoutMs ?? 60000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /HTTP server listening on (http:\/\/[^\s]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited early (${code ?? signal}):\n${output}`));
    });
  });
  return {
    url,
    pid,
    folderUrl: (folder) => `${url}/?folder=${encodeURIComponent(folder)}`,
    stop: () => stopGroup(pid),
    output: () => output,
  };
}
