import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput, KEY_ATTRIBUTE_NAMES, TABLE_DEFINITION } from './table-definition.ts';

export interface DynamoDbConfig {
  region: string;
  /** DynamoDB Local's address (`http://127.0.0.1:8000`); absent on AWS. */
  endpoint?: string;
}

/**
 * DynamoDB Local accepts any credentials, but keeps a separate set of tables per access key unless
 * started with `-sharedDb`, so every local client uses the same pair.
 */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The document client every DynamoDB adapter uses. Throttling and transient errors are retried by
 * the SDK's standard retry mode; `undefined` fields of a record are left out instead of failing.
 */
export function createDocumentClient(config: DynamoDbConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient(
    config.endpoint
      ? { region: config.region, endpoint: config.endpoint, credentials: LOCAL_CREDENTIALS }
      : { region: config.region },
  );
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Creates the table with its indexes and TTL, and waits until it is active (local set-up, tests). */
export async function createTable(client: DynamoDBDocumentClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
    }),
  );
}

/** The attribute naming what kind of record an item is (`Upload`, `Plan`, `Item`…), for people reading the table. */
export const ENTITY_ATTRIBUTE = 'entity';

/** A record's own data: the item without its table and index keys and its entity name. */
export function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const data = { ...item };
  for (const name of [...KEY_ATTRIBUTE_NAMES, ENTITY_ATTRIBUTE]) delete data[name];
  return data;
}
