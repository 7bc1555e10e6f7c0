import { createHash, randomUUID } from 'node:crypto';
import type { Plan } from '../../shared/domain/plan.ts';
import type { Report } from '../../shared/domain/report.ts';
import type { PlanStore, StoreRevisionResult } from '../../shared/ports/plan-store.ts';
import type { UploadKind, UploadStore } from '../../shared/ports/upload-store.ts';
import type { Uploader } from '../../shared/domain/access.ts';
import { ADMIN_UPLOADER } from './uploaders.ts';

/**
 * Stores a plan as the ingestion does once its analysis is read: the upload's record (being
 * analysed), then the revision. The content hash is the plan's own unless given; an admin uploads it
 * unless another uploader is given.
 */
export async function storePlanRevision(
  stores: { uploads: UploadStore; plans: PlanStore },
  plan: Plan,
  options: { contentSha256?: string; storedAt?: string; uploadedBy?: Uploader } = {},
): Promise<StoreRevisionResult> {
  const storedAt = options.storedAt ?? new Date().toISOString();
  const uploadId = await analysingUpload(stores.uploads, 'plan', plan.source, storedAt);
  const contentSha256 = options.contentSha256 ?? contentHashOf(plan);
  return stores.plans.storeRevision({ plan, uploadId, contentSha256, storedAt, uploadedBy: options.uploadedBy ?? ADMIN_UPLOADER });
}

/**
 * Stores an inspection report's draft as the ingestion does once its analysis is read: the upload's
 * record (being analysed), then the draft awaiting the response. An admin uploads it unless another
 * uploader is given.
 */
export async function storeReportDraft(
  stores: { uploads: UploadStore; plans: PlanStore },
  report: Report,
  options: { storedAt?: string; uploadedBy?: Uploader } = {},
): Promise<StoreRevisionResult> {
  const storedAt = options.storedAt ?? new Date().toISOString();
  const uploadId = await analysingUpload(stores.uploads, 'report', report.source, storedAt);
  return stores.plans.storeDraft({ report, uploadId, contentSha256: contentHashOf(report), storedAt, uploadedBy: options.uploadedBy ?? ADMIN_UPLOADER });
}

async function analysingUpload(uploads: UploadStore, kind: UploadKind, fileName: string, at: string): Promise<string> {
  const uploadId = randomUUID();
  await uploads.create({
    uploadId,
    kind,
    object: { bucket: 'uploads', key: `uploads/${kind}s/${uploadId}/${fileName}` },
    fileName,
    sizeBytes: 1000,
    status: 'analysing',
    createdAt: at,
    updatedAt: at,
  });
  return uploadId;
}

function contentHashOf(document: Plan | Report): string {
  return createHash('sha256').update(JSON.stringify(document)).digest('hex');
}
