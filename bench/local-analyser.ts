/**
 * Benchmark: the local PDF analyser (the offline stand-in for Textract) on each fixture PDF and on a
 * generated 500-page plan. Each document runs in a fresh process so its peak RSS is its own; the
 * analyser's result pages are read into the plan as they arrive, as `extract` does. For the fixtures
 * it also prints accuracy: the share of items whose every field equals the hand-checked truth.
 *
 *   npx tsx bench/local-analyser.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Plan } from '../shared/domain/plan.ts';
import { bundleForMeasuring } from './bundle.ts';

const fixtures = fileURLToPath(new URL('../tests/fixtures/action-plans/', import.meta.url));
const FIXTURES = ['hmp-liverpool-2018', 'hmp-long-lartin-2023'];

async function measure(file: string, truthFile: string | undefined, heapLimitMb: string | undefined): Promise<void> {
  const { LocalPdfTableAnalyser } = await import('../shared/adapters/local/pdf-table-analyser.ts');
  const { extractPlan } = await import('../shared/usecases/extract-plan.ts');
  const bytes = new Uint8Array(readFileSync(file));
  const started = performance.now();
  let pageCount = 0;
  const { plan } = await extractPlan({ bytes, name: basename(file) }, new LocalPdfTableAnalyser(), {
    onProgress: (progress) => {
      pageCount = progress.pageCount;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const figures: Record<string, number | string> = {
    document: basename(file),
    items: plan.items.length,
    seconds: Number(seconds.toFixed(2)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    heapLimitMb: heapLimitMb ? Number(heapLimitMb) : 'default',
  };
  figures.pages = pageCount;
  figures.pagesPerSecond = Number((pageCount / seconds).toFixed(1));
  if (truthFile) {
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Plan;
    const exact = truth.items.filter((item, i) => JSON.stringify(plan.items[i]) === JSON.stringify(item)).length;
    figures.accuracyPercent = Number(((100 * exact) / truth.items.length).toFixed(1));
    figures.itemsExact = `${exact}/${truth.items.length}`;
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

async function pageCountOf(bytes: Uint8Array): Promise<number> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdf = await pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  const count = pdf.numPages;
  await pdf.destroy();
  return count;
}

/** The Liverpool rows repeated, each copy with its own numbers, until the plan fills `pages` pages. */
async function generatePlan(file: string, pages: number): Promise<void> {
  const { readRowsTsv } = await import('../tests/helpers/layout-rows-as-textract.ts');
  const { renderRowsAsPdf, A4_LANDSCAPE } = await import('../tests/helpers/pdf-generators.ts');
  const { header, rows } = readRowsTsv(readFileSync(join(fixtures, 'hmp-liverpool-2018.rows.tsv'), 'utf8'));
  const layout = {
    producer: 'pdf-lib' as const,
    font: 'Helvetica' as const,
    rules: 'grid' as const,
    ...A4_LANDSCAPE,
    margin: 36,
    fontSize: 8,
    columnWidths: [40, 150, 70, 270, 140, 99.89],
    titleLines: ['Action Plan: HMP Generated', 'Report Published: 1 March 2024'],
  };
  const onePlan = await renderRowsAsPdf(header, rows, layout);
  const pagesPerCopy = await pageCountOf(onePlan);
  const copies = Math.ceil(pages / pagesPerCopy);
  const allRows = Array.from({ length: copies }, (_, copy) =>
    rows.map((row) => [row[0]!.replace(/^5\./, `${copy + 1}.`), ...row.slice(1)]),
  ).flat();
  writeFileSync(file, await renderRowsAsPdf(header, allRows, layout));
}

function runMeasure(bundle: string, file: string, truthFile?: string, heapLimitMb?: number): void {
  const args = [...(heapLimitMb ? [`--max-old-space-size=${heapLimitMb}`] : []), bundle, '--measure', file];
  if (heapLimitMb) args.push('--heap-limit', String(heapLimitMb));
  if (truthFile) args.push('--truth', truthFile);
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`measuring ${file} failed with exit code ${child.status}`);
  process.stdout.write(child.stdout);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      measure: { type: 'string' },
      truth: { type: 'string' },
      'heap-limit': { type: 'string' },
      pages: { type: 'string', default: '500' },
    },
  });
  if (values.measure) return measure(values.measure, values.truth, values['heap-limit']);
  const bundle = await bundleForMeasuring(fileURLToPath(import.meta.url));
  for (const name of FIXTURES) {
    runMeasure(bundle, join(fixtures, `${name}.pdf`), join(fixtures, `${name}.truth.json`));
  }
  const pages = Number(values.pages);
  const directory = join(tmpdir(), 'action-plan-bench');
  await mkdir(directory, { recursive: true });
  const generated = join(directory, `generated-plan-${pages}-pages.pdf`);
  if (!existsSync(generated)) {
    const started = performance.now();
    await generatePlan(generated, pages);
    process.stderr.write(`generated ${generated} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  // Default V8 heap sizing lets garbage pile up before collecting; a memory-limited container (a
  // Lambda, say) runs with a heap limit, which shows the analyser's real working set.
  runMeasure(bundle, generated);
  runMeasure(bundle, generated, undefined, 192);
}

await main();
