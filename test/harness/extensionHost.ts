/**
 * One VS Code window in code-server whose extension host runs compiled mocha files through the test-runner extension
 * (test/integration/runner): used by the integration tests (test/integration/run.ts) and by benchmarks that measure
 * inside the real extension host (test/bench/extensionHost.ts).
 *
 * The window gets a throwaway profile (VSIX files installed, user settings written) and a copy of a fixture
 * workspace; the runner's events (results, metrics, logs) are streamed back over loopback and printed. Everything the
 * session started — code-server's process group, the browser, local platforms the extension left running, the report
 * server and the temporary folders — is ended or removed before it returns, also when it fails.
 */
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { RUNNER_ENV, type RunnerConfig, type RunnerEvent } from '../integration/runner/protocol';
import { launchBrowser, openWorkbench } from './browser';
import { ensureCodeServer, installExtensions, startCodeServer, writeUserSettings } from './codeServer';
import { stopLocalPlatforms } from './localPlatforms';
import { repoRoot } from './paths';
import { copyFixtureWorkspace, tempDir } from './workspace';

export interface HostSession {
  /** Printed before the session's results. */
  name: string;
  /** Fixture workspace (test/fixtures/workspaces/<fixture>) the window opens, copied first. */
  fixture: string;
  trusted: boolean;
  /** Compiled (bundled) test files mocha runs inside the extension host. */
  files: string[];
  /** VSIX files installed into the session's profile: Paved and the test runner, and any extra extension. */
  vsixes: string[];
  /** Added to code-server's environment, so the extension host sees it too. */
  env?: Record<string, string>;
  /** User settings of the profile, on top of the quiet defaults (writeUserSettings). */
  userSettings?: Record<string, unknown>;
  /**
   * Settings of the machine the extension host runs on (`<user-data-dir>/Machine/settings.json`, "Remote" settings in
   * code-server). Settings of scope machine / machine-overridable (paved.platform.*) are read from here, not from the
   * user settings, in a code-server window.
   */
  machineSettings?: Record<string, unknown>;
  /** Only the tests whose full title matches. */
  grep?: string;
  /** mocha's per-test timeout inside the host (runner default 60 s). */
  testTimeoutMs?: number;
  /** The whole session ends as failed when the runner has not reported its end by then. */
  timeoutMs?: number;
  /** Called with every runner event after it was printed. */
  onEvent?: (event: RunnerEvent) => void;
}

export interface SessionTotals {
  passes: number;
  failures: number;
  pending: number;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const say = (m: string) => process.stdout.write(`${m}\n`);

/** Bundles files that run inside the extension host (vscode and mocha stay external) into `target`; returns the bundles. */
export async function bundleForExtensionHost(entries: string[], target: string): Promise<string[]> {
  if (entries.length === 0) return [];
  fs.rmSync(target, { recursive: true, force: true });
  await build({ entryPoints: entries, bundle: true, platform: 'node', format: 'cjs', target: 'node18', external: ['vscode', 'mocha'], outdir: target, sourcemap: 'inline', logLevel: 'warning' });
  return entries.map((e) => path.join(target, path.basename(e).replace(/\.ts$/, '.js')));
}

/** Runs one session in code-server + headless Chromium and returns the runner's totals (a harness failure counts as one failure). */
export async function runSessionInCodeServer(session: HostSession): Promise<SessionTotals> {
  const cs = ensureCodeServer();
  const profile = tempDir('profile');
  const ws = tempDir('ws');
  const timeoutMs = session.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const events: RunnerEvent[] = [];
  let onEnd: (t: SessionTotals) => void = () => undefined;
  const ended = new Promise<SessionTotals>((resolve) => (onEnd = resolve));
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.end('ok');
      const e = JSON.parse(body) as RunnerEvent;
      events.push(e);
      printEvent(e);
      session.onEvent?.(e);
      if (e.type === 'end') onEnd({ passes: e.passes, failures: e.failures, pending: e.pending });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const reportUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const profileDirs = { userDataDir: path.join(profile.path, 'user-data'), extensionsDir: path.join(profile.path, 'extensions') };
  let code: Awaited<ReturnType<typeof startCodeServer>> | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    installExtensions(cs, profileDirs, session.vsixes);
    if (session.userSettings) writeUserSettings(profileDirs, session.userSettings);
    if (session.machineSettings) {
      fs.mkdirSync(path.join(profileDirs.userDataDir, 'Machine'), { recursive: true });
      fs.writeFileSync(path.join(profileDirs.userDataDir, 'Machine', 'settings.json'), JSON.stringify(session.machineSettings, null, 2) + '\n');
    }
    const workspace = copyFixtureWorkspace(session.fixture, path.join(ws.path, session.fixture));
    const config: RunnerConfig = { reportUrl, files: session.files, mocha: path.join(repoRoot, 'node_modules', 'mocha'), grep: session.grep, timeoutMs: session.testTimeoutMs };
    code = await startCodeServer(cs, profileDirs, {
      workspace,
      trust: session.trusted,
      env: { ...session.env, [RUNNER_ENV]: JSON.stringify(config), PAVED_TEST_WORKSPACE: workspace },
    });
    say(`\n${session.name}: code-server ${code.url} (VS Code ${cs.vscodeVersion}), workspace ${workspace}`);
    browser = await launchBrowser();
    const page = await openWorkbench(browser, code.folderUrl(workspace));
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([ended, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    say(`✘ ${session.name}: ${err instanceof Error ? err.message : String(err)}`);
    dumpExtensionHostLog(profileDirs.userDataDir);
    return { passes: events.filter((e) => e.type === 'pass').length, failures: 1, pending: 0 };
  } finally {
    await browser?.close().catch((e: unknown) => say(`browser close: ${String(e)}`));
    await code?.stop();
    const stopped = await stopLocalPlatforms(profile.path);
    if (stopped) say(`  (stopped ${stopped} local platform${stopped > 1 ? 's' : ''} the session left running)`);
    server.close();
    // An extension host still shutting down can start the local platform once more while the profile is removed: stop
    // that one too and remove again (a live platform writing its state dir makes the removal fail with ENOTEMPTY).
    for (let attempt = 1; ; attempt++) {
      try {
        profile.dispose();
        break;
      } catch (err) {
        if (attempt === 3) {
          say(`  (could not remove the test profile ${profile.path}: ${String(err).split('\n')[0]})`);
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
        const late = await stopLocalPlatforms(profile.path);
        say(`  (removing the profile failed: ${String(err).split('\n')[0]}; stopped ${late} local platform${late === 1 ? '' : 's'} started late, trying again)`);
      }
    }
    ws.dispose();
  }
}

function printEvent(e: RunnerEvent): void {
  switch (e.type) {
    case 'hello':
      say(`Running in ${e.appName} ${e.vscodeVersion} (extension host on Node ${e.node}, ${e.appHost})`);
      break;
    case 'pass':
      say(`  ✔ ${e.title} (${e.durationMs} ms)`);
      break;
    case 'fail':
      say(`  ✘ ${e.title}\n${e.error.replace(/^/gm, '      ')}`);
      break;
    case 'pending':
      say(`  - ${e.title} (pending)`);
      break;
    case 'metric':
      say(`  ◆ ${e.name}: ${e.value} ${e.unit}`);
      break;
    case 'log':
      say(`  · ${e.message}`);
      break;
    case 'end':
      break;
  }
}

function dumpExtensionHostLog(userDataDir: string): void {
  const logs = path.join(userDataDir, 'logs');
  if (!fs.existsSync(logs)) return;
  for (const stamp of fs.readdirSync(logs)) {
    const file = path.join(logs, stamp, 'exthost1', 'remoteexthost.log');
    if (fs.existsSync(file)) say(`--- ${file} (last 60 lines)\n${fs.readFileSync(file, 'utf8').split('\n').slice(-60).join('\n')}`);
  }
}
