import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OPERATOR } from '../../infra/local/local-ingestion.ts';
import { type FreshLocalIngestion, freshLocalIngestion } from '../helpers/local-ingestion.ts';
import { ADMIN_UPLOADER, staffUploader } from '../helpers/uploaders.ts';
import { planPdf, planWithoutItemsPdf, reportPdf } from './tenancy-documents.ts';

/**
 * Tenancy of uploads on the local ingestion path (the same use-cases as the Lambdas, DynamoDB Local,
 * the local analyser): staff upload only their own establishment's plans and reports; a document
 * for another establishment, or with no items, fails with a reason and stores nothing; every
 * revision records who uploaded it.
 */
let ingestion: FreshLocalIngestion;
beforeAll(async () => {
  ingestion = await freshLocalIngestion('tenancy-ingestion');
});
afterAll(() => ingestion.close());

const liverpoolStaff = staffUploader('liverpool');
const brixtonStaff = staffUploader('brixton');

async function revisionsOf(planId: string) {
  return (await ingestion.plans.listRevisions({ planId })).items;
}

describe('a plan for another establishment', () => {
  const brixton = { establishment: 'HMP Brixton', published: '4 February 2026' };
  const planId = 'brixton-2026-02-04';

  it('is refused: the reason names both establishments, and nothing is stored', async () => {
    // Liverpool's own plan first, so its name is known as the plans print it.
    const own = await ingestion.ingest('liverpool.pdf', await planPdf({ establishment: 'HMP Liverpool', published: '1 March 2026' }), 'plan', liverpoolStaff);
    expect(own).toMatchObject({ outcome: 'parsed', planId: 'liverpool-2026-03-01', created: true });
    const stored = await ingestion.ingest('brixton.pdf', await planPdf(brixton), 'plan', brixtonStaff);
    expect(stored).toMatchObject({ outcome: 'parsed', planId, revision: 1 });

    const forged = await planPdf({ ...brixton, action: 'Forged by another establishment.' });
    const outcome = await ingestion.ingest('brixton-v2.pdf', forged, 'plan', liverpoolStaff);
    expect(outcome).toMatchObject({ outcome: 'failed' });
    if (outcome.outcome !== 'failed') throw new Error('not failed');
    expect(outcome.reason).toContain('HMP Brixton (brixton)');
    expect(outcome.reason).toContain('HMP Liverpool (liverpool)');
    expect(outcome.reason).toMatch(/nothing was stored/);
    expect(await ingestion.uploads.get(outcome.uploadId)).toMatchObject({ status: 'failed', statusReason: outcome.reason });

    expect(await ingestion.plans.getPlan(planId)).toMatchObject({ currentRevision: 1, uploadedBy: brixtonStaff });
    expect(await revisionsOf(planId)).toHaveLength(1);
    const items = await ingestion.plans.listItems(planId);
    expect(items[0]!.actions[0]!.text).toBe('Training is booked for all staff.');
    // Its content was not recorded either: the same bytes from Brixton's own staff become revision 2.
    expect(await ingestion.ingest('brixton-v2.pdf', forged, 'plan', brixtonStaff)).toMatchObject({
      outcome: 'parsed',
      planId,
      revision: 2,
      created: true,
    });
  });

  it('is refused when the establishment has no plan yet, naming the uploader’s by id', async () => {
    const outcome = await ingestion.ingest('wandsworth.pdf', await planPdf({ establishment: 'HMP Wandsworth', published: '5 May 2026' }), 'plan', staffUploader('pentonville'));
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('HMP Wandsworth (wandsworth), but you upload for pentonville') });
    expect(await ingestion.plans.getPlan('wandsworth-2026-05-05')).toBeNull();
  });

  it('may be uploaded by an admin, for any establishment; the revision records the admin', async () => {
    const outcome = await ingestion.ingest('brixton-v3.pdf', await planPdf({ ...brixton, action: 'Corrected by an admin.' }), 'plan', ADMIN_UPLOADER);
    expect(outcome).toMatchObject({ outcome: 'parsed', planId, revision: 3, created: true });
    expect(await ingestion.plans.getPlan(planId)).toMatchObject({ currentRevision: 3, uploadedBy: ADMIN_UPLOADER });
    expect((await revisionsOf(planId)).map((revision) => [revision.revision, revision.uploadedBy])).toEqual([
      [1, brixtonStaff],
      [2, brixtonStaff],
      [3, ADMIN_UPLOADER],
    ]);
    expect(await ingestion.plans.getRevisionUploader(planId, 1)).toEqual(brixtonStaff);
  });
});

describe('a report for another establishment', () => {
  it('is refused and starts no draft; its own staff’s upload starts the draft', async () => {
    const report = await reportPdf({ establishment: 'HMP Durham', published: '10 June 2026' });
    const outcome = await ingestion.ingest('durham-report.pdf', report, 'report', liverpoolStaff);
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('This report is for HMP Durham (durham), but you upload for HMP Liverpool (liverpool)') });
    expect(await ingestion.plans.getPlan('durham-2026-06-10')).toBeNull();

    const durhamStaff = staffUploader('durham');
    expect(await ingestion.ingest('durham-report.pdf', report, 'report', durhamStaff)).toMatchObject({ outcome: 'parsed', planId: 'durham-2026-06-10', created: true });
    expect(await ingestion.plans.getPlan('durham-2026-06-10')).toMatchObject({ status: 'awaiting_response', uploadedBy: durhamStaff });
  });

  it('a plan answering another establishment’s draft is refused, and the draft stays as it was', async () => {
    const outcome = await ingestion.ingest('durham.pdf', await planPdf({ establishment: 'HMP Durham', published: '10 June 2026' }), 'plan', liverpoolStaff);
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('HMP Durham (durham)') });
    expect(await ingestion.plans.getPlan('durham-2026-06-10')).toMatchObject({ status: 'awaiting_response', currentRevision: 1 });
  });
});

describe('what staff cannot check is refused too', () => {
  it('a plan whose establishment cannot be read', async () => {
    const outcome = await ingestion.ingest('untitled.pdf', await planPdf({ establishment: '', published: '1 July 2026' }), 'plan', liverpoolStaff);
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('The establishment could not be read from this plan') });
    if (outcome.outcome !== 'failed') throw new Error('not failed');
    expect(await ingestion.uploads.get(outcome.uploadId)).not.toHaveProperty('planId');
  });
});

describe('a plan with no items (a damaged PDF)', () => {
  it('fails with the reason and stores nothing, even for an admin', async () => {
    const empty = await planWithoutItemsPdf({ establishment: 'HMP Leeds', published: '2 August 2026' });
    const outcome = await ingestion.ingest('leeds.pdf', empty, 'plan', ADMIN_UPLOADER);
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^leeds\.pdf: No items were found in this plan .*nothing was stored/) });
    expect(await ingestion.plans.getPlan('leeds-2026-08-02')).toBeNull();
  });
});

describe('an object that no upload request granted', () => {
  it('fails without being analysed, and stores nothing', async () => {
    const key = 'uploads/plans/hmp-leicester.pdf';
    const outcome = await ingestion.ingestObject(key, await planPdf({ establishment: 'HMP Leicester', published: '3 September 2026' }));
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('no upload request') });
    if (outcome.outcome !== 'failed') throw new Error('not failed');
    const upload = await ingestion.uploads.get(outcome.uploadId);
    expect(upload).toMatchObject({ status: 'failed' });
    expect(upload).not.toHaveProperty('analysisJobId');
    expect(upload).not.toHaveProperty('uploadedBy');
    expect(await ingestion.plans.getPlan('leicester-2026-09-03')).toBeNull();
  });

  it('nor does a key of a request’s shape whose request does not exist', async () => {
    const key = `uploads/plans/${randomUUID()}/hmp-leicester.pdf`;
    const outcome = await ingestion.ingestObject(key, await planPdf({ establishment: 'HMP Leicester', published: '3 September 2026' }));
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('no upload request') });
  });

  it('the local command line uploads as the local operator, an admin, and the revision says so', async () => {
    const outcome = await ingestion.ingest('leicester.pdf', await planPdf({ establishment: 'HMP Leicester', published: '3 September 2026' }));
    expect(outcome).toMatchObject({ outcome: 'parsed', planId: 'leicester-2026-09-03' });
    expect(LOCAL_OPERATOR.role).toBe('admin');
    expect(await ingestion.plans.getPlan('leicester-2026-09-03')).toMatchObject({ uploadedBy: LOCAL_OPERATOR });
  });
});
