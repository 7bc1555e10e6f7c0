import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetDocumentAnalysisCommand, StartDocumentAnalysisCommand, TextractClient } from '@aws-sdk/client-textract';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { LocalPdfTableAnalyser } from '../../shared/adapters/local/pdf-table-analyser.ts';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { uploadIdOf } from '../../shared/domain/uploads.ts';
import type { TextractResponse } from '../../shared/extraction/textract-response.ts';
import { collect } from '../helpers/collect.ts';
import { fixturePath, loadTruth } from '../helpers/fixtures.ts';
import { ADMIN_UPLOADER, recordUploadRequest } from '../helpers/uploaders.ts';

/**
 * The three ingestion functions as Lambda runs them (middy, zod, Powertools), against the real
 * DynamoDB Local, with S3 and Textract played by aws-sdk-client-mock: Textract's answers are the
 * Textract-shaped results of the real fixture PDF, paged as GetDocumentAnalysis pages them.
 */
const tableName = `ingestion-${randomUUID()}`;
const endpoint = inject('dynamodbEndpoint');
Object.assign(process.env, {
  AWS_REGION: 'eu-west-2',
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: endpoint,
  TEXTRACT_TOPIC_ARN: 'arn:aws:sns:eu-west-2:111122223333:textract-done',
  TEXTRACT_ROLE_ARN: 'arn:aws:iam::111122223333:role/textract-publish',
  STALL_AFTER_MINUTES: '30',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
});

const s3 = mockClient(S3Client);
const textract = mockClient(TextractClient);
// DynamoDB Local keeps tables per region and access key: use the functions' region.
const client = createDocumentClient({ region: 'eu-west-2', endpoint });
const uploads = new DynamoUploadStore({ client, tableName });
const plans = new DynamoPlanStore({ client, tableName });

const BUCKET = 'action-plan-uploads';
const PDF = new Uint8Array(readFileSync(fixturePath('action-plans/hmp-long-lartin-2023.pdf')));
const PDF_SHA256 = createHash('sha256').update(PDF).digest('hex');
let resultPages: TextractResponse[];

const context = { functionName: 'test', awsRequestId: 'request-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

async function handlers() {
  return {
    uploadReceived: (await import('../../functions/upload-received.ts')).handler,
    analysisCompleted: (await import('../../functions/analysis-completed.ts')).handler,
    sweep: (await import('../../functions/sweep-stalled-analyses.ts')).handler,
  };
}

function objectCreated(key: string, versionId = 'v1') {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created' as const,
    source: 'aws.s3' as const,
    account: '111122223333',
    time: '2026-11-23T10:00:00Z',
    region: 'eu-west-2',
    resources: [`arn:aws:s3:::${BUCKET}`],
    detail: { version: '0', bucket: { name: BUCKET }, object: { key, size: PDF.length, 'version-id': versionId } },
  };
}

/** The upload request POST /uploads records for a key (`<prefix><uuid>/<file>`), by an admin. */
function grantUpload(key: string) {
  return recordUploadRequest(uploads, key, { bucket: BUCKET, createdAt: '2026-11-23T09:59:00.000Z', urlExpiresAt: '2026-11-23T10:14:00.000Z' });
}

function textractDone(jobId: string, uploadId: string, status = 'SUCCEEDED') {
  const message = { JobId: jobId, Status: status, API: 'StartDocumentAnalysis', JobTag: uploadId, Timestamp: 1 };
  return {
    Records: [{ EventSource: 'aws:sns' as const, Sns: { MessageId: randomUUID(), Message: JSON.stringify(message) } }],
  };
}

function serveObject(bytes: Uint8Array) {
  s3.on(HeadObjectCommand).resolves({ ContentLength: bytes.length, ContentType: 'application/pdf' });
  s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from(bytes)]) }));
}

/** GetDocumentAnalysis: the results of job `jobId`, one NextToken page at a time. */
function serveResults(jobId: string) {
  resultPages.forEach((page, i) => {
    const input = { JobId: jobId, MaxResults: 1000, ...(i > 0 ? { NextToken: `token-${i}` } : {}) };
    textract.on(GetDocumentAnalysisCommand, input).resolves({
      ...page,
      ...(i < resultPages.length - 1 ? { NextToken: `token-${i + 1}` } : { NextToken: undefined }),
    } as never);
  });
}

beforeAll(async () => {
  await createTable(client, tableName);
  resultPages = await collect(new LocalPdfTableAnalyser().analyse({ bytes: PDF, name: 'hmp-long-lartin-2023.pdf' }));
});
afterAll(() => client.destroy());
beforeEach(() => {
  s3.reset();
  textract.reset();
  // Right after starting a job, the ingest asks for its status: a new job is still running.
  textract.on(GetDocumentAnalysisCommand, { MaxResults: 1 }).resolves({ JobStatus: 'IN_PROGRESS' });
});

describe('an action plan uploaded to S3 becomes a stored plan', () => {
  const key = `uploads/plans/${randomUUID()}/hmp-long-lartin-2023.pdf`;
  const uploadId = uploadIdOf({ bucket: BUCKET, key, versionId: 'v1' });
  beforeAll(() => grantUpload(key));

  it('the upload is checked and one Textract job started; a replayed event starts nothing', async () => {
    const { uploadReceived } = await handlers();
    serveObject(PDF);
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-long-lartin' });

    expect(await uploadReceived(objectCreated(key), context)).toEqual({
      outcome: 'analysing',
      uploadId,
      jobId: 'job-long-lartin',
    });
    expect(await uploadReceived(objectCreated(key), context)).toEqual({ outcome: 'replayed', uploadId });

    const starts = textract.commandCalls(StartDocumentAnalysisCommand);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.args[0].input).toMatchObject({
      ClientRequestToken: `${PDF_SHA256.slice(0, 62)}-p`,
      JobTag: uploadId,
      FeatureTypes: ['TABLES'],
      DocumentLocation: { S3Object: { Bucket: BUCKET, Name: key, Version: 'v1' } },
    });
    expect(await uploads.get(uploadId)).toMatchObject({
      status: 'analysing',
      analysisJobId: 'job-long-lartin',
      contentSha256: PDF_SHA256,
      pageCount: 11,
    });
  });

  it('Textract’s completion pages through the results and stores the plan; a replayed message writes nothing', async () => {
    const { analysisCompleted } = await handlers();
    serveResults('job-long-lartin');
    expect(resultPages.length).toBeGreaterThanOrEqual(3);

    const [outcome] = (await analysisCompleted(textractDone('job-long-lartin', uploadId), context)) as {
      outcome: string;
      planId: string;
    }[];
    expect(outcome).toMatchObject({ outcome: 'parsed', uploadId, revision: 1, created: true });
    expect(textract.commandCalls(GetDocumentAnalysisCommand)).toHaveLength(resultPages.length);

    const truth = loadTruth('hmp-long-lartin-2023');
    expect(await plans.listItems(outcome!.planId)).toEqual(truth.items);
    expect(await uploads.get(uploadId)).toMatchObject({ status: 'parsed', planId: outcome!.planId, revision: 1 });

    textract.reset();
    expect(await analysisCompleted(textractDone('job-long-lartin', uploadId), context)).toEqual([
      { outcome: 'replayed', uploadId },
    ]);
    expect(textract.commandCalls(GetDocumentAnalysisCommand)).toHaveLength(0);
    expect((await plans.getPlan(outcome!.planId))?.currentRevision).toBe(1);
  });

  it('the same PDF uploaded again under another name changes nothing', async () => {
    const { uploadReceived } = await handlers();
    const againKey = `uploads/plans/${randomUUID()}/copy.pdf`;
    await grantUpload(againKey);
    serveObject(PDF);
    // Same content, same request token: Textract answers with the first, finished job and sends no
    // second notification, so the upload is finished at once from that job's results.
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-long-lartin' });
    textract.on(GetDocumentAnalysisCommand, { JobId: 'job-long-lartin', MaxResults: 1 }).resolves({ JobStatus: 'SUCCEEDED' });
    serveResults('job-long-lartin');
    const outcome = (await uploadReceived(objectCreated(againKey), context)) as {
      outcome: string;
      planId: string;
      revision: number;
      created: boolean;
    };
    expect(outcome).toMatchObject({ outcome: 'parsed', revision: 1, created: false });
    expect((await plans.getPlan(outcome.planId))?.currentRevision).toBe(1);
  });
});

describe('an inspection report uploaded to S3', () => {
  it('is analysed with the layout too, to start the draft plan', async () => {
    const { uploadReceived } = await handlers();
    const key = `uploads/reports/${randomUUID()}/hmp-long-lartin-2023.pdf`;
    await grantUpload(key);
    const report = new Uint8Array(readFileSync(fixturePath('reports/hmp-long-lartin-2023.pdf')));
    serveObject(report);
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-report' });

    const uploadId = uploadIdOf({ bucket: BUCKET, key, versionId: 'v1' });
    expect(await uploadReceived(objectCreated(key), context)).toEqual({ outcome: 'analysing', uploadId, jobId: 'job-report' });
    expect(textract.commandCalls(StartDocumentAnalysisCommand)[0]!.args[0].input).toMatchObject({
      FeatureTypes: ['TABLES', 'LAYOUT'],
      ClientRequestToken: `${createHash('sha256').update(report).digest('hex').slice(0, 62)}-r`,
      DocumentLocation: { S3Object: { Bucket: BUCKET, Name: key, Version: 'v1' } },
    });
    expect(await uploads.get(uploadId)).toMatchObject({ kind: 'report', status: 'analysing' });
  });
});

describe('failures are recorded with a reason a person understands', () => {
  it('a file that is not a PDF', async () => {
    const { uploadReceived } = await handlers();
    const key = `uploads/plans/${randomUUID()}/notes.pdf`;
    await grantUpload(key);
    serveObject(new TextEncoder().encode('Rec no\tRecommendation\n'));
    const outcome = await uploadReceived(objectCreated(key), context);
    expect(outcome).toMatchObject({ outcome: 'failed', reason: 'notes.pdf is not a PDF (it does not start with %PDF-)' });
    expect(textract.commandCalls(StartDocumentAnalysisCommand)).toHaveLength(0);
    const uploadId = uploadIdOf({ bucket: BUCKET, key, versionId: 'v1' });
    expect(await uploads.get(uploadId)).toMatchObject({ status: 'failed', statusReason: expect.stringContaining('not a PDF') });
  });

  it('a Textract job that failed', async () => {
    const { uploadReceived, analysisCompleted } = await handlers();
    const key = `uploads/plans/${randomUUID()}/scan.pdf`;
    await grantUpload(key);
    serveObject(PDF);
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-failed' });
    const started = (await uploadReceived(objectCreated(key), context)) as { uploadId: string };
    const event = textractDone('job-failed', started.uploadId, 'FAILED');
    const message = JSON.parse(event.Records[0]!.Sns.Message);
    event.Records[0]!.Sns.Message = JSON.stringify({ ...message, StatusMessage: 'Unsupported document format' });
    await analysisCompleted(event, context);
    expect(await uploads.get(started.uploadId)).toMatchObject({
      status: 'failed',
      statusReason: 'Textract could not analyse scan.pdf: Unsupported document format',
    });
  });

  it('a malformed event is rejected, so it is retried and dead-lettered rather than lost', async () => {
    const { analysisCompleted } = await handlers();
    await expect(
      analysisCompleted({ Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm', Message: '{}' } }] }, context),
    ).rejects.toThrow('The event does not have the expected shape');
  });
});

describe('the sweeper', () => {
  it('finishes an analysis whose completion notification was lost', async () => {
    const { sweep } = await handlers();
    const uploadId = `lost-${randomUUID()}`;
    await uploads.create({
      uploadId,
      kind: 'plan',
      object: { bucket: BUCKET, key: 'uploads/plans/lost.pdf' },
      fileName: 'lost.pdf',
      sizeBytes: PDF.length,
      status: 'queued',
      uploadedBy: ADMIN_UPLOADER,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    await uploads.markAnalysing(uploadId, {
      contentSha256: PDF_SHA256,
      analysisJobId: 'job-lost',
      analysisStartedAt: new Date(Date.now() - 45 * 60_000).toISOString(),
    });
    textract.on(GetDocumentAnalysisCommand, { JobId: 'job-lost', MaxResults: 1 }).resolves({ JobStatus: 'SUCCEEDED' });
    serveResults('job-lost');
    const result = (await sweep({ 'detail-type': 'Scheduled Event', time: new Date().toISOString() }, context)) as {
      outcomes: { outcome: string; uploadId: string }[];
    };
    expect(result.outcomes).toContainEqual(expect.objectContaining({ outcome: 'parsed', uploadId }));
    expect(await uploads.get(uploadId)).toMatchObject({ status: 'parsed' });
  });
});
