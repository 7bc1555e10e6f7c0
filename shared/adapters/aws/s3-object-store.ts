import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore, StoredObjectInfo } from '../../ports/object-store.ts';
import type { ObjectLocation } from '../../ports/upload-store.ts';

/** S3, or an S3-compatible server at a local endpoint: the same adapter. */
export class S3ObjectStore implements ObjectStore {
  constructor(private readonly client: S3Client) {}

  async head({ bucket, key, versionId }: ObjectLocation): Promise<StoredObjectInfo | null> {
    try {
      const output = await this.client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
      );
      return {
        sizeBytes: output.ContentLength ?? 0,
        ...(output.ContentType ? { contentType: output.ContentType } : {}),
        metadata: output.Metadata ?? {},
      };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NotFound' || name === 'NoSuchKey') return null;
      throw error;
    }
  }

  async *read({ bucket, key, versionId }: ObjectLocation): AsyncGenerator<Uint8Array> {
    const output = await this.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    const body = output.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) return;
    for await (const chunk of body) yield chunk;
  }
}
