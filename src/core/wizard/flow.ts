/**
 * Navigation of the scaffold wizard as a pure state machine: which step comes next, what Back does, and what the
 * review page shows. The editor drives it with real QuickPicks/InputBoxes; tests drive it directly.
 *
 * Steps: every field that still needs an answer (required without a value, or every field when `askAll`), then
 * the target folder when it has no default, then a review page. The review lists every value and lets the user edit any field (the edit
 * returns to the review), change the folder, create, or create and deploy. Back from the first step leaves the
 * flow (`exitedBack`), so the caller can show the template list again.
 */
import { PavedError } from '../errors';
import { formatFieldValue, initialValues, TemplateValidator, withoutUndefined, type WizardField } from './fields';

/** `index` is the 0-based position among the asked steps, -1 for a step opened from the review (not numbered). */
export type WizardStep =
  | { type: 'field'; field: WizardField; value: unknown; index: number; total: number }
  | { type: 'folder'; value: string | undefined; index: number; total: number }
  | { type: 'review'; items: ReviewItem[]; problems: string[] };

export type ReviewAction = 'create' | 'create-and-deploy';

export interface ReviewItem {
  /** Field key, or `folder`. */
  key: string;
  label: string;
  value: string;
  required: boolean;
}

export type FlowState = 'asking' | 'done' | 'exited-back';

export interface FlowOptions {
  /** Ask every field, not only the required ones without a value. */
  askAll?: boolean;
  /** Default target folder shown in the folder step (e.g. workspace root / name); may depend on the values. */
  defaultFolder?: (values: Readonly<Record<string, unknown>>) => string | undefined;
  /** Skip the folder step (backends that do not write files). */
  noFolder?: boolean;
}

type Position = { type: 'field'; key: string } | { type: 'folder' } | { type: 'review' };

export class WizardFlow {
  readonly values: Record<string, unknown>;
  folder: string | undefined;
  private folderChosen = false;
  private readonly validator: TemplateValidator;
  private readonly plan: Position[];
  /** Positions visited, for Back. */
  private readonly history: Position[] = [];
  private pos: Position;
  private stateValue: FlowState = 'asking';
  private actionValue: ReviewAction | undefined;

  constructor(
    readonly fields: readonly WizardField[],
    validator: TemplateValidator,
    given: Readonly<Record<string, unknown>> = {},
    private readonly options: FlowOptions = {},
  ) {
    this.validator = validator;
    this.values = initialValues(fields, given);
    const asked = fields.filter((f) => options.askAll || (f.required && this.values[f.key] === undefined));
    // The folder is asked only when there is no default for it (no workspace folder) or with askAll; otherwise the
    // review shows the default (workspace root / name) and the user can change it there.
    const askFolder = !options.noFolder && (options.askAll === true || options.defaultFolder === undefined);
    this.plan = [...asked.map((f): Position => ({ type: 'field', key: f.key })), ...(askFolder ? [{ type: 'folder' } as Position] : []), { type: 'review' }];
    this.pos = this.plan[0]!;
  }

  get state(): FlowState {
    return this.stateValue;
  }

  /** What the review page chose; set when `state === 'done'`. */
  get action(): ReviewAction | undefined {
    return this.actionValue;
  }

  private field(key: string): WizardField {
    const f = this.fields.find((x) => x.key === key);
    if (!f) throw new PavedError('invalid-input', `no parameter named ${key}`);
    return f;
  }

  private suggestedFolder(): string | undefined {
    return this.folderChosen ? this.folder : (this.options.defaultFolder?.(this.values) ?? this.folder);
  }

  current(): WizardStep {
    const numbered = this.plan.filter((p) => p.type !== 'review');
    const index = numbered.findIndex((p) => samePos(p, this.pos));
    const total = numbered.length;
    switch (this.pos.type) {
      case 'field':
        return { type: 'field', field: this.field(this.pos.key), value: this.values[this.pos.key], index, total };
      case 'folder':
        return { type: 'folder', value: this.suggestedFolder(), index, total };
      default:
        return { type: 'review', items: this.reviewItems(), problems: this.problems() };
    }
  }

  /** The values as they would be sent: every problem the schema finds. */
  problems(): string[] {
    const p = this.validator.checkAll(this.values);
    if (!this.options.noFolder && !this.suggestedFolder()) p.push('folder: choose where to write the service');
    return p;
  }

  reviewItems(): ReviewItem[] {
    const items: ReviewItem[] = this.fields.map((f) => ({ key: f.key, label: f.title, value: formatFieldValue(f, this.values[f.key]), required: f.required }));
    if (!this.options.noFolder) items.push({ key: 'folder', label: 'Folder', value: this.suggestedFolder() ?? '', required: true });
    return items;
  }

  private go(next: Position): void {
    this.history.push(this.pos);
    this.pos = next;
  }

  private advance(): void {
    // An edit started from the review page returns to it.
    if (this.history.length > 0 && this.history[this.history.length - 1].type === 'review') {
      this.go({ type: 'review' });
      return;
    }
    const i = this.plan.findIndex((p) => samePos(p, this.pos));
    this.go(this.plan[i + 1] ?? { type: 'review' });
  }

  /** Answers the current field (the value already checked by the input) and moves on. */
  answerField(value: unknown): void {
    if (this.pos.type !== 'field') throw new PavedError('invalid-input', `the current step is ${this.pos.type}, not a field`);
    const field = this.field(this.pos.key);
    if (value === undefined) {
      if (field.required) throw new PavedError('invalid-input', `${field.title} is required`);
      delete this.values[field.key];
    } else {
      const check = this.validator.checkValue(field, value);
      if (!check.ok) throw new PavedError('invalid-input', check.message);
      this.values[field.key] = value;
    }
    this.advance();
  }

  answerFolder(folder: string): void {
    if (this.pos.type !== 'folder') throw new PavedError('invalid-input', `the current step is ${this.pos.type}, not the folder`);
    if (folder.trim() === '') throw new PavedError('invalid-input', 'the folder must not be empty');
    this.folder = folder;
    this.folderChosen = true;
    this.advance();
  }

  /** On the review page: edit one field (or `folder`); answering it returns to the review. */
  edit(key: string): void {
    if (this.pos.type !== 'review') throw new PavedError('invalid-input', 'edit is only possible from the review page');
    this.go(key === 'folder' ? { type: 'folder' } : { type: 'field', key: this.field(key).key });
  }

  /** On the review page: finish. Refused while the values have problems. */
  finish(action: ReviewAction): void {
    if (this.pos.type !== 'review') throw new PavedError('invalid-input', 'finish is only possible from the review page');
    const problems = this.problems();
    if (problems.length > 0) throw new PavedError('invalid-input', `the values are not valid: ${problems.join('; ')}`);
    if (!this.options.noFolder) this.folder = this.suggestedFolder();
    this.actionValue = action;
    this.stateValue = 'done';
  }

  /** Back: the previous step; from the first step, leaves the flow. */
  back(): void {
    const prev = this.history.pop();
    if (!prev) {
      this.stateValue = 'exited-back';
      return;
    }
    this.pos = prev;
  }

  /** The values to send: without unanswered optional fields. */
  result(): { values: Record<string, unknown>; folder: string | undefined; action: ReviewAction } {
    if (this.stateValue !== 'done' || !this.actionValue) throw new PavedError('invalid-input', 'the wizard is not finished');
    return { values: withoutUndefined(this.values), folder: this.folder, action: this.actionValue };
  }
}

function samePos(a: Position, b: Position): boolean {
  return a.type === b.type && (a.type !== 'field' || (b.type === 'field' && a.key === b.key));
}
