import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore, numberOfSortKeyField, sortKeyNumber } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import type { Plan, PlanItem } from '../../shared/domain/plan.ts';
import { waitFor } from '../helpers/approval-flow.ts';
import { freshLocalIngestion } from '../helpers/local-ingestion.ts';
import { renderActionPlanPdf } from '../helpers/pdf-generators.ts';
import { storePlanRevision } from '../helpers/stored-plans.ts';

/**
 * Item, action and owner counters in sort keys were fixed-width (4, 2 and 2 digits): the 10,000th
 * item or the 100th action of an item threw a RangeError after the last page was analysed, and the
 * upload hung in "analysing". Textract takes 3,000 pages, and a page can hold far more than three
 * rows, so the keys must hold any count, in order, and still read the records stored before.
 */

describe('sort-key counters', () => {
  it('keep numeric order at any size, and read back what they hold', () => {
    for (const width of [2, 4, 6]) {
      const numbers = [0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 99_999, 100_000, 1_000_000, 123_456_789, Number.MAX_SAFE_INTEGER];
      const shuffled = [...numbers].sort(() => Math.random() - 0.5);
      const sorted = shuffled.map((n) => sortKeyNumber(n, width)).sort();
      expect(sorted.map(numberOfSortKeyField)).toEqual(numbers);
      // Followed by more of the key, a field still sorts first (no field is a prefix of another).
      const keyed = shuffled.map((n) => `${sortKeyNumber(n, width)}#01`).sort();
      expect(keyed.map((key) => numberOfSortKeyField(key.split('#')[0]!))).toEqual(numbers);
    }
  });

  it('write the numbers that fit their width as they always were, so stored records read as before', () => {
    expect(sortKeyNumber(7, 4)).toBe('0007');
    expect(sortKeyNumber(9999, 4)).toBe('9999');
    expect(sortKeyNumber(12, 2)).toBe('12');
    expect(sortKeyNumber(3, 6)).toBe('000003');
  });
});

const client = createDocumentClient({ region: 'local', endpoint: inject('dynamodbEndpoint') });
afterAll(() => client.destroy());

function item(ref: string, actions: PlanItem['actions']): PlanItem {
  return { ref, kind: 'recommendation', addressee: 'the Governor', section: null, text: `Recommendation ${ref}.`, decision: 'agreed', actions };
}

describe('a plan with more than 9,999 items, an item with more than 99 actions and an action with more than 99 owners', () => {
  it('is stored, and its items and actions read back in document order', async () => {
    const tableName = `counters-${randomUUID()}`;
    await createTable(client, tableName);
    const plans = new DynamoPlanStore({ client, tableName });
    const uploads = new DynamoUploadStore({ client, tableName });
    const shared = (due: string) => ({ text: 'Shared action.', owners: ['Head of Safety'], targets: [{ raw: due, due }] });
    const items: PlanItem[] = Array.from({ length: 10_003 }, (_, i) => item(`${i + 1}`, []));
    // Items around the 4-digit boundary share an owner, so the owner index must order them across it.
    for (const ordinal of [9_998, 9_999, 10_000, 10_001]) items[ordinal - 1] = item(`${ordinal}`, [shared('2027-01-01')]);
    items[0] = item('1', Array.from({ length: 105 }, (_, i) => ({ text: `Action ${i + 1}.`, owners: [`Owner ${i + 1}`], targets: [] })));
    items[1] = item('2', [{ text: 'Everyone.', owners: Array.from({ length: 101 }, (_, i) => `Owner ${i + 1}`), targets: [] }]);
    const plan: Plan = {
      source: 'huge.pdf',
      establishment: 'HMP Huge',
      format: 'agreed-2018',
      inspection: null,
      reportPublished: '2026-05-01',
      planSubmitted: null,
      items,
      summary: null,
      warnings: [],
    };
    const stored = await storePlanRevision({ uploads, plans }, plan, { storedAt: '2026-06-01T10:00:00.000Z' });
    expect(stored).toMatchObject({ planId: 'huge-2026-05-01', revision: 1, created: true });

    const read = await plans.listItems(stored.planId);
    expect(read.map((entry) => entry.ref)).toEqual(items.map((entry) => entry.ref));
    expect(read[0]!.actions).toHaveLength(105);

    // The API's item pages carry each item's ordinal, read back from its key.
    const ordinals: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await plans.listItemPage(stored.planId, 1, { limit: 100, ...(cursor ? { cursor } : {}) });
      ordinals.push(...page.items.map((entry) => entry.ordinal));
      cursor = page.cursor;
    } while (cursor);
    expect(ordinals).toEqual(items.map((_, i) => i + 1));

    const shared_ = await plans.listActionsByOwner({ owner: 'Head of Safety', limit: 10 });
    expect(shared_.items.map((entry) => entry.itemOrdinal)).toEqual([9_998, 9_999, 10_000, 10_001]);
    const last = await plans.listActionsByOwner({ owner: 'Owner 101', limit: 10 });
    expect(last.items.map((entry) => [entry.itemOrdinal, entry.actionOrdinal])).toEqual([
      [1, 101],
      [2, 1],
    ]);
    const hundredth = await plans.listActionsByOwner({ owner: 'Owner 105', limit: 10 });
    expect(hundredth.items.map((entry) => [entry.itemOrdinal, entry.actionOrdinal])).toEqual([[1, 105]]);
  }, 120_000);
});

describe('an action plan PDF with an item of more than 99 actions, uploaded locally', () => {
  it('ends parsed (it used to hang in "analysing" after a RangeError nobody saw)', async () => {
    const ingestion = await freshLocalIngestion('counters', { log: () => undefined });
    try {
      const header = ['No.', 'Recommendation', 'Agreed / Partly Agreed / Not Agreed', 'Action', 'Responsible', 'Target date'];
      const rows = [
        ['Recommendations To the Governor', '', '', '', '', ''],
        ['1.1', 'Many things should be done.', 'Agreed', 'Action 1.', 'Governor', '31/03/2027'],
        ...Array.from({ length: 104 }, (_, i) => ['', '', '', `Action ${i + 2}.`, 'Governor', '31/03/2027']),
      ];
      const bytes = await renderActionPlanPdf(header, rows, {
        titleLines: ['Action Plan: HMP Exampleton', 'Report Published: 4 February 2026'],
      });
      const received = await ingestion.ingestObject(await ingestion.grantUpload('many-actions.pdf'), bytes);
      expect(received).toMatchObject({ outcome: 'analysing' });
      const uploadId = (received as { uploadId: string }).uploadId;
      const done = await waitFor(async () => {
        const upload = await ingestion.uploads.get(uploadId);
        return upload && (upload.status === 'parsed' || upload.status === 'failed') ? upload : null;
      }, 'the upload to end', 60_000);
      expect(done).toMatchObject({ status: 'parsed' });
      const plan = await ingestion.plans.getPlan(done.planId!);
      expect(plan).toMatchObject({ itemCount: 1, actionCount: 105 });
    } finally {
      await ingestion.close();
    }
  }, 120_000);
});
