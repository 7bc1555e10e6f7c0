import { type Uploader, uploadRefusal } from '../domain/access.ts';
import { draftComparisonWarnings } from '../domain/draft-plan.ts';
import { establishmentIdOf } from '../domain/establishment-id.ts';
import { DomainError } from '../domain/errors.ts';
import type { Plan } from '../domain/plan.ts';
import { type InspectionDocument, readInspectionDocument } from '../extraction/read-inspection-document.ts';
import { TextractDocumentReader } from '../extraction/textract-document.ts';
import type { Clock } from '../ports/clock.ts';
import type { PlanStore, RevisionSource, StoreRevisionResult } from '../ports/plan-store.ts';
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
  /**
   * Called after a plan revision is stored (also when a replay finds it stored): restarts the
   * approval when the previous revision was sent back with changes requested. Absent: no approval flow.
   */
  resumeApproval?: (planId: string, previousRevision: number) => Promise<unknown>;
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
 * Textract finished a job: read every result page into the document it is and store it as a new
 * revision of its plan (an action plan as the plan, checked against the draft its report started;
 * an inspection report as a draft awaiting the plan), or record why it failed in words a person
 * understands. Nothing is stored (no revision, no draft, no approval restarted) when the document
 * has no items, or is for another establishment than the uploader's (staff upload only their own
 * establishment's documents; admins any). A replayed notification changes nothing.
 * Unexpected errors are thrown, so the platform retries and, in the end, dead-letters the message.
 */
export async function completeAnalysis(
  finished: AnalysisFinished,
  dependencies: CompleteAnalysisDependencies,
): Promise<CompleteAnalysisOutcome> {
  const { uploads, plans, textract, clock } = dependencies;
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
  const { uploadedBy } = upload;
  if (!uploadedBy) {
    return fail(`${upload.fileName}: the upload does not record who uploaded it, so nothing was stored; upload it again through POST /uploads`);
  }

  try {
    const reader = new TextractDocumentReader();
    for await (const page of textract.results(finished.jobId)) reader.add(page);
    const document = readInspectionDocument(reader.finish(), upload.fileName, upload.kind);
    const refusal = await refusalOf(document, uploadedBy, plans);
    if (refusal) return fail(`${upload.fileName}: ${refusal}`);
    const source: RevisionSource = {
      uploadId: upload.uploadId,
      contentSha256: upload.contentSha256 ?? '',
      storedAt: clock.now().toISOString(),
      uploadedBy,
    };
    const stored =
      document.type === 'report'
        ? await plans.storeDraft({ report: document.report, ...source })
        : await storePlan(document.plan, source, plans);
    if (document.type === 'plan' && stored.revision > 1) await dependencies.resumeApproval?.(stored.planId, stored.revision - 1);
    return { outcome: 'parsed', uploadId: upload.uploadId, ...stored };
  } catch (error) {
    if (error instanceof DomainError) return fail(`${upload.fileName} could not be read: ${error.message}`);
    throw error;
  }
}

/** Why the document must not be stored: it has no items, or its establishment is not one the uploader may upload for. */
async function refusalOf(
  document: InspectionDocument,
  uploader: Uploader,
  plans: Pick<PlanStore, 'getEstablishmentName'>,
): Promise<string | null> {
  const read = document.type === 'report' ? document.report : document.plan;
  if (read.items.length === 0) {
    const why =
      document.type === 'report'
        ? 'a draft plan is made of the report’s recommendations or concerns, and there are none to answer'
        : 'a plan with no items cannot be approved';
    return `No items were found in this ${document.type} (the PDF may be damaged), so nothing was stored: ${why}`;
  }
  const establishmentId = establishmentIdOf(read.establishment);
  const facts = { kind: document.type, establishment: read.establishment, establishmentId };
  if (uploadRefusal(uploader, facts, null) === null) return null;
  const uploaderEstablishment = uploader.establishmentId ? await plans.getEstablishmentName(uploader.establishmentId) : null;
  return uploadRefusal(uploader, facts, uploaderEstablishment);
}

/** Stores the plan, warned where it does not answer the draft its report started item for item. */
async function storePlan(plan: Plan, source: RevisionSource, plans: PlanStore): Promise<StoreRevisionResult> {
  const draft = await plans.findDraftAnsweredBy(plan, source.contentSha256);
  const warnings = draft ? [...plan.warnings, ...draftComparisonWarnings(draft, plan.items)] : plan.warnings;
  return plans.storeRevision({ plan: { ...plan, warnings }, ...source });
}
