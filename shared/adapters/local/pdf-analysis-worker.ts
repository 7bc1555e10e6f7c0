/**
 * The worker thread that runs the local PDF analyser (started by `worker-pdf-analyser.ts`): it
 * receives one document, analyses it with pdfjs, and posts back each GetDocumentAnalysis result page
 * and each page's progress as they are ready, then `done`, or the error that stopped it.
 */
import { parentPort } from 'node:worker_threads';
import { DomainError, describeLocation } from '../../domain/errors.ts';
import { LocalPdfTableAnalyser, type PdfAnalysisLimits } from './pdf-table-analyser.ts';
import type { AnalysisRequest, WorkerMessage } from './worker-pdf-analyser.ts';

const port = parentPort;
if (!port) throw new Error('pdf-analysis-worker.ts runs as a worker thread (see worker-pdf-analyser.ts)');

port.once('message', (request: AnalysisRequest) => {
  void analyse(request).then((message) => port.postMessage(message));
});

async function analyse({ bytes, name, limits }: AnalysisRequest): Promise<WorkerMessage> {
  const post = (message: WorkerMessage) => port!.postMessage(message);
  try {
    const analyser = new LocalPdfTableAnalyser(limits as PdfAnalysisLimits);
    const onProgress = ({ page, pageCount }: { page: number; pageCount: number }) => post({ type: 'progress', page, pageCount });
    for await (const result of analyser.analyse({ bytes, name }, { onProgress })) post({ type: 'result', result });
    return { type: 'done' };
  } catch (error) {
    if (error instanceof DomainError) {
      const suffix = error.location ? ` (${describeLocation(error.location)})` : '';
      const message = suffix && error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
      return { type: 'refused', errorName: error.name, code: error.code, message, ...(error.location ? { location: error.location } : {}) };
    }
    const reason = error instanceof Error ? error : new Error(String(error));
    return { type: 'crashed', message: reason.message, ...(reason.stack ? { stack: reason.stack } : {}) };
  }
}
