import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TemplateVersion } from '../../../../src/core/api/types';
import { PavedError } from '../../../../src/core/errors';
import { parseAnswers, renderFiles, type TemplateFile } from '../../../../src/core/templates';
import type { ScaffoldTaskInfo, TemplateInfo } from '../../../../src/platform/backend';
import { BACKSTAGE_CAPABILITIES } from '../../../../src/platform/capabilities';
import {
  adoptGoldenPath,
  applyGoldenPathUpgrade,
  checkGoldenPath,
  planGoldenPathUpgrade,
  scaffoldService,
  type PlannedUpgrade,
  type UpgradeContext,
  type ValuesRequest,
} from '../../../../src/platform/selfService';
import { FakePlatform } from './fakes';

const params = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  required: ['name', 'owner'],
  properties: { name: { type: 'string' }, owner: { type: 'string' }, apiKey: { type: 'string', writeOnly: true }, ...extra },
});

/** Two versions of one golden path, rendered the way the platform renders them. */
const VERSIONS: Record<string, { parameters: Record<string, unknown>; files: TemplateFile[]; changelog: string }> = {
  '1.2.0': {
    parameters: params(),
    changelog: 'First.',
    files: [
      { path: 'README.md', content: '# {{name}}\n\nOwned by {{owner}}.\n', mode: 0o644 },
      { path: 'src/server.js', content: 'const a = 1;\nconst b = 2;\nconst c = 3;\nconst d = 4;\nconst e = 5;\nconst f = 6;\n', mode: 0o644 },
      { path: 'config.txt', content: 'key={{apiKey}}\n', mode: 0o600 },
      { path: 'old.txt', content: 'obsolete\n', mode: 0o644 },
    ],
  },
  '1.3.0': {
    parameters: params({ timeout: { type: 'integer', default: 10 } }),
    changelog: 'Graceful shutdown.',
    files: [
      { path: 'README.md', content: '# {{name}}\n\nOwned by {{owner}}. Shutdown after {{timeout}} s.\n', mode: 0o644 },
      { path: 'src/server.js', content: 'const a = 1;\nconst b = 2;\nconst c = 3;\nconst d = 4;\nconst e = 5;\nconst f = 60;\n', mode: 0o644 },
      { path: 'config.txt', content: 'key={{apiKey}}\n', mode: 0o600 },
      { path: '.dockerignore', content: 'node_modules/\n', mode: 0o644 },
    ],
  },
};

class VersionedPlatform extends FakePlatform {
  readonly rendered: { version?: string; values: Record<string, unknown> }[] = [];
  constructor() {
    super('https://paved.example.com');
  }
  private info(version: string): TemplateInfo {
    const v = VERSIONS[version];
    if (!v) throw new PavedError('not-found', `no version ${version}`);
    return { id: 'node', title: 'Node', description: 'd', owner: 'team-platform', version, tags: [], parameters: v.parameters, files: v.files.map((f) => f.path), changelog: v.changelog };
  }
  override getTemplate = async (_id: string, opts?: { version?: string }) => this.info(opts?.version ?? '1.3.0');
  override listTemplateVersions = async () => ({ items: ['1.3.0', '1.2.0'].map((version): TemplateVersion => ({ version, title: 'Node', description: 'd', changelog: VERSIONS[version].changelog })) });
  override createScaffoldTask = async (req: { templateId: string; version?: string; values: Record<string, unknown> }): Promise<ScaffoldTaskInfo> => {
    this.rendered.push({ version: req.version, values: req.values });
    const v = VERSIONS[req.version ?? '1.3.0'];
    const values = { timeout: 10, ...req.values };
    return { id: `t${this.rendered.length}`, templateId: 'node', state: 'succeeded', createdAt: 't', result: { files: renderFiles(v.files, values), nextSteps: [] } };
  };
  override register = async () => ({}) as never;
}

describe('self-service flow: golden-path upgrade', () => {
  let dir: string;
  let folder: string;
  let platform: VersionedPlatform;
  let asked: ValuesRequest[];
  const ctx = (): UpgradeContext => ({
    backend: platform,
    prompts: {
      askValues: async (r) => {
        asked.push(r);
        return { apiKey: 'k3y', timeout: 30 };
      },
    },
  });
  const read = (p: string) => fs.readFileSync(path.join(folder, p), 'utf8');

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-flow-upgrade-'));
    folder = path.join(dir, 'orders');
    platform = new VersionedPlatform();
    asked = [];
    const template = await platform.getTemplate('node', { version: '1.2.0' });
    await scaffoldService({ backend: platform, prompts: { resolveConflicts: async () => 'refuse' } }, { template, values: { name: 'orders', owner: 'team-a', apiKey: 'k3y' }, folder, register: false });
    platform.rendered.length = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('checks where the service stands: current, latest, and the changelogs of the newer versions', async () => {
    const check = await checkGoldenPath(ctx(), folder);
    assert.deepEqual(check, { folder, template: 'node', current: '1.2.0', latest: '1.3.0', updateAvailable: true, hasAnswers: true, newer: [{ version: '1.3.0', title: 'Node', description: 'd', changelog: 'Graceful shutdown.' }] });
  });

  it('plans with both versions rendered from the recorded values, asking only for the secret and the new parameter', async () => {
    fs.writeFileSync(path.join(folder, 'src/server.js'), read('src/server.js').replace('const a = 1;', 'const a = 100;'));
    const planned = (await planGoldenPathUpgrade(ctx(), { folder })) as PlannedUpgrade;
    assert.deepEqual(asked.map((a) => [a.keys, a.why, a.given]), [[['apiKey', 'timeout'], { apiKey: 'secret', timeout: 'new' }, { name: 'orders', owner: 'team-a' }]]);
    assert.deepEqual(platform.rendered, [
      { version: '1.2.0', values: { name: 'orders', owner: 'team-a', apiKey: 'k3y' } },
      { version: '1.3.0', values: { name: 'orders', owner: 'team-a', apiKey: 'k3y', timeout: 30 } },
    ]);
    assert.deepEqual(planned.plan.files.map((f) => `${f.action} ${f.path}${f.merged ? ' (merged)' : ''}`), ['added .dockerignore', 'updated README.md', 'removed old.txt', 'updated src/server.js (merged)']);
    assert.deepEqual(planned.newer.map((v) => v.version), ['1.3.0']);
  });

  it('applies all or nothing: files, removals, and the answers file at the new version without the secret', async () => {
    const planned = (await planGoldenPathUpgrade(ctx(), { folder })) as PlannedUpgrade;
    const applied = await applyGoldenPathUpgrade(ctx(), planned);
    assert.deepEqual(applied.conflicted, []);
    assert.equal(read('README.md'), '# orders\n\nOwned by team-a. Shutdown after 30 s.\n');
    assert.equal(fs.existsSync(path.join(folder, 'old.txt')), false);
    assert.equal(read('.dockerignore'), 'node_modules/\n');
    assert.deepEqual(parseAnswers(read('.paved/golden-path.yaml')), { template: 'node', version: '1.3.0', values: { name: 'orders', owner: 'team-a', timeout: 30 } });
    assert.doesNotMatch(read('.paved/golden-path.yaml'), /k3y/);
    assert.equal(fs.statSync(path.join(folder, 'config.txt')).mode & 0o777, 0o600);
    const again = await planGoldenPathUpgrade(ctx(), { folder });
    assert.ok('upToDate' in again && again.upToDate.current === '1.3.0');
  });

  it('a conflict is written with markers and reported; the version still moves (the markers are the user\'s to resolve)', async () => {
    fs.writeFileSync(path.join(folder, 'src/server.js'), read('src/server.js').replace('const f = 6;', 'const f = 7;'));
    const planned = (await planGoldenPathUpgrade(ctx(), { folder })) as PlannedUpgrade;
    const applied = await applyGoldenPathUpgrade(ctx(), planned);
    assert.deepEqual(applied.conflicted, ['src/server.js']);
    assert.match(read('src/server.js'), /<<<<<<< yours\nconst f = 7;\n\|\|\|\|\|\|\| node 1.2.0\nconst f = 6;\n=======\nconst f = 60;\n>>>>>>> node 1.3.0\n/);
    assert.equal(parseAnswers(read('.paved/golden-path.yaml')).version, '1.3.0');
  });

  it('refuses to write when a file changed since the plan, and writes nothing', async () => {
    const planned = (await planGoldenPathUpgrade(ctx(), { folder })) as PlannedUpgrade;
    fs.writeFileSync(path.join(folder, 'README.md'), 'edited meanwhile\n');
    await assert.rejects(applyGoldenPathUpgrade(ctx(), planned), (e: unknown) => PavedError.is(e, 'conflict') && /README.md. Plan the upgrade again/.test(e.message));
    assert.equal(fs.existsSync(path.join(folder, '.dockerignore')), false);
    assert.equal(parseAnswers(read('.paved/golden-path.yaml')).version, '1.2.0');
  });

  it('needs an answers file (adopt first) and a platform that keeps versions; never downgrades', async () => {
    await assert.rejects(planGoldenPathUpgrade(ctx(), { folder, to: '1.0.0' }), (e: unknown) => PavedError.is(e, 'invalid-input') && /1.0.0 is older \(Paved does not downgrade\)/.test(e.message));
    fs.rmSync(path.join(folder, '.paved'), { recursive: true });
    await assert.rejects(planGoldenPathUpgrade(ctx(), { folder }), (e: unknown) => PavedError.is(e, 'not-found') && /Adopt the golden path first/.test(e.message));
    platform.capabilities = { ...BACKSTAGE_CAPABILITIES };
    await assert.rejects(planGoldenPathUpgrade(ctx(), { folder }), (e: unknown) => PavedError.is(e, 'unsupported') && /needs a Paved platform/.test(e.message));
  });

  it('adoption writes only the answers file, and refuses when there is one', async () => {
    const before = fs.readdirSync(folder).sort();
    fs.rmSync(path.join(folder, '.paved'), { recursive: true });
    const template = await platform.getTemplate('node', { version: '1.2.0' });
    await adoptGoldenPath(ctx(), { folder, template, values: { name: 'orders', owner: 'team-a', apiKey: 'secret!' } });
    assert.deepEqual(fs.readdirSync(folder).sort(), before);
    assert.deepEqual(parseAnswers(read('.paved/golden-path.yaml')), { template: 'node', version: '1.2.0', values: { name: 'orders', owner: 'team-a' } });
    await assert.rejects(adoptGoldenPath(ctx(), { folder, template, values: {} }), (e: unknown) => PavedError.is(e, 'conflict'));
  });
});
