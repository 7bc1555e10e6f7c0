import type { Clock } from '../ports/clock.ts';
import { type CompleteAnalysisDependencies, type CompleteAnalysisOutcome, completeAnalysis } from './complete-analysis.ts';

export interface SweepOptions {
  /** An analysis running longer than this may have lost its completion notification. */
  stallAfterMinutes: number;
  /** An analysis still running after this is given up on. */
  giveUpAfterHours: number;
  /**
   * An analysis that has finished but whose completion still fails (it threw in the completion
   * function's tries and in the sweeps since) is failed once it started this long ago: a fault that
   * outlasts every retry is not going away, and the person who uploaded the file must be told.
   */
  failUnfinishableAfterMinutes?: number;
  batchSize?: number;
}

/** The completion function's three tries and several sweeps fall well inside this. */
export const DEFAULT_FAIL_UNFINISHABLE_AFTER_MINUTES = 120;

export interface SweepResult {
  checked: number;
  outcomes: CompleteAnalysisOutcome[];
  stillRunning: number;
  /** Uploads whose completion failed in this sweep and will be tried again by the next (the error, for the log). */
  errors: { uploadId: string; error: unknown }[];
}

/**
 * The safety net for lost or failing completions: every upload analysing for too long is checked
 * with Textract, then finished (parsed or failed) as the notification would have done. One upload
 * whose completion fails does not stop the others; it is tried again by the next sweep until
 * `failUnfinishableAfterMinutes`, then failed with a reason a person understands. So every upload
 * ends parsed or failed within that time (or `giveUpAfterHours` for a job Textract still runs),
 * plus one sweep's period.
 */
export async function sweepStalledAnalyses(
  dependencies: CompleteAnalysisDependencies & { clock: Clock },
  {
    stallAfterMinutes,
    giveUpAfterHours,
    failUnfinishableAfterMinutes = DEFAULT_FAIL_UNFINISHABLE_AFTER_MINUTES,
    batchSize = 50,
  }: SweepOptions,
): Promise<SweepResult> {
  const now = dependencies.clock.now().getTime();
  const stalledBefore = new Date(now - stallAfterMinutes * 60_000).toISOString();
  const giveUpBefore = new Date(now - giveUpAfterHours * 3_600_000).toISOString();
  const unfinishableBefore = new Date(now - failUnfinishableAfterMinutes * 60_000).toISOString();
  const stalled = await dependencies.uploads.listUnfinishedSince(stalledBefore, batchSize);
  const result: SweepResult = { checked: stalled.length, outcomes: [], stillRunning: 0, errors: [] };
  const fail = async (uploadId: string, reason: string) => {
    await dependencies.uploads.markFailed(uploadId, reason, new Date(now).toISOString());
    result.outcomes.push({ outcome: 'failed', uploadId, reason });
  };
  for (const upload of stalled) {
    const startedAt = upload.analysisStartedAt ?? '';
    try {
      if (!upload.analysisJobId) {
        await fail(upload.uploadId, `The analysis of ${upload.fileName} was never started; please upload it again`);
        continue;
      }
      const { status, message } = await dependencies.textract.status(upload.analysisJobId);
      if (status === 'IN_PROGRESS') {
        if (startedAt < giveUpBefore) {
          await fail(upload.uploadId, `The analysis of ${upload.fileName} did not finish within ${giveUpAfterHours} hours; please upload it again`);
        } else {
          result.stillRunning++;
        }
        continue;
      }
      result.outcomes.push(
        await completeAnalysis(
          { jobId: upload.analysisJobId, status, jobTag: upload.uploadId, ...(message ? { message } : {}) },
          dependencies,
        ),
      );
    } catch (error) {
      result.errors.push({ uploadId: upload.uploadId, error });
      if (startedAt < unfinishableBefore) {
        await fail(
          upload.uploadId,
          `The analysis of ${upload.fileName} could not be finished because of an internal error (logged for the team that runs the service); please upload it again, and if it fails again tell them`,
        ).catch((markError: unknown) => result.errors.push({ uploadId: upload.uploadId, error: markError }));
      }
    }
  }
  return result;
}
