import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createVSIX, listFiles, PackageManager } from '@vscode/vsce';
import { outDir, repoRoot } from './paths';
import { ensurePeers } from './peers';

export interface Vsix {
  file: string;
  bytes: number;
  files: number;
}

async function vsix(cwd: string, packagePath: string, urls: { baseContentUrl?: string; baseImagesUrl?: string } = {}): Promise<Vsix> {
  fs.mkdirSync(path.dirname(packagePath), { recursive: true });
  // vsce prints the whole file tree and has no quiet switch: keep its output for when it fails.
  const captured: string[] = [];
  const original = { log: console.log, info: console.info, warn: console.warn };
  console.log = console.info = console.warn = (...args: unknown[]) => void captured.push(args.map(String).join(' '));
  try {
    // vsce scans the package with secretlint: the source maps carry the sources of the bundled secretlint rules, whose
    // Shopify rule documents its format with example tokens in a comment. Those (and only that family) are let through.
    await createVSIX({ cwd, packagePath, dependencies: false, skipLicense: true, allowMissingRepository: true, allowPackageSecrets: ['shopify'], ...urls });
  } catch (err) {
    process.stderr.write(captured.join('\n') + '\n');
    throw err;
  } finally {
    Object.assign(console, original);
  }
  const files = await listFiles({ cwd, packageManager: PackageManager.None });
  return { file: packagePath, bytes: fs.statSync(packagePath).size, files: files.length };
}

/**
 * Packages Paved (dist/ must be built) as out/paved-<version>.vsix. The README's pictures (media/screenshots/) are not
 * shipped: its relative links become links into the repository (package.json `repository`), as vsce does by itself
 * only for GitHub and GitLab.
 */
export async function packagePaved(): Promise<Vsix> {
  const { version, repository } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');
  const repo = repository.url.replace(/\.git$/, '');
  return vsix(repoRoot, path.join(outDir, `paved-${version}.vsix`), { baseContentUrl: `${repo}/blob/HEAD/`, baseImagesUrl: `${repo}/raw/HEAD/` });
}

/**
 * Packages the test-runner extension: a second extension, installed beside Paved, that runs the integration suite
 * with mocha inside the extension host and reports every result to the harness.
 */
export async function packageRunner(): Promise<Vsix> {
  const dir = path.join(outDir, 'runner-extension');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [path.join(repoRoot, 'test', 'integration', 'runner', 'extension.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
    outfile: path.join(dir, 'extension.js'),
    logLevel: 'warning',
  });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'paved-test-runner',
        displayName: 'Paved test runner',
        description: 'Runs the Paved integration suite inside the extension host (tests only).',
        version: '0.0.1',
        publisher: 'paved-dev',
        license: 'MIT',
        engines: { vscode: '^1.85.0' },
        main: './extension.js',
        activationEvents: ['onStartupFinished'],
        capabilities: { untrustedWorkspaces: { supported: true } },
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(dir, 'README.md'), '# Paved test runner\n\nTest infrastructure; never published.\n');
  fs.writeFileSync(path.join(dir, '.vscodeignore'), '**\n!extension.js\n!package.json\n!README.md\n');
  return vsix(dir, path.join(outDir, 'paved-test-runner.vsix'));
}

/**
 * Packages the TEST-ONLY stand-in for the Red Hat YAML extension (test/integration/redhat-yaml/extension): id
 * `redhat.vscode-yaml`, validating open YAML documents with the real yaml-language-server library. Installed only in
 * the session that tests Paved beside it.
 */
export async function packageRedHatYamlStandIn(): Promise<Vsix> {
  ensurePeers(); // yaml-language-server lives in test/peers (tsconfig paths point there; esbuild follows them)
  const dir = path.join(outDir, 'redhat-yaml-stand-in');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [path.join(repoRoot, 'test', 'integration', 'redhat-yaml', 'extension', 'extension.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
    // jsonc-parser's UMD build (its `main`) requires its own files at run time: take the ES module build instead.
    mainFields: ['module', 'main'],
    outfile: path.join(dir, 'extension.js'),
    logLevel: 'warning',
  });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'vscode-yaml',
        displayName: 'YAML (Red Hat YAML stand-in for Paved tests)',
        description: 'Test-only stand-in for redhat.vscode-yaml: yaml-language-server validation of open YAML documents. Never published.',
        version: '0.0.1',
        publisher: 'redhat',
        license: 'MIT',
        engines: { vscode: '^1.85.0' },
        main: './extension.js',
        activationEvents: ['onLanguage:yaml'],
        capabilities: { untrustedWorkspaces: { supported: true } },
        contributes: {
          configuration: {
            title: 'YAML',
            properties: {
              'yaml.validate': { type: 'boolean', default: true, description: 'Enable/disable validation feature' },
              'yaml.schemas': { type: 'object', default: {}, description: 'Associate schemas to YAML files in the current workspace' },
            },
          },
        },
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(dir, 'README.md'), '# Red Hat YAML stand-in\n\nTest infrastructure for Paved; never published.\n');
  fs.writeFileSync(path.join(dir, '.vscodeignore'), '**\n!extension.js\n!package.json\n!README.md\n');
  return vsix(dir, path.join(outDir, 'redhat-yaml-stand-in.vsix'));
}

if (require.main === module) {
  packagePaved().then(
    (v) => {
      process.stdout.write(`${path.relative(repoRoot, v.file)}: ${(v.bytes / 1024).toFixed(1)} KiB, ${v.files} files\n`);
    },
    (err: unknown) => {
      process.stderr.write(`package failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
