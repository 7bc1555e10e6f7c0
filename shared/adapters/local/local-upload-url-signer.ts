import type { SignedUpload, UploadUrlRequest, UploadUrlSigner } from '../../ports/upload-url-signer.ts';

/**
 * Locally, the "presigned URL" is a route of the local API gateway (`PUT /local-uploads/<key>`),
 * which writes the file into the folder object store and hands it to the local ingestion.
 */
export class LocalUploadUrlSigner implements UploadUrlSigner {
  constructor(
    private readonly gatewayUrl: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sign({ key, contentType, expiresInSeconds }: UploadUrlRequest): Promise<SignedUpload> {
    const expiresAt = new Date(this.now().getTime() + expiresInSeconds * 1000).toISOString();
    const url = new URL(`/local-uploads/${key.split('/').map(encodeURIComponent).join('/')}`, this.gatewayUrl);
    url.searchParams.set('expires', expiresAt);
    return { url: url.toString(), method: 'PUT', headers: { 'Content-Type': contentType }, expiresAt };
  }
}
