import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetDocumentAnalysisCommand, TextractClient } from '@aws-sdk/client-textract';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { LocalPdfTableAnalyser } from '../../shared/adapters/local/pdf-table-analyser.ts';
import type { TextractResponse } from '../../shared/extraction/textract-response.ts';
import { collect } from '../helpers/collect.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { ADMIN_UPLOADER } from '../helpers/uploaders.ts';

/**
 * On AWS, an upload whose completion keeps failing (here: reading Textract's results is refused
 * every time) must not stay "analysing" for ever. The completion Lambda's retries end in the failure
 * queue; the sweeper then tries again every 15 minutes, and fails the upload with a plain reason once
 * it is older than FAIL_UNFINISHABLE_AFTER_MINUTES. One such upload must not stop the sweep of others.
 */
const tableName = `stalled-${randomUUID()}`;
const endpoint = inject('dynamodbEndpoint');
Object.assign(process.env, {
  AWS_REGION: 'eu-west-2',
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: endpoint,
  STALL_AFTER_MINUTES: '30',
  FAIL_UNFINISHABLE_AFTER_MINUTES: '120',
  POWERTOOLS_LOG_LEVEL: 'CRITICAL',
});

const textract = mockClient(TextractClient);
const client = createDocumentClient({ region: 'eu-west-2', endpoint });
const uploads = new DynamoUploadStore({ client, tableName });
const context = { functionName: 'test', awsRequestId: 'request-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const PDF = new Uint8Array(readFileSync(fixturePath('action-plans/hmp-long-lartin-2023.pdf')));
let resultPages: TextractResponse[];

beforeAll(async () => {
  await createTable(client, tableName);
  resultPages = await collect(new LocalPdfTableAnalyser().analyse({ bytes: PDF, name: 'hmp-long-lartin-2023.pdf' }));
});
afterAll(() => client.destroy());

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** The upload of `name`.pdf (the Long Lartin plan) as the upload-received function stores it, `createdMinutesAgo`. */
async function queuedUpload(name: string, createdMinutesAgo: number): Promise<string> {
  const uploadId = `${name}-${randomUUID()}`;
  const at = minutesAgo(createdMinutesAgo);
  await uploads.create({
    uploadId,
    kind: 'plan',
    object: { bucket: 'uploads', key: `uploads/plans/${name}.pdf` },
    fileName: `${name}.pdf`,
    sizeBytes: PDF.length,
    status: 'queued',
    uploadedBy: ADMIN_UPLOADER,
    createdAt: at,
    updatedAt: at,
  });
  return uploadId;
}

/** A queued upload whose Textract job `jobId` started `startedMinutesAgo`. */
async function analysingUpload(name: string, jobId: string, startedMinutesAgo: number): Promise<string> {
  const uploadId = await queuedUpload(name, startedMinutesAgo);
  await uploads.markAnalysing(uploadId, { contentSha256: randomUUID().replace(/-/g, ''), analysisJobId: jobId, analysisStartedAt: minutesAgo(startedMinutesAgo) });
  return uploadId;
}

function refuseResults(jobId: string) {
  textract.on(GetDocumentAnalysisCommand, { JobId: jobId, MaxResults: 1 }).resolves({ JobStatus: 'SUCCEEDED' });
  textract
    .on(GetDocumentAnalysisCommand, { JobId: jobId, MaxResults: 1000 })
    .rejects(Object.assign(new Error('User is not authorized to perform: textract:GetDocumentAnalysis'), { name: 'AccessDeniedException' }));
}

function serveResults(jobId: string) {
  textract.on(GetDocumentAnalysisCommand, { JobId: jobId, MaxResults: 1 }).resolves({ JobStatus: 'SUCCEEDED' });
  resultPages.forEach((page, i) => {
    textract.on(GetDocumentAnalysisCommand, { JobId: jobId, MaxResults: 1000, ...(i > 0 ? { NextToken: `token-${i}` } : {}) }).resolves({
      ...page,
      ...(i < resultPages.length - 1 ? { NextToken: `token-${i + 1}` } : { NextToken: undefined }),
    } as never);
  });
}

describe('the sweeper ends uploads whose completion keeps failing', () => {
  it('fails the old one with a plain reason, keeps trying the recent one, and still finishes the others', async () => {
    const { handler: sweep } = await import('../../functions/sweep-stalled-analyses.ts');
    const { handler: analysisCompleted } = await import('../../functions/analysis-completed.ts');
    const old = await analysingUpload('old', 'job-old', 3 * 60);
    const recent = await analysingUpload('recent', 'job-recent', 45);
    const fine = await analysingUpload('fine', 'job-fine', 50);
    refuseResults('job-old');
    refuseResults('job-recent');
    serveResults('job-fine');

    // The completion function throws (so Lambda retries it, then sends it to the failure queue).
    const message = { JobId: 'job-old', Status: 'SUCCEEDED', API: 'StartDocumentAnalysis', JobTag: old, Timestamp: 1 };
    await expect(
      analysisCompleted({ Records: [{ EventSource: 'aws:sns', Sns: { MessageId: randomUUID(), Message: JSON.stringify(message) } }] }, context),
    ).rejects.toThrow(/not authorized/);
    expect(await uploads.get(old)).toMatchObject({ status: 'analysing' });

    const result = (await sweep({ 'detail-type': 'Scheduled Event', time: new Date().toISOString() }, context)) as {
      outcomes: { outcome: string; uploadId: string; reason?: string }[];
      failedToFinish: string[];
    };
    expect(result.outcomes).toContainEqual(expect.objectContaining({ outcome: 'parsed', uploadId: fine }));
    expect(result.failedToFinish.sort()).toEqual([old, recent].sort());

    const failed = await uploads.get(old);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed?.statusReason).toMatch(/^The analysis of old\.pdf could not be finished because of an internal error .*upload it again/);
    // The person sees no internals.
    expect(failed?.statusReason).not.toMatch(/authorized|AccessDenied|textract:/i);
    expect(await uploads.get(recent)).toMatchObject({ status: 'analysing' });
    expect(await uploads.get(fine)).toMatchObject({ status: 'parsed' });

    // No longer analysing: the next sweep does not see the failed one again.
    const next = (await sweep({ 'detail-type': 'Scheduled Event', time: new Date().toISOString() }, context)) as { failedToFinish: string[] };
    expect(next.failedToFinish).toEqual([recent]);
  });
});

describe('the sweeper ends uploads whose start never finished', () => {
  it('fails an upload left queued (the upload-received function failed every try) with a plain reason, and leaves a recent one', async () => {
    const { handler: sweep } = await import('../../functions/sweep-stalled-analyses.ts');
    const stuck = await queuedUpload('stuck', 40);
    const starting = await queuedUpload('starting', 2);

    await sweep({ 'detail-type': 'Scheduled Event', time: new Date().toISOString() }, context);
    expect(await uploads.get(stuck)).toMatchObject({ status: 'failed', statusReason: 'The analysis of stuck.pdf was never started; please upload it again' });
    expect(await uploads.get(starting)).toMatchObject({ status: 'queued' });
  });
});
