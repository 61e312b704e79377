import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { call, serve, tempDir, type Served } from './helpers';
import type { ScaffoldTask, TaskEventsPage } from '../../src/core/api/types';

async function scaffold(s: Served, templateId: string, values: Record<string, unknown>): Promise<ScaffoldTask> {
  const c = await call<ScaffoldTask>(s, 'POST', '/v1/scaffold-tasks', { body: { templateId, values } });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  let after = 0;
  for (;;) {
    const ev = await call<TaskEventsPage>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}/events?after=${after}&wait=10`);
    after = ev.body.lastSeq;
    if (ev.body.done) break;
  }
  return (await call<ScaffoldTask>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}`)).body;
}

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

  it('a template whose output climbs out of the target fails with a clear error and no files', async () => {
    const task = await scaffold(s, 'climber', { name: 'x', owner: 'y' });
    assert.equal(task.state, 'failed');
    assert.equal(task.error, 'refusing output path "../../escape.txt": it climbs out with ..');
    assert.equal(task.result, undefined);
  });

  it('--templates adds valid templates; invalid ones and symlinks are reported, not served', async () => {
    const list = await call(s, 'GET', '/v1/templates');
    assert.deepEqual((list.body.items as { id: string }[]).map((t) => t.id), ['climber', 'node-http-service', 'scheduled-worker', 'static-site', 'team-readme']);
    assert.match(s.stderr(), /no-owner[\\/]template\.yaml: parameters must require 'owner'/);
    assert.match(s.stderr(), /linked[\\/]files[\\/]passwd: templates may not contain symbolic links/);
    const task = await scaffold(s, 'team-readme', { name: 'x', owner: 'y' });
    assert.deepEqual(task.result?.files, [{ path: 'README.md', content: '# x by y\n', mode: 0o644 }]);
  });
});
