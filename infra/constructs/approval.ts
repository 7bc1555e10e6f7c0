import { ArnFormat, type CfnResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { HttpNoneAuthorizer, type HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { APPROVAL_LINK_ROUTES } from '../../functions/api/routes.ts';
import type { ApprovalSettings } from '../settings.ts';
import type { Data } from './data.ts';
import { HandlerFunction } from './handler-function.ts';

export interface ApprovalProps {
  data: Data;
  /** The HTTP API the link pages are served on (`/approvals/{token}`, public: the token is the credential). */
  api: HttpApi;
  settings: ApprovalSettings;
  logRetention: RetentionDays;
}

/** The names the local runner and the tests find the states by. */
export const APPROVAL_STATES = {
  begin: 'Begin approval',
  linksValid: 'Links still valid?',
  awaitStage: 'Await stage decision',
  awaitLastStretch: 'Await decision before links expire',
  linksExpired: 'Links expired',
  remind: 'Remind approvers',
  nextStage: 'Next stage',
  moreStages: 'More stages?',
  approved: 'Record approval',
  changesRequested: 'Record changes requested',
  expired: 'Record expiry',
  failed: 'Record failure',
} as const;

/**
 * The approval flow: a Standard state machine that walks a plan revision through its establishment's
 * chain of stages. Each stage waits on a task token (`.waitForTaskToken`) while its approvers hold
 * emailed links; the wait's heartbeat times reminders and escalation, its timeout the links' expiry.
 * The link pages (GET shows, POST decides) send the token back.
 */
export class Approval extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly beginApproval: HandlerFunction;
  readonly requestStageDecision: HandlerFunction;
  readonly finishApproval: HandlerFunction;
  readonly approvalLink: HandlerFunction;
  /** The environment every approval function gets; the API's submit route needs it too. */
  readonly environment: Record<string, string>;
  private readonly data: Data;
  private readonly stateMachineName: string;
  /** Sending from the approval identity (the functions that withdraw a superseded run tell its approvers). */
  private readonly sendEmail: iam.PolicyStatement;
  /** Every execution of the state machine (`…:execution:<name>:*`). */
  private readonly executionsArn: string;

  constructor(scope: Construct, id: string, props: ApprovalProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { settings } = props;
    const table = props.data.table;
    this.data = props.data;

    // The state machine's name is fixed so that functions inside it may answer its task tokens
    // without a dependency cycle (their policy names its ARN instead of referencing the resource).
    const stateMachineName = `${stack.stackName}-approval`;
    const stateMachineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.stateMachineName = stateMachineName;
    this.executionsArn = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    // The key of the keyed hash kept instead of approvers' IP addresses: generated at deploy, never in the
    // template nor in a function's configuration. The functions get the secret's ARN and read its value
    // at cold start (functions/lib/approval-runtime.ts).
    const ipHashKey = new secretsmanager.Secret(this, 'AuditIpHashKey', {
      description: 'Key of the HMAC kept in the approval audit instead of client IP addresses',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(ipHashKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The key only pseudonymises IP addresses in the audit; rotating it would unlink past entries from new ones, which is what it is for.',
    });

    this.environment = {
      TABLE_NAME: table.tableName,
      EMAIL_FROM: settings.emailFrom,
      APPROVAL_LINK_BASE_URL: `${props.api.apiEndpoint}${(APPROVAL_LINK_ROUTES[0]?.path ?? '/approvals/{token}').replace('/{token}', '')}`,
      APPROVAL_LINK_VALID_SECONDS: String(settings.linkValidity.toSeconds()),
      APPROVAL_REMINDER_AFTER_SECONDS: String(settings.reminderAfter.toSeconds()),
      APPROVAL_ESCALATE_AFTER_SECONDS: String(settings.escalateAfter.toSeconds()),
      DEFAULT_APPROVAL_CHAIN: settings.defaultChain ? JSON.stringify(settings.defaultChain) : '',
      AUDIT_IP_HASH_KEY_SECRET_ARN: ipHashKey.secretArn,
    };
    const handler = (name: string, entry: string, description: string) =>
      new HandlerFunction(this, name, {
        entry,
        description,
        environment: this.environment,
        timeout: Duration.seconds(30),
        memorySize: 512,
        logRetention: props.logRetention,
      });
    this.beginApproval = handler('BeginApproval', 'functions/begin-approval.ts', 'Approval: records the run and marks the plan awaiting approval');
    this.requestStageDecision = handler('RequestStageDecision', 'functions/request-stage-decision.ts', 'Approval: emails a stage\'s approvers their links, reminds, escalates');
    this.finishApproval = handler('FinishApproval', 'functions/finish-approval.ts', 'Approval: ends the run, sets the plan\'s status, tells its owners');
    this.approvalLink = handler('ApprovalLink', 'functions/approval-link.ts', 'Approval link pages: GET shows, POST decides');

    // Least privilege: each function gets the item actions it uses (transactions need each action inside).
    props.data.grantItemActions(this.beginApproval.role, ['GetItem', 'Query', 'PutItem', 'UpdateItem']);
    props.data.grantItemActions(this.requestStageDecision.role, ['GetItem', 'Query', 'PutItem', 'UpdateItem']);
    props.data.grantItemActions(this.finishApproval.role, ['GetItem', 'Query', 'UpdateItem']);
    // A decision's transaction checks the run and the revision (ConditionCheck) as it writes the stage.
    props.data.grantItemActions(this.approvalLink.role, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem']);
    // GetSecretValue on the audit key's secret alone (not grantRead: DescribeSecret is not needed).
    const readIpHashKey = new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [ipHashKey.secretArn] });
    for (const fn of [this.beginApproval, this.requestStageDecision, this.finishApproval, this.approvalLink]) fn.role.addToPrincipalPolicy(readIpHashKey);
    const sendEmail = new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: settings.sesIdentity })],
    });
    for (const fn of [this.requestStageDecision, this.finishApproval]) fn.role.addToPrincipalPolicy(sendEmail);
    const answerTasks = new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [stateMachineArn] });
    for (const fn of [this.requestStageDecision, this.approvalLink]) fn.role.addToPrincipalPolicy(answerTasks);
    // A decision whose run's execution is gone carries the run on in a new execution: the link
    // function tells a gone execution from a waiting one, and starts the next.
    this.approvalLink.function.addEnvironment('STATE_MACHINE_ARN', stateMachineArn);
    this.approvalLink.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }));
    const describeFromLinks = new iam.Policy(this.approvalLink, 'DescribeApprovalExecutionsPolicy', {
      roles: [this.approvalLink.role],
      statements: [new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [this.executionsArn] })],
    });
    Validations.of(describeFromLinks).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${nagValue(stack.partition, 'Partition')}:states:${nagValue(stack.region, 'Region')}:${nagValue(stack.account, 'AccountId')}:execution:${stateMachineName}:*]`,
      reason: 'Executions are named per plan, revision and attempt when they start; the pattern covers only this state machine\'s executions.',
    });
    this.sendEmail = sendEmail;

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Approval of a plan revision: its establishment\'s stages in order, each waiting on emailed links',
      definitionBody: sfn.DefinitionBody.fromChainable(this.definition(settings)),
      // A backstop: ten stages each waiting until their links expire, and a day to spare.
      timeout: Duration.seconds(settings.linkValidity.toSeconds() * 10 + 86_400),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'StateMachineLogs', { retention: props.logRetention }),
        level: sfn.LogLevel.ALL,
        // Execution data holds task tokens: they stay out of the logs.
        includeExecutionData: false,
      },
    });

    const stateMachinePolicy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (stateMachinePolicy) {
      for (const fn of [this.beginApproval, this.requestStageDecision, this.finishApproval]) {
        const logicalId = stack.resolve(stack.getLogicalId(fn.function.node.defaultChild as CfnResource)) as string;
        Validations.of(stateMachinePolicy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
          reason: 'Step Functions\' Lambda integration may invoke the function or any of its versions (ARN:*); the functions are this construct\'s own.',
        });
      }
      Validations.of(stateMachinePolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Execution logs and tracing: the CloudWatch Logs delivery actions Step Functions needs (logs:CreateLogDelivery, …) and ' +
          'xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets support no resource-level permissions.',
      });
    }

    const linkPath = APPROVAL_LINK_ROUTES[0]?.path ?? '/approvals/{token}';
    if (APPROVAL_LINK_ROUTES.some((route) => route.path !== linkPath || route.entry !== this.approvalLink.entry)) {
      throw new Error('The approval link routes must share one path and the approval link handler');
    }
    const linkIntegration = new HttpLambdaIntegration('ApprovalLinkIntegration', this.approvalLink.function);
    const routes = props.api.addRoutes({
      // The same routes the local gateway serves (functions/api/routes.ts).
      path: linkPath,
      methods: APPROVAL_LINK_ROUTES.map((route) => HttpMethod[route.method]),
      integration: linkIntegration,
      // Public on purpose: the link's single-use secret is the credential (approvers have no accounts).
      authorizer: new HttpNoneAuthorizer(),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Approvers act from an email without an account: the single-use, expiring, approver-bound secret in the link is the authorisation, checked by the handler.',
      });
    }
  }

  /**
   * Lets functions start the approval: the API's submit route, and the functions that store a plan
   * revision, which restart it when the previous revision was sent back with changes requested, and
   * withdraw (stop, and tell its approvers) a run of a revision the new one supersedes.
   */
  allowStartingFrom(functions: HandlerFunction[]): void {
    const stack = Stack.of(this);
    for (const fn of functions) {
      fn.function.addEnvironment('STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
      fn.function.addEnvironment('DEFAULT_APPROVAL_CHAIN', this.environment.DEFAULT_APPROVAL_CHAIN ?? '');
      fn.function.addEnvironment('EMAIL_FROM', this.environment.EMAIL_FROM ?? '');
      this.stateMachine.grantStartExecution(fn.role);
      fn.role.addToPrincipalPolicy(this.sendEmail);
      // To tell a run whose execution has gone from one still waiting, and to stop a superseded
      // revision's execution: its executions, whose names are not known ahead.
      const describe = new iam.Policy(fn, 'DescribeApprovalExecutionsPolicy', {
        roles: [fn.role],
        statements: [new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [this.executionsArn] })],
      });
      Validations.of(describe).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${nagValue(stack.partition, 'Partition')}:states:${nagValue(stack.region, 'Region')}:${nagValue(stack.account, 'AccountId')}:execution:${this.stateMachineName}:*]`,
        reason: 'Executions are named per plan, revision and attempt when they start; the pattern covers only this state machine\'s executions.',
      });
      this.data.grantItemActions(fn.role, ['GetItem', 'Query']);
    }
  }

  /**
   * Begin → links still valid? → (await stage ⟲ remind) → next stage … → approved. Each stage's
   * links work for `linkValidity`; the state carries the seconds they have left, which bound each
   * wait (TimeoutSecondsPath), so a stage nobody decides ends as expired when its links expire. A
   * wait's heartbeat runs out after `reminderAfter`, and the next round reminds; the last stretch,
   * shorter than a reminder interval, is waited without one. A rejection, expiry or error leaves
   * the loop to its own recording state.
   */
  private definition(settings: ApprovalSettings): sfn.IChainable {
    const linkValidSeconds = settings.linkValidity.toSeconds();
    const reminderSeconds = settings.reminderAfter.toSeconds();
    const run = {
      planId: sfn.JsonPath.stringAt('$.planId'),
      revision: sfn.JsonPath.numberAt('$.revision'),
      attempt: sfn.JsonPath.numberAt('$.attempt'),
    };
    const finish = (name: string, outcome: 'approved' | 'changes_requested' | 'expired' | 'failed', withError: boolean) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: this.finishApproval.function,
        payload: sfn.TaskInput.fromObject({ ...run, outcome, ...(withError ? { error: sfn.JsonPath.objectAt('$.error') } : {}) }),
        resultPath: sfn.JsonPath.DISCARD,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
      });

    const failed = new sfn.Fail(this, 'Approval failed', { error: 'ApprovalFailed', cause: 'An approval step failed; see the execution history' });
    const recordFailure = finish(APPROVAL_STATES.failed, 'failed', true);
    recordFailure.addCatch(failed, { resultPath: sfn.JsonPath.DISCARD }).next(failed);

    const begin = new tasks.LambdaInvoke(this, APPROVAL_STATES.begin, {
      lambdaFunction: this.beginApproval.function,
      payload: sfn.TaskInput.fromObject({ ...run, executionId: sfn.JsonPath.executionId }),
      // A fresh run starts at stage 0 with the links' whole validity; a run carried on after its
      // execution was lost starts at the stage it continues from, with the time its links have left.
      resultSelector: { 'stageCount.$': '$.Payload.stageCount', 'stageIndex.$': '$.Payload.stageIndex', round: 0, 'secondsLeft.$': '$.Payload.secondsLeft' },
      resultPath: '$.approval',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
    });
    begin.addCatch(recordFailure, { resultPath: '$.error' });

    const recordChanges = finish(APPROVAL_STATES.changesRequested, 'changes_requested', true);
    const recordExpiry = finish(APPROVAL_STATES.expired, 'expired', true);
    for (const recording of [recordChanges, recordExpiry]) recording.addCatch(recordFailure, { resultPath: '$.error' });
    const linksExpired = new sfn.Pass(this, APPROVAL_STATES.linksExpired, {
      parameters: { Error: 'ApprovalExpired', Cause: 'The stage was not decided before its links expired' },
      resultPath: '$.error',
    }).next(recordExpiry);

    const awaitDecision = (name: string, heartbeat: boolean) => {
      const wait = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: this.requestStageDecision.function,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({
          ...run,
          stageIndex: sfn.JsonPath.numberAt('$.approval.stageIndex'),
          round: sfn.JsonPath.numberAt('$.approval.round'),
          taskToken: sfn.JsonPath.taskToken,
        }),
        // No decision for this long: the heartbeat runs out, and the next round sends reminders.
        ...(heartbeat ? { heartbeatTimeout: sfn.Timeout.duration(settings.reminderAfter) } : {}),
        // Until the stage's links expire.
        taskTimeout: sfn.Timeout.at('$.approval.secondsLeft'),
        resultPath: '$.stageOutcome',
      });
      if (heartbeat) wait.addCatch(remind, { errors: ['States.HeartbeatTimeout'], resultPath: '$.lastHeartbeat' });
      wait.addCatch(recordChanges, { errors: ['ChangesRequested'], resultPath: '$.error' });
      wait.addCatch(recordExpiry, { errors: ['ApprovalExpired', sfn.Errors.TIMEOUT], resultPath: '$.error' });
      wait.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
      return wait;
    };

    const remind = new sfn.Pass(this, APPROVAL_STATES.remind, {
      parameters: {
        'stageCount.$': '$.approval.stageCount',
        'stageIndex.$': '$.approval.stageIndex',
        'round.$': 'States.MathAdd($.approval.round, 1)',
        'secondsLeft.$': `States.MathAdd($.approval.secondsLeft, -${reminderSeconds})`,
      },
      resultPath: '$.approval',
    });
    const awaitStage = awaitDecision(APPROVAL_STATES.awaitStage, true);
    const awaitLastStretch = awaitDecision(APPROVAL_STATES.awaitLastStretch, false);
    const linksValid = new sfn.Choice(this, APPROVAL_STATES.linksValid)
      .when(sfn.Condition.numberLessThanEquals('$.approval.secondsLeft', 0), linksExpired)
      .when(sfn.Condition.numberGreaterThan('$.approval.secondsLeft', reminderSeconds), awaitStage)
      .otherwise(awaitLastStretch);
    remind.next(linksValid);

    const nextStage = new sfn.Pass(this, APPROVAL_STATES.nextStage, {
      parameters: {
        'stageCount.$': '$.approval.stageCount',
        'stageIndex.$': 'States.MathAdd($.approval.stageIndex, 1)',
        round: 0,
        secondsLeft: linkValidSeconds,
      },
      resultPath: '$.approval',
    });
    awaitStage.next(nextStage);
    awaitLastStretch.next(nextStage);
    const recordApproval = finish(APPROVAL_STATES.approved, 'approved', false);
    recordApproval.addCatch(recordFailure, { resultPath: '$.error' });
    nextStage.next(
      new sfn.Choice(this, APPROVAL_STATES.moreStages)
        .when(sfn.Condition.numberLessThanJsonPath('$.approval.stageIndex', '$.approval.stageCount'), linksValid)
        .otherwise(recordApproval),
    );

    recordApproval.next(new sfn.Succeed(this, 'Approved'));
    recordChanges.next(new sfn.Succeed(this, 'Changes requested'));
    recordExpiry.next(new sfn.Succeed(this, 'Expired'));

    return begin.next(linksValid);
  }
}

/** How cdk-nag writes a stack attribute in a finding: the value when known at synth, else `<AWS::Name>`. */
function nagValue(value: string, pseudoParameter: 'Partition' | 'Region' | 'AccountId'): string {
  return Token.isUnresolved(value) ? `<AWS::${pseudoParameter}>` : value;
}
