import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PavedError } from '../../../src/core/errors';
import { planWrite, resolveInside, safeWrite, unsafePathReason, type FileToWrite, type FsOps } from '../../../src/core/fs/safeWrite';

/** Every file and folder under dir (relative, sorted), symlinks shown as `name -> target`. */
function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p).split(path.sep).join('/');
      if (e.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(p)}`);
      else if (e.isDirectory()) {
        out.push(`${rel}/`);
        walk(p);
      } else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

const files: FileToWrite[] = [
  { path: 'README.md', content: '# app\n', mode: 0o644 },
  { path: 'src/server.js', content: 'console.log(1)\n', mode: 0o644 },
  { path: 'scripts/run.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
];

describe('safe writing of a scaffolded file set', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-safewrite-'));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes a new target with the contents and modes, umask notwithstanding, and leaves no staging folder', async () => {
    const target = path.join(tmp, 'app');
    const old = process.umask(0o077);
    try {
      const result = await safeWrite(target, files);
      assert.deepEqual(result, { target, written: ['README.md', 'src/server.js', 'scripts/run.sh'], overwritten: [], skipped: [], removed: [] });
    } finally {
      process.umask(old);
    }
    assert.deepEqual(tree(tmp), ['app/', 'app/README.md', 'app/scripts/', 'app/scripts/run.sh', 'app/src/', 'app/src/server.js']);
    assert.equal(fs.readFileSync(path.join(target, 'scripts/run.sh'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(fs.statSync(path.join(target, 'scripts/run.sh')).mode & 0o777, 0o755);
    assert.equal(fs.statSync(path.join(target, 'README.md')).mode & 0o777, 0o644);
    // Folders get the usual mode for this umask, not the private mode of the staging folder.
    assert.equal(fs.statSync(target).mode & 0o777, 0o700);
  });

  it('creates the target folder with the mode the umask gives new folders', async () => {
    const target = path.join(tmp, 'app');
    const old = process.umask(0o022);
    try {
      await safeWrite(target, files);
    } finally {
      process.umask(old);
    }
    assert.equal(fs.statSync(target).mode & 0o777, 0o755);
    assert.equal(fs.statSync(path.join(target, 'src')).mode & 0o777, 0o755);
  });

  it('writes binary content and strips setuid bits from modes', async () => {
    const target = path.join(tmp, 'bin');
    await safeWrite(target, [{ path: 'a.bin', content: new Uint8Array([0, 255, 1]), mode: 0o4755 }]);
    assert.deepEqual([...fs.readFileSync(path.join(target, 'a.bin'))], [0, 255, 1]);
    assert.equal(fs.statSync(path.join(target, 'a.bin')).mode & 0o7777, 0o755);
  });

  const unsafeFixtures: [string, string][] = [
    ['../evil.txt', 'it climbs out of the target with ..'],
    ['src/../../evil.txt', 'it climbs out of the target with ..'],
    ['/etc/passwd', 'it is an absolute path'],
    ['\\\\server\\share\\x', 'it is an absolute path'],
    ['C:/Windows/evil', 'it starts with a drive letter'],
    ['c:evil', 'it starts with a drive letter'],
    ['src\\..\\..\\evil', 'it contains a backslash'],
    ['a/b:stream', 'a segment contains a colon'],
    ['', 'the path is empty'],
    ['.', 'it names the target directory itself'],
    ['./', 'it names the target directory itself'],
    ['a/.../b', 'a segment is only dots'],
    ['a\0b', 'it contains a NUL character'],
  ];
  for (const [p, why] of unsafeFixtures) {
    it(`refuses ${JSON.stringify(p)} (${why}) with nothing written`, async () => {
      const target = path.join(tmp, 'app');
      await assert.rejects(
        safeWrite(target, [...files, { path: p, content: 'x' }]),
        (e: unknown) => PavedError.is(e, 'untrusted') && e.message === `refusing to write ${JSON.stringify(p)}: ${why}`,
      );
      assert.deepEqual(tree(tmp), []);
    });
  }

  it('refuses a path into a sibling folder with the same prefix (app vs app-evil); app-evil inside the target is fine', () => {
    const root = path.join(tmp, 'app');
    assert.equal(resolveInside(root, 'a/b'), path.join(root, 'a', 'b'));
    assert.throws(() => resolveInside(root, '../app-evil/x'), /climbs out/);
    // Even if a caller passes a root with a trailing separator the check holds.
    assert.equal(resolveInside(root + path.sep, 'x'), path.join(root, 'x'));
    assert.equal(unsafePathReason('app-evil/x'), undefined);
  });

  it('refuses duplicates, case-insensitive collisions and a path that is both a file and a folder', async () => {
    const target = path.join(tmp, 'app');
    await assert.rejects(safeWrite(target, [{ path: 'a.txt', content: '1' }, { path: './a.txt', content: '2' }]), /refusing to write ".\/a.txt": it appears twice/);
    await assert.rejects(safeWrite(target, [{ path: 'Readme.md', content: '1' }, { path: 'README.md', content: '2' }]), /"README.md": it collides with Readme.md on case-insensitive file systems/);
    await assert.rejects(safeWrite(target, [{ path: 'a', content: '1' }, { path: 'a/b', content: '2' }]), /"a": it is both a file and the folder of a\/b/);
    assert.deepEqual(tree(tmp), []);
  });

  it('refuses a target that is a symlink, and a symlinked folder or file inside the target, writing nothing', async () => {
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(outside);
    const linkTarget = path.join(tmp, 'link');
    fs.symlinkSync(outside, linkTarget);
    await assert.rejects(safeWrite(linkTarget, files), (e: unknown) => PavedError.is(e, 'untrusted') && /the target folder is a symbolic link/.test(e.message));

    const target = path.join(tmp, 'app');
    fs.mkdirSync(target);
    fs.symlinkSync(outside, path.join(target, 'src'));
    await assert.rejects(safeWrite(target, files), /refusing to write "src\/server.js": src in the target is a symbolic link/);
    fs.unlinkSync(path.join(target, 'src'));
    fs.symlinkSync(path.join(outside, 'x'), path.join(target, 'README.md'));
    await assert.rejects(safeWrite(target, files, { onConflict: 'overwrite' }), /refusing to write "README.md": an existing symbolic link is in its place/);
    assert.deepEqual(tree(outside), []);
    assert.deepEqual(tree(target), [`README.md -> ${path.join(outside, 'x')}`]);
  });

  it('refuses existing files by default, listing them, and writes nothing', async () => {
    const target = path.join(tmp, 'app');
    fs.mkdirSync(path.join(target, 'src'), { recursive: true });
    fs.writeFileSync(path.join(target, 'README.md'), 'mine');
    fs.writeFileSync(path.join(target, 'src/server.js'), 'mine too');
    const plan = await planWrite(target, files);
    assert.deepEqual(plan.conflicts, ['README.md', 'src/server.js']);
    assert.equal(plan.targetExists, true);
    await assert.rejects(safeWrite(target, files), (e: unknown) => PavedError.is(e, 'conflict') && e.message === `2 files already exist in ${target}: README.md, src/server.js`);
    assert.deepEqual(tree(tmp), ['app/', 'app/README.md', 'app/src/', 'app/src/server.js']);
    assert.equal(fs.readFileSync(path.join(target, 'README.md'), 'utf8'), 'mine');
  });

  it('keeps existing files with skip and replaces them with overwrite (explicit choices)', async () => {
    const target = path.join(tmp, 'app');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'README.md'), 'mine');
    fs.writeFileSync(path.join(target, 'other.txt'), 'untouched');
    const skipped = await safeWrite(target, files, { onConflict: 'skip' });
    assert.deepEqual(skipped, { target, written: ['src/server.js', 'scripts/run.sh'], overwritten: [], skipped: ['README.md'], removed: [] });
    assert.equal(fs.readFileSync(path.join(target, 'README.md'), 'utf8'), 'mine');
    const over = await safeWrite(target, files, { onConflict: 'overwrite' });
    assert.deepEqual(over.overwritten, ['README.md', 'src/server.js', 'scripts/run.sh']);
    assert.equal(fs.readFileSync(path.join(target, 'README.md'), 'utf8'), '# app\n');
    assert.equal(fs.readFileSync(path.join(target, 'other.txt'), 'utf8'), 'untouched');
    assert.deepEqual(tree(tmp), ['app/', 'app/README.md', 'app/other.txt', 'app/scripts/', 'app/scripts/run.sh', 'app/src/', 'app/src/server.js']);
  });

  it('refuses a target that is a file, or a file where a folder is needed', async () => {
    fs.writeFileSync(path.join(tmp, 'plain'), 'x');
    await assert.rejects(safeWrite(path.join(tmp, 'plain'), files), /the target .*plain exists and is not a folder/);
    const target = path.join(tmp, 'app');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'src'), 'x');
    await assert.rejects(safeWrite(target, files, { onConflict: 'overwrite' }), /cannot write src\/server.js: src exists and is not a folder/);
    await assert.rejects(safeWrite('relative/dir', files), /the target folder must be an absolute path: relative\/dir/);
  });

  it('is all or nothing: a failure half-way through moving into an existing target undoes every step', async () => {
    const target = path.join(tmp, 'app');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'README.md'), 'mine', { mode: 0o600 });
    let renames = 0;
    const ops: FsOps = {
      async rename(from, to) {
        renames++;
        // 1: README.md → backup, 2: new README.md in place, 3: src/server.js in place → fail.
        if (renames === 3) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
        await fs.promises.rename(from, to);
      },
      async writeFile(file, data, mode) {
        await fs.promises.writeFile(file, data, { mode });
      },
    };
    await assert.rejects(safeWrite(target, files, { onConflict: 'overwrite', ops }), (e: unknown) => PavedError.is(e, 'io') && /nothing was written: disk full/.test(e.message));
    assert.equal(renames, 3);
    assert.deepEqual(tree(tmp), ['app/', 'app/README.md']);
    assert.equal(fs.readFileSync(path.join(target, 'README.md'), 'utf8'), 'mine');
    assert.equal(fs.statSync(path.join(target, 'README.md')).mode & 0o777, 0o600);
  });

  it('removes files in the same step (one already gone is fine), and puts them back when a later step fails', async () => {
    const target = path.join(tmp, 'app');
    fs.mkdirSync(path.join(target, 'old'), { recursive: true });
    fs.writeFileSync(path.join(target, 'old', 'a.txt'), 'a');
    fs.writeFileSync(path.join(target, 'README.md'), 'mine');
    let renames = 0;
    const failing: FsOps = {
      async rename(from, to) {
        renames++;
        // 1: old/a.txt aside, 2: README.md aside, 3: new README.md in place, 4: src/server.js → fail.
        if (renames === 4) throw new Error('disk full');
        await fs.promises.rename(from, to);
      },
      writeFile: (file, data, mode) => fs.promises.writeFile(file, data, { mode }),
    };
    await assert.rejects(safeWrite(target, files, { onConflict: 'overwrite', remove: ['old/a.txt', 'gone.txt'], ops: failing }), /nothing was written: disk full/);
    assert.deepEqual(tree(tmp), ['app/', 'app/README.md', 'app/old/', 'app/old/a.txt']);
    const done = await safeWrite(target, files, { onConflict: 'overwrite', remove: ['old/a.txt', 'gone.txt'] });
    assert.deepEqual(done.removed, ['old/a.txt']);
    assert.equal(fs.existsSync(path.join(target, 'old', 'a.txt')), false);
    await assert.rejects(safeWrite(target, files, { onConflict: 'overwrite', remove: ['README.md'] }), /both written and removed/);
    await assert.rejects(safeWrite(target, files, { onConflict: 'overwrite', remove: ['../x'] }), (e: unknown) => PavedError.is(e, 'untrusted'));
    fs.symlinkSync(path.join(tmp, 'elsewhere'), path.join(target, 'link'));
    await assert.rejects(safeWrite(target, files, { onConflict: 'overwrite', remove: ['link'] }), /symbolic link/);
  });

  it('is all or nothing for a new target: a failure while staging leaves neither target nor staging folder', async () => {
    const target = path.join(tmp, 'app');
    let writes = 0;
    const ops: FsOps = {
      rename: (from, to) => fs.promises.rename(from, to),
      async writeFile(file, data, mode) {
        if (++writes === 2) throw new Error('EIO: i/o error');
        await fs.promises.writeFile(file, data, { mode });
      },
    };
    await assert.rejects(safeWrite(target, files, { ops }), /writing into .*app failed, nothing was written: EIO: i\/o error/);
    assert.deepEqual(tree(tmp), []);
  });
});
