import type { Clock } from '../ports/clock.ts';
import { type CompleteAnalysisDependencies, type CompleteAnalysisOutcome, completeAnalysis } from './complete-analysis.ts';

export interface SweepOptions {
  /** An analysis running longer than this may have lost its completion notification. */
  stallAfterMinutes: number;
  /** An analysis still running after this is given up on. */
  giveUpAfterHours: number;
  batchSize?: number;
}

export interface SweepResult {
  checked: number;
  outcomes: CompleteAnalysisOutcome[];
  stillRunning: number;
}

/**
 * The safety net for lost completion notifications: every upload analysing for too long is checked
 * with Textract, then finished (parsed or failed) as the notification would have done.
 */
export async function sweepStalledAnalyses(
  dependencies: CompleteAnalysisDependencies & { clock: Clock },
  { stallAfterMinutes, giveUpAfterHours, batchSize = 50 }: SweepOptions,
): Promise<SweepResult> {
  const now = dependencies.clock.now().getTime();
  const stalledBefore = new Date(now - stallAfterMinutes * 60_000).toISOString();
  const giveUpBefore = new Date(now - giveUpAfterHours * 3_600_000).toISOString();
  const stalled = await dependencies.uploads.listAnalysingSince(stalledBefore, batchSize);
  const result: SweepResult = { checked: stalled.length, outcomes: [], stillRunning: 0 };
  for (const upload of stalled) {
    if (!upload.analysisJobId) continue;
    const { status, message } = await dependencies.textract.status(upload.analysisJobId);
    if (status === 'IN_PROGRESS') {
      if ((upload.analysisStartedAt ?? '') < giveUpBefore) {
        const reason = `The analysis of ${upload.fileName} did not finish within ${giveUpAfterHours} hours; please upload it again`;
        await dependencies.uploads.markFailed(upload.uploadId, reason, new Date(now).toISOString());
        result.outcomes.push({ outcome: 'failed', uploadId: upload.uploadId, reason });
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
  }
  return result;
}
