import { beginApprovalRun } from '../shared/usecases/approval/run-approval.ts';
import { approvalDependencies } from './lib/approval-runtime.ts';
import { BeginApprovalEvent } from './lib/events.ts';
import { lambdaHandler } from './lib/parse-event.ts';
import { logger } from './lib/runtime.ts';

/** The approval state machine's first state: records the run and marks the plan awaiting approval. */
const dependencies = await approvalDependencies();

export const handler = lambdaHandler(BeginApprovalEvent, async (event) => {
  logger.appendKeys({ planId: event.planId, revision: event.revision, attempt: event.attempt });
  const result = await beginApprovalRun(dependencies, event);
  logger.info('approval run begun', { ...result });
  return result;
});
