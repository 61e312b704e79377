/** `GET /v1/schemas` and `GET /v1/schemas/{id}`: the JSON Schemas of the manifests, as shipped in `schemas/`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PavedError } from '../core/errors';
import { findAsset } from './assets';
import type { Routes } from './routing';

const SCHEMAS = [
  { id: 'paved.v1', fileName: 'paved.yaml', file: 'paved.v1.schema.json' },
  { id: 'paved.v1alpha1', fileName: 'paved.yaml', file: 'paved.v1alpha1.schema.json' },
  { id: 'score', fileName: 'score.yaml', file: 'score.schema.json' },
  { id: 'backstage-entity', fileName: 'catalog-info.yaml', file: 'backstage-entity.schema.json' },
  { id: 'policy-set', fileName: 'policies.yaml', file: 'policy-set.schema.json' },
];

export function schemaRoutes(): Routes {
  return {
    listSchemas: () => ({ status: 200, body: { items: SCHEMAS.map((s) => ({ id: s.id, fileName: s.fileName, url: `/v1/schemas/${s.id}` })) } }),
    getSchema: (req) => {
      const id = req.path.id as string;
      const s = SCHEMAS.find((x) => x.id === id);
      if (!s) throw new PavedError('not-found', `no schema '${id}' (known: ${SCHEMAS.map((x) => x.id).join(', ')})`);
      return { status: 200, body: JSON.parse(fs.readFileSync(findAsset(path.join('schemas', s.file)), 'utf8')), type: 'application/schema+json' };
    },
  };
}
