import * as vscode from 'vscode';
import type { RunnerEvent } from '../runner/protocol';

export const PAVED_ID = 'paved-dev.paved';

/** Reports a measured value to the harness (printed with the results), or to the console on the electron route. */
export function reportMetric(name: string, value: number, unit: string): void {
  const report = (globalThis as { __pavedReport?: (e: RunnerEvent) => void }).__pavedReport;
  if (report) report({ type: 'metric', name, value, unit });
  else console.log(`metric ${name}: ${value} ${unit}`);
}

export function pavedExtension(): vscode.Extension<{ activationTimeMs: number; activationCpuMs?: number }> {
  const ext = vscode.extensions.getExtension<{ activationTimeMs: number; activationCpuMs?: number }>(PAVED_ID);
  if (!ext) throw new Error(`${PAVED_ID} is not installed in this extension host`);
  return ext;
}

/** Activates Paved (idempotent) and returns its API. */
export async function activatePaved(): Promise<{ activationTimeMs: number; activationCpuMs?: number }> {
  return pavedExtension().activate();
}

/** The commands Paved declares in its package.json. */
export function declaredCommands(): string[] {
  const pkg = pavedExtension().packageJSON as { contributes: { commands: { command: string }[] } };
  return pkg.contributes.commands.map((c) => c.command);
}

/** The view ids Paved declares in its package.json. */
export function declaredViews(): string[] {
  const pkg = pavedExtension().packageJSON as { contributes: { views: Record<string, { id: string }[]> } };
  return Object.values(pkg.contributes.views).flatMap((views) => views.map((v) => v.id));
}
