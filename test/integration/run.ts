/**
 * Integration tests inside a real VS Code extension host.
 *
 * Route "code-server" (default on linux-x64, works offline): code-server from npm (cached outside the repo), Paved and
 * a small test-runner extension installed as VSIX files into a throwaway profile, the workbench opened in headless
 * Chromium so the extension host starts, and the runner's mocha results streamed back to this process over loopback
 * (one window: runSessionInCodeServer in test/harness/extensionHost.ts).
 * Route "electron" (PAVED_TEST_ROUTE=electron, needs internet or a cached VS Code): @vscode/test-electron runs the
 * same compiled test files.
 */
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeServerInstallError, ensureCodeServer } from '../harness/codeServerInstall';
import { bundleForExtensionHost, runSessionInCodeServer, type SessionTotals } from '../harness/extensionHost';
import { packagePaved, packageRedHatYamlStandIn, packageRunner, type Vsix } from '../harness/package';
import { outDir, repoRoot } from '../harness/paths';
import { writeSummary } from '../harness/summary';
import { copyFixtureWorkspace, tempDir } from '../harness/workspace';
import { RUNNER_ENV, type RunnerConfig } from './runner/protocol';

/** One VS Code window: a fixture workspace, its trust, and the suites that run in it. */
interface Session {
  name: string;
  fixture: string;
  trusted: boolean;
  suiteDir: string;
  /** Extra extensions installed in this window only (packaged on demand). */
  extensions?: (() => Promise<Vsix>)[];
}
const sessions: Session[] = [
  { name: 'trusted workspace', fixture: 'basic', trusted: true, suiteDir: 'suite' },
  // Backstage tests switch the platform kind and store tokens: a window of their own keeps the local-platform suites
  // above independent of them.
  { name: 'Backstage platform', fixture: 'basic', trusted: true, suiteDir: 'backstage' },
  { name: 'untrusted workspace', fixture: 'basic', trusted: false, suiteDir: 'untrusted' },
  // A new user's first session on the demo workspace: the walkthrough's steps, each done for the first time.
  { name: 'first session: Get started with Paved', fixture: 'demo', trusted: true, suiteDir: 'walkthrough' },
  { name: 'Red Hat YAML beside Paved', fixture: 'basic', trusted: true, suiteDir: 'redhat-yaml', extensions: [packageRedHatYamlStandIn] },
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
  // One folder per harness run, so two runs at once never overwrite each other's bundles.
  return bundleForExtensionHost(entries, path.join(outDir, 'integration', String(process.pid), dir));
}

type Totals = SessionTotals;

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
    ensureCodeServer(); // first: when it cannot be installed, the stage fails now, with the reason
    const paved = await packagePaved();
    const runner = await packageRunner();
    vsixes = [paved.file, runner.file];
  }
  for (const session of sessions) {
    const files = await compileSuite(session.suiteDir);
    if (files.length === 0) continue;
    const extra = route === 'code-server' ? await Promise.all((session.extensions ?? []).map(async (pack) => (await pack()).file)) : [];
    const t =
      route === 'code-server'
        ? await runSessionInCodeServer({ ...session, files, vsixes: [...vsixes, ...extra], grep: process.env.PAVED_TEST_GREP, timeoutMs: TOTAL_TIMEOUT_MS })
        : await runElectron(files, session);
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
    if (err instanceof CodeServerInstallError) say(`✘ integration: ${err.message}`);
    else say(`integration harness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
