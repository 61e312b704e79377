import * as vscode from 'vscode';
import { describeError } from '../core/errors';

const SECRET_PATTERNS: RegExp[] = [
  /(authorization\s*[:=]\s*bearer\s+)[^\s"',]+/gi,
  /(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /((?:token|password|secret)["']?\s*[:=]\s*["']?)[^\s"',]+/gi,
];

/** Removes bearer tokens and obvious secrets from a log line. */
export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((acc, re) => acc.replace(re, '$1***'), text);
}

/** A logger tagged with a component name, writing to Paved's LogOutputChannel ("Developer: Set Log Level" applies). */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error, err?: unknown): void;
  child(component: string): Logger;
}

export function createLogger(channel: vscode.LogOutputChannel, component = 'paved'): Logger {
  const tag = (m: string) => `[${component}] ${redact(m)}`;
  return {
    trace: (m) => channel.trace(tag(m)),
    debug: (m) => channel.debug(tag(m)),
    info: (m) => channel.info(tag(m)),
    warn: (m) => channel.warn(tag(m)),
    error: (m, err) => {
      const base = typeof m === 'string' ? m : m.message;
      const detail = err instanceof Error ? `: ${err.stack ?? err.message}` : err !== undefined ? `: ${describeError(err)}` : '';
      channel.error(tag(base + detail));
    },
    child: (name) => createLogger(channel, `${component}/${name}`),
  };
}
