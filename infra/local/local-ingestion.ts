import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { FolderObjectStore } from '../../shared/adapters/local/folder-object-store.ts';
import { type LocalJobFinished, LocalTextractJobs } from '../../shared/adapters/local/local-textract-jobs.ts';
import { LocalPdfTableAnalyser } from '../../shared/adapters/local/pdf-table-analyser.ts';
import { sleep } from '../../shared/adapters/retry.ts';
import type { Uploader } from '../../shared/domain/access.ts';
import { UPLOAD_PREFIXES, uploadIdOf } from '../../shared/domain/uploads.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { UploadKind } from '../../shared/ports/upload-store.ts';
import {
  type CompleteAnalysisOutcome,
  CompletionBeforeStartError,
  completeAnalysis,
} from '../../shared/usecases/complete-analysis.ts';
import { receiveUpload } from '../../shared/usecases/receive-upload.ts';

export interface LocalIngestionOptions {
  dynamodbEndpoint: string;
  tableName: string;
  /** Folder of the local object store. */
  objectsDir: string;
  bucket?: string;
  /** Restarts an approval sent back with changes requested when the corrected plan is stored (as the Lambdas do). */
  resumeApproval?: (planId: string, previousRevision: number) => Promise<unknown>;
}

/**
 * Who uploads through `npm run ingest` and `npm start -- --demo`: the person at this machine, who
 * runs the whole stack and so acts as an admin (for every establishment).
 */
export const LOCAL_OPERATOR: Uploader = { subject: 'local-operator', role: 'admin', email: null, establishmentId: null };

/**
 * The AWS ingestion path wired to local adapters: the same use-cases as the Lambdas, with DynamoDB
 * Local, a folder for S3, and the local PDF analyser playing Textract's asynchronous API (its
 * completion calls completeAnalysis, as Textract's SNS message calls the completion Lambda).
 */
export async function createLocalIngestion(options: LocalIngestionOptions) {
  const client = createDocumentClient({ region: 'local', endpoint: options.dynamodbEndpoint });
  await createTable(client, options.tableName).catch((error: { name?: string }) => {
    if (error.name !== 'ResourceInUseException') throw error;
  });
  const uploads = new DynamoUploadStore({ client, tableName: options.tableName });
  const plans = new DynamoPlanStore({ client, tableName: options.tableName });
  const objects = new FolderObjectStore(options.objectsDir);
  const bucket = options.bucket ?? 'uploads';
  const resume = options.resumeApproval ? { resumeApproval: options.resumeApproval } : {};
  const waiting = new Map<string, { resolve: (outcome: CompleteAnalysisOutcome) => void; reject: (error: unknown) => void }>();
  const textract: LocalTextractJobs = new LocalTextractJobs(
    objects,
    new LocalPdfTableAnalyser(),
    async (finished: LocalJobFinished): Promise<void> => {
      const waiter = waiting.get(finished.jobTag);
      waiting.delete(finished.jobTag);
      await completeWhenRecorded(finished).then(
        (outcome) => waiter?.resolve(outcome),
        (error: unknown) => waiter?.reject(error),
      );
    },
    // The upload's status shows the pages read so far (`GET /uploads/{id}`: page n of N).
    ({ jobTag, pagesAnalysed }) => uploads.recordAnalysisProgress(jobTag, pagesAnalysed, systemClock.now().toISOString()),
  );

  /** Like Lambda's retry of an SNS message, a completion that outran the job's start is tried again. */
  async function completeWhenRecorded(finished: LocalJobFinished): Promise<CompleteAnalysisOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await completeAnalysis(finished, { uploads, plans, textract, clock: systemClock, ...resume });
      } catch (error) {
        if (!(error instanceof CompletionBeforeStartError) || attempt >= 50) throw error;
        await sleep(100);
      }
    }
  }

  /**
   * Upload an action plan PDF (or, as `kind` 'report', an inspection report PDF) as `uploader` (by
   * default the local operator) and wait until it is stored (or has failed). The upload is requested
   * first, as POST /uploads does, so ingestion knows who uploads.
   */
  async function ingest(
    fileName: string,
    bytes: Uint8Array,
    kind: UploadKind = 'plan',
    uploader: Uploader = LOCAL_OPERATOR,
  ): Promise<CompleteAnalysisOutcome> {
    const requestId = randomUUID();
    const object = { bucket, key: `${UPLOAD_PREFIXES[kind]}${requestId}/${basename(fileName)}`, versionId: `${Date.now()}` };
    const at = systemClock.now().toISOString();
    await uploads.createRequest({
      uploadId: requestId,
      kind,
      object: { bucket, key: object.key },
      requestedBy: uploader.subject,
      establishmentId: uploader.establishmentId,
      role: uploader.role,
      email: uploader.email,
      createdAt: at,
      urlExpiresAt: at,
    });
    await objects.put(object, bytes);
    const uploadId = uploadIdOf(object);
    const completed = new Promise<CompleteAnalysisOutcome>((resolve, reject) => waiting.set(uploadId, { resolve, reject }));
    const received = await receiveUpload(object, { uploads, plans, objects, textract, clock: systemClock, ...resume });
    if (received.outcome === 'analysing') return completed;
    waiting.delete(uploadId);
    if (received.outcome === 'ignored') throw new Error(`The upload was ignored: ${received.reason}`);
    return received;
  }

  /** A file PUT at its object key (the local gateway's stand-in for a presigned S3 PUT): stored, then received as S3's event would be. */
  async function ingestObject(key: string, bytes: Uint8Array) {
    const object = { bucket, key, versionId: `${Date.now()}` };
    await objects.put(object, bytes);
    return receiveUpload(object, { uploads, plans, objects, textract, clock: systemClock, ...resume });
  }

  return { ingest, ingestObject, uploads, plans, close: () => client.destroy() };
}
