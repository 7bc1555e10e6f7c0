import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { FolderObjectStore } from '../../shared/adapters/local/folder-object-store.ts';
import { type LocalJobFinished, LocalTextractJobs } from '../../shared/adapters/local/local-textract-jobs.ts';
import { WorkerPdfTableAnalyser } from '../../shared/adapters/local/worker-pdf-analyser.ts';
import { sleep } from '../../shared/adapters/retry.ts';
import type { Uploader } from '../../shared/domain/access.ts';
import { analysisTokenOf, UPLOAD_PREFIXES, uploadIdOf } from '../../shared/domain/uploads.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { Upload, UploadKind } from '../../shared/ports/upload-store.ts';
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
  /** Where internal failures are reported in full (an upload shows a plain reason); default stderr. */
  log?: (message: string) => void;
}

/** An analysis interrupted longer ago than this is not restarted but failed (as the AWS sweeper gives up after 24 hours). */
export const RESUME_ANALYSES_STARTED_WITHIN_HOURS = 24;

/** How many unfinished uploads one start resumes or fails (the rest, if ever so many, at the next start). */
const RESUME_AT_MOST_UPLOADS = 1_000;

/** What an upload says when finishing its analysis failed inside the system (the details are logged, not shown). */
export function internalFailureReason(fileName: string): string {
  return `The analysis of ${fileName} could not be finished because of an internal error (logged where the local stack runs); upload it again, and if it fails again tell whoever runs the service`;
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
  const log = options.log ?? ((message: string) => console.error(message));
  const waiting = new Map<string, { resolve: (outcome: CompleteAnalysisOutcome) => void; reject: (error: unknown) => void }>();
  const textract: LocalTextractJobs = new LocalTextractJobs(
    objects,
    // In a worker thread: the server keeps answering while a document is read, and a document that
    // needs too much memory or time ends its worker, not the stack.
    new WorkerPdfTableAnalyser(),
    async (finished: LocalJobFinished): Promise<void> => {
      const waiter = waiting.get(finished.jobTag);
      waiting.delete(finished.jobTag);
      await completeWhenRecorded(finished).then(
        (outcome) => waiter?.resolve(outcome),
        async (error: unknown) => {
          // Where Lambda would retry and dead-letter the message, the upload is failed at once with a
          // plain reason: nothing else would ever finish it.
          await failInternally(finished.jobTag, error);
          waiter?.reject(error);
        },
      );
    },
    // The upload's status shows the pages read so far (`GET /uploads/{id}`: page n of N).
    ({ jobTag, pagesAnalysed }) => uploads.recordAnalysisProgress(jobTag, pagesAnalysed, systemClock.now().toISOString()),
    log,
  );

  /**
   * Like Lambda's retry of an SNS message, a completion that outran the recording of its job is tried
   * again: the job's start (the upload still queued), or a restarted job (the upload still names the
   * job of the run that was interrupted).
   */
  async function completeWhenRecorded(finished: LocalJobFinished): Promise<CompleteAnalysisOutcome> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= 50;
      try {
        const outcome = await completeAnalysis(finished, { uploads, plans, textract, clock: systemClock, ...resume });
        if (outcome.outcome !== 'ignored' || last || !(await namesAnotherJob(finished))) return outcome;
      } catch (error) {
        if (!(error instanceof CompletionBeforeStartError) || last) throw error;
      }
      await sleep(100);
    }
  }

  async function namesAnotherJob(finished: LocalJobFinished): Promise<boolean> {
    const upload = await uploads.get(finished.jobTag);
    return upload?.status === 'analysing' && upload.analysisJobId !== finished.jobId;
  }

  /** The upload failed with a plain reason, the details logged. */
  async function failInternally(uploadId: string, error: unknown): Promise<CompleteAnalysisOutcome> {
    log(`finishing the analysis of upload ${uploadId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    const upload = await uploads.get(uploadId).catch(() => null);
    const reason = internalFailureReason(upload?.fileName ?? 'the upload');
    try {
      await uploads.markFailed(uploadId, reason, systemClock.now().toISOString());
    } catch (markError) {
      // Left unfinished: the next start of the local stack resumes or fails it.
      log(`upload ${uploadId} could not be marked failed: ${markError instanceof Error ? markError.message : String(markError)}`);
    }
    return { outcome: 'failed', uploadId, reason };
  }

  /**
   * Records an upload request as POST /uploads does (who uploads, for which establishment) and
   * returns the object key it grants, for a file put there next (`ingestObject`, or `ingest`).
   */
  async function grantUpload(fileName: string, kind: UploadKind = 'plan', uploader: Uploader = LOCAL_OPERATOR): Promise<string> {
    const requestId = randomUUID();
    const key = `${UPLOAD_PREFIXES[kind]}${requestId}/${basename(fileName)}`;
    const at = systemClock.now().toISOString();
    await uploads.createRequest({
      uploadId: requestId,
      kind,
      object: { bucket, key },
      requestedBy: uploader.subject,
      establishmentId: uploader.establishmentId,
      role: uploader.role,
      email: uploader.email,
      createdAt: at,
      urlExpiresAt: at,
    });
    return key;
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
    const object = { bucket, key: await grantUpload(fileName, kind, uploader), versionId: `${Date.now()}` };
    await objects.put(object, bytes);
    const uploadId = uploadIdOf(object);
    const completed = new Promise<CompleteAnalysisOutcome>((resolve, reject) => waiting.set(uploadId, { resolve, reject }));
    const received = await receiveUpload(object, { uploads, plans, objects, textract, clock: systemClock, ...resume }).catch(
      async (error: unknown) => {
        waiting.delete(uploadId);
        await failInternally(uploadId, error);
        throw error;
      },
    );
    if (received.outcome === 'analysing') return completed;
    waiting.delete(uploadId);
    if (received.outcome === 'ignored') throw new Error(`The upload was ignored: ${received.reason}`);
    return received;
  }

  /** A file PUT at its object key (the local gateway's stand-in for a presigned S3 PUT): stored, then received as S3's event would be. */
  async function ingestObject(key: string, bytes: Uint8Array) {
    const object = { bucket, key, versionId: `${Date.now()}` };
    await objects.put(object, bytes);
    try {
      return await receiveUpload(object, { uploads, plans, objects, textract, clock: systemClock, ...resume });
    } catch (error) {
      // The PUT is answered 503 (send it again), and the upload this try recorded, if it got that far,
      // ends failed instead of staying queued.
      await failInternally(uploadIdOf(object), error);
      throw error;
    }
  }

  /**
   * Run when the local stack starts: every upload an earlier run left unfinished (the stack was
   * stopped or killed while it was queued or analysing) is analysed again from its stored file, or
   * failed with a reason when that cannot be (its file is gone, or it was interrupted more than
   * RESUME_ANALYSES_STARTED_WITHIN_HOURS ago). Returns once each has been restarted or failed; the
   * restarted analyses finish as any other.
   */
  async function resumeUnfinished(): Promise<{ resumed: string[]; failed: string[] }> {
    const result = { resumed: [] as string[], failed: [] as string[] };
    const dependencies = { uploads, plans, objects, textract, clock: systemClock, ...resume };
    const giveUpBefore = new Date(systemClock.now().getTime() - RESUME_ANALYSES_STARTED_WITHIN_HOURS * 3_600_000).toISOString();
    for (const upload of await unfinishedUploads()) {
      const fail = async (reason: string) => {
        await uploads.markFailed(upload.uploadId, reason, systemClock.now().toISOString());
        result.failed.push(upload.uploadId);
      };
      try {
        if (!(await objects.head(upload.object))) {
          await fail(`The analysis of ${upload.fileName} was interrupted (the local stack stopped) and its file is no longer stored; upload it again`);
        } else if ((upload.analysisStartedAt ?? upload.createdAt) < giveUpBefore) {
          await fail(`The analysis of ${upload.fileName} was interrupted (the local stack stopped) more than ${RESUME_ANALYSES_STARTED_WITHIN_HOURS} hours ago; upload it again`);
        } else if (upload.status === 'queued' || !upload.contentSha256) {
          // receiveUpload carries on with an upload it finds queued.
          const received = await receiveUpload(upload.object, dependencies);
          (received.outcome === 'failed' ? result.failed : result.resumed).push(upload.uploadId);
        } else {
          await restartAnalysis(upload, upload.contentSha256);
          result.resumed.push(upload.uploadId);
        }
      } catch (error) {
        await failInternally(upload.uploadId, error);
        result.failed.push(upload.uploadId);
      }
    }
    if (result.resumed.length + result.failed.length > 0) {
      log(`Uploads left unfinished by an earlier run: ${result.resumed.length} analysed again, ${result.failed.length} failed with a reason`);
    }
    return result;
  }

  /** A new job for an upload whose job ended with the run that started it; its start time is kept. */
  async function restartAnalysis(upload: Upload, contentSha256: string): Promise<void> {
    const { jobId } = await textract.startAnalysis({
      object: upload.object,
      clientRequestToken: analysisTokenOf(contentSha256, upload.kind),
      jobTag: upload.uploadId,
      featureTypes: upload.kind === 'report' ? ['TABLES', 'LAYOUT'] : ['TABLES'],
    });
    await uploads.markAnalysing(upload.uploadId, {
      contentSha256,
      analysisJobId: jobId,
      analysisStartedAt: upload.analysisStartedAt ?? systemClock.now().toISOString(),
      ...(upload.pageCount !== undefined ? { pageCount: upload.pageCount } : {}),
    });
  }

  /**
   * Uploads queued or analysing when this run starts (the sweeper's index: every unfinished upload is
   * in it), at most RESUME_AT_MOST_UPLOADS of them, oldest first.
   */
  function unfinishedUploads(): Promise<Upload[]> {
    return uploads.listUnfinishedSince(systemClock.now().toISOString(), RESUME_AT_MOST_UPLOADS);
  }

  return { ingest, grantUpload, ingestObject, resumeUnfinished, uploads, plans, close: () => client.destroy() };
}
