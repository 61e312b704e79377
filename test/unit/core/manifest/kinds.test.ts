/**
 * The manifest kinds table (src/core/manifest/kinds.ts) and every place that finds manifests by it: the file-name
 * matcher, the editor's workspace glob (Lint All Manifests), `paved lint`'s file discovery and the local platform's
 * catalog scan must agree on which files are manifests.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { globToRegExp, resolveInputs } from '../../../../src/cli/lint';
import type { ManifestKind } from '../../../../src/core/manifest/index';
import {
  BACKSTAGE_KINDS,
  CATALOG_KINDS,
  kindFromApiVersion,
  kindFromFileName,
  lint,
  MANIFEST_API_VERSION_LINE,
  MANIFEST_GLOB,
  manifestGlob,
  MANIFEST_KINDS,
  manifestKind,
  SCHEMAS,
  SKIPPED_FOLDERS,
  SKIPPED_FOLDERS_GLOB,
} from '../../../../src/core/manifest/index';
import { scanWorkspaces } from '../../../../src/server/catalog/source';
import { MANIFEST_FILE_NAMES, manifestText } from './helpers';

const manifestNames = (keep: (k: ManifestKind) => boolean) => Object.keys(MANIFEST_FILE_NAMES).filter((n) => keep(MANIFEST_FILE_NAMES[n])).sort();

describe('manifest kinds: the table', () => {
  it('names each kind, stem and apiVersion prefix once; stems are plain lowercase names', () => {
    const kinds = MANIFEST_KINDS.map((k) => k.kind);
    const stems = MANIFEST_KINDS.map((k) => k.fileStem);
    const prefixes = MANIFEST_KINDS.flatMap((k) => k.apiVersionPrefixes);
    assert.equal(new Set(kinds).size, kinds.length);
    assert.equal(new Set(stems).size, stems.length);
    assert.equal(new Set(prefixes).size, prefixes.length);
    for (const k of MANIFEST_KINDS) {
      assert.match(k.fileStem, /^[a-z0-9][a-z0-9-]*$/, `${k.kind}: the stem goes into a glob and a regular expression as it is`);
      assert.ok(k.apiVersionPrefixes.length > 0 && k.apiVersionPrefixes.every((p) => p.endsWith('/')), `${k.kind}: apiVersion prefixes end in '/'`);
      assert.ok(k.displayName.length > 0);
      assert.equal(manifestKind(k.kind), k);
    }
  });

  it('every schema belongs to exactly one kind, and every kind schema is registered', () => {
    const claimed = MANIFEST_KINDS.flatMap((k) => k.schemas as readonly string[]);
    assert.equal(new Set(claimed).size, claimed.length, 'no schema in two kinds');
    assert.deepEqual([...claimed].sort(), Object.keys(SCHEMAS).sort());
  });

  it('picks each document a schema of its own kind', () => {
    const entityKinds: unknown[] = [...BACKSTAGE_KINDS, 'component', 'Unknown', undefined, 42, null];
    for (const k of MANIFEST_KINDS) {
      for (const api of [...k.apiVersionPrefixes.map((p) => `${p}v1`), ...k.apiVersionPrefixes.map((p) => `${p}v1alpha1`), undefined, 7]) {
        for (const entityKind of entityKinds) {
          assert.ok((k.schemas as readonly string[]).includes(k.schemaFor(api, entityKind)), `${k.kind} ${String(api)} ${String(entityKind)}`);
        }
      }
    }
    const backstage = manifestKind('backstage');
    assert.deepEqual(BACKSTAGE_KINDS.map((kind) => backstage.schemaFor('backstage.io/v1alpha1', kind)), BACKSTAGE_KINDS.map((kind) => `backstage-${kind.toLowerCase()}`));
    assert.equal(backstage.schemaFor('backstage.io/v1alpha1', 'component'), 'backstage-entity', 'entity kinds are case-sensitive');
    assert.equal(manifestKind('paved').schemaFor('paved.dev/v1alpha1', 'Service'), 'paved.v1alpha1');
    assert.equal(manifestKind('paved').schemaFor('paved.dev/v1', 'Service'), 'paved.v1');
  });

  it('knows a kind by apiVersion prefix, and only by a string that starts with one', () => {
    for (const k of MANIFEST_KINDS) for (const p of k.apiVersionPrefixes) assert.equal(kindFromApiVersion(`${p}v1`), k.kind);
    for (const v of ['paved.dev', 'x.paved.dev/v1', 'Paved.dev/v1', ' paved.dev/v1', 'v1', '', undefined, null, 1, ['paved.dev/v1']]) assert.equal(kindFromApiVersion(v), 'unknown', String(v));
  });

  it('a YAML file is a manifest by content exactly when a top-level apiVersion line names a kind', () => {
    const lines: [string, boolean][] = [
      ['apiVersion: paved.dev/v1', true],
      ['apiVersion: "backstage.io/v1alpha1"', true],
      ["apiVersion: 'scaffolder.backstage.io/v1beta3'", true],
      ['apiVersion:score.dev/v1b1', true],
      ['# comment\napiVersion: paved.dev/v1alpha1', true],
      ['  apiVersion: paved.dev/v1', false],
      ['apiVersion: apps/v1', false],
      ['apiVersion: paved.dev', false],
      ['kind: Service', false],
    ];
    for (const [text, expected] of lines) assert.equal(MANIFEST_API_VERSION_LINE.test(text), expected, text);
    for (const p of MANIFEST_KINDS.flatMap((k) => k.apiVersionPrefixes)) {
      assert.ok(MANIFEST_API_VERSION_LINE.test(`kind: X\napiVersion: ${p}v2\n`), p);
      assert.ok(!MANIFEST_API_VERSION_LINE.test(`apiVersion: ${p.slice(0, -1)}\n`), `${p} without its '/'`);
    }
  });
});

describe('manifest kinds: kindFromFileName', () => {
  it('gives each listed name its kind, as a base name, a path, or a Windows path', () => {
    for (const [name, kind] of Object.entries(MANIFEST_FILE_NAMES)) {
      assert.equal(kindFromFileName(name), kind, name);
      assert.equal(kindFromFileName(`/repo/svc/${name}`), kind, `/repo/svc/${name}`);
      assert.equal(kindFromFileName(`C:\\repo\\svc\\${name}`), kind, `C:\\repo\\svc\\${name}`);
    }
    assert.equal(kindFromFileName('/repo/paved.yaml/values.yaml'), 'unknown', 'only the base name counts');
  });

  it('agrees with the rule written out plainly, over every generated name', () => {
    // The rule of kinds.ts, without a regular expression: `<stem>.yaml|yml`, alone or after '.' or '-', any case.
    const reference = (base: string): ManifestKind => {
      const lower = base.toLowerCase();
      for (const k of MANIFEST_KINDS) {
        for (const ext of ['.yaml', '.yml']) {
          const tail = k.fileStem + ext;
          if (!lower.endsWith(tail)) continue;
          const before = lower.slice(0, lower.length - tail.length);
          if (before === '' || before.endsWith('.') || before.endsWith('-')) return k.kind;
        }
      }
      return 'unknown';
    };
    const prefixes = ['', 'x', 'X', 'api', 'my.api', 'a-b', '.', '-', '_', ' ', 'catalog', 'info'];
    const separators = ['', '.', '-', '_', '..', '--'];
    const stems = [...MANIFEST_KINDS.map((k) => k.fileStem), 'PAVED', 'Catalog-Info', 'sCoRe', 'pave', 'paved2', 'catalog', 'info', 'catalog_info', 'scor', ''];
    const exts = ['.yaml', '.yml', '.YAML', '.Yml', '.yaml.bak', '.ya', '.yamll', '.json', '', '.yaml ', 'yaml'];
    let checked = 0;
    let manifests = 0;
    for (const p of prefixes) {
      for (const s of separators) {
        for (const stem of stems) {
          for (const ext of exts) {
            const base = `${p}${s}${stem}${ext}`;
            const expected = reference(base);
            assert.equal(kindFromFileName(base), expected, JSON.stringify(base));
            assert.equal(kindFromFileName(`dir/${base}`), expected, JSON.stringify(`dir/${base}`));
            checked++;
            if (expected !== 'unknown') manifests++;
          }
        }
      }
    }
    assert.ok(checked > 7000 && manifests > 300, `${checked} names, ${manifests} manifests`);
  });
});

describe('manifest kinds: every face finds the same files', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-kinds-'));
    // Each file in a folder of its own (the catalog reads one paved manifest per folder), and one of each kind in
    // every folder no search enters.
    Object.keys(MANIFEST_FILE_NAMES).forEach((name, i) => {
      fs.mkdirSync(path.join(dir, `f${i}`));
      fs.writeFileSync(path.join(dir, `f${i}`, name), manifestText(MANIFEST_FILE_NAMES[name], i));
    });
    [...SKIPPED_FOLDERS].forEach((folder, i) => {
      fs.mkdirSync(path.join(dir, 'app', folder, 'pkg'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'app', folder, 'pkg', 'paved.yaml'), manifestText('paved', 1000 + i));
      fs.writeFileSync(path.join(dir, 'app', folder, 'catalog-info.yaml'), manifestText('backstage', 1000 + i));
    });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const base = (files: string[]) => files.map((f) => path.basename(f)).sort();

  it('the workspace glob of Lint All Manifests matches exactly the manifest names, in any folder', () => {
    const glob = globToRegExp(MANIFEST_GLOB);
    for (const [name, kind] of Object.entries(MANIFEST_FILE_NAMES)) {
      for (const p of [name, `svc/${name}`, `a/b/c/${name}`]) assert.equal(glob.test(p), kind !== 'unknown', p);
    }
  });

  it('the glob of one kind matches exactly the names of that kind', () => {
    for (const k of MANIFEST_KINDS) {
      const glob = globToRegExp(manifestGlob([k.kind]));
      for (const [name, kind] of Object.entries(MANIFEST_FILE_NAMES)) assert.equal(glob.test(`svc/${name}`), kind === k.kind, `${k.kind}: ${name}`);
    }
    assert.equal(manifestGlob(), MANIFEST_GLOB);
  });

  it('the exclude glob of Lint All Manifests skips exactly the folders the other searches skip', () => {
    const exclude = globToRegExp(SKIPPED_FOLDERS_GLOB);
    for (const folder of SKIPPED_FOLDERS) {
      assert.ok(exclude.test(`${folder}/paved.yaml`) && exclude.test(`app/${folder}/pkg/paved.yaml`), folder);
      assert.ok(!exclude.test(`app/${folder}x/paved.yaml`) && !exclude.test(`app/x${folder}/paved.yaml`), `${folder}: only that name`);
    }
    assert.ok(!exclude.test('app/src/paved.yaml'));
  });

  it('`paved lint` without paths, and with the workspace glob, lints exactly the manifests', () => {
    const warnings: string[] = [];
    assert.deepEqual(base(resolveInputs([], dir, (m) => warnings.push(m))), manifestNames((k) => k !== 'unknown'));
    assert.deepEqual(base(resolveInputs([MANIFEST_GLOB], dir, (m) => warnings.push(m))), manifestNames((k) => k !== 'unknown'));
    assert.deepEqual(warnings, []);
  });

  it('the local platform reads exactly the manifests of catalog kinds into its catalog', () => {
    assert.deepEqual([...CATALOG_KINDS].sort(), ['backstage', 'paved']);
    const scan = scanWorkspaces([dir]);
    assert.deepEqual(scan.errors, []);
    assert.deepEqual(base(scan.entries.map((e) => e.manifestPath!)), manifestNames((k) => CATALOG_KINDS.has(k)));
    const paved = scan.entries.filter((e) => kindFromFileName(e.manifestPath!) === 'paved');
    assert.ok(paved.length > 0 && paved.every((e) => e.manifestKind === 'paved.yaml' && e.name.startsWith('service-')), 'x-paved.yaml, Paved.Yml, … are read as paved.yaml');
  });

  it('the engine lints every listed manifest as its kind, whatever the content says', () => {
    for (const [name, kind] of Object.entries(MANIFEST_FILE_NAMES)) {
      if (kind === 'unknown') continue;
      assert.equal(lint('a: 1\n', name).kind, kind, name);
    }
  });
});
