/** The catalog's operations: services, their facets, teams, and the workspace folders clients attach. */
import { pageLimit, type Routes } from '../routing';
import type { LocalCatalog } from './localCatalog';
import type { ServiceViews } from './serviceViews';

export function catalogRoutes(catalog: LocalCatalog, services: ServiceViews): Routes {
  // Each read first brings the catalog up to date (a due rescan, waited for briefly: see LocalCatalog.current).
  return {
    listServices: async (req) => {
      await catalog.current();
      return { status: 200, body: services.list({ text: req.query.text, owner: req.query.owner, system: req.query.system, lifecycle: req.query.lifecycle, limit: pageLimit(req), cursor: req.query.cursor }) };
    },
    registerService: async (req) => {
      await catalog.current();
      const r = services.register(req.body);
      return { status: r.created ? 201 : 200, body: r.details, headers: { location: `/v1/services/${r.details.name}` } };
    },
    getServiceFacets: async () => {
      await catalog.current();
      return { status: 200, body: catalog.facets() };
    },
    getCatalogNames: async () => {
      await catalog.current();
      return { status: 200, body: catalog.names() };
    },
    getService: async (req) => {
      await catalog.current();
      return { status: 200, body: services.get(req.path.name) };
    },
    unregisterService: async (req) => {
      await services.unregister(req.path.name);
      return { status: 204 };
    },
    listTeams: async (req) => {
      await catalog.current();
      return { status: 200, body: catalog.listTeams(pageLimit(req), req.query.cursor) };
    },
    getTeam: async (req) => {
      await catalog.current();
      return { status: 200, body: catalog.getTeam(req.path.name) };
    },
    listWorkspaces: async () => ({ status: 200, body: { items: await catalog.listWorkspaces() } }),
    attachWorkspace: async (req) => ({ status: 200, body: await catalog.attachWorkspace(req.path.id, req.body) }),
    detachWorkspace: async (req) => {
      await catalog.detachWorkspace(req.path.id);
      return { status: 204 };
    },
  };
}
