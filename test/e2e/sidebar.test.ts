import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { openPavedSidebar, openPavedWorkbench, type Workbench } from '../harness/workbench';

describe('Paved in the browser workbench', function () {
  this.timeout(300_000);
  let wb: Workbench;

  before(async () => {
    wb = await openPavedWorkbench({ fixture: 'empty' });
    console.log(`    (VS Code ${wb.vscodeVersion} at ${wb.codeServer.url})`);
  });

  after(async () => {
    await wb?.close();
  });

  it('shows the Paved container with the Catalog view and its welcome content', async () => {
    await openPavedSidebar(wb.page);
    const title = wb.page.locator('.sidebar .composite.title').first();
    assert.match(await title.innerText(), /^Paved/i);
    const header = wb.page.locator('.sidebar .pane-header', { hasText: 'Catalog' }).first();
    await header.waitFor({ state: 'visible', timeout: 30_000 });
    // The empty fixture has no manifest: once the embedded local platform is up, the catalog is empty and says so.
    const welcome = wb.page.locator('.sidebar .welcome-view-content', { hasText: 'The service catalog is empty.' }).first();
    await welcome.waitFor({ state: 'visible', timeout: 90_000 });
    assert.ok(await welcome.getByRole('button', { name: 'Refresh Catalog' }).isVisible());
    const shot = await wb.screenshot('e2e-sidebar');
    assert.ok(fs.statSync(shot).size > 10_000, 'screenshot written');
  });
});
