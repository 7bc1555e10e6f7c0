import type { Role, Uploader } from '../domain/access.ts';
import type { ObjectLocation, UploadKind } from '../domain/uploads.ts';

// The upload's kind and its object's location are domain facts (the key prefixes and upload ids are
// worked out from them there); they are re-exported because every upload store speaks in them.
export type { ObjectLocation, UploadKind };

export type UploadStatus = 'queued' | 'analysing' | 'parsed' | 'failed';

export interface Upload {
  uploadId: string;
  kind: UploadKind;
  object: ObjectLocation;
  /** File name as uploaded, for messages and the plan's `source`. */
  fileName: string;
  sizeBytes: number;
  status: UploadStatus;
  /** For a person: why the upload failed, or what is happening now. */
  statusReason?: string;
  contentSha256?: string;
  analysisJobId?: string;
  /** When the analysis started (ISO), for the sweeper. */
  analysisStartedAt?: string;
  pageCount?: number;
  /** Pages analysed so far, where the analyser reports progress (the local one does; Textract does not). */
  pagesAnalysed?: number;
  planId?: string;
  revision?: number;
  /**
   * Who uploaded it: the requester of the upload its object key was granted by. Absent when no
   * request granted the key; such an upload fails and stores nothing.
   */
  uploadedBy?: Uploader;
  createdAt: string;
  updatedAt: string;
}

/** Upload records: the status a person follows from upload to parsed plan. */
export interface UploadStore {
  /** Creates the record; false (and nothing written) when it already exists: a replayed event. */
  create(upload: Upload): Promise<boolean>;
  get(uploadId: string): Promise<Upload | null>;
  markAnalysing(
    uploadId: string,
    fields: { contentSha256: string; analysisJobId: string; analysisStartedAt: string; pageCount?: number },
  ): Promise<void>;
  markFailed(uploadId: string, reason: string, at: string): Promise<void>;
  /** Records how many pages the analysis has read, while the upload is analysing. */
  recordAnalysisProgress(uploadId: string, pagesAnalysed: number, at: string): Promise<void>;
  /**
   * Uploads not yet parsed or failed, oldest first: queued ones created before `before` (ISO) and
   * analysing ones whose analysis started before it.
   */
  listUnfinishedSince(before: string, limit: number): Promise<Upload[]>;
}

/**
 * An upload granted through the API (POST /uploads) before its file arrives: the object key the
 * client may PUT to, and who asked. Its id is the id the client follows the upload by.
 */
export interface UploadRequest {
  uploadId: string;
  kind: UploadKind;
  object: { bucket: string; key: string };
  /** The requester's subject, and their establishment when they are staff. */
  requestedBy: string;
  establishmentId: string | null;
  /**
   * The requester's role and email, so the upload (and each revision stored from it) records who
   * uploaded it. Absent on requests recorded before uploaders were.
   */
  role?: Role;
  email?: string | null;
  createdAt: string;
  /** When the signed URL stops working. */
  urlExpiresAt: string;
}

/** Who uploaded the file of a request; null when the request does not say (recorded before roles were). */
export function uploaderOfRequest(request: UploadRequest): Uploader | null {
  if (!request.role) return null;
  return { subject: request.requestedBy, role: request.role, email: request.email ?? null, establishmentId: request.establishmentId };
}

/** Upload requests, and the uploads their files became (found by object key). */
export interface UploadRequests {
  createRequest(request: UploadRequest): Promise<void>;
  getRequest(uploadId: string): Promise<UploadRequest | null>;
  /** The newest upload record of an object key (each version of the object is an upload). */
  findLatestUploadOf(key: string): Promise<Upload | null>;
}
