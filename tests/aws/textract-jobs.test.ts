import {
  GetDocumentAnalysisCommand,
  StartDocumentAnalysisCommand,
  TextractClient,
} from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsTextractJobs } from '../../shared/adapters/aws/textract-jobs.ts';
import { UnreadableDocumentError } from '../../shared/domain/errors.ts';
import { collect } from '../helpers/collect.ts';

const textract = mockClient(TextractClient);
const sleeps: number[] = [];
const jobs = new AwsTextractJobs(new TextractClient({ region: 'eu-west-2' }), {
  notification: {
    topicArn: 'arn:aws:sns:eu-west-2:111122223333:textract-done',
    roleArn: 'arn:aws:iam::111122223333:role/textract-publish',
  },
  backoff: {
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  },
});

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

beforeEach(() => {
  textract.reset();
  sleeps.length = 0;
});

describe('startAnalysis', () => {
  it('asks for TABLES with the notification channel, the request token and the job tag', async () => {
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-1' });
    const started = await jobs.startAnalysis({
      object: { bucket: 'uploads', key: 'uploads/plans/p.pdf', versionId: 'v1' },
      clientRequestToken: 'a'.repeat(64),
      jobTag: 'upload-1',
      featureTypes: ['TABLES', 'LAYOUT'],
    });
    expect(started).toEqual({ jobId: 'job-1' });
    expect(textract.commandCalls(StartDocumentAnalysisCommand)[0]!.args[0].input).toEqual({
      DocumentLocation: { S3Object: { Bucket: 'uploads', Name: 'uploads/plans/p.pdf', Version: 'v1' } },
      FeatureTypes: ['TABLES', 'LAYOUT'],
      ClientRequestToken: 'a'.repeat(64),
      JobTag: 'upload-1',
      NotificationChannel: {
        SNSTopicArn: 'arn:aws:sns:eu-west-2:111122223333:textract-done',
        RoleArn: 'arn:aws:iam::111122223333:role/textract-publish',
      },
    });
  });

  it.each(['ThrottlingException', 'ProvisionedThroughputExceededException', 'LimitExceededException'])(
    'retries %s with growing, jittered waits, then succeeds',
    async (name) => {
      textract
        .on(StartDocumentAnalysisCommand)
        .rejectsOnce(awsError(name))
        .rejectsOnce(awsError(name))
        .resolves({ JobId: 'job-2' });
      const started = await jobs.startAnalysis({
        object: { bucket: 'b', key: 'uploads/plans/p.pdf' },
        clientRequestToken: 't',
        jobTag: 'u',
        featureTypes: ['TABLES'],
      });
      expect(started.jobId).toBe('job-2');
      expect(sleeps).toEqual([50, 100]);
    },
  );

  it('gives up after the last attempt and passes the error on', async () => {
    textract.on(StartDocumentAnalysisCommand).rejects(awsError('ThrottlingException'));
    await expect(
      jobs.startAnalysis({ object: { bucket: 'b', key: 'k' }, clientRequestToken: 't', jobTag: 'u', featureTypes: ['TABLES'] }),
    ).rejects.toThrow('ThrottlingException');
    expect(textract.commandCalls(StartDocumentAnalysisCommand)).toHaveLength(4);
  });

  it('turns a document Textract refuses into a typed error a person can act on, without retrying', async () => {
    textract.on(StartDocumentAnalysisCommand).rejects(awsError('UnsupportedDocumentException'));
    const error = await jobs
      .startAnalysis({ object: { bucket: 'b', key: 'k' }, clientRequestToken: 't', jobTag: 'u', featureTypes: ['TABLES'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableDocumentError);
    expect(error).toMatchObject({ code: 'DOCUMENT_REJECTED' });
    expect(textract.commandCalls(StartDocumentAnalysisCommand)).toHaveLength(1);
  });
});

describe('results', () => {
  it('pages through GetDocumentAnalysis by NextToken, three pages and more', async () => {
    const page = (n: number, next?: string) => ({
      JobStatus: 'SUCCEEDED' as const,
      DocumentMetadata: { Pages: 3 },
      Blocks: [{ BlockType: 'PAGE' as const, Id: `p${n}`, Page: n }],
      ...(next ? { NextToken: next } : {}),
    });
    textract
      .on(GetDocumentAnalysisCommand, { JobId: 'job', MaxResults: 1000 })
      .resolves(page(1, 't2'))
      .on(GetDocumentAnalysisCommand, { JobId: 'job', MaxResults: 1000, NextToken: 't2' })
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves(page(2, 't3'))
      .on(GetDocumentAnalysisCommand, { JobId: 'job', MaxResults: 1000, NextToken: 't3' })
      .resolves(page(3));
    const pages = await collect(jobs.results('job'));
    expect(pages.map((p) => p.Blocks?.[0]?.Id)).toEqual(['p1', 'p2', 'p3']);
    expect(textract.commandCalls(GetDocumentAnalysisCommand)).toHaveLength(4);
  });

  it('refuses to read a job that has not finished', async () => {
    textract.on(GetDocumentAnalysisCommand).resolves({ JobStatus: 'IN_PROGRESS' });
    await expect(collect(jobs.results('job'))).rejects.toThrow('has not finished');
  });
});

describe('status', () => {
  it('reports a failed job with Textract’s message', async () => {
    textract.on(GetDocumentAnalysisCommand).resolves({ JobStatus: 'FAILED', StatusMessage: 'Unsupported document format' });
    expect(await jobs.status('job')).toEqual({ status: 'FAILED', message: 'Unsupported document format' });
    expect(textract.commandCalls(GetDocumentAnalysisCommand)[0]!.args[0].input).toEqual({ JobId: 'job', MaxResults: 1 });
  });
});
