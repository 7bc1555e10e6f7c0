import { requestStageDecision } from '../shared/usecases/approval/run-approval.ts';
import { approvalDependencies } from './lib/approval-runtime.ts';
import { StageDecisionRequestEvent } from './lib/events.ts';
import { lambdaHandler } from './lib/parse-event.ts';
import { logger } from './lib/runtime.ts';

/**
 * A stage's wait (`.waitForTaskToken`): emails the stage's approvers their links, or on a later round
 * reminds them and asks deputies. The state machine waits until a link's POST sends the task token back.
 */
const dependencies = await approvalDependencies();

export const handler = lambdaHandler(StageDecisionRequestEvent, async (event) => {
  logger.appendKeys({ planId: event.planId, revision: event.revision, attempt: event.attempt, stageIndex: event.stageIndex });
  const result = await requestStageDecision(dependencies, event);
  logger.info('stage decision requested', { round: event.round, ...result });
  return result;
});
