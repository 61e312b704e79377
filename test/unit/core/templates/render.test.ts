import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { applyDefaults, checkRelativePath, checkTemplateMeta, renderFiles, resolveInside, substitute } from '../../../../src/core/templates';
import { PavedError } from '../../../../src/core/errors';

const untrusted = (re: RegExp) => (e: unknown): boolean => PavedError.is(e, 'untrusted') && re.test((e as Error).message);

describe('core/templates rendering', () => {
  it('substitutes placeholders, with a json filter for quoted contexts', () => {
    assert.equal(substitute('name: {{name}} / {{ name }}', { name: 'api' }, 'f'), 'name: api / api');
    assert.equal(substitute('description: {{ d | json }}', { d: 'Says: "hi"' }, 'f'), 'description: "Says: \\"hi\\""');
    assert.equal(substitute('${{ github.ref }}', {}, 'f'), '${{ github.ref }}');
    assert.equal(substitute('{{n}}', { n: 3 }, 'f'), '3');
  });

  it('an unknown placeholder names the file and the known keys', () => {
    assert.throws(() => substitute('{{nope}}', { name: 'a', owner: 'b' }, 'src/x.js'), /src\/x.js: placeholder \{\{nope\}\} has no value \(known: name, owner\)/);
    assert.throws(() => substitute('{{o}}', { o: { a: 1 } }, 'f'), /needs a string, number or boolean value/);
  });

  for (const [p, reason] of [
    ['../escape.txt', /climbs out with \.\./],
    ['a/../../b', /climbs out/],
    ['a\\..\\..\\b', /climbs out/],
    ['/etc/passwd', /it is absolute/],
    ['\\\\server\\share\\x', /it is absolute/],
    ['C:\\Windows\\x', /drive letter/],
    ['c:x', /drive letter/],
    ['a/b:stream', /colon/],
    ['', /empty/],
    ['./.', /names the target directory itself/],
    ['a\0b', /NUL/],
  ] as const) {
    it(`refuses ${JSON.stringify(p)}`, () => {
      assert.throws(() => checkRelativePath(p), untrusted(reason));
    });
  }

  it('normalises harmless paths', () => {
    assert.equal(checkRelativePath('./src//a.js'), 'src/a.js');
    assert.equal(checkRelativePath('src\\b.js'), 'src/b.js');
    assert.equal(checkRelativePath('.github/workflows/ci.yml'), '.github/workflows/ci.yml');
  });

  it('resolveInside guards the sibling-prefix trick', () => {
    const target = path.resolve('/work/app');
    assert.equal(resolveInside(target, 'src/a.js'), path.join(target, 'src', 'a.js'));
    assert.throws(() => resolveInside(target, '../app-evil/x'), untrusted(/climbs out/));
  });

  it('renders paths and contents and keeps modes; a value that climbs out is refused', () => {
    const files = [
      { path: '{{name}}/run.sh', content: 'echo {{name}}', mode: 0o100755 },
      { path: 'README.md', content: '# {{name}}', mode: 0o644 },
    ];
    assert.deepEqual(renderFiles(files, { name: 'svc' }), [
      { path: 'svc/run.sh', content: 'echo svc', mode: 0o755 },
      { path: 'README.md', content: '# svc', mode: 0o644 },
    ]);
    assert.throws(() => renderFiles(files, { name: '..' }), untrusted(/refusing output path "\.\.\/run\.sh": it climbs out with \.\./));
    assert.throws(() => renderFiles([{ path: '{{p}}', content: '', mode: 0o644 }], { p: '/abs' }), untrusted(/it is absolute/));
    assert.throws(() => renderFiles([{ path: 'a', content: '', mode: 0o644 }, { path: './a', content: '', mode: 0o644 }], {}), /two template files render to a/);
  });

  it('applies defaults of top-level parameters', () => {
    assert.deepEqual(applyDefaults({ properties: { port: { default: 8080 }, name: {} } }, { name: 'x' }), { name: 'x', port: 8080 });
    assert.deepEqual(applyDefaults({ properties: { port: { default: 8080 } } }, { port: 9 }), { port: 9 });
  });

  it('checks template.yaml', () => {
    const good = { id: 'x', title: 'X', description: 'd', owner: 'o', version: '1.0.0', parameters: { required: ['name', 'owner'] } };
    assert.equal(checkTemplateMeta(good, 't.yaml').version, '1.0.0');
    assert.throws(() => checkTemplateMeta({ ...good, version: '1.0' }, 't.yaml'), /t.yaml: version '1.0' is not a semantic version \(x.y.z\)/);
    assert.throws(() => checkTemplateMeta({ ...good, parameters: { required: ['name'] } }, 't.yaml'), /t.yaml: parameters must require 'owner'/);
    assert.throws(() => checkTemplateMeta({ ...good, id: 'Bad Id' }, 't.yaml'), /id 'Bad Id' must be lowercase/);
    assert.throws(() => checkTemplateMeta([], 't.yaml'), /t.yaml: must be a YAML mapping/);
  });
});
