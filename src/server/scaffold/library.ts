/**
 * The golden paths this platform serves: loaded from the template roots (built-in first; the first of a duplicate id
 * wins), listed and described, and the one place a task's template and values are resolved and checked.
 */
import type { Page, TemplateDetails, TemplateSummary } from '../../core/api/types';
import { pageSorted } from '../../core/catalog';
import { PavedError } from '../../core/errors';
import { applyDefaults, compileValuesCheck, type ValuesCheck } from '../../core/templates';
import { InvalidRequest } from '../errors';
import { loadTemplates, type LoadedTemplate } from './templates';

export class TemplateLibrary {
  private templates: LoadedTemplate[] = [];
  /** Why a template directory was not loaded, one line each. */
  errors: string[] = [];
  /** Compiled parameter schemas, by template id (dropped on reload). */
  private readonly checks = new Map<string, ValuesCheck>();

  constructor(
    private readonly roots: readonly string[],
    private readonly log: (line: string) => void,
  ) {}

  reload(): void {
    const { templates, errors } = loadTemplates(this.roots);
    this.templates = templates;
    this.errors = errors;
    this.checks.clear();
    for (const e of errors) this.log(`template: ${e}`);
  }

  list(limit: number, cursor?: string): Page<TemplateSummary> {
    const sorted = [...this.templates].sort((a, b) => (a.id < b.id ? -1 : 1));
    return pageSorted(sorted, (t) => t.id, {
      limit,
      cursor,
      map: (t) => ({ id: t.id, title: t.title, description: t.description, owner: t.owner, version: t.version, tags: t.tags }),
    });
  }

  get(id: string): TemplateDetails {
    const t = this.templates.find((x) => x.id === id);
    if (!t) throw new PavedError('not-found', `no template '${id}'`);
    return { id: t.id, title: t.title, description: t.description, owner: t.owner, version: t.version, tags: t.tags, parameters: t.parameters, files: t.files.map((f) => f.path) };
  }

  /** The template a scaffold task renders: `id`, at `version` when one is asked for. */
  resolve(id: string, version?: string): LoadedTemplate {
    const t = this.templates.find((x) => x.id === id);
    if (!t) throw new PavedError('not-found', `no template '${id}'`);
    if (version !== undefined && version !== t.version) throw new PavedError('conflict', `template ${t.id} is at version ${t.version}, not ${version}`);
    return t;
  }

  /** `given` with the parameter defaults filled in, checked against the template's parameter schema. */
  values(t: LoadedTemplate, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const values = applyDefaults(t.parameters, given);
    const problems = this.check(t)(values);
    if (problems.length === 0) return values;
    const errors = problems.map(({ pointer, error }) => ({
      pointer: `/body/values${pointer}`,
      message: error.keyword === 'additionalProperties' ? 'is not a parameter of this template' : (error.message ?? 'is invalid'),
    }));
    throw new InvalidRequest(`values do not match the parameters of ${t.id}: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`, errors);
  }

  private check(t: LoadedTemplate): ValuesCheck {
    let c = this.checks.get(t.id);
    if (!c) {
      c = compileValuesCheck(t.parameters);
      this.checks.set(t.id, c);
    }
    return c;
  }
}
