import {
  GetDocumentAnalysisCommand,
  type GetDocumentAnalysisCommandOutput,
  StartDocumentAnalysisCommand,
  type TextractClient,
} from '@aws-sdk/client-textract';
import { UnreadableDocumentError } from '../../domain/errors.ts';
import type { TextractResponse } from '../../domain/textract-response.ts';
import type { AnalysisJobStatus, StartAnalysisInput, TextractJobs } from '../../ports/textract-jobs.ts';
import { type BackoffOptions, DEFAULT_BACKOFF, retryWithBackoff } from '../retry.ts';

export interface AwsTextractConfig {
  /** Where Textract publishes a job's completion, and the role it assumes to do so: needed to start jobs. */
  notification?: { topicArn: string; roleArn: string };
  backoff?: BackoffOptions;
}

/** Textract says "slow down" or "too many jobs at once": try again later. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'InternalServerError',
]);

/** Textract says the document itself cannot be analysed: retrying will not help, the person must act. */
const DOCUMENT_PROBLEMS: Record<string, string> = {
  UnsupportedDocumentException: 'Textract does not support this document: it must be a PDF that is not password-protected',
  BadDocumentException: 'Textract cannot read this document: the PDF may be damaged or password-protected',
  DocumentTooLargeException: 'The document is too large for Textract: at most 500 MB and 3,000 pages',
  InvalidS3ObjectException: 'Textract could not read the uploaded file from storage',
};

export function isRetryableTextractError(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name ?? '';
  return RETRYABLE.has(name);
}

export class AwsTextractJobs implements TextractJobs {
  constructor(
    private readonly client: TextractClient,
    private readonly config: AwsTextractConfig = {},
  ) {}

  async startAnalysis({ object, clientRequestToken, jobTag, featureTypes }: StartAnalysisInput): Promise<{ jobId: string }> {
    const { notification } = this.config;
    if (!notification) throw new Error('Starting a Textract job needs the notification topic and role');
    const output = await this.call(() =>
      this.client.send(
        new StartDocumentAnalysisCommand({
          DocumentLocation: {
            S3Object: { Bucket: object.bucket, Name: object.key, ...(object.versionId ? { Version: object.versionId } : {}) },
          },
          FeatureTypes: featureTypes,
          ClientRequestToken: clientRequestToken,
          JobTag: jobTag,
          NotificationChannel: { SNSTopicArn: notification.topicArn, RoleArn: notification.roleArn },
        }),
      ),
    );
    if (!output.JobId) throw new Error('Textract StartDocumentAnalysis returned no JobId');
    return { jobId: output.JobId };
  }

  async *results(jobId: string): AsyncGenerator<TextractResponse> {
    let nextToken: string | undefined;
    do {
      const page: GetDocumentAnalysisCommandOutput = await this.call(() =>
        this.client.send(
          new GetDocumentAnalysisCommand({ JobId: jobId, MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) }),
        ),
      );
      if (page.JobStatus === 'IN_PROGRESS') throw new Error(`Textract job ${jobId} has not finished`);
      yield page as TextractResponse;
      nextToken = page.NextToken;
    } while (nextToken);
  }

  async status(jobId: string): Promise<{ status: AnalysisJobStatus; message?: string; pageCount?: number }> {
    const page = await this.call(() =>
      this.client.send(new GetDocumentAnalysisCommand({ JobId: jobId, MaxResults: 1 })),
    );
    return {
      status: (page.JobStatus ?? 'IN_PROGRESS') as AnalysisJobStatus,
      ...(page.StatusMessage ? { message: page.StatusMessage } : {}),
      ...(page.DocumentMetadata?.Pages ? { pageCount: page.DocumentMetadata.Pages } : {}),
    };
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await retryWithBackoff(operation, isRetryableTextractError, this.config.backoff ?? DEFAULT_BACKOFF);
    } catch (error) {
      const problem = DOCUMENT_PROBLEMS[(error as { name?: string }).name ?? ''];
      if (problem) throw new UnreadableDocumentError('DOCUMENT_REJECTED', problem);
      throw error;
    }
  }
}
