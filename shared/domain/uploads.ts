import { createHash } from 'node:crypto';

/** What an upload is for: a plan PDF, or an inspection report that starts a plan. */
export type UploadKind = 'plan' | 'report';

/** Where a stored object is: the bucket, its key, and (in a versioned bucket) which version. */
export interface ObjectLocation {
  bucket: string;
  key: string;
  /** S3 object version (the bucket is versioned); absent for a local store without versions. */
  versionId?: string;
}

/** Where uploads land: the prefix says what the file is. */
export const UPLOAD_PREFIXES: Record<UploadKind, string> = {
  plan: 'uploads/plans/',
  report: 'uploads/reports/',
};

/** Textract's asynchronous limits, which an upload must meet before a job is started. */
export const MAX_UPLOAD_BYTES = 500 * 1024 * 1024;
export const MAX_UPLOAD_PAGES = 3000;

export function uploadKindOf(key: string): UploadKind | null {
  for (const [kind, prefix] of Object.entries(UPLOAD_PREFIXES) as [UploadKind, string][]) {
    if (key.startsWith(prefix) && key.length > prefix.length) return kind;
  }
  return null;
}

/** One upload per stored object version: a replayed event for the same object finds the same id. */
export function uploadIdOf({ bucket, key, versionId }: ObjectLocation): string {
  return createHash('sha256').update(`${bucket}\n${key}\n${versionId ?? ''}`).digest('hex').slice(0, 32);
}

/**
 * The id of the upload request (POST /uploads) an object key was granted by: the uuid segment of
 * `<prefix><uuid>/<file name>`. Null for a key of another shape, which no request grants.
 */
export function uploadRequestIdOf(key: string): string | null {
  const kind = uploadKindOf(key);
  if (!kind) return null;
  const match = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/[^/]+$/i.exec(key.slice(UPLOAD_PREFIXES[kind].length));
  return match ? match[1]! : null;
}

export function fileNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/**
 * Textract's ClientRequestToken (1–64 of [a-zA-Z0-9-_]) from the content and what it was uploaded
 * as: the same bytes, the same job, however often they are uploaded or the event replayed. The kind
 * is part of it because a report's job asks for more (LAYOUT), and Textract refuses a token reused
 * with other parameters.
 */
export function analysisTokenOf(contentSha256: string, kind: UploadKind): string {
  return `${contentSha256.slice(0, 62)}-${kind === 'report' ? 'r' : 'p'}`;
}

export interface PdfFacts {
  sha256: string;
  sizeBytes: number;
  isPdf: boolean;
  /** Page objects counted in the file; null when they are inside compressed object streams. */
  pageCount: number | null;
}

/**
 * Reads a file once, as a stream: its hash, whether it starts like a PDF (`%PDF-` within the first
 * kilobyte, as readers accept), and its page count where the page objects can be seen.
 */
export async function inspectPdf(chunks: AsyncIterable<Uint8Array>): Promise<PdfFacts> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  let head = '';
  const pages = new PageObjectCounter();
  for await (const chunk of chunks) {
    hash.update(chunk);
    sizeBytes += chunk.length;
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    if (head.length < 1024) head += text.slice(0, 1024 - head.length);
    pages.add(text);
  }
  const pageCount = pages.finish();
  return { sha256: hash.digest('hex'), sizeBytes, isPdf: head.includes('%PDF-'), pageCount: pageCount > 0 ? pageCount : null };
}

/** Counts "/Type /Page" (not "/Pages") across chunk boundaries, each occurrence once. */
class PageObjectCounter {
  private static readonly PATTERN = /\/Type\s*\/Page(?![a-zA-Z])/g;
  private static readonly OVERLAP = 64;
  private tail = '';
  private tailStart = 0;
  private countedUpTo = 0;
  private count = 0;

  add(text: string): void {
    const window = this.tail + text;
    this.countIn(window, false);
    const keep = Math.min(PageObjectCounter.OVERLAP, window.length);
    this.tailStart += window.length - keep;
    this.tail = window.slice(window.length - keep);
  }

  finish(): number {
    this.countIn(this.tail, true);
    return this.count;
  }

  /** A match touching the window's end waits for the next chunk, which may turn "/Page" into "/Pages". */
  private countIn(window: string, final: boolean): void {
    for (const match of window.matchAll(PageObjectCounter.PATTERN)) {
      const end = match.index + match[0].length;
      if (!final && end >= window.length) continue;
      const absoluteEnd = this.tailStart + end;
      if (absoluteEnd <= this.countedUpTo) continue;
      this.count++;
      this.countedUpTo = absoluteEnd;
    }
  }
}
