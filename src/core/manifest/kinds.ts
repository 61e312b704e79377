/**
 * The manifest kinds, in one table: which files are manifests (in the editor, for *Lint All Manifests*, for
 * `paved lint` and for the local platform's catalog), which apiVersions name a kind whatever its file is called, and
 * which schemas check it. Everything that asks "is this a manifest, and of which kind?" reads this table.
 *
 * Adding a kind: a row here, its schemas (schemas/*.schema.json, registered in schemas.ts) and its tests.
 *
 * No I/O and no schema is loaded here: the CLI's file discovery, the server's catalog scan and the extension read it too.
 */

interface KindRow<K extends string, S extends string> {
  /** The engine's name of the kind (`LintResult.kind`). */
  readonly kind: K;
  /** What users call it. */
  readonly displayName: string;
  /**
   * Its file name without extension. A file is of this kind when its name is `<stem>.yaml` or `<stem>.yml`, alone or
   * after a prefix ending in '.' or '-' (`api.paved.yaml`, `x-paved.yaml`), in any case (`Paved.YML`).
   */
  readonly fileStem: string;
  /** apiVersion prefixes that make a document of this kind in any YAML file. */
  readonly apiVersionPrefixes: readonly string[];
  /** The schemas that check it (schemas.ts: `SchemaId`). */
  readonly schemas: readonly S[];
  /** The schema for one document, from its apiVersion and `kind:` values (either may be missing or of any type). */
  schemaFor(apiVersion: unknown, entityKind: unknown): S;
  /** Whether the local platform takes these files into its catalog (services and Backstage entities). */
  readonly catalog: boolean;
}

const row = <K extends string, S extends string>(r: KindRow<K, S>): KindRow<K, S> => r;

/** Backstage entity kinds with a schema of their own; any other kind is checked against the base entity schema. */
export const BACKSTAGE_KINDS = ['Component', 'API', 'System', 'Domain', 'Resource', 'Group', 'User', 'Template', 'Location'] as const;
const BACKSTAGE_SCHEMAS = [
  'backstage-entity',
  'backstage-component',
  'backstage-api',
  'backstage-system',
  'backstage-domain',
  'backstage-resource',
  'backstage-group',
  'backstage-user',
  'backstage-template',
  'backstage-location',
] as const;

export const MANIFEST_KINDS = [
  row({
    kind: 'paved',
    displayName: 'Paved manifest',
    fileStem: 'paved',
    apiVersionPrefixes: ['paved.dev/'],
    schemas: ['paved.v1', 'paved.v1alpha1'],
    schemaFor: (apiVersion) => (apiVersion === 'paved.dev/v1alpha1' ? 'paved.v1alpha1' : 'paved.v1'),
    catalog: true,
  }),
  row({
    kind: 'backstage',
    displayName: 'Backstage entity',
    fileStem: 'catalog-info',
    apiVersionPrefixes: ['backstage.io/', 'scaffolder.backstage.io/'],
    schemas: BACKSTAGE_SCHEMAS,
    schemaFor: (_apiVersion, entityKind) => {
      const i = (BACKSTAGE_KINDS as readonly unknown[]).indexOf(entityKind);
      return i < 0 ? 'backstage-entity' : BACKSTAGE_SCHEMAS[i + 1];
    },
    catalog: true,
  }),
  row({
    kind: 'score',
    displayName: 'Score workload',
    fileStem: 'score',
    apiVersionPrefixes: ['score.dev/'],
    schemas: ['score'],
    schemaFor: () => 'score',
    catalog: false,
  }),
] as const;

export type KnownManifestKind = (typeof MANIFEST_KINDS)[number]['kind'];
export type ManifestKind = KnownManifestKind | 'unknown';
/** Every schema a manifest kind uses. */
export type ManifestSchemaId = (typeof MANIFEST_KINDS)[number]['schemas'][number];
export type ManifestKindInfo = (typeof MANIFEST_KINDS)[number];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A base name that is a manifest: `<stem>.yaml|yml` at the start or after '.' or '-'; group 1 is the stem. */
const MANIFEST_FILE = new RegExp(`(?:^|[.-])(${MANIFEST_KINDS.map((k) => escapeRegExp(k.fileStem)).join('|')})\\.ya?ml$`, 'i');
const KIND_OF_STEM: Readonly<Record<string, KnownManifestKind>> = Object.fromEntries(MANIFEST_KINDS.map((k) => [k.fileStem, k.kind]));

/** The kind a file name implies (a path or a base name, '/' or '\' separated); 'unknown' for any other file. */
export function kindFromFileName(fileName: string): ManifestKind {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const m = MANIFEST_FILE.exec(base);
  return m === null ? 'unknown' : KIND_OF_STEM[m[1].toLowerCase()];
}

/** The kind an apiVersion value names; 'unknown' for anything else (also for a value that is not a string). */
export function kindFromApiVersion(apiVersion: unknown): ManifestKind {
  if (typeof apiVersion !== 'string') return 'unknown';
  for (const k of MANIFEST_KINDS) if (k.apiVersionPrefixes.some((p) => apiVersion.startsWith(p))) return k.kind;
  return 'unknown';
}

/** The table's row of a kind. */
export function manifestKind(kind: KnownManifestKind): ManifestKindInfo {
  return MANIFEST_KINDS.find((k) => k.kind === kind)!;
}

/** The kinds the local platform reads into its catalog. */
export const CATALOG_KINDS: ReadonlySet<ManifestKind> = new Set(MANIFEST_KINDS.filter((k) => k.catalog).map((k) => k.kind));

/** A top-level `apiVersion:` line of a manifest kind, quoted or not: what makes any YAML file a manifest by content. */
export const MANIFEST_API_VERSION_LINE = new RegExp(`^apiVersion:\\s*["']?(?:${MANIFEST_KINDS.flatMap((k) => k.apiVersionPrefixes).map(escapeRegExp).join('|')})`, 'm');

/** Folders no search for manifests enters: dependencies, version control, build output, Paved's own state, test output. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist', 'out', '.paved', '.vscode-test', 'test-results']);

/** Either case of each letter, as a glob character class (`[pP]`); other characters as they are. */
const anyCase = (s: string) => s.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);

/**
 * The glob (VS Code's `findFiles` and document-selector syntax) of the files of these kinds by name, in any folder: it
 * matches exactly the names `kindFromFileName` gives one of them (test/unit/core/manifest/kinds.test.ts holds both to
 * one list of names).
 */
export function manifestGlob(kinds: readonly KnownManifestKind[] = MANIFEST_KINDS.map((k) => k.kind)): string {
  const stems = MANIFEST_KINDS.filter((k) => kinds.includes(k.kind)).map((k) => anyCase(k.fileStem));
  return `**/{${stems.flatMap((stem) => ['', '*.', '*-'].flatMap((prefix) => ['yaml', 'yml'].map((ext) => `${prefix}${stem}.${anyCase(ext)}`))).join(',')}}`;
}

/** The glob of every manifest file (Lint All Manifests). */
export const MANIFEST_GLOB = manifestGlob();

/** The glob of the folders no search for manifests enters, for `findFiles`' exclude. */
export const SKIPPED_FOLDERS_GLOB = `**/{${[...SKIPPED_FOLDERS].join(',')}}/**`;
