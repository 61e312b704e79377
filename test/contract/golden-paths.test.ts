import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { call, scaffoldTask, serve, tempDir, type Served } from './helpers';
import { lint } from '../../src/core/manifest/lint';
import type { ScaffoldTask } from '../../src/core/api/types';

const execFileAsync = promisify(execFile);

const scaffold = (s: Served, templateId: string, values: Record<string, unknown>): Promise<ScaffoldTask> => scaffoldTask(s, templateId, values);

function write(task: ScaffoldTask, target: string): void {
  for (const f of task.result?.files ?? []) {
    fs.mkdirSync(path.dirname(path.join(target, f.path)), { recursive: true });
    fs.writeFileSync(path.join(target, f.path), f.content, { mode: f.mode });
  }
}

describe('Golden paths: each one builds and passes its own tests; hostile templates are refused', function () {
  this.timeout(120000);
  let s: Served;
  let extra: string;

  before(async () => {
    extra = tempDir('templates');
    const mk = (id: string, files: Record<string, string>, required = '[name, owner]', extraProps = ''): void => {
      fs.mkdirSync(path.join(extra, id, 'files'), { recursive: true });
      fs.writeFileSync(
        path.join(extra, id, 'template.yaml'),
        `id: ${id}\ntitle: ${id}\ndescription: test\nowner: team-platform\nversion: 0.1.0\nparameters:\n  type: object\n  required: ${required}\n  properties:\n    name: { type: string }\n    owner: { type: string }\n${extraProps}`,
      );
      for (const [p, c] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(extra, id, 'files', p)), { recursive: true });
        fs.writeFileSync(path.join(extra, id, 'files', p), c);
      }
    };
    // A hostile template cannot put '..' in a file name on disk, but a placeholder default can.
    mk('climber', { '{{dir}}/escape.txt': 'gotcha', 'ok.txt': 'fine' }, '[name, owner]', "    dir: { type: string, default: '../..' }\n");
    mk('team-readme', { 'README.md': '# {{name}} by {{owner}}\n' });
    mk('no-owner', { 'a.txt': 'x' }, '[name]');
    fs.symlinkSync('/etc/passwd', path.join(extra, 'team-readme', 'files', 'passwd'));
    mk('linked', { 'a.txt': 'x' });
    fs.rmSync(path.join(extra, 'team-readme', 'files', 'passwd'));
    fs.symlinkSync('/etc/passwd', path.join(extra, 'linked', 'files', 'passwd'));
    s = await serve(['--state-dir', tempDir('gp-state'), '--templates', extra, '--idle-timeout', '0']);
  });

  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  for (const [id, values, script] of [
    ['node-http-service', { name: 'orders', owner: 'team-a' }, ['--test', 'test/']],
    ['static-site', { name: 'docs-site', owner: 'team-a', title: 'Docs' }, ['--test', 'test/']],
    ['scheduled-worker', { name: 'nightly', owner: 'team-a', intervalSeconds: 5 }, ['--test', 'test/']],
  ] as const) {
    it(`${id}: renders, builds, passes its tests, and its manifests are valid YAML with the values`, async () => {
      const task = await scaffold(s, id, values);
      assert.equal(task.state, 'succeeded', task.error);
      const target = path.join(tempDir('gp'), values.name);
      write(task, target);
      for (const f of ['paved.yaml', 'catalog-info.yaml', 'Dockerfile', '.github/workflows/ci.yml', 'README.md', 'package.json']) {
        assert.ok(fs.existsSync(path.join(target, f)), `${id} produces ${f}`);
      }
      const yaml = await import('yaml');
      const manifest = yaml.parse(fs.readFileSync(path.join(target, 'paved.yaml'), 'utf8'));
      assert.deepEqual([manifest.apiVersion, manifest.kind, manifest.metadata.name, manifest.metadata.owner], ['paved.dev/v1', 'Service', values.name, 'team-a']);
      assert.equal(manifest.metadata.goldenPath.template, id);
      const build = spawnSync(process.execPath, ['scripts/build.js'], { cwd: target, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
      const tests = spawnSync(process.execPath, script as unknown as string[], { cwd: target, encoding: 'utf8' });
      assert.equal(tests.status, 0, tests.stdout + tests.stderr);
      assert.match(tests.stdout, /# fail 0/);
    });
  }

  it('typescript-http-service: renders, installs its pinned toolchain from its own lockfile, builds, passes its tests; manifests pass the default policies', async function () {
    this.timeout(300000);
    const values = { name: 'orders-ts', owner: 'team-a' };
    const task = await scaffold(s, 'typescript-http-service', values);
    assert.equal(task.state, 'succeeded', task.error);
    const target = path.join(tempDir('gp'), values.name);
    write(task, target);
    assert.deepEqual(
      (task.result?.files ?? []).map((f) => f.path),
      ['.dockerignore', '.github/workflows/ci.yml', '.gitignore', 'Dockerfile', 'README.md', 'catalog-info.yaml', 'package-lock.json', 'package.json', 'paved.yaml', 'src/server.ts', 'test/server.test.ts', 'tsconfig.json'],
    );
    const yaml = await import('yaml');
    const manifest = yaml.parse(fs.readFileSync(path.join(target, 'paved.yaml'), 'utf8'));
    assert.deepEqual([manifest.apiVersion, manifest.kind, manifest.metadata.name, manifest.metadata.owner, manifest.metadata.lifecycle], ['paved.dev/v1', 'Service', 'orders-ts', 'team-a', 'experimental']);
    assert.deepEqual(manifest.metadata.goldenPath, { template: 'typescript-http-service', version: '1.0.0' });
    assert.deepEqual([manifest.spec.run, manifest.spec.health], [{ command: 'node dist/src/server.js', port: 8080 }, { path: '/healthz' }]);
    for (const f of ['paved.yaml', 'catalog-info.yaml']) {
      assert.deepEqual(lint(fs.readFileSync(path.join(target, f), 'utf8'), f).findings, [], f);
    }
    // The stricter production policies hold too when the team picks that lifecycle.
    const prod = await scaffold(s, 'typescript-http-service', { ...values, lifecycle: 'production' });
    const prodManifest = prod.result?.files.find((f) => f.path === 'paved.yaml')?.content ?? '';
    assert.match(prodManifest, /\n {2}lifecycle: production\n/);
    assert.deepEqual(lint(prodManifest, 'paved.yaml').findings, []);
    // The lockfile is rendered too: its root name follows package.json and it pins exactly what package.json pins.
    const pkg = JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8'));
    const lock = JSON.parse(fs.readFileSync(path.join(target, 'package-lock.json'), 'utf8'));
    assert.deepEqual([pkg.name, lock.name, lock.packages[''].name], ['orders-ts', 'orders-ts', 'orders-ts']);
    assert.deepEqual(Object.keys(pkg.devDependencies).sort(), ['@types/node', 'typescript']);
    assert.deepEqual(lock.packages[''].devDependencies, pkg.devDependencies);
    for (const [dep, version] of Object.entries(pkg.devDependencies as Record<string, string>)) {
      assert.match(version, /^\d+\.\d+\.\d+$/, `${dep} is pinned to an exact version`);
      assert.equal(lock.packages[`node_modules/${dep}`].version, version, `lockfile version of ${dep}`);
    }
    // Asynchronous on purpose: a blocked event loop would leave a stale keep-alive socket to the platform behind.
    const npm = async (args: string[]): Promise<string> => {
      try {
        return (await execFileAsync('npm', args, { cwd: target, encoding: 'utf8', timeout: 240000, maxBuffer: 16 * 1024 * 1024 })).stdout;
      } catch (err) {
        const e = err as { message: string; stdout?: string; stderr?: string };
        assert.fail(`npm ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    };
    await npm(['ci', '--no-audit', '--no-fund', '--prefer-offline']);
    await npm(['run', 'build']);
    assert.ok(fs.existsSync(path.join(target, 'dist/src/server.js')), 'npm run build writes dist/src/server.js');
    const out = await npm(['test']);
    assert.match(out, /\nok \d+ - GET \/healthz answers 200 with the service name\n/);
    assert.match(out, /\nok \d+ - the built server listens on PORT, answers \/healthz and exits 0 on SIGTERM\n/);
    assert.match(out, /\n# fail 0\n/);
  });

  it('a template whose output climbs out of the target fails with a clear error and no files', async () => {
    const task = await scaffold(s, 'climber', { name: 'x', owner: 'y' });
    assert.equal(task.state, 'failed');
    assert.equal(task.error, 'refusing output path "../../escape.txt": it climbs out with ..');
    assert.equal(task.result, undefined);
  });

  it('--templates adds valid templates; invalid ones and symlinks are reported, not served', async () => {
    const list = await call(s, 'GET', '/v1/templates');
    assert.deepEqual((list.body.items as { id: string }[]).map((t) => t.id), ['climber', 'node-http-service', 'scheduled-worker', 'static-site', 'team-readme', 'typescript-http-service']);
    assert.match(s.stderr(), /no-owner[\\/]template\.yaml: parameters must require 'owner'/);
    assert.match(s.stderr(), /linked[\\/]files[\\/]passwd: templates may not contain symbolic links/);
    const task = await scaffold(s, 'team-readme', { name: 'x', owner: 'y' });
    assert.deepEqual(task.result?.files, [{ path: 'README.md', content: '# x by y\n', mode: 0o644 }]);
  });
});
