import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { type KeyAttribute, TABLE_DEFINITION } from '../../shared/adapters/dynamodb/table-definition.ts';

/** DynamoDB actions on items, granted one by one instead of `grantReadWriteData`'s dozen. */
export type ItemAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/**
 * The plan store: the single table of docs/data-model.md, with the keys, indexes and TTL attribute of
 * the shared table definition (the same definition creates the local table).
 */
export class Data extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { partitionKey, sortKey, globalSecondaryIndexes, timeToLiveAttribute } = TABLE_DEFINITION;

    this.table = new TableV2(this, 'Table', {
      partitionKey: attribute(partitionKey),
      sortKey: attribute(sortKey),
      globalSecondaryIndexes: globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      })),
      timeToLiveAttribute,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Allows these actions on the table's items (not on its indexes). */
  grantItemActions(grantee: iam.IGrantable, actions: ItemAction[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: actions.map((action) => `dynamodb:${action}`),
      resourceArns: [this.table.tableArn],
    });
  }

  /** Allows Query on one global secondary index. */
  grantIndexQuery(grantee: iam.IGrantable, indexName: string): iam.Grant {
    if (!TABLE_DEFINITION.globalSecondaryIndexes.some((index) => index.indexName === indexName)) {
      throw new Error(`The table has no index ${indexName}`);
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.table.tableArn}/index/${indexName}`],
    });
  }
}

const ATTRIBUTE_TYPES = { S: AttributeType.STRING } as const;

function attribute({ name, type }: KeyAttribute) {
  return { name, type: ATTRIBUTE_TYPES[type] };
}
