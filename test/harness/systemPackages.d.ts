/** Types of systemPackages.js (plain JavaScript: it runs before `npm ci`). */
export type Purpose = 'start' | 'test';

export interface SystemPackage {
  name: string;
  why: string;
  for: Purpose[];
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr?: string;
  /** Set when the command could not be started (e.g. not installed). */
  error?: Error;
}

/** The machine, injected: the unit tests pass a scripted one. */
export interface System {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isRoot: () => boolean;
  run: (cmd: string, args: string[], extraEnv?: Record<string, string>) => RunResult;
  say: (line: string) => void;
}

export type InstallPlan = { kind: 'none' } | { kind: 'install'; commands: string[][] } | { kind: 'stop'; message: string };

export const SYSTEM_PACKAGES: readonly SystemPackage[];
export class SetupError extends Error {}
export function packagesFor(purpose: Purpose): string[];
export function missingPackages(names: string[], run: System['run']): string[] | undefined;
export function planInstall(missing: string[], facts: { isRoot: boolean; canSudo: boolean; command: string }): InstallPlan;
export function ensureSystemPackages(purpose: Purpose, sys: System): string[];
export function startRoute(env: NodeJS.ProcessEnv, onPath: (cmd: string) => boolean): string;
export function realSystem(): System;
