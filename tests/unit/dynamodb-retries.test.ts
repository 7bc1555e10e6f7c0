import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import {
  BatchWriteIncompleteError,
  DynamoPlanStore,
  RevisionConflictError,
} from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { UploadNotFoundError } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import type { Plan } from '../../shared/domain/plan.ts';
import { ADMIN_UPLOADER } from '../helpers/uploaders.ts';

/**
 * The retry rules of the plan store's write path, against a mocked client. Throttling of a whole
 * request (ProvisionedThroughputExceededException, ThrottlingException) is retried by the SDK's
 * standard retry mode inside `send`, which the mock replaces; what is tested here is the store's own
 * loops: UnprocessedItems of BatchWriteItem, and the cancellation reasons of the flip transaction.
 */

const TABLE = 'plans';
const SHA = 'ab'.repeat(32);
const PLAN_ID = 'test-2025-01-31';

/** 20 items of one dated action with one owner: 60 records, so three BatchWriteItem calls (25, 25, 10). */
const plan: Plan = {
  source: 'hmp-test.pdf',
  establishment: 'HMP Test',
  format: 'concerns-2023',
  inspection: null,
  reportPublished: '2025-01-31',
  planSubmitted: null,
  items: Array.from({ length: 20 }, (_, index) => ({
    ref: String(index + 1),
    kind: 'priority_concern' as const,
    addressee: null,
    section: null,
    text: `Concern ${index + 1}`,
    decision: null,
    actions: [{ text: 'Act', owners: ['Governor'], targets: [{ raw: 'June 2025', due: '2025-06-30' }] }],
  })),
  summary: null,
  warnings: [],
};
const input = { plan, uploadId: 'upload-1', contentSha256: SHA, storedAt: '2026-03-01T10:00:00.000Z', uploadedBy: ADMIN_UPLOADER };

const client = createDocumentClient({ region: 'eu-west-2' });
const dynamo = mockClient(client);
const sleep = vi.fn((_ms: number) => Promise.resolve());

function store(retry: { maxAttempts?: number; maxDelayMs?: number } = {}) {
  return new DynamoPlanStore({
    client,
    tableName: TABLE,
    retry: { baseDelayMs: 50, maxDelayMs: 5_000, maxAttempts: 8, ...retry, sleep, random: () => 1 },
  });
}

type Requests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];
const sortKeys = (requests: Requests) => requests.map((request) => request.PutRequest?.Item?.sk as string);

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function transactions(): TransactWriteCommandInput[] {
  return dynamo.commandCalls(TransactWriteCommand).map((call) => call.args[0].input);
}

/** A plan whose revision 1 is current and indexed; the content is new. */
function givenPlanAtRevision1() {
  dynamo.on(GetCommand, { Key: { pk: `CONTENT#${SHA}`, sk: 'CONTENT' } }).resolves({});
  dynamo
    .on(GetCommand, { Key: { pk: `PLAN#${PLAN_ID}`, sk: 'PLAN' } })
    .resolves({ Item: { currentRevision: 1, indexedRevision: 1 } });
  dynamo.on(PutCommand).resolves({});
  dynamo.on(BatchWriteCommand).resolves({});
  dynamo.on(TransactWriteCommand).resolves({});
  dynamo.on(QueryCommand).resolves({ Items: [] });
  dynamo.on(UpdateCommand).resolves({});
}

beforeEach(() => {
  dynamo.reset();
  sleep.mockClear();
});

describe('BatchWriteItem with UnprocessedItems', () => {
  it('sends the unprocessed part again after full-jitter waits of a growing bound, until all is written', async () => {
    givenPlanAtRevision1();
    const written: string[] = [];
    let call = 0;
    dynamo.on(BatchWriteCommand).callsFake((batch: BatchWriteCommandInput) => {
      const sent = batch.RequestItems![TABLE]!;
      call += 1;
      const unprocessed = call === 1 ? sent.slice(-5) : call === 2 ? sent.slice(-2) : [];
      written.push(...sortKeys(sent.slice(0, sent.length - unprocessed.length)));
      return unprocessed.length ? { UnprocessedItems: { [TABLE]: unprocessed } } : {};
    });

    expect(await store().storeRevision(input)).toEqual({ planId: PLAN_ID, revision: 2, created: true });

    const calls = dynamo
      .commandCalls(BatchWriteCommand)
      .map((batch) => sortKeys(batch.args[0].input.RequestItems![TABLE]!));
    expect(calls.slice(0, 5).map((keys) => keys.length)).toEqual([25, 5, 2, 25, 10]);
    expect(calls[1]).toEqual(calls[0]!.slice(-5));
    expect(calls[2]).toEqual(calls[0]!.slice(-2));
    expect(new Set(written).size).toBe(60);
    expect(written.filter((sk) => sk.startsWith('REV#000002#')).length).toBe(60);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100]);
  });

  it('gives up with a typed error after the last attempt, before anything became visible', async () => {
    givenPlanAtRevision1();
    dynamo.on(BatchWriteCommand).callsFake((batch: BatchWriteCommandInput) => ({
      UnprocessedItems: { [TABLE]: batch.RequestItems![TABLE]!.slice(-3) },
    }));

    const failure = store({ maxAttempts: 4, maxDelayMs: 120 }).storeRevision(input);
    await expect(failure).rejects.toThrow(BatchWriteIncompleteError);
    await expect(failure).rejects.toMatchObject({ unprocessed: 3, attempts: 4 });
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100, 120]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('the transaction that makes a revision current', () => {
  it('flips over the newer current revision when another writer’s revision became current first', async () => {
    givenPlanAtRevision1();
    dynamo
      .on(GetCommand, { Key: { pk: `PLAN#${PLAN_ID}`, sk: 'PLAN' } })
      .resolvesOnce({ Item: { currentRevision: 1, indexedRevision: 1 } })
      .resolves({ Item: { currentRevision: 2, indexedRevision: 1 } });
    dynamo.on(PutCommand, { Item: { sk: 'REV#000002#CLAIM' } }).rejects(conditionFailed());
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None', 'None'))
      .resolves({});

    expect(await store().storeRevision(input)).toEqual({ planId: PLAN_ID, revision: 3, created: true });

    const [first, second] = transactions().map((transaction) => transaction.TransactItems![0]!.Update!);
    expect(first).toMatchObject({
      ConditionExpression: 'currentRevision = :previous',
      ExpressionAttributeValues: { ':previous': 1 },
    });
    expect(second).toMatchObject({
      ConditionExpression: 'currentRevision = :previous',
      ExpressionAttributeValues: { ':previous': 2 },
    });
    expect(Object.values(second!.ExpressionAttributeValues!)).toContain(3);
    const queried = dynamo
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues![':prefix']);
    expect(queried).toEqual([
      'REV#000003#OWNER#',
      'REV#000003#DUE#',
      'REV#000001#OWNER#',
      'REV#000001#DUE#',
      'REV#000002#OWNER#',
      'REV#000002#DUE#',
    ]);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('keeps the revision as history, not current, when a higher-numbered one became current first', async () => {
    givenPlanAtRevision1();
    dynamo
      .on(GetCommand, { Key: { pk: `PLAN#${PLAN_ID}`, sk: 'PLAN' } })
      .resolvesOnce({ Item: { currentRevision: 1, indexedRevision: 1 } })
      .resolves({ Item: { currentRevision: 3, indexedRevision: 1 } });
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None', 'None'))
      .resolves({});

    expect(await store().storeRevision(input)).toEqual({ planId: PLAN_ID, revision: 2, created: true });

    const history = transactions()[1]!.TransactItems!;
    expect(history.map((item) => item.Put?.Item?.sk ?? item.Update?.Key?.sk)).toEqual([
      'REVISION#000002',
      'CONTENT',
      'UPLOAD',
    ]);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('waits and tries again when the transaction meets another one on the same records', async () => {
    givenPlanAtRevision1();
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('TransactionConflict', 'None', 'None', 'None'))
      .resolves({});

    expect(await store().storeRevision(input)).toEqual({ planId: PLAN_ID, revision: 2, created: true });
    expect(transactions()).toHaveLength(2);
    expect(transactions()[1]).toEqual(transactions()[0]);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50]);
  });

  it('gives up with a typed error when the contention does not end', async () => {
    givenPlanAtRevision1();
    dynamo.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None', 'None', 'None'));

    await expect(store({ maxAttempts: 3 }).storeRevision(input)).rejects.toThrow(RevisionConflictError);
    expect(transactions()).toHaveLength(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('answers with the stored revision when the same content was stored by another upload meanwhile', async () => {
    givenPlanAtRevision1();
    dynamo
      .on(GetCommand, { Key: { pk: `CONTENT#${SHA}`, sk: 'CONTENT' } })
      .resolvesOnce({})
      .resolves({ Item: { planId: PLAN_ID, revision: 2 } });
    dynamo
      .on(GetCommand, { Key: { pk: `PLAN#${PLAN_ID}`, sk: 'PLAN' } })
      .resolvesOnce({ Item: { currentRevision: 1, indexedRevision: 1 } })
      .resolves({ Item: { currentRevision: 2, indexedRevision: 2 } });
    dynamo.on(PutCommand, { Item: { sk: 'REV#000002#CLAIM' } }).rejects(conditionFailed());
    dynamo
      .on(TransactWriteCommand)
      .rejects(cancelled('ConditionalCheckFailed', 'None', 'ConditionalCheckFailed', 'None'));

    expect(await store().storeRevision(input)).toEqual({ planId: PLAN_ID, revision: 2, created: false });
    const marked = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(marked).toEqual([
      expect.objectContaining({
        Key: { pk: 'UPLOAD#upload-1', sk: 'UPLOAD' },
        ExpressionAttributeValues: expect.objectContaining({ ':planId': PLAN_ID, ':revision': 2 }),
      }),
    ]);
    expect(transactions()).toHaveLength(1);
  });

  it('reports a missing upload record instead of creating one', async () => {
    givenPlanAtRevision1();
    dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'None', 'ConditionalCheckFailed'));

    await expect(store().storeRevision(input)).rejects.toThrow(UploadNotFoundError);
  });
});
