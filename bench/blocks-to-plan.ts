/**
 * Benchmark: Textract Blocks → plan for the largest job Textract's asynchronous API accepts
 * (3,000 pages). A synthetic GetDocumentAnalysis result is written once as NDJSON (one result page
 * of ≤ 1,000 Blocks per line, as NextToken pagination returns them), then read back line by line in
 * a fresh process (the bundled reader, as it runs deployed) that turns it into a plan, so the peak RSS
 * is the reader's, not the generator's.
 *
 *   npx tsx bench/blocks-to-plan.ts            generate if needed, then measure (prints JSON)
 *   npx tsx bench/blocks-to-plan.ts --pages N  another size
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Block, TextractResponse } from '../shared/extraction/textract-response.ts';
import { bundleForMeasuring } from './bundle.ts';
import { layoutRowsAsTextract, readRowsTsv } from '../tests/helpers/layout-rows-as-textract.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

async function generate(file: string, pages: number): Promise<void> {
  const tsv = readFileSync(join(here, '../tests/fixtures/action-plans/hmp-liverpool-2018.rows.tsv'), 'utf8');
  const { header, rows } = readRowsTsv(tsv);
  const out = createWriteStream(file);
  const write = (response: TextractResponse) =>
    new Promise<void>((resolve) =>
      out.write(`${JSON.stringify(response)}\n`) ? resolve() : out.once('drain', resolve),
    );
  let pageOffset = 0;
  for (let chunk = 1; pageOffset < pages; chunk++) {
    // Each chunk is the fixture plan with its own recommendation numbers ("<chunk>.<n>").
    const chunkRows = rows.map((row) => [row[0]!.replace(/^5\./, `${chunk}.`), ...row.slice(1)]);
    const layout = layoutRowsAsTextract(header, chunkRows, {
      asynchronous: true,
      maxBlocksPerResponse: 1000,
    });
    for (const response of layout.responses) {
      const blocks = (response.Blocks ?? [])
        .filter((block) => (block.Page ?? 1) + pageOffset <= pages)
        .map((block) => renumber(block, chunk, pageOffset));
      if (blocks.length > 0)
        await write({ JobStatus: 'SUCCEEDED', DocumentMetadata: { Pages: pages }, Blocks: blocks });
    }
    pageOffset += layout.pages;
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

function renumber(block: Block, chunk: number, pageOffset: number): Block {
  const id = (value: string) => `c${chunk}-${value}`;
  return {
    ...block,
    Id: id(block.Id ?? ''),
    Page: (block.Page ?? 1) + pageOffset,
    ...(block.Relationships
      ? { Relationships: block.Relationships.map((r) => ({ ...r, Ids: (r.Ids ?? []).map(id) })) }
      : {}),
  };
}

async function measure(file: string): Promise<void> {
  const { TextractDocumentReader } = await import('../shared/extraction/textract-document.ts');
  const { readActionPlanDocument } = await import('../shared/extraction/read-action-plan.ts');
  const started = performance.now();
  // Each result page is parsed as it arrives (on AWS the SDK does this while paging through
  // GetDocumentAnalysis); the reader keeps a small model of each document page and drops its Blocks.
  const reader = new TextractDocumentReader();
  let resultPages = 0;
  let parseSeconds = 0;
  let readerSeconds = 0;
  for await (const line of ndjsonLines(file)) {
    const parseStarted = performance.now();
    const response = JSON.parse(line) as TextractResponse;
    const readStarted = performance.now();
    reader.add(response);
    readerSeconds += (performance.now() - readStarted) / 1000;
    parseSeconds += (readStarted - parseStarted) / 1000;
    resultPages++;
  }
  const finishStarted = performance.now();
  const document = reader.finish();
  const plan = readActionPlanDocument(document, 'synthetic.pdf');
  readerSeconds += (performance.now() - finishStarted) / 1000;
  const seconds = (performance.now() - started) / 1000;
  const actions = plan.items.reduce((count, item) => count + item.actions.length, 0);
  process.stdout.write(
    `${JSON.stringify({
      pages: document.pageCount,
      resultPages,
      items: plan.items.length,
      actions,
      blocksToPlanSeconds: Number(readerSeconds.toFixed(2)),
      jsonParseSeconds: Number(parseSeconds.toFixed(2)),
      wallSeconds: Number(seconds.toFixed(2)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    })}\n`,
  );
}

/** Lines of a large NDJSON file; each line is one result page, so lines are long (≈ 0.5 MB). */
async function* ndjsonLines(file: string): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 8 * 1024 * 1024 })) {
    pending = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = pending.indexOf(10, start); end !== -1; end = pending.indexOf(10, start)) {
      if (end > start) yield pending.toString('utf8', start, end);
      start = end + 1;
    }
    pending = pending.subarray(start);
  }
  if (pending.length > 0) yield pending.toString('utf8');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { pages: { type: 'string', default: '3000' }, measure: { type: 'string' } },
  });
  if (values.measure) return measure(values.measure);
  const pages = Number(values.pages);
  const directory = join(tmpdir(), 'action-plan-bench');
  await mkdir(directory, { recursive: true });
  const file = join(directory, `textract-${pages}-pages.ndjson`);
  if (!existsSync(file)) {
    const started = performance.now();
    await generate(file, pages);
    process.stderr.write(`generated ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const bundle = await bundleForMeasuring(fileURLToPath(import.meta.url));
  const child = spawnSync(process.execPath, [bundle, '--measure', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`measurement failed with exit code ${child.status}`);
  process.stdout.write(child.stdout);
}

await main();
