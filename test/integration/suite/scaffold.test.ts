import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ANSWERS_FILE } from '../../../src/core/templates/answers';
import { parse as parseYaml } from 'yaml';
import type { ScaffoldFile } from '../../../src/core/api/types';
import type { PlatformBackend, ScaffoldTaskInfo } from '../../../src/platform/backend';
import type { ScaffoldResult } from '../../../src/extension/scaffold/scaffoldCommand';
import { api, restartLocalPlatform, ScriptedInputs, tree, type Answer } from './selfServiceHelpers';

const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;

describe('New Service (scaffold) in the extension host against the local platform', function () {
  this.timeout(180_000);
  let tmp: string;
  const registered = new Set<string>();

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-it-scaffold-'));
  });

  beforeEach(async () => {
    await (await api()).selfService.testHooks.forgetLastOwner();
  });

  afterEach(async () => {
    const p = await api();
    p.selfService.testHooks.setQuickInputs(undefined);
    p.selfService.testHooks.setBackendSource(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    const p = await api();
    const backend = await p.platform.current();
    for (const name of registered) {
      await backend.unregister(name).catch((err: unknown) => console.log(`unregister ${name}: ${String(err)}`));
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    // The local platform is detached on purpose (it outlives the window): stop it so the run leaves nothing behind.
    await restartLocalPlatform(p);
  });

  async function newService(script: Record<string, Answer | Answer[]>): Promise<{ result: ScaffoldResult | undefined; inputs: ScriptedInputs }> {
    const p = await api();
    const inputs = new ScriptedInputs(p.selfService.testHooks, script);
    p.selfService.testHooks.setQuickInputs(inputs);
    const result = await vscode.commands.executeCommand<ScaffoldResult | undefined>('paved.newService');
    if (result?.registered) registered.add(result.registered);
    return { result, inputs };
  }

  /** What the template renders for these values, computed from the template's own file list. */
  async function expectedFiles(id: string, values: Record<string, string>): Promise<string[]> {
    const backend = await (await api()).platform.current();
    const t = await backend.getTemplate(id);
    // Beside the golden path's files, the answers file that records the template, its version and the values.
    return [...t.files.map((f) => f.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, k: string) => values[k] ?? `{{${k}}}`)), ANSWERS_FILE].sort();
  }

  for (const [id, name] of [
    ['node-http-service', 'it-http'],
    ['static-site', 'it-site'],
    ['scheduled-worker', 'it-worker'],
    ['typescript-http-service', 'it-ts'],
  ] as const) {
    it(`scaffolds the ${id} golden path through the command, writes its files, registers it and opens README and paved.yaml`, async () => {
      const folder = path.join(tmp, name);
      const { result, inputs } = await newService({
        template: { pick: { 'node-http-service': 'Node.js HTTP service', 'static-site': 'Static website', 'scheduled-worker': 'Scheduled worker', 'typescript-http-service': 'TypeScript HTTP service' }[id] },
        name: { type: name },
        owner: { pick: 'team-payments' },
        folder: { type: folder },
        review: [{ pick: '$(edit) Folder' }, { pick: '$(check) Create' }],
      });
      assert.ok(result, 'the command returned a result');
      assert.deepEqual(inputs.unused(), []);
      assert.deepEqual(inputs.asked.map((a) => a.id), ['template', 'name', 'owner', 'review', 'folder', 'review']);
      assert.equal(result.folder, folder);
      assert.equal(result.registered, name);
      assert.deepEqual(tree(folder), await expectedFiles(id, { name }));
      for (const f of result.outcome.files) {
        const abs = path.join(folder, f.path);
        assert.equal(fs.readFileSync(abs, 'utf8'), f.content, f.path);
        assert.equal(fs.statSync(abs).mode & 0o777, f.mode & 0o777, `${f.path} mode`);
      }
      const manifest = parseYaml(fs.readFileSync(path.join(folder, 'paved.yaml'), 'utf8')) as { metadata: { name: string; owner: string } };
      assert.deepEqual([manifest.metadata.name, manifest.metadata.owner], [name, 'team-payments']);
      const open = vscode.window.visibleTextEditors.filter((e) => e.document.uri.scheme === 'file').map((e) => e.document.uri.fsPath).sort();
      assert.deepEqual(open, [path.join(folder, 'README.md'), path.join(folder, 'paved.yaml')].sort());
      const backend = await (await api()).platform.current();
      const svc = await backend.getService(name);
      assert.equal(svc.owner, 'team-payments');
      assert.equal(svc.sourceDir, folder);
    });
  }

  it('validates as you type, goes back, offers catalog teams, edits an optional value from the review, and defaults the folder to workspace/name', async () => {
    const name = 'it-wizard';
    const { result, inputs } = await newService({
      template: [{ pick: 'Node.js HTTP service' }, { pick: 'Node.js HTTP service' }],
      name: [{ back: true }, { type: 'Bad Name' }, { type: name }, { accept: true }],
      owner: [{ back: true }, { pick: 'team-data' }],
      review: [{ pick: 'Default port' }, { pick: '$(check) Create' }],
      port: [{ type: '80' }, { type: '9090' }],
    });
    assert.ok(result);
    assert.deepEqual(inputs.unused(), []);
    assert.deepEqual(inputs.asked.map((a) => a.id), ['template', 'name', 'template', 'name', 'name', 'owner', 'name', 'owner', 'review', 'port', 'port', 'review']);
    const nameAsked = inputs.asked.filter((a) => a.id === 'name');
    // "Bad Name": refused from the first capital letter on; the next answer is accepted.
    assert.equal(nameAsked[1].validation![0], 'Service name must match the pattern ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$');
    assert.equal(nameAsked[3].shown, name, 'going back keeps the answer');
    const owner = inputs.asked.find((a) => a.id === 'owner')!;
    // Other test files register services of their own teams on the same platform: compare with what it holds now.
    const teams = (await (await (await api()).platform.current()).listTeams({ limit: 500 })).items.map((t) => t.name).sort();
    assert.ok(['team-data', 'team-discovery', 'team-payments', 'team-web'].every((t) => teams.includes(t)), 'the fixture teams are in the catalog');
    assert.deepEqual(owner.shown, teams, 'the teams of the catalog');
    const portAsked = inputs.asked.filter((a) => a.id === 'port');
    assert.equal(portAsked[0].shown, '8080');
    assert.equal(portAsked[0].validation![1], 'Default port (PORT overrides it) must be at least 1024');
    const folder = path.join(workspace(), name);
    const review = inputs.asked.find((a) => a.id === 'review')!;
    assert.equal(review.descriptions![(review.shown as string[]).indexOf('$(edit) Folder')], folder, 'the review shows the default folder');
    assert.equal(result.folder, folder);
    assert.deepEqual(result.values, { name, owner: 'team-data', description: 'A new HTTP service.', system: 'default', port: 9090, shutdownTimeoutSeconds: 10 });
    assert.match(fs.readFileSync(path.join(folder, 'paved.yaml'), 'utf8'), /port: 9090/);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('on an existing file asks first: keeping existing files writes only the new ones; dismissing writes nothing', async () => {
    const folder = path.join(tmp, 'it-conflict');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'README.md'), 'my own readme\n');
    const base = { template: { pick: 'Static website' }, name: { type: 'it-conflict' }, owner: { pick: 'team-web' }, folder: { type: folder }, review: [{ pick: '$(edit) Folder' }, { pick: '$(check) Create' }] };

    const dismissed = await newService({ ...base, confirm: { dismiss: true } });
    assert.equal(dismissed.result, undefined);
    assert.deepEqual(dismissed.inputs.asked.filter((a) => a.kind === 'confirm').map((a) => a.shown), [`1 file(s) already exist in ${folder}`]);
    assert.deepEqual(tree(folder), ['README.md']);

    const kept = await newService({ ...base, confirm: { button: 'Keep Existing Files' } });
    assert.ok(kept.result);
    assert.deepEqual(kept.result.write?.skipped, ['README.md']);
    assert.equal(fs.readFileSync(path.join(folder, 'README.md'), 'utf8'), 'my own readme\n');
    assert.deepEqual(tree(folder), await expectedFiles('static-site', { name: 'it-conflict' }));

    const over = await newService({ ...base, confirm: { button: 'Overwrite' } });
    assert.ok(over.result);
    assert.equal(over.result.write?.overwritten.length, tree(folder).length);
    assert.notEqual(fs.readFileSync(path.join(folder, 'README.md'), 'utf8'), 'my own readme\n');
  });

  it('with a backend that publishes itself (Backstage-like): streams the task log, shows its links, writes nothing', async () => {
    const p = await api();
    const real = await p.platform.current();
    const backstage: PlatformBackend = Object.create(real) as PlatformBackend;
    Object.defineProperty(backstage, 'capabilities', { value: { ...real.capabilities, scaffoldWritesFiles: false, deploy: false, register: false } });
    const seenRequests: unknown[] = [];
    backstage.createScaffoldTask = async (req) => {
      seenRequests.push(req);
      return { id: 'task-1', templateId: req.templateId, state: 'running', createdAt: new Date().toISOString() };
    };
    backstage.scaffoldTaskEvents = async function* (id) {
      assert.equal(id, 'task-1');
      yield { seq: 1, type: 'log', message: 'Fetching skeleton', at: new Date().toISOString() };
      yield { seq: 2, type: 'log', message: 'Publishing to the repository', at: new Date().toISOString() };
      yield {
        seq: 3,
        type: 'completed',
        message: 'done',
        at: new Date().toISOString(),
        outcome: { files: [], nextSteps: [], links: [{ title: 'Repository', url: 'https://example.invalid/it-published' }, { title: 'Open in catalog', entityRef: 'component:default/it-published' }] },
      };
    };
    p.selfService.testHooks.setBackendSource({ current: async () => backstage });
    const before = tree(tmp);
    const { result, inputs } = await newService({
      template: { pick: 'Static website' },
      name: { type: 'it-published' },
      owner: { pick: 'team-web' },
      review: { pick: '$(check) Create' },
    });
    assert.ok(result);
    assert.deepEqual(inputs.unused(), []);
    assert.deepEqual(inputs.asked.map((a) => a.id), ['template', 'name', 'owner', 'review']);
    const review = inputs.asked.find((a) => a.id === 'review')!;
    assert.ok(!(review.shown as string[]).some((l) => l.includes('Folder') || l.includes('deploy')), `no folder, no deploy: ${JSON.stringify(review.shown)}`);
    assert.equal(result.folder, undefined);
    assert.equal(result.registered, undefined);
    assert.deepEqual(result.outcome.links, [{ title: 'Repository', url: 'https://example.invalid/it-published' }, { title: 'Open in catalog', entityRef: 'component:default/it-published' }]);
    assert.deepEqual(seenRequests, [{ templateId: 'static-site', version: '1.0.1', values: { name: 'it-published', owner: 'team-web', title: 'Welcome', description: 'A static website.' } }]);
    assert.deepEqual(tree(tmp), before, 'nothing written');
  });

  describe('unsafe paths from a misbehaving platform are refused with nothing written', () => {
    const fixtures = ['../escaped.txt', 'src/../../escaped.txt', '/tmp/paved-absolute.txt', 'C:/Windows/escaped.txt', '..\\escaped.txt', 'a/b:stream', ''];
    for (const bad of fixtures) {
      it(`refuses ${JSON.stringify(bad)}`, async () => {
        const p = await api();
        const real = await p.platform.current();
        // The platform answers the scaffold task with one file whose path is unsafe, next to good ones.
        const evil: PlatformBackend = Object.create(real) as PlatformBackend;
        evil.createScaffoldTask = async (req, opts) => {
          const task: ScaffoldTaskInfo = await real.createScaffoldTask(req, opts);
          const done = await real.getScaffoldTask(task.id);
          const files: ScaffoldFile[] = [...(done.result?.files ?? []), { path: bad, content: 'pwned\n', mode: 0o644 }];
          return { ...done, state: 'succeeded', result: { files, nextSteps: [] } };
        };
        p.selfService.testHooks.setBackendSource({ current: async () => evil });
        const parent = path.join(tmp, `unsafe-${fixtures.indexOf(bad)}`);
        const folder = path.join(parent, 'svc');
        fs.mkdirSync(parent);
        const inputs = new ScriptedInputs(p.selfService.testHooks, {
          template: { pick: 'Static website' },
          name: { type: 'it-unsafe' },
          owner: { pick: 'team-web' },
          folder: { type: folder },
          review: [{ pick: '$(edit) Folder' }, { pick: '$(check) Create' }],
        });
        p.selfService.testHooks.setQuickInputs(inputs);
        await assert.rejects(p.selfService.scaffold.newService(), (e: Error & { code?: string }) => e.code === 'untrusted' && e.message.startsWith(`refusing to write ${JSON.stringify(bad)}: `));
        assert.deepEqual(tree(parent), []);
        assert.equal(fs.existsSync('/tmp/paved-absolute.txt'), false);
        assert.equal(fs.existsSync(path.join(tmp, 'escaped.txt')), false);
      });
    }

    it('refuses a target folder whose sub-folder is a symlink, writing nothing outside', async () => {
      const p = await api();
      const folder = path.join(tmp, 'it-linked');
      const outside = path.join(tmp, 'outside');
      fs.mkdirSync(folder);
      fs.mkdirSync(outside);
      fs.symlinkSync(outside, path.join(folder, 'public'));
      const inputs = new ScriptedInputs(p.selfService.testHooks, {
        template: { pick: 'Static website' },
        name: { type: 'it-linked' },
        owner: { pick: 'team-web' },
        folder: { type: folder },
        review: [{ pick: '$(edit) Folder' }, { pick: '$(check) Create' }],
      });
      p.selfService.testHooks.setQuickInputs(inputs);
      await assert.rejects(p.selfService.scaffold.newService(), /refusing to write "public\/.+": public in the target is a symbolic link/);
      assert.deepEqual(tree(outside), []);
      assert.deepEqual(tree(folder), [`public -> ${outside}`]);
    });
  });
});
