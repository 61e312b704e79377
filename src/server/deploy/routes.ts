/** The deploy room's operations: environments, deployments (create, roll back, promote, cancel, events), metrics. */
import type { Environment } from '../../core/api/types';
import type { IdempotencyStore } from '../idempotency';
import { idempotent, pageLimit, type Routes } from '../routing';
import type { Deployments } from './deployments';

export function deployRoutes(deployments: Deployments, environments: readonly Environment[], idempotency: IdempotencyStore): Routes {
  const get = (id: string) => deployments.get(id);
  return {
    listEnvironments: () => ({ status: 200, body: { items: environments } }),
    listServiceDeployments: (req) => ({ status: 200, body: deployments.listOfService(req.path.name, req.query.environment, pageLimit(req), req.query.cursor) }),
    createDeployment: (req) => idempotent(idempotency, req, get, () => deployments.create(req.path.name, req.body), 202),
    rollbackService: (req) => idempotent(idempotency, req, get, () => deployments.rollback(req.path.name, req.body), 202),
    promoteService: (req) => idempotent(idempotency, req, get, () => deployments.promote(req.path.name, req.body), 202),
    getServiceMetrics: (req) => ({
      status: 200,
      body: deployments.serviceMetrics(req.path.name, (req.query.windowDays as number | undefined) ?? 30, (req.query.environment as string | undefined) ?? 'production'),
    }),
    listDeployments: (req) => ({
      status: 200,
      body: deployments.list({ service: req.query.service, environment: req.query.environment, active: req.query.active, limit: pageLimit(req), cursor: req.query.cursor }),
    }),
    getDeployment: (req) => ({ status: 200, body: get(req.path.id) }),
    getDeploymentEvents: (req) => ({ events: deployments.events(req.path.id) }),
    getDeploymentLog: (req) => ({ ...deployments.buildLog(req.path.id), type: 'text/plain; charset=utf-8' }),
    cancelDeployment: (req) => ({ status: 202, body: deployments.cancel(req.path.id) }),
  };
}
