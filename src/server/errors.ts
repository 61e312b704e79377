/**
 * The one request-level error of the local platform that carries field errors: the HTTP layer answers it with a 400
 * problem listing them. Every other refusal is a plain PavedError (its code picks the status).
 */
import type { ProblemFieldError } from '../core/api/types';
import { PavedError } from '../core/errors';

/** Thrown for request-level problems that carry field errors (400). */
export class InvalidRequest extends PavedError {
  constructor(
    message: string,
    readonly errors: ProblemFieldError[],
  ) {
    super('invalid-input', message);
  }
}
