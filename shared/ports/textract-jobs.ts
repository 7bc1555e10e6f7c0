import type { TextractResponse } from '../domain/textract-response.ts';
import type { ObjectLocation } from './upload-store.ts';

export type AnalysisJobStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'PARTIAL_SUCCESS';

export interface StartAnalysisInput {
  object: ObjectLocation;
  /** Same token, same job: Textract returns the first job's id instead of starting another. */
  clientRequestToken: string;
  /** Comes back in the completion notification: the upload id. */
  jobTag: string;
  /** TABLES for plans; reports also ask for LAYOUT (headings, running headers and footers). */
  featureTypes: ('TABLES' | 'LAYOUT')[];
}

/**
 * Asynchronous document analysis (FeatureTypes TABLES). On AWS: StartDocumentAnalysis with an SNS
 * notification channel, then GetDocumentAnalysis paged by NextToken.
 */
export interface TextractJobs {
  startAnalysis(input: StartAnalysisInput): Promise<{ jobId: string }>;
  /** Every result page of a finished job, in order, fetched as the reader asks for them. */
  results(jobId: string): AsyncIterable<TextractResponse>;
  status(jobId: string): Promise<{ status: AnalysisJobStatus; message?: string; pageCount?: number }>;
}
