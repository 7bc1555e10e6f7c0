import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalPdfTableAnalyser } from '../../shared/adapters/local/pdf-table-analyser.ts';
import { WorkerPdfTableAnalyser } from '../../shared/adapters/local/worker-pdf-analyser.ts';
import { UnreadableDocumentError } from '../../shared/domain/errors.ts';
import type { DocumentAnalyser } from '../../shared/ports/document-analyser.ts';
import { waitFor } from '../helpers/approval-flow.ts';
import { flateBombPdf } from '../helpers/bomb-pdfs.ts';
import { collect } from '../helpers/collect.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { freshLocalIngestion } from '../helpers/local-ingestion.ts';

/**
 * A PDF of about a megabyte whose FlateDecode content expands to a gigabyte drove the local
 * analyser to 3.6 GB of memory and blocked the stack's event loop for seconds. Now each stream is
 * inflated with a cap before pdfjs sees the file, and the analysis runs in a worker thread.
 * (Memory and event-loop figures are in bench/: `npm run bench`.)
 */
const REFUSAL = /^bomb\.pdf has a stream that expands to more than 64 MB when decompressed; it cannot be analysed$/;
const work = mkdtempSync(join(tmpdir(), 'bomb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function refusal(analyser: DocumentAnalyser, bytes: Uint8Array): Promise<unknown> {
  return collect(analyser.analyse({ bytes, name: 'bomb.pdf' })).then(
    () => new Error('analysed'),
    (error: unknown) => error,
  );
}

describe('a decompression bomb', () => {
  it('is small on disk (the test makes a real one)', async () => {
    const bytes = await flateBombPdf(1024);
    expect(bytes.length).toBeLessThan(1.1 * 1024 * 1024);
  });

  it.each([
    ['FlateDecode', ['FlateDecode']],
    ['hex-encoded, then FlateDecode (a filter chain)', ['ASCIIHexDecode', 'FlateDecode']],
  ])('%s: refused with a clear message, in process and in the worker', async (_name, filters) => {
    const bytes = await flateBombPdf(1024, { filters });
    for (const analyser of [new LocalPdfTableAnalyser(), new WorkerPdfTableAnalyser()]) {
      const error = await refusal(analyser, bytes);
      expect(error).toBeInstanceOf(UnreadableDocumentError);
      expect(error).toMatchObject({ code: 'TOO_LARGE' });
      expect((error as Error).message).toMatch(REFUSAL);
    }
  });

  it.each([
    ['its filter name spelt with escapes (/Flat#65D#65cod#65)', 'escaped-names'],
    ['a comment between its dictionary and the stream keyword', 'comment-before-stream'],
  ] as const)('disguised with %s: pdfjs still reads it, and it is refused the same', async (_name, disguise) => {
    // The disguise is one pdfjs reads: a small one gives back its text.
    const small = await collect(new LocalPdfTableAnalyser().analyse({ bytes: await flateBombPdf(1, { disguise }), name: 'small.pdf' }));
    expect(JSON.stringify(small)).toContain('Action Plan: HMP Exampleton');
    for (const filters of [['FlateDecode'], ['ASCIIHexDecode', 'FlateDecode']]) {
      const bytes = await flateBombPdf(1024, { filters, disguise });
      // The worker first: were the disguise let through, its memory guard ends it, not this process.
      for (const analyser of [new WorkerPdfTableAnalyser(), new LocalPdfTableAnalyser()]) {
        const error = await refusal(analyser, bytes);
        expect(error).toBeInstanceOf(UnreadableDocumentError);
        expect((error as Error).message).toMatch(REFUSAL);
      }
    }
  });

  it('under the stream limit but over the document limit, is refused by the document limit', async () => {
    const bytes = await flateBombPdf(40);
    const error = await refusal(new LocalPdfTableAnalyser({ inflation: { maxStreamBytes: 64 * 1024 * 1024, maxDocumentBytes: 16 * 1024 * 1024 } }), bytes);
    expect((error as Error).message).toBe('bomb.pdf expands to more than 16 MB when decompressed; it cannot be analysed');
  });

  it('uploaded locally, fails the upload with that message', async () => {
    const ingestion = await freshLocalIngestion('bomb', { log: () => undefined });
    try {
      const received = await ingestion.ingestObject(await ingestion.grantUpload('bomb.pdf'), await flateBombPdf(1024));
      const uploadId = (received as { uploadId: string }).uploadId;
      const upload = await waitFor(async () => {
        const found = await ingestion.uploads.get(uploadId);
        return found && (found.status === 'parsed' || found.status === 'failed') ? found : null;
      }, 'the upload to end', 60_000);
      expect(upload.status).toBe('failed');
      expect(upload.statusReason).toContain('bomb.pdf has a stream that expands to more than 64 MB when decompressed; it cannot be analysed');
    } finally {
      await ingestion.close();
    }
  });

  it('given to npm run extract, exits 2 with the message', async () => {
    const path = join(work, 'bomb.pdf');
    writeFileSync(path, await flateBombPdf(1024));
    const repository = fileURLToPath(new URL('../..', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/extract.ts', path], {
      cwd: repository,
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('bomb.pdf has a stream that expands to more than 64 MB when decompressed; it cannot be analysed');
  });
});

describe('while the worker analyses a document', () => {
  it('the event loop stays free: a timer keeps firing, and the loop is mostly idle', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('reports/hmp-liverpool-2018.pdf')));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const before = performance.eventLoopUtilization();
    try {
      const results = await collect(new WorkerPdfTableAnalyser().analyse({ bytes, name: 'report.pdf' }));
      expect(results.length).toBeGreaterThan(1);
    } finally {
      clearInterval(timer);
    }
    const { utilization } = performance.eventLoopUtilization(before);
    expect(ticks).toBeGreaterThanOrEqual(3);
    // pdfjs in this thread keeps the loop busy at least half of the time; the worker leaves it idle.
    expect(utilization).toBeLessThan(0.25);
  });

  it('pages still come back one by one, with progress', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('reports/hmp-liverpool-2018.pdf')));
    const pages: number[] = [];
    const inProcess = await collect(new LocalPdfTableAnalyser().analyse({ bytes, name: 'report.pdf' }));
    const inWorker = await collect(new WorkerPdfTableAnalyser().analyse({ bytes, name: 'report.pdf' }, { onProgress: ({ page }) => pages.push(page) }));
    expect(inWorker).toEqual(inProcess);
    expect(pages).toEqual(Array.from({ length: pages.length }, (_, i) => i + 1));
    expect(pages.length).toBe(inProcess[0]!.DocumentMetadata!.Pages);
  });

  it('a document needing more memory than allowed ends its worker, not the process, and says so', async () => {
    // Limits raised so the pre-scan lets it through: the memory guard is what stops it.
    const analyser = new WorkerPdfTableAnalyser({
      limits: { inflation: { maxStreamBytes: 2 ** 40, maxDocumentBytes: 2 ** 40 } },
      maxMemoryGrowthBytes: 200 * 1024 * 1024,
    });
    const error = await refusal(analyser, await flateBombPdf(400));
    expect((error as Error).message).toBe('bomb.pdf needs more than 200 MB of memory to analyse; it cannot be analysed');
  });
});
