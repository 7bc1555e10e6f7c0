import { assertCanReadUpload, type Principal } from '../domain/access.ts';
import { NotFoundError } from '../domain/request-errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { UploadKind, UploadRequests } from '../ports/upload-store.ts';

export type UploadProgress = 'awaiting_file' | 'queued' | 'analysing' | 'parsed' | 'failed';

export interface UploadStatusView {
  uploadId: string;
  kind: UploadKind;
  status: UploadProgress;
  /** Why it failed, or what is happening, for a person; null when there is nothing to say. */
  reason: string | null;
  /**
   * Pages analysed so far, and the document's page count. `analysed` is null while analysing:
   * Textract does not report progress (the count is known once parsed); `total` is null until the
   * file has been read, or when its page objects are compressed.
   */
  pages: { analysed: number | null; total: number | null };
  plan: { planId: string; revision: number } | null;
  requestedAt: string;
  updatedAt: string;
  /** Until then the upload URL works; afterwards an `awaiting_file` upload will never arrive. */
  urlExpiresAt: string;
}

/** The upload a client follows by the id POST /uploads gave it: a GetItem of the request, a Query of GSI2 by object key. */
export async function getUploadStatus(
  uploadId: string,
  principal: Principal,
  { uploads, clock }: { uploads: UploadRequests; clock: Clock },
): Promise<UploadStatusView> {
  const request = await uploads.getRequest(uploadId);
  if (!request) throw new NotFoundError(`No upload ${uploadId}`);
  assertCanReadUpload(principal, request.requestedBy);
  const upload = await uploads.findLatestUploadOf(request.object.key);
  const base = { uploadId, kind: request.kind, requestedAt: request.createdAt, urlExpiresAt: request.urlExpiresAt };
  if (!upload) {
    const expired = clock.now().toISOString() > request.urlExpiresAt;
    return {
      ...base,
      status: 'awaiting_file',
      reason: expired ? 'The upload URL expired before a file arrived; request a new one' : null,
      pages: { analysed: null, total: null },
      plan: null,
      updatedAt: request.createdAt,
    };
  }
  const total = upload.pageCount ?? null;
  return {
    ...base,
    status: upload.status,
    reason: upload.statusReason ?? null,
    pages: { analysed: upload.status === 'parsed' ? total : (upload.pagesAnalysed ?? null), total },
    plan: upload.planId && upload.revision !== undefined ? { planId: upload.planId, revision: upload.revision } : null,
    updatedAt: upload.updatedAt,
  };
}
