/**
 * The approval state machine as the use-cases see it: Step Functions on AWS, the local runner of the
 * same definition locally (both reached through the Step Functions API).
 */
export interface ApprovalWorkflow {
  /**
   * Starts the approval of one plan revision. Idempotent: the execution is named after the plan and
   * revision, so starting it twice finds the one already running.
   */
  start(input: { planId: string; revision: number; attempt: number }): Promise<{ executionId: string; alreadyStarted: boolean }>;
  /**
   * Whether the execution still runs: `ended` (succeeded, failed, timed out, aborted) or `unknown`
   * (no such execution: e.g. the local runner restarted) mean nothing will finish its run.
   */
  executionState(executionId: string): Promise<'running' | 'ended' | 'unknown'>;
  /** Stops an execution (a newer revision superseded its run); nothing when it has ended or is not known. */
  stop(executionId: string, cause: string): Promise<void>;
  /** Resumes a waiting stage with its outcome. */
  completeTask(taskToken: string, output: StageOutcome): Promise<void>;
  /** Fails a waiting stage: the plan goes back to its owners (`ChangesRequested`). */
  failTask(taskToken: string, error: 'ChangesRequested', cause: string): Promise<void>;
}

export interface StageOutcome {
  stageIndex: number;
  outcome: 'approved';
  decidedAt: string;
}

/** Why a task token was refused: its wait ended (timed out, or the execution stopped), or it was never valid. */
export type TaskTokenProblem = 'timed_out' | 'not_waiting' | 'invalid';

export class TaskTokenRefusedError extends Error {
  constructor(
    readonly problem: TaskTokenProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TaskTokenRefusedError';
  }
}

/** An execution of that name exists already and has ended (its name cannot be used again). */
export class ExecutionNameTakenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionNameTakenError';
  }
}
