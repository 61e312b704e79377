/**
 * Paved's built-in resource types: what the local platform provisions with no setup, and what linters know without a
 * platform. A platform team adds its own types with definition files (`paved serve --resources DIR`).
 */
import type { ResourceType, ResourceTypeCatalog } from './types';

export const POSTGRES_TYPE: ResourceType = {
  type: 'postgres',
  description: 'A PostgreSQL database. On the local platform: a real PostgreSQL 18 (PGlite) on a loopback port, its data kept under the state dir.',
  classes: [{ name: 'small', description: 'One PGlite process (about 330 MB of memory), data under the state dir.', default: true }],
  params: { type: 'object', additionalProperties: false, properties: {} },
  outputs: [
    { name: 'host', description: 'Host name or address to connect to.', secret: false },
    { name: 'port', description: 'TCP port.', secret: false },
    { name: 'database', description: 'Database name.', secret: false },
    { name: 'username', description: 'User to connect as.', secret: false },
    { name: 'password', description: "The user's password.", secret: true },
    { name: 'url', description: 'Connection URL with the credentials: postgresql://USER:PASSWORD@HOST:PORT/DATABASE.', secret: true },
  ],
  mainOutput: 'url',
  mainEnv: 'DATABASE_URL',
  driver: 'postgres',
  source: 'built-in',
};

export const VOLUME_TYPE: ResourceType = {
  type: 'volume',
  description: 'A persistent directory for one service in one environment; it survives redeploys and platform restarts.',
  classes: [{ name: 'standard', description: 'A directory under the state dir.', default: true }],
  params: { type: 'object', additionalProperties: false, properties: {} },
  outputs: [{ name: 'path', description: 'Absolute path of the directory.', secret: false }],
  mainOutput: 'path',
  mainEnv: 'DATA_DIR',
  driver: 'volume',
  source: 'built-in',
};

export const BUILTIN_TYPES: readonly ResourceType[] = [POSTGRES_TYPE, VOLUME_TYPE];

/** What a linter knows without a platform: the built-in types, not authoritative. */
export const BUILTIN_CATALOG: ResourceTypeCatalog = { types: BUILTIN_TYPES, authoritative: false };

/** The type's class a claim gets: `requested`, else the default class, else the first. */
export function classFor(t: ResourceType, requested: string | undefined): string | undefined {
  if (requested !== undefined) return t.classes.some((c) => c.name === requested) ? requested : undefined;
  return (t.classes.find((c) => c.default) ?? t.classes[0])?.name;
}
