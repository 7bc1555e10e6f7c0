import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignedUpload, UploadUrlRequest, UploadUrlSigner } from '../../ports/upload-url-signer.ts';

/**
 * Locally, the "presigned URL" is a route of the local API gateway (`PUT /local-uploads/<key>`),
 * which writes the file into the folder object store and hands it to the local ingestion. Like
 * S3's, the URL is signed: `signature` is an HMAC-SHA256, under a key only this machine holds
 * (`.local/upload-signing-key`, 0600), of the method, the object key, the content type and the
 * expiry, so a client can neither choose another key, content type or expiry, nor make a URL up.
 */

export const LOCAL_UPLOAD_PATH = '/local-uploads/';

export interface LocalUploadGrant {
  method: string;
  key: string;
  contentType: string;
  /** The expiry as written in the URL (ISO 8601). */
  expires: string;
}

export type LocalUploadCheck = { ok: true } | { ok: false; reason: string };

/** The URL path of an object key, each segment percent-encoded. */
export function localUploadPath(key: string): string {
  return LOCAL_UPLOAD_PATH + key.split('/').map(encodeURIComponent).join('/');
}

/** base64url HMAC-SHA256 of the grant; the fields as a JSON array, so no two grants read the same. */
export function localUploadSignature(secret: Uint8Array, { method, key, contentType, expires }: LocalUploadGrant): string {
  return createHmac('sha256', secret).update(JSON.stringify([method.toUpperCase(), key, contentType, expires])).digest('base64url');
}

/**
 * Whether a PUT may store its file: the signature must be the one made for this method, key,
 * content type and expiry (compared in constant time), and the expiry not past.
 */
export function checkLocalUpload(
  secret: Uint8Array,
  request: { method: string; key: string; contentType: string; expires: string | null; signature: string | null },
  now: Date,
): LocalUploadCheck {
  const { expires, signature } = request;
  if (!expires || !signature) return { ok: false, reason: 'The upload URL is not signed: ask for a new one (POST /uploads)' };
  const expected = Buffer.from(localUploadSignature(secret, { ...request, expires }));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'The upload URL’s signature does not match this file key, content type and expiry' };
  }
  const expiresAt = Date.parse(expires);
  if (Number.isNaN(expiresAt) || now.getTime() > expiresAt) return { ok: false, reason: 'The upload URL has expired: ask for a new one (POST /uploads)' };
  return { ok: true };
}

export class LocalUploadUrlSigner implements UploadUrlSigner {
  constructor(
    private readonly gatewayUrl: string,
    private readonly secret: Uint8Array,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sign({ key, contentType, expiresInSeconds }: UploadUrlRequest): Promise<SignedUpload> {
    const expiresAt = new Date(this.now().getTime() + expiresInSeconds * 1000).toISOString();
    const url = new URL(localUploadPath(key), this.gatewayUrl);
    url.searchParams.set('expires', expiresAt);
    url.searchParams.set('signature', localUploadSignature(this.secret, { method: 'PUT', key, contentType, expires: expiresAt }));
    return { url: url.toString(), method: 'PUT', headers: { 'Content-Type': contentType }, expiresAt };
  }
}
