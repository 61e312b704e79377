/**
 * Where a service deploys: the connected platform when it deploys (`capabilities.deploy`), else — for a catalog that
 * hands deployments off (`capabilities.deployDelegation`, Backstage) — the Paved platform its entry names, with that
 * platform's own token (asked for, or found configured, first). Never the catalog's token.
 */
import { PavedError } from '../../core/errors';
import type { CatalogService, PlatformBackend } from '../backend';
import type { DeployContext, FlowContext } from './context';

export interface DeployTarget {
  /** The platform the request goes to. */
  backend: PlatformBackend;
  /** The service's name there. */
  service: string;
  /** Set when handed off: the Paved platform URL as the catalog names it (recorded, to re-attach through it later). */
  via?: string;
}

/** Fails at once, saying so, when the connected platform neither deploys nor hands deployments off. */
export function assertDeploys(backend: PlatformBackend): void {
  const { deploy, deployDelegation } = backend.capabilities;
  if (!deploy && !(deployDelegation && backend.deployBackendFor)) {
    throw new PavedError('unsupported', `${backend.displayName} does not deploy services through Paved.`);
  }
}

export async function deployTarget(ctx: DeployContext, service: string): Promise<DeployTarget> {
  const connected = ctx.backend;
  if (connected.capabilities.deploy) return { backend: connected, service };
  assertDeploys(connected);
  const d = await connected.deployBackendFor!(service, { signal: ctx.signal });
  await ctx.prompts.ensureToken(d.url, `${service} deploys through the Paved platform at ${d.url}.`);
  ctx.log?.(`${service} deploys through ${d.url} as "${d.service}"`);
  return { backend: d.backend, service: d.service, via: d.url };
}

/**
 * The services to offer when the user picks one (the first 500): all of them on a platform that deploys; on one that
 * hands off, those whose entry names a platform to deploy through. None of them: an error that says how to fix it.
 */
export async function deployableServices(ctx: FlowContext): Promise<CatalogService[]> {
  const { backend } = ctx;
  assertDeploys(backend);
  const page = await backend.listServices({ limit: 500 }, { signal: ctx.signal });
  if (backend.capabilities.deploy) return page.items;
  const deployable = page.items.filter((s) => s.deploysThrough !== undefined);
  if (deployable.length === 0 && page.items.length > 0) {
    throw new PavedError('unsupported', `${backend.displayName} has no deploy API and none of its first ${page.items.length} entities names a Paved platform to deploy through (annotation paved.dev/platform-api).`);
  }
  return deployable;
}
