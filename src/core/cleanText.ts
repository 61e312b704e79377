import { describeError, PavedError } from './errors';

/**
 * Text from a platform or a manifest made safe to show: control characters removed, so it cannot move a terminal's
 * cursor, recolour it, or smuggle escape sequences into what a model reads. Used by the CLI and the AI-agent tools.
 */
export function clean(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/**
 * An error as every face tells it: its message and (for a PavedError) its detail, both cleaned. The CLI prints
 * `paved CMD: message` and `(detail)`; an agent tool returns the same two lines with the error's code.
 */
export function errorText(err: unknown): { message: string; detail?: string } {
  const message = clean(describeError(err));
  return PavedError.is(err) && err.detail ? { message, detail: clean(err.detail) } : { message };
}
