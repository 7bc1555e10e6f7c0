/**
 * Typed errors of the query API's use-cases. Each says what went wrong for the caller; the HTTP
 * layer maps them to problem+json responses in one place (functions/lib/http-errors.ts).
 */

/** One problem with one input field, for a person to fix. */
export interface FieldIssue {
  /** Where: `body.actions[0].owners`, `query.limit`, `path.id`. */
  pointer: string;
  message: string;
}

export abstract class RequestError extends Error {
  abstract readonly kind: 'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'unprocessable';
}

/** The request is malformed: a parameter or body field has the wrong shape (400). */
export class InvalidRequestError extends RequestError {
  readonly kind = 'invalid';
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** No valid identity came with the request (401). */
export class UnauthenticatedError extends RequestError {
  readonly kind = 'unauthenticated';
  constructor(message = 'A valid bearer token is required') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** The caller is known but may not do this (403). */
export class ForbiddenError extends RequestError {
  readonly kind = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** What the request names does not exist (404). */
export class NotFoundError extends RequestError {
  readonly kind = 'not-found';
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The request is valid but clashes with the state of what it changes (409). */
export class ConflictError extends RequestError {
  readonly kind = 'conflict';
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The request is well-formed but its content makes no sense here (422). */
export class UnprocessableError extends RequestError {
  readonly kind = 'unprocessable';
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'UnprocessableError';
  }
}
