#!/usr/bin/env -S npx tsx
/**
 * extract: read an action plan, or an inspection report, and print it.
 *
 *   npm run extract -- <file> [--json | --blocks]
 *
 * <file> is an action-plan PDF, read by the local analyser (the offline stand-in for Amazon Textract),
 * or a saved Textract response (AnalyzeDocument JSON, or a JSON array of GetDocumentAnalysis pages).
 * It tells a plan (a table of recommendations and responses) from a report (numbered recommendations
 * or concerns) by itself. --json prints only the plan or report JSON; --blocks only the Textract-shaped
 * analysis. Exit codes: 0 done, 2 the input cannot be read as a plan (the message says why), 1 an
 * internal error.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DomainError } from '../shared/domain/errors.ts';
import { LocalPdfTableAnalyser } from '../shared/adapters/local/pdf-table-analyser.ts';
import { readInspectionDocument } from '../shared/extraction/read-inspection-document.ts';
import { readTextractDocument } from '../shared/extraction/textract-document.ts';
import type { TextractResponse } from '../shared/extraction/textract-response.ts';
import type { AnalysisProgress } from '../shared/ports/document-analyser.ts';
import { formatPlanSummary, formatReportSummary } from '../shared/presentation/plan-summary-text.ts';
import { extractDocument } from '../shared/usecases/extract-plan.ts';

const USAGE = 'usage: npm run extract -- <file.pdf | textract.json> [--json | --blocks]';

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      blocks: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError(USAGE);
  if (values.json && values.blocks) throw new UsageError('--json and --blocks cannot be combined');

  const fromSavedAnalysis = file.toLowerCase().endsWith('.json');
  if (values.blocks) {
    const analysis = fromSavedAnalysis
      ? await readSavedTextractResponses(file)
      : await collectAnalysis(await readInput(file), basename(file));
    process.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
    return 0;
  }
  const document = fromSavedAnalysis
    ? readInspectionDocument(readTextractDocument(await readSavedTextractResponses(file)), sourceName(file))
    : (
        await extractDocument({ bytes: await readInput(file), name: basename(file) }, new LocalPdfTableAnalyser(), {
          onProgress: progress(),
        })
      ).document;
  const value = document.type === 'plan' ? document.plan : document.report;
  const summary = document.type === 'plan' ? formatPlanSummary(document.plan) : formatReportSummary(document.report);
  process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : `${summary}\n`);
  return 0;
}

async function collectAnalysis(bytes: Uint8Array, name: string): Promise<TextractResponse[]> {
  const analysis: TextractResponse[] = [];
  for await (const result of new LocalPdfTableAnalyser().analyse({ bytes, name }, { onProgress: progress() })) {
    analysis.push(result);
  }
  return analysis;
}

/** "page n/N" on stderr while a person watches; nothing when stderr is a file or a pipe. */
function progress(): ((progress: AnalysisProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return ({ page, pageCount }) => {
    process.stderr.write(`\ranalysing page ${page}/${pageCount}${page === pageCount ? '\n' : ''}`);
  };
}

async function readInput(file: string): Promise<Uint8Array> {
  return readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(error.code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file}: ${error.message}`);
  });
}

/** The name of the document a saved response came from: "plan.textract.json" → "plan.pdf". */
function sourceName(file: string): string {
  return basename(file).replace(/(\.textract)?\.json$/i, '.pdf');
}

async function readSavedTextractResponses(file: string): Promise<TextractResponse[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      error.code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file}: ${error.message}`,
    );
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not a Textract response: it is not JSON`);
  }
  return (Array.isArray(parsed) ? parsed : [parsed]) as TextractResponse[];
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof DomainError) {
      process.stderr.write(`extract: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(
        `extract: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
