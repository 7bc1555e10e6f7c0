import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { createDocumentClient } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';

/**
 * What every function shares, created once per execution environment (not per invocation): the
 * configuration read from the environment in one place, the logger, and the DynamoDB stores.
 */
export const logger = new Logger({ serviceName: 'inspection-action-plans' });

export function readEnvironment<Shape extends z.ZodRawShape>(shape: Shape): z.infer<z.ZodObject<Shape>> {
  const parsed = z.object(shape).safeParse(process.env);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`The function is misconfigured: check its environment (${missing})`);
  }
  return parsed.data;
}

export const baseEnvironment = {
  AWS_REGION: z.string().min(1),
  TABLE_NAME: z.string().min(1),
  /** Only for running against DynamoDB Local. */
  DYNAMODB_ENDPOINT: z.string().url().optional(),
};

export function dynamoStores(environment: { AWS_REGION: string; TABLE_NAME: string; DYNAMODB_ENDPOINT?: string | undefined }) {
  const client = createDocumentClient({
    region: environment.AWS_REGION,
    ...(environment.DYNAMODB_ENDPOINT ? { endpoint: environment.DYNAMODB_ENDPOINT } : {}),
  });
  return {
    uploads: new DynamoUploadStore({ client, tableName: environment.TABLE_NAME }),
    plans: new DynamoPlanStore({ client, tableName: environment.TABLE_NAME }),
  };
}
