/**
 * Deploys from Backstage: Backstage has no deploy API, so an entity annotated `paved.dev/platform-api: https://…`
 * deploys through that Paved Platform API (one client per URL, built by `pavedBackend` with its own token, never the
 * Backstage token). Remembers which platform owns each deployment so later calls about it go there.
 */
import type * as api from '../../core/api/types';
import type { CallOptions, DeploymentQuery, DeployDelegate, PlatformBackend, StreamOptions, WriteOptions } from '../backend';
import { unsupportedError } from '../errors';
import { safeHumanize } from './calls';
import { entityRefOf } from './entityRef';
import { platformApiOf } from './mapping';
import type { BackstageEntity } from './wire';

export class DeployDelegation {
  private readonly delegates = new Map<string, PlatformBackend>();
  private readonly deploymentOwners = new Map<string, PlatformBackend>();

  constructor(
    /** The entity a deploy names (the backend's `getEntity`). */
    private readonly getEntity: (ref: string, opts?: CallOptions) => Promise<BackstageEntity>,
    private readonly pavedBackend?: (url: string) => PlatformBackend,
  ) {}

  /** Disposes the Paved clients made so far. */
  dispose(): void {
    for (const d of this.delegates.values()) d.dispose();
    this.delegates.clear();
  }

  async deploy(service: string, request: api.CreateDeploymentRequest, opts?: WriteOptions): Promise<api.Deployment> {
    const d = await this.deployBackendFor(service, opts);
    return this.remember(await d.backend.deploy(d.service, request, opts), d.backend);
  }

  async rollback(service: string, request: api.RollbackRequest, opts?: WriteOptions): Promise<api.Deployment> {
    const d = await this.deployBackendFor(service, opts);
    return this.remember(await d.backend.rollback(d.service, request, opts), d.backend);
  }

  async promote(service: string, request: api.PromoteRequest, opts?: WriteOptions): Promise<api.Deployment> {
    const d = await this.deployBackendFor(service, opts);
    return this.remember(await d.backend.promote(d.service, request, opts), d.backend);
  }

  async listDeployments(service: string, query?: DeploymentQuery, opts?: CallOptions): Promise<api.Page<api.Deployment>> {
    const d = await this.deployBackendFor(service, opts);
    const page = await d.backend.listDeployments(d.service, query, opts);
    for (const dep of page.items) this.deploymentOwners.set(dep.id, d.backend);
    return page;
  }

  async getDeployment(id: string, opts?: CallOptions): Promise<api.Deployment> {
    return this.ownerOfDeployment(id).getDeployment(id, opts);
  }

  deploymentEvents(id: string, opts?: StreamOptions): AsyncIterable<api.DeploymentEvent> {
    return this.ownerOfDeployment(id).deploymentEvents(id, opts);
  }

  async cancelDeployment(id: string, opts?: CallOptions): Promise<api.Deployment> {
    return this.ownerOfDeployment(id).cancelDeployment(id, opts);
  }

  async deploymentLog(id: string, opts?: CallOptions): Promise<string> {
    return this.ownerOfDeployment(id).deploymentLog(id, opts);
  }

  private remember(dep: api.Deployment, backend: PlatformBackend): api.Deployment {
    this.deploymentOwners.set(dep.id, backend);
    return dep;
  }

  private ownerOfDeployment(id: string): PlatformBackend {
    const owner = this.deploymentOwners.get(id);
    if (!owner) {
      throw unsupportedError('Backstage', `follow deployment ${id}`, 'Backstage has no deployments; open the service and deploy through its Paved platform.');
    }
    return owner;
  }

  async deployBackendFor(ref: string, opts?: CallOptions): Promise<DeployDelegate> {
    const entity = await this.getEntity(ref, opts);
    const target = platformApiOf(entity);
    const shown = safeHumanize(entityRefOf(entity));
    if (!target) {
      throw unsupportedError(
        'Backstage',
        `deploy ${shown}`,
        `Backstage has no deploy API. Annotate the entity with "paved.dev/platform-api: https://…" to deploy it through a Paved platform.`,
      );
    }
    if (!this.pavedBackend) throw unsupportedError('This Paved client', `deploy ${shown} through ${target.url}`, 'No Paved platform client is configured.');
    return { backend: this.deployBackendAt(target.url), service: target.service, url: target.url };
  }

  deployBackendAt(url: string): PlatformBackend {
    if (!this.pavedBackend) throw unsupportedError('This Paved client', `deploy through ${url}`, 'No Paved platform client is configured.');
    let backend = this.delegates.get(url);
    if (!backend) {
      backend = this.pavedBackend(url);
      this.delegates.set(url, backend);
    }
    return backend;
  }
}
