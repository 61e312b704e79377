/** The resource room's operations: resource types, claims of every service, releasing a claim, revealing an output. */
import { pageLimit, type Routes } from '../routing';
import type { ResourceService } from './service';

export function resourceRoutes(resources: ResourceService): Routes {
  return {
    listResourceTypes: () => ({ status: 200, body: { items: resources.listTypes() } }),
    listClaims: (req) => ({
      status: 200,
      body: resources.list({ service: req.query.service, environment: req.query.environment, state: req.query.state, limit: pageLimit(req), cursor: req.query.cursor }),
    }),
    // Idempotent: releasing a claim released before answers the same.
    releaseClaim: async (req) => {
      await resources.release(req.path.name, req.query.environment, req.path.claim);
      return { status: 204 };
    },
    revealClaimOutput: (req) => ({ status: 200, body: resources.reveal(req.path.name, req.body.environment, req.path.claim, req.body.output) }),
  };
}
