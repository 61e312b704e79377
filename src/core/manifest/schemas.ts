/**
 * The JSON Schemas (files under schemas/, bundled) and their ajv validators, compiled once on first use.
 */
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type Ajv2020 from 'ajv/dist/2020';
import pavedV1 from '../../../schemas/paved.v1.schema.json';
import pavedV1alpha1 from '../../../schemas/paved.v1alpha1.schema.json';
import backstageEntity from '../../../schemas/backstage-entity.schema.json';
import backstageComponent from '../../../schemas/backstage-component.schema.json';
import backstageApi from '../../../schemas/backstage-api.schema.json';
import backstageSystem from '../../../schemas/backstage-system.schema.json';
import backstageDomain from '../../../schemas/backstage-domain.schema.json';
import backstageResource from '../../../schemas/backstage-resource.schema.json';
import backstageGroup from '../../../schemas/backstage-group.schema.json';
import backstageUser from '../../../schemas/backstage-user.schema.json';
import backstageTemplate from '../../../schemas/backstage-template.schema.json';
import backstageLocation from '../../../schemas/backstage-location.schema.json';
import score from '../../../schemas/score.schema.json';
import { MANIFEST_AJV_OPTIONS, PRECOMPILED_MANIFEST } from './ajvOptions';
import { ajv2020, ajvDraft7, ajvFormats } from '../lazy';
import * as precompiled from './validators.generated';
import * as precompiledScore from './scoreValidator.generated';
import type { ManifestSchemaId } from './kinds';

export { BACKSTAGE_KINDS } from './kinds';

/** The schemas of the manifest kinds (kinds.ts): each needs its file under schemas/ and its entry in SCHEMAS. */
export type SchemaId = ManifestSchemaId;

export type JsonSchema = Record<string, any>;

export const SCHEMAS: Record<SchemaId, JsonSchema> = {
  'paved.v1': pavedV1,
  'paved.v1alpha1': pavedV1alpha1,
  'backstage-entity': backstageEntity,
  'backstage-component': backstageComponent,
  'backstage-api': backstageApi,
  'backstage-system': backstageSystem,
  'backstage-domain': backstageDomain,
  'backstage-resource': backstageResource,
  'backstage-group': backstageGroup,
  'backstage-user': backstageUser,
  'backstage-template': backstageTemplate,
  'backstage-location': backstageLocation,
  score,
};


let draft7: Ajv | undefined;
let draft2020: Ajv2020 | undefined;
const compiled = new Map<SchemaId, ValidateFunction>();

function ajvFor(id: SchemaId): Ajv | Ajv2020 {
  if (id === 'score') {
    draft2020 ??= ajvFormats()(new (ajv2020())(MANIFEST_AJV_OPTIONS));
    return draft2020;
  }
  draft7 ??= ajvFormats()(new (ajvDraft7())(MANIFEST_AJV_OPTIONS));
  return draft7;
}

const PRECOMPILED: Partial<Record<SchemaId, ValidateFunction>> = { score: (precompiledScore as unknown as Record<string, ValidateFunction>).score };
for (const [name, id] of Object.entries(PRECOMPILED_MANIFEST)) {
  const fn = (precompiled as unknown as Record<string, ValidateFunction | undefined>)[name];
  if (fn) PRECOMPILED[id as SchemaId] = fn;
}

/** The validator for a schema: the build-time one (npm run generate:manifests), or compiled now and kept. */
export function validator(id: SchemaId, options: { runtimeOnly?: boolean } = {}): ValidateFunction {
  let v = options.runtimeOnly ? undefined : (compiled.get(id) ?? PRECOMPILED[id]);
  if (!v) {
    v = ajvFor(id).compile(SCHEMAS[id]);
    if (!options.runtimeOnly) compiled.set(id, v);
  }
  return v;
}

/** The schema object a schemaPath (`#/properties/a/required`) points into, minus its last segment (the keyword). */
export function parentSchemaOf(root: JsonSchema, schemaPath: string): JsonSchema | undefined {
  const segs = schemaPath.replace(/^#\/?/, '').split('/').filter((s) => s !== '');
  segs.pop();
  let cur: any = root;
  for (const s of segs) {
    cur = cur?.[s.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (cur === undefined) return undefined;
  }
  return cur && typeof cur === 'object' ? (cur as JsonSchema) : undefined;
}

export function validate(id: SchemaId, data: unknown): ErrorObject[] {
  const v = validator(id);
  return v(data) ? [] : [...(v.errors ?? [])];
}

/** The subschema for a JSON path (object keys and array indexes) in a schema, following properties, items, $ref. */
export function subschema(root: JsonSchema, path: readonly string[]): JsonSchema | undefined {
  let s: JsonSchema | undefined = deref(root, root);
  for (const seg of path) {
    if (!s) return undefined;
    if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, seg)) s = s.properties[seg];
    else if (s.items && typeof s.items === 'object' && /^\d+$/.test(seg)) s = s.items;
    else if (s.additionalProperties && typeof s.additionalProperties === 'object' && !/^\d+$/.test(seg)) s = s.additionalProperties;
    else if (s.items && typeof s.items === 'object') s = s.items;
    else return undefined;
    s = deref(root, s);
  }
  return s;
}

export function deref(root: JsonSchema, s: JsonSchema | undefined): JsonSchema | undefined {
  let cur = s;
  for (let i = 0; i < 8 && cur && typeof cur.$ref === 'string' && cur.$ref.startsWith('#/'); i++) {
    let target: any = root;
    for (const seg of cur.$ref.slice(2).split('/')) target = target?.[seg];
    cur = target as JsonSchema | undefined;
  }
  return cur;
}
