import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type FieldIssue, RequestError } from '../../shared/domain/request-errors.ts';

/**
 * The one place errors become HTTP responses: problem+json (RFC 9457) with type, title, status,
 * detail and instance, plus `errors` (the fields at fault) for validation problems.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_PREFIX = 'urn:inspection-action-plans:problem:';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldIssue[];
}

const PROBLEMS = {
  invalid: { status: 400, slug: 'invalid-request', title: 'The request is not valid' },
  unauthenticated: { status: 401, slug: 'unauthenticated', title: 'Authentication is required' },
  forbidden: { status: 403, slug: 'forbidden', title: 'Not allowed' },
  'not-found': { status: 404, slug: 'not-found', title: 'Not found' },
  conflict: { status: 409, slug: 'conflict', title: 'Conflict with the current state' },
  'too-large': { status: 413, slug: 'too-large', title: 'The request body is too large' },
  unprocessable: { status: 422, slug: 'unprocessable', title: 'The request cannot be processed' },
  internal: { status: 500, slug: 'internal-error', title: 'Internal error' },
  unavailable: { status: 503, slug: 'unavailable', title: 'The service is unavailable for a moment' },
} as const;
export type ProblemKind = keyof typeof PROBLEMS;

export function problemTypeOf(kind: ProblemKind): string {
  return PROBLEM_TYPE_PREFIX + PROBLEMS[kind].slug;
}

export function problem(kind: ProblemKind, detail: string, instance: string, errors?: FieldIssue[]): Problem {
  const { status, title } = PROBLEMS[kind];
  return { type: problemTypeOf(kind), title, status, detail, instance, ...(errors?.length ? { errors } : {}) };
}

/** The problem an error stands for; anything not typed is a 500 whose detail reveals nothing. */
export function problemOf(error: unknown, instance: string): Problem {
  if (error instanceof RequestError) {
    const issues = 'issues' in error ? (error.issues as FieldIssue[]) : undefined;
    return problem(error.kind, error.message, instance, issues);
  }
  // The plan store's refusal of a limit, date or cursor it cannot use.
  if (error instanceof Error && error.name === 'InvalidQueryError') return problem('invalid', error.message, instance);
  return problem('internal', 'Something went wrong on our side; the request id identifies it in the logs', instance);
}

export function problemResponse(value: Problem, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: value.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(value),
  };
}
