import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore, UploadNotFoundError } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import type { Upload } from '../../shared/ports/upload-store.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { ADMIN_UPLOADER } from '../helpers/uploaders.ts';

const client = createDocumentClient({ region: 'local', endpoint: inject('dynamodbEndpoint') });
const tableName = `uploads-${randomUUID()}`;
const uploads = new DynamoUploadStore({ client, tableName });

beforeAll(() => createTable(client, tableName));
afterAll(() => client.destroy());

function upload(fields: Partial<Upload> = {}): Upload {
  const uploadId = randomUUID();
  return {
    uploadId,
    kind: 'plan',
    object: { bucket: 'uploads', key: `incoming/${uploadId}.pdf`, versionId: 'v1' },
    fileName: 'hmp-long-lartin-2023.pdf',
    sizeBytes: 123_456,
    status: 'queued',
    createdAt: '2026-03-01T09:00:00.000Z',
    updatedAt: '2026-03-01T09:00:00.000Z',
    ...fields,
  };
}

function analysis(startedAt: string) {
  return { contentSha256: randomUUID().replaceAll('-', ''), analysisJobId: randomUUID(), analysisStartedAt: startedAt };
}

describe('DynamoUploadStore', () => {
  it('creates an upload once: the same id again is a replayed event and changes nothing', async () => {
    const first = upload();
    expect(await uploads.create(first)).toBe(true);
    expect(await uploads.create({ ...first, fileName: 'other.pdf' })).toBe(false);
    expect(await uploads.get(first.uploadId)).toEqual(first);
  });

  it('answers null for an unknown upload, and refuses to update one', async () => {
    expect(await uploads.get('no-such-upload')).toBeNull();
    await expect(uploads.markAnalysing('no-such-upload', analysis('2026-03-01T10:00:00.000Z'))).rejects.toThrow(
      UploadNotFoundError,
    );
    await expect(uploads.markFailed('no-such-upload', 'gone', '2026-03-01T10:00:00.000Z')).rejects.toThrow(
      UploadNotFoundError,
    );
  });

  it('lists uploads analysing since before a time, oldest first, up to the limit', async () => {
    // A table of its own: the other tests leave queued uploads, which are listed too.
    const ownTable = `uploads-${randomUUID()}`;
    await createTable(client, ownTable);
    const uploads = new DynamoUploadStore({ client, tableName: ownTable });
    const early = upload();
    const late = upload();
    const recent = upload();
    for (const created of [early, late, recent]) await uploads.create(created);
    // Queued, all three are unfinished since they were created.
    expect((await uploads.listUnfinishedSince('2026-03-01T09:00:00.001Z', 10)).map((u) => u.uploadId).sort()).toEqual(
      [early, late, recent].map((u) => u.uploadId).sort(),
    );
    expect(await uploads.listUnfinishedSince('2026-03-01T09:00:00.000Z', 10)).toEqual([]);
    await uploads.markAnalysing(late.uploadId, analysis('2026-03-02T08:30:00.000Z'));
    await uploads.markAnalysing(early.uploadId, { ...analysis('2026-03-02T08:00:00.000Z'), pageCount: 12 });
    await uploads.markAnalysing(recent.uploadId, analysis('2026-03-02T09:45:00.000Z'));

    expect(await uploads.get(early.uploadId)).toMatchObject({
      status: 'analysing',
      analysisStartedAt: '2026-03-02T08:00:00.000Z',
      updatedAt: '2026-03-02T08:00:00.000Z',
      pageCount: 12,
    });
    const stale = await uploads.listUnfinishedSince('2026-03-02T09:00:00.000Z', 10);
    expect(stale.map((listed) => listed.uploadId)).toEqual([early.uploadId, late.uploadId]);
    expect(stale[0]).toEqual(await uploads.get(early.uploadId));
    expect((await uploads.listUnfinishedSince('2026-03-02T09:00:00.000Z', 1)).map((u) => u.uploadId)).toEqual([
      early.uploadId,
    ]);
    expect(await uploads.listUnfinishedSince('2026-03-02T08:00:00.000Z', 10)).toEqual([]);
  });

  it('records analysis progress only forwards and only while analysing', async () => {
    const reading = upload();
    await uploads.create(reading);
    await uploads.recordAnalysisProgress(reading.uploadId, 3, '2026-03-03T08:00:01.000Z');
    expect((await uploads.get(reading.uploadId))?.pagesAnalysed).toBeUndefined();
    await uploads.markAnalysing(reading.uploadId, analysis('2026-03-03T08:00:00.000Z'));
    await uploads.recordAnalysisProgress(reading.uploadId, 5, '2026-03-03T08:00:02.000Z');
    await uploads.recordAnalysisProgress(reading.uploadId, 4, '2026-03-03T08:00:03.000Z');
    expect(await uploads.get(reading.uploadId)).toMatchObject({ pagesAnalysed: 5, updatedAt: '2026-03-03T08:00:02.000Z' });
    await uploads.markFailed(reading.uploadId, 'stopped', '2026-03-03T08:00:04.000Z');
    await uploads.recordAnalysisProgress(reading.uploadId, 9, '2026-03-03T08:00:05.000Z');
    expect(await uploads.get(reading.uploadId)).toMatchObject({ pagesAnalysed: 5, status: 'failed' });
  });

  it('marks an upload failed with its reason and takes it off the analysing list', async () => {
    const failing = upload();
    await uploads.create(failing);
    await uploads.markAnalysing(failing.uploadId, analysis('2026-03-03T08:00:00.000Z'));
    await uploads.markFailed(failing.uploadId, 'Textract could not read page 3', '2026-03-03T09:00:00.000Z');

    expect(await uploads.get(failing.uploadId)).toMatchObject({
      status: 'failed',
      statusReason: 'Textract could not read page 3',
      updatedAt: '2026-03-03T09:00:00.000Z',
    });
    expect(await uploads.listUnfinishedSince('2026-03-04T00:00:00.000Z', 100)).not.toContainEqual(
      expect.objectContaining({ uploadId: failing.uploadId }),
    );
  });

  it('is marked parsed by storing its plan, and a failure reported later leaves it parsed', async () => {
    const parsed = upload();
    const started = analysis('2026-03-05T08:00:00.000Z');
    await uploads.create(parsed);
    await uploads.markAnalysing(parsed.uploadId, started);

    const plans = new DynamoPlanStore({ client, tableName });
    const stored = await plans.storeRevision({
      plan: loadTruth('hmp-long-lartin-2023'),
      uploadId: parsed.uploadId,
      contentSha256: started.contentSha256,
      storedAt: '2026-03-05T08:05:00.000Z',
      uploadedBy: ADMIN_UPLOADER,
    });
    const parsedRecord = {
      ...parsed,
      ...started,
      status: 'parsed',
      planId: stored.planId,
      revision: stored.revision,
      updatedAt: '2026-03-05T08:05:00.000Z',
    };
    expect(await uploads.get(parsed.uploadId)).toEqual(parsedRecord);
    expect(await uploads.listUnfinishedSince('2026-03-06T00:00:00.000Z', 100)).not.toContainEqual(
      expect.objectContaining({ uploadId: parsed.uploadId }),
    );

    await uploads.markFailed(parsed.uploadId, 'analysis took too long', '2026-03-05T09:00:00.000Z');
    expect(await uploads.get(parsed.uploadId)).toEqual(parsedRecord);
  });
});
