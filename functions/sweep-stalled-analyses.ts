import { TextractClient } from '@aws-sdk/client-textract';
import { z } from 'zod';
import { AwsTextractJobs } from '../shared/adapters/aws/textract-jobs.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { DEFAULT_FAIL_UNFINISHABLE_AFTER_MINUTES, sweepStalledAnalyses } from '../shared/usecases/sweep-stalled-analyses.ts';
import { ScheduledEvent } from './lib/events.ts';
import { approvalResumer } from './lib/approval-runtime.ts';
import { lambdaHandler } from './lib/parse-event.ts';
import { baseEnvironment, dynamoStores, logger, readEnvironment } from './lib/runtime.ts';

/**
 * Every few minutes: finish the analyses whose completion notification never arrived, or whose
 * completion kept failing (those are failed with a reason once they are too old to wait for).
 */
const environment = readEnvironment({
  ...baseEnvironment,
  STALL_AFTER_MINUTES: z.coerce.number().int().positive(),
  GIVE_UP_AFTER_HOURS: z.coerce.number().int().positive().default(24),
  FAIL_UNFINISHABLE_AFTER_MINUTES: z.coerce.number().int().positive().default(DEFAULT_FAIL_UNFINISHABLE_AFTER_MINUTES),
});
const dependencies = {
  ...dynamoStores(environment),
  textract: new AwsTextractJobs(new TextractClient({ region: environment.AWS_REGION })),
  clock: systemClock,
  resumeApproval: approvalResumer(),
};

export const handler = lambdaHandler(ScheduledEvent, async () => {
  const result = await sweepStalledAnalyses(dependencies, {
    stallAfterMinutes: environment.STALL_AFTER_MINUTES,
    giveUpAfterHours: environment.GIVE_UP_AFTER_HOURS,
    failUnfinishableAfterMinutes: environment.FAIL_UNFINISHABLE_AFTER_MINUTES,
  });
  // Each completion that failed, in full, for whoever looks into it; the upload itself shows a plain reason.
  for (const { uploadId, error } of result.errors) logger.error('finishing a stalled analysis failed', { uploadId, error });
  const { errors, ...summary } = result;
  logger.info('stalled analyses swept', { result: { ...summary, failedToFinish: errors.map((entry) => entry.uploadId) } });
  return { ...summary, failedToFinish: errors.map((entry) => entry.uploadId) };
});
