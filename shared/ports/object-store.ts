import type { ObjectLocation } from './upload-store.ts';

export interface StoredObjectInfo {
  sizeBytes: number;
  contentType?: string;
  /** User metadata (S3 x-amz-meta-*), lower-case keys. */
  metadata: Record<string, string>;
}

/** Uploaded files: S3 on AWS (and S3-compatible servers locally). */
export interface ObjectStore {
  head(location: ObjectLocation): Promise<StoredObjectInfo | null>;
  /** The object's bytes as a stream of chunks, so a large PDF is hashed without being held whole. */
  read(location: ObjectLocation): AsyncIterable<Uint8Array>;
}
