/**
 * Golden-path versions and adoption against a real `paved serve` (issue 12): every published version listed newest
 * first with its changelog, any version rendered on request, `DIR/<id>/<version>/` served next to the built-in golden
 * paths, and the adoption counts across the catalog. Every response is checked against the contract by `call`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GoldenPathAdoption, Page, ScaffoldTask, ServiceSummary, TemplateDetails, TemplateSummary, TemplateVersion } from '../../src/core/api/types';
import { call, scaffoldTask, serve, tempDir, writeService, type Served } from './helpers';

const render = (s: Served, templateId: string, version: string | undefined, values: Record<string, unknown>): Promise<ScaffoldTask> => scaffoldTask(s, templateId, values, version);

function versionFolder(root: string, id: string, version: string, changelog: string): void {
  const dir = path.join(root, id, version);
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'template.yaml'),
    `id: ${id}\ntitle: Worker\ndescription: d\nowner: team-platform\nversion: ${version}\nchangelog: ${JSON.stringify(changelog)}\nparameters:\n  type: object\n  required: [name, owner]\n  properties:\n    name: { type: string }\n    owner: { type: string }\n`,
  );
  fs.writeFileSync(path.join(dir, 'files', 'VERSION'), `${version}\n`);
}

describe('Golden-path versions and adoption (GET /v1/templates/{id}/versions, ?version=, /v1/golden-paths)', function () {
  this.timeout(120000);
  let s: Served;
  let workspace: string;

  before(async () => {
    const templates = tempDir('versions-templates');
    for (const [v, c] of [['1.9.0', 'Nine.'], ['1.10.0', 'Ten.'], ['1.2.0', 'Two.']]) versionFolder(templates, 'worker', v, c);
    workspace = tempDir('versions-ws');
    const on = (dir: string, name: string, template: string | undefined, version?: string) => {
      writeService(path.join(workspace, dir), name);
      if (!template) return;
      const file = path.join(workspace, dir, 'paved.yaml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  tags: [test]\n', `  tags: [test]\n  goldenPath: { template: ${template}, version: ${version} }\n`));
    };
    on('a', 'svc-a', 'node-http-service', '1.2.0');
    on('b', 'svc-b', 'node-http-service', '1.2.0');
    on('c', 'svc-c', 'node-http-service', '1.3.0');
    on('d', 'svc-d', 'worker', '1.9.0');
    on('e', 'svc-e', undefined);
    on('f', 'svc-f', undefined);
    s = await serve(['--state-dir', tempDir('versions-state'), '--workspace', workspace, '--templates', templates, '--idle-timeout', '0']);
  });
  after(async () => {
    await s?.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('lists each golden path once at its newest version; the built-in node-http-service ships 1.3.0 and 1.2.0', async () => {
    const list = await call<Page<TemplateSummary>>(s, 'GET', '/v1/templates?limit=100');
    assert.equal(list.status, 200);
    const byId = new Map(list.body.items.map((t) => [t.id, t.version]));
    assert.equal(byId.get('node-http-service'), '1.3.0');
    assert.equal(byId.get('worker'), '1.10.0', 'semantic order: 1.10.0 is newer than 1.9.0');
    const versions = await call<Page<TemplateVersion>>(s, 'GET', '/v1/templates/node-http-service/versions');
    assert.equal(versions.status, 200);
    assert.deepEqual(versions.body.items.map((v) => v.version), ['1.3.0', '1.2.0']);
    assert.match(versions.body.items[0].changelog ?? '', /Graceful shutdown/);
    const worker = await call<Page<TemplateVersion>>(s, 'GET', '/v1/templates/worker/versions?limit=2');
    assert.deepEqual(worker.body.items.map((v) => `${v.version} ${v.changelog}`), ['1.10.0 Ten.', '1.9.0 Nine.']);
    const rest = await call<Page<TemplateVersion>>(s, 'GET', `/v1/templates/worker/versions?limit=2&cursor=${worker.body.nextCursor}`);
    assert.deepEqual(rest.body.items.map((v) => v.version), ['1.2.0']);
    assert.equal(rest.body.nextCursor, undefined);
    assert.equal((await call(s, 'GET', '/v1/templates/nope/versions')).status, 404);
  });

  it('gives any published version with its parameters; an unknown version is 404, a malformed one 400', async () => {
    const old = await call<TemplateDetails>(s, 'GET', '/v1/templates/node-http-service?version=1.2.0');
    assert.equal(old.status, 200);
    assert.equal(old.body.version, '1.2.0');
    assert.equal('shutdownTimeoutSeconds' in (old.body.parameters.properties as object), false);
    const now = await call<TemplateDetails>(s, 'GET', '/v1/templates/node-http-service');
    assert.equal(now.body.version, '1.3.0');
    assert.ok('shutdownTimeoutSeconds' in (now.body.parameters.properties as object));
    assert.ok(now.body.files.includes('.dockerignore'));
    assert.equal((await call(s, 'GET', '/v1/templates/node-http-service?version=9.9.9')).status, 404);
    assert.equal((await call(s, 'GET', '/v1/templates/node-http-service?version=latest')).status, 400);
  });

  it('renders an older version on request, the newest by default; an unpublished version is refused (409)', async () => {
    const values = { name: 'orders', owner: 'team-a' };
    const old = await render(s, 'node-http-service', '1.2.0', values);
    assert.equal(old.state, 'succeeded');
    assert.equal(old.templateVersion, '1.2.0');
    const oldFiles = new Map(old.result!.files.map((f) => [f.path, f.content]));
    assert.equal(oldFiles.has('.dockerignore'), false);
    assert.match(oldFiles.get('paved.yaml')!, /version: 1\.2\.0/);
    const now = await render(s, 'node-http-service', undefined, values);
    assert.equal(now.templateVersion, '1.3.0');
    assert.match(now.result!.files.find((f) => f.path === 'src/server.js')!.content, /closeIdleConnections/);
    const missing = await call(s, 'POST', '/v1/scaffold-tasks', { body: { templateId: 'node-http-service', version: '1.1.0', values } });
    assert.equal(missing.status, 409);
  });

  it('services carry their golden path; adoption counts them per template and version and lists those off the paved road', async () => {
    const page = await call<Page<ServiceSummary>>(s, 'GET', '/v1/services?limit=100');
    assert.deepEqual(page.body.items.find((x) => x.name === 'svc-c')?.goldenPath, { template: 'node-http-service', version: '1.3.0' });
    assert.equal(page.body.items.find((x) => x.name === 'svc-e')?.goldenPath, undefined);
    const a = await call<GoldenPathAdoption>(s, 'GET', '/v1/golden-paths');
    assert.equal(a.status, 200);
    assert.equal(a.body.total, 6);
    assert.equal(a.body.onGoldenPath, 4);
    assert.deepEqual(a.body.offPavedRoad, { count: 2, services: ['svc-e', 'svc-f'] });
    const node = a.body.templates.find((t) => t.id === 'node-http-service')!;
    assert.deepEqual([node.latest, node.services, node.behind], ['1.3.0', 3, 2]);
    assert.deepEqual(node.versions, [
      { version: '1.3.0', services: 1, published: true },
      { version: '1.2.0', services: 2, published: true },
    ]);
    const worker = a.body.templates.find((t) => t.id === 'worker')!;
    assert.deepEqual([worker.latest, worker.behind], ['1.10.0', 1]);
    assert.ok(a.body.templates.some((t) => t.id === 'static-site' && t.services === 0));
    const capped = await call<GoldenPathAdoption>(s, 'GET', '/v1/golden-paths?limit=1');
    assert.deepEqual(capped.body.offPavedRoad, { count: 2, services: ['svc-e'] });
  });
});
