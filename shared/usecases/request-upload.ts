import { randomUUID } from 'node:crypto';
import { assertCanUpload, type Principal } from '../domain/access.ts';
import { UPLOAD_PREFIXES } from '../domain/uploads.ts';
import type { Clock } from '../ports/clock.ts';
import type { UploadKind, UploadRequests } from '../ports/upload-store.ts';
import type { SignedUpload, UploadUrlSigner } from '../ports/upload-url-signer.ts';

export interface RequestUploadResult {
  uploadId: string;
  kind: UploadKind;
  upload: Omit<SignedUpload, 'expiresAt'>;
  expiresAt: string;
  statusUrl: string;
}

export const UPLOAD_URL_LIFETIME_SECONDS = 15 * 60;

/**
 * The file's name as it goes into the object key (and from there into the plan's `source`): its
 * last path segment, with only letters, digits, spaces and `._()-` kept, at most 120 characters,
 * ending in `.pdf`.
 */
export function safeFileName(fileName: string | undefined): string {
  const base = (fileName ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9 ._()-]+/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/^[ .-]+/, '')
    .trim()
    .slice(0, 120);
  if (cleaned === '' || /^\.*pdf$/i.test(cleaned)) return 'upload.pdf';
  return /\.pdf$/i.test(cleaned) ? cleaned : `${cleaned}.pdf`;
}

/**
 * Grants one upload: a fresh object key under the kind's prefix (`uploads/plans/<uuid>/<file name>`), a URL
 * to PUT the PDF to, and a record of the request under the id the client follows it by (the uuid).
 * The S3 event of the object then starts the ingestion; GET /uploads/{id} finds that upload by key.
 */
export async function requestUpload(
  input: { kind: UploadKind; fileName?: string | undefined },
  principal: Principal,
  { uploads, signer, clock, bucket }: { uploads: UploadRequests; signer: UploadUrlSigner; clock: Clock; bucket: string },
): Promise<RequestUploadResult> {
  assertCanUpload(principal);
  const uploadId = randomUUID();
  // The uuid keeps keys unique; the file's own name, last, becomes the plan's `source`.
  const key = `${UPLOAD_PREFIXES[input.kind]}${uploadId}/${safeFileName(input.fileName)}`;
  const signed = await signer.sign({ key, contentType: 'application/pdf', expiresInSeconds: UPLOAD_URL_LIFETIME_SECONDS });
  await uploads.createRequest({
    uploadId,
    kind: input.kind,
    object: { bucket, key },
    requestedBy: principal.subject,
    establishmentId: principal.establishmentId,
    // Who uploads: ingestion keeps staff to their own establishment and records them on the revision.
    role: principal.role,
    email: principal.email,
    createdAt: clock.now().toISOString(),
    urlExpiresAt: signed.expiresAt,
  });
  const { expiresAt, ...upload } = signed;
  return { uploadId, kind: input.kind, upload, expiresAt, statusUrl: `/uploads/${uploadId}` };
}
