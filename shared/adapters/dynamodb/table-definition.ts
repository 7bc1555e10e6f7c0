import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one table of docs/data-model.md as plain data, read by the CDK stack (mapped to
 * `dynamodb.TableV2` props) and by `createTableInput` (DynamoDB Local, tests), so both build the
 * same keys and indexes.
 */

export interface KeyAttribute {
  name: string;
  /** DynamoDB's scalar type: every key of this table is a string. */
  type: 'S';
}

export interface GlobalSecondaryIndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  projection: 'ALL';
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  globalSecondaryIndexes: GlobalSecondaryIndexDefinition[];
  /** Epoch seconds; DynamoDB deletes a record some time after it passes. */
  timeToLiveAttribute: string;
}

export const GSI1 = 'gsi1';
export const GSI2 = 'gsi2';

export const TABLE_DEFINITION: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: GSI1,
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: GSI2,
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
      projection: 'ALL',
    },
  ],
  timeToLiveAttribute: 'expiresAt',
};

/** Every attribute that is a key of the table or of an index: not part of any record's data. */
export const KEY_ATTRIBUTE_NAMES: readonly string[] = [
  TABLE_DEFINITION.partitionKey.name,
  TABLE_DEFINITION.sortKey.name,
  ...TABLE_DEFINITION.globalSecondaryIndexes.flatMap((index) => [index.partitionKey.name, index.sortKey.name]),
];

/** CreateTable input for the table (on demand). TTL is set separately, with UpdateTimeToLive. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, globalSecondaryIndexes } = TABLE_DEFINITION;
  const keyAttributes = [
    partitionKey,
    sortKey,
    ...globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes.map(({ name, type }) => ({ AttributeName: name, AttributeType: type })),
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}
