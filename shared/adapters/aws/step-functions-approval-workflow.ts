import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { type ApprovalWorkflow, ExecutionNameTakenError, type StageOutcome, TaskTokenRefusedError } from '../../ports/approval-workflow.ts';

/**
 * The approval state machine through the Step Functions API: on AWS, or on the local runner, which
 * answers the same API (infra/local/local-step-functions.ts).
 */
export class StepFunctionsApprovalWorkflow implements ApprovalWorkflow {
  constructor(private readonly config: { client: SFNClient; stateMachineArn: string }) {}

  async start(input: { planId: string; revision: number; attempt: number }) {
    // Named after the plan, revision and attempt: a second start of the same run while it is
    // running returns the same execution instead of starting another.
    const response = await this.config.client
      .send(new StartExecutionCommand({ stateMachineArn: this.config.stateMachineArn, name: executionNameOf(input), input: JSON.stringify(input) }))
      .catch((error: unknown) => {
        if (error instanceof ExecutionAlreadyExists) throw new ExecutionNameTakenError(error.message);
        throw error;
      });
    if (!response.executionArn) throw new Error('Step Functions returned no execution ARN');
    return { executionId: response.executionArn, alreadyStarted: false };
  }

  async executionState(executionId: string): Promise<'running' | 'ended' | 'unknown'> {
    try {
      const { status } = await this.config.client.send(new DescribeExecutionCommand({ executionArn: executionId }));
      return status === 'RUNNING' || status === 'PENDING_REDRIVE' ? 'running' : 'ended';
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return 'unknown';
      throw error;
    }
  }

  async stop(executionId: string, cause: string): Promise<void> {
    try {
      // Stopping an execution that has ended already changes nothing.
      await this.config.client.send(new StopExecutionCommand({ executionArn: executionId, error: 'ApprovalWithdrawn', cause: cause.slice(0, 32_000) }));
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return;
      throw error;
    }
  }

  async completeTask(taskToken: string, output: StageOutcome): Promise<void> {
    await this.answer(() => this.config.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })));
  }

  async failTask(taskToken: string, error: 'ChangesRequested', cause: string): Promise<void> {
    await this.answer(() => this.config.client.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_000) })));
  }

  private async answer(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (error instanceof TaskTimedOut) throw new TaskTokenRefusedError('timed_out', 'The approval step this link answers has timed out');
      if (error instanceof TaskDoesNotExist) throw new TaskTokenRefusedError('not_waiting', 'The approval step this link answers is no longer waiting');
      if (error instanceof InvalidToken) throw new TaskTokenRefusedError('invalid', 'Step Functions did not accept the approval step\'s token');
      throw error;
    }
  }
}

/** Execution names allow 80 letters, digits, `-` and `_`; a longer plan id is shortened with a hash. */
export function executionNameOf({ planId, revision, attempt }: { planId: string; revision: number; attempt: number }): string {
  const suffix = `-r${revision}-a${attempt}`;
  const safe = planId.replace(/[^A-Za-z0-9_-]/g, '-');
  if (safe.length + suffix.length <= 80) return safe + suffix;
  const hash = createHash('sha256').update(planId).digest('hex').slice(0, 12);
  return `${safe.slice(0, 80 - suffix.length - 13)}-${hash}${suffix}`;
}
