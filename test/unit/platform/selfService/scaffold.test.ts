import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RegisterServiceRequest, TemplateSummary } from '../../../../src/core/api/types';
import { PavedError } from '../../../../src/core/errors';
import type { ConflictPolicy } from '../../../../src/core/fs/safeWrite';
import type { ScaffoldEvent, ScaffoldOutcome, ScaffoldTaskInfo, WriteOptions } from '../../../../src/platform/backend';
import { BACKSTAGE_CAPABILITIES } from '../../../../src/platform/capabilities';
import { PlatformError } from '../../../../src/platform/errors';
import { allTemplates, scaffoldService, type ScaffoldContext } from '../../../../src/platform/selfService';
import { parseAnswers } from '../../../../src/core/templates';
import { FakePlatform } from './fakes';

const OUTCOME: ScaffoldOutcome = {
  files: [
    { path: 'README.md', content: '# orders\n', mode: 0o644 },
    { path: 'paved.yaml', content: 'apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: orders\n  owner: team-a\n', mode: 0o644 },
    { path: 'bin/run.sh', content: '#!/bin/sh\n', mode: 0o755 },
  ],
  nextSteps: ['cd orders'],
};

/** A platform whose scaffold task streams two events and ends with `outcome` (or `failure`). */
class ScaffoldPlatform extends FakePlatform {
  readonly tasks: { request: unknown; key?: string }[] = [];
  readonly registered: RegisterServiceRequest[] = [];
  failure: string | undefined;
  registerFails: Error | undefined;
  templates: TemplateSummary[] = [];

  constructor(private readonly outcome: ScaffoldOutcome = OUTCOME) {
    super('https://paved.example.com');
  }

  override createScaffoldTask = async (request: unknown, opts?: WriteOptions): Promise<ScaffoldTaskInfo> => {
    this.tasks.push({ request, key: opts?.idempotencyKey });
    return { id: 't-1', templateId: 'node', state: 'running', createdAt: 't' };
  };

  override scaffoldTaskEvents = (): AsyncIterable<ScaffoldEvent> => {
    const failure = this.failure;
    const outcome = this.outcome;
    return (async function* () {
      yield { seq: 1, type: 'step' as const, message: 'rendering', at: 't' };
      yield failure ? { seq: 2, type: 'failed' as const, message: failure, at: 't' } : { seq: 2, type: 'completed' as const, message: 'done', at: 't', outcome };
    })();
  };

  override register = async (request: RegisterServiceRequest) => {
    this.registered.push(request);
    if (this.registerFails) throw this.registerFails;
    return {} as never;
  };

  override listTemplates = async (page: { cursor?: string } = {}) => {
    const start = Number(page.cursor ?? 0);
    const items = this.templates.slice(start, start + 100);
    return { items, ...(start + 100 < this.templates.length ? { nextCursor: String(start + 100) } : {}) };
  };
}

describe('self-service flow: scaffold', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-flow-scaffold-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const template = { id: 'node', version: '1.0.0', title: 'Node service', parameters: { type: 'object', properties: { name: { type: 'string' }, owner: { type: 'string' }, token: { type: 'string', writeOnly: true } } } };
  function ctx(platform: ScaffoldPlatform, decide: (conflicts: string[]) => Promise<ConflictPolicy> = async () => assert.fail('no conflict expected')) {
    const events: string[] = [];
    const c: ScaffoldContext = { backend: platform, prompts: { resolveConflicts: decide }, onTaskEvent: (ev) => events.push(`${ev.seq} ${ev.type}`) };
    return { c, events };
  }

  it('streams the task, writes every file with its mode, and registers the service from the paved.yaml written', async () => {
    const platform = new ScaffoldPlatform();
    const { c, events } = ctx(platform);
    const folder = path.join(dir, 'orders');
    const r = await scaffoldService(c, { template, values: { name: 'orders', owner: 'team-a', token: 's3cr3t' }, folder });
    assert.equal(r.status, 'written');
    const answers = fs.readFileSync(path.join(folder, '.paved/golden-path.yaml'), 'utf8');
    assert.deepEqual(parseAnswers(answers), { template: 'node', version: '1.0.0', values: { name: 'orders', owner: 'team-a' } }, 'the answers file records the version and values, never the secret');
    assert.doesNotMatch(answers, /s3cr3t/);
    assert.deepEqual(events, ['1 step', '2 completed']);
    assert.deepEqual(platform.tasks.map((t) => t.request), [{ templateId: 'node', version: '1.0.0', values: { name: 'orders', owner: 'team-a', token: 's3cr3t' } }]);
    assert.match(platform.tasks[0].key ?? '', /^[0-9a-f-]{36}$/, 'the task is created with an idempotency key');
    assert.equal(fs.readFileSync(path.join(folder, 'README.md'), 'utf8'), '# orders\n');
    assert.equal(fs.statSync(path.join(folder, 'bin/run.sh')).mode & 0o777, 0o755);
    assert.deepEqual(r.status === 'written' && r.registered, { name: 'orders' });
    assert.deepEqual(platform.registered.map((x) => [(x.manifest.metadata as { name: string }).name, x.sourceDir]), [['orders', folder]]);
  });

  it('existing files: refused (nothing written), kept, or replaced as the face decides; a registered service is fine', async () => {
    const folder = path.join(dir, 'orders');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'README.md'), 'mine\n');
    const asked: string[][] = [];
    const refused = await scaffoldService(ctx(new ScaffoldPlatform(), async (c) => (asked.push(c), 'refuse')).c, { template, values: { name: 'orders' }, folder });
    assert.deepEqual(refused.status === 'conflicts' && refused.conflicts, ['README.md']);
    assert.deepEqual(fs.readdirSync(folder), ['README.md']);

    const platform = new ScaffoldPlatform();
    platform.registerFails = new PlatformError('conflict', 'orders is registered already', { status: 409 });
    const kept = await scaffoldService(ctx(platform, async () => 'skip').c, { template, values: { name: 'orders' }, folder });
    assert.equal(kept.status, 'written');
    assert.deepEqual(kept.status === 'written' && kept.write.skipped, ['README.md']);
    assert.equal(fs.readFileSync(path.join(folder, 'README.md'), 'utf8'), 'mine\n');
    assert.deepEqual(kept.status === 'written' && kept.registered, { name: 'orders', already: 'orders is registered already' });

    const replaced = await scaffoldService(ctx(new ScaffoldPlatform(), async () => 'overwrite').c, { template, values: { name: 'orders' }, folder, register: false });
    assert.deepEqual(replaced.status === 'written' && [replaced.write.overwritten.length, replaced.registered], [4, undefined]);
    assert.equal(fs.readFileSync(path.join(folder, 'README.md'), 'utf8'), '# orders\n');
    assert.deepEqual(asked, [['README.md']]);
  });

  it('a failed task writes nothing and says why', async () => {
    const platform = new ScaffoldPlatform();
    platform.failure = 'refusing output path "../x": outside the target';
    const folder = path.join(dir, 'orders');
    await assert.rejects(scaffoldService(ctx(platform).c, { template, values: {}, folder }), (e: PavedError) => e.code === 'server-error' && e.message === 'Scaffolding Node service failed: refusing output path "../x": outside the target');
    assert.equal(fs.existsSync(folder), false);
  });

  it('a platform that publishes itself returns its links and writes nothing', async () => {
    const platform = new ScaffoldPlatform({ files: [], nextSteps: [], links: [{ title: 'Repository', url: 'https://example.invalid/orders' }] });
    platform.capabilities = { ...BACKSTAGE_CAPABILITIES };
    const r = await scaffoldService(ctx(platform).c, { template, values: { name: 'orders' }, folder: path.join(dir, 'orders') });
    assert.deepEqual(r.status === 'published' && r.outcome.links, [{ title: 'Repository', url: 'https://example.invalid/orders' }]);
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.deepEqual(platform.registered, []);
  });

  it('lists every page of golden paths, up to a maximum', async () => {
    const platform = new ScaffoldPlatform();
    platform.templates = Array.from({ length: 250 }, (_x, i) => ({ id: `t${i}`, title: `T${i}`, description: '', owner: 'o', version: '1.0.0', tags: [] }));
    assert.equal((await allTemplates(platform)).length, 250);
    assert.equal((await allTemplates(platform, { max: 150 })).length, 200, 'stops after the page that reaches the maximum');
  });
});
