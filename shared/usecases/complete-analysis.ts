import { DomainError } from '../domain/errors.ts';
import { readActionPlanDocument } from '../extraction/read-action-plan.ts';
import { TextractDocumentReader } from '../extraction/textract-document.ts';
import type { Clock } from '../ports/clock.ts';
import type { PlanStore } from '../ports/plan-store.ts';
import type { AnalysisJobStatus, TextractJobs } from '../ports/textract-jobs.ts';
import type { UploadStore } from '../ports/upload-store.ts';

/**
 * The completion arrived before the start of the job was recorded (a very quick job): thrown so the
 * message is delivered again a little later, when the upload knows its job.
 */
export class CompletionBeforeStartError extends Error {
  constructor(uploadId: string, jobId: string) {
    super(`Upload ${uploadId} has not recorded job ${jobId} yet; try again`);
    this.name = 'CompletionBeforeStartError';
  }
}

export interface CompleteAnalysisDependencies {
  uploads: UploadStore;
  plans: PlanStore;
  textract: TextractJobs;
  clock: Clock;
}

export interface AnalysisFinished {
  jobId: string;
  status: AnalysisJobStatus;
  /** The upload id, sent to Textract as the job tag. */
  jobTag: string;
  message?: string;
}

export type CompleteAnalysisOutcome =
  | { outcome: 'parsed'; uploadId: string; planId: string; revision: number; created: boolean }
  | { outcome: 'failed'; uploadId: string; reason: string }
  | { outcome: 'replayed'; uploadId: string }
  | { outcome: 'ignored'; reason: string };

/**
 * Textract finished a job: read every result page into the plan and store it as a new revision, or
 * record why it failed in words a person understands. A replayed notification changes nothing.
 * Unexpected errors are thrown, so the platform retries and, in the end, dead-letters the message.
 */
export async function completeAnalysis(
  finished: AnalysisFinished,
  { uploads, plans, textract, clock }: CompleteAnalysisDependencies,
): Promise<CompleteAnalysisOutcome> {
  const upload = await uploads.get(finished.jobTag);
  if (!upload) return { outcome: 'ignored', reason: `no upload ${finished.jobTag} for Textract job ${finished.jobId}` };
  if (upload.status === 'parsed' || upload.status === 'failed') return { outcome: 'replayed', uploadId: upload.uploadId };
  if (upload.status === 'queued') throw new CompletionBeforeStartError(upload.uploadId, finished.jobId);
  if (upload.analysisJobId !== finished.jobId) {
    return { outcome: 'ignored', reason: `job ${finished.jobId} is not the analysis of upload ${upload.uploadId}` };
  }

  const fail = async (reason: string): Promise<CompleteAnalysisOutcome> => {
    await uploads.markFailed(upload.uploadId, reason, clock.now().toISOString());
    return { outcome: 'failed', uploadId: upload.uploadId, reason };
  };
  if (finished.status === 'FAILED') {
    return fail(`Textract could not analyse ${upload.fileName}${finished.message ? `: ${finished.message}` : ''}`);
  }
  if (finished.status === 'IN_PROGRESS') return { outcome: 'ignored', reason: `job ${finished.jobId} is still running` };

  try {
    const reader = new TextractDocumentReader();
    for await (const page of textract.results(finished.jobId)) reader.add(page);
    const plan = readActionPlanDocument(reader.finish(), upload.fileName);
    const stored = await plans.storeRevision({
      plan,
      uploadId: upload.uploadId,
      contentSha256: upload.contentSha256 ?? '',
      storedAt: clock.now().toISOString(),
    });
    return { outcome: 'parsed', uploadId: upload.uploadId, ...stored };
  } catch (error) {
    if (error instanceof DomainError) return fail(`${upload.fileName} could not be read as an action plan: ${error.message}`);
    throw error;
  }
}
