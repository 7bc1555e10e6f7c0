import { readFileSync } from 'node:fs';
import type { Stack } from 'aws-cdk-lib';
import { App, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { ActionPlansStack } from '../action-plans-stack.ts';
import { HandlerFunction } from '../constructs/handler-function.ts';
import { readSettings } from '../settings.ts';

/** A Lambda function the state machine calls, as the local runner needs it. */
export interface LocalFunction {
  logicalId: string;
  /** The handler's source file, relative to the repository root. */
  entry: string;
  /** Its environment as synthesised; values that are CloudFormation references read `<ref:LogicalId>`. */
  environment: Record<string, string>;
}

export interface SynthesisedStateMachine {
  /** The Amazon States Language definition, with each function's ARN as `arn:aws:lambda:local:000000000000:function:<logicalId>`. */
  definition: Record<string, unknown>;
  functions: Map<string, LocalFunction>;
}

const LOCAL_ARN_PREFIX = 'arn:aws:lambda:local:000000000000:function:';

export function localFunctionArn(logicalId: string): string {
  return LOCAL_ARN_PREFIX + logicalId;
}

export function logicalIdOfLocalArn(arn: string): string | null {
  return arn.startsWith(LOCAL_ARN_PREFIX) ? arn.slice(LOCAL_ARN_PREFIX.length) : null;
}

/**
 * The approval state machine exactly as `cdk synth` defines it: the CDK app is built in-process
 * with cdk.json's context (plus overrides, e.g. short timers for tests) and asset bundling skipped,
 * and the definition is read from the synthesised template, not from a second copy.
 */
export function synthesiseApprovalStateMachine(contextOverrides: Record<string, unknown> = {}): SynthesisedStateMachine {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
  // No stack is bundled: only the template is wanted.
  const app = new App({ context: { ...cdkJson.context, ...contextOverrides, 'aws:cdk:bundling-stacks': [] } });
  const stack = new ActionPlansStack(app, 'ActionPlans-local', { settings: readSettings(app.node) });
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

  const stateMachineId = logicalIdOf(stack, stack.approval.stateMachine);
  const stateMachine = template.Resources[stateMachineId];
  if (!stateMachine) throw new Error('The synthesised template has no approval state machine');
  const definition = JSON.parse(resolveIntrinsics(stateMachine.Properties.DefinitionString)) as Record<string, unknown>;

  const functions = new Map<string, LocalFunction>();
  for (const handler of stack.approval.node.findAll().filter((construct): construct is HandlerFunction => construct instanceof HandlerFunction)) {
    const logicalId = logicalIdOf(stack, handler.function);
    const properties = template.Resources[logicalId]?.Properties ?? {};
    const variables = ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
    functions.set(logicalId, {
      logicalId,
      entry: handler.entry,
      environment: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolveIntrinsics(value)])),
    });
  }
  return { definition, functions };
}

function logicalIdOf(stack: Stack, construct: IConstruct): string {
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnResource)) as string;
}

/** CloudFormation's intrinsic functions, as far as a definition string or an environment value uses them. */
function resolveIntrinsics(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(resolveIntrinsics).join(separator);
    }
    if ('Fn::GetAtt' in object) {
      const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
      return attribute === 'Arn' ? localFunctionArn(logicalId) : `<getatt:${logicalId}.${attribute}>`;
    }
    if ('Ref' in object) {
      const name = object.Ref as string;
      if (name === 'AWS::Partition') return 'aws';
      if (name === 'AWS::Region') return 'local';
      if (name === 'AWS::AccountId') return '000000000000';
      if (name === 'AWS::URLSuffix') return 'amazonaws.com';
      return `<ref:${name}>`;
    }
  }
  return `<unresolved:${JSON.stringify(value)}>`;
}
