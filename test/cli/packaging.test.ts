/**
 * What users download: the production build packaged as a VSIX (the way `npm run package` does it, in a staging copy
 * so dist/ is left alone) holds only allow-listed files, no source map, every schema once, the shared libraries once,
 * and stays within the size targets of the issue: VSIX ≤ 1 MB, dist/extension.js ≤ 600 KB.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packagePaved } from '../harness/package';
import { repoRoot } from '../harness/paths';

const VSIX_MAX_BYTES = 1_000_000;
const EXTENSION_JS_MAX_BYTES = 600_000;

/** Every file a VSIX may hold (paths inside the archive). */
const ALLOWED: RegExp[] = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/,
  /^extension\/(LICENSE\.txt|changelog\.md)$/,
  /^extension\/dist\/(extension|cli|lint|commands|scan-worker|shared)\.js$/,
  /^extension\/dist\/pglite-server\.cjs$/,
  /^extension\/dist\/webview\/[^/]+\.(js|css)$/,
  /^extension\/dist\/golden-paths\/[^/]+\/.+$/,
  /^extension\/media\/[^/]+\.(css|js|png|svg)$/,
  /^extension\/media\/walkthrough\/[^/]+\.(jpg|png|svg|md)$/,
  /^extension\/schemas\/[^/]+\.(json|yaml)$/,
];

/** Strings only one library's code holds: each must be in dist/shared.js and in no other bundle. */
const LIBRARY_MARKERS: Record<string, string> = {
  axios: 'ERR_BAD_RESPONSE',
  yaml: 'Implicit keys need to be on a single line',
  ajv: 'schema with key or id',
};

describe('packaging: the VSIX users download', function () {
  this.timeout(180_000);
  let stage: string;
  let files: string[];
  let bytes: number;

  before(async () => {
    stage = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-package-'));
    for (const f of ['package.json', 'README.md', '.vscodeignore']) fs.copyFileSync(path.join(repoRoot, f), path.join(stage, f));
    for (const d of ['media', 'schemas']) fs.cpSync(path.join(repoRoot, d), path.join(stage, d), { recursive: true });
    const dist = path.join(stage, 'dist');
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(repoRoot, 'test', 'harness', 'build.ts'), '--minify', '--outdir', dist], {
      cwd: repoRoot,
      stdio: 'pipe',
    });
    fs.cpSync(path.join(repoRoot, 'src', 'server', 'golden-paths'), path.join(dist, 'golden-paths'), { recursive: true });
    // A development build leaves source maps and older builds a schemas copy in dist/: neither may ship.
    fs.writeFileSync(path.join(dist, 'extension.js.map'), '{}');
    fs.mkdirSync(path.join(dist, 'schemas'));
    fs.writeFileSync(path.join(dist, 'schemas', 'paved.v1.schema.json'), '{}');
    const out = await packagePaved({ cwd: stage, packagePath: path.join(stage, 'paved.vsix') });
    bytes = out.bytes;
    files = execFileSync('unzip', ['-Z1', out.file], { encoding: 'utf8' }).split('\n').filter(Boolean);
  });

  after(() => fs.rmSync(stage, { recursive: true, force: true }));

  it('ships only allow-listed files, and no source map', () => {
    assert.deepEqual(files.filter((f) => !ALLOWED.some((re) => re.test(f))), []);
    assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
    assert.ok(files.includes('extension/dist/extension.js') && files.includes('extension/dist/cli.js') && files.includes('extension/dist/shared.js'), files.join('\n'));
  });

  it('ships every schema once (schemas/, not a second copy under dist/)', () => {
    const names = files.filter((f) => f.endsWith('.schema.json')).map((f) => path.basename(f));
    assert.ok(names.includes('paved.v1.schema.json'));
    assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
  });

  it('ships the shared libraries once: in dist/shared.js, not in the extension or CLI bundles', () => {
    const dist = path.join(stage, 'dist');
    const shared = fs.readFileSync(path.join(dist, 'shared.js'), 'utf8');
    for (const bundle of ['extension.js', 'commands.js', 'lint.js', 'scan-worker.js']) {
      const text = fs.readFileSync(path.join(dist, bundle), 'utf8');
      for (const [lib, marker] of Object.entries(LIBRARY_MARKERS)) {
        assert.ok(shared.includes(marker), `${lib} is in shared.js`);
        assert.ok(!text.includes(marker), `${bundle} carries its own copy of ${lib}`);
      }
    }
  });

  it(`is at most ${VSIX_MAX_BYTES / 1e6} MB, with dist/extension.js at most ${EXTENSION_JS_MAX_BYTES / 1e3} KB (minified)`, () => {
    const extension = fs.statSync(path.join(stage, 'dist', 'extension.js')).size;
    assert.ok(bytes <= VSIX_MAX_BYTES, `the VSIX is ${bytes} bytes`);
    assert.ok(extension <= EXTENSION_JS_MAX_BYTES, `dist/extension.js is ${extension} bytes`);
  });
});
