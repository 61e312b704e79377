/**
 * The operation table of the local platform: every contract operation (schemas/platform-api.yaml) → its handler,
 * joined from each room's routes. A new feature adds its room's routes here.
 */
import { identityProof } from '../core/api/identity';
import { catalogRoutes } from './catalog/routes';
import { deployRoutes } from './deploy/routes';
import { feedbackRoutes } from './feedback';
import { insightsRoutes } from './insights/routes';
import type { LocalPlatform } from './platform';
import { policyRoutes } from './policy/routes';
import { operationsRoutes } from './operations/routes';
import { joinRoutes, type Routes } from './routing';
import { resourceRoutes } from './resources/routes';
import { scaffoldRoutes } from './scaffold/routes';
import { schemaRoutes } from './schemas';

export interface RouteOptions {
  version: string;
  /** This start's instance id and tokens: `GET /v1/health?challenge=` answers with the proofs (core/api/identity.ts). */
  identity?: { instanceId: string; token: string; readOnlyToken?: string };
}

export function platformRoutes(p: LocalPlatform, opts: RouteOptions): Routes {
  const started = Date.now();
  return joinRoutes(
    {
      getHealth: (req) => {
        const body: Record<string, unknown> = { status: 'ok', version: opts.version, apiVersion: 'v1', platform: 'local', uptimeSeconds: Math.round((Date.now() - started) / 1000), runningServices: p.runningServices() };
        const { identity } = opts;
        if (identity) {
          body.instanceId = identity.instanceId;
          const challenge = req.query.challenge as string | undefined;
          if (challenge !== undefined) {
            body.proof = identityProof(identity.token, identity.instanceId, challenge);
            if (identity.readOnlyToken) body.readOnlyProof = identityProof(identity.readOnlyToken, identity.instanceId, challenge);
          }
        }
        return { status: 200, body };
      },
    },
    catalogRoutes(p.catalog, p.services),
    deployRoutes(p.deployments, p.environments, p.idempotency),
    scaffoldRoutes(p.templates, p.scaffold, p.idempotency, p.catalog),
    feedbackRoutes(p.feedback, p.idempotency),
    policyRoutes(p.policiesFile),
    operationsRoutes(p.operations, p.idempotency, (id) => p.deployments.get(id)),
    insightsRoutes(p.insights),
    schemaRoutes(),
    resourceRoutes(p.resources),
  );
}
