import { BatchGetCommand, type BatchGetCommandInput, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { BatchReadIncompleteError, DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import type { Plan } from '../../shared/domain/plan.ts';
import { type Api, startApi } from '../api/api-harness.ts';
import { loadTruth } from '../helpers/fixtures.ts';

/**
 * `/actions` under index lag. The owner and due indexes are eventually consistent: for a moment
 * after a corrected revision becomes current they may still show the superseded revision's entries,
 * alongside the new ones or instead of them. DynamoDB Local updates its indexes at once, so the lag
 * is reproduced by putting back the superseded revision's entries exactly as the index held them
 * (read from the table before the correction was stored). Whatever the index shows, a list never
 * holds two revisions of one action, nor a superseded revision's entry, and paging still reaches
 * every current entry.
 */

const PLAN_ID = 'liverpool-2018-01-19';
const liverpool = loadTruth('hmp-liverpool-2018');
const longLartin = loadTruth('hmp-long-lartin-2023');
/** Revision 2: every action's text says it is the corrected one. */
const corrected: Plan = {
  ...liverpool,
  source: 'liverpool-2018-corrected.pdf',
  items: liverpool.items.map((item) => ({
    ...item,
    actions: item.actions.map((action) => ({ ...action, text: `${action.text} [corrected]` })),
  })),
};

const headOfResidenceActions = liverpool.items.flatMap((item) =>
  item.actions.filter((action) => action.owners.some((owner) => owner.replace(/\s+/g, ' ').trim().toLowerCase() === 'head of residence')),
).length;
const datedActions = liverpool.items.flatMap((item) => item.actions.filter((action) => action.targets.some((target) => target.due))).length;

let api: Api;
let viewer: string;
/** Revision 1's owner and due entries as the indexes held them while it was current. */
let revision1Entries: Record<string, unknown>[];

type Listed = { planId: string; itemOrdinal: number; actionOrdinal: number; text: string; owners: string[] };

/** Every page of a list, following the cursor to its end. */
async function everyPage(path: string): Promise<{ items: Listed[]; pages: number }> {
  const items: Listed[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const response = await api.request('GET', `${path}${cursor ? `&cursor=${cursor}` : ''}`, { token: viewer });
    expect(response.status, response.text).toBe(200);
    items.push(...(response.body.items as Listed[]));
    cursor = response.body.cursor as string | undefined;
    pages += 1;
  } while (cursor && pages < 500);
  return { items, pages };
}

const actionKey = (entry: Listed) => `${entry.planId}#${entry.itemOrdinal}#${entry.actionOrdinal}`;

async function indexedEntriesOf(planId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await api.client.send(
    new QueryCommand({
      TableName: api.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rev)',
      ExpressionAttributeValues: { ':pk': `PLAN#${planId}`, ':rev': 'REV#' },
      ConsistentRead: true,
    }),
  );
  return Items.filter((record) => record.gsi1pk !== undefined || record.gsi2pk !== undefined);
}

/** What a lagging index still shows: revision 1's entries with their index keys, beside revision 2's. */
async function indexStillShowsRevision1(): Promise<void> {
  for (const Item of revision1Entries) await api.client.send(new PutCommand({ TableName: api.tableName, Item }));
}

beforeAll(async () => {
  api = await startApi();
  await api.seedPlan(liverpool, '2026-01-10T10:00:00.000Z');
  await api.seedPlan(longLartin, '2026-01-10T10:00:00.000Z');
  revision1Entries = await indexedEntriesOf(PLAN_ID);
  expect(revision1Entries.length).toBeGreaterThan(100);
  expect(await api.seedPlan(corrected, '2026-01-12T10:00:00.000Z')).toMatchObject({ planId: PLAN_ID, revision: 2 });
  await indexStillShowsRevision1();
  viewer = await api.token('viewer');
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

describe('two revisions’ entries in the index at once', () => {
  it('the index really holds both (the lag is reproduced)', async () => {
    const revisions = new Set((await indexedEntriesOf(PLAN_ID)).map((record) => record.revision));
    expect([...revisions].sort()).toEqual([1, 2]);
  });

  it('/actions?owner= lists each current action once, never revision 1’s, over every page', async () => {
    for (const limit of [1, 7, 100]) {
      const { items } = await everyPage(`/actions?owner=Head%20of%20Residence&limit=${limit}`);
      const liverpoolItems = items.filter((entry) => entry.planId === PLAN_ID);
      expect(liverpoolItems.every((entry) => entry.text.endsWith('[corrected]')), `limit ${limit}`).toBe(true);
      expect(new Set(liverpoolItems.map(actionKey)).size, `limit ${limit}`).toBe(liverpoolItems.length);
      expect(liverpoolItems, `limit ${limit}`).toHaveLength(headOfResidenceActions);
    }
  });

  it('/actions?dueBefore= and overdue=true: the same', async () => {
    for (const path of ['/actions?dueBefore=2100-01-01&limit=25', '/actions?overdue=true&limit=25', '/actions?dueBefore=2100-01-01&format=csv&limit=100']) {
      if (path.includes('csv')) {
        const csv = await api.request('GET', path, { token: viewer });
        expect(csv.status).toBe(200);
        const rows = csv.text.split('\r\n').filter((row) => row.startsWith(PLAN_ID));
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((row) => row.includes('[corrected]'))).toBe(true);
        continue;
      }
      const { items } = await everyPage(path);
      const liverpoolItems = items.filter((entry) => entry.planId === PLAN_ID);
      expect(liverpoolItems.every((entry) => entry.text.endsWith('[corrected]')), path).toBe(true);
      expect(new Set(liverpoolItems.map(actionKey)).size, path).toBe(liverpoolItems.length);
      if (path.includes('dueBefore')) expect(liverpoolItems, path).toHaveLength(datedActions);
      // Another plan's entries are untouched by the filter.
      expect(items.some((entry) => entry.planId === 'long-lartin-2023-04-12'), path).toBe(true);
    }
  });

  it('the store’s own queries keep only the current revision, read consistently', async () => {
    const entries = [];
    let cursor: string | undefined;
    do {
      const page = await api.plans.listActionsDueBefore({ dueBefore: '2100-01-01', limit: 10, ...(cursor ? { cursor } : {}) });
      entries.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    const ofLiverpool = entries.filter((entry) => entry.planId === PLAN_ID);
    expect(new Set(ofLiverpool.map((entry) => entry.revision))).toEqual(new Set([2]));
    expect(ofLiverpool).toHaveLength(datedActions);
  });
});

describe('a revision made current whose entries the index does not show yet', () => {
  it('lists none of the superseded revisions’ entries meanwhile', async () => {
    // Revision 3 is current (the flip committed); the index still shows revisions 1 and 2 only.
    await api.client.send(
      new UpdateCommand({
        TableName: api.tableName,
        Key: { pk: `PLAN#${PLAN_ID}`, sk: 'PLAN' },
        UpdateExpression: 'SET currentRevision = :three',
        ExpressionAttributeValues: { ':three': 3 },
      }),
    );
    const { items } = await everyPage('/actions?owner=Head%20of%20Residence&limit=5');
    expect(items.filter((entry) => entry.planId === PLAN_ID)).toEqual([]);
    const due = await everyPage('/actions?dueBefore=2100-01-01&limit=50');
    expect(due.items.filter((entry) => entry.planId === PLAN_ID)).toEqual([]);
    expect(due.items.length).toBeGreaterThan(0);
  });

  it('every response matched its OpenAPI operation', () => {
    expect(api.contract.failures).toEqual([]);
  });
});

describe('reading the plans of a page (BatchGetItem, mocked)', () => {
  const TABLE = 'plans';
  const client = createDocumentClient({ region: 'eu-west-2' });
  const dynamo = mockClient(client);
  const sleep = vi.fn((_ms: number) => Promise.resolve());
  const store = (maxAttempts = 8) =>
    new DynamoPlanStore({ client, tableName: TABLE, retry: { baseDelayMs: 50, maxDelayMs: 5_000, maxAttempts, sleep, random: () => 1 } });
  const entry = (planId: string, revision: number, ordinal: number) => ({
    pk: `PLAN#${planId}`,
    sk: `REV#00000${revision}#DUE#${String(ordinal).padStart(4, '0')}#01`,
    gsi2pk: 'DUE',
    gsi2sk: `2025-01-01#${planId}#${String(ordinal).padStart(4, '0')}#01`,
    planId,
    revision,
    establishment: null,
    establishmentId: null,
    itemRef: String(ordinal),
    itemKind: 'recommendation',
    itemOrdinal: ordinal,
    actionOrdinal: 1,
    text: `action ${ordinal} of revision ${revision}`,
    owners: [],
    targets: [],
    due: '2025-01-01',
  });

  it('asks again for the unprocessed keys after a backoff, with consistent reads, and keeps the current entries', async () => {
    dynamo.reset();
    sleep.mockClear();
    dynamo.on(QueryCommand).resolves({ Items: [entry('a-1', 1, 1), entry('a-1', 2, 1), entry('b-2', 4, 1), entry('c-3', 1, 2)] });
    let call = 0;
    dynamo.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
      call += 1;
      const { Keys = [], ConsistentRead } = input.RequestItems![TABLE]!;
      expect(ConsistentRead).toBe(true);
      const plans = { 'PLAN#a-1': 2, 'PLAN#b-2': 4, 'PLAN#c-3': 2 } as Record<string, number>;
      const answered = call === 1 ? Keys.slice(0, 1) : Keys;
      const unprocessed = call === 1 ? Keys.slice(1) : [];
      return {
        Responses: { [TABLE]: answered.map((key) => ({ planId: (key.pk as string).slice(5), currentRevision: plans[key.pk as string] })) },
        ...(unprocessed.length ? { UnprocessedKeys: { [TABLE]: { Keys: unprocessed } } } : {}),
      };
    });
    const page = await store().listActionsDueBefore({ dueBefore: '2026-01-01' });
    expect(page.items.map((item) => `${item.planId}@${item.revision}`)).toEqual(['a-1@2', 'b-2@4']);
    const calls = dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems![TABLE]!.Keys!.map((key) => key.pk));
    expect(calls).toEqual([['PLAN#a-1', 'PLAN#b-2', 'PLAN#c-3'], ['PLAN#b-2', 'PLAN#c-3']]);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(sleep).toHaveBeenCalledWith(50);
  });

  it('gives up with a typed error when keys stay unprocessed', async () => {
    dynamo.reset();
    sleep.mockClear();
    dynamo.on(QueryCommand).resolves({ Items: [entry('a-1', 1, 1)] });
    dynamo.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: input.RequestItems![TABLE]!.Keys } },
    }));
    await expect(store(3).listActionsDueBefore({ dueBefore: '2026-01-01' })).rejects.toBeInstanceOf(BatchReadIncompleteError);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(3);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100]);
  });

  it('sends no BatchGetItem for an empty page', async () => {
    dynamo.reset();
    dynamo.on(QueryCommand).resolves({ Items: [] });
    expect((await store().listActionsByOwner({ owner: 'Governor' })).items).toEqual([]);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(0);
  });
});
