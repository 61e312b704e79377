/** The scaffolder's operations: golden paths and their versions, adoption across the catalog, scaffold tasks. */
import { goldenPathAdoption, type AdoptionService } from '../../core/templates';
import type { IdempotencyStore } from '../idempotency';
import { idempotent, pageLimit, type Routes } from '../routing';
import type { TemplateLibrary } from './library';
import type { ScaffoldTasks } from './tasks';

/** What the adoption counts need of the catalog: every service with the golden path it records, once up to date. */
export interface AdoptionSource {
  current(): Promise<void>;
  entries(): Iterable<AdoptionService>;
}

export function scaffoldRoutes(library: TemplateLibrary, tasks: ScaffoldTasks, idempotency: IdempotencyStore, catalog: AdoptionSource): Routes {
  return {
    listTemplates: (req) => ({ status: 200, body: library.list(pageLimit(req), req.query.cursor) }),
    getTemplate: (req) => ({ status: 200, body: library.get(req.path.id, req.query.version) }),
    listTemplateVersions: (req) => ({ status: 200, body: library.versions(req.path.id, pageLimit(req), req.query.cursor) }),
    getGoldenPathAdoption: async (req) => {
      await catalog.current();
      return { status: 200, body: goldenPathAdoption(catalog.entries(), library.all(), { limit: req.query.limit as number | undefined }) };
    },
    createScaffoldTask: (req) => idempotent(idempotency, req, (id) => tasks.get(id), () => tasks.create(req.body), 201),
    getScaffoldTask: (req) => ({ status: 200, body: tasks.get(req.path.id) }),
    getScaffoldTaskEvents: (req) => ({ events: tasks.events(req.path.id) }),
  };
}
