import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { StoredPlanRef } from '../../ports/plan-store.ts';
import type { Upload, UploadRequest, UploadRequests, UploadStore } from '../../ports/upload-store.ts';
import { ENTITY_ATTRIBUTE, withoutKeys } from './dynamodb-client.ts';
import { GSI1, GSI2 } from './table-definition.ts';

export interface DynamoStoreConfig {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export class UploadNotFoundError extends Error {
  readonly uploadId: string;

  constructor(uploadId: string) {
    super(`No upload ${uploadId}`);
    this.name = 'UploadNotFoundError';
    this.uploadId = uploadId;
  }
}

function uploadKey(uploadId: string): { pk: string; sk: string } {
  return { pk: `UPLOAD#${uploadId}`, sk: 'UPLOAD' };
}

/**
 * GSI1 holds an upload while it is unfinished, oldest first, for the sweeper (and the local stack's
 * resume on start): queued under the time it was created, analysing under the time its analysis
 * started. The partition's name is older than queued uploads being in it, and is kept so the
 * records already stored stay found.
 */
const UNFINISHED = 'UPLOADS#analysing';
const unfinishedSortKey = (since: string, uploadId: string) => `${since}#${uploadId}`;

/** GSI2 holds every upload under its object key, newest first: how an upload request finds its upload. */
const objectKeyPartition = (key: string) => `OBJECT#${key}`;
const uploadRequestKey = (uploadId: string) => ({ pk: `UPLOAD_REQUEST#${uploadId}`, sk: 'UPLOAD_REQUEST' });
/** An upload request is kept this long after its URL expires (TTL), long enough to follow the upload. */
const UPLOAD_REQUEST_KEPT_SECONDS = 30 * 24 * 3600;

/**
 * The update that marks an upload parsed into a plan revision and takes it out of the analysing
 * index. The plan store runs it inside the transaction that makes the revision current.
 */
export function markParsedUpdate(
  tableName: string,
  uploadId: string,
  ref: StoredPlanRef,
  at: string,
): UpdateCommandInput & { UpdateExpression: string } {
  return {
    TableName: tableName,
    Key: uploadKey(uploadId),
    UpdateExpression:
      'SET #status = :parsed, planId = :planId, revision = :revision, updatedAt = :at ' +
      'REMOVE statusReason, gsi1pk, gsi1sk',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':parsed': 'parsed', ':planId': ref.planId, ':revision': ref.revision, ':at': at },
  };
}

export class DynamoUploadStore implements UploadStore, UploadRequests {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(config: DynamoStoreConfig) {
    this.client = config.client;
    this.tableName = config.tableName;
  }

  async create(upload: Upload): Promise<boolean> {
    const since = upload.status === 'analysing' ? upload.analysisStartedAt : upload.status === 'queued' ? upload.createdAt : undefined;
    const unfinished = since ? { gsi1pk: UNFINISHED, gsi1sk: unfinishedSortKey(since, upload.uploadId) } : {};
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...upload,
            ...uploadKey(upload.uploadId),
            ...unfinished,
            gsi2pk: objectKeyPartition(upload.object.key),
            gsi2sk: `${upload.createdAt}#${upload.uploadId}`,
            [ENTITY_ATTRIBUTE]: 'Upload',
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(uploadId: string): Promise<Upload | null> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: uploadKey(uploadId) }));
    return Item ? (withoutKeys(Item) as unknown as Upload) : null;
  }

  async markAnalysing(
    uploadId: string,
    fields: { contentSha256: string; analysisJobId: string; analysisStartedAt: string; pageCount?: number },
  ): Promise<void> {
    const pageCount = fields.pageCount === undefined ? '' : ', pageCount = :pageCount';
    await this.update(uploadId, {
      UpdateExpression:
        'SET #status = :analysing, contentSha256 = :sha, analysisJobId = :job, analysisStartedAt = :startedAt, ' +
        `updatedAt = :startedAt, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk${pageCount} REMOVE statusReason`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':analysing': 'analysing',
        ':sha': fields.contentSha256,
        ':job': fields.analysisJobId,
        ':startedAt': fields.analysisStartedAt,
        ':gsi1pk': UNFINISHED,
        ':gsi1sk': unfinishedSortKey(fields.analysisStartedAt, uploadId),
        ...(fields.pageCount === undefined ? {} : { ':pageCount': fields.pageCount }),
      },
    });
  }

  /** Progress counts only while analysing, and only forwards (a late report cannot move it back). */
  async recordAnalysisProgress(uploadId: string, pagesAnalysed: number, at: string): Promise<void> {
    await this.update(
      uploadId,
      {
        UpdateExpression: 'SET pagesAnalysed = :pages, updatedAt = :at',
        ConditionExpression: '#status = :analysing AND (attribute_not_exists(pagesAnalysed) OR pagesAnalysed < :pages)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pages': pagesAnalysed, ':at': at, ':analysing': 'analysing' },
      },
      { ignoreWhenExisting: true },
    );
  }

  /**
   * A parsed upload stays parsed: a failure reported late (the sweeper giving up on an analysis
   * that has just finished) does not overwrite it.
   */
  async markFailed(uploadId: string, reason: string, at: string): Promise<void> {
    await this.update(
      uploadId,
      {
        UpdateExpression: 'SET #status = :failed, statusReason = :reason, updatedAt = :at REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :parsed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed', ':parsed': 'parsed', ':reason': reason, ':at': at },
      },
      { ignoreWhenExisting: true },
    );
  }

  async listUnfinishedSince(before: string, limit: number): Promise<Upload[]> {
    const uploads: Upload[] = [];
    if (limit < 1) return uploads;
    let from: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :unfinished AND gsi1sk < :before',
          ExpressionAttributeValues: { ':unfinished': UNFINISHED, ':before': before },
          Limit: limit - uploads.length,
          ExclusiveStartKey: from,
        }),
      );
      uploads.push(...(page.Items ?? []).map((item) => withoutKeys(item) as unknown as Upload));
      from = page.LastEvaluatedKey;
    } while (from && uploads.length < limit);
    return uploads;
  }

  async createRequest(request: UploadRequest): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...request,
          ...uploadRequestKey(request.uploadId),
          [ENTITY_ATTRIBUTE]: 'UploadRequest',
          expiresAt: Math.floor(Date.parse(request.urlExpiresAt) / 1000) + UPLOAD_REQUEST_KEPT_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getRequest(uploadId: string): Promise<UploadRequest | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: uploadRequestKey(uploadId) }),
    );
    if (!Item) return null;
    const { expiresAt: _expiresAt, ...request } = withoutKeys(Item);
    return request as unknown as UploadRequest;
  }

  async findLatestUploadOf(key: string): Promise<Upload | null> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :object',
        ExpressionAttributeValues: { ':object': objectKeyPartition(key) },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = Items?.[0];
    return item ? (withoutKeys(item) as unknown as Upload) : null;
  }

  /**
   * Runs an update of an existing upload. Its condition failing means the upload does not exist,
   * unless `ignoreWhenExisting`: then the upload exists but is in a state the update must not touch.
   */
  private async update(
    uploadId: string,
    update: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
    { ignoreWhenExisting = false } = {},
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          ...update,
          TableName: this.tableName,
          Key: uploadKey(uploadId),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (ignoreWhenExisting && error.Item) return;
      throw new UploadNotFoundError(uploadId);
    }
  }
}
