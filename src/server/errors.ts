/**
 * The local platform's errors that carry more than a message: field errors of a request (400) and the findings of a
 * policy refusal (422). Every other refusal is a plain PavedError (its code picks the status).
 */
import type { PolicyFinding, ProblemFieldError } from '../core/api/types';
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

/** A deployment or promotion the platform's policies refuse: the HTTP layer answers 422 `policy-violation` listing the findings. */
export class PolicyViolation extends PavedError {
  constructor(
    message: string,
    readonly findings: PolicyFinding[],
    readonly policySet: { name: string; version: string },
  ) {
    super('conflict', message);
  }
}
