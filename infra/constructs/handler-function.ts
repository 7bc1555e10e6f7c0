import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, type IDestination, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface HandlerFunctionProps {
  /** The handler's source file, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize: number;
  logRetention: RetentionDays;
  /** Where an asynchronous invocation goes once it has failed its last retry. */
  onFailure?: IDestination;
}

/**
 * A Lambda function built from one of `functions/*.ts`, the same way for every handler: bundled
 * locally with esbuild into one ESM file, Node.js 22 on ARM, its own log group, active tracing, and
 * a role that starts with nothing but writing to that log group.
 */
export class HandlerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  /** The handler's source file, relative to the repository root (the local runners import it). */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.entry = props.entry;

    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // Its own role instead of the default one, whose AWSLambdaBasicExecutionRole may write to any log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(repositoryRoot, props.entry),
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: join(repositoryRoot, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      // Stack traces point into the TypeScript sources through the bundle's source map.
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      role: this.role,
      logGroup,
      tracing: Tracing.ACTIVE,
      ...(props.onFailure ? { onFailure: props.onFailure } : {}),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The AWS SDK is bundled, not taken from the runtime, so the deployed code runs the versions
        // the lockfile pins and the tests ran with.
        externalModules: [],
        // An ESM bundle has no require(): a CommonJS dependency that requires a Node built-in would
        // fail at run time with "Dynamic require of … is not supported". Today's dependencies all
        // resolve to ESM; this keeps one added later from breaking only once deployed.
        banner: "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);",
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime chosen for the handlers (esbuild target node22): the repository pins Node 22 as a dev ' +
        'dependency and runs every npm script, the tests included, on it, so the handlers run on the Node their tests ran on; ' +
        'nodejs24.x follows when that pin moves to Node 24.',
    });
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so their resource is "*".',
    });
  }

  /**
   * Allows actions that support no resource-level permissions (their only resource is "*"), in a
   * policy of their own so that the cdk-nag acknowledgement, and its reason, covers exactly these actions.
   */
  allowActionsWithoutResourceScope(id: string, actions: string[], reason: string): void {
    const policy = new iam.Policy(this, id, {
      roles: [this.role],
      statements: [new iam.PolicyStatement({ actions, resources: ['*'] })],
    });
    this.function.node.addDependency(policy);
    Validations.of(policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
  }
}
