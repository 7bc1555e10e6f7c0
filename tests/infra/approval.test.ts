import { App, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionPlansStack } from '../../infra/action-plans-stack.ts';
import { APPROVAL_STATES } from '../../infra/constructs/approval.ts';
import type { HandlerFunction } from '../../infra/constructs/handler-function.ts';
import { readSettings } from '../../infra/settings.ts';
import { cdkContext, type Json, list, type Statement, statementsOfRole, synthesiseStack } from '../helpers/cdk-template.ts';


interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: { FunctionName?: string; Payload?: Json } & Json;
  HeartbeatSeconds?: number;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  ResultSelector?: Json;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  Choices?: Json[];
  Default?: string;
  Error?: string;
}
interface Definition {
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}

const STACK_NAME = 'ActionPlans-test';
const DAY = 86_400;

let app: App;
let stack: ActionPlansStack;
let template: Template;
let definition: Definition;

// Built once for the whole file (without bundling the functions: nothing here reads their code).
beforeAll(() => {
  ({ app, stack, template } = synthesiseStack({ stackName: STACK_NAME }));
  definition = definitionOf(template, stack);
}, 120_000);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function logicalIdIn(inStack: ActionPlansStack, construct: IConstruct): string {
  return inStack.resolve(inStack.getLogicalId((construct.node.defaultChild ?? construct) as CfnResource)) as string;
}
const logicalId = (construct: IConstruct) => logicalIdIn(stack, construct);
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

function propertiesOf(construct: IConstruct): Json {
  return (template.toJSON().Resources[logicalId(construct)] as { Properties: Json }).Properties;
}

/**
 * The state machine's definition as Step Functions will read it. CloudFormation builds it with an
 * Fn::Join whose parts are strings and intrinsics (partition, function ARNs): the intrinsics become
 * placeholders such as `<Ref:AWS::Partition>` and `<GetAtt:LogicalId.Arn>` before parsing.
 */
function definitionOf(fromTemplate: Template, inStack: ActionPlansStack): Definition {
  const properties = (fromTemplate.toJSON().Resources[logicalIdIn(inStack, inStack.approval.stateMachine)] as { Properties: Json }).Properties;
  const join = (properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  expect(join[0]).toBe('');
  const text = join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const intrinsic = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (intrinsic.Ref) return `<Ref:${intrinsic.Ref}>`;
      if (intrinsic['Fn::GetAtt']) return `<GetAtt:${intrinsic['Fn::GetAtt'].join('.')}>`;
      throw new Error(`Unexpected intrinsic in the definition: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text) as Definition;
}

function state(name: string): State {
  const found = definition.States[name];
  if (!found) throw new Error(`No state "${name}" in ${Object.keys(definition.States).join(', ')}`);
  return found;
}

/** Follows `Next` from a state until a state without one; returns the last state's type. */
function endOf(name: string): { name: string; type: string } {
  const seen = new Set<string>();
  let current = name;
  for (;;) {
    if (seen.has(current)) throw new Error(`Loop through ${current}`);
    seen.add(current);
    const next = state(current).Next;
    if (!next) return { name: current, type: state(current).Type };
    current = next;
  }
}

const functionArnPlaceholder = (handler: HandlerFunction) => `<GetAtt:${logicalId(handler.function)}.Arn>`;

const statementsOf = (role: IConstruct): Statement[] => statementsOfRole(template, ref(role));
const actionsOf = (statements: Statement[]) => statements.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action));
const statementsWith = (statements: Statement[], prefix: string) =>
  statements.filter((s) => s.Effect === 'Allow' && list(s.Action).some((action) => action.startsWith(prefix)));

const approvalFunctions = (): [string, HandlerFunction][] => [
  ['begin', stack.approval.beginApproval],
  ['request-stage', stack.approval.requestStageDecision],
  ['finish', stack.approval.finishApproval],
  ['link', stack.approval.approvalLink],
];

/** `arn:${Partition}:states:${Region}:${AccountId}:stateMachine:<stack>-approval`, as CloudFormation builds it. */
const stateMachineArn = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:stateMachine:${STACK_NAME}-approval`],
  ],
};
const executionsArn = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:execution:${STACK_NAME}-approval:*`],
  ],
};
const sesIdentityArn = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':identity/plans.example.gov.uk']],
};

const seconds = (iso: unknown) => {
  const days = /^P(\d+)D$/.exec(String(iso));
  if (!days) throw new Error(`cdk.json duration ${String(iso)} is not whole days`);
  return Number(days[1]) * DAY;
};
const linkValiditySeconds = () => seconds(cdkContext['actionPlans:approvalLinkValidity']);
const reminderSeconds = () => seconds(cdkContext['actionPlans:approvalReminderAfter']);

describe('approval state machine', () => {
  it('is a Standard workflow with X-Ray tracing, full logging without execution data, and an execution timeout', () => {
    const properties = propertiesOf(stack.approval.stateMachine);
    expect(properties).toMatchObject({
      StateMachineType: 'STANDARD',
      StateMachineName: `${STACK_NAME}-approval`,
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [expect.stringMatching(/^ApprovalStateMachineLogs/), 'Arn'] } } }],
      },
    });
    // Ten stages (the most a chain may have) each waiting until their links expire must fit, within a Standard execution's year.
    expect(definition.TimeoutSeconds).toBeGreaterThanOrEqual(10 * linkValiditySeconds());
    expect(definition.TimeoutSeconds).toBeLessThanOrEqual(365 * DAY);
    expect(definition.StartAt).toBe(APPROVAL_STATES.begin);
  });

  it('waits on each stage with a task token, the heartbeat timing reminders and the timeout the links\' validity', () => {
    const wait = state(APPROVAL_STATES.awaitStage);
    const lastStretch = state(APPROVAL_STATES.awaitLastStretch);
    expect(lastStretch).toMatchObject({ Type: 'Task', Resource: wait.Resource, Parameters: wait.Parameters, TimeoutSecondsPath: '$.approval.secondsLeft', Next: APPROVAL_STATES.nextStage });
    expect(lastStretch.HeartbeatSeconds).toBeUndefined();
    expect(wait.Type).toBe('Task');
    expect(wait.Resource).toBe('arn:<Ref:AWS::Partition>:states:::lambda:invoke.waitForTaskToken');
    expect(wait.Resource?.endsWith('lambda:invoke.waitForTaskToken')).toBe(true);
    expect(wait.Parameters?.FunctionName).toBe(functionArnPlaceholder(stack.approval.requestStageDecision));
    expect(wait.Parameters?.Payload).toMatchObject({
      'taskToken.$': '$$.Task.Token',
      'planId.$': '$.planId',
      'revision.$': '$.revision',
      'attempt.$': '$.attempt',
      'stageIndex.$': '$.approval.stageIndex',
      'round.$': '$.approval.round',
    });
    expect(wait.HeartbeatSeconds).toBe(172_800);
    expect(wait.HeartbeatSeconds).toBe(reminderSeconds());
    // Each wait lasts at most the seconds the stage's links have left.
    expect(wait.TimeoutSeconds).toBeUndefined();
    expect(wait.TimeoutSecondsPath).toBe('$.approval.secondsLeft');
  });

  it('counts down the links\' validity through the reminder rounds, and expires the stage when it is spent', () => {
    // The begin function says where a run starts: stage 0 with the links' whole validity, or, for a
    // run carried on after its execution was lost, the stage it continues from with the time left.
    expect(state(APPROVAL_STATES.begin).ResultSelector).toEqual({
      'stageCount.$': '$.Payload.stageCount',
      'stageIndex.$': '$.Payload.stageIndex',
      round: 0,
      'secondsLeft.$': '$.Payload.secondsLeft',
    });
    expect(state(APPROVAL_STATES.nextStage).Parameters).toMatchObject({ round: 0, secondsLeft: linkValiditySeconds() });
    expect(state(APPROVAL_STATES.remind).Parameters).toMatchObject({ 'secondsLeft.$': `States.MathAdd($.approval.secondsLeft, -${reminderSeconds()})` });
    expect(state(APPROVAL_STATES.linksValid)).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.approval.secondsLeft', NumericLessThanEquals: 0, Next: APPROVAL_STATES.linksExpired },
        { Variable: '$.approval.secondsLeft', NumericGreaterThan: reminderSeconds(), Next: APPROVAL_STATES.awaitStage },
      ],
      Default: APPROVAL_STATES.awaitLastStretch,
    });
    expect(state(APPROVAL_STATES.linksExpired)).toMatchObject({ Type: 'Pass', ResultPath: '$.error', Next: APPROVAL_STATES.expired });
    // With 7 days of validity and a reminder every 2: waits of 7, 5 and 3 days with reminders, then 1 day without, then expiry.
    const waits: number[] = [];
    for (let left = linkValiditySeconds(); left > 0; left -= reminderSeconds()) waits.push(left);
    expect(waits.map((left) => left / DAY)).toEqual([7, 5, 3, 1]);
  });

  it('catches, in order: heartbeat → remind, changes requested, expiry or timeout, then anything else → failure', () => {
    expect(state(APPROVAL_STATES.awaitLastStretch).Catch?.map(({ ErrorEquals, Next }) => ({ ErrorEquals, Next }))).toEqual([
      { ErrorEquals: ['ChangesRequested'], Next: APPROVAL_STATES.changesRequested },
      { ErrorEquals: ['ApprovalExpired', 'States.Timeout'], Next: APPROVAL_STATES.expired },
      { ErrorEquals: ['States.ALL'], Next: APPROVAL_STATES.failed },
    ]);
    const catches = state(APPROVAL_STATES.awaitStage).Catch ?? [];
    expect(catches.map(({ ErrorEquals, Next }) => ({ ErrorEquals, Next }))).toEqual([
      { ErrorEquals: ['States.HeartbeatTimeout'], Next: APPROVAL_STATES.remind },
      { ErrorEquals: ['ChangesRequested'], Next: APPROVAL_STATES.changesRequested },
      { ErrorEquals: ['ApprovalExpired', 'States.Timeout'], Next: APPROVAL_STATES.expired },
      { ErrorEquals: ['States.ALL'], Next: APPROVAL_STATES.failed },
    ]);
    // The error is kept beside the run's state, not in its place (the recording states read $.planId …).
    for (const caught of catches) expect(caught.ResultPath).toMatch(/^\$\.\w+$/);
  });

  it('retries the Lambda service\'s own failures on every Lambda task', () => {
    const lambdaErrors = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(
      [APPROVAL_STATES.begin, APPROVAL_STATES.awaitStage, APPROVAL_STATES.awaitLastStretch, APPROVAL_STATES.approved, APPROVAL_STATES.changesRequested, APPROVAL_STATES.expired, APPROVAL_STATES.failed].sort(),
    );
    for (const [name, task] of tasks) {
      const retried = (task.Retry ?? []).flatMap((retry) => retry.ErrorEquals);
      expect(retried, name).toEqual(expect.arrayContaining(lambdaErrors));
      // Never a blanket retry: a rejection or an expiry must reach its Catch at once.
      expect(retried, name).not.toContain('States.ALL');
    }
  });

  it('calls the begin and finish functions for the other tasks, each with its outcome', () => {
    expect(state(APPROVAL_STATES.begin)).toMatchObject({
      Resource: 'arn:<Ref:AWS::Partition>:states:::lambda:invoke',
      Parameters: { FunctionName: functionArnPlaceholder(stack.approval.beginApproval) },
      Next: APPROVAL_STATES.linksValid,
      ResultPath: '$.approval',
    });
    const outcomes: [string, string][] = [
      [APPROVAL_STATES.approved, 'approved'],
      [APPROVAL_STATES.changesRequested, 'changes_requested'],
      [APPROVAL_STATES.expired, 'expired'],
      [APPROVAL_STATES.failed, 'failed'],
    ];
    for (const [name, outcome] of outcomes) {
      expect(state(name), name).toMatchObject({
        Resource: 'arn:<Ref:AWS::Partition>:states:::lambda:invoke',
        Parameters: { FunctionName: functionArnPlaceholder(stack.approval.finishApproval), Payload: { outcome } },
      });
    }
  });

  it('loops from the reminder back to the wait, and counts rounds', () => {
    const remind = state(APPROVAL_STATES.remind);
    expect(remind).toMatchObject({ Type: 'Pass', Next: APPROVAL_STATES.linksValid, ResultPath: '$.approval' });
    expect(remind.Parameters).toEqual({
      'stageCount.$': '$.approval.stageCount',
      'stageIndex.$': '$.approval.stageIndex',
      'round.$': 'States.MathAdd($.approval.round, 1)',
      'secondsLeft.$': `States.MathAdd($.approval.secondsLeft, -${reminderSeconds()})`,
    });
  });

  it('moves to the next stage while $.approval.stageIndex is below $.approval.stageCount, then records the approval', () => {
    expect(state(APPROVAL_STATES.awaitStage).Next).toBe(APPROVAL_STATES.nextStage);
    expect(state(APPROVAL_STATES.nextStage)).toMatchObject({
      Type: 'Pass',
      Next: APPROVAL_STATES.moreStages,
      Parameters: { 'stageIndex.$': 'States.MathAdd($.approval.stageIndex, 1)', round: 0 },
    });
    expect(state(APPROVAL_STATES.moreStages)).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.approval.stageIndex', NumericLessThanPath: '$.approval.stageCount', Next: APPROVAL_STATES.linksValid }],
      Default: APPROVAL_STATES.approved,
    });
  });

  it('ends approval, changes requested and expiry in Succeed states, and a failure in a Fail state', () => {
    for (const name of [APPROVAL_STATES.approved, APPROVAL_STATES.changesRequested, APPROVAL_STATES.expired]) {
      expect(endOf(name).type, name).toBe('Succeed');
      // A recording that fails is itself recorded as a failure.
      expect(state(name).Catch?.map((c) => [c.ErrorEquals, c.Next]), name).toEqual([[['States.ALL'], APPROVAL_STATES.failed]]);
    }
    expect(endOf(APPROVAL_STATES.failed).type).toBe('Fail');
    const failNext = state(APPROVAL_STATES.failed).Next as string;
    expect(state(failNext)).toMatchObject({ Type: 'Fail', Error: 'ApprovalFailed' });
    // Even when recording the failure fails, the execution still fails (no loop back to Record failure).
    expect(state(APPROVAL_STATES.failed).Catch?.map((c) => [c.ErrorEquals, c.Next])).toEqual([[['States.ALL'], failNext]]);
    expect(state(APPROVAL_STATES.begin).Catch?.map((c) => [c.ErrorEquals, c.Next])).toEqual([[['States.ALL'], APPROVAL_STATES.failed]]);
    const terminal = Object.values(definition.States).filter((s) => s.Type === 'Succeed' || s.Type === 'Fail');
    expect(terminal.map((s) => s.Type).sort()).toEqual(['Fail', 'Succeed', 'Succeed', 'Succeed']);
  });
});

describe('approval settings', () => {
  const context = (overrides: Record<string, unknown>) => ({ ...cdkContext, ...overrides });
  const settingsFrom = (overrides: Record<string, unknown>) => readSettings(new App({ context: context(overrides) }).node);

  it('set the timers from context overrides', () => {
    // No bundling: only the definition matters here.
    const otherApp = new App({ context: context({ 'actionPlans:approvalReminderAfter': 'PT12H', 'aws:cdk:bundling-stacks': [] }) });
    const otherStack = new ActionPlansStack(otherApp, 'ActionPlans-override', { settings: readSettings(otherApp.node) });
    const otherTemplate = Template.fromStack(otherStack);
    const wait = definitionOf(otherTemplate, otherStack).States[APPROVAL_STATES.awaitStage];
    expect(wait).toMatchObject({ HeartbeatSeconds: 43_200, TimeoutSecondsPath: '$.approval.secondsLeft' });
    const variables = (
      (otherTemplate.toJSON().Resources[logicalIdIn(otherStack, otherStack.approval.requestStageDecision.function)] as { Properties: Json }).Properties
        .Environment as { Variables: Json }
    ).Variables;
    expect(variables).toMatchObject({ APPROVAL_REMINDER_AFTER_SECONDS: '43200', APPROVAL_LINK_VALID_SECONDS: '604800', APPROVAL_ESCALATE_AFTER_SECONDS: '345600' });
    expect(propertiesOf(stack.approval.stateMachine).StateMachineName).toBe(`${STACK_NAME}-approval`);
    expect((otherTemplate.toJSON().Resources[logicalIdIn(otherStack, otherStack.approval.stateMachine)] as { Properties: Json }).Properties.StateMachineName).toBe(
      'ActionPlans-override-approval',
    );
  });

  it('are read from cdk.json, with the SES identity defaulting to the sender\'s domain', () => {
    const { approval } = settingsFrom({});
    expect(approval).toMatchObject({ emailFrom: 'approvals@plans.example.gov.uk', sesIdentity: 'plans.example.gov.uk' });
    expect(approval.linkValidity.toSeconds()).toBe(7 * DAY);
    expect(approval.reminderAfter.toSeconds()).toBe(2 * DAY);
    expect(approval.escalateAfter.toSeconds()).toBe(4 * DAY);
    expect(approval.defaultChain?.stages.map((s) => s.name)).toEqual(['Governor', 'Prison Group Director']);
    expect(settingsFrom({ 'actionPlans:defaultApprovalChain': null }).approval.defaultChain).toBeNull();
  });

  it('refuse a reminder that would not come before the links expire', () => {
    expect(() => settingsFrom({ 'actionPlans:approvalReminderAfter': 'P7D' })).toThrow(/approvalReminderAfter must be shorter than approvalLinkValidity/);
    expect(() => settingsFrom({ 'actionPlans:approvalReminderAfter': 'P8D' })).toThrow(/approvalReminderAfter must be shorter than approvalLinkValidity/);
  });

  it('refuse a duration that is not ISO 8601', () => {
    for (const bad of ['7 days', 'P7X', '604800', 'PT0S']) {
      expect(() => settingsFrom({ 'actionPlans:approvalLinkValidity': bad }), bad).toThrow(/actionPlans:approvalLinkValidity must be an ISO 8601 duration/);
    }
    expect(() => settingsFrom({ 'actionPlans:approvalEscalateAfter': 'soon' })).toThrow(/actionPlans:approvalEscalateAfter must be an ISO 8601 duration/);
  });

  it('refuse a default chain without stages, from cdk.json or as a -c string', () => {
    const empty = { stages: [], planOwners: [] };
    expect(() => settingsFrom({ 'actionPlans:defaultApprovalChain': empty })).toThrow(/defaultApprovalChain is not an approval chain: stages/);
    expect(() => settingsFrom({ 'actionPlans:defaultApprovalChain': JSON.stringify(empty) })).toThrow(/defaultApprovalChain is not an approval chain: stages/);
  });

  it('refuse a sender that is not an email address', () => {
    expect(() => settingsFrom({ 'actionPlans:approvalEmailFrom': 'approvals' })).toThrow(/approvalEmailFrom must be an email address/);
  });
});

describe('approval permissions', () => {
  it('let only the request-stage and finish functions send email, and only from the configured SES identity', () => {
    for (const [name, handler] of approvalFunctions()) {
      const ses = statementsWith(statementsOf(handler.role), 'ses:');
      if (name === 'request-stage' || name === 'finish') {
        expect(ses, name).toEqual([{ Effect: 'Allow', Action: 'ses:SendEmail', Resource: sesIdentityArn }]);
      } else {
        expect(ses, name).toEqual([]);
      }
    }
  });

  it('let only the request-stage and link functions answer task tokens, and only of the approval state machine', () => {
    expect(propertiesOf(stack.approval.stateMachine).StateMachineName).toBe(`${STACK_NAME}-approval`);
    for (const [name, handler] of approvalFunctions()) {
      const states = statementsWith(statementsOf(handler.role), 'states:');
      if (name === 'request-stage') {
        expect(states, name).toEqual([{ Effect: 'Allow', Action: ['states:SendTaskFailure', 'states:SendTaskSuccess'], Resource: stateMachineArn }]);
      } else if (name === 'link') {
        // The link function also carries on a run whose execution is gone: it tells a gone
        // execution from a waiting one, and starts the next one.
        expect(states, name).toEqual([
          { Effect: 'Allow', Action: ['states:SendTaskFailure', 'states:SendTaskSuccess', 'states:StartExecution'], Resource: stateMachineArn },
          { Effect: 'Allow', Action: 'states:DescribeExecution', Resource: executionsArn },
        ]);
      } else {
        expect(states, name).toEqual([]);
      }
    }
  });

  it('give the routes that read an establishment\'s chain the deployment\'s default chain (the audit ties approvers to an establishment by it)', () => {
    for (const routeId of ['GetApprovers', 'ListPlanAudit']) {
      const fn = stack.queryApi.functions[routeId]!;
      const variables = (propertiesOf(fn.function).Environment as { Variables: Json }).Variables;
      expect(JSON.parse(variables.DEFAULT_APPROVAL_CHAIN as string), routeId).toEqual(cdkContext['actionPlans:defaultApprovalChain']);
    }
  });

  it('give no approval function a wildcard action, DynamoDB Scan, or the finish function PutItem', () => {
    for (const [name, handler] of approvalFunctions()) {
      const actions = actionsOf(statementsOf(handler.role));
      expect(actions.filter((action) => action === '*' || action === 'states:*' || action === 'ses:*' || action.endsWith(':*')), name).toEqual([]);
      expect(actions.filter((action) => /^dynamodb:(Scan|\*|BatchWriteItem|DeleteItem)$/.test(action)), name).toEqual([]);
      // A decision's transaction holds ConditionChecks (the run in progress, the revision current), which
      // IAM authorises as dynamodb:ConditionCheckItem: without it no link could decide on AWS.
      const expected = {
        finish: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        link: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      }[name] ?? ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];
      expect(actions.filter((action) => action.startsWith('dynamodb:')).sort(), name).toEqual(expected);
      // The table is the only DynamoDB resource.
      for (const statement of statementsWith(statementsOf(handler.role), 'dynamodb:')) expect(statement.Resource, name).toEqual(arnOf(stack.data.table));
      // Resource "*" only for X-Ray, which has no resource-level permissions.
      const onAny = statementsOf(handler.role).filter((s) => list(s.Resource).includes('*')).flatMap((s) => list(s.Action));
      expect(onAny.every((action) => action.startsWith('xray:')), name).toBe(true);
    }
  });

  it('let the state machine invoke exactly the three task functions (and their versions)', () => {
    const statements = statementsOf(stack.approval.stateMachine.role);
    const invoke = statementsWith(statements, 'lambda:');
    expect(invoke.flatMap((s) => list(s.Action))).toEqual(['lambda:InvokeFunction']);
    const taskFunctions = [stack.approval.beginApproval, stack.approval.finishApproval, stack.approval.requestStageDecision].map((h) => arnOf(h.function));
    const versionsOf = (arn: unknown) => ({ 'Fn::Join': ['', [arn, ':*']] });
    const resources = invoke.flatMap((s) => list(s.Resource));
    expect(resources).toHaveLength(6);
    for (const arn of taskFunctions) {
      expect(resources).toContainEqual(arn);
      expect(resources).toContainEqual(versionsOf(arn));
    }
    expect(resources).not.toContainEqual(arnOf(stack.approval.approvalLink.function));
    // Nothing else but logging delivery and X-Ray, which support no resource-level permissions.
    const others = statements.filter((s) => !invoke.includes(s)).flatMap((s) => list(s.Action));
    expect(others.every((action) => /^(logs|xray):/.test(action)), others.join(', ')).toBe(true);
  });
});

describe('approval link routes and functions', () => {
  function route(routeKey: string): Json {
    const found = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => r.Properties.RouteKey === routeKey);
    expect(found, routeKey).toHaveLength(1);
    return (found[0] as { Properties: Json }).Properties;
  }

  it.each(['GET /approvals/{token}', 'POST /approvals/{token}'])('%s is public and served by the approval-link function', (routeKey) => {
    const properties = route(routeKey);
    expect(properties.AuthorizationType).toBe('NONE');
    expect(properties.AuthorizerId).toBeUndefined();
    const target = properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
    expect(target['Fn::Join'][1][0]).toBe('integrations/');
    const integrationId = target['Fn::Join'][1][1].Ref;
    const integration = template.toJSON().Resources[integrationId] as { Type: string; Properties: Json };
    expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: arnOf(stack.approval.approvalLink.function),
      PayloadFormatVersion: '2.0',
      ApiId: properties.ApiId,
    });
    // API Gateway may invoke the function for this path.
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p) => same(p.Properties.FunctionName, arnOf(stack.approval.approvalLink.function)) && p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    expect(permissions.some((p) => JSON.stringify(p.Properties.SourceArn).includes('/approvals/{token}'))).toBe(true);
  });

  it('run Node.js 22 on ARM with active tracing', () => {
    for (const [name, handler] of approvalFunctions()) {
      expect(propertiesOf(handler.function), name).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Role: arnOf(handler.role),
      });
    }
  });

  it('get only the audit IP hash key secret’s ARN, never its value or a dynamic reference, and may read that one secret alone', () => {
    const secret = stack.approval.node.findChild('AuditIpHashKey');
    const secretProperties = propertiesOf(secret);
    expect(secretProperties.GenerateSecretString).toMatchObject({ PasswordLength: 48 });
    expect(secretProperties.SecretString).toBeUndefined();
    // No function anywhere in the stack holds the secret's value in its configuration.
    for (const [id, resource] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      const variables = JSON.stringify((resource as { Properties: Json }).Properties.Environment ?? {});
      expect(variables, id).not.toContain('resolve:secretsmanager');
      expect(variables, id).not.toContain('AUDIT_IP_HASH_KEY"');
    }
    for (const [name, handler] of approvalFunctions()) {
      const variables = (propertiesOf(handler.function).Environment as { Variables: Json }).Variables;
      expect(variables.AUDIT_IP_HASH_KEY, name).toBeUndefined();
      expect(variables.AUDIT_IP_HASH_KEY_SECRET_ARN, name).toEqual(ref(secret));
      expect(variables, name).toMatchObject({
        TABLE_NAME: ref(stack.data.table),
        EMAIL_FROM: cdkContext['actionPlans:approvalEmailFrom'],
        APPROVAL_LINK_VALID_SECONDS: String(linkValiditySeconds()),
        APPROVAL_REMINDER_AFTER_SECONDS: String(reminderSeconds()),
      });
      expect(JSON.parse(variables.DEFAULT_APPROVAL_CHAIN as string), name).toEqual(cdkContext['actionPlans:defaultApprovalChain']);
      const secrets = statementsWith(statementsOf(handler.role), 'secretsmanager:');
      expect(secrets, name).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ref(secret) }]);
    }
    // No other role may read it.
    const approvalRoles = new Set(approvalFunctions().map(([, handler]) => logicalId(handler.role)));
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      const properties = (policy as { Properties: Json }).Properties;
      const reads = ((properties.PolicyDocument as { Statement: Statement[] }).Statement).filter((s) => list(s.Action).some((action) => String(action).startsWith('secretsmanager:')));
      if (reads.length === 0) continue;
      const roles = (properties.Roles as { Ref: string }[]).map((role) => role.Ref);
      expect(roles.every((role) => approvalRoles.has(role)), id).toBe(true);
    }
  });
});

describe('cdk-nag AwsSolutions on the Approval construct', () => {
  it('finds nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(app);
    const findings = report.violations
      .map((violation) => ({
        rule: violation.ruleName,
        severity: violation.severity,
        resources: violation.violatingResources.map((r) => r.constructPath).filter((path) => path?.includes('/Approval/')),
      }))
      .filter((finding) => finding.resources.length > 0);
    expect(findings).toEqual([]);
  });
});
