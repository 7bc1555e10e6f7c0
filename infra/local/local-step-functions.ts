import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { logicalIdOfLocalArn, type LocalFunction, type SynthesisedStateMachine } from './synthesised-state-machine.ts';
import { allowedHostHeaders, refuseForeignHosts } from './local-hosts.ts';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22); Node 20 lacks it.
if (!('withResolvers' in Promise)) {
  Object.defineProperty(Promise, 'withResolvers', {
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Node's timers hold at most 2^31-1 ms (24.8 days); a longer ASL timeout would fire at once. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const TOKEN_PLACEHOLDER = 'local-task-token-placeholder';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

interface WaitingTask {
  executionArn: string;
  stateName: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  heartbeatSeconds: number | null;
  heartbeatTimer: NodeJS.Timeout | null;
  timeoutTimer?: NodeJS.Timeout;
}

export interface LocalExecution {
  executionArn: string;
  name: string;
  input: unknown;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: Date;
  stopDate: Date | null;
  output: unknown;
  error: string | null;
  cause: string | null;
  /** Settles when the execution ends (never rejects). */
  done: Promise<void>;
  abort: () => void;
}

/** An error as Step Functions names it, so Catch and Retry match it the same way. */
class StatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * The approval state machine's local twin. It runs the synthesised definition with
 * aws-local-stepfunctions, its Lambda tasks calling our handlers in-process (with the environment
 * the template gives them, plus local overrides), and answers the Step Functions API on a local
 * port (StartExecution, DescribeExecution, SendTaskSuccess/Failure/Heartbeat, StopExecution), so
 * the functions reach it with the same SDK client they use on AWS, pointed at `endpoint`.
 *
 * aws-local-stepfunctions has no `.waitForTaskToken`; it is built here on its extension point
 * (`taskResourceLocalHandlers`): the wait task's handler mints a token per wait (the library would
 * give every wait of an execution the same one), calls the function with it, and returns a promise
 * that SendTaskSuccess resolves or SendTaskFailure rejects with the given error name. Its
 * `HeartbeatSeconds` is enforced by a timer that SendTaskHeartbeat restarts and that fails the
 * task with `States.HeartbeatTimeout`; `TimeoutSeconds` is the library's own.
 *
 * Executions live in memory: a restart loses running ones. Their plans stay `awaiting_approval`
 * until a decision arrives on one of their links (it carries the run on in a new execution from its
 * stage) or the plan is sent again (a new run from the first stage).
 */
export class LocalStepFunctions {
  private readonly executions = new Map<string, LocalExecution>();
  private readonly waiting = new Map<string, WaitingTask>();
  /** Tokens that were valid once, and why they no longer are. */
  private readonly spentTokens = new Map<string, 'timed_out' | 'done'>();
  private readonly handlers = new Map<string, Promise<Handler>>();
  private server: Server | null = null;
  endpoint = '';
  readonly stateMachineArn: string;

  constructor(
    private readonly machine: SynthesisedStateMachine,
    private readonly options: { stateMachineName?: string; onError?: (error: unknown) => void } = {},
  ) {
    this.stateMachineArn = `arn:aws:states:local:000000000000:stateMachine:${options.stateMachineName ?? 'approval'}`;
  }

  /** Starts answering the Step Functions API; returns its endpoint (`http://127.0.0.1:<port>`). */
  async listen(port = 0): Promise<string> {
    // Requests naming another host (a web page through a DNS name re-pointed at 127.0.0.1) are
    // refused, as by the main server; the names allowed need the port, known once listening.
    let answer: RequestListener = (request, response) => {
      request.resume();
      response.writeHead(503).end();
    };
    this.server = createServer((request, response) => answer(request, response));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', () => resolve());
    });
    const listening = (this.server.address() as AddressInfo).port;
    answer = refuseForeignHosts(allowedHostHeaders('127.0.0.1', listening), (request, response) => void this.serve(request, response));
    this.endpoint = `http://127.0.0.1:${listening}`;
    return this.endpoint;
  }

  /** Stops every running execution and the API. */
  async close(): Promise<void> {
    for (const execution of this.executions.values()) this.stopExecution(execution);
    for (const task of this.waiting.values()) {
      if (task.heartbeatTimer) clearTimeout(task.heartbeatTimer);
      if (task.timeoutTimer) clearTimeout(task.timeoutTimer);
    }
    this.waiting.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  listExecutions(): LocalExecution[] {
    return [...this.executions.values()];
  }

  async startExecution(name: string | undefined, input: unknown): Promise<{ executionArn: string; startDate: Date }> {
    const executionName = name ?? randomUUID();
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(input)) {
        return { executionArn, startDate: existing.startDate };
      }
      throw new StatesError('ExecutionAlreadyExists', `Execution already exists: '${executionArn}'`);
    }
    const { StateMachine } = await import('aws-local-stepfunctions');
    const definition = adaptedForRunner(this.machine.definition);
    const stateMachine = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: true } });
    const overrides = this.taskOverrides(executionArn, definition);
    const run = stateMachine.run(input as never, {
      overrides: { taskResourceLocalHandlers: overrides as never },
      // `$$.Task.Token` needs a value to resolve; each wait replaces it with a token of its own.
      context: { Execution: { Id: executionArn, Name: executionName }, Task: { Token: TOKEN_PLACEHOLDER } } as never,
    });
    const execution: LocalExecution = {
      executionArn,
      name: executionName,
      input,
      status: 'RUNNING',
      startDate: new Date(),
      stopDate: null,
      output: null,
      error: null,
      cause: null,
      abort: () => run.abort(),
      done: Promise.resolve(),
    };
    execution.done = run.result.then(
      (output: unknown) => {
        execution.status = 'SUCCEEDED';
        execution.output = output;
      },
      (error: Error & { name: string; cause?: unknown }) => {
        if (execution.status === 'ABORTED') return;
        execution.status = error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : error.name === 'ExecutionAbortedError' ? 'ABORTED' : 'FAILED';
        const failure = failureOf(error);
        execution.error = failure.error;
        execution.cause = failure.cause;
      },
    ).finally(() => {
      execution.stopDate ??= new Date();
      this.endWaitsOf(executionArn);
    });
    this.executions.set(executionArn, execution);
    return { executionArn, startDate: execution.startDate };
  }

  /**
   * StopExecution: the execution is aborted and its open waits end at once (their heartbeat and
   * timeout timers with them), so a stopped approval sends no further reminder.
   */
  stopExecution(execution: LocalExecution): void {
    if (execution.status !== 'RUNNING') return;
    execution.status = 'ABORTED';
    execution.stopDate = new Date();
    this.endWaitsOf(execution.executionArn);
    execution.abort();
  }

  sendTaskSuccess(taskToken: string, output: unknown): void {
    const task = this.takeWaiting(taskToken);
    task.resolve(output);
  }

  sendTaskFailure(taskToken: string, error: string | undefined, cause: string | undefined): void {
    const task = this.takeWaiting(taskToken);
    task.reject(new StatesError(error ?? 'States.TaskFailed', cause ?? ''));
  }

  sendTaskHeartbeat(taskToken: string): void {
    const task = this.waiting.get(taskToken);
    if (!task) this.takeWaiting(taskToken);
    else this.armHeartbeat(taskToken, task);
  }

  private takeWaiting(taskToken: string): WaitingTask {
    const task = this.waiting.get(taskToken);
    if (!task) {
      const spent = this.spentTokens.get(taskToken);
      if (spent === 'timed_out') throw new StatesError('TaskTimedOut', 'Task Timed Out: the task this token belongs to has timed out');
      if (spent === 'done') throw new StatesError('TaskDoesNotExist', 'Task does not exist anymore');
      throw new StatesError('InvalidToken', 'Invalid token');
    }
    this.waiting.delete(taskToken);
    this.spentTokens.set(taskToken, 'done');
    if (task.heartbeatTimer) clearTimeout(task.heartbeatTimer);
    if (task.timeoutTimer) clearTimeout(task.timeoutTimer);
    return task;
  }

  private taskOverrides(executionArn: string, definition: Record<string, unknown>) {
    const states = definition.States as Record<string, Record<string, unknown>>;
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type !== 'Task') continue;
      const resource = String(state.Resource);
      const functionArn = String((state.Parameters as Record<string, unknown> | undefined)?.FunctionName ?? resource);
      const logicalId = logicalIdOfLocalArn(functionArn);
      const fn = logicalId ? this.machine.functions.get(logicalId) : undefined;
      if (!fn) throw new Error(`State "${stateName}" calls ${functionArn}, which is not one of the state machine's functions`);
      if (resource.endsWith('.waitForTaskToken')) {
        const heartbeatSeconds = typeof state.HeartbeatSeconds === 'number' ? state.HeartbeatSeconds : null;
        overrides[stateName] = (input) => this.waitForTaskToken(executionArn, stateName, fn, heartbeatSeconds, input);
      } else {
        // Like the Lambda integration: the function's result comes back wrapped in `Payload`.
        overrides[stateName] = async (input) => ({ Payload: await this.invoke(fn, (input as { Payload?: unknown }).Payload), StatusCode: 200 });
      }
    }
    return overrides;
  }

  private waitForTaskToken(executionArn: string, stateName: string, fn: LocalFunction, heartbeatSeconds: number | null, input: unknown): Promise<unknown> {
    const taskToken = `local-${randomUUID()}`;
    const timeoutSeconds = (input as Record<string, unknown>)[TIMEOUT_PARAMETER];
    const payload = { ...((input as { Payload?: Record<string, unknown> }).Payload ?? {}) };
    for (const [key, value] of Object.entries(payload)) if (value === TOKEN_PLACEHOLDER) payload[key] = taskToken;
    return new Promise((resolve, reject) => {
      const task: WaitingTask = { executionArn, stateName, resolve, reject, heartbeatSeconds, heartbeatTimer: null };
      this.waiting.set(taskToken, task);
      this.armHeartbeat(taskToken, task);
      if (typeof timeoutSeconds === 'number') {
        if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
          this.takeWaiting(taskToken);
          reject(new StatesError('States.Runtime', `TimeoutSecondsPath gave ${timeoutSeconds}, not a whole number of seconds above 0`));
          return;
        }
        const timer = setTimeout(() => {
          if (this.waiting.get(taskToken) !== task) return;
          this.waiting.delete(taskToken);
          this.spentTokens.set(taskToken, 'timed_out');
          if (task.heartbeatTimer) clearTimeout(task.heartbeatTimer);
          reject(new StatesError('States.Timeout', `The task ran longer than its ${timeoutSeconds} seconds`));
        }, Math.min(timeoutSeconds, MAX_TIMER_SECONDS) * 1000);
        task.timeoutTimer = timer;
      }
      // The invocation is asynchronous to the wait: its failure fails the task; its result does not end it.
      this.invoke(fn, payload).catch((error: unknown) => {
        if (this.waiting.get(taskToken) !== task) return;
        this.takeWaiting(taskToken);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  private armHeartbeat(taskToken: string, task: WaitingTask): void {
    if (task.heartbeatTimer) clearTimeout(task.heartbeatTimer);
    if (task.heartbeatSeconds === null) return;
    task.heartbeatTimer = setTimeout(() => {
      if (this.waiting.get(taskToken) !== task) return;
      this.waiting.delete(taskToken);
      this.spentTokens.set(taskToken, 'timed_out');
      if (task.timeoutTimer) clearTimeout(task.timeoutTimer);
      task.reject(new StatesError('States.HeartbeatTimeout', `No heartbeat for ${task.heartbeatSeconds} seconds`));
    }, Math.min(task.heartbeatSeconds, MAX_TIMER_SECONDS) * 1000);
  }

  private endWaitsOf(executionArn: string): void {
    for (const [taskToken, task] of this.waiting) {
      if (task.executionArn !== executionArn) continue;
      if (task.heartbeatTimer) clearTimeout(task.heartbeatTimer);
      if (task.timeoutTimer) clearTimeout(task.timeoutTimer);
      this.waiting.delete(taskToken);
      this.spentTokens.set(taskToken, 'done');
    }
  }

  private async invoke(fn: LocalFunction, payload: unknown): Promise<unknown> {
    let loaded = this.handlers.get(fn.logicalId);
    if (!loaded) {
      loaded = import(pathToFileURL(join(repositoryRoot, fn.entry)).href).then((module: { handler: Handler }) => module.handler);
      this.handlers.set(fn.logicalId, loaded);
    }
    const handler = await loaded;
    try {
      return await handler(payload, lambdaContext(fn));
    } catch (error) {
      this.options.onError?.(error);
      throw error;
    }
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(body));
    };
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, string | undefined>;
      switch (target) {
        case 'StartExecution': {
          const started = await this.startExecution(body.name, JSON.parse(body.input ?? '{}'));
          return send(200, { executionArn: started.executionArn, startDate: started.startDate.getTime() / 1000 });
        }
        case 'DescribeExecution': {
          const execution = this.executions.get(body.executionArn ?? '');
          if (!execution) throw new StatesError('ExecutionDoesNotExist', `Execution does not exist: '${body.executionArn}'`);
          return send(200, describe(execution, this.stateMachineArn));
        }
        case 'StopExecution': {
          const execution = this.executions.get(body.executionArn ?? '');
          if (!execution) throw new StatesError('ExecutionDoesNotExist', `Execution does not exist: '${body.executionArn}'`);
          this.stopExecution(execution);
          return send(200, { stopDate: (execution.stopDate ?? new Date()).getTime() / 1000 });
        }
        case 'SendTaskSuccess':
          this.sendTaskSuccess(body.taskToken ?? '', JSON.parse(body.output ?? 'null'));
          return send(200, {});
        case 'SendTaskFailure':
          this.sendTaskFailure(body.taskToken ?? '', body.error, body.cause);
          return send(200, {});
        case 'SendTaskHeartbeat':
          this.sendTaskHeartbeat(body.taskToken ?? '');
          return send(200, {});
        default:
          throw new StatesError('UnknownOperationException', `The local runner does not offer ${target || 'that operation'}`);
      }
    } catch (error) {
      if (error instanceof StatesError) return send(400, { __type: `com.amazonaws.swf.service.v2.model#${error.name}`, message: error.message });
      this.options.onError?.(error);
      return send(500, { __type: 'InternalError', message: error instanceof Error ? error.message : String(error) });
    }
  }
}

function describe(execution: LocalExecution, stateMachineArn: string) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate.getTime() / 1000,
    ...(execution.stopDate ? { stopDate: execution.stopDate.getTime() / 1000 } : {}),
    input: JSON.stringify(execution.input),
    ...(execution.status === 'SUCCEEDED' ? { output: JSON.stringify(execution.output) } : {}),
    ...(execution.error ? { error: execution.error } : {}),
    ...(execution.cause ? { cause: execution.cause } : {}),
  };
}

/** The `{Error, Cause}` a failed execution reports: a Fail state's, or the uncaught error's. */
function failureOf(error: Error & { cause?: unknown }): { error: string; cause: string } {
  const inner = error.cause instanceof Error ? error.cause : null;
  const match = /Execution has failed with the following error: (.*)/.exec(error.message);
  return { error: inner?.name ?? error.name, cause: inner?.message ?? match?.[1] ?? error.message };
}

/** The state field the runner moves a task's `TimeoutSecondsPath` value into (see `adaptedForRunner`). */
const TIMEOUT_PARAMETER = 'localRunnerTimeoutSeconds';

/**
 * The definition as the runner runs it, with two adaptations, both for the library's limits:
 * timeouts longer than Node's timers can hold are left out (on AWS they run their full length), and
 * a task's `TimeoutSecondsPath`, which aws-local-stepfunctions 3 evaluates against the task's
 * Parameters instead of its input, is moved into the Parameters (`TIMEOUT_PARAMETER`), where the
 * runner's own timer reads it.
 */
function adaptedForRunner(definition: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(definition);
  if (typeof copy.TimeoutSeconds === 'number' && copy.TimeoutSeconds > MAX_TIMER_SECONDS) delete copy.TimeoutSeconds;
  for (const state of Object.values(copy.States as Record<string, Record<string, unknown>>)) {
    if (typeof state.TimeoutSeconds === 'number' && state.TimeoutSeconds > MAX_TIMER_SECONDS) state.TimeoutSeconds = MAX_TIMER_SECONDS;
    if (state.Type === 'Task' && typeof state.TimeoutSecondsPath === 'string') {
      state.Parameters = { ...(state.Parameters as Record<string, unknown>), [`${TIMEOUT_PARAMETER}.$`]: state.TimeoutSecondsPath };
      delete state.TimeoutSecondsPath;
      state.TimeoutSeconds = MAX_TIMER_SECONDS;
    }
  }
  return copy;
}

function lambdaContext(fn: LocalFunction): Context {
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.logicalId,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${fn.logicalId}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/local/${fn.logicalId}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
