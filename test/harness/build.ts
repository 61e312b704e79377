/**
 * `npm run build`: the bundles under dist/.
 *
 * - `extension.js` — the VS Code extension (vscode external);
 * - `cli.js` (with `lint.js`, `commands.js` loaded on demand) and `scan-worker.js` — the `paved` CLI and `paved serve`;
 * - `shared.js` — what both faces need and would otherwise each carry: the third-party libraries (axios, yaml, ajv,
 *   ajv-formats) and the generated manifest and policy validators. The other bundles `require('./shared.js')` for
 *   those modules (each entry a getter, so a module is evaluated on first use only), so the VSIX ships them once.
 *
 * - `webview/` — the webviews' own scripts (the details panel's health chart and the insights dashboard over uPlot, with their CSS), browser
 *   bundles (IIFE, always minified) that never enter extension.js.
 *
 * `--outdir DIR` builds elsewhere than dist/ (the packaging test). `--minify` (build:production, used by `npm run package`) minifies and writes no source maps; the development build
 * writes source maps for stack traces in tests. Under tsx (unit tests, `npm start` of the sources) nothing is shared:
 * every module is imported from node_modules and src/ as usual.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

/** Import specifiers served by shared.js, with the module each one is. */
const SHARED_PACKAGES = ['axios', 'yaml', 'ajv', 'ajv/dist/2020', 'ajv-formats'];
/** Generated validators (by file name under src/core), served by shared.js. */
const SHARED_FILES = ['manifest/validators.generated.ts', 'manifest/scoreValidator.generated.ts', 'policy/validators.generated.ts'];

const sharedKey = (file: string) => `src/core/${file}`;

/** Routes the shared modules to `require('./shared.js')[key]` instead of bundling them. */
const useShared: Plugin = {
  name: 'use-shared',
  setup(b) {
    const packages = new RegExp(`^(${SHARED_PACKAGES.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter: packages }, (args) => ({ path: args.path, namespace: 'shared' }));
    b.onResolve({ filter: /\.generated$/ }, (args) => {
      const file = path.relative(path.join(repoRoot, 'src', 'core'), path.resolve(args.resolveDir, args.path)) + '.ts';
      return SHARED_FILES.includes(file.split(path.sep).join('/')) ? { path: sharedKey(file.split(path.sep).join('/')), namespace: 'shared' } : undefined;
    });
    b.onResolve({ filter: /^\.\/shared\.js$/ }, () => ({ path: './shared.js', external: true }));
    b.onLoad({ filter: /.*/, namespace: 'shared' }, (args) => ({
      contents: `module.exports = require('./shared.js')[${JSON.stringify(args.path)}];`,
      loader: 'js',
      resolveDir: repoRoot,
    }));
  },
};

/** The entry of shared.js: one lazy getter per shared module. */
function sharedEntry(): string {
  const getters = [
    ...SHARED_PACKAGES.map((p) => `get ${JSON.stringify(p)}() { return require(${JSON.stringify(p)}); }`),
    ...SHARED_FILES.map((f) => `get ${JSON.stringify(sharedKey(f))}() { return require(${JSON.stringify(`./src/core/${f}`)}); }`),
  ];
  return `module.exports = {\n  ${getters.join(',\n  ')}\n};\n`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const minify = args.includes('--minify');
  // `--outdir DIR` or `--outdir=DIR`.
  const outAt = args.indexOf('--outdir');
  const outArg = outAt >= 0 ? args[outAt + 1] : args.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length);
  const outdir = outArg ? path.resolve(outArg) : path.join(repoRoot, 'dist');
  const only = args.filter((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    minify,
    sourcemap: !minify,
    logLevel: 'warning',
    absWorkingDir: repoRoot,
  };
  const want = (name: string) => only.length === 0 || only.includes(name);
  const builds: Promise<unknown>[] = [];
  if (want('shared')) {
    builds.push(build({ ...common, stdin: { contents: sharedEntry(), resolveDir: repoRoot, sourcefile: 'shared-entry.js', loader: 'js' }, outfile: path.join(outdir, 'shared.js') }));
  }
  if (want('extension')) {
    builds.push(build({ ...common, entryPoints: ['src/extension/main.ts'], external: ['vscode'], outfile: path.join(outdir, 'extension.js'), plugins: [useShared] }));
  }
  if (want('cli')) {
    builds.push(
      build({
        ...common,
        entryPoints: { cli: 'src/cli/main.ts', lint: 'src/cli/lint.ts', commands: 'src/cli/commands.ts', 'scan-worker': 'src/server/catalog/scanWorker.ts' },
        outdir,
        external: ['./lint.js', './commands.js'],
        banner: { js: '#!/usr/bin/env node' },
        plugins: [useShared],
      }),
    );
  }
  if (want('webview')) {
    builds.push(
      build({ entryPoints: ['media/charts/healthChart.js', 'media/charts/insightsDashboard.js'], bundle: true, format: 'iife', minify: true, target: 'es2020', logLevel: 'warning', absWorkingDir: repoRoot, outdir: path.join(outdir, 'webview') }).then(() => {
        for (const [from, to] of [
          ['node_modules/uplot/dist/uPlot.min.css', 'uPlot.min.css'],
          ['media/charts/insights.css', 'insights.css'],
        ]) {
          fs.copyFileSync(path.join(repoRoot, from), path.join(outdir, 'webview', to));
        }
      }),
    );
  }
  await Promise.all(builds);
}

main().catch((err: unknown) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
