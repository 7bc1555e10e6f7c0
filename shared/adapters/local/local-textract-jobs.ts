import { randomBytes } from 'node:crypto';
import { DomainError } from '../../domain/errors.ts';
import { fileNameOf } from '../../domain/uploads.ts';
import type { TextractResponse } from '../../domain/textract-response.ts';
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
  /** Every upload handed this job (the same content uploaded again while it runs): each is told when it ends. */
  jobTags: string[];
}

/** The message an upload fails with when the analyser itself broke (its details go to `log`). */
export const ANALYSER_FAILED_MESSAGE = 'the local analyser failed on it (an internal error, logged where the local stack runs)';

/**
 * Textract's asynchronous API played locally: a job runs the local PDF analyser over the stored
 * object, keeps its result pages, and reports completion to a listener, as Textract's SNS message
 * does on AWS. Like Textract, the same request token returns the same job; unlike Textract, every
 * upload handed a running job is told when it ends (AWS has the sweeper for the second one; locally
 * nothing else would finish it).
 * Jobs live in memory: a restarted stack knows none of the earlier ones (job ids name the run, so
 * an old id is never mistaken for a new job), and restarts the analyses it finds unfinished.
 */
export class LocalTextractJobs implements TextractJobs {
  private readonly jobs = new Map<string, LocalJob>();
  private readonly jobIdsByToken = new Map<string, string>();
  private readonly run = randomBytes(4).toString('hex');
  private nextJob = 1;
  /** The jobs started, run one after another (runJob never rejects). */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly objects: ObjectStore,
    private readonly analyser: DocumentAnalyser,
    private readonly onFinished: (finished: LocalJobFinished) => Promise<void> | void,
    /** Told the pages read so far as the analyser reads them (Textract reports no progress; this one can). */
    private readonly onProgress?: (progress: { jobTag: string; pagesAnalysed: number }) => Promise<void> | void,
    /** Where an internal failure of the analyser, or of the listener, is reported in full. */
    private readonly log: (message: string) => void = (message) => console.error(message),
  ) {}

  async startAnalysis({ object, clientRequestToken, jobTag }: StartAnalysisInput): Promise<{ jobId: string }> {
    const existing = this.jobIdsByToken.get(clientRequestToken);
    const existingJob = existing ? this.jobs.get(existing) : undefined;
    if (existing && existingJob) {
      if (existingJob.status === 'IN_PROGRESS' && !existingJob.jobTags.includes(jobTag)) existingJob.jobTags.push(jobTag);
      return { jobId: existing };
    }
    const jobId = `local-job-${this.run}-${String(this.nextJob++).padStart(6, '0')}`;
    this.jobIdsByToken.set(clientRequestToken, jobId);
    const job: LocalJob = { status: 'IN_PROGRESS', results: [], jobTags: [jobTag] };
    this.jobs.set(jobId, job);
    // The job runs after this call returns, as Textract's does, and after the jobs before it: one
    // analysis at a time, so each has the machine's memory to itself (the analyser's memory guard
    // measures the whole process) and a burst of uploads queues instead of running all at once.
    this.queue = this.queue.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.runJob(jobId, job, object));
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

  private async runJob(jobId: string, job: LocalJob, object: StartAnalysisInput['object']) {
    const jobTag = job.jobTags[0]!;
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
      if (error instanceof DomainError) {
        job.message = error.message;
      } else {
        job.message = ANALYSER_FAILED_MESSAGE;
        this.log(`local analysis job ${jobId} (upload ${jobTag}) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
    for (const tag of job.jobTags) {
      try {
        await this.onFinished({ jobId, status: job.status, jobTag: tag, ...(job.message ? { message: job.message } : {}) });
      } catch (error) {
        this.log(`the completion of local analysis job ${jobId} (upload ${tag}) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  }
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
