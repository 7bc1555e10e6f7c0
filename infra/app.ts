import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ActionPlansStack } from './action-plans-stack.ts';
import { readSettings } from './settings.ts';

const app = new App();
const settings = readSettings(app.node);

new ActionPlansStack(app, `ActionPlans-${settings.stage}`, {
  settings,
  // Taken from the CLI's credentials when there are any; without them the stack is environment-agnostic.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

// A finding fails the synth; each accepted one is acknowledged where it arises, with its reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
