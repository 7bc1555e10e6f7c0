import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ObjectStore, StoredObjectInfo } from '../../ports/object-store.ts';
import type { ObjectLocation } from '../../ports/upload-store.ts';

/**
 * The local object store: `<root>/<bucket>/<key>` as plain files, with user metadata in a sidecar
 * `<key>.metadata.json`. Keys cannot climb out of their bucket's folder.
 */
export class FolderObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  async put(location: ObjectLocation, bytes: Uint8Array, metadata: Record<string, string> = {}): Promise<void> {
    const path = this.pathOf(location);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    await writeFile(`${path}.metadata.json`, JSON.stringify(metadata));
  }

  async head(location: ObjectLocation): Promise<StoredObjectInfo | null> {
    const path = this.pathOf(location);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return null;
    const metadata = await readFile(`${path}.metadata.json`, 'utf8').then(
      (text) => JSON.parse(text) as Record<string, string>,
      () => ({}),
    );
    return { sizeBytes: info.size, contentType: 'application/pdf', metadata };
  }

  async *read(location: ObjectLocation): AsyncGenerator<Uint8Array> {
    for await (const chunk of createReadStream(this.pathOf(location))) yield chunk as Uint8Array;
  }

  private pathOf({ bucket, key }: ObjectLocation): string {
    const bucketFolder = resolve(this.root, bucket);
    const path = resolve(join(bucketFolder, key));
    if (!path.startsWith(bucketFolder + sep)) throw new Error(`Object key ${key} leaves its bucket`);
    return path;
  }
}
