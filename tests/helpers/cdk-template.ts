import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ActionPlansStack } from '../../infra/action-plans-stack.ts';
import { readSettings } from '../../infra/settings.ts';

/** The same context `cdk synth` reads (cdk.json), so the tests see the template the CLI produces. */
export const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

/**
 * The stack as `cdk synth` builds it. Bundling the functions with esbuild takes most of a synth's
 * time: only tests that look at the bundles ask for it; the others get the same template with
 * placeholder assets.
 */
export function synthesiseStack(options: { bundle?: boolean; context?: Record<string, unknown>; stackName?: string } = {}) {
  const app = new App({ context: { ...cdkContext, ...options.context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const stack = new ActionPlansStack(app, options.stackName ?? 'ActionPlans-test', { settings: readSettings(app.node) });
  return { app, stack, template: Template.fromStack(stack) };
}

export type Json = Record<string, unknown>;

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

export const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every policy attached to the role (given as its `{ Ref }`). */
export function statementsOfRole(template: Template, roleRef: unknown): Statement[] {
  const wanted = JSON.stringify(roleRef);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === wanted))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}
