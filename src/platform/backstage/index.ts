/**
 * The Backstage client: `createBackstageBackend` is what `createBackend` (src/platform/connection.ts) uses for
 * `kind: backstage`; the rest is exported for the extension (dry run, entity details, validate-entity, deploy target)
 * and tests.
 */
import type { BackendOptions, BackendTarget, PlatformBackend } from '../backend';
import { PavedApiBackend } from '../paved/backend';
import type { TokenProvider } from '../transport';
import { BackstageBackend } from './backend';

export { BackstageBackend } from './backend';
export type { BackstageBackendOptions, DryRunFile, DryRunRequest, DryRunResult, EntityDetails } from './backend';
export * from './entityRef';
export { CATALOG_KINDS, PLATFORM_API_ANNOTATION, PLATFORM_SERVICE_ANNOTATION, platformApiOf, toValidationError, type ResolvedRelation } from './mapping';
export { PAVED_SCHEMA_KEYWORDS, applyDefaults, stripAnsi } from './templateMapping';
export type { BackstageEntity, BackstageRelation } from './wire';

export interface BackstageFactoryExtras {
  /**
   * The token for a Paved Platform API an entity deploys through (`paved.dev/platform-api`). Never the Backstage
   * token. Default: no token (the Paved API then answers 401 and the user is asked to sign in to it).
   */
  pavedTokenFor?: (apiUrl: string) => TokenProvider;
}

/** The Backstage backend for a connection target; deploys of annotated entities go through `PavedApiBackend`. */
export function createBackstageBackend(target: BackendTarget, options: BackendOptions = {}, extras: BackstageFactoryExtras = {}): PlatformBackend {
  const { backstage: _b, packageRoot, ...transport } = options;
  return new BackstageBackend({
    ...transport,
    baseUrl: target.url,
    token: target.token,
    pavedBackend: (apiUrl) =>
      new PavedApiBackend({
        ...transport,
        kind: 'paved',
        baseUrl: apiUrl,
        token: extras.pavedTokenFor?.(apiUrl) ?? (async () => undefined),
        packageRoot,
      }),
  });
}
