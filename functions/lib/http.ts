import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { z } from 'zod';
import type { Principal } from '../../shared/domain/access.ts';
import { MAX_PAGE_SIZE } from '../../shared/domain/cursor.ts';
import { type FieldIssue, InvalidRequestError } from '../../shared/domain/request-errors.ts';
import { type CsvTable, toCsv } from '../../shared/presentation/csv.ts';
import { problemOf, problemResponse } from './http-errors.ts';
import { type JwtClaims, principalFromClaims } from './principal.ts';
import { logger } from './runtime.ts';

/**
 * The HTTP plumbing of the query API's handlers (API Gateway HTTP API, payload format 2.0): parse
 * and validate path, query and body with zod, establish the principal from the JWT authorizer's
 * claims, call the handler, and turn its result into JSON or, when asked for and offered, CSV.
 * Errors become problem+json in http-errors.ts.
 */

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResponse = APIGatewayProxyStructuredResultV2;

export interface CsvExport {
  /** File name offered in Content-Disposition, without extension. */
  fileName: string;
  table: CsvTable;
  /** The next page's cursor, linked with rel="next". */
  cursor?: string;
}

export interface HttpResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Offered when the client asks for text/csv (Accept or ?format=csv). */
  csv?: () => CsvExport;
}

export interface HttpSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, A extends 'required' | 'none'> {
  path?: P;
  query?: Q;
  body?: B;
  auth: A;
  /** The route can answer in CSV; `format` is then taken out of the query before it is validated. */
  csv?: boolean;
}

export interface HttpInput<P, Q, B> {
  path: P;
  query: Q;
  body: B;
  event: ApiEvent;
}

/** Query parameters every paged list takes. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  cursor: z.string().min(1).max(2048).optional(),
};
export const isoDateParam = z.iso.date();

function issuesOf(where: 'path' | 'query' | 'body', error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    pointer: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

function parsePart<S extends z.ZodType>(schema: S | undefined, value: unknown, where: 'path' | 'query' | 'body'): z.output<S> {
  if (!schema) return undefined as z.output<S>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidRequestError(`The ${where} is not valid`, issuesOf(where, parsed.error));
  return parsed.data;
}

function header(event: ApiEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function bodyOf(event: ApiEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const type = header(event, 'content-type') ?? 'application/json';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new InvalidRequestError('The body must be JSON (Content-Type: application/json)');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError('The body is not valid JSON');
  }
}

/** CSV when `?format=csv`, or when Accept names text/csv before (or instead of) JSON. */
export function wantsCsv(event: ApiEvent): boolean {
  const format = event.queryStringParameters?.format;
  if (format !== undefined) return format.toLowerCase() === 'csv';
  const accept = (header(event, 'accept') ?? '').toLowerCase();
  const csv = accept.indexOf('text/csv');
  if (csv < 0) return false;
  const json = accept.search(/application\/(json|\*)|\*\/\*/);
  return json < 0 || csv < json;
}

function csvResponse(event: ApiEvent, exported: CsvExport): ApiResponse {
  const headers: Record<string, string> = {
    'content-type': 'text/csv; charset=utf-8; header=present',
    'content-disposition': `attachment; filename="${exported.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}.csv"`,
  };
  if (exported.cursor) {
    const query = new URLSearchParams(event.rawQueryString ?? '');
    query.set('cursor', exported.cursor);
    query.set('format', 'csv');
    headers.link = `<${event.rawPath}?${query.toString()}>; rel="next"`;
  }
  return { statusCode: 200, headers, body: toCsv(exported.table) };
}

/** Middy: any error becomes problem+json, logged as an error when it is not the caller's fault. */
function problemJson(): MiddlewareObj<ApiEvent, ApiResponse> {
  return {
    onError: (request) => {
      const value = problemOf(request.error, request.event.rawPath ?? '/');
      if (value.status >= 500) logger.error('request failed', { error: request.error });
      else logger.info('request refused', { status: value.status, detail: value.detail });
      request.response = problemResponse(value, { 'x-request-id': request.event.requestContext?.requestId ?? '' });
    },
  };
}

type PrincipalFor<A> = A extends 'required' ? Principal : null;

/**
 * A handler for one route. `handle` receives the validated input and, for `auth: 'required'`, the
 * principal (API Gateway's JWT authorizer has verified the token; the claims say who it is).
 */
export function httpHandler<
  A extends 'required' | 'none',
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(
  spec: HttpSpec<P, Q, B, A>,
  handle: (input: HttpInput<z.output<P>, z.output<Q>, z.output<B>>, principal: PrincipalFor<A>) => Promise<HttpResult>,
) {
  return middy<ApiEvent, ApiResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problemJson())
    .handler(async (event) => {
      logger.appendKeys({ route: event.routeKey, requestId: event.requestContext?.requestId });
      const principal = (
        spec.auth === 'required' ? principalFromClaims(event.requestContext?.authorizer?.jwt?.claims as JwtClaims | undefined) : null
      ) as PrincipalFor<A>;
      const csv = spec.csv === true && wantsCsv(event);
      const { format: _format, ...query } = event.queryStringParameters ?? {};
      const input = {
        path: parsePart(spec.path, event.pathParameters ?? {}, 'path'),
        query: parsePart(spec.query, spec.csv ? query : (event.queryStringParameters ?? {}), 'query'),
        body: parsePart(spec.body, spec.body ? bodyOf(event) : undefined, 'body'),
        event,
      };
      const result = await handle(input, principal);
      if (csv && result.csv) return csvResponse(event, result.csv());
      return {
        statusCode: result.status ?? 200,
        headers: { 'content-type': 'application/json', ...result.headers },
        body: result.body === undefined ? '' : JSON.stringify(result.body),
      };
    });
}
