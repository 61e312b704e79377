import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { entryFromPavedManifest } from '../../../../src/core/catalog';
import { ReleaseStore, releaseManifest } from '../../../../src/server/deploy/releases';
import { tempDir } from '../fakes';

function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/')).sort();
}

describe('server/deploy: releases', () => {
  let root: string;
  let src: string;
  let store: ReleaseStore;

  beforeEach(() => {
    root = tempDir('releases');
    src = path.join(root, 'src');
    for (const f of ['server.js', '.gitignore', '.git/HEAD', '.paved/policies.yaml', 'lib/a.js', 'lib/.git/config', 'lib/.pavedrc']) {
      fs.mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
      fs.writeFileSync(path.join(src, f), f);
    }
    store = new ReleaseStore(path.join(root, 'state', 'releases'));
    store.load();
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a snapshot copies the source without .git and .paved (at any depth) and leaves no temporary directory', () => {
    const dir = store.snapshot('api', 'r-1', src);
    assert.equal(dir, path.join(root, 'state', 'releases', 'api', 'r-1'));
    assert.deepEqual(files(dir), ['.gitignore', 'lib', 'lib/.pavedrc', 'lib/a.js', 'server.js']);
    assert.deepEqual(fs.readdirSync(path.join(root, 'state', 'releases', 'api')), ['r-1']);
  });

  it('links inside the folder become relative links to the release’s own copy; a link out of the folder is refused', () => {
    fs.symlinkSync('lib/a.js', path.join(src, 'rel.js'));
    fs.symlinkSync(path.join(src, 'lib', 'a.js'), path.join(src, 'abs.js')); // absolute, into the live source tree
    fs.symlinkSync(path.join(src, 'lib'), path.join(src, 'libdir'));
    const dir = store.snapshot('api', 'r-1', src);
    assert.equal(fs.readlinkSync(path.join(dir, 'rel.js')), path.join('lib', 'a.js'));
    assert.equal(fs.readlinkSync(path.join(dir, 'abs.js')), path.join('lib', 'a.js'));
    assert.equal(fs.realpathSync(path.join(dir, 'libdir')), fs.realpathSync(path.join(dir, 'lib')));
    // The source changes after the release was made; the release does not.
    fs.writeFileSync(path.join(src, 'lib', 'a.js'), 'changed');
    assert.equal(fs.readFileSync(path.join(dir, 'abs.js'), 'utf8'), 'lib/a.js');

    const outside = path.join(root, 'elsewhere.js');
    fs.writeFileSync(outside, 'x');
    fs.symlinkSync(outside, path.join(src, 'lib', 'out.js'));
    assert.throws(
      () => store.snapshot('api', 'r-2', src),
      (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'conflict' && e.message.startsWith(`${path.join(src, 'lib', 'out.js')} links to ${fs.realpathSync(outside)}, outside ${src}`),
    );
    assert.deepEqual(fs.readdirSync(path.join(root, 'state', 'releases', 'api')), ['r-1'], 'nothing left of the refused snapshot');
  });

  it('a snapshot becomes a release once recorded; load keeps releases and removes what a crash left', () => {
    const built = store.snapshot('api', 'r-1', src);
    store.record({ id: 'r-1', service: 'api', createdAt: '2026-03-01T10:00:00.000Z', dir: built });
    store.snapshot('api', 'r-2', src); // its build never finished: no metadata
    fs.mkdirSync(path.join(root, 'state', 'releases', 'api', '.r-3.tmp', 'half'), { recursive: true }); // copy interrupted

    const again = new ReleaseStore(path.join(root, 'state', 'releases'));
    again.load();
    assert.deepEqual(fs.readdirSync(path.join(root, 'state', 'releases', 'api')).sort(), ['r-1', 'r-1.json']);
    assert.deepEqual(again.runnable('api', 'r-1'), { id: 'r-1', service: 'api', createdAt: '2026-03-01T10:00:00.000Z', dir: built });
    assert.equal(again.get('api', 'r-2'), undefined);
    assert.deepEqual([...again.createdAt('api')], [['r-1', '2026-03-01T10:00:00.000Z']]);
  });

  it('a release known only from imported history counts for lead times but cannot be started', () => {
    store.remember({ id: 'r-old', service: 'api', createdAt: '2026-01-01T00:00:00.000Z', dir: '' });
    assert.equal(store.get('api', 'r-old')?.createdAt, '2026-01-01T00:00:00.000Z');
    assert.equal(store.runnable('api', 'r-old'), undefined);
    const built = store.snapshot('api', 'r-1', src);
    store.record({ id: 'r-1', service: 'api', createdAt: '2026-03-01T10:00:00.000Z', dir: built });
    store.remember({ id: 'r-1', service: 'api', createdAt: '1999-01-01T00:00:00.000Z', dir: '' });
    assert.equal(store.runnable('api', 'r-1')?.createdAt, '2026-03-01T10:00:00.000Z', 'a real release is not replaced');
    const again = new ReleaseStore(path.join(root, 'state', 'releases'));
    again.load();
    assert.equal(again.get('api', 'r-old')?.createdAt, '2026-01-01T00:00:00.000Z', 'an imported release’s time survives a restart');
    assert.equal(again.runnable('api', 'r-old'), undefined);
    assert.equal(again.runnable('api', 'r-1')?.createdAt, '2026-03-01T10:00:00.000Z');
  });

  it('deploys with the release’s own paved.yaml when it has one, else with the catalog’s manifest', () => {
    const entry = entryFromPavedManifest({ apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'api', owner: 'a' }, spec: { run: { command: 'old' } } }, { source: 'registered' });
    assert.deepEqual((releaseManifest(entry).spec as { run: unknown }).run, { command: 'old' });
    const dir = store.snapshot('api', 'r-1', src);
    assert.deepEqual((releaseManifest(entry, dir).spec as { run: unknown }).run, { command: 'old' });
    fs.writeFileSync(path.join(dir, 'paved.yaml'), 'apiVersion: paved.dev/v1\nkind: Service\nmetadata: {name: api, owner: a}\nspec: {run: {command: new}}\n');
    assert.deepEqual((releaseManifest(entry, dir).spec as { run: unknown }).run, { command: 'new' });
  });
});
