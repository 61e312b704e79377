/** The catalog's operations: services, their facets, teams, and the workspace folders clients attach. */
import { pageLimit, type Routes } from '../routing';
import type { LocalCatalog } from './localCatalog';
import type { ServiceViews } from './serviceViews';

export function catalogRoutes(catalog: LocalCatalog, services: ServiceViews): Routes {
  return {
    listServices: (req) => ({
      status: 200,
      body: services.list({ text: req.query.text, owner: req.query.owner, system: req.query.system, lifecycle: req.query.lifecycle, limit: pageLimit(req), cursor: req.query.cursor }),
    }),
    registerService: (req) => {
      const r = services.register(req.body);
      return { status: r.created ? 201 : 200, body: r.details, headers: { location: `/v1/services/${r.details.name}` } };
    },
    getServiceFacets: () => ({ status: 200, body: catalog.facets() }),
    getCatalogNames: () => ({ status: 200, body: catalog.names() }),
    getService: (req) => ({ status: 200, body: services.get(req.path.name) }),
    unregisterService: async (req) => {
      await services.unregister(req.path.name);
      return { status: 204 };
    },
    listTeams: (req) => ({ status: 200, body: catalog.listTeams(pageLimit(req), req.query.cursor) }),
    getTeam: (req) => ({ status: 200, body: catalog.getTeam(req.path.name) }),
    listWorkspaces: () => ({ status: 200, body: { items: catalog.listWorkspaces() } }),
    attachWorkspace: (req) => ({ status: 200, body: catalog.attachWorkspace(req.path.id, req.body) }),
    detachWorkspace: (req) => {
      catalog.detachWorkspace(req.path.id);
      return { status: 204 };
    },
  };
}
