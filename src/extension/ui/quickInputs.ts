import * as vscode from 'vscode';
import { UserCancelledError } from '../../core/errors';

/** Returned by an input when the user pressed the Back button. */
export const BACK = Symbol('back');
export type Back = typeof BACK;

/** The answer, or UserCancelledError when the user pressed Back where there is nothing to go back to. */
export function notBack<T>(v: T | Back): T {
  if (v === BACK) throw new UserCancelledError();
  return v;
}

export interface StepPosition {
  title: string;
  /** 1-based step number and the total, shown as "2/4" in the title. */
  step?: number;
  totalSteps?: number;
  canGoBack: boolean;
}

export interface InputBoxRequest extends StepPosition {
  /** A stable id of what is asked (the field key, `folder`, ...): scripted inputs answer by it. */
  id: string;
  prompt: string;
  value: string;
  placeholder?: string;
  password?: boolean;
  /** Called as the user types; a message blocks accepting the value. */
  validate(text: string): string | undefined | Promise<string | undefined>;
}

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface QuickPickRequest<T> extends StepPosition {
  id: string;
  placeholder: string;
  /** Items, or a promise of them (the pick shows busy until they arrive). */
  items: PickItem<T>[] | Promise<PickItem<T>[]>;
  /** The item to highlight first. */
  active?: (item: PickItem<T>) => boolean;
  /** Text the user typed that matches no item becomes an item built by this (free input next to suggestions). */
  custom?: (text: string) => PickItem<T> | undefined;
}

/**
 * The primitive inputs the wizard steps use. The default shows real QuickPicks and InputBoxes; tests replace it
 * (PavedApi.testHooks) with scripted answers. Dismissing an input throws UserCancelledError.
 */
export interface QuickInputs {
  inputBox(request: InputBoxRequest): Promise<string | Back>;
  quickPick<T>(request: QuickPickRequest<T>): Promise<T | Back>;
  /** A modal question with buttons; undefined when dismissed. */
  confirm(message: string, detail: string, buttons: string[]): Promise<string | undefined>;
}

function titleOf(r: StepPosition): string {
  return r.step !== undefined && r.totalSteps !== undefined ? `${r.title} (${r.step}/${r.totalSteps})` : r.title;
}

/** The real thing: vscode.window.createInputBox / createQuickPick with a Back button and validation as you type. */
export class VsCodeQuickInputs implements QuickInputs {
  async inputBox(r: InputBoxRequest): Promise<string | Back> {
    const box = vscode.window.createInputBox();
    const subs: vscode.Disposable[] = [box];
    try {
      box.title = titleOf(r);
      box.prompt = r.prompt;
      box.value = r.value;
      box.placeholder = r.placeholder;
      box.password = r.password ?? false;
      box.ignoreFocusOut = true;
      box.buttons = r.canGoBack ? [vscode.QuickInputButtons.Back] : [];
      let generation = 0;
      const check = async (text: string): Promise<string | undefined> => {
        const mine = ++generation;
        const message = await r.validate(text);
        if (mine === generation) box.validationMessage = message;
        return message;
      };
      return await new Promise<string | Back>((resolve, reject) => {
        subs.push(
          box.onDidTriggerButton((b) => {
            if (b === vscode.QuickInputButtons.Back) resolve(BACK);
          }),
          box.onDidChangeValue((text) => void check(text)),
          box.onDidAccept(async () => {
            box.enabled = false;
            box.busy = true;
            const message = await check(box.value);
            box.enabled = true;
            box.busy = false;
            if (message === undefined) resolve(box.value);
          }),
          box.onDidHide(() => reject(new UserCancelledError())),
        );
        box.show();
        if (r.value !== '') void check(r.value);
      });
    } finally {
      subs.forEach((s) => s.dispose());
    }
  }

  async quickPick<T>(r: QuickPickRequest<T>): Promise<T | Back> {
    const pick = vscode.window.createQuickPick<PickItem<T>>();
    const subs: vscode.Disposable[] = [pick];
    try {
      pick.title = titleOf(r);
      pick.placeholder = r.placeholder;
      pick.ignoreFocusOut = true;
      pick.matchOnDescription = true;
      pick.matchOnDetail = true;
      pick.buttons = r.canGoBack ? [vscode.QuickInputButtons.Back] : [];
      let items: PickItem<T>[] = [];
      const setItems = (list: PickItem<T>[], typed: string) => {
        const extra = r.custom && typed.trim() !== '' && !list.some((i) => i.label === typed) ? r.custom(typed) : undefined;
        pick.items = extra ? [...list, extra] : list;
      };
      return await new Promise<T | Back>((resolve, reject) => {
        subs.push(
          pick.onDidTriggerButton((b) => {
            if (b === vscode.QuickInputButtons.Back) resolve(BACK);
          }),
          pick.onDidChangeValue((typed) => setItems(items, typed)),
          pick.onDidAccept(() => {
            const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
            if (chosen) resolve(chosen.value);
          }),
          pick.onDidHide(() => reject(new UserCancelledError())),
        );
        pick.busy = true;
        pick.show();
        Promise.resolve(r.items).then(
          (list) => {
            items = list;
            setItems(list, pick.value);
            const active = r.active ? list.find(r.active) : undefined;
            if (active) pick.activeItems = [active];
            pick.busy = false;
          },
          (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
        );
      });
    } finally {
      subs.forEach((s) => s.dispose());
    }
  }

  async confirm(message: string, detail: string, buttons: string[]): Promise<string | undefined> {
    return vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons);
  }
}
