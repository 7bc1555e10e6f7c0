import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocalIngestion } from '../../infra/local/local-ingestion.ts';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { FolderObjectStore } from '../../shared/adapters/local/folder-object-store.ts';
import { UPLOAD_PREFIXES, uploadIdOf, uploadKindOf } from '../../shared/domain/uploads.ts';
import type { Upload, UploadKind } from '../../shared/ports/upload-store.ts';
import { waitFor } from '../helpers/approval-flow.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { ADMIN_UPLOADER, recordUploadRequest } from '../helpers/uploaders.ts';

/**
 * The local stack stopped (Ctrl-C, a crash, kill -9) while uploads were queued or analysing: their
 * analysis lived in the dead process, and nothing would ever finish them. A start of the local stack
 * (resumeUnfinished, called by startLocalStack) analyses each again, or fails it with a reason.
 * The uploads here are left exactly as a killed run leaves them.
 */
const endpoint = inject('dynamodbEndpoint');
const tableName = `resume-${randomUUID()}`;
const client = createDocumentClient({ region: 'local', endpoint });
const uploads = new DynamoUploadStore({ client, tableName });
let objectsDir: string;
let objects: FolderObjectStore;

beforeAll(async () => {
  await createTable(client, tableName);
  objectsDir = await mkdtemp(join(tmpdir(), 'resume-'));
  objects = new FolderObjectStore(objectsDir);
});
afterAll(async () => {
  client.destroy();
  await rm(objectsDir, { recursive: true, force: true });
});

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** An object key an upload request granted (as POST /uploads does), so ingestion knows who uploads. */
async function grantedKey(kind: UploadKind, fileName: string): Promise<string> {
  const key = `${UPLOAD_PREFIXES[kind]}${randomUUID()}/${fileName}`;
  await recordUploadRequest(uploads, key, { createdAt: minutesAgo(30 * 60) });
  return key;
}

/** An upload as a killed run left it: queued, or analysing at some page with a job of that run. */
async function leftUnfinished(
  key: string,
  fixture: string | null,
  state: { status: 'queued' } | { status: 'analysing'; startedMinutesAgo: number; pagesAnalysed: number },
): Promise<string> {
  const object = { bucket: 'uploads', key, versionId: `${Date.now()}` };
  const bytes = fixture ? new Uint8Array(readFileSync(fixturePath(fixture))) : new Uint8Array(readFileSync(fixturePath('action-plans/hmp-long-lartin-2023.pdf')));
  if (fixture) await objects.put(object, bytes);
  const uploadId = uploadIdOf(object);
  const upload: Upload = {
    uploadId,
    kind: uploadKindOf(key)!,
    object,
    fileName: key.slice(key.lastIndexOf('/') + 1),
    sizeBytes: bytes.length,
    status: 'queued',
    uploadedBy: ADMIN_UPLOADER,
    createdAt: minutesAgo(state.status === 'queued' ? 1 : state.startedMinutesAgo),
    updatedAt: minutesAgo(1),
  };
  await uploads.create(upload);
  if (state.status === 'analysing') {
    await uploads.markAnalysing(uploadId, {
      contentSha256: createHash('sha256').update(bytes).digest('hex'),
      analysisJobId: 'local-job-0badf00d-000001',
      analysisStartedAt: minutesAgo(state.startedMinutesAgo),
      pageCount: 11,
    });
    await uploads.recordAnalysisProgress(uploadId, state.pagesAnalysed, minutesAgo(1));
  }
  return uploadId;
}

describe('a start of the local stack finds uploads an earlier run left unfinished', () => {
  it('analyses again the ones it can, and fails the others with a reason', async () => {
    const analysing = await leftUnfinished(await grantedKey('plan', 'long-lartin.pdf'), 'action-plans/hmp-long-lartin-2023.pdf', {
      status: 'analysing',
      startedMinutesAgo: 3,
      pagesAnalysed: 4,
    });
    const queued = await leftUnfinished(await grantedKey('report', 'liverpool-report.pdf'), 'reports/hmp-liverpool-2018.pdf', { status: 'queued' });
    const fileGone = await leftUnfinished(await grantedKey('plan', 'gone.pdf'), null, { status: 'analysing', startedMinutesAgo: 3, pagesAnalysed: 1 });
    const tooOld = await leftUnfinished(await grantedKey('plan', 'old.pdf'), 'action-plans/hmp-liverpool-2018.pdf', {
      status: 'analysing',
      startedMinutesAgo: 25 * 60,
      pagesAnalysed: 2,
    });

    const logged: string[] = [];
    const ingestion = await createLocalIngestion({ dynamodbEndpoint: endpoint, tableName, objectsDir, log: (line) => logged.push(line) });
    try {
      const result = await ingestion.resumeUnfinished();
      expect(result.resumed.sort()).toEqual([analysing, queued].sort());
      expect(result.failed.sort()).toEqual([fileGone, tooOld].sort());
      expect(logged).toContain('Uploads left unfinished by an earlier run: 2 analysed again, 2 failed with a reason');

      expect(await ingestion.uploads.get(fileGone)).toMatchObject({
        status: 'failed',
        statusReason: 'The analysis of gone.pdf was interrupted (the local stack stopped) and its file is no longer stored; upload it again',
      });
      expect(await ingestion.uploads.get(tooOld)).toMatchObject({
        status: 'failed',
        statusReason: 'The analysis of old.pdf was interrupted (the local stack stopped) more than 24 hours ago; upload it again',
      });
      for (const uploadId of [analysing, queued]) {
        const done = await waitFor(async () => {
          const upload = await ingestion.uploads.get(uploadId);
          return upload && (upload.status === 'parsed' || upload.status === 'failed') ? upload : null;
        }, `upload ${uploadId} to end`, 90_000);
        expect(done).toMatchObject({ status: 'parsed' });
      }
      expect(await ingestion.uploads.get(analysing)).toMatchObject({ planId: 'long-lartin-2023-04-12', pagesAnalysed: 11 });

      // Nothing is left unfinished: the next start has nothing to do.
      expect(await ingestion.resumeUnfinished()).toEqual({ resumed: [], failed: [] });
    } finally {
      ingestion.close();
    }
  }, 180_000);
});

describe('the same file uploaded twice while its first analysis runs', () => {
  it('ends both uploads (the second shares the running job, and is told when it ends)', async () => {
    const ingestion = await createLocalIngestion({ dynamodbEndpoint: endpoint, tableName, objectsDir, log: () => undefined });
    try {
      const bytes = new Uint8Array(readFileSync(fixturePath('action-plans/hmp-long-lartin-2023.pdf')));
      const first = await ingestion.ingestObject(await ingestion.grantUpload('first.pdf'), bytes);
      const second = await ingestion.ingestObject(await ingestion.grantUpload('second.pdf'), bytes);
      expect([first.outcome, second.outcome]).toEqual(['analysing', 'analysing']);
      for (const received of [first, second]) {
        const uploadId = (received as { uploadId: string }).uploadId;
        const done = await waitFor(async () => {
          const upload = await ingestion.uploads.get(uploadId);
          return upload && (upload.status === 'parsed' || upload.status === 'failed') ? upload : null;
        }, `upload ${uploadId} to end`, 90_000);
        expect(done).toMatchObject({ status: 'parsed', planId: 'long-lartin-2023-04-12' });
      }
    } finally {
      ingestion.close();
    }
  }, 180_000);
});
