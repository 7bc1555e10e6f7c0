import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SignedUpload, UploadUrlRequest, UploadUrlSigner } from '../../ports/upload-url-signer.ts';

/** S3 presigned PUT URLs into the upload bucket; the content type is signed, so the client must send it. */
export class S3UploadUrlSigner implements UploadUrlSigner {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sign({ key, contentType, expiresInSeconds }: UploadUrlRequest): Promise<SignedUpload> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType });
    const url = await getSignedUrl(this.s3, command, {
      expiresIn: expiresInSeconds,
      signableHeaders: new Set(['content-type']),
    });
    return {
      url,
      method: 'PUT',
      headers: { 'Content-Type': contentType },
      expiresAt: new Date(this.now().getTime() + expiresInSeconds * 1000).toISOString(),
    };
  }
}
