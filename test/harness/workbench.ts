import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWorkbench } from './browser';
import { stopLocalPlatforms } from './localPlatforms';
import { ensureCodeServer, installExtensions, startCodeServer, type RunningCodeServer } from './codeServer';
import { packagePaved } from './package';
import { testResultsDir } from './paths';
import { copyFixtureWorkspace, tempDir } from './workspace';

export interface Workbench {
  page: Page;
  browser: Browser;
  codeServer: RunningCodeServer;
  workspace: string;
  vscodeVersion: string;
  /** The throwaway profile: `user-data` (logs, globalStorage with the local platform's state) and `extensions`. */
  profileDir: string;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real VS Code workbench (code-server) with the freshly packaged Paved installed in a throwaway profile, opened
 * on a copy of a fixture workspace in headless Chromium. Used by the browser e2e tests.
 */
export async function openPavedWorkbench(options: { fixture: string; trusted?: boolean; env?: NodeJS.ProcessEnv }): Promise<Workbench> {
  const cs = ensureCodeServer();
  const vsix = await packagePaved();
  const profile = tempDir('e2e-profile');
  const ws = tempDir('e2e-ws');
  const dirs = { userDataDir: path.join(profile.path, 'user-data'), extensionsDir: path.join(profile.path, 'extensions') };
  installExtensions(cs, dirs, [vsix.file]);
  const workspace = copyFixtureWorkspace(options.fixture, path.join(ws.path, options.fixture));
  const codeServer = await startCodeServer(cs, dirs, { workspace, trust: options.trusted ?? true, env: options.env });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await openWorkbench(browser, codeServer.folderUrl(workspace));
    const b = browser;
    return {
      page,
      browser: b,
      codeServer,
      workspace,
      vscodeVersion: cs.vscodeVersion,
      profileDir: profile.path,
      async screenshot(name) {
        fs.mkdirSync(testResultsDir, { recursive: true });
        const file = path.join(testResultsDir, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      async close() {
        await b.close();
        await codeServer.stop();
        await stopLocalPlatforms(profile.path);
        profile.dispose();
        ws.dispose();
      },
    };
  } catch (err) {
    await browser?.close();
    await codeServer.stop();
    await stopLocalPlatforms(profile.path);
    profile.dispose();
    ws.dispose();
    throw err;
  }
}

/** Clicks Paved's activity bar entry and waits for its sidebar. */
export async function openPavedSidebar(page: Page): Promise<void> {
  const item = page.locator('.activitybar .action-item a[aria-label^="Paved"], .activitybar .action-label[aria-label^="Paved"]').first();
  await item.waitFor({ state: 'visible', timeout: 60_000 });
  await item.click();
  await page.locator('.sidebar .composite.title', { hasText: 'Paved' }).first().waitFor({ state: 'visible', timeout: 30_000 });
}

/** A row of the Paved sidebar's trees whose label is exactly `name`. */
export function catalogRow(page: Page, name: string) {
  return page.locator('.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).first();
}

/**
 * Runs a command from the palette (F1) by its title. The workbench may take the focus back while the palette opens
 * (a page that finishes rendering closes it), so a palette that closes before the title is typed is opened again.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    try {
      await input.fill(`>${title}`, { timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** A step of "Get started with Paved" on the Welcome page (`aria-checked` is VS Code's own "done" mark). */
export function walkthroughStep(page: Page, id: string) {
  return page.locator(`button.getting-started-step[data-step-id="paved-dev.paved#getStarted#${id}"]`);
}

/** Welcome: Open Walkthrough… → Get started with Paved. */
export async function openWalkthrough(page: Page): Promise<void> {
  await runCommand(page, 'Welcome: Open Walkthrough...');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Paved' }).first().click();
  await walkthroughStep(page, 'openCatalog').waitFor({ state: 'visible', timeout: 60_000 });
}

/**
 * Ends an e2e test's workbench: "Paved: Stop Local Platform" through the UI first (the local platform runs detached
 * from the window on purpose), waiting for its confirmation, then closes everything. Problems are logged, not thrown:
 * `close()` still stops whatever the profile started.
 */
export async function stopPlatformAndClose(wb: Workbench | undefined): Promise<void> {
  if (!wb) return;
  await runCommand(wb.page, 'Paved: Stop Local Platform').catch((err: unknown) => console.log(`    could not stop the local platform: ${String(err)}`));
  await wb.page
    .locator('.notifications-toasts', { hasText: /stopped the local platform|not running/ })
    .first()
    .waitFor({ timeout: 30_000 })
    .catch((err: unknown) => console.log(`    no confirmation that the local platform stopped: ${String(err)}`));
  await wb.close();
}
