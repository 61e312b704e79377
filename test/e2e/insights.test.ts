/**
 * Paved: Platform Insights in the browser workbench on the demo workspace with the demo's sample insights (the same
 * seeding `npm start` does, into this run's own state dir): the dashboard's charts and tables, and its screenshot for
 * the README.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../contract/helpers';
import { stopLocalPlatforms } from '../harness/localPlatforms';
import { repoRoot } from '../harness/paths';
import { seedSampleInsights } from '../harness/sampleInsights';
import { catalogRow, openPavedSidebar, openPavedWorkbench, runCommand, stopPlatformAndClose, type Workbench } from '../harness/workbench';

describe('Platform Insights in the browser workbench', function () {
  this.timeout(300_000);
  let wb: Workbench;
  let state: string;

  before(async () => {
    state = tempDir('e2e-insights-state');
    await seedSampleInsights(state, path.join(repoRoot, 'test', 'fixtures', 'workspaces', 'demo'));
    wb = await openPavedWorkbench({ fixture: 'demo', env: { PAVED_STATE_DIR: state } });
  });

  after(async () => {
    await stopPlatformAndClose(wb);
    await stopLocalPlatforms(state);
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('draws the delivery trends and the tables of the sample history', async () => {
    await openPavedSidebar(wb.page);
    await catalogRow(wb.page, 'checkout').waitFor({ state: 'visible', timeout: 90_000 });
    await runCommand(wb.page, 'Paved: Platform Insights');
    const frame = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await frame.locator('#delivery .chart[data-drawn="true"]').first().waitFor({ state: 'visible', timeout: 90_000 });
    assert.match(await frame.locator('.meta').innerText(), /SAMPLE DATA/);
    assert.match(await frame.locator('#delivery').innerText(), /Change fail rate/);
    assert.match(await frame.locator('#feedback').innerText(), /Sample: deploys to staging wait/);
    const shot = await wb.screenshot('e2e-platform-insights');
    assert.ok(fs.statSync(shot).size > 10_000, 'screenshot written');
  });
});
