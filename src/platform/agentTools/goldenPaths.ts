/**
 * Golden paths as tools: list them, get one with its parameter schema, and scaffold a service from one — values
 * checked against that schema (src/core/wizard), files written by the scaffold flow the editor and `paved scaffold`
 * run (safe writer, all or nothing, inside the workspace; existing files are never touched by an agent).
 */
import * as path from 'node:path';
import { clean } from '../../core/cleanText';
import { PavedError } from '../../core/errors';
import { fieldsFromTemplate, initialValues, TemplateValidator, withoutUndefined } from '../../core/wizard';
import { allTemplates, scaffoldService } from '../selfService/scaffold';
import { checkGoldenPath } from '../selfService/upgrade';
import type { AgentTool } from './types';
import { displayPath, workspacePath } from './workspace';

export const listGoldenPaths: AgentTool<Record<string, never>> = {
  name: 'paved_list_golden_paths',
  title: 'List golden paths',
  referenceName: 'pavedGoldenPaths',
  description:
    "Lists the platform's golden paths: the service templates the platform team supports (id, version, title, owner, description, tags). Start every new service from one of these instead of copying another repository; then read its parameters with paved_get_golden_path and create it with paved_scaffold_service.",
  kind: 'read',
  idempotent: true,
  inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  outputSchema: { type: 'object', properties: { goldenPaths: { type: 'array', items: { type: 'object' } } }, required: ['goldenPaths'] },
  async run(ctx) {
    const backend = await ctx.backend();
    const all = await allTemplates(backend, { max: 500, signal: ctx.signal });
    const goldenPaths = all.map((t) => ({ id: clean(t.id), version: clean(t.version), title: clean(t.title), owner: clean(t.owner), description: clean(t.description), tags: t.tags.map(clean) }));
    return { summary: `${goldenPaths.length} golden path${goldenPaths.length === 1 ? '' : 's'}: ${goldenPaths.map((t) => t.id).join(', ')}.`, data: { goldenPaths } };
  },
};

export const getGoldenPath: AgentTool<{ id: string; version?: string }> = {
  name: 'paved_get_golden_path',
  title: 'Get a golden path',
  referenceName: 'pavedGoldenPath',
  description:
    'Gets one golden path with the JSON Schema of its parameters (which values paved_scaffold_service needs: required ones, types, patterns, enums, defaults) and the files it produces. Optionally a published version (default: the newest).',
  kind: 'read',
  idempotent: true,
  inputSchema: {
    type: 'object',
    properties: { id: { type: 'string', minLength: 1, description: 'Golden path id from paved_list_golden_paths.' }, version: { type: 'string', description: 'A published version (default: newest).' } },
    required: ['id'],
    additionalProperties: false,
  },
  outputSchema: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'string' }, parameters: { type: 'object' } }, required: ['id', 'version', 'parameters'] },
  async run(ctx, input) {
    const backend = await ctx.backend();
    const t = await backend.getTemplate(input.id, { signal: ctx.signal, ...(input.version ? { version: input.version } : {}) });
    const required = fieldsFromTemplate(t).filter((f) => f.required).map((f) => f.key);
    return {
      summary: clean(`${t.title} (${t.id} ${t.version}); required values: ${required.join(', ') || 'none'}.`),
      data: { id: clean(t.id), version: clean(t.version), title: clean(t.title), owner: clean(t.owner), description: clean(t.description), parameters: t.parameters, required, files: (t.files ?? []).map(clean), ...(t.changelog ? { changelog: clean(t.changelog) } : {}) },
    };
  },
};

interface ScaffoldToolInput {
  goldenPath: string;
  values: Record<string, unknown>;
  folder?: string;
  version?: string;
}

export const scaffoldServiceTool: AgentTool<ScaffoldToolInput> = {
  name: 'paved_scaffold_service',
  title: 'Create a service from a golden path',
  referenceName: 'pavedScaffold',
  description:
    "Creates a new service from a golden path into the workspace, the supported way (never copy another repository). Give the golden path's id and its parameter values (read them with paved_get_golden_path first; defaults fill the rest). The values are checked against the golden path's schema; the files are written all or nothing into folder (relative to the workspace; default: the service name) and the service is registered in the catalog so it can be deployed next. Files that already exist are never overwritten: the call fails and nothing is written. Returns the folder, the files written and the next steps.",
  kind: 'write',
  idempotent: false,
  inputSchema: {
    type: 'object',
    properties: {
      goldenPath: { type: 'string', minLength: 1, description: 'Golden path id, e.g. node-http-service.' },
      values: { type: 'object', description: "Parameter values by name, e.g. {\"name\": \"orders-api\", \"owner\": \"team-payments\"}.", additionalProperties: true },
      folder: { type: 'string', description: 'Target folder inside the workspace (default: the service name).' },
      version: { type: 'string', description: 'A published version of the golden path (default: newest).' },
    },
    required: ['goldenPath', 'values'],
    additionalProperties: false,
  },
  outputSchema: { type: 'object', properties: { folder: { type: 'string' }, written: { type: 'array', items: { type: 'string' } }, registered: { type: 'string' }, nextSteps: { type: 'array' } } },
  confirmation: (input) => ({
    title: 'Create a service',
    message: `Create ${typeof input.values?.name === 'string' ? input.values.name : 'a service'} from the golden path ${input.goldenPath} in ${input.folder ?? (typeof input.values?.name === 'string' ? input.values.name : 'a new folder')}`,
  }),
  async run(ctx, input) {
    const backend = await ctx.backend();
    const template = await backend.getTemplate(input.goldenPath, { signal: ctx.signal, ...(input.version ? { version: input.version } : {}) });
    const fields = fieldsFromTemplate(template);
    const unknown = Object.keys(input.values).filter((k) => !fields.some((f) => f.key === k));
    if (unknown.length > 0) throw new PavedError('invalid-input', `${template.id} has no parameter ${unknown.map((k) => JSON.stringify(k)).join(', ')}; its parameters are ${fields.map((f) => f.key).join(', ')}.`);
    const values = withoutUndefined(initialValues(fields, input.values));
    const problems = new TemplateValidator(template, fields).checkAll(values);
    if (problems.length > 0) throw new PavedError('invalid-input', `invalid values for ${template.id}: ${problems.join('; ')}`);
    const name = typeof values.name === 'string' ? values.name : template.id;
    const folder = workspacePath(ctx.workspaceFolders, input.folder ?? name, 'target folder');
    if (ctx.workspaceFolders.some((f) => path.resolve(f) === folder)) throw new PavedError('invalid-input', 'The target folder is a workspace folder itself: name a new folder inside it.');
    const result = await scaffoldService({ backend, signal: ctx.signal, log: ctx.log, prompts: { resolveConflicts: async () => 'refuse' } }, { template, values, folder });
    if (result.status === 'published') {
      const links = (result.outcome.links ?? []).map((l) => ({ title: l.title && clean(l.title), url: l.url && clean(l.url), entityRef: l.entityRef && clean(l.entityRef) }));
      return { summary: `The platform published ${name} itself (no files in the workspace).`, data: { published: true, links, ...(result.outcome.text ? { text: clean(result.outcome.text) } : {}) } };
    }
    const shown = displayPath(ctx.workspaceFolders, folder);
    if (result.status === 'conflicts') {
      throw new PavedError('conflict', `${result.conflicts.length} file(s) already exist in ${shown} (${result.conflicts.slice(0, 5).join(', ')}${result.conflicts.length > 5 ? ', …' : ''}); nothing was written. Choose another folder.`);
    }
    const { write, registered, outcome } = result;
    return {
      summary: `Created ${name} in ${shown}: ${write.written.length} file(s) written${registered ? `; registered ${registered.name} in the catalog` : ''}.`,
      data: { folder: shown, written: write.written, ...(registered ? { registered: registered.name } : {}), nextSteps: outcome.nextSteps.map(clean) },
    };
  },
};

export const checkGoldenPathTool: AgentTool<{ folder: string }> = {
  name: 'paved_check_golden_path',
  title: 'Check a service against its golden path',
  referenceName: 'pavedGoldenPathCheck',
  description:
    "Checks a service folder in the workspace against the golden path it was created from (its .paved/golden-path.yaml or metadata.goldenPath): the version it is on, the newest published one, whether an upgrade is available and each newer version's changelog. Upgrading is a person's step (Upgrade Golden Path… in VS Code, or `paved upgrade`).",
  kind: 'read',
  idempotent: true,
  inputSchema: {
    type: 'object',
    properties: { folder: { type: 'string', minLength: 1, description: 'The service folder, relative to the workspace (or absolute inside it).' } },
    required: ['folder'],
    additionalProperties: false,
  },
  outputSchema: { type: 'object', properties: { template: { type: 'string' }, current: { type: 'string' }, latest: { type: 'string' }, updateAvailable: { type: 'boolean' } }, required: ['template', 'current', 'updateAvailable'] },
  async run(ctx, input) {
    const folder = workspacePath(ctx.workspaceFolders, input.folder, 'service folder');
    const backend = await ctx.backend();
    const c = await checkGoldenPath({ backend, signal: ctx.signal, log: ctx.log }, folder);
    const shown = displayPath(ctx.workspaceFolders, folder);
    return {
      summary: clean(`${shown} is on ${c.template} ${c.current}${c.updateAvailable ? `; ${c.latest} is available` : c.latest ? ', the newest version' : ' (the platform does not know this golden path)'}.`),
      data: {
        folder: shown,
        template: clean(c.template),
        current: clean(c.current),
        ...(c.latest ? { latest: clean(c.latest) } : {}),
        updateAvailable: c.updateAvailable,
        hasAnswers: c.hasAnswers,
        newer: c.newer.map((v) => ({ version: clean(v.version), ...(v.changelog ? { changelog: clean(v.changelog) } : {}) })),
      },
    };
  },
};
