import { TextractClient } from '@aws-sdk/client-textract';
import { AwsTextractJobs } from '../shared/adapters/aws/textract-jobs.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { completeAnalysis } from '../shared/usecases/complete-analysis.ts';
import { SnsEvent } from './lib/events.ts';
import { approvalResumer } from './lib/approval-runtime.ts';
import { lambdaHandler } from './lib/parse-event.ts';
import { baseEnvironment, dynamoStores, logger, readEnvironment } from './lib/runtime.ts';

/**
 * Textract's completion message (SNS) → read the results into a plan and store it. An error thrown
 * here makes Lambda retry the message and finally send it to the dead-letter queue.
 */
const environment = readEnvironment(baseEnvironment);
const dependencies = {
  ...dynamoStores(environment),
  textract: new AwsTextractJobs(new TextractClient({ region: environment.AWS_REGION })),
  clock: systemClock,
  resumeApproval: approvalResumer(),
};

export const handler = lambdaHandler(SnsEvent, async (event) => {
  const outcomes = [];
  for (const record of event.Records) {
    const message = record.Sns.Message;
    logger.appendKeys({ uploadId: message.JobTag, textractJobId: message.JobId });
    const outcome = await completeAnalysis(
      {
        jobId: message.JobId,
        status: message.Status === 'ERROR' ? 'FAILED' : message.Status,
        jobTag: message.JobTag,
        ...(message.StatusMessage ? { message: message.StatusMessage } : {}),
      },
      dependencies,
    );
    logger.info('analysis completed', { outcome });
    outcomes.push(outcome);
  }
  return outcomes;
});
