/**
 * Benchmark: the local analyser against a decompression bomb, and the stack's event loop while a
 * document is analysed. Each case runs in a fresh process, so its peak RSS is its own.
 *
 * - bomb: a PDF of about 1 MB whose FlateDecode content expands to 1 GB (made here, streamed through
 *   deflate, never held whole). Before the pre-scan this took the analyser to 3.6 GB of RSS; now it
 *   is refused before pdfjs sees it. Measured in this thread and through the worker.
 * - event loop: the delay of the calling thread's event loop (perf_hooks.monitorEventLoopDelay)
 *   while a 40-page plan is analysed, in this thread and in the worker the local stack uses.
 *
 *   npx tsx bench/bomb-pdf.ts
 */
import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CASES = ['bomb-in-process', 'bomb-worker', 'event-loop-in-process', 'event-loop-worker'] as const;
type Case = (typeof CASES)[number];

async function analyserFor(where: 'in-process' | 'worker') {
  if (where === 'worker') return new (await import('../shared/adapters/local/worker-pdf-analyser.ts')).WorkerPdfTableAnalyser();
  return new (await import('../shared/adapters/local/pdf-table-analyser.ts')).LocalPdfTableAnalyser();
}

async function bomb(where: 'in-process' | 'worker'): Promise<Record<string, number | string>> {
  const { flateBombPdf } = await import('../tests/helpers/bomb-pdfs.ts');
  const bytes = await flateBombPdf(1024);
  const analyser = await analyserFor(where);
  const started = performance.now();
  let outcome = 'analysed';
  try {
    for await (const result of analyser.analyse({ bytes, name: 'bomb.pdf' })) void result;
  } catch (error) {
    outcome = error instanceof Error ? error.message : String(error);
  }
  return {
    case: `bomb, ${where}`,
    fileMb: Number((bytes.length / 1024 / 1024).toFixed(2)),
    inflatedMb: 1024,
    refusedMs: Math.round(performance.now() - started),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    refused: outcome.includes('cannot be analysed') ? 1 : 0,
  };
}

async function eventLoop(where: 'in-process' | 'worker'): Promise<Record<string, number | string>> {
  const { loadRows } = await import('../tests/helpers/fixtures.ts');
  const { renderActionPlanPdf, LIVERPOOL_COLUMN_WIDTHS } = await import('../tests/helpers/pdf-generators.ts');
  const { header, rows } = loadRows('hmp-liverpool-2018');
  const bytes = await renderActionPlanPdf(header, [...rows, ...rows], {
    titleLines: ['Action Plan: HMP Generated', 'Report Published: 3 March 2026'],
    columnWidths: LIVERPOOL_COLUMN_WIDTHS,
  });
  const analyser = await analyserFor(where);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let pages = 0;
  delay.enable();
  const started = performance.now();
  for await (const result of analyser.analyse({ bytes, name: 'plan.pdf' }, { onProgress: ({ pageCount }) => (pages = pageCount) })) void result;
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  return {
    case: `event loop while analysing, ${where}`,
    pages,
    seconds: Number(seconds.toFixed(1)),
    maxDelayMs: Math.round(delay.max / 1e6),
    p99DelayMs: Math.round(delay.percentile(99) / 1e6),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { case: { type: 'string' } } });
  const chosen = values.case as Case | undefined;
  if (chosen) {
    const [kind, ...rest] = chosen.split('-');
    const where = rest.join('-').replace(/^loop-/, '') as 'in-process' | 'worker';
    const figures = kind === 'bomb' ? await bomb(where) : await eventLoop(where);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const script = fileURLToPath(import.meta.url);
  for (const name of CASES) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, '--case', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error(`${name} failed with exit code ${child.status}`);
    process.stdout.write(child.stdout);
  }
}

await main();
