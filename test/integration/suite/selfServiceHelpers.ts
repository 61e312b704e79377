/**
 * Scripted input for New Service / Deploy in the extension host: replaces the real QuickPick/InputBox (through
 * PavedApi.selfService.testHooks) with answers keyed by what is asked, and records what the user would have seen.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PavedApi } from '../../../src/extension/main';
import type { InputBoxRequest, PickItem, QuickInputs, QuickPickRequest } from '../../../src/extension/ui/quickInputs';
import { activatePaved } from './helpers';

export async function api(): Promise<PavedApi> {
  return (await activatePaved()) as unknown as PavedApi;
}

/**
 * Ends a suite that ran services on the local platform (it is detached on purpose and outlives the window):
 * Stop Local Platform stops it and every service it runs, then Start Local Platform starts a fresh one, as a user who
 * goes on working would — the next suite in the window finds a running platform, not the stop's hold.
 */
export async function restartLocalPlatform(p: PavedApi): Promise<void> {
  if (fs.existsSync(path.join(p.platform.localStateDir, 'serve.json'))) await vscode.commands.executeCommand('paved.stopLocalPlatform');
  await vscode.commands.executeCommand('paved.startLocalPlatform');
}

/**
 * One scripted answer:
 * - `type`: text typed into an input box, or into a pick (matched against item labels; unmatched → the custom item);
 * - `pick`: choose the item whose label contains this text;
 * - `accept`: accept the pre-filled value / the highlighted item;
 * - `back`: the Back button; `dismiss`: Escape.
 */
export type Answer = { type: string } | { pick: string } | { accept: true } | { back: true } | { dismiss: true } | { button: string };

export interface Asked {
  id: string;
  kind: 'input' | 'pick' | 'confirm';
  title?: string;
  /** Input box: the pre-filled value. Pick: the item labels. Confirm: the message. */
  shown: string | string[];
  /** Pick: the item descriptions, in the order of `shown`. */
  descriptions?: (string | undefined)[];
  /** Input box: every validation message seen while the scripted text was typed. */
  validation?: (string | undefined)[];
}

export class ScriptedInputs implements QuickInputs {
  readonly asked: Asked[] = [];
  private readonly queues = new Map<string, Answer[]>();

  constructor(
    private readonly hooks: PavedApi['selfService']['testHooks'],
    script: Record<string, Answer | Answer[]>,
  ) {
    for (const [id, a] of Object.entries(script)) this.queues.set(id, Array.isArray(a) ? [...a] : [a]);
  }

  private next(id: string): Answer {
    const q = this.queues.get(id);
    const a = q?.shift();
    if (!a) throw new Error(`no scripted answer left for "${id}" (asked so far: ${this.asked.map((x) => x.id).join(', ')})`);
    return a;
  }

  /** Answers that were never used (a test asserts this is empty). */
  unused(): string[] {
    return [...this.queues.entries()].filter(([, q]) => q.length > 0).map(([id, q]) => `${id}×${q.length}`);
  }

  async inputBox(r: InputBoxRequest): Promise<string | typeof this.hooks.BACK> {
    const asked: Asked = { id: r.id, kind: 'input', title: r.title, shown: r.value, validation: [] };
    this.asked.push(asked);
    const a = this.next(r.id);
    if ('back' in a) return this.hooks.BACK;
    if ('dismiss' in a) throw this.hooks.dismissed();
    const text = 'type' in a ? a.type : 'accept' in a ? r.value : undefined;
    if (text === undefined) throw new Error(`${r.id}: an input box cannot take ${JSON.stringify(a)}`);
    // Typing character by character, as the real input box validates on every change.
    for (let i = 1; i <= text.length; i++) asked.validation!.push(await r.validate(text.slice(0, i)));
    const final = await r.validate(text);
    if (final !== undefined) {
      // The real input box refuses to accept; the scripted user gives the next answer.
      return this.inputBox({ ...r, value: text });
    }
    return text;
  }

  async quickPick<T>(r: QuickPickRequest<T>): Promise<T | typeof this.hooks.BACK> {
    const items = await r.items;
    const selectable = items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator);
    this.asked.push({ id: r.id, kind: 'pick', title: r.title, shown: items.map((i) => i.label), descriptions: items.map((i) => i.description) });
    const a = this.next(r.id);
    if ('back' in a) return this.hooks.BACK;
    if ('dismiss' in a) throw this.hooks.dismissed();
    let chosen: PickItem<T> | undefined;
    if ('accept' in a) chosen = (r.active ? selectable.find(r.active) : undefined) ?? selectable[0];
    else if ('pick' in a) chosen = selectable.find((i) => i.label.includes(a.pick));
    else if ('type' in a) chosen = selectable.find((i) => i.label === a.type) ?? r.custom?.(a.type);
    assert.ok(chosen, `${r.id}: nothing to choose for ${JSON.stringify(a)} among ${JSON.stringify(items.map((i) => i.label))}`);
    return chosen.value;
  }

  async confirm(message: string, _detail: string, buttons: string[]): Promise<string | undefined> {
    this.asked.push({ id: 'confirm', kind: 'confirm', shown: message });
    const a = this.next('confirm');
    if ('dismiss' in a) return undefined;
    if ('button' in a) {
      assert.ok(buttons.includes(a.button), `confirm "${message}" has no button ${a.button} (${buttons.join(', ')})`);
      return a.button;
    }
    throw new Error(`confirm: cannot answer ${JSON.stringify(a)}`);
  }
}

/** Every file under dir, relative, sorted (symlinks shown as `-> target`). */
export function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p).split(path.sep).join('/');
      if (e.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(p)}`);
      else if (e.isDirectory()) walk(p);
      else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

/** Resolves with the first value an event delivers that matches. */
export function nextEvent<T>(event: (listener: (e: T) => void) => { dispose(): void }, match: (e: T) => boolean, timeoutMs = 60_000, what = 'event'): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const sub = event((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

/** Writes `<root>/<name>/paved.yaml` and opens it; resolves with the document once Paved has linted the opened version. */
export async function openLinted(paved: PavedApi, root: string, name: string, text: string): Promise<vscode.TextDocument> {
  const file = path.join(root, name, 'paved.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const uri = vscode.Uri.file(file);
  const linted = nextEvent(paved.manifests.onDidLint, (e) => e.uri.toString() === uri.toString() && e.version !== undefined, 60_000, `lint of ${name}`);
  const doc = await vscode.workspace.openTextDocument(uri);
  await linted;
  return doc;
}
