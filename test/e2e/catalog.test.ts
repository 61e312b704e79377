import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { catalogRow, openPavedSidebar, openPavedWorkbench, type Workbench, stopPlatformAndClose } from '../harness/workbench';

const row = catalogRow;

describe('Catalog and service details in the browser workbench', function () {
  this.timeout(300_000);
  let wb: Workbench;

  before(async () => {
    wb = await openPavedWorkbench({ fixture: 'demo' });
    console.log(`    (VS Code ${wb.vscodeVersion} at ${wb.codeServer.url})`);
  });

  after(async () => {
    await stopPlatformAndClose(wb);
  });

  it('shows the demo services grouped by system, with owner and status', async () => {
    await openPavedSidebar(wb.page);
    const checkout = row(wb.page, 'checkout');
    await checkout.waitFor({ state: 'visible', timeout: 90_000 });
    assert.match(await checkout.innerText(), /^checkout\s*2 services$/);
    assert.ok(await row(wb.page, 'storefront').isVisible());
    assert.ok(await row(wb.page, 'No system').isVisible());
    await checkout.click();
    const payments = row(wb.page, 'payments-api');
    await payments.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await payments.innerText(), /^payments-api\s*team-payments/);
    await row(wb.page, 'storefront').click();
    await row(wb.page, 'checkout-web').waitFor({ state: 'visible', timeout: 30_000 });
    const shot = await wb.screenshot('e2e-catalog-tree');
    assert.ok(fs.statSync(shot).size > 10_000, 'screenshot written');
  });

  it('opens the details panel of a service from the tree', async () => {
    await row(wb.page, 'payments-api').click();
    const frame = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const title = frame.locator('h1');
    await title.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await title.innerText(), 'Payments API payments-api');
    assert.match(await frame.locator('#overview').innerText(), /Owner\s+team-payments/);
    assert.match(await frame.locator('#dependencies').innerText(), /service:ledger[\s\S]*checkout-web/);
    const shot = await wb.screenshot('e2e-service-details');
    assert.ok(fs.statSync(shot).size > 10_000, 'screenshot written');
  });
});
