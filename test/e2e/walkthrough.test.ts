/**
 * "Get started with Paved" as a new user meets it, in a real browser workbench on the demo workspace: the walkthrough
 * opens from the Command Palette, its "Open the Catalog" button shows the catalog, the demo's plaintext secret shows in
 * the Problems view, Ctrl+. applies Paved's quick fix — and VS Code checks each of those steps off. Its screenshots are
 * the README's "Problems" picture and two of the walkthrough's own images (npm run screenshots).
 */
import * as assert from 'node:assert/strict';
import { openPavedWorkbench, openWalkthrough, runCommand, stopPlatformAndClose, walkthroughStep, type Workbench } from '../harness/workbench';

describe('"Get started with Paved" in the browser workbench: open the catalog, fix a finding with Ctrl+.', function () {
  this.timeout(600_000);
  let wb: Workbench;

  before(async () => {
    wb = await openPavedWorkbench({ fixture: 'demo' });
    console.log(`    (VS Code ${wb.vscodeVersion} at ${wb.codeServer.url})`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot('e2e-walkthrough-failed');
  });

  after(async () => {
    await stopPlatformAndClose(wb);
  });

  it('opens from the Command Palette; its "Open the Catalog" button shows the catalog and checks the step off', async () => {
    const page = wb.page;
    await openWalkthrough(page);
    assert.equal(await walkthroughStep(page, 'openCatalog').getAttribute('aria-checked'), 'false');
    await page.locator('.gettingStartedContainer').getByRole('button', { name: 'Open the Catalog', exact: true }).click();
    await page.locator('.sidebar .monaco-list-row', { hasText: 'checkout' }).first().waitFor({ state: 'visible', timeout: 120_000 });
    await walkthroughStep(page, 'openCatalog').and(page.locator('[aria-checked="true"]')).waitFor({ timeout: 30_000 });
  });

  it('shows the plaintext secret in Problems; Ctrl+. and Enter apply Paved’s quick fix; the step is checked off', async () => {
    const page = wb.page;
    // Quick Open: services/search/paved.yaml.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('search/paved.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'paved.yaml' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'SEARCH_API_TOKEN' }).first().waitFor({ state: 'visible', timeout: 60_000 });

    // Problems: every manifest of the workspace is checked; the filter finds the secret among the findings.
    await runCommand(page, 'Problems: Focus on Problems View');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'Production services need' }).first().waitFor({ state: 'visible', timeout: 90_000 });
    await wb.screenshot('e2e-problems');
    await page.locator('.part.panel').getByPlaceholder(/^Filter/).fill('secret');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'Plaintext secret in spec.env' }).first();
    await problem.waitFor({ state: 'visible', timeout: 30_000 });

    // Opening the problem takes the cursor to the finding; Ctrl+. lists its quick fix.
    await problem.dblclick();
    // The workbench may still be moving the focus from the Problems view to the editor when the keys arrive, and then
    // nothing opens: press again, as a user would, when the menu did not show within a few seconds.
    const editorFocused = page.locator('.part.editor .monaco-editor.focused').first();
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'SEARCH_API_TOKEN' }).first();
    for (let attempt = 1; ; attempt++) {
      await editorFocused.waitFor({ timeout: 30_000 });
      await page.keyboard.press('Control+Period');
      if (await fix.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) break;
      assert.ok(attempt < 3, 'Ctrl+. showed no quick fix for the plaintext secret, three times');
      await wb.screenshot(`e2e-quickfix-missed-${attempt}`);
      console.log(`    Ctrl+. showed no menu within 10 s (attempt ${attempt}); pressing it again`);
    }
    await wb.screenshot('e2e-quickfix');
    await page.keyboard.press('Enter');

    await page.locator('.monaco-editor .view-lines', { hasText: 'secrets:' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await problem.waitFor({ state: 'detached', timeout: 60_000 });
    assert.equal(await page.locator('.monaco-editor .view-lines', { hasText: 'demo-token-1234' }).count(), 0, 'the secret left the manifest');

    await runCommand(page, 'View: Hide Panel');
    await openWalkthrough(page);
    await walkthroughStep(page, 'fixFinding').and(page.locator('[aria-checked="true"]')).waitFor({ timeout: 30_000 });
    assert.equal(await walkthroughStep(page, 'openCatalog').getAttribute('aria-checked'), 'true');
    assert.equal(await walkthroughStep(page, 'newService').getAttribute('aria-checked'), 'false');
    // The selected step's picture (shipped in the VSIX) loads.
    await page.waitForFunction("(() => { const img = document.querySelector('.getting-started-media img'); return !!img && img.complete && img.naturalWidth > 0; })()", undefined, { timeout: 30_000 });
    await wb.screenshot('e2e-walkthrough');
  });
});
