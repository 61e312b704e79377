/** The scaffolder's operations: golden paths, and scaffold tasks with their events. */
import type { IdempotencyStore } from '../idempotency';
import { idempotent, pageLimit, type Routes } from '../routing';
import type { TemplateLibrary } from './library';
import type { ScaffoldTasks } from './tasks';

export function scaffoldRoutes(library: TemplateLibrary, tasks: ScaffoldTasks, idempotency: IdempotencyStore): Routes {
  return {
    listTemplates: (req) => ({ status: 200, body: library.list(pageLimit(req), req.query.cursor) }),
    getTemplate: (req) => ({ status: 200, body: library.get(req.path.id) }),
    createScaffoldTask: (req) => idempotent(idempotency, req, (id) => tasks.get(id), () => tasks.create(req.body), 201),
    getScaffoldTask: (req) => ({ status: 200, body: tasks.get(req.path.id) }),
    getScaffoldTaskEvents: (req) => ({ events: tasks.events(req.path.id) }),
  };
}
