import { S3Client } from '@aws-sdk/client-s3';
import { TextractClient } from '@aws-sdk/client-textract';
import { z } from 'zod';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store.ts';
import { AwsTextractJobs } from '../shared/adapters/aws/textract-jobs.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { receiveUpload } from '../shared/usecases/receive-upload.ts';
import { ObjectCreatedEvent } from './lib/events.ts';
import { approvalResumer } from './lib/approval-runtime.ts';
import { lambdaHandler } from './lib/parse-event.ts';
import { baseEnvironment, dynamoStores, logger, readEnvironment } from './lib/runtime.ts';

/** S3 "Object Created" (EventBridge) → check the upload and start its Textract analysis. */
const environment = readEnvironment({
  ...baseEnvironment,
  TEXTRACT_TOPIC_ARN: z.string().min(1),
  TEXTRACT_ROLE_ARN: z.string().min(1),
});
const dependencies = {
  ...dynamoStores(environment),
  objects: new S3ObjectStore(new S3Client({ region: environment.AWS_REGION })),
  textract: new AwsTextractJobs(new TextractClient({ region: environment.AWS_REGION }), {
    notification: { topicArn: environment.TEXTRACT_TOPIC_ARN, roleArn: environment.TEXTRACT_ROLE_ARN },
  }),
  clock: systemClock,
  resumeApproval: approvalResumer(),
};

export const handler = lambdaHandler(ObjectCreatedEvent, async (event) => {
  const { bucket, object } = event.detail;
  const outcome = await receiveUpload(
    { bucket: bucket.name, key: object.key, ...(object['version-id'] ? { versionId: object['version-id'] } : {}) },
    dependencies,
  );
  if ('uploadId' in outcome) logger.appendKeys({ uploadId: outcome.uploadId });
  logger.info('upload received', { outcome });
  return outcome;
});
