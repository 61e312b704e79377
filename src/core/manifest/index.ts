/**
 * The manifest engine's public API: lint paved.yaml / catalog-info.yaml / score.yaml text with exact offsets,
 * parse a paved.yaml into a typed v1 manifest, migrate v1alpha1, and the helpers editors and the CLI need.
 */
export type {
  Severity,
  TextEdit,
  Fix,
  Finding,
  FindingSource,
  ManifestKind,
  LintContext,
  LintOptions,
  LintResult,
  PavedManifest,
  PavedManifestV1alpha1,
  Lifecycle,
  LinkType,
} from './types';
export { lint, parsePavedManifest, placeFindings, DEFAULT_MAX_SIZE } from './lint';
export { kindFromFileName, kindFromApiVersion, manifestKind, MANIFEST_KINDS, CATALOG_KINDS, MANIFEST_GLOB, manifestGlob, MANIFEST_API_VERSION_LINE, SKIPPED_FOLDERS, SKIPPED_FOLDERS_GLOB } from './kinds';
export type { KnownManifestKind, ManifestKindInfo } from './kinds';
export { lineColumn, LineIndex, applyEdits, eolOf } from './position';
export { parseYaml } from './parse';
export type { ParsedYaml } from './parse';
export type { YDoc, YMap, YNode, YPair, YScalar, YSeq } from './tree';
export { toPlain, locate, nodeAt } from './tree';
export { migrateObject, migrateText, V1, V1ALPHA1 } from './migrate';
export { SCHEMAS, BACKSTAGE_KINDS, subschema } from './schemas';
export type { SchemaId, JsonSchema } from './schemas';
export { didYouMean } from '../suggest';
export { completionsAt, hoverAt, pathAt } from './assist';
export type { CompletionItem, HoverInfo, ReferenceProvider } from './assist';
