import { createHash, randomUUID } from 'node:crypto';
import type { Plan } from '../../shared/domain/plan.ts';
import type { PlanStore, StoreRevisionResult } from '../../shared/ports/plan-store.ts';
import type { UploadStore } from '../../shared/ports/upload-store.ts';
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
  const uploadId = randomUUID();
  await stores.uploads.create({
    uploadId,
    kind: 'plan',
    object: { bucket: 'uploads', key: `uploads/plans/${uploadId}/${plan.source}` },
    fileName: plan.source,
    sizeBytes: 1000,
    status: 'analysing',
    createdAt: storedAt,
    updatedAt: storedAt,
  });
  const contentSha256 = options.contentSha256 ?? createHash('sha256').update(JSON.stringify(plan)).digest('hex');
  return stores.plans.storeRevision({ plan, uploadId, contentSha256, storedAt, uploadedBy: options.uploadedBy ?? ADMIN_UPLOADER });
}
