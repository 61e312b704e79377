import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PavedError } from '../../../../src/core/errors';
import { TemplateLibrary } from '../../../../src/server/scaffold/library';
import { tempDir } from '../fakes';

function writeVersion(dir: string, id: string, version: string, changelog?: string): void {
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  const meta = { id, title: `${id} ${version}`, description: 'd', owner: 'team-platform', version, parameters: { type: 'object', required: ['name', 'owner'], properties: { name: { type: 'string' }, owner: { type: 'string' } } }, ...(changelog ? { changelog } : {}) };
  fs.writeFileSync(path.join(dir, 'template.yaml'), JSON.stringify(meta));
  fs.writeFileSync(path.join(dir, 'files', 'v.txt'), `${version}\n`);
}

describe('server/scaffold: golden paths with several versions', () => {
  let root: string;
  let library: TemplateLibrary;
  let logged: string[];

  beforeEach(() => {
    root = tempDir('library');
    logged = [];
    const builtIn = path.join(root, 'builtin');
    const extra = path.join(root, 'extra');
    writeVersion(path.join(builtIn, 'svc', '1.9.0'), 'svc', '1.9.0', 'Nine.');
    writeVersion(path.join(builtIn, 'svc', '1.10.0'), 'svc', '1.10.0', 'Ten.');
    writeVersion(path.join(builtIn, 'svc', '2.0.0-rc.1'), 'svc', '2.0.0-rc.1');
    writeVersion(path.join(builtIn, 'site'), 'site', '1.0.0'); // the single-version layout
    writeVersion(path.join(builtIn, 'svc', '3.0.0'), 'svc', '1.0.0'); // folder and file disagree
    writeVersion(path.join(extra, 'svc', '1.10.0'), 'svc', '1.10.0', 'A copy.'); // same id and version: the first wins
    writeVersion(path.join(extra, 'svc', '1.11.0'), 'svc', '1.11.0', 'Eleven.'); // another root adds a version
    library = new TemplateLibrary([builtIn, extra], (l) => logged.push(l));
    library.reload();
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists each golden path once, at its newest release (semantic order: 1.11 > 1.10 > 1.9; a pre-release is not the newest)', () => {
    assert.deepEqual(library.list(10).items.map((t) => `${t.id} ${t.version}`), ['site 1.0.0', 'svc 1.11.0']);
    assert.equal(library.get('svc').version, '1.11.0');
  });

  it('lists every version newest first with its changelog, a page at a time', () => {
    const first = library.versions('svc', 2);
    assert.deepEqual(first.items, [
      { version: '2.0.0-rc.1', title: 'svc 2.0.0-rc.1', description: 'd' },
      { version: '1.11.0', title: 'svc 1.11.0', description: 'd', changelog: 'Eleven.' },
    ]);
    const rest = library.versions('svc', 2, first.nextCursor);
    assert.deepEqual(rest.items.map((v) => `${v.version} ${v.changelog}`), ['1.10.0 Ten.', '1.9.0 Nine.']);
    assert.equal(rest.nextCursor, undefined);
    assert.throws(() => library.versions('nope', 2), (e: unknown) => PavedError.is(e, 'not-found'));
  });

  it('gives and renders an older version; an unknown version names the published ones', () => {
    assert.equal(library.get('svc', '1.9.0').changelog, 'Nine.');
    assert.equal(library.resolve('svc', '1.9.0').files[0].content, '1.9.0\n');
    assert.throws(() => library.get('svc', '1.8.0'), (e: unknown) => PavedError.is(e, 'not-found') && /published: 2.0.0-rc.1, 1.11.0, 1.10.0, 1.9.0/.test(e.message));
    assert.throws(() => library.resolve('svc', '1.8.0'), (e: unknown) => PavedError.is(e, 'conflict'));
  });

  it('reports a version folder that disagrees with its template.yaml, and a duplicate id and version', () => {
    assert.ok(logged.some((l) => /svc\/3.0.0: template.yaml says svc 1.0.0, but the folders say svc 3.0.0; ignored/.test(l)), logged.join('\n'));
    assert.ok(logged.some((l) => /extra\/svc\/1.10.0: template svc 1.10.0 is already provided by .*builtin\/svc\/1.10.0; ignored/.test(l)), logged.join('\n'));
    assert.equal(library.get('svc', '1.10.0').changelog, 'Ten.');
  });

  it('knows every version of every golden path, for adoption counts', () => {
    assert.deepEqual(library.all().find((t) => t.id === 'svc')?.versions, ['2.0.0-rc.1', '1.11.0', '1.10.0', '1.9.0']);
  });
});
