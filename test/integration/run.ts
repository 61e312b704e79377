/**
 * Integration tests inside a real VS Code extension host.
 *
 * Route "code-server" (default on linux-x64, works offline): code-server from npm (cached outside the repo), Paved and
 * a small test-runner extension installed as VSIX files into a throwaway profile, the workbench opened in headless
 * Chromium so the extension host starts, and the runner's mocha results streamed back to this process over loopback.
 * Route "electron" (PAVED_TEST_ROUTE=electron, needs internet or a cached VS Code): @vscode/test-electron runs the
 * same compiled test files.
 */
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { launchBrowser, openWorkbench } from '../harness/browser';
import { ensureCodeServer, installExtensions, startCodeServer } from '../harness/codeServer';
import { packagePaved, packageRunner } from '../harness/package';
import { outDir, repoRoot } from '../harness/paths';
import { stopLocalPlatforms } from '../harness/localPlatforms';
import { writeSummary } from '../harness/summary';
import { copyFixtureWorkspace, tempDir } from '../harness/workspace';
import { RUNNER_ENV, type RunnerConfig, type RunnerEvent } from './runner/protocol';

/** One VS Code window: a fixture workspace, its trust, and the suites that run in it. */
interface Session {
  name: string;
  fixture: string;
  trusted: boolean;
  suiteDir: string;
}
const sessions: Session[] = [
  { name: 'trusted workspace', fixture: 'basic', trusted: true, suiteDir: 'suite' },
  // Backstage tests switch the platform kind and store tokens: a window of their own keeps the local-platform suites
  // above independent of them.
  { name: 'Backstage platform', fixture: 'basic', trusted: true, suiteDir: 'backstage' },
  { name: 'untrusted workspace', fixture: 'basic', trusted: false, suiteDir: 'untrusted' },
].filter((s) => fs.existsSync(path.join(__dirname, s.suiteDir)));

const TOTAL_TIMEOUT_MS = Number(process.env.PAVED_TEST_TIMEOUT_MS ?? 15 * 60_000);
const say = (m: string) => process.stdout.write(`${m}\n`);

/** Bundles every test file of a suite dir to out/integration/<dir>/*.test.js (vscode stays external). */
async function compileSuite(dir: string): Promise<string[]> {
  const srcDir = path.join(__dirname, dir);
  // PAVED_TEST_FILES=catalog,deploy runs only the test files whose names contain one of the words.
  const only = (process.env.PAVED_TEST_FILES ?? '').split(',').map((w) => w.trim()).filter(Boolean);
  const entries = fs
    .readdirSync(srcDir)
    .filter((f) => f.endsWith('.test.ts') && (only.length === 0 || only.some((w) => f.includes(w))))
    .map((f) => path.join(srcDir, f));
  if (entries.length === 0) return [];
  // One folder per harness run, so two runs at once never overwrite each other's bundles.
  const target = path.join(outDir, 'integration', String(process.pid), dir);
  fs.rmSync(target, { recursive: true, force: true });
  await build({ entryPoints: entries, bundle: true, platform: 'node', format: 'cjs', target: 'node18', external: ['vscode', 'mocha'], outdir: target, sourcemap: 'inline', logLevel: 'warning' });
  return entries.map((e) => path.join(target, path.basename(e).replace(/\.ts$/, '.js')));
}

interface Totals {
  passes: number;
  failures: number;
  pending: number;
}

async function runSessionInCodeServer(session: Session, files: string[], vsixes: string[]): Promise<Totals> {
  const cs = ensureCodeServer();
  const profile = tempDir('profile');
  const ws = tempDir('ws');
  const events: RunnerEvent[] = [];
  let onEnd: (t: Totals) => void = () => undefined;
  const ended = new Promise<Totals>((resolve) => (onEnd = resolve));
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.end('ok');
      const e = JSON.parse(body) as RunnerEvent;
      events.push(e);
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
          onEnd({ passes: e.passes, failures: e.failures, pending: e.pending });
          break;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const reportUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const profileDirs = { userDataDir: path.join(profile.path, 'user-data'), extensionsDir: path.join(profile.path, 'extensions') };
  let code: Awaited<ReturnType<typeof startCodeServer>> | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    installExtensions(cs, profileDirs, vsixes);
    const workspace = copyFixtureWorkspace(session.fixture, path.join(ws.path, session.fixture));
    const config: RunnerConfig = { reportUrl, files, mocha: path.join(repoRoot, 'node_modules', 'mocha'), grep: process.env.PAVED_TEST_GREP };
    code = await startCodeServer(cs, profileDirs, {
      workspace,
      trust: session.trusted,
      env: { [RUNNER_ENV]: JSON.stringify(config), PAVED_TEST_WORKSPACE: workspace },
    });
    say(`\n${session.name}: code-server ${code.url} (VS Code ${cs.vscodeVersion}), workspace ${workspace}`);
    browser = await launchBrowser();
    const page = await openWorkbench(browser, code.folderUrl(workspace));
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${TOTAL_TIMEOUT_MS} ms`)), TOTAL_TIMEOUT_MS);
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
    profile.dispose();
    ws.dispose();
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

async function runElectron(files: string[], session: Session): Promise<Totals> {
  const { runTests } = await import('@vscode/test-electron');
  const entry = path.join(outDir, 'integration', 'electron.js');
  await build({ entryPoints: [path.join(__dirname, 'runner', 'electron.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node18', external: ['vscode'], outfile: entry, logLevel: 'warning' });
  const ws = tempDir('ws');
  try {
    const workspace = copyFixtureWorkspace(session.fixture, path.join(ws.path, session.fixture));
    const config: RunnerConfig = { files, mocha: path.join(repoRoot, 'node_modules', 'mocha'), grep: process.env.PAVED_TEST_GREP };
    const args = [workspace, '--disable-extensions', '--skip-welcome'];
    if (session.trusted) args.push('--disable-workspace-trust');
    await runTests({ extensionDevelopmentPath: repoRoot, extensionTestsPath: entry, launchArgs: args, extensionTestsEnv: { [RUNNER_ENV]: JSON.stringify(config), PAVED_TEST_WORKSPACE: workspace } });
    return { passes: files.length, failures: 0, pending: 0 };
  } catch (err) {
    say(`✘ ${session.name}: ${err instanceof Error ? err.message : String(err)}`);
    return { passes: 0, failures: 1, pending: 0 };
  } finally {
    ws.dispose();
  }
}

async function main(): Promise<number> {
  const route = process.env.PAVED_TEST_ROUTE ?? (process.platform === 'linux' && process.arch === 'x64' ? 'code-server' : 'electron');
  const totals: Totals = { passes: 0, failures: 0, pending: 0 };
  let vsixes: string[] = [];
  if (route === 'code-server') {
    const paved = await packagePaved();
    const runner = await packageRunner();
    vsixes = [paved.file, runner.file];
  }
  for (const session of sessions) {
    const files = await compileSuite(session.suiteDir);
    if (files.length === 0) continue;
    const t = route === 'code-server' ? await runSessionInCodeServer(session, files, vsixes) : await runElectron(files, session);
    totals.passes += t.passes;
    totals.failures += t.failures;
    totals.pending += t.pending;
  }
  fs.rmSync(path.join(outDir, 'integration', String(process.pid)), { recursive: true, force: true });
  writeSummary('integration', totals);
  say(`\nintegration (${route}): ${totals.passes} passed, ${totals.failures} failed`);
  if (totals.passes === 0) say('✘ no integration test ran');
  return totals.failures > 0 || totals.passes === 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`integration harness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
