import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskEvent } from '../../../../src/core/api/types';
import { PavedError } from '../../../../src/core/errors';
import { InvalidRequest } from '../../../../src/server/errors';
import { TemplateLibrary } from '../../../../src/server/scaffold/library';
import { ScaffoldTasks } from '../../../../src/server/scaffold/tasks';
import { writeJsonAtomic } from '../../../../src/server/store';
import { clock, finished, tempDir, thrown } from '../fakes';

/** Writes a template directory: template.yaml with these parameters, and these files under files/. */
function writeTemplate(root: string, id: string, files: Record<string, string>, extra: { properties?: Record<string, unknown>; nextSteps?: string[] } = {}): void {
  const dir = path.join(root, id);
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  const meta = {
    id,
    title: `Template ${id}`,
    description: 'for tests',
    owner: 'team-platform',
    version: '1.2.3',
    parameters: {
      type: 'object',
      required: ['name', 'owner'],
      additionalProperties: false,
      properties: { name: { type: 'string', pattern: '^[a-z.-]+$' }, owner: { type: 'string' }, greeting: { type: 'string', default: 'hello' }, ...extra.properties },
    },
    nextSteps: extra.nextSteps ?? ['cd {{name}}'],
  };
  fs.writeFileSync(path.join(dir, 'template.yaml'), JSON.stringify(meta)); // JSON is YAML
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'files', p)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'files', p), content);
  }
}

describe('server/scaffold: golden paths and scaffold tasks', () => {
  let root: string;
  let library: TemplateLibrary;
  let tasks: ScaffoldTasks;
  let logged: string[];
  const time = clock();

  beforeEach(() => {
    root = tempDir('scaffold');
    logged = [];
    const templates = path.join(root, 'templates');
    writeTemplate(templates, 'svc', { '{{name}}/README.md': '# {{name}}\n{{greeting}}, {{ owner | json }}\n' }, { nextSteps: ['cd {{name}}', 'ask {{owner}}'] });
    writeTemplate(templates, 'broken-placeholder', { 'a.txt': '{{ nope }}' });
    writeTemplate(templates, 'escape', { '{{dir}}/x.txt': 'x' }, { properties: { dir: { type: 'string' } } });
    fs.mkdirSync(path.join(templates, 'no-files'));
    fs.writeFileSync(path.join(templates, 'no-files', 'template.yaml'), 'id: no-files\n');
    library = new TemplateLibrary([templates], (l) => logged.push(l));
    library.reload();
    tasks = new ScaffoldTasks(path.join(root, 'state', 'tasks'), library, time.now);
    tasks.load();
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists the templates that loaded and says why the others did not', () => {
    assert.deepEqual(library.list(10).items.map((t) => t.id), ['broken-placeholder', 'escape', 'svc']);
    assert.equal(library.errors.length, 1);
    assert.match(library.errors[0], /no-files.*template\.yaml/);
    assert.deepEqual(logged, [`template: ${library.errors[0]}`]);
    assert.deepEqual(library.get('svc').files, ['{{name}}/README.md']);
  });

  it('renders a template with the defaults filled in: files, next steps and events', async () => {
    const task = tasks.create({ templateId: 'svc', values: { name: 'api', owner: 'team "a"' } });
    assert.equal(task.state, 'pending');
    assert.deepEqual(task.values, { name: 'api', owner: 'team "a"', greeting: 'hello' });
    const events = await finished(tasks.events(task.id));
    const done = tasks.get(task.id);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(done.result, { files: [{ path: 'api/README.md', content: '# api\nhello, "team \\"a\\""\n', mode: 0o644 }], nextSteps: ['cd api', 'ask team "a"'] });
    assert.deepEqual(events.map((e: TaskEvent) => e.type), ['step', 'log', 'completed']);
    assert.equal(done.finishedAt, time.now().toISOString());
  });

  it('a template that cannot render fails the task with the reason and no files', async () => {
    const task = tasks.create({ templateId: 'broken-placeholder', values: { name: 'api', owner: 'a' } });
    const events = await finished(tasks.events(task.id));
    const done = tasks.get(task.id);
    assert.equal(done.state, 'failed');
    assert.match(done.error ?? '', /a\.txt: placeholder \{\{nope\}\} has no value/);
    assert.equal(done.result, undefined);
    assert.deepEqual(events.map((e: TaskEvent) => e.type), ['step', 'failed']);
  });

  it('a path that would leave the target is refused: the task fails and returns no files', async () => {
    const task = tasks.create({ templateId: 'escape', values: { name: 'api', owner: 'a', dir: '..' } });
    await finished(tasks.events(task.id));
    const done = tasks.get(task.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.error, 'refusing output path "../x.txt": it climbs out with ..');
    assert.equal(done.result, undefined);
  });

  it('refuses bad values naming each field, an unknown template and another version before queueing anything', () => {
    const err = thrown(() => tasks.create({ templateId: 'svc', values: { name: 'Not Valid', colour: 'red' } }));
    assert.ok(err instanceof InvalidRequest);
    assert.deepEqual(
      err.errors.map((e) => `${e.pointer} ${e.message}`),
      ['/body/values/owner must have required property \'owner\'', '/body/values/colour is not a parameter of this template', '/body/values/name must match pattern "^[a-z.-]+$"'],
    );
    assert.ok(PavedError.is(thrown(() => tasks.create({ templateId: 'nope', values: {} })), 'not-found'));
    const other = thrown(() => tasks.create({ templateId: 'svc', version: '9.9.9', values: { name: 'a', owner: 'b' } }));
    assert.ok(PavedError.is(other, 'conflict'));
    assert.equal(other.message, 'template svc has no version 9.9.9 (published: 1.2.3)');
    assert.equal(tasks.busy(), false);
    assert.equal(fs.existsSync(path.join(root, 'state', 'tasks')), false);
  });

  it('a task an earlier instance left running is failed at load; finished ones load as they were', async () => {
    const ok = tasks.create({ templateId: 'svc', values: { name: 'api', owner: 'a' } });
    await finished(tasks.events(ok.id));
    const dir = path.join(root, 'state', 'tasks');
    writeJsonAtomic(path.join(dir, 't-left.json'), { id: 't-left', templateId: 'svc', templateVersion: '1.2.3', values: {}, state: 'running', createdAt: '2026-03-01T09:00:00.000Z' });
    const again = new ScaffoldTasks(dir, library, time.now);
    again.load();
    assert.equal(again.get(ok.id).state, 'succeeded');
    const left = again.get('t-left');
    assert.equal(left.state, 'failed');
    assert.equal(left.error, 'the platform stopped while this task was running');
    assert.deepEqual(again.events('t-left').after(0).map((e) => [e.type, e.message]), [['failed', 'the platform stopped while this task was running']]);
    assert.equal(again.events('t-left').done, true);
    assert.equal(again.busy(), false);
  });
});
