import { describe, expect, it } from 'vitest';
import { type LocalJobFinished, LocalTextractJobs } from '../../shared/adapters/local/local-textract-jobs.ts';
import type { TextractResponse } from '../../shared/extraction/textract-response.ts';
import type { DocumentAnalyser } from '../../shared/ports/document-analyser.ts';
import type { ObjectStore } from '../../shared/ports/object-store.ts';

function resultPage(total: number): TextractResponse {
  return { DocumentMetadata: { Pages: total }, JobStatus: 'SUCCEEDED', Blocks: [] } as unknown as TextractResponse;
}

const objects: ObjectStore = {
  head: async () => ({ sizeBytes: 4, metadata: {} }),
  async *read() {
    yield new TextEncoder().encode('%PDF');
  },
};

describe('the local Textract jobs', () => {
  it('report each page the analyser has read, then the job\'s end', async () => {
    const analyser: DocumentAnalyser = {
      async *analyse(_document, options) {
        options?.onProgress?.({ page: 1, pageCount: 3 });
        options?.onProgress?.({ page: 2, pageCount: 3 });
        yield resultPage(3);
        options?.onProgress?.({ page: 3, pageCount: 3 });
        yield resultPage(3);
      },
    };
    const events: string[] = [];
    const finished = new Promise<LocalJobFinished>((resolve) => {
      const jobs = new LocalTextractJobs(
        objects,
        analyser,
        (done) => {
          events.push(`finished ${done.status}`);
          resolve(done);
        },
        ({ jobTag, pagesAnalysed }) => {
          events.push(`${jobTag}: ${pagesAnalysed}`);
        },
      );
      void jobs.startAnalysis({ object: { bucket: 'b', key: 'uploads/plans/p.pdf' }, clientRequestToken: 't', jobTag: 'upload-1', featureTypes: ['TABLES'] } as never);
    });
    expect((await finished).status).toBe('SUCCEEDED');
    expect(events).toEqual(['upload-1: 1', 'upload-1: 2', 'upload-1: 3', 'finished SUCCEEDED']);
  });

  it('do not fail an analysis because its progress could not be recorded', async () => {
    const analyser: DocumentAnalyser = {
      async *analyse(_document, options) {
        options?.onProgress?.({ page: 1, pageCount: 1 });
        yield resultPage(1);
      },
    };
    const finished = new Promise<LocalJobFinished>((resolve) => {
      const jobs = new LocalTextractJobs(objects, analyser, resolve, () => Promise.reject(new Error('table busy')));
      void jobs.startAnalysis({ object: { bucket: 'b', key: 'uploads/plans/p.pdf' }, clientRequestToken: 't', jobTag: 'upload-2', featureTypes: ['TABLES'] } as never);
    });
    expect((await finished).status).toBe('SUCCEEDED');
  });
});
