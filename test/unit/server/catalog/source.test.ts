import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanWorkspaces, type ScanCache } from '../../../../src/server/catalog/source';
import { MAX_MANIFEST_BYTES, parseManifestDocuments } from '../../../../src/server/manifests';

describe('server/catalog: reading the workspace manifests', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-source-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  const service = (name: string, extra = '') => `apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: ${name}\n  owner: team-a\n${extra}`;

  it('reads a file again only when its size, mtime or inode changed (cache by path)', () => {
    write('a/paved.yaml', service('a'));
    write('b/paved.yaml', service('b'));
    const cache: ScanCache = new Map();
    assert.deepEqual(scanWorkspaces([root], cache).entries.map((e) => e.name), ['a', 'b']);
    const a = path.join(root, 'a', 'paved.yaml');
    const first = cache.get(a)?.docs;
    scanWorkspaces([root], cache);
    assert.equal(cache.get(a)?.docs, first, 'unchanged: not parsed again');
    write('a/paved.yaml', service('a2'));
    assert.deepEqual(scanWorkspaces([root], cache).entries.map((e) => e.name), ['a2', 'b']);
    assert.notEqual(cache.get(a)?.docs, first);
    fs.rmSync(path.join(root, 'b'), { recursive: true });
    scanWorkspaces([root], cache);
    assert.deepEqual([...cache.keys()], [a], 'a file that went is dropped from the cache');
  });

  it('a file over the size limit is an error naming the file and its size; it is not read', () => {
    write('big/paved.yaml', service('big', `  description: ${'x'.repeat(MAX_MANIFEST_BYTES)}\n`));
    write('ok/paved.yaml', service('ok'));
    const scan = scanWorkspaces([root]);
    assert.deepEqual(scan.entries.map((e) => e.name), ['ok']);
    assert.deepEqual(scan.errors, [`${path.join(root, 'big', 'paved.yaml')}: 1.0 MB is larger than the 1 MB the platform reads of a manifest; not read`]);
  });

  it('parses with the linter’s parser: duplicate keys are errors with their line, documents plain objects', () => {
    assert.deepEqual(parseManifestDocuments('a: 1\n---\nb: [x, y]\n', 'f.yaml'), [{ a: 1 }, { b: ['x', 'y'] }]);
    assert.throws(() => parseManifestDocuments('a: 1\nb: 2\na: 3\n', 'f.yaml'), { code: 'invalid-input', message: 'f.yaml:3: Duplicate key "a": keys of a map must be unique.' });
    assert.throws(() => parseManifestDocuments('a: [1\nb: 2\n', 'f.yaml'), { code: 'invalid-input' });
    // An alias bomb is bounded (read as null beyond the budget) and reported, not expanded.
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n');
    assert.throws(() => parseManifestDocuments(bomb, 'bomb.yaml'), { code: 'invalid-input', message: /^bomb\.yaml:\d+: Alias \*\w expands beyond 10000 nodes/ });
  });
});
