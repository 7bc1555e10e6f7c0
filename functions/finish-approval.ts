import { finishApprovalRun } from '../shared/usecases/approval/run-approval.ts';
import { approvalDependencies } from './lib/approval-runtime.ts';
import { FinishApprovalEvent } from './lib/events.ts';
import { lambdaHandler } from './lib/parse-event.ts';
import { logger } from './lib/runtime.ts';

/** The approval state machine's last state: ends the run, sets the plan's status and tells its owners. */
const dependencies = await approvalDependencies();

export const handler = lambdaHandler(FinishApprovalEvent, async (event) => {
  logger.appendKeys({ planId: event.planId, revision: event.revision, attempt: event.attempt });
  if (event.error && event.outcome === 'failed') logger.error('approval failed', { error: event.error });
  const result = await finishApprovalRun(dependencies, {
    planId: event.planId,
    revision: event.revision,
    attempt: event.attempt,
    outcome: event.outcome,
    ...(event.error ? { cause: `${event.error.Error}: ${event.error.Cause ?? ''}` } : {}),
  });
  logger.info('approval run finished', { outcome: event.outcome, ...result });
  return result;
});
