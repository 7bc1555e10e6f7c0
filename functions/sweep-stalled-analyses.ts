import { TextractClient } from '@aws-sdk/client-textract';
import { z } from 'zod';
import { AwsTextractJobs } from '../shared/adapters/aws/textract-jobs.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { sweepStalledAnalyses } from '../shared/usecases/sweep-stalled-analyses.ts';
import { ScheduledEvent } from './lib/events.ts';
import { approvalResumer } from './lib/approval-runtime.ts';
import { lambdaHandler } from './lib/parse-event.ts';
import { baseEnvironment, dynamoStores, logger, readEnvironment } from './lib/runtime.ts';

/** Every few minutes: finish the analyses whose completion notification never arrived. */
const environment = readEnvironment({
  ...baseEnvironment,
  STALL_AFTER_MINUTES: z.coerce.number().int().positive(),
  GIVE_UP_AFTER_HOURS: z.coerce.number().int().positive().default(24),
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
  });
  logger.info('stalled analyses swept', { result });
  return result;
});
