import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { README_SCREENSHOTS, screenshotsDir, WALKTHROUGH_IMAGES, walkthroughDir } from '../../harness/screenshots';

const ROOT = path.join(__dirname, '..', '..', '..');

/** The names an e2e suite passes to `wb.screenshot(…)`. */
function screenshotsTakenBy(suite: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'test', 'e2e', `${suite}.test.ts`), 'utf8');
  return [...text.matchAll(/\.screenshot\('([\w-]+)'\)/g)].map((m) => m[1]);
}

describe('the README’s pictures and the walkthrough’s images come from the e2e run (npm run screenshots)', () => {
  it('every picture the README shows is one npm run screenshots copies in, and it is there', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const shown = [...readme.matchAll(/\]\((media\/screenshots\/[\w.-]+)\)/g)].map((m) => m[1]);
    assert.ok(shown.length >= 5, `the README shows ${shown.length} pictures`);
    for (const file of shown) {
      assert.ok(README_SCREENSHOTS.some((s) => `media/screenshots/${s.to}` === file), `${file} is refreshed by npm run screenshots`);
      assert.ok(fs.existsSync(path.join(ROOT, file)), `${file} exists`);
    }
    for (const s of README_SCREENSHOTS) assert.ok(fs.existsSync(path.join(screenshotsDir, s.to)), s.to);
  });

  it('each of them is a screenshot its e2e suite takes', () => {
    for (const s of [...README_SCREENSHOTS, ...WALKTHROUGH_IMAGES]) {
      assert.ok(screenshotsTakenBy(s.suite).includes(s.from), `test/e2e/${s.suite}.test.ts takes ${s.from}`);
    }
  });

  it('the walkthrough shows exactly the images npm run screenshots makes, as JPEG', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { walkthroughs: { steps: { media: { image?: string } }[] }[] } };
    const images = pkg.contributes.walkthroughs.flatMap((w) => w.steps.flatMap((s) => s.media.image ?? []));
    assert.deepEqual(images.sort(), WALKTHROUGH_IMAGES.map((w) => `media/walkthrough/${w.to}`).sort());
    for (const w of WALKTHROUGH_IMAGES) {
      const jpeg = fs.readFileSync(path.join(walkthroughDir, w.to));
      assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], `${w.to} is a JPEG`);
    }
  });
});
