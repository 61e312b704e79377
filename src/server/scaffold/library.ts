/**
 * The golden paths this platform serves: every published version of each, loaded from the template roots (built-in
 * first; of a duplicate id and version the first wins), listed by their newest version, and the one place a task's
 * template, version and values are resolved and checked. Versions are ordered as semantic versions (1.9 < 1.10).
 */
import type { Page, TemplateDetails, TemplateSummary, TemplateVersion } from '../../core/api/types';
import { pageSorted } from '../../core/catalog';
import { PavedError } from '../../core/errors';
import { applyDefaults, compareVersions, compileValuesCheck, parseVersion, type AdoptionTemplate, type ValuesCheck } from '../../core/templates';
import { InvalidRequest } from '../errors';
import { loadTemplates, type LoadedTemplate } from './templates';

export class TemplateLibrary {
  /** Template id → its versions, newest first. */
  private byId = new Map<string, LoadedTemplate[]>();
  /** Why a template directory was not loaded, one line each. */
  errors: string[] = [];
  /** Compiled parameter schemas, by `id@version` (dropped on reload). */
  private readonly checks = new Map<string, ValuesCheck>();

  constructor(
    private readonly roots: readonly string[],
    private readonly log: (line: string) => void,
  ) {}

  reload(): void {
    const { templates, errors } = loadTemplates(this.roots);
    this.byId = new Map();
    for (const t of templates) {
      const list = this.byId.get(t.id) ?? [];
      list.push(t);
      this.byId.set(t.id, list);
    }
    for (const list of this.byId.values()) list.sort((a, b) => compareVersions(b.version, a.version));
    this.errors = errors;
    this.checks.clear();
    for (const e of errors) this.log(`template: ${e}`);
  }

  /** The newest version of each golden path (a pre-release only when it has nothing else). */
  private newest(list: readonly LoadedTemplate[]): LoadedTemplate {
    return list.find((t) => parseVersion(t.version)!.prerelease.length === 0) ?? list[0];
  }

  list(limit: number, cursor?: string): Page<TemplateSummary> {
    const sorted = [...this.byId.values()].map((l) => this.newest(l)).sort((a, b) => (a.id < b.id ? -1 : 1));
    return pageSorted(sorted, (t) => t.id, { limit, cursor, map: summary });
  }

  /** Every golden path with its published versions (for adoption counts). */
  all(): AdoptionTemplate[] {
    return [...this.byId.values()].map((l) => ({ id: l[0].id, title: this.newest(l).title, versions: l.map((t) => t.version) }));
  }

  /** The golden path's versions, newest first, with what changed in each. */
  versions(id: string, limit: number, cursor?: string): Page<TemplateVersion> {
    const list = this.versionsOf(id);
    // Cursors are versions; a page continues after the version named (newest first).
    const start = cursor === undefined ? 0 : list.findIndex((t) => t.version === cursor) + 1;
    if (cursor !== undefined && start === 0) throw new PavedError('invalid-input', `the cursor ${JSON.stringify(cursor)} is not a version of ${id}`);
    const items = list.slice(start, start + limit);
    const page: Page<TemplateVersion> = {
      items: items.map((t) => ({ version: t.version, title: t.title, description: t.description, ...(t.changelog ? { changelog: t.changelog } : {}) })),
    };
    if (start + limit < list.length) page.nextCursor = items[items.length - 1].version;
    return page;
  }

  /** A golden path at `version`, or its newest version. */
  get(id: string, version?: string): TemplateDetails {
    const t = this.find(id, version, 'not-found');
    return { ...summary(t), parameters: t.parameters, files: t.files.map((f) => f.path), ...(t.changelog ? { changelog: t.changelog } : {}) };
  }

  /** The template a scaffold task renders: `id`, at `version` when one is asked for (any published one), else the newest. */
  resolve(id: string, version?: string): LoadedTemplate {
    return this.find(id, version, 'conflict');
  }

  private versionsOf(id: string): LoadedTemplate[] {
    const list = this.byId.get(id);
    if (!list) throw new PavedError('not-found', `no template '${id}'`);
    return list;
  }

  private find(id: string, version: string | undefined, missingVersion: 'not-found' | 'conflict'): LoadedTemplate {
    const list = this.versionsOf(id);
    if (version === undefined) return this.newest(list);
    const t = list.find((x) => x.version === version);
    if (!t) throw new PavedError(missingVersion, `template ${id} has no version ${version} (published: ${list.map((x) => x.version).join(', ')})`);
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
    throw new InvalidRequest(`values do not match the parameters of ${t.id} ${t.version}: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`, errors);
  }

  private check(t: LoadedTemplate): ValuesCheck {
    const key = `${t.id}@${t.version}`;
    let c = this.checks.get(key);
    if (!c) {
      c = compileValuesCheck(t.parameters);
      this.checks.set(key, c);
    }
    return c;
  }
}

function summary(t: LoadedTemplate): TemplateSummary {
  return { id: t.id, title: t.title, description: t.description, owner: t.owner, version: t.version, tags: t.tags };
}
