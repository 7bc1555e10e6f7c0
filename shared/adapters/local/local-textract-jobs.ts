import { DomainError } from '../../domain/errors.ts';
import { fileNameOf } from '../../domain/uploads.ts';
import type { TextractResponse } from '../../extraction/textract-response.ts';
import type { DocumentAnalyser } from '../../ports/document-analyser.ts';
import type { ObjectStore } from '../../ports/object-store.ts';
import type { AnalysisJobStatus, StartAnalysisInput, TextractJobs } from '../../ports/textract-jobs.ts';

export interface LocalJobFinished {
  jobId: string;
  status: AnalysisJobStatus;
  jobTag: string;
  message?: string;
}

interface LocalJob {
  status: AnalysisJobStatus;
  message?: string;
  results: TextractResponse[];
  pageCount?: number;
}

/**
 * Textract's asynchronous API played locally: a job runs the local PDF analyser over the stored
 * object, keeps its result pages, and reports completion to a listener, as Textract's SNS message
 * does on AWS. Like Textract, the same request token returns the same job.
 */
export class LocalTextractJobs implements TextractJobs {
  private readonly jobs = new Map<string, LocalJob>();
  private readonly jobIdsByToken = new Map<string, string>();
  private nextJob = 1;

  constructor(
    private readonly objects: ObjectStore,
    private readonly analyser: DocumentAnalyser,
    private readonly onFinished: (finished: LocalJobFinished) => Promise<void> | void,
    /** Told the pages read so far as the analyser reads them (Textract reports no progress; this one can). */
    private readonly onProgress?: (progress: { jobTag: string; pagesAnalysed: number }) => Promise<void> | void,
  ) {}

  async startAnalysis({ object, clientRequestToken, jobTag }: StartAnalysisInput): Promise<{ jobId: string }> {
    const existing = this.jobIdsByToken.get(clientRequestToken);
    if (existing) return { jobId: existing };
    const jobId = `local-job-${String(this.nextJob++).padStart(6, '0')}`;
    this.jobIdsByToken.set(clientRequestToken, jobId);
    const job: LocalJob = { status: 'IN_PROGRESS', results: [] };
    this.jobs.set(jobId, job);
    // The job runs after this call returns, as Textract's does.
    setImmediate(() => void this.run(jobId, job, object, jobTag));
    return { jobId };
  }

  async *results(jobId: string): AsyncGenerator<TextractResponse> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`No local analysis job ${jobId}`);
    if (job.status === 'IN_PROGRESS') throw new Error(`Local analysis job ${jobId} has not finished`);
    yield* job.results;
  }

  async status(jobId: string): Promise<{ status: AnalysisJobStatus; message?: string; pageCount?: number }> {
    const job = this.jobs.get(jobId);
    if (!job) return { status: 'FAILED', message: 'The local analyser has no such job (it was restarted)' };
    return {
      status: job.status,
      ...(job.message ? { message: job.message } : {}),
      ...(job.pageCount ? { pageCount: job.pageCount } : {}),
    };
  }

  private async run(jobId: string, job: LocalJob, object: StartAnalysisInput['object'], jobTag: string) {
    try {
      const bytes = await readAll(this.objects.read(object));
      const report = this.onProgress;
      // Progress is for people watching: recording it is not waited for, and its failure fails nothing.
      const options = report
        ? { onProgress: ({ page }: { page: number }) => void Promise.resolve(report({ jobTag, pagesAnalysed: page })).catch(() => undefined) }
        : {};
      for await (const result of this.analyser.analyse({ bytes, name: fileNameOf(object.key) }, options)) {
        job.results.push(result);
        job.pageCount = result.DocumentMetadata?.Pages;
      }
      job.status = 'SUCCEEDED';
    } catch (error) {
      job.status = 'FAILED';
      job.message = error instanceof DomainError ? error.message : `Internal error: ${String(error)}`;
    }
    await this.onFinished({ jobId, status: job.status, jobTag, ...(job.message ? { message: job.message } : {}) });
  }
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
