/**
 * Paved's typed errors. Every error that can reach a user is a PavedError with a stable `code`, so callers branch
 * on `PavedError.is(err, 'cancelled')` instead of matching messages.
 */
export type PavedErrorCode =
  | 'cancelled'
  | 'invalid-input'
  | 'io'
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'invalid-response'
  | 'server-error'
  | 'timeout'
  | 'unsupported'
  | 'untrusted';

export class PavedError extends Error {
  readonly code: PavedErrorCode;
  /** Extra detail for the log (never shown in the notification). */
  readonly detail?: string;

  constructor(code: PavedErrorCode, message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PavedError';
    this.code = code;
    this.detail = options?.detail;
  }

  static is(err: unknown, code?: PavedErrorCode): err is PavedError {
    return err instanceof PavedError && (code === undefined || err.code === code);
  }
}

/** The user dismissed a prompt or pressed Cancel: never shown as an error. */
export class UserCancelledError extends PavedError {
  constructor(message = 'Cancelled') {
    super('cancelled', message);
    this.name = 'UserCancelledError';
  }
}

export function isCancellation(err: unknown): boolean {
  return PavedError.is(err, 'cancelled');
}

/** A readable one-line message for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
