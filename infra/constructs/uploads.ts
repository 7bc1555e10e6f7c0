import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GSI1 } from '../../shared/adapters/dynamodb/table-definition.ts';
import { UPLOAD_PREFIXES } from '../../shared/domain/uploads.ts';
import { DEFAULT_FAIL_UNFINISHABLE_AFTER_MINUTES } from '../../shared/usecases/sweep-stalled-analyses.ts';
import type { Data } from './data.ts';
import { HandlerFunction } from './handler-function.ts';

export interface UploadsProps {
  data: Data;
  /** Browser origins that may PUT files into the bucket with presigned URLs. */
  allowedOrigins: string[];
  /** An analysis running longer than this is checked with Textract by the sweeper. */
  stallAfterMinutes: number;
  /** How long a replaced or deleted upload's previous version is kept. */
  noncurrentVersionsExpireAfter: Duration;
  logRetention: RetentionDays;
}

const uploadPrefixes = Object.values(UPLOAD_PREFIXES);
const SWEEP_PERIOD_MINUTES = 15;
/** Textract's own limit for a job is far shorter; one still running after this is given up on. */
const GIVE_UP_RUNNING_ANALYSIS_AFTER_HOURS = 24;

/**
 * Uploads and their ingestion: the bucket people upload plan PDFs to, and the path from an uploaded
 * object to a stored plan — EventBridge → ingest Lambda → Textract → SNS → completion Lambda, with a
 * scheduled sweeper for completions that never arrive and a queue for invocations that failed every retry.
 */
export class Uploads extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  /** Textract publishes each job's completion here. */
  readonly analysisCompletedTopic: sns.Topic;
  /** The role Textract assumes to publish to `analysisCompletedTopic`. */
  readonly textractPublishRole: iam.Role;
  /** Events the ingest and completion Lambdas failed on after every retry, for a person to look at. */
  readonly failedEvents: sqs.Queue;
  readonly failedEventsAlarm: cloudwatch.Alarm;
  readonly uploadReceived: HandlerFunction;
  readonly analysisCompleted: HandlerFunction;
  readonly sweepStalledAnalyses: HandlerFunction;

  constructor(scope: Construct, id: string, props: UploadsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const table = props.data.table;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      // SSE-S3, not SSE-KMS: Textract reads the object with the credentials of the caller of
      // StartDocumentAnalysis, so with a KMS key the ingest Lambda, and whoever signs the browser's
      // presigned PUT, would all need key grants kept in step with the bucket. The files are
      // inspection action plans (OFFICIAL, published by HMIP); encryption at rest with S3-managed
      // keys meets that. Move to SSE-KMS with a bucket key if a key-level audit trail is required.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'uploads/',
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: props.allowedOrigins,
          // Content-Type plus whatever x-amz-* headers the presigned URL signs (metadata, checksums).
          allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
          exposedHeaders: ['ETag', 'x-amz-version-id'],
          maxAge: 3600,
        },
      ],
      lifecycleRules: [
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        {
          id: 'RawUploads',
          prefix: 'uploads/',
          // Read by Textract within minutes of arriving, afterwards only to re-read or download it.
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
          noncurrentVersionExpiration: props.noncurrentVersionsExpireAfter,
          expiredObjectDeleteMarker: true,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Set on the CloudFormation resource: the L2 `eventBridgeEnabled` does the same through a
    // custom-resource Lambda (its own role, a managed policy, s3:PutBucketNotification on "*"),
    // although CloudFormation supports it natively. Adding S3 event notifications to this bucket
    // later would replace this with the custom resource; then set `eventBridgeEnabled` instead.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    const messagesKey = new kms.Key(this, 'MessagesKey', {
      description: 'Encrypts the Textract completion topic',
      enableKeyRotation: true,
    });
    this.analysisCompletedTopic = new sns.Topic(this, 'AnalysisCompletedTopic', {
      displayName: 'Textract document analysis completed',
      masterKey: messagesKey,
      enforceSSL: true,
    });
    this.textractPublishRole = new iam.Role(this, 'TextractPublishRole', {
      description: 'Assumed by Amazon Textract to publish job completions to the analysis topic',
      // Only Textract acting for this account (confused-deputy protection).
      assumedBy: new iam.ServicePrincipal('textract.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'textract', resource: '*' }) },
      }),
    });
    this.analysisCompletedTopic.grantPublish(this.textractPublishRole);
    Validations.of(this.textractPublishRole.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'Publishing to a KMS-encrypted topic needs kms:GenerateDataKey* and kms:Decrypt (as the SNS documentation states); ' +
        'the grant names the topic key alone.',
    });

    this.failedEvents = new sqs.Queue(this, 'FailedEvents', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failedEvents).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue: the on-failure destination of the ingest and completion Lambdas ' +
        '(cdk-nag recognises only SQS redrive policies and Lambda DeadLetterConfig as DLQ use).',
    });
    this.failedEventsAlarm = new cloudwatch.Alarm(this, 'FailedEventsAlarm', {
      alarmDescription: 'An upload or a Textract completion failed every retry: its event is in the failed-events queue',
      metric: this.failedEvents.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Lambda's on-failure destination rather than a function DLQ: its record carries the error
    // (type, message, stack) and the request context next to the original event, not just the event.
    const toFailedEvents = new SqsDestination(this.failedEvents);

    this.uploadReceived = new HandlerFunction(this, 'UploadReceived', {
      entry: 'functions/upload-received.ts',
      description: 'Checks an uploaded PDF, records the upload and starts its Textract analysis',
      // Reads the whole object once (hash, signature, page count): up to 500 MB.
      timeout: Duration.minutes(5),
      memorySize: 1024,
      environment: {
        TABLE_NAME: table.tableName,
        TEXTRACT_TOPIC_ARN: this.analysisCompletedTopic.topicArn,
        TEXTRACT_ROLE_ARN: this.textractPublishRole.roleArn,
        UPLOAD_BUCKET: this.bucket.bucketName,
      },
      logRetention: props.logRetention,
      onFailure: toFailedEvents,
    });
    const uploadedObjects = uploadPrefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}*`));
    // Textract reads the object with the caller's permissions, so these also cover Textract's read.
    this.uploadReceived.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: uploadedObjects }),
    );
    // HeadObject answers 404 for a missing key only to a caller allowed s3:ListBucket (403 otherwise);
    // receiveUpload relies on the 404 to try the URL-decoded key and to skip objects deleted meanwhile.
    this.uploadReceived.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    this.uploadReceived.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.textractPublishRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'textract.amazonaws.com' } },
      }),
    );
    this.uploadReceived.allowActionsWithoutResourceScope(
      'StartAnalysisPolicy',
      ['textract:StartDocumentAnalysis'],
      'textract:StartDocumentAnalysis supports no resource-level permissions; the documents it may read are limited by the s3:GetObject grant on the upload prefixes.',
    );
    // The same content analysed before finishes at once (receiveUpload → completeAnalysis), storing the
    // plan as the finishers below do: their item actions too.
    props.data.grantItemActions(this.uploadReceived.role, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem']);
    const bucketLogicalId = stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    for (const prefix of uploadPrefixes) {
      Validations.of(this.uploadReceived.role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${prefix}*]`,
        reason: 'Uploads arrive under any key below the upload prefixes; the prefix is the narrowest scope that names them.',
      });
    }

    new events.Rule(this, 'UploadCreated', {
      description: 'A file was uploaded under one of the upload prefixes',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.bucket.bucketName] },
          object: { key: uploadPrefixes.map((prefix) => ({ prefix })) },
        },
      },
      targets: [new eventTargets.LambdaFunction(this.uploadReceived.function)],
    });

    this.analysisCompleted = new HandlerFunction(this, 'AnalysisCompleted', {
      entry: 'functions/analysis-completed.ts',
      description: 'Reads a finished Textract analysis into a plan and stores it as a new revision',
      // Pages through up to 3,000 pages of results within Textract's request rate.
      timeout: Duration.minutes(15),
      // One full vCPU: turning Blocks into a plan is CPU-bound.
      memorySize: 1769,
      environment: { TABLE_NAME: table.tableName },
      logRetention: props.logRetention,
      onFailure: toFailedEvents,
    });
    this.analysisCompletedTopic.addSubscription(new LambdaSubscription(this.analysisCompleted.function));

    this.sweepStalledAnalyses = new HandlerFunction(this, 'SweepStalledAnalyses', {
      entry: 'functions/sweep-stalled-analyses.ts',
      description: 'Finishes or fails uploads whose Textract completion never arrived',
      // Shorter than the schedule's period, so runs do not overlap.
      timeout: Duration.minutes(14),
      memorySize: 1769,
      environment: {
        TABLE_NAME: table.tableName,
        STALL_AFTER_MINUTES: String(props.stallAfterMinutes),
        GIVE_UP_AFTER_HOURS: String(GIVE_UP_RUNNING_ANALYSIS_AFTER_HOURS),
        // After the completion function's tries (SNS → Lambda: three) and several sweeps, an analysis
        // whose completion still fails is failed with a reason, so no upload stays "analysing".
        FAIL_UNFINISHABLE_AFTER_MINUTES: String(Math.max(DEFAULT_FAIL_UNFINISHABLE_AFTER_MINUTES, props.stallAfterMinutes + 4 * SWEEP_PERIOD_MINUTES)),
      },
      logRetention: props.logRetention,
    });
    new events.Rule(this, 'SweepSchedule', {
      description: 'Looks for analyses whose completion notification never arrived',
      schedule: events.Schedule.rate(Duration.minutes(SWEEP_PERIOD_MINUTES)),
      targets: [new eventTargets.LambdaFunction(this.sweepStalledAnalyses.function)],
    });

    // Both finish analyses: they read Textract's results and store the plan the same way.
    for (const finisher of [this.analysisCompleted, this.sweepStalledAnalyses]) {
      finisher.allowActionsWithoutResourceScope(
        'ReadAnalysisPolicy',
        ['textract:GetDocumentAnalysis'],
        'textract:GetDocumentAnalysis supports no resource-level permissions; the job id to read comes from the upload record.',
      );
      // What DynamoPlanStore.storeRevision and storeDraft do: reads, conditional puts and updates (alone
      // and in TransactWriteItems, which is authorised per item action), BatchWriteItem of the revision's
      // records; findDraftAnsweredBy reads the plan record and queries the draft's items.
      props.data.grantItemActions(finisher.role, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem']);
    }
    // The uploads still analysing are found on GSI1 (access pattern 3 of docs/data-model.md).
    props.data.grantIndexQuery(this.sweepStalledAnalyses.role, GSI1);
  }
}
