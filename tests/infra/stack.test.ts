import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnResource } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionPlansStack } from '../../infra/action-plans-stack.ts';
import { HandlerFunction } from '../../infra/constructs/handler-function.ts';
import { readSettings } from '../../infra/settings.ts';
import { cdkContext, type Json, list, type Statement, statementsOfRole, synthesiseStack } from '../helpers/cdk-template.ts';
import { GSI1, TABLE_DEFINITION } from '../../shared/adapters/dynamodb/table-definition.ts';

let app: App;
let stack: ActionPlansStack;
let template: Template;

// Built once for the whole file, with the functions bundled by esbuild: the tests look at the bundles.
beforeAll(() => {
  ({ app, stack, template } = synthesiseStack({ bundle: true }));
}, 120_000);

/** The logical id of an L2 construct's CloudFormation resource. */
function logicalId(construct: IConstruct): string {
  return stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnResource);
}

const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

function resource(construct: IConstruct): Json {
  return template.toJSON().Resources[logicalId(construct)] as Json;
}

function propertiesOf(construct: IConstruct): Json {
  return resource(construct).Properties as Json;
}

const statementsOf = (role: IConstruct): Statement[] => statementsOfRole(template, ref(role));

/** The actions the statements allow on exactly this resource. */
function actionsAllowedOn(statements: Statement[], target: unknown): string[] {
  return statements
    .filter((s) => s.Effect === 'Allow' && list(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(target)))
    .flatMap((s) => list(s.Action))
    .sort();
}

const objectsUnder = (prefix: string) => ({
  'Fn::Join': ['', [arnOf(stack.uploads.bucket), `/${prefix}*`]],
});

describe('upload bucket', () => {
  it('is encrypted with S3-managed keys (SSE-S3)', () => {
    expect(propertiesOf(stack.uploads.bucket).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('blocks every kind of public access and disables ACLs', () => {
    expect(propertiesOf(stack.uploads.bucket)).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('denies every request that does not use TLS 1.2 or later', () => {
    const bucketAndObjects = [arnOf(stack.uploads.bucket), { 'Fn::Join': ['', [arnOf(stack.uploads.bucket), '/*']] }];
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(stack.uploads.bucket),
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: bucketAndObjects,
          },
          {
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            Resource: bucketAndObjects,
          },
        ]),
      },
    });
  });

  it('keeps versions and is kept when the stack is deleted', () => {
    expect(propertiesOf(stack.uploads.bucket).VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(resource(stack.uploads.bucket)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('aborts stale multipart uploads, moves raw uploads to infrequent access, and expires old versions', () => {
    const rules = (propertiesOf(stack.uploads.bucket).LifecycleConfiguration as { Rules: Json[] }).Rules;
    expect(rules).toEqual([
      { Id: 'AbortIncompleteMultipartUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
      {
        Id: 'RawUploads',
        Status: 'Enabled',
        Prefix: 'uploads/',
        Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
        NoncurrentVersionExpiration: { NoncurrentDays: cdkContext['actionPlans:noncurrentUploadVersionsExpireAfterDays'] },
        ExpiredObjectDeleteMarker: true,
      },
    ]);
  });

  it('lets the configured browser origins PUT through presigned URLs, and nothing else', () => {
    expect(propertiesOf(stack.uploads.bucket).CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedMethods: ['PUT'],
          AllowedOrigins: cdkContext['actionPlans:uploadAllowedOrigins'],
          AllowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
          ExposedHeaders: ['ETag', 'x-amz-version-id'],
          MaxAge: 3600,
        },
      ],
    });
  });

  it('sends its events to EventBridge and logs access to the access-log bucket', () => {
    expect(propertiesOf(stack.uploads.bucket)).toMatchObject({
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LoggingConfiguration: { DestinationBucketName: ref(stack.uploads.accessLogsBucket) },
    });
    // EventBridge is enabled natively: no notifications custom resource (and its Lambda) in the stack.
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  it('routes "Object Created" under both upload prefixes to the ingest Lambda', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [ref(stack.uploads.bucket)] },
          object: { key: [{ prefix: 'uploads/plans/' }, { prefix: 'uploads/reports/' }] },
        },
      },
      Targets: [Match.objectLike({ Arn: arnOf(stack.uploads.uploadReceived.function) })],
    });
  });
});

describe('Lambda functions', () => {
  const functions = (): [string, HandlerFunction][] => [
    ['upload-received', stack.uploads.uploadReceived],
    ['analysis-completed', stack.uploads.analysisCompleted],
    ['sweep-stalled-analyses', stack.uploads.sweepStalledAnalyses],
  ];

  it('run Node.js 22 on ARM with active tracing, ESM bundles and their own log group', () => {
    // Every function of the stack is a HandlerFunction (the ingestion's three, the approval's, one per API route).
    const handlers = stack.node.findAll().filter((construct) => construct instanceof HandlerFunction);
    template.resourceCountIs('AWS::Lambda::Function', handlers.length);
    for (const [, handler] of functions()) {
      expect(propertiesOf(handler.function)).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
      });
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: cdkContext['actionPlans:logRetentionDays'] });
    // One per function, the state machine's and the API's access log.
    template.resourceCountIs('AWS::Logs::LogGroup', stack.node.findAll().filter((construct) => construct instanceof HandlerFunction).length + 2);
  });

  it('run the major version of Node the repository pins and runs its tests on (devDependencies.node)', () => {
    // Every npm script runs on the `node` dev dependency, so the handlers deploy on the Node their tests ran on.
    const { devDependencies } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };
    const runtimes = new Set(Object.values(template.findResources('AWS::Lambda::Function')).map((lambda) => (lambda.Properties as Json).Runtime));
    expect([...runtimes]).toEqual([`nodejs${devDependencies.node!.split('.')[0]}.x`]);
  });

  it('are given the environment their handlers read', () => {
    const table = ref(stack.data.table);
    // Storing a revision may restart an approval sent back with changes requested, or withdraw one
    // still in progress on the previous revision (and email its approvers).
    const approval = {
      STATE_MACHINE_ARN: ref(stack.approval.stateMachine),
      DEFAULT_APPROVAL_CHAIN: JSON.stringify(cdkContext['actionPlans:defaultApprovalChain']),
      EMAIL_FROM: cdkContext['actionPlans:approvalEmailFrom'],
    };
    const variables = (handler: HandlerFunction) => (propertiesOf(handler.function).Environment as { Variables: Json }).Variables;
    expect(variables(stack.uploads.uploadReceived)).toEqual({
      TABLE_NAME: table,
      TEXTRACT_TOPIC_ARN: ref(stack.uploads.analysisCompletedTopic),
      TEXTRACT_ROLE_ARN: arnOf(stack.uploads.textractPublishRole),
      UPLOAD_BUCKET: ref(stack.uploads.bucket),
      NODE_OPTIONS: '--enable-source-maps',
      ...approval,
    });
    expect(variables(stack.uploads.analysisCompleted)).toEqual({ TABLE_NAME: table, NODE_OPTIONS: '--enable-source-maps', ...approval });
    expect(variables(stack.uploads.sweepStalledAnalyses)).toEqual({
      TABLE_NAME: table,
      STALL_AFTER_MINUTES: String(cdkContext['actionPlans:stallAfterMinutes']),
      GIVE_UP_AFTER_HOURS: '24',
      FAIL_UNFINISHABLE_AFTER_MINUTES: '120',
      NODE_OPTIONS: '--enable-source-maps',
      ...approval,
    });
  });

  it('are bundled into one minified ESM file each, without pdfjs (the local analyser stays out of the Lambdas)', () => {
    for (const [name, handler] of functions()) {
      const code = propertiesOf(handler.function).Code as { S3Key: string };
      const assetDirectory = join(app.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      const bundle = join(assetDirectory, 'index.mjs');
      expect(existsSync(bundle), `${name} bundle`).toBe(true);
      const sources = (JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] }).sources;
      expect(sources.some((source) => source.includes(`functions/${name}.ts`))).toBe(true);
      // The local outbox (node:fs only) is in: the same handler sends email to it when run locally.
      expect(sources.filter((source) => /pdfjs|pdf-lib|pdfkit|shared\/adapters\/local\/(?!outbox-email-sender)/.test(source))).toEqual([]);
      expect(statSync(bundle).size, `${name} bundle bytes`).toBeLessThan(3 * 1024 * 1024);
    }
  });
});

describe('Textract notifications', () => {
  it('go to a KMS-encrypted topic (with a rotating key) that refuses publishing without TLS', () => {
    expect(propertiesOf(stack.uploads.analysisCompletedTopic).KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/MessagesKey/), 'Arn'],
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(stack.uploads.analysisCompletedTopic)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('are published by a role only Textract acting for this account can assume', () => {
    expect(propertiesOf(stack.uploads.textractPublishRole).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'textract.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': expect.objectContaining({ 'Fn::Join': expect.anything() }) },
          },
        },
      ],
    });
    const statements = statementsOf(stack.uploads.textractPublishRole);
    expect(actionsAllowedOn(statements, ref(stack.uploads.analysisCompletedTopic))).toEqual(['sns:Publish']);
    expect(statements.flatMap((s) => list(s.Action)).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*', 'sns:Publish']);
  });

  it('are delivered to the completion Lambda', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: ref(stack.uploads.analysisCompletedTopic),
      Endpoint: arnOf(stack.uploads.analysisCompleted.function),
    });
  });
});

describe('failures', () => {
  it('of the ingest and completion Lambdas go, after their retries, to an encrypted queue', () => {
    const queueArn = arnOf(stack.uploads.failedEvents);
    for (const handler of [stack.uploads.uploadReceived, stack.uploads.analysisCompleted]) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: ref(handler.function),
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      });
    }
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    expect(propertiesOf(stack.uploads.failedEvents)).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('queue refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(stack.uploads.failedEvents)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('raise an alarm as soon as one is queued', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.uploads.failedEvents), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('of lost notifications are swept up every 15 minutes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: arnOf(stack.uploads.sweepStalledAnalyses.function) })],
    });
    // Runs never overlap: each ends before the next one starts.
    expect(propertiesOf(stack.uploads.sweepStalledAnalyses.function).Timeout).toBeLessThan(15 * 60);
  });

  it('end every upload within a bound: a completion that keeps failing is failed by the sweeper after its retries', () => {
    const variables = (propertiesOf(stack.uploads.sweepStalledAnalyses.function).Environment as { Variables: Record<string, string> }).Variables;
    const stallAfter = Number(variables.STALL_AFTER_MINUTES);
    const failAfter = Number(variables.FAIL_UNFINISHABLE_AFTER_MINUTES);
    // Long enough for the completion function's retries and a few sweeps; short enough that nobody
    // watches an upload say "analysing" for a day: failed within failAfter + one sweep period.
    expect(failAfter).toBeGreaterThanOrEqual(stallAfter + 4 * 15);
    expect(failAfter + 15).toBeLessThanOrEqual(3 * 60);
    expect(Number(variables.GIVE_UP_AFTER_HOURS)).toBeLessThanOrEqual(24);
  });
});

describe('table', () => {
  it('has the keys and indexes of the shared table definition', () => {
    const { partitionKey, sortKey, globalSecondaryIndexes } = TABLE_DEFINITION;
    const keyAttributes = [partitionKey, sortKey, ...globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey])];
    expect(propertiesOf(stack.data.table)).toMatchObject({
      KeySchema: [
        { AttributeName: partitionKey.name, KeyType: 'HASH' },
        { AttributeName: sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: keyAttributes.map(({ name, type }) => ({ AttributeName: name, AttributeType: type })),
      GlobalSecondaryIndexes: globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('is on demand, with point-in-time recovery, TTL on expiresAt, deletion protection, and retained', () => {
    const properties = propertiesOf(stack.data.table);
    expect(properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [
        expect.objectContaining({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
    expect(resource(stack.data.table)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

/** What Step Functions needs to deliver execution logs to CloudWatch Logs; these actions support no resource scope. */
const stateMachineLogDelivery = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
];

describe('permissions', () => {
  const tableArn = () => arnOf(stack.data.table);

  it('let the ingest Lambda read uploads, start Textract, pass only the Textract role, and write upload records', () => {
    const statements = statementsOf(stack.uploads.uploadReceived.role);
    for (const prefix of ['uploads/plans/', 'uploads/reports/']) {
      expect(actionsAllowedOn(statements, objectsUnder(prefix))).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    }
    expect(actionsAllowedOn(statements, arnOf(stack.uploads.bucket))).toEqual(['s3:ListBucket']);
    // BatchWriteItem and Query too: the same content analysed before is stored at once, as a finisher does.
    expect(actionsAllowedOn(statements, tableArn())).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(actionsAllowedOn(statements, '*')).toEqual([
      'textract:StartDocumentAnalysis',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(actionsAllowedOn(statements, arnOf(stack.uploads.failedEvents))).toContain('sqs:SendMessage');
  });

  it('let iam:PassRole pass nothing but the Textract role, and only to Textract', () => {
    const passRole = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => list(statement.Action).some((action) => action.startsWith('iam:')));
    expect(passRole).toEqual([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: arnOf(stack.uploads.textractPublishRole),
        Condition: { StringEquals: { 'iam:PassedToService': 'textract.amazonaws.com' } },
      },
    ]);
    expect(statementsOf(stack.uploads.uploadReceived.role)).toContainEqual(passRole[0]);
  });

  it('let the completion Lambda and the sweeper read analyses and store plans, and only the sweeper query GSI1', () => {
    const storeActions = [
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ];
    const gsi1 = { 'Fn::Join': ['', [tableArn(), `/index/${GSI1}`]] };
    for (const handler of [stack.uploads.analysisCompleted, stack.uploads.sweepStalledAnalyses]) {
      const statements = statementsOf(handler.role);
      expect(actionsAllowedOn(statements, tableArn())).toEqual(storeActions);
      expect(actionsAllowedOn(statements, '*')).toEqual([
        'textract:GetDocumentAnalysis',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
      expect(statements.flatMap((s) => list(s.Action)).filter((action) => action.startsWith('s3:'))).toEqual([]);
    }
    expect(actionsAllowedOn(statementsOf(stack.uploads.sweepStalledAnalyses.role), gsi1)).toEqual(['dynamodb:Query']);
    expect(actionsAllowedOn(statementsOf(stack.uploads.analysisCompleted.role), gsi1)).toEqual([]);
  });

  it('never use a wildcard action, nor resource "*" except for X-Ray and Textract', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    const actions = statements.flatMap((s) => list(s.Action));
    // The one exception is SNS's documented requirement on the topic's key.
    expect(actions.filter((action) => action.includes('*'))).toEqual(['kms:GenerateDataKey*']);
    const onAnyResource = statements.filter((s) => list(s.Resource).includes('*')).flatMap((s) => list(s.Action));
    expect(onAnyResource.filter((action) => !/^(xray|textract):/.test(action))).toEqual(stateMachineLogDelivery);
    // Those log delivery actions are the state machine's, for its execution logs.
    const machineStatements = statementsOf(stack.approval.stateMachine.role);
    expect(machineStatements.filter((s) => list(s.Resource).includes('*')).flatMap((s) => list(s.Action)).filter((action) => action.startsWith('logs:'))).toEqual(
      stateMachineLogDelivery,
    );
  });

  it('use no AWS managed policies', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged: no errors, no warnings', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(app);
    const findings = report.violations.map((violation) => ({
      rule: violation.ruleName,
      severity: violation.severity,
      resources: violation.violatingResources.map((r) => r.constructPath),
    }));
    expect(findings).toEqual([]);
  });

  it('acknowledges each accepted finding on the construct it concerns, with a reason', () => {
    const acknowledged = stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason }))),
      );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledged) {
      expect(path, id).not.toBe(stack.node.path);
      expect(reason.length, `${path} ${id}`).toBeGreaterThan(40);
    }
  });
});

describe('settings', () => {
  const settingsFrom = (overrides: Record<string, unknown>) =>
    readSettings(new App({ context: { ...cdkContext, ...overrides } }).node);

  it('come from cdk.json, and accept command-line strings', () => {
    expect(settingsFrom({})).toMatchObject({ stage: 'dev', stallAfterMinutes: 30 });
    expect(
      settingsFrom({
        'actionPlans:uploadAllowedOrigins': 'https://plans.example.gov.uk, http://localhost:5173',
        'actionPlans:stallAfterMinutes': '45',
      }),
    ).toMatchObject({ uploadAllowedOrigins: ['https://plans.example.gov.uk', 'http://localhost:5173'], stallAfterMinutes: 45 });
  });

  it('refuse values that would deploy something unintended', () => {
    expect(() => settingsFrom({ 'actionPlans:uploadAllowedOrigins': ['*'] })).toThrow(/not an origin/);
    expect(() => settingsFrom({ 'actionPlans:uploadAllowedOrigins': ['https://example.org/path'] })).toThrow(/not an origin/);
    expect(() => settingsFrom({ 'actionPlans:logRetentionDays': 100 })).toThrow(/retention/);
    expect(() => settingsFrom({ 'actionPlans:stallAfterMinutes': 0 })).toThrow(/whole number/);
    expect(() => settingsFrom({ 'actionPlans:stage': 'prod_1' })).toThrow(/stage/);
    expect(() => settingsFrom({ 'actionPlans:stage': undefined })).toThrow(/not set/);
  });

  it('tag the stack with the application and the stage', () => {
    expect(stack.tags.tagValues()).toMatchObject({ Application: 'inspection-action-plans', Stage: 'dev' });
  });
});
