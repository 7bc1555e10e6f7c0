import { createHash, randomUUID } from 'node:crypto';
import { BatchWriteCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import {
  type ActionEntry,
  derivePlanId,
  DynamoPlanStore,
  establishmentIdOf,
  InvalidQueryError,
  ownerKeyOf,
  type Page,
  type PageRequest,
} from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import type { Plan } from '../../shared/domain/plan.ts';
import type { StoredPlan } from '../../shared/ports/plan-store.ts';
import { ACTION_PLAN_FIXTURES, type ActionPlanFixture, loadTruth } from '../helpers/fixtures.ts';
import { ADMIN_UPLOADER } from '../helpers/uploaders.ts';

const client = createDocumentClient({ region: 'local', endpoint: inject('dynamodbEndpoint') });
afterAll(() => client.destroy());

/** A table of its own for each test, so counts and index queries see only what the test stored. */
async function freshTable(send?: typeof client.send) {
  const tableName = `plans-${randomUUID()}`;
  await createTable(client, tableName);
  const storeClient = send ? Object.assign(Object.create(client) as typeof client, { send }) : client;
  return {
    plans: new DynamoPlanStore({ client: storeClient, tableName }),
    uploads: new DynamoUploadStore({ client, tableName }),
    count: async () => (await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count ?? 0,
  };
}

type Stores = Awaited<ReturnType<typeof freshTable>>;

const sha256 = (plan: Plan) => createHash('sha256').update(JSON.stringify(plan)).digest('hex');

async function createUpload({ uploads }: Stores, plan: Plan, storedAt: string): Promise<string> {
  const uploadId = randomUUID();
  await uploads.create({
    uploadId,
    kind: 'plan',
    object: { bucket: 'uploads', key: `${uploadId}.pdf` },
    fileName: plan.source,
    sizeBytes: 1000,
    status: 'analysing',
    createdAt: storedAt,
    updatedAt: storedAt,
  });
  return uploadId;
}

/** Stores a plan as a fresh upload of it would be stored. */
async function store(stores: Stores, plan: Plan, storedAt = '2026-03-01T10:00:00.000Z') {
  const uploadId = await createUpload(stores, plan, storedAt);
  const result = await stores.plans.storeRevision({ plan, uploadId, contentSha256: sha256(plan), storedAt, uploadedBy: ADMIN_UPLOADER });
  return { ...result, uploadId };
}

function withoutItems({ items: _items, ...fields }: Plan) {
  return fields;
}

function planOf(stored: StoredPlan | null, items: Plan['items']): Plan {
  if (!stored) throw new Error('plan not stored');
  const {
    planId: _planId,
    establishmentId: _e,
    status: _status,
    format,
    currentRevision: _r,
    itemCount: _i,
    actionCount: _a,
    uploadedBy: _u,
    ...fields
  } = stored;
  if (format === null) throw new Error('a draft has no format');
  const { createdAt: _createdAt, updatedAt: _updatedAt, ...plan } = fields;
  return { ...plan, format, items };
}

/** Every page of a list, following the cursors. */
async function all<T>(
  list: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list({ limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.cursor;
    pages += 1;
  } while (cursor);
  return { items, pages };
}

const allActions = (plan: Plan) => plan.items.flatMap((item) => item.actions);
const datedActions = (plan: Plan) => allActions(plan).filter((action) => action.targets.some((target) => target.due));
const byDueThenPosition = (a: ActionEntry, b: ActionEntry) =>
  (a.due ?? '').localeCompare(b.due ?? '') ||
  a.planId.localeCompare(b.planId) ||
  a.itemOrdinal - b.itemOrdinal ||
  a.actionOrdinal - b.actionOrdinal;

/** The plan with every action of one owner handed to another: a corrected plan of the same inspection. */
function reassigned(plan: Plan, from: string, to: string): Plan {
  return {
    ...plan,
    items: plan.items.map((item) => ({
      ...item,
      actions: item.actions.map((action) => ({
        ...action,
        owners: action.owners.map((owner) => (owner === from ? to : owner)),
      })),
    })),
  };
}

describe('plan ids', () => {
  it('names an establishment without its designation, so all its plans share one id', () => {
    expect(establishmentIdOf('HMP Long Lartin')).toBe('long-lartin');
    expect(establishmentIdOf('HMP & YOI Doncaster')).toBe(establishmentIdOf('HMP Doncaster'));
    expect(establishmentIdOf('HMP/YOI Bristol')).toBe('bristol');
    expect(establishmentIdOf('HMYOI Cookham Wood')).toBe('cookham-wood');
    expect(establishmentIdOf("HMP King's Lynn")).toBe('kings-lynn');
    expect(establishmentIdOf('HMP Andover')).toBe('andover');
    expect(establishmentIdOf('Brook House IRC')).toBe('brook-house-irc');
    expect(establishmentIdOf(null)).toBeNull();
  });

  it('takes the report date, else the inspection, else the content hash', () => {
    const sha = 'AB'.repeat(32);
    const inspection = { from: '2022-12-05', to: '2022-12-16' };
    const named = { establishment: 'HMP Long Lartin', reportPublished: null, inspection: null };
    expect(derivePlanId({ ...named, reportPublished: '2023-04-12', inspection }, sha)).toBe('long-lartin-2023-04-12');
    expect(derivePlanId({ ...named, inspection }, sha)).toBe('long-lartin-inspected-2022-12-05');
    expect(derivePlanId(named, sha)).toBe('long-lartin-abababababababab');
    expect(derivePlanId({ ...named, establishment: null, reportPublished: '2023-04-12' }, sha)).toBe(
      'plan-abababababababab',
    );
  });

  it('keys an owner lower-cased with white space collapsed', () => {
    expect(ownerKeyOf(' Head of\u2028  Safety ')).toBe('head of safety');
  });
});

describe('DynamoPlanStore against DynamoDB Local', () => {
  it.each(ACTION_PLAN_FIXTURES)('stores %s and reads it back equal', async (fixture: ActionPlanFixture) => {
    const stores = await freshTable();
    const truth = loadTruth(fixture);
    const stored = await store(stores, truth, '2026-03-01T10:00:00.000Z');

    expect(stored).toMatchObject({ created: true, revision: 1 });
    const plan = await stores.plans.getPlan(stored.planId);
    expect(plan).toMatchObject({
      planId: stored.planId,
      currentRevision: 1,
      itemCount: truth.items.length,
      actionCount: allActions(truth).length,
      createdAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-03-01T10:00:00.000Z',
      uploadedBy: ADMIN_UPLOADER,
    });
    expect(planOf(plan, await stores.plans.listItems(stored.planId))).toEqual(truth);
    expect(await stores.uploads.get(stored.uploadId)).toMatchObject({
      status: 'parsed',
      planId: stored.planId,
      revision: 1,
    });
  });

  it('derives plan ids from the establishment and the report date', async () => {
    const stores = await freshTable();
    const liverpool = await store(stores, loadTruth('hmp-liverpool-2018'));
    const longLartin = await store(stores, loadTruth('hmp-long-lartin-2023'));
    expect(liverpool.planId).toBe('liverpool-2018-01-19');
    expect(longLartin.planId).toBe('long-lartin-2023-04-12');
    expect((await stores.plans.getPlan(longLartin.planId))?.establishmentId).toBe('long-lartin');
  });

  it('stores the same content twice only once', async () => {
    const stores = await freshTable();
    const truth = loadTruth('hmp-liverpool-2018');
    const first = await store(stores, truth);
    const records = await stores.count();

    const again = await store(stores, truth, '2026-03-02T10:00:00.000Z');
    expect(again).toMatchObject({ created: false, planId: first.planId, revision: 1 });
    expect(await stores.count()).toBe(records + 1); // the second upload's own record, nothing else
    expect(await stores.uploads.get(again.uploadId)).toMatchObject({
      status: 'parsed',
      planId: first.planId,
      revision: 1,
    });
    expect((await stores.plans.getPlan(first.planId))?.updatedAt).toBe('2026-03-01T10:00:00.000Z');
  });

  it('makes changed content of the same inspection revision 2, and the indexes follow it', async () => {
    const stores = await freshTable();
    const original = loadTruth('hmp-liverpool-2018');
    const corrected = reassigned(original, 'Deputy Governor', 'Head of Estates');
    const first = await store(stores, original);
    const second = await store(stores, corrected, '2026-04-01T10:00:00.000Z');

    expect(second).toMatchObject({ created: true, planId: first.planId, revision: 2 });
    const plan = await stores.plans.getPlan(first.planId);
    expect(plan).toMatchObject({
      currentRevision: 2,
      createdAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-04-01T10:00:00.000Z',
    });
    expect(await stores.plans.listItems(first.planId)).toEqual(corrected.items);
    expect(await stores.plans.listItems(first.planId, 1)).toEqual(original.items);
    const revisions = await stores.plans.listRevisions({ planId: first.planId });
    expect(revisions.items.map(({ revision, uploadId }) => ({ revision, uploadId }))).toEqual([
      { revision: 1, uploadId: first.uploadId },
      { revision: 2, uploadId: second.uploadId },
    ]);
    expect(revisions.items[0]).toMatchObject(withoutItems(original));

    expect((await stores.plans.listActionsByOwner({ owner: 'Deputy Governor' })).items).toEqual([]);
    const estates = await stores.plans.listActionsByOwner({ owner: 'head of  ESTATES' });
    expect(estates.items).toHaveLength(9);
    expect(estates.items.every((entry) => entry.revision === 2 && entry.owners.includes('Head of Estates'))).toBe(true);
    const due = await all((page) => stores.plans.listActionsDueBefore({ dueBefore: '9999-12-31', ...page }), 100);
    expect(due.items).toHaveLength(datedActions(corrected).length);
    expect(due.items.every((entry) => entry.revision === 2)).toBe(true);
  });

  it('numbers two revisions stored at once 2 and 3 and loses neither', async () => {
    const stores = await freshTable();
    const original = loadTruth('hmp-long-lartin-2023');
    const { planId } = await store(stores, original);

    for (const round of [1, 2, 3]) {
      const left = reassigned(original, 'Governor', `Deputy Governor ${round}`);
      const right = reassigned(original, 'Governor', `Head of Residence ${round}`);
      const stored = await Promise.all([store(stores, left), store(stores, right)]);

      const numbers = stored.map((result) => result.revision).sort();
      expect(numbers).toEqual([2 * round, 2 * round + 1]);
      expect(stored.every((result) => result.created)).toBe(true);
      for (const [index, content] of [left, right].entries()) {
        expect(await stores.plans.listItems(planId, stored[index]!.revision)).toEqual(content.items);
      }
      const plan = await stores.plans.getPlan(planId);
      expect(plan?.currentRevision).toBe(2 * round + 1);

      const current = stored.find((result) => result.revision === 2 * round + 1)!;
      const currentContent = current === stored[0] ? left : right;
      const owner = current === stored[0] ? `Deputy Governor ${round}` : `Head of Residence ${round}`;
      const overtaken = current === stored[0] ? `Head of Residence ${round}` : `Deputy Governor ${round}`;
      const owned = await stores.plans.listActionsByOwner({ owner, limit: 100 });
      expect(owned.items).toHaveLength(79);
      expect(owned.items.every((entry) => entry.revision === current.revision)).toBe(true);
      expect((await stores.plans.listActionsByOwner({ owner: overtaken })).items).toEqual([]);
      const due = await all((page) => stores.plans.listActionsDueBefore({ dueBefore: '9999-12-31', ...page }), 100);
      expect(due.items).toHaveLength(datedActions(currentContent).length);
      expect(due.items.every((entry) => entry.revision === current.revision)).toBe(true);
    }
    const revisions = await stores.plans.listRevisions({ planId });
    expect(revisions.items.map((revision) => revision.revision)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('pages through more than 100 actions due before a date, in due-date order, with cursors', async () => {
    const stores = await freshTable();
    const plans = ACTION_PLAN_FIXTURES.map(loadTruth);
    for (const plan of plans) await store(stores, plan);
    const expected = plans.flatMap(datedActions).length;
    expect(expected).toBeGreaterThan(100);

    const byHundred = await all((page) => stores.plans.listActionsDueBefore({ dueBefore: '9999-12-31', ...page }), 100);
    expect(byHundred.items).toHaveLength(expected);
    expect(byHundred.pages).toBeGreaterThanOrEqual(2);
    expect(byHundred.items).toEqual([...byHundred.items].sort(byDueThenPosition));

    const byThirty = await all((page) => stores.plans.listActionsDueBefore({ dueBefore: '9999-12-31', ...page }), 30);
    expect(byThirty.items).toEqual(byHundred.items);
  });

  it('lists overdue actions: due before today', async () => {
    const stores = await freshTable();
    const plans = ACTION_PLAN_FIXTURES.map(loadTruth);
    for (const plan of plans) await store(stores, plan);
    const today = '2023-06-30';

    const overdue = await all((page) => stores.plans.listActionsDueBefore({ dueBefore: today, ...page }), 100);
    const expected = plans.flatMap(allActions).filter((action) => {
      const dates = action.targets.flatMap((target) => (target.due ? [target.due] : [])).sort();
      return dates.length > 0 && dates[0]! < today;
    });
    expect(overdue.items).toHaveLength(expected.length);
    expect(overdue.items.every((entry) => entry.due !== null && entry.due < today)).toBe(true);
    expect(overdue.items.some((entry) => entry.due === '2023-06-30')).toBe(false);
  });

  it('lists an owner’s actions earliest due first, undated last, or only those due before a date', async () => {
    const stores = await freshTable();
    const liverpool = loadTruth('hmp-liverpool-2018');
    await store(stores, liverpool);
    const owned = allActions(liverpool).filter((action) =>
      action.owners.some((owner) => owner.toLowerCase() === 'head of reducing reoffending'),
    );

    const all19 = await stores.plans.listActionsByOwner({ owner: 'Head of Reducing Reoffending' });
    expect(all19.items).toHaveLength(owned.length);
    const dues = all19.items.map((entry) => entry.due ?? '9999-12-31');
    expect(dues).toEqual([...dues].sort());
    const before = await stores.plans.listActionsByOwner({
      owner: 'head of reducing reoffending',
      dueBefore: '2018-07-01',
    });
    expect(before.items.length).toBeGreaterThan(0);
    expect(before.items.every((entry) => entry.due !== null && entry.due < '2018-07-01')).toBe(true);
  });

  it('lists plans by establishment and by date, newest first', async () => {
    const stores = await freshTable();
    await store(stores, loadTruth('hmp-liverpool-2018'));
    await store(stores, loadTruth('hmp-long-lartin-2023'));
    const ids = (page: Page<StoredPlan>) => page.items.map((plan) => plan.planId);

    expect(ids(await stores.plans.listPlans({}))).toEqual(['long-lartin-2023-04-12', 'liverpool-2018-01-19']);
    expect(ids(await stores.plans.listPlans({ from: '2018-01-19', to: '2018-01-19' }))).toEqual([
      'liverpool-2018-01-19',
    ]);
    expect(ids(await stores.plans.listPlans({ from: '2019-01-01' }))).toEqual(['long-lartin-2023-04-12']);
    expect(ids(await stores.plans.listPlansByEstablishment({ establishmentId: 'long-lartin' }))).toEqual([
      'long-lartin-2023-04-12',
    ]);
    expect(
      ids(await stores.plans.listPlansByEstablishment({ establishmentId: 'long-lartin', to: '2023-04-11' })),
    ).toEqual([]);
    const page = await stores.plans.listPlans({ limit: 1 });
    expect(ids(await stores.plans.listPlans({ limit: 1, cursor: page.cursor! }))).toEqual(['liverpool-2018-01-19']);
  });

  it('refuses a limit over 100 and a cursor it did not hand out', async () => {
    const stores = await freshTable();
    await store(stores, loadTruth('hmp-liverpool-2018'));
    const first = await stores.plans.listActionsDueBefore({ dueBefore: '9999-12-31', limit: 5 });

    await expect(stores.plans.listPlans({ limit: 101 })).rejects.toThrow(InvalidQueryError);
    await expect(stores.plans.listPlans({ cursor: 'not a cursor' })).rejects.toThrow(InvalidQueryError);
    await expect(stores.plans.listActionsByOwner({ owner: 'governor', cursor: first.cursor! })).rejects.toThrow(
      InvalidQueryError,
    );
    await expect(stores.plans.listActionsDueBefore({ dueBefore: 'tomorrow' })).rejects.toThrow(InvalidQueryError);
  });

  it('after a crash before the flip, the retried ingest reuses its revision number', async () => {
    let crash = true;
    const send = ((command: Parameters<typeof client.send>[0]) => {
      if (crash && command instanceof TransactWriteCommand) return Promise.reject(new Error('Lambda timed out'));
      return client.send(command);
    }) as typeof client.send;
    const stores = await freshTable(send);
    const original = loadTruth('hmp-long-lartin-2023');
    const corrected = reassigned(original, 'Governor', 'Deputy Governor');
    crash = false;
    const { planId } = await store(stores, original);

    crash = true;
    const storedAt = '2026-04-01T10:00:00.000Z';
    const uploadId = await createUpload(stores, corrected, storedAt);
    const input = { plan: corrected, uploadId, contentSha256: sha256(corrected), storedAt, uploadedBy: ADMIN_UPLOADER };
    await expect(stores.plans.storeRevision(input)).rejects.toThrow('Lambda timed out');
    expect((await stores.plans.getPlan(planId))?.currentRevision).toBe(1);
    expect((await stores.plans.listActionsByOwner({ owner: 'Deputy Governor' })).items).toEqual([]);

    crash = false;
    expect(await stores.plans.storeRevision(input)).toEqual({ planId, revision: 2, created: true });
    expect((await stores.plans.listRevisions({ planId })).items.map((revision) => revision.revision)).toEqual([1, 2]);
  });

  it('after a crash between the flip and the index update, the retried ingest repairs the indexes', async () => {
    let flipped = false;
    let crash = false;
    const send = ((command: Parameters<typeof client.send>[0]) => {
      if (command instanceof TransactWriteCommand) flipped = true;
      if (crash && flipped && command instanceof BatchWriteCommand)
        return Promise.reject(new Error('Lambda timed out'));
      return client.send(command);
    }) as typeof client.send;
    const stores = await freshTable(send);
    const original = loadTruth('hmp-liverpool-2018');
    const corrected = reassigned(original, 'Deputy Governor', 'Head of Estates');
    const { planId } = await store(stores, original);

    flipped = false;
    crash = true;
    await expect(store(stores, corrected)).rejects.toThrow('Lambda timed out');
    expect((await stores.plans.getPlan(planId))?.currentRevision).toBe(2);
    expect((await stores.plans.listActionsByOwner({ owner: 'Head of Estates' })).items).toEqual([]);
    // The index still holds revision 1's entries, but revision 2 is current: the queries show none of them.
    expect((await stores.plans.listActionsByOwner({ owner: 'Deputy Governor' })).items).toEqual([]);

    crash = false;
    const retried = await store(stores, corrected);
    expect(retried).toMatchObject({ planId, revision: 2, created: false });
    expect((await stores.plans.listActionsByOwner({ owner: 'Head of Estates' })).items).toHaveLength(9);
    expect((await stores.plans.listActionsByOwner({ owner: 'Deputy Governor' })).items).toEqual([]);
    const due = await all((page) => stores.plans.listActionsDueBefore({ dueBefore: '9999-12-31', ...page }), 100);
    expect(due.items.every((entry) => entry.revision === 2)).toBe(true);
    expect(due.items).toHaveLength(datedActions(corrected).length);
  });
});
