/**
 * `npm run screenshots`: refreshes the README's pictures (media/screenshots/, PNG, not shipped) and the walkthrough's
 * images (media/walkthrough/, shipped, so downscaled JPEGs) from the screenshots the browser e2e suites take into
 * test-results/ — so they never go stale.
 *
 *   npm run screenshots              builds, runs the e2e suites that take them, then copies them in
 *   npm run screenshots -- --copy    only copies what test-results/ holds now (e.g. after `npm test`)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser } from './browser';
import { repoRoot, testResultsDir } from './paths';

/** The README's pictures: which e2e screenshot each one is, and the suite (test/e2e/<suite>.test.ts) that takes it. */
export const README_SCREENSHOTS = [
  { from: 'e2e-service-details', to: 'service-details.png', suite: 'catalog' },
  { from: 'e2e-catalog-tree', to: 'catalog.png', suite: 'catalog' },
  { from: 'e2e-problems', to: 'problems.png', suite: 'walkthrough' },
  { from: 'e2e-newservice-4-review', to: 'new-service.png', suite: 'newService' },
  { from: 'e2e-newservice-6-log', to: 'deployment-log.png', suite: 'newService' },
  { from: 'e2e-walkthrough', to: 'walkthrough.png', suite: 'walkthrough' },
  { from: 'e2e-platform-insights', to: 'platform-insights.png', suite: 'insights' },
] as const;

/**
 * The walkthrough's images (package.json `contributes.walkthroughs`), shipped in the VSIX: the part of the 1400×900
 * screenshot the step is about (`clip`, in its pixels), at most WALKTHROUGH_MAX_WIDTH wide, as JPEG.
 */
export const WALKTHROUGH_IMAGES = [
  { from: 'e2e-service-details', to: 'catalog.jpg', suite: 'catalog', clip: { x: 0, y: 36, width: 780, height: 520 } },
  { from: 'e2e-quickfix', to: 'problems.jpg', suite: 'walkthrough', clip: { x: 352, y: 290, width: 1048, height: 380 } },
  { from: 'e2e-newservice-4-review', to: 'new-service.jpg', suite: 'newService', clip: { x: 0, y: 0, width: 1010, height: 460 } },
  { from: 'e2e-newservice-5-healthy', to: 'deployed.jpg', suite: 'newService', clip: { x: 640, y: 520, width: 760, height: 380 } },
] as const;

/** The walkthrough shows its images beside the steps, at most about 530 CSS pixels wide (it assumes 1.5× images). */
const WALKTHROUGH_MAX_WIDTH = 800;
const WALKTHROUGH_QUALITY = 0.75;

export const screenshotsDir = path.join(repoRoot, 'media', 'screenshots');
export const walkthroughDir = path.join(repoRoot, 'media', 'walkthrough');

const say = (m: string) => process.stdout.write(`${m}\n`);

type Clip = { x: number; y: number; width: number; height: number };

/** Browser code (a string: this project compiles without the DOM types): crops, scales and encodes an image as JPEG. */
const CROP_TO_JPEG = (src: string, clip: Clip, maxWidth: number, quality: number) => `(async () => {
  const img = new Image();
  img.src = ${JSON.stringify(src)};
  await img.decode();
  const c = ${JSON.stringify(clip)};
  const scale = Math.min(1, ${maxWidth} / c.width);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(c.width * scale);
  canvas.height = Math.round(c.height * scale);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(img, c.x, c.y, c.width, c.height, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/jpeg', ${quality});
})()`;

function runSuites(): void {
  const suites = [...new Set([...README_SCREENSHOTS, ...WALKTHROUGH_IMAGES].map((s) => s.suite))];
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const files = suites.map((s) => path.join('test', 'e2e', `${s}.test.ts`));
  say(`screenshots: running the e2e suites that take them (${files.join(', ')})`);
  const res = spawnSync(npm, ['exec', '--', 'mocha', '--no-package', '--require', 'tsx/cjs', '--timeout', '600000', ...files], { cwd: repoRoot, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('the e2e suites failed: the pictures were not refreshed');
}

async function copyIn(): Promise<void> {
  const source = (name: string) => {
    const file = path.join(testResultsDir, `${name}.png`);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the e2e suites first (npm run screenshots without --copy)`);
    return file;
  };
  fs.mkdirSync(screenshotsDir, { recursive: true });
  fs.mkdirSync(walkthroughDir, { recursive: true });
  for (const s of README_SCREENSHOTS) {
    fs.copyFileSync(source(s.from), path.join(screenshotsDir, s.to));
    say(`  media/screenshots/${s.to.padEnd(22)} ${(fs.statSync(path.join(screenshotsDir, s.to)).size / 1024).toFixed(0).padStart(5)} KiB`);
  }
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    let total = 0;
    for (const s of WALKTHROUGH_IMAGES) {
      const png = `data:image/png;base64,${fs.readFileSync(source(s.from)).toString('base64')}`;
      // The browser scales and encodes: no image library needed.
      const jpeg = await page.evaluate<string>(CROP_TO_JPEG(png, s.clip, WALKTHROUGH_MAX_WIDTH, WALKTHROUGH_QUALITY));
      const out = path.join(walkthroughDir, s.to);
      fs.writeFileSync(out, Buffer.from(jpeg.replace(/^data:image\/jpeg;base64,/, ''), 'base64'));
      total += fs.statSync(out).size;
      say(`  media/walkthrough/${s.to.padEnd(22)} ${(fs.statSync(out).size / 1024).toFixed(0).padStart(5)} KiB`);
    }
    say(`  walkthrough images: ${(total / 1024).toFixed(0)} KiB in all (shipped in the VSIX)`);
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  (async () => {
    if (!process.argv.includes('--copy')) runSuites();
    say('screenshots: copying them in');
    await copyIn();
  })().catch((err: unknown) => {
    process.stderr.write(`screenshots failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
