import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local's address; each test file creates its own table there. */
    dynamodbEndpoint: string;
  }
}

/** One DynamoDB Local (in memory) for the whole test run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamoDb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamoDb.endpoint);
  return () => dynamoDb.stop();
}
