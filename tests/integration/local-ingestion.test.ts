import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftItemsOf } from '../../shared/domain/draft-plan.ts';
import type { Report } from '../../shared/domain/report.ts';
import { mendedTruthItems } from '../helpers/fixture-documents.ts';
import { fixturePath, readFixtureJson } from '../helpers/fixtures.ts';
import { type FreshLocalIngestion, freshLocalIngestion } from '../helpers/local-ingestion.ts';
import { drawPdf } from '../helpers/pdf-generators.ts';

/**
 * The local twin of the AWS ingestion path, end to end: the real Liverpool report PDF uploaded under
 * uploads/reports/ starts a draft plan, and the real action plan PDF uploaded after it fills it in.
 */
let ingestion: FreshLocalIngestion;
beforeAll(async () => {
  ingestion = await freshLocalIngestion('local-ingestion');
});
afterAll(() => ingestion.close());

const PLAN_ID = 'liverpool-2018-01-19';
const readPdf = (relative: string) => new Uint8Array(readFileSync(fixturePath(relative)));

describe('an inspection report uploaded, then its action plan', () => {
  it('the report starts a draft plan awaiting the response; uploaded again, it changes nothing', async () => {
    const bytes = readPdf('reports/hmp-liverpool-2018.pdf');
    const first = await ingestion.ingest('hmp-liverpool-2018-report.pdf', bytes, 'report');
    expect(first).toMatchObject({ outcome: 'parsed', planId: PLAN_ID, revision: 1, created: true });
    const again = await ingestion.ingest('hmp-liverpool-2018-report.pdf', bytes, 'report');
    expect(again).toMatchObject({ outcome: 'parsed', planId: PLAN_ID, revision: 1, created: false });

    expect(await ingestion.plans.getPlan(PLAN_ID)).toMatchObject({
      status: 'awaiting_response',
      format: null,
      currentRevision: 1,
      itemCount: 72,
      actionCount: 0,
    });
    const report = { warnings: [], ...readFixtureJson<Omit<Report, 'warnings'>>('reports/hmp-liverpool-2018.truth.json') };
    expect(await ingestion.plans.listItems(PLAN_ID)).toEqual(draftItemsOf(report));
    if (first.outcome !== 'parsed') throw new Error('not parsed');
    expect(await ingestion.uploads.get(first.uploadId)).toMatchObject({
      kind: 'report',
      status: 'parsed',
      planId: PLAN_ID,
      revision: 1,
    });
  });

  it('the action plan fills the draft in: revision 2, parsed, no warnings', async () => {
    const outcome = await ingestion.ingest('hmp-liverpool-2018.pdf', readPdf('action-plans/hmp-liverpool-2018.pdf'));
    expect(outcome).toMatchObject({ outcome: 'parsed', planId: PLAN_ID, revision: 2, created: true });

    expect(await ingestion.plans.getPlan(PLAN_ID)).toMatchObject({
      status: 'parsed',
      format: 'agreed-2018',
      currentRevision: 2,
      itemCount: 72,
      actionCount: 111,
      warnings: [],
    });
    expect(await ingestion.plans.listItems(PLAN_ID)).toEqual(mendedTruthItems('hmp-liverpool-2018'));
  });
});

describe('a report in which no recommendations are found', () => {
  it('fails the upload with the reason', async () => {
    const letter = await drawPdf([
      {
        texts: [
          { text: 'HMP Nowhere', x: 72, baseline: 90 },
          { text: 'Thank you for the inspection of the prison last month.', x: 72, baseline: 120 },
          { text: 'We will send our action plan in due course.', x: 72, baseline: 134 },
        ],
      },
    ]);
    const outcome = await ingestion.ingest('letter.pdf', letter, 'report');
    expect(outcome).toMatchObject({
      outcome: 'failed',
      // Uploaded as a report, it is explained as a report first.
      reason: expect.stringMatching(/^letter\.pdf could not be read: No numbered recommendations or concerns were found/),
    });
    if (outcome.outcome !== 'failed') throw new Error('not failed');
    expect(await ingestion.uploads.get(outcome.uploadId)).toMatchObject({
      kind: 'report',
      status: 'failed',
      statusReason: outcome.reason,
    });
  });
});
