import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger } from './runtime.ts';

/** The event did not have the shape this function is subscribed to. */
export class InvalidEventError extends Error {
  constructor(readonly issues: string[]) {
    super(`The event does not have the expected shape: ${issues.join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

/**
 * Middy middleware: validates the raw event with a zod schema and hands the handler the parsed,
 * typed value. A malformed event throws, so the platform retries it and finally dead-letters it
 * where a person can look at it.
 */
export function parseEvent<Schema extends z.ZodType>(schema: Schema): MiddlewareObj<unknown> {
  return {
    before: (request) => {
      const parsed = schema.safeParse(request.event);
      if (!parsed.success) {
        throw new InvalidEventError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`));
      }
      request.event = parsed.data;
    },
  };
}

/**
 * A Lambda handler for one kind of event: the logger gets the invocation's context, the raw event
 * (typed as it arrives) is validated and parsed, and `handle` receives the parsed value.
 */
export function lambdaHandler<Schema extends z.ZodType, Result>(
  schema: Schema,
  handle: (event: z.output<Schema>, context: Context) => Promise<Result>,
) {
  return middy<z.input<Schema>, Result>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(parseEvent(schema))
    .handler((event, context) => handle(event as z.output<Schema>, context));
}
