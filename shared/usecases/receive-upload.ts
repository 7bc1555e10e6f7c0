import { DomainError } from '../domain/errors.ts';
import {
  analysisTokenOf,
  fileNameOf,
  inspectPdf,
  MAX_UPLOAD_BYTES,
  MAX_UPLOAD_PAGES,
  UPLOAD_PREFIXES,
  uploadIdOf,
  uploadKindOf,
  uploadRequestIdOf,
} from '../domain/uploads.ts';
import type { Clock } from '../ports/clock.ts';
import type { PlanStore } from '../ports/plan-store.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { TextractJobs } from '../ports/textract-jobs.ts';
import {
  type ObjectLocation,
  type UploadKind,
  type UploadRequests,
  uploaderOfRequest,
  type UploadStore,
} from '../ports/upload-store.ts';
import { type CompleteAnalysisOutcome, completeAnalysis } from './complete-analysis.ts';

export interface ReceiveUploadDependencies {
  /** The upload records, and the requests (POST /uploads) that grant object keys and say who uploads. */
  uploads: UploadStore & Pick<UploadRequests, 'getRequest'>;
  plans: PlanStore;
  objects: ObjectStore;
  textract: TextractJobs;
  clock: Clock;
}

export type ReceiveUploadOutcome =
  | { outcome: 'analysing'; uploadId: string; jobId: string }
  | CompleteAnalysisOutcome
  | { outcome: 'failed'; uploadId: string; reason: string }
  | { outcome: 'replayed'; uploadId: string }
  | { outcome: 'ignored'; reason: string };

/**
 * An object arrived in the upload bucket: record the upload and who uploaded it (the requester of
 * the upload request that granted its key), check it is a PDF Textract can take, and start the
 * analysis. An object no request granted (the bucket is written only through the URLs POST /uploads
 * signs, so someone wrote it past them) fails without being analysed. Safe to run twice for the
 * same object: the upload id comes from the object and Textract's request token from its content,
 * so a replayed event starts nothing new.
 */
export async function receiveUpload(
  uploaded: ObjectLocation,
  dependencies: ReceiveUploadDependencies,
): Promise<ReceiveUploadOutcome> {
  const { uploads, objects, textract, clock } = dependencies;
  const kind = uploadKindOf(uploaded.key);
  if (!kind) {
    return { outcome: 'ignored', reason: `${uploaded.key} is not under ${Object.values(UPLOAD_PREFIXES).join(' or ')}` };
  }

  const found = await findObject(objects, uploaded);
  if (!found) return { outcome: 'ignored', reason: `${uploaded.key} no longer exists` };
  const { object, info } = found;
  const uploadId = uploadIdOf(object);
  const uploadedBy = await uploaderOfObject(uploads, object.key, kind);
  const now = clock.now().toISOString();
  const created = await uploads.create({
    uploadId,
    kind,
    object,
    fileName: fileNameOf(object.key),
    sizeBytes: info.sizeBytes,
    status: 'queued',
    ...(uploadedBy ? { uploadedBy } : {}),
    createdAt: now,
    updatedAt: now,
  });
  if (!created) {
    const existing = await uploads.get(uploadId);
    // A run that stopped after recording the upload left it queued: carry on where it stopped.
    if (existing && existing.status !== 'queued') return { outcome: 'replayed', uploadId };
  }

  const fail = async (reason: string): Promise<ReceiveUploadOutcome> => {
    await uploads.markFailed(uploadId, reason, clock.now().toISOString());
    return { outcome: 'failed', uploadId, reason };
  };
  const fileName = fileNameOf(object.key);
  if (!uploadedBy) {
    return fail(
      `${fileName} arrived at ${object.key}, which no upload request recording who uploads granted, so nothing was ` +
        'stored; upload it through POST /uploads (or the upload page)',
    );
  }
  if (info.sizeBytes === 0) return fail(`${fileName} is empty`);
  if (info.sizeBytes > MAX_UPLOAD_BYTES) {
    return fail(`${fileName} is ${megabytes(info.sizeBytes)} MB; the largest PDF that can be analysed is 500 MB`);
  }
  const facts = await inspectPdf(objects.read(object));
  if (!facts.isPdf) return fail(`${fileName} is not a PDF (it does not start with %PDF-)`);
  if (facts.pageCount !== null && facts.pageCount > MAX_UPLOAD_PAGES) {
    return fail(`${fileName} has ${facts.pageCount} pages; at most ${MAX_UPLOAD_PAGES} can be analysed`);
  }

  try {
    const { jobId } = await textract.startAnalysis({
      object,
      clientRequestToken: analysisTokenOf(facts.sha256, kind),
      jobTag: uploadId,
      featureTypes: kind === 'report' ? ['TABLES', 'LAYOUT'] : ['TABLES'],
    });
    await uploads.markAnalysing(uploadId, {
      contentSha256: facts.sha256,
      analysisJobId: jobId,
      analysisStartedAt: clock.now().toISOString(),
      ...(facts.pageCount !== null ? { pageCount: facts.pageCount } : {}),
    });
    // The same content analysed before: Textract hands back the earlier job, which will send no
    // second notification, so finish this upload from that job's results now.
    const { status, message } = await textract.status(jobId);
    if (status !== 'IN_PROGRESS') {
      return completeAnalysis({ jobId, status, jobTag: uploadId, ...(message ? { message } : {}) }, dependencies);
    }
    return { outcome: 'analysing', uploadId, jobId };
  } catch (error) {
    if (error instanceof DomainError) return fail(error.message);
    throw error;
  }
}

/** The uploader recorded by the request that granted this object key and kind; null when none did. */
async function uploaderOfObject(requests: Pick<UploadRequests, 'getRequest'>, key: string, kind: UploadKind) {
  const requestId = uploadRequestIdOf(key);
  const request = requestId ? await requests.getRequest(requestId) : null;
  if (!request || request.object.key !== key || request.kind !== kind) return null;
  return uploaderOfRequest(request);
}

/**
 * S3 event notifications URL-encode object keys ("red flower.pdf" arrives as "red+flower.pdf"); when
 * the key as given names no object, the decoded one is tried.
 */
async function findObject(objects: ObjectStore, object: ObjectLocation) {
  const info = await objects.head(object);
  if (info) return { object, info };
  if (!/%[0-9A-Fa-f]{2}|\+/.test(object.key)) return null;
  const decoded = { ...object, key: decodeURIComponent(object.key.replace(/\+/g, ' ')) };
  const decodedInfo = await objects.head(decoded);
  return decodedInfo ? { object: decoded, info: decodedInfo } : null;
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(0);
}
