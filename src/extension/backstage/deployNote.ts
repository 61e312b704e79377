import type { PlatformBackend, ServiceInfo } from '../../platform/backend';
import { PLATFORM_API_ANNOTATION, platformApiOf, type BackstageEntity } from '../../platform/backstage';

/**
 * Why the details of a service offer no Deploy (undefined when the backend deploys). Backstage has no deploy API: an
 * entity without the `paved.dev/platform-api` annotation cannot be deployed through Paved; an annotated one names the
 * Paved platform it deploys through.
 */
export function deployNoteFor(backend: Pick<PlatformBackend, 'displayName' | 'capabilities'>, service: Pick<ServiceInfo, 'manifest'>): string | undefined {
  if (backend.capabilities.deploy) return undefined;
  if (!backend.capabilities.deployDelegation) return `${backend.displayName} does not deploy services through Paved.`;
  const entity = service.manifest as unknown as BackstageEntity;
  const target = entity?.metadata ? platformApiOf(entity) : undefined;
  if (target) {
    return `Backstage has no deploy API. This entity deploys through the Paved platform at ${target.url} (service "${target.service}", annotation ${PLATFORM_API_ANNOTATION}): “Paved: Deploy” sends it there, with the token stored for that platform.`;
  }
  return `Backstage has no deploy API, so Paved offers no Deploy for this entity. Annotate it with "${PLATFORM_API_ANNOTATION}: https://…" to deploy it through a Paved platform.`;
}
