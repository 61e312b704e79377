/**
 * Golden-path drift where people look, in the browser workbench: the demo's payments-api records node-http-service
 * 1.2.0 while the local platform publishes 1.3.0. The catalog tree says so on the service's row, and its paved.yaml has
 * the CodeLens. Screenshots: test-results/e2e-upgrade-*.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { catalogRow, openPavedSidebar, openPavedWorkbench, stopPlatformAndClose, type Workbench } from '../harness/workbench';

const row = catalogRow;

describe('Golden-path drift in the browser workbench (catalog and CodeLens)', function () {
  this.timeout(300_000);
  let wb: Workbench;

  before(async () => {
    wb = await openPavedWorkbench({ fixture: 'demo' });
    console.log(`    (VS Code ${wb.vscodeVersion} at ${wb.codeServer.url})`);
  });

  after(async () => {
    await stopPlatformAndClose(wb);
  });

  it('the catalog row of a service behind its golden path shows the versions', async () => {
    await openPavedSidebar(wb.page);
    const checkout = row(wb.page, 'checkout');
    await checkout.waitFor({ state: 'visible', timeout: 90_000 });
    await checkout.click();
    const payments = row(wb.page, 'payments-api');
    await payments.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await payments.innerText(), /^payments-api\s*team-payments · node-http-service 1\.2\.0 → 1\.3\.0$/);
    assert.doesNotMatch(await row(wb.page, 'ledger').innerText(), /→/, 'a service on no golden path has no badge');
    // Widen the sidebar (drag its sash) so the whole description shows in the screenshot.
    const box = await wb.page.locator('.part.sidebar').boundingBox();
    assert.ok(box);
    await wb.page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
    await wb.page.mouse.down();
    await wb.page.mouse.move(box.x + box.width + 260, box.y + box.height / 2, { steps: 8 });
    await wb.page.mouse.up();
    const shot = await wb.screenshot('e2e-upgrade-catalog-drift');
    assert.ok(fs.statSync(shot).size > 10_000, 'screenshot written');
  });

  it('paved.yaml shows the CodeLens on goldenPath: the newer version and Upgrade…', async () => {
    const { page } = wb;
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('services/payments-api/paved.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'paved.yaml' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Enter');
    const lens = page.locator('.contentWidgets .codelens-decoration', { hasText: '1.3.0 available' }).first();
    await lens.waitFor({ state: 'visible', timeout: 90_000 });
    const text = await lens.innerText();
    assert.match(text, /Golden path 1\.2\.0 · 1\.3\.0 available/);
    assert.match(text, /Upgrade…/);
    const shot = await wb.screenshot('e2e-upgrade-codelens');
    assert.ok(fs.statSync(shot).size > 10_000, 'screenshot written');
  });
});
