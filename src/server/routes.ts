/**
 * The operation table of the local platform: every contract operation (schemas/platform-api.yaml) → its handler,
 * joined from each room's routes. A new feature adds its room's routes here.
 */
import { catalogRoutes } from './catalog/routes';
import { deployRoutes } from './deploy/routes';
import { feedbackRoutes } from './feedback';
import { insightsRoutes } from './insights/routes';
import type { LocalPlatform } from './platform';
import { policyRoutes } from './policy/routes';
import { operationsRoutes } from './operations/routes';
import { joinRoutes, type Routes } from './routing';
import { scaffoldRoutes } from './scaffold/routes';
import { schemaRoutes } from './schemas';

export function platformRoutes(p: LocalPlatform, opts: { version: string }): Routes {
  const started = Date.now();
  return joinRoutes(
    {
      getHealth: () => ({
        status: 200,
        body: { status: 'ok', version: opts.version, apiVersion: 'v1', platform: 'local', uptimeSeconds: Math.round((Date.now() - started) / 1000), runningServices: p.runningServices() },
      }),
    },
    catalogRoutes(p.catalog, p.services),
    deployRoutes(p.deployments, p.environments, p.idempotency),
    scaffoldRoutes(p.templates, p.scaffold, p.idempotency, p.catalog),
    feedbackRoutes(p.feedback, p.idempotency),
    policyRoutes(p.policiesFile),
    operationsRoutes(p.operations, p.idempotency, (id) => p.deployments.get(id)),
    insightsRoutes(p.insights),
    schemaRoutes(),
  );
}
