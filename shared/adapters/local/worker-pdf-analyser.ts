/**
 * The local PDF analyser run off the caller's event loop: each document is analysed in its own
 * worker thread (`pdf-analysis-worker.ts`), so the local stack keeps answering requests while pdfjs
 * works, and the result pages and progress come back page by page as the worker posts them.
 *
 * Guards, on top of the analyser's own limits (file size, pages, decompressed size):
 * - the worker's V8 heap is capped (`resourceLimits`); running out ends the worker, not the stack;
 * - the process's resident memory is watched while the worker runs: growing by more than
 *   `maxMemoryGrowthBytes` (buffers outside the V8 heap, which the heap cap does not see) ends it;
 * - an analysis running longer than `maxDurationMs` is ended.
 * Each ends the analysis with a DomainError saying why, so the upload fails with that reason.
 */
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type DocumentLocation, type DomainErrorCode, DomainError, UnreadableDocumentError } from '../../domain/errors.ts';
import type { TextractResponse } from '../../domain/textract-response.ts';
import type { AnalysisProgress, DocumentAnalyser, DocumentToAnalyse } from '../../ports/document-analyser.ts';
import type { PdfAnalysisLimits } from './pdf-table-analyser.ts';

export interface WorkerAnalyserOptions {
  limits?: PdfAnalysisLimits;
  /** The worker's V8 heap, in MB. */
  maxHeapMegabytes?: number;
  /** How much the process's resident memory may grow while the worker runs. */
  maxMemoryGrowthBytes?: number;
  maxDurationMs?: number;
}

/** pdfjs holds one page at a time; the largest real plans need a few hundred MB. */
export const MAX_WORKER_HEAP_MEGABYTES = 1024;
export const MAX_MEMORY_GROWTH_BYTES = 2048 * 1024 * 1024;
/** The longest real plans take a few minutes locally (see bench/). */
export const MAX_ANALYSIS_DURATION_MS = 30 * 60_000;
const MEMORY_CHECK_INTERVAL_MS = 100;

/** What the worker is sent: one document. */
export interface AnalysisRequest {
  bytes: Uint8Array;
  name: string;
  limits: PdfAnalysisLimits;
}

/** What the worker posts back. */
export type WorkerMessage =
  | { type: 'progress'; page: number; pageCount: number }
  | { type: 'result'; result: TextractResponse }
  | { type: 'done' }
  | { type: 'refused'; errorName: string; code: DomainErrorCode; message: string; location?: DocumentLocation }
  | { type: 'crashed'; message: string; stack?: string };

type Event = WorkerMessage | { type: 'error'; error: Error } | { type: 'exit'; code: number } | { type: 'stopped'; error: DomainError };

export class WorkerPdfTableAnalyser implements DocumentAnalyser {
  constructor(private readonly options: WorkerAnalyserOptions = {}) {}

  async *analyse(
    document: DocumentToAnalyse,
    options: { onProgress?: (progress: AnalysisProgress) => void } = {},
  ): AsyncGenerator<TextractResponse> {
    const maxHeap = this.options.maxHeapMegabytes ?? MAX_WORKER_HEAP_MEGABYTES;
    const maxGrowth = this.options.maxMemoryGrowthBytes ?? MAX_MEMORY_GROWTH_BYTES;
    const maxDuration = this.options.maxDurationMs ?? MAX_ANALYSIS_DURATION_MS;
    const events = new EventQueue();
    const worker = startWorker(maxHeap);
    worker.on('message', (message: WorkerMessage) => events.push(message));
    worker.on('error', (error) => events.push({ type: 'error', error }));
    worker.on('exit', (code) => events.push({ type: 'exit', code }));

    const baseline = process.memoryUsage.rss();
    const memoryCheck = setInterval(() => {
      if (process.memoryUsage.rss() - baseline > maxGrowth) {
        events.push({ type: 'stopped', error: needsTooMuchMemory(document.name, maxGrowth / (1024 * 1024)) });
      }
    }, MEMORY_CHECK_INTERVAL_MS);
    const deadline = setTimeout(() => {
      events.push({
        type: 'stopped',
        error: new UnreadableDocumentError(
          'TOO_LARGE',
          `${document.name} took longer than ${Math.round(maxDuration / 60_000)} minutes to analyse; it cannot be analysed`,
        ),
      });
    }, maxDuration);

    // A copy is handed over (and moved, not cloned): the caller keeps its bytes.
    const bytes = new Uint8Array(document.bytes);
    const request: AnalysisRequest = { bytes, name: document.name, limits: this.options.limits ?? {} };
    worker.postMessage(request, [bytes.buffer]);
    try {
      for (;;) {
        const event = await events.next();
        switch (event.type) {
          case 'progress':
            options.onProgress?.({ page: event.page, pageCount: event.pageCount });
            break;
          case 'result':
            yield event.result;
            break;
          case 'done':
            return;
          case 'refused': {
            const ErrorType = event.errorName === 'UnreadableDocumentError' ? UnreadableDocumentError : DomainError;
            throw new ErrorType(event.code, event.message, event.location);
          }
          case 'crashed':
            throw Object.assign(new Error(`The PDF analyser failed on ${document.name}: ${event.message}`), {
              stack: event.stack,
            });
          case 'stopped':
            throw event.error;
          case 'error':
            if ((event.error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') throw needsTooMuchMemory(document.name, maxHeap);
            throw new Error(`The PDF analyser's worker failed on ${document.name}: ${event.error.message}`, { cause: event.error });
          case 'exit':
            throw new Error(`The PDF analyser's worker stopped (exit code ${event.code}) before it finished ${document.name}`);
        }
      }
    } finally {
      clearInterval(memoryCheck);
      clearTimeout(deadline);
      await worker.terminate();
    }
  }
}

function needsTooMuchMemory(name: string, megabytes: number): UnreadableDocumentError {
  return new UnreadableDocumentError(
    'TOO_LARGE',
    `${name} needs more than ${Math.round(megabytes)} MB of memory to analyse; it cannot be analysed`,
  );
}

/**
 * The worker runs the module next to this one. Run from TypeScript sources (tsx, vitest), a worker
 * thread does not inherit the TypeScript loader, so it loads the module through tsx's API.
 */
function startWorker(maxHeapMegabytes: number): Worker {
  const here = fileURLToPath(import.meta.url);
  const extension = extname(here);
  const entry = pathToFileURL(join(dirname(here), `pdf-analysis-worker${extension}`));
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMegabytes };
  if (extension !== '.ts') return new Worker(entry, { resourceLimits });
  const tsx = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = pathToFileURL(join(dirname(tsx), 'dist', 'esm', 'api', 'index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(bootstrap, { eval: true, resourceLimits });
}

/** Events in arrival order; `next` waits for the next one. */
class EventQueue {
  private readonly events: Event[] = [];
  private waiting: ((event: Event) => void) | null = null;

  push(event: Event): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve(event);
    } else {
      this.events.push(event);
    }
  }

  next(): Promise<Event> {
    const event = this.events.shift();
    if (event) return Promise.resolve(event);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}
