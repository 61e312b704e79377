import * as assert from 'node:assert/strict';
import { PavedError } from '../../../../src/core/errors';
import { renderFiles, type TemplateFile } from '../../../../src/core/templates/render';
import { conflictBlocks } from '../../../../src/core/templates/merge3';
import { planUpgrade, type CurrentFile, type PlannedFile, type RenderedFile } from '../../../../src/core/templates/upgrade';

const labels = { current: 'yours', base: 'golden path 1.2.0', theirs: 'golden path 1.3.0' };
const file = (path: string, content: string, mode = 0o644): RenderedFile => ({ path, content, mode });
const cur = (content: string | Uint8Array, mode = 0o644): CurrentFile => ({ content, mode });

function plan(base: RenderedFile[], theirs: RenderedFile[], current: Record<string, CurrentFile>) {
  return planUpgrade({ base, theirs, current: new Map(Object.entries(current)), labels });
}
function only(p: ReturnType<typeof plan>, path: string): PlannedFile {
  const f = p.files.find((x) => x.path === path);
  assert.ok(f, `${path} is in the plan: ${JSON.stringify(p.files.map((x) => x.path))}`);
  return f;
}

const lines = (n: number, change: Record<number, string> = {}) => Array.from({ length: n }, (_, i) => change[i] ?? `line ${i}`).join('\n') + '\n';

describe('core/templates upgrade plan: the merge rules', () => {
  it('a file the user changed and the template did not stays as the user has it', () => {
    const p = plan([file('a.txt', lines(5))], [file('a.txt', lines(5))], { 'a.txt': cur(lines(5, { 2: 'mine' })) });
    assert.deepEqual(p.files, []);
    assert.equal(p.unchanged, 1);
  });

  it('a file only the template changed is updated to the new version', () => {
    const p = plan([file('a.txt', lines(5))], [file('a.txt', lines(5, { 1: 'new' }))], { 'a.txt': cur(lines(5)) });
    const f = only(p, 'a.txt');
    assert.equal(f.action, 'updated');
    assert.equal(f.content, lines(5, { 1: 'new' }));
    assert.equal(f.merged, undefined);
  });

  it('both changed in different places: merged cleanly', () => {
    const p = plan([file('a.txt', lines(10))], [file('a.txt', lines(10, { 8: 'template' }))], { 'a.txt': cur(lines(10, { 1: 'mine' })) });
    const f = only(p, 'a.txt');
    assert.equal(f.action, 'updated');
    assert.equal(f.merged, true);
    assert.equal(f.content, lines(10, { 1: 'mine', 8: 'template' }));
  });

  it('both changed the same lines: standard conflict markers with labels', () => {
    const p = plan([file('a.txt', lines(6))], [file('a.txt', lines(6, { 3: 'template' }))], { 'a.txt': cur(lines(6, { 3: 'mine' })) });
    const f = only(p, 'a.txt');
    assert.equal(f.action, 'conflicted');
    assert.equal(f.conflicts, 1);
    assert.equal(
      f.content,
      'line 0\nline 1\nline 2\n<<<<<<< yours\nmine\n||||||| golden path 1.2.0\nline 3\n=======\ntemplate\n>>>>>>> golden path 1.3.0\nline 4\nline 5\n',
    );
    assert.deepEqual(conflictBlocks(f.content).map((b) => [b.start, b.separator, b.end]), [[3, 7, 9]]);
  });

  it('a file with conflicts on both ends gets two blocks, the first line and the last line', () => {
    const p = plan([file('a.txt', lines(4))], [file('a.txt', lines(4, { 0: 'T first', 3: 'T last' }))], { 'a.txt': cur(lines(4, { 0: 'U first', 3: 'U last' })) });
    const f = only(p, 'a.txt');
    assert.equal(f.action, 'conflicted');
    assert.equal(f.conflicts, 2);
    const text = f.content!;
    assert.ok(text.startsWith('<<<<<<< yours\nU first\n'), text);
    assert.ok(text.endsWith('=======\nT last\n>>>>>>> golden path 1.3.0\n'), text);
    assert.equal(conflictBlocks(text).length, 2);
  });

  it('both made the same change: not a conflict', () => {
    const p = plan([file('a.txt', lines(3))], [file('a.txt', lines(3, { 1: 'same' }))], { 'a.txt': cur(lines(3, { 1: 'same' })) });
    assert.deepEqual(p.files, []);
  });

  it('a file the template added is added', () => {
    const p = plan([], [file('.dockerignore', 'node_modules\n')], {});
    assert.deepEqual(only(p, '.dockerignore'), { path: '.dockerignore', action: 'added', reason: 'new in the golden path', content: 'node_modules\n', mode: 0o644, theirs: 'node_modules\n' });
  });

  it('a file the template added that the user already has is merged without a base (a conflict when they differ)', () => {
    const p = plan([], [file('x.txt', 'a\n')], { 'x.txt': cur('b\n') });
    assert.equal(only(p, 'x.txt').action, 'conflicted');
    const same = plan([], [file('x.txt', 'a\n')], { 'x.txt': cur('a\n') });
    assert.deepEqual(same.files, []);
  });

  it('a file the user deleted stays deleted, even when the template changed it', () => {
    const p = plan([file('a.txt', lines(3))], [file('a.txt', lines(3, { 0: 'new' }))], {});
    const f = only(p, 'a.txt');
    assert.equal(f.action, 'kept');
    assert.match(f.reason, /you deleted it/);
    assert.equal(f.content, undefined);
  });

  it('a file the template removed is removed when the user never changed it (line endings aside)', () => {
    const p = plan([file('old.txt', 'a\nb\n')], [], { 'old.txt': cur('a\r\nb\r\n') });
    assert.equal(only(p, 'old.txt').action, 'removed');
  });

  it('a removed template file the user had edited is kept', () => {
    const p = plan([file('old.txt', 'a\nb\n')], [], { 'old.txt': cur('a\nb\nmine\n') });
    const f = only(p, 'old.txt');
    assert.equal(f.action, 'kept');
    assert.match(f.reason, /you changed it/);
  });

  it('a rename through a placeholder in the path: the user\'s changes follow the file, the old path goes', () => {
    const v1: TemplateFile[] = [{ path: 'src/{{name}}.js', content: lines(8, { 0: '// {{name}}' }), mode: 0o644 }];
    const v2: TemplateFile[] = [{ path: 'lib/{{name}}.js', content: lines(8, { 0: '// {{name}}', 7: 'exported' }), mode: 0o644 }];
    const values = { name: 'billing' };
    const base = renderFiles(v1, values);
    const theirs = renderFiles(v2, values);
    const p = plan(base, theirs, { 'src/billing.js': cur(lines(8, { 0: '// billing', 2: 'mine' })) });
    const moved = only(p, 'lib/billing.js');
    assert.equal(moved.action, 'added');
    assert.equal(moved.renamedFrom, 'src/billing.js');
    assert.equal(moved.content, lines(8, { 0: '// billing', 2: 'mine', 7: 'exported' }));
    const old = only(p, 'src/billing.js');
    assert.equal(old.action, 'removed');
    assert.match(old.reason, /moved it to lib\/billing.js/);
  });

  it('CRLF files: line endings are no change, and a merge keeps the user\'s CRLF', () => {
    const crlf = (t: string) => t.replace(/\n/g, '\r\n');
    const untouched = plan([file('a.txt', lines(4))], [file('a.txt', lines(4))], { 'a.txt': cur(crlf(lines(4))) });
    assert.deepEqual(untouched.files, []);
    const updated = plan([file('a.txt', lines(4))], [file('a.txt', lines(4, { 3: 'new' }))], { 'a.txt': cur(crlf(lines(4))) });
    assert.equal(only(updated, 'a.txt').content, crlf(lines(4, { 3: 'new' })));
    const merged = plan([file('a.txt', lines(8))], [file('a.txt', lines(8, { 7: 'new' }))], { 'a.txt': cur(crlf(lines(8, { 0: 'mine' }))) });
    const m = only(merged, 'a.txt');
    assert.equal(m.merged, true);
    assert.equal(m.content, crlf(lines(8, { 0: 'mine', 7: 'new' })));
  });

  it('binary files are never merged: kept and reported', () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]);
    const p = plan([file('logo.png', 'a')], [file('logo.png', 'b')], { 'logo.png': cur(bytes) });
    assert.equal(only(p, 'logo.png').action, 'binary');
    const notUtf8 = plan([file('x.dat', 'a\n')], [file('x.dat', 'b\n')], { 'x.dat': cur(new Uint8Array([0xff, 0xfe, 0x41])) });
    assert.equal(only(notUtf8, 'x.dat').action, 'binary');
  });

  it('a file mode the template changed follows when the user kept the old mode', () => {
    const p = plan([file('run.sh', 'x\n', 0o644)], [file('run.sh', 'x\n', 0o755)], { 'run.sh': cur('x\n', 0o644) });
    assert.equal(only(p, 'run.sh').mode, 0o755);
  });

  it('a symbolic link in a template file\'s place is kept and reported, never followed', () => {
    const p = plan([file('a.txt', 'a\n')], [file('a.txt', 'b\n')], { 'a.txt': { content: '', mode: 0o644, unreadable: 'a symbolic link is in its place: kept' } });
    assert.equal(only(p, 'a.txt').action, 'kept');
  });

  it('refuses unsafe paths from either rendering and ignores the answers file', () => {
    assert.throws(() => plan([], [file('../x', 'a')], {}), (e: unknown) => PavedError.is(e, 'untrusted'));
    assert.throws(() => plan([file('/etc/passwd', 'a')], [], {}), (e: unknown) => PavedError.is(e, 'untrusted'));
    assert.deepEqual(plan([], [file('.paved/golden-path.yaml', 'x')], {}).files, []);
  });

  it('counts every action', () => {
    const p = plan(
      [file('a', '1\n'), file('b', '1\n'), file('c', '1\n')],
      [file('a', '2\n'), file('b', '1\n'), file('d', 'x\n')],
      { a: cur('1\n'), b: cur('mine\n'), c: cur('1\n') },
    );
    assert.deepEqual(p.counts, { updated: 1, added: 1, removed: 1, conflicted: 0, kept: 0, binary: 0 });
    assert.equal(p.unchanged, 1);
  });
});
