import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { LocalPdfTableAnalyser } from '../../shared/adapters/local/pdf-table-analyser.ts';
import { draftItemsOf } from '../../shared/domain/draft-plan.ts';
import type { Report } from '../../shared/domain/report.ts';
import type { TextractResponse } from '../../shared/extraction/textract-response.ts';
import type { TextractJobs } from '../../shared/ports/textract-jobs.ts';
import { completeAnalysis } from '../../shared/usecases/complete-analysis.ts';
import { collect } from '../helpers/collect.ts';
import { mendedTruthItems, mendHyphenTypos, TITLE_LINES, TRAILING_LINES } from '../helpers/fixture-documents.ts';
import { fixturePath, loadRows, loadTruth, readFixtureJson } from '../helpers/fixtures.ts';
import { layoutRowsAsTextract } from '../helpers/layout-rows-as-textract.ts';
import { ADMIN_UPLOADER } from '../helpers/uploaders.ts';

/**
 * An inspection report starts a draft plan; the action plan that answers it becomes its next
 * revision, warned where the two do not match. The plan store against DynamoDB Local, and the
 * completion of an analysis with Textract's results played by the local analyser's Blocks of the
 * real Liverpool report and plan (or by a plan laid out from the fixture rows, altered).
 */
const client = createDocumentClient({ region: 'local', endpoint: inject('dynamodbEndpoint') });
afterAll(() => client.destroy());

const PLAN_ID = 'liverpool-2018-01-19';
const clock = { now: () => new Date('2026-03-01T10:00:00.000Z') };

const liverpoolReport = (): Report => ({
  warnings: [],
  ...readFixtureJson<Omit<Report, 'warnings'>>('reports/hmp-liverpool-2018.truth.json'),
});

/** A document as Textract would analyse it, and the hash of the bytes it was read from. */
interface AnalysedDocument {
  fileName: string;
  contentSha256: string;
  results: TextractResponse[];
}

async function analysedPdf(relative: string): Promise<AnalysedDocument> {
  const bytes = new Uint8Array(readFileSync(fixturePath(relative)));
  const fileName = relative.slice(relative.lastIndexOf('/') + 1);
  return {
    fileName,
    contentSha256: createHash('sha256').update(bytes).digest('hex'),
    results: await collect(new LocalPdfTableAnalyser().analyse({ bytes, name: fileName })),
  };
}

/** The Liverpool plan printed from its rows, with the rows changed by `edit` first. */
function laidOutPlan(edit: (rows: string[][]) => string[][]): AnalysedDocument {
  const { header, rows } = loadRows('hmp-liverpool-2018');
  const { responses } = layoutRowsAsTextract(header, edit(rows.map((row) => row.map(mendHyphenTypos))), {
    asynchronous: true,
    fontSize: 8,
    columnWidths: [40, 150, 70, 270, 140, 99.89],
    titleLines: TITLE_LINES['hmp-liverpool-2018'],
    trailingLines: TRAILING_LINES['hmp-liverpool-2018'],
  });
  const contentSha256 = createHash('sha256').update(JSON.stringify(responses)).digest('hex');
  return { fileName: 'hmp-liverpool-2018-edited.pdf', contentSha256, results: responses };
}

/** The rows without item `ref`'s row and the action rows that follow it. */
function withoutItem(rows: string[][], ref: string): string[][] {
  const start = rows.findIndex((row) => row[0] === ref);
  let end = start + 1;
  while (rows[end]?.[0] === '') end += 1;
  return [...rows.slice(0, start), ...rows.slice(end)];
}

let report: AnalysedDocument;
let plan: AnalysedDocument;
beforeAll(async () => {
  report = await analysedPdf('reports/hmp-liverpool-2018.pdf');
  plan = await analysedPdf('action-plans/hmp-liverpool-2018.pdf');
});

async function freshTable() {
  const tableName = `drafts-${randomUUID()}`;
  await createTable(client, tableName);
  const uploads = new DynamoUploadStore({ client, tableName });
  const plans = new DynamoPlanStore({ client, tableName });

  /** The document uploaded and analysed: its upload record, then Textract's completion. */
  async function complete(document: AnalysedDocument) {
    const uploadId = randomUUID();
    const jobId = `job-${uploadId}`;
    const now = clock.now().toISOString();
    await uploads.create({
      uploadId,
      kind: 'plan',
      object: { bucket: 'uploads', key: `uploads/plans/${document.fileName}` },
      fileName: document.fileName,
      sizeBytes: 1000,
      status: 'queued',
      uploadedBy: ADMIN_UPLOADER,
      createdAt: now,
      updatedAt: now,
    });
    await uploads.markAnalysing(uploadId, {
      contentSha256: document.contentSha256,
      analysisJobId: jobId,
      analysisStartedAt: now,
    });
    const textract: TextractJobs = {
      startAnalysis: () => Promise.reject(new Error('no job is started here')),
      results: async function* () {
        yield* document.results;
      },
      status: () => Promise.resolve({ status: 'SUCCEEDED' }),
    };
    return completeAnalysis({ jobId, status: 'SUCCEEDED', jobTag: uploadId }, { uploads, plans, textract, clock });
  }

  return { uploads, plans, complete };
}

describe('the plan store keeps a report’s draft as a revision', () => {
  it('stores the draft awaiting the response: the report’s items, no decisions or actions, no format', async () => {
    const { uploads, plans } = await freshTable();
    const report = liverpoolReport();
    const uploadId = randomUUID();
    await uploads.create({
      uploadId,
      kind: 'report',
      object: { bucket: 'uploads', key: 'uploads/reports/hmp-liverpool-2018.pdf' },
      fileName: 'hmp-liverpool-2018.pdf',
      sizeBytes: 1000,
      status: 'analysing',
      createdAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-03-01T10:00:00.000Z',
    });
    const stored = await plans.storeDraft({
      report,
      uploadId,
      contentSha256: 'ab'.repeat(32),
      storedAt: '2026-03-01T10:00:00.000Z',
      uploadedBy: ADMIN_UPLOADER,
    });

    expect(stored).toEqual({ planId: PLAN_ID, revision: 1, created: true });
    expect(await plans.getPlan(PLAN_ID)).toMatchObject({
      status: 'awaiting_response',
      format: null,
      establishment: 'HMP Liverpool',
      reportPublished: '2018-01-19',
      planSubmitted: null,
      summary: null,
      currentRevision: 1,
      itemCount: 72,
      actionCount: 0,
    });
    const items = await plans.listItems(PLAN_ID);
    expect(items).toEqual(draftItemsOf(report));
    expect(await plans.findDraftAnsweredBy(loadTruth('hmp-liverpool-2018'), 'cd'.repeat(32))).toEqual(items);
    expect(await uploads.get(uploadId)).toMatchObject({ status: 'parsed', planId: PLAN_ID, revision: 1 });
  });
});

describe('a report, then its action plan', () => {
  it('the report read from its PDF is stored once as a draft of 72 items, however often it comes', async () => {
    const { plans, complete } = await freshTable();
    expect(await complete(report)).toMatchObject({ outcome: 'parsed', planId: PLAN_ID, revision: 1, created: true });
    expect(await complete(report)).toMatchObject({ outcome: 'parsed', planId: PLAN_ID, revision: 1, created: false });

    expect(await plans.getPlan(PLAN_ID)).toMatchObject({ status: 'awaiting_response', currentRevision: 1, itemCount: 72 });
    expect(await plans.listItems(PLAN_ID)).toEqual(draftItemsOf(liverpoolReport()));
  });

  it('the plan that answers it item for item becomes revision 2, parsed, with no warnings', async () => {
    const { plans, complete } = await freshTable();
    await complete(report);
    expect(await complete(plan)).toMatchObject({ outcome: 'parsed', planId: PLAN_ID, revision: 2, created: true });

    const truth = loadTruth('hmp-liverpool-2018');
    expect(await plans.getPlan(PLAN_ID)).toMatchObject({
      status: 'parsed',
      format: 'agreed-2018',
      currentRevision: 2,
      itemCount: 72,
      warnings: [],
    });
    // A line-end hyphen typo of the PDF ("well- established") reads mended, as in every read of the PDF.
    expect(await plans.listItems(PLAN_ID)).toEqual(mendedTruthItems('hmp-liverpool-2018'));
    expect(await plans.findDraftAnsweredBy(truth, plan.contentSha256)).toBeNull();
  });

  it('a plan with a recommendation missing and another’s text changed is stored with warnings saying so', async () => {
    const { plans, complete } = await freshTable();
    await complete(report);
    const edited = laidOutPlan((rows) =>
      withoutItem(rows, '5.3').map((row) =>
        row[0] === '5.2' ? [row[0], 'Prisoners should be given more time in the gym every week.', ...row.slice(2)] : row,
      ),
    );
    expect(await complete(edited)).toMatchObject({ outcome: 'parsed', planId: PLAN_ID, revision: 2 });

    const stored = await plans.getPlan(PLAN_ID);
    expect(stored).toMatchObject({ status: 'parsed', itemCount: 71 });
    expect(stored?.warnings).toEqual(
      expect.arrayContaining([
        'The text of recommendation 5.2 in the plan differs from recommendation 5.2 in the report',
        'Recommendation 5.3 of the report has no response in the plan',
      ]),
    );
    expect(stored?.warnings.filter((warning) => warning.includes('the report'))).toHaveLength(2);
  });

  it('the unaltered laid-out plan has no warnings, so those come from the comparison alone', async () => {
    const { plans, complete } = await freshTable();
    await complete(report);
    await complete(laidOutPlan((rows) => rows));
    expect((await plans.getPlan(PLAN_ID))?.warnings).toEqual([]);
  });

  it('a plan with no report before it is revision 1, parsed', async () => {
    const { plans, complete } = await freshTable();
    expect(await complete(plan)).toMatchObject({ outcome: 'parsed', planId: PLAN_ID, revision: 1, created: true });
    expect(await plans.getPlan(PLAN_ID)).toMatchObject({ status: 'parsed', currentRevision: 1, warnings: [] });
  });

  it('a report that comes after its plan is kept as history: the plan does not go back to awaiting a response', async () => {
    const { plans, complete } = await freshTable();
    await complete(plan);
    expect(await complete(report)).toMatchObject({ outcome: 'parsed', planId: PLAN_ID, revision: 2, created: true });

    expect(await plans.getPlan(PLAN_ID)).toMatchObject({ status: 'parsed', currentRevision: 1, actionCount: 111 });
    const revisions = await plans.listRevisions({ planId: PLAN_ID });
    expect(revisions.items.map(({ revision, status }) => ({ revision, status }))).toEqual([
      { revision: 1, status: 'parsed' },
      { revision: 2, status: 'awaiting_response' },
    ]);
    expect(await plans.listItems(PLAN_ID, 2)).toEqual(draftItemsOf(liverpoolReport()));
  });
});
