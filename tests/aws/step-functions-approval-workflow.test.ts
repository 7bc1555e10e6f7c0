import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { executionNameOf, StepFunctionsApprovalWorkflow } from '../../shared/adapters/aws/step-functions-approval-workflow.ts';
import { ExecutionNameTakenError, TaskTokenRefusedError } from '../../shared/ports/approval-workflow.ts';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-2:111122223333:stateMachine:ActionPlans-dev-approval';
const EXECUTION_ARN = 'arn:aws:states:eu-west-2:111122223333:execution:ActionPlans-dev-approval:HMP-Leeds-2024-05-01-r2-a1';

// The client the adapter is given; only this instance is mocked (the retry test below uses a real one).
const client = new SFNClient({ region: 'eu-west-2', maxAttempts: 3, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
const sfn = mockClient(client);
const workflow = new StepFunctionsApprovalWorkflow({ client, stateMachineArn: STATE_MACHINE_ARN });

const throttling = (message = 'Rate exceeded') =>
  new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message });

beforeEach(() => {
  sfn.reset();
});

describe('executionNameOf', () => {
  const valid = /^[A-Za-z0-9_-]{1,80}$/;

  it('names a short plan id after the plan, revision and attempt', () => {
    expect(executionNameOf({ planId: 'HMP-Leeds-2024-05-01', revision: 2, attempt: 1 })).toBe('HMP-Leeds-2024-05-01-r2-a1');
  });

  it('replaces characters Step Functions does not allow', () => {
    const name = executionNameOf({ planId: 'plan/Leeds 2024:05.01é', revision: 1, attempt: 1 });
    expect(name).toMatch(valid);
    expect(name).toBe('plan-Leeds-2024-05-01--r1-a1');
  });

  it('keeps a name that fits exactly, and hashes one a character longer down to 80', () => {
    const suffix = '-r12-a3';
    const fits = 'p'.repeat(80 - suffix.length);
    expect(executionNameOf({ planId: fits, revision: 12, attempt: 3 })).toBe(fits + suffix);
    const tooLong = `${fits}q`;
    const name = executionNameOf({ planId: tooLong, revision: 12, attempt: 3 });
    expect(name).toHaveLength(80);
    expect(name).toMatch(valid);
    expect(name.endsWith(suffix)).toBe(true);
  });

  it('shortens a long plan id with a hash of the whole id, so ids sharing a long prefix stay distinct', () => {
    const prefix = `establishment-${'x'.repeat(100)}`;
    const a = executionNameOf({ planId: `${prefix}-a`, revision: 1, attempt: 1 });
    const b = executionNameOf({ planId: `${prefix}-b`, revision: 1, attempt: 1 });
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name).toMatch(valid);
      expect(name.startsWith('establishment-xxx')).toBe(true);
      expect(name.endsWith('-r1-a1')).toBe(true);
    }
    expect(a).not.toBe(b);
    expect(a).toContain(createHash('sha256').update(`${prefix}-a`).digest('hex').slice(0, 12));
  });

  it('stays within 80 characters for very large revisions and attempts and odd characters', () => {
    for (const planId of ['a', 'x'.repeat(500), '€'.repeat(200), '😀'.repeat(60)]) {
      const name = executionNameOf({ planId, revision: 999_999, attempt: 999_999 });
      expect(name.length, planId.slice(0, 10)).toBeLessThanOrEqual(80);
      expect(name, planId.slice(0, 10)).toMatch(valid);
    }
  });

  it('differs for each revision and attempt of the same plan, and is stable for the same one', () => {
    const names = new Set<string>();
    for (const planId of ['HMP-Leeds-2024-05-01', 'y'.repeat(120)]) {
      for (const revision of [1, 2, 11]) {
        for (const attempt of [1, 2, 11]) names.add(executionNameOf({ planId, revision, attempt }));
      }
    }
    expect(names.size).toBe(2 * 3 * 3);
    // "r1-a11" and "r11-a1" must not meet.
    expect(executionNameOf({ planId: 'p', revision: 1, attempt: 11 })).not.toBe(executionNameOf({ planId: 'p', revision: 11, attempt: 1 }));
    expect(executionNameOf({ planId: 'y'.repeat(120), revision: 3, attempt: 4 })).toBe(executionNameOf({ planId: 'y'.repeat(120), revision: 3, attempt: 4 }));
  });
});

describe('start', () => {
  it('starts an execution of the state machine named after the run, with the run as input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
    const input = { planId: 'HMP-Leeds-2024-05-01', revision: 2, attempt: 1 };
    await expect(workflow.start(input)).resolves.toEqual({ executionId: EXECUTION_ARN, alreadyStarted: false });
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const sent = calls[0]!.args[0].input;
    expect(sent).toEqual({ stateMachineArn: STATE_MACHINE_ARN, name: executionNameOf(input), input: expect.any(String) });
    expect(sent.name).toBe('HMP-Leeds-2024-05-01-r2-a1');
    expect(JSON.parse(sent.input!)).toEqual(input);
  });

  it('uses the shortened name for a long plan id', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
    const input = { planId: 'z'.repeat(150), revision: 1, attempt: 2 };
    await workflow.start(input);
    const sent = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(sent.name).toBe(executionNameOf(input));
    expect(sent.name!.length).toBeLessThanOrEqual(80);
    expect(JSON.parse(sent.input!)).toEqual(input);
  });

  it('refuses a response without an execution ARN', async () => {
    sfn.on(StartExecutionCommand).resolves({});
    await expect(workflow.start({ planId: 'p', revision: 1, attempt: 1 })).rejects.toThrow(/no execution ARN/);
  });

  it('passes other Step Functions errors on unchanged', async () => {
    const error = throttling();
    sfn.on(StartExecutionCommand).rejects(error);
    await expect(workflow.start({ planId: 'p', revision: 1, attempt: 1 })).rejects.toBe(error);
  });

  it('reports a name already used by an ended execution as ExecutionNameTakenError (the caller takes the next attempt)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution already exists', $metadata: {} }));
    await expect(workflow.start({ planId: 'p', revision: 1, attempt: 1 })).rejects.toBeInstanceOf(ExecutionNameTakenError);
  });
});

describe('executionState', () => {
  it('tells a running execution from an ended or unknown one', async () => {
    sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' } as never).resolvesOnce({ status: 'SUCCEEDED' } as never).resolvesOnce({ status: 'FAILED' } as never);
    expect(await workflow.executionState('arn:exec')).toBe('running');
    expect(await workflow.executionState('arn:exec')).toBe('ended');
    expect(await workflow.executionState('arn:exec')).toBe('ended');
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution does not exist', $metadata: {} }));
    expect(await workflow.executionState('arn:gone')).toBe('unknown');
    expect(sfn.commandCalls(DescribeExecutionCommand).at(-1)?.args[0].input).toEqual({ executionArn: 'arn:gone' });
  });
});

describe('stop', () => {
  it('stops the execution with ApprovalWithdrawn and the cause', async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    await workflow.stop(EXECUTION_ARN, 'Revision 3 of plan HMP-Leeds-2024-05-01 was stored');
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXECUTION_ARN,
      error: 'ApprovalWithdrawn',
      cause: 'Revision 3 of plan HMP-Leeds-2024-05-01 was stored',
    });
  });

  it('does nothing for an execution that does not exist (a restarted local runner), and passes other errors on', async () => {
    sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution does not exist', $metadata: {} }));
    await expect(workflow.stop(EXECUTION_ARN, 'gone')).resolves.toBeUndefined();
    sfn.on(StopExecutionCommand).rejects(throttling());
    await expect(workflow.stop(EXECUTION_ARN, 'busy')).rejects.toThrow('Rate exceeded');
  });
});

describe('completeTask', () => {
  it('sends the stage outcome as the task\'s JSON output', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    const outcome = { stageIndex: 1, outcome: 'approved' as const, decidedAt: '2024-05-03T10:00:00.000Z' };
    await expect(workflow.completeTask('token-1', outcome)).resolves.toBeUndefined();
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    const sent = calls[0]!.args[0].input;
    expect(sent.taskToken).toBe('token-1');
    expect(JSON.parse(sent.output!)).toEqual(outcome);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });
});

describe('failTask', () => {
  it('fails the task with ChangesRequested and the cause', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    await workflow.failTask('token-2', 'ChangesRequested', 'Stage 1 (Governor) requested changes');
    const calls = sfn.commandCalls(SendTaskFailureCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ taskToken: 'token-2', error: 'ChangesRequested', cause: 'Stage 1 (Governor) requested changes' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('truncates the cause to 32,000 characters (Step Functions takes at most 32,768)', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    await workflow.failTask('token-3', 'ChangesRequested', 'c'.repeat(32_000));
    await workflow.failTask('token-4', 'ChangesRequested', `${'a'.repeat(32_000)}${'b'.repeat(8_000)}`);
    const [exact, long] = sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input.cause!);
    expect(exact).toBe('c'.repeat(32_000));
    expect(long).toBe('a'.repeat(32_000));
  });
});

describe('refused task tokens', () => {
  const refusals = [
    ['TaskTimedOut', () => new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }), 'timed_out'],
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ message: 'Task does not exist anymore', $metadata: {} }), 'not_waiting'],
    ['InvalidToken', () => new InvalidToken({ message: 'Invalid token', $metadata: {} }), 'invalid'],
  ] as const;

  const answers = [
    ['completeTask', () => sfn.commandCalls(SendTaskSuccessCommand).length, () => workflow.completeTask('token', { stageIndex: 0, outcome: 'approved', decidedAt: '2024-05-03T10:00:00.000Z' })],
    ['failTask', () => sfn.commandCalls(SendTaskFailureCommand).length, () => workflow.failTask('token', 'ChangesRequested', 'changes')],
  ] as const;

  /** Both answers are refused the same way; each test checks that its own command was the one sent. */
  const refuseWith = (error: Error) => {
    sfn.on(SendTaskSuccessCommand).rejects(error);
    sfn.on(SendTaskFailureCommand).rejects(error);
  };

  for (const [answerName, callsSent, answer] of answers) {
    it.each(refusals)(`${answerName}: %s becomes TaskTokenRefusedError`, async (_name, makeError, problem) => {
      refuseWith(makeError());
      const error = await answer().then(
        () => {
          throw new Error('expected a refusal');
        },
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(TaskTokenRefusedError);
      expect(error).toMatchObject({ name: 'TaskTokenRefusedError', problem });
      expect((error as Error).message.length).toBeGreaterThan(0);
      expect(callsSent()).toBe(1);
    });

    it(`${answerName}: any other error is rethrown unchanged`, async () => {
      for (const error of [throttling(), new SFNServiceException({ name: 'InvalidOutput', $fault: 'client', $metadata: {}, message: 'bad' }), new Error('socket hang up')]) {
        sfn.reset();
        refuseWith(error);
        await expect(answer()).rejects.toBe(error);
        expect(callsSent()).toBe(1);
      }
    });
  }
});

describe('throttling', () => {
  it('is not swallowed by the adapter: with aws-sdk-client-mock the first error reaches the caller (the mock replaces send, and the SDK\'s retry with it)', async () => {
    const first = throttling('first');
    sfn
      .on(SendTaskSuccessCommand)
      .rejectsOnce(first)
      .rejectsOnce(throttling('second'))
      .resolves({});
    await expect(workflow.completeTask('token', { stageIndex: 0, outcome: 'approved', decidedAt: '2024-05-03T10:00:00.000Z' })).rejects.toBe(first);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('is retried by the SDK\'s standard retry: a client with maxAttempts 3 succeeds after two throttling responses', async () => {
    // A real client whose HTTP handler answers like Step Functions (awsJson1_0), so the SDK's own retry middleware runs.
    const requests: { target: string | undefined; body: string }[] = [];
    const responses = [
      { statusCode: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' },
      { statusCode: 400, body: '{"__type":"com.amazonaws.swf.base.model#ThrottlingException","message":"Rate exceeded"}' },
      { statusCode: 200, body: '{}' },
    ];
    const real = new SFNClient({
      region: 'eu-west-2',
      maxAttempts: 3,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      requestHandler: {
        handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
          requests.push({ target: request.headers['x-amz-target'], body: typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array) });
          const next = responses.shift();
          if (!next) throw new Error('more requests than expected');
          return {
            response: {
              statusCode: next.statusCode,
              headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${requests.length}` },
              body: new TextEncoder().encode(next.body),
            },
          };
        },
      },
    });
    const retrying = new StepFunctionsApprovalWorkflow({ client: real, stateMachineArn: STATE_MACHINE_ARN });
    await expect(retrying.completeTask('token-5', { stageIndex: 0, outcome: 'approved', decidedAt: '2024-05-03T10:00:00.000Z' })).resolves.toBeUndefined();
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.target).toBe('AWSStepFunctions.SendTaskSuccess');
      expect(JSON.parse(request.body)).toMatchObject({ taskToken: 'token-5' });
    }
  }, 20_000);

  it('gives up after maxAttempts and passes the throttling error on, not as a refused token', async () => {
    let count = 0;
    const real = new SFNClient({
      region: 'eu-west-2',
      maxAttempts: 2,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      requestHandler: {
        handle: async () => {
          count += 1;
          return {
            response: {
              statusCode: 400,
              headers: { 'content-type': 'application/x-amz-json-1.0' },
              body: new TextEncoder().encode('{"__type":"ThrottlingException","message":"Rate exceeded"}'),
            },
          };
        },
      },
    });
    const retrying = new StepFunctionsApprovalWorkflow({ client: real, stateMachineArn: STATE_MACHINE_ARN });
    const error = await retrying.failTask('token-6', 'ChangesRequested', 'changes').catch((caught: unknown) => caught);
    expect(count).toBe(2);
    expect(error).not.toBeInstanceOf(TaskTokenRefusedError);
    expect(error).toMatchObject({ name: 'ThrottlingException' });
  }, 20_000);
});
