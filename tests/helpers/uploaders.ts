import type { Uploader } from '../../shared/domain/access.ts';
import { uploadKindOf, uploadRequestIdOf } from '../../shared/domain/uploads.ts';
import type { UploadRequests } from '../../shared/ports/upload-store.ts';

/** An admin who uploads (admins may upload for every establishment), for tests that store plans directly. */
export const ADMIN_UPLOADER: Uploader = {
  subject: 'test-admin',
  role: 'admin',
  email: 'admin@example.gov.uk',
  establishmentId: null,
};

/** A member of staff of one establishment who uploads. */
export function staffUploader(establishmentId: string, subject = `staff-of-${establishmentId}`): Uploader {
  return { subject, role: 'staff', email: `${subject}@example.gov.uk`, establishmentId };
}

/**
 * Records the upload request POST /uploads makes for `key` (`<prefix><request id>/<file name>`), as
 * `uploader` (an admin unless given), so that the ingestion of a file put at that key knows who
 * uploads it. The request's link expires when it is made unless told otherwise.
 */
export async function recordUploadRequest(
  requests: Pick<UploadRequests, 'createRequest'>,
  key: string,
  options: { bucket?: string; uploader?: Uploader; createdAt?: string; urlExpiresAt?: string } = {},
): Promise<void> {
  const kind = uploadKindOf(key);
  const requestId = uploadRequestIdOf(key);
  if (!kind || !requestId) throw new Error(`${key} is not the key of an upload request (<prefix><request id>/<file name>)`);
  const uploader = options.uploader ?? ADMIN_UPLOADER;
  const createdAt = options.createdAt ?? new Date().toISOString();
  await requests.createRequest({
    uploadId: requestId,
    kind,
    object: { bucket: options.bucket ?? 'uploads', key },
    requestedBy: uploader.subject,
    establishmentId: uploader.establishmentId,
    role: uploader.role,
    email: uploader.email,
    createdAt,
    urlExpiresAt: options.urlExpiresAt ?? createdAt,
  });
}
