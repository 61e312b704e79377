/**
 * One class per wizard step kind (the vscode-containers pattern): each turns a step of the pure WizardFlow
 * (src/core/wizard) into a QuickPick or InputBox through the injectable QuickInputs.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TemplateSummary } from '../../core/api/types';
import { formatFieldValue, type FieldOption, type ReviewAction, type TemplateValidator, type WizardField, type WizardStep } from '../../core/wizard';
import { BACK, type Back, type PickItem, type QuickInputs } from '../ui/quickInputs';

/** Catalog entities offered for reference fields. */
export interface ReferenceSource {
  teams(): Promise<FieldOption[]>;
  systems(): Promise<FieldOption[]>;
}

export interface StepContext {
  inputs: QuickInputs;
  validator: TemplateValidator;
  references: ReferenceSource;
  /** Wizard title, e.g. "New Service: Node.js HTTP service". */
  title: string;
}

type FieldStepState = Extract<WizardStep, { type: 'field' }>;

function position(ctx: StepContext, s: { index: number; total: number }, canGoBack: boolean) {
  return s.index >= 0 ? { title: ctx.title, step: s.index + 1, totalSteps: s.total, canGoBack } : { title: ctx.title, canGoBack };
}

function prompt(field: WizardField): string {
  const parts = [field.description ?? field.title];
  if (!field.required) parts.push('(optional: leave empty to skip)');
  return parts.join(' ');
}

/** Asks one field; resolves to the value (undefined clears an optional field) or BACK. */
export abstract class FieldStep {
  constructor(readonly field: WizardField) {}
  abstract prompt(ctx: StepContext, state: FieldStepState, canGoBack: boolean): Promise<unknown>;
}

/** Free text; the schema (pattern, lengths, format) is checked as the user types. */
export class StringStep extends FieldStep {
  async prompt(ctx: StepContext, state: FieldStepState, canGoBack: boolean): Promise<unknown> {
    const answer = await ctx.inputs.inputBox({
      ...position(ctx, state, canGoBack),
      id: this.field.key,
      prompt: prompt(this.field),
      placeholder: this.field.pattern ? `${this.field.title} (${this.field.pattern})` : this.field.title,
      value: formatFieldValue(this.field, state.value),
      password: this.field.secret,
      validate: (text) => {
        const c = ctx.validator.checkText(this.field, text);
        return c.ok ? undefined : c.message;
      },
    });
    if (answer === BACK) return BACK;
    const c = ctx.validator.checkText(this.field, answer);
    return c.ok ? c.value : BACK;
  }
}

/** Numbers, JSON and comma-separated lists: typed as text, parsed and checked with the same validator. */
export class NumberStep extends StringStep {}
export class JsonStep extends StringStep {}
export class MultiStep extends StringStep {}

/** A QuickPick of fixed choices; an optional field also offers "(none)". */
abstract class ChoiceStep extends FieldStep {
  protected abstract choices(): PickItem<unknown>[];

  async prompt(ctx: StepContext, state: FieldStepState, canGoBack: boolean): Promise<unknown> {
    const items = this.choices();
    if (!this.field.required) items.push({ label: '(none)', description: 'leave unset', value: undefined });
    return ctx.inputs.quickPick({
      ...position(ctx, state, canGoBack),
      id: this.field.key,
      placeholder: prompt(this.field),
      items,
      active: (i) => i.value === state.value,
    });
  }
}

/** The enum's values. */
export class EnumStep extends ChoiceStep {
  protected choices(): PickItem<unknown>[] {
    return (this.field.options ?? []).map((o) => ({ label: o.label, description: o.label !== String(o.value) ? String(o.value) : undefined, value: o.value }));
  }
}

/** Yes / No. */
export class BooleanStep extends ChoiceStep {
  protected choices(): PickItem<unknown>[] {
    return [
      { label: 'Yes', value: true },
      { label: 'No', value: false },
    ];
  }
}

/** Teams or systems from the catalog; a name typed that is not in the list is accepted when it passes the schema. */
export class ReferenceStep extends FieldStep {
  async prompt(ctx: StepContext, state: FieldStepState, canGoBack: boolean): Promise<unknown> {
    const source = this.field.reference === 'system' ? ctx.references.systems() : ctx.references.teams();
    const items = source.then((opts) => {
      const list: PickItem<unknown>[] = opts.map((o) => ({ label: o.label, description: o.description, value: o.value }));
      if (typeof state.value === 'string' && !opts.some((o) => o.value === state.value)) list.unshift({ label: state.value, description: 'current value', value: state.value });
      if (!this.field.required) list.push({ label: '(none)', description: 'leave unset', value: undefined });
      return list;
    });
    return ctx.inputs.quickPick({
      ...position(ctx, state, canGoBack),
      id: this.field.key,
      placeholder: `${prompt(this.field)} — pick from the catalog or type a name`,
      items,
      active: (i) => i.value === state.value,
      custom: (text) => {
        const c = ctx.validator.checkText(this.field, text);
        return c.ok ? { label: text, description: 'not in the catalog', value: c.value } : { label: text, description: `$(error) ${c.message}`, value: BACK };
      },
    });
  }
}

export function stepFor(field: WizardField): FieldStep {
  switch (field.kind) {
    case 'enum':
      return new EnumStep(field);
    case 'boolean':
      return new BooleanStep(field);
    case 'number':
      return new NumberStep(field);
    case 'reference':
      return new ReferenceStep(field);
    case 'multi':
      return new MultiStep(field);
    case 'json':
      return new JsonStep(field);
    default:
      return new StringStep(field);
  }
}

/** The target folder: absolute path, defaulting to workspace root / name. */
export class FolderStep {
  async prompt(ctx: StepContext, state: Extract<WizardStep, { type: 'folder' }>, canGoBack: boolean): Promise<string | Back> {
    return ctx.inputs.inputBox({
      ...position(ctx, state, canGoBack),
      id: 'folder',
      prompt: 'Folder to create the service in (absolute path; it must not exist or must be a folder)',
      value: state.value ?? '',
      validate: (text) => (text.trim() === '' ? 'Enter a folder' : path.isAbsolute(text.trim()) ? undefined : 'Enter an absolute path'),
    });
  }
}

export type ReviewChoice = { action: ReviewAction } | { edit: string };

/** Every value with its source; create (and deploy), or pick a value to change it. */
export class ReviewStep {
  async prompt(ctx: StepContext, state: Extract<WizardStep, { type: 'review' }>, canGoBack: boolean, canDeploy: boolean): Promise<ReviewChoice | Back> {
    const items: PickItem<ReviewChoice>[] = [];
    if (state.problems.length === 0) {
      if (canDeploy) items.push({ label: '$(rocket) Create and deploy to local', description: 'write the files, register the service, deploy it', value: { action: 'create-and-deploy' } });
      items.push({ label: '$(check) Create', description: 'write the files and register the service', value: { action: 'create' } });
    } else {
      for (const p of state.problems) items.push({ label: `$(error) ${p}`, value: { edit: /^[\w.-]+/.exec(p)?.[0] ?? '' } });
    }
    items.push({ label: 'Values', kind: vscode.QuickPickItemKind.Separator, value: { edit: '' } });
    for (const i of state.items) items.push({ label: `$(edit) ${i.label}`, description: i.value === '' ? '(not set)' : i.value, detail: i.required ? undefined : 'optional', value: { edit: i.key } });
    return ctx.inputs.quickPick({ title: ctx.title, canGoBack, id: 'review', placeholder: 'Review: create the service, or pick a value to change it', items });
  }
}

/** The golden path to start from: title, description, version and owner. */
export class TemplateStep {
  async prompt(inputs: QuickInputs, templates: Promise<TemplateSummary[]>): Promise<TemplateSummary | Back> {
    return inputs.quickPick({
      title: 'New Service',
      canGoBack: false,
      id: 'template',
      placeholder: 'Pick a golden path',
      items: templates.then((list) =>
        list.map((t) => ({ label: t.title, description: `v${t.version} · ${t.owner}`, detail: t.description, value: t })),
      ),
    });
  }
}
