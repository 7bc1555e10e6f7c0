/**
 * The local stand-in for Amazon Textract: reads a PDF with pdfjs and answers with the Blocks that
 * GetDocumentAnalysis (FeatureTypes TABLES) would return for it, so the plan reader cannot tell the two
 * apart. Per page: the glyphs and ruling lines are read from the operator list, glyphs become words
 * and lines, ruled grids (or, failing those, tables found from text alignment) become tables, and the
 * page's geometric model goes to the block builder. Pages are read one at a time and released.
 */

import type * as PdfjsModule from 'pdfjs-dist/legacy/build/pdf.mjs';
import { UnreadableDocumentError } from '../../domain/errors.ts';
import type { TextractResponse } from '../../domain/textract-response.ts';
import type { AnalysisProgress, DocumentAnalyser, DocumentToAnalyse } from '../../ports/document-analyser.ts';
import { findBorderlessGrids } from './pdf-borderless-tables.ts';
import { type FontMetrics, type Matrix, type RuleSegment, readPageContent } from './pdf-page-content.ts';
import { findRuledGrids, type TableGrid } from './pdf-rulings.ts';
import { checkInflatedSize, type InflationLimits } from './pdf-stream-inflation.ts';
import { tableModelOf } from './pdf-table-model.ts';
import { clipWord, linesOf, type PdfWord, wordsOf } from './pdf-text.ts';
import { AsynchronousResults, type PageModel, type TableModel } from './textract-block-builder.ts';

export interface PdfAnalysisLimits {
  /** Largest file accepted, in bytes; default 500 MB, as Textract's asynchronous API. */
  maxBytes?: number;
  /** Most pages accepted; default 3,000, as Textract's asynchronous API. */
  maxPages?: number;
  /** Most bytes one stream, and the whole document, may expand to when decompressed (`pdf-stream-inflation.ts`). */
  inflation?: InflationLimits;
}

export interface ReadPdfOptions extends PdfAnalysisLimits {
  onProgress?: (progress: AnalysisProgress) => void;
}

const DEFAULT_MAX_BYTES = 500 * 1024 * 1024;
const DEFAULT_MAX_PAGES = 3000;
/** `%PDF-` may follow some junk, but must start within the first kilobyte. */
const PDF_SIGNATURE = '%PDF-';
const SIGNATURE_WINDOW = 1024;
/** Words on one baseline further apart than this (× font size) are separate lines, as Textract splits them. */
const LINE_GAP = 1.5;

export class LocalPdfTableAnalyser implements DocumentAnalyser {
  constructor(private readonly limits: PdfAnalysisLimits = {}) {}

  async *analyse(
    document: DocumentToAnalyse,
    options: { onProgress?: (progress: AnalysisProgress) => void } = {},
  ): AsyncGenerator<TextractResponse> {
    let pageCount = 0;
    const pages = readPdfPages(document, {
      ...this.limits,
      onProgress: (progress) => {
        pageCount = progress.pageCount;
        options.onProgress?.(progress);
      },
    });
    const results = new AsynchronousResults(undefined, () => pageCount);
    for await (const page of pages) yield* results.addPage(page);
    yield results.finish();
  }
}

/**
 * The PDF's pages as the block builder's page models, one at a time. Throws UnreadableDocumentError
 * for input that is not a readable PDF with a text layer.
 */
export async function* readPdfPages(
  document: DocumentToAnalyse,
  options: ReadPdfOptions = {},
): AsyncGenerator<PageModel> {
  checkBytes(document, options.maxBytes ?? DEFAULT_MAX_BYTES);
  // Before pdfjs sees it: a compressed stream must not expand to more than pdfjs should hold.
  checkInflatedSize(document.bytes, document.name, options.inflation);
  const pdfjs = await loadPdfjs();
  // pdfjs may take over the buffer it is given: hand it a copy, not the caller's bytes.
  const loading = pdfjs.getDocument({
    data: new Uint8Array(document.bytes),
    verbosity: pdfjs.VerbosityLevel.ERRORS,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
  });
  try {
    const pdf = await loading.promise.catch((error: unknown) => {
      throw unreadable(document.name, error);
    });
    const pageCount = pdf.numPages;
    const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    if (pageCount > maxPages) {
      throw new UnreadableDocumentError(
        'TOO_LARGE',
        `${document.name} has ${pageCount} pages; at most ${maxPages} can be analysed`,
      );
    }
    const headers = new HeaderRows();
    let hasText = false;
    for (let number = 1; number <= pageCount; number++) {
      const page = await readPage(pdfjs, pdf, number).catch((error: unknown) => {
        throw unreadable(document.name, error, number);
      });
      for (const table of page.tables) headers.mark(table);
      hasText ||=
        page.lines.length > 0 ||
        page.tables.some((table) => table.cells.some((cell) => cell.lines.length > 0));
      options.onProgress?.({ page: number, pageCount });
      yield page;
    }
    if (!hasText) {
      throw new UnreadableDocumentError(
        'NO_TEXT_LAYER',
        `${document.name} has no text layer: it looks like a scanned image, which needs OCR (Amazon Textract does this when the plan is analysed on AWS)`,
      );
    }
  } finally {
    await loading.destroy();
  }
}

type Pdfjs = typeof PdfjsModule;
type PdfDocument = Awaited<ReturnType<Pdfjs['getDocument']>['promise']>;

let pdfjsModule: Promise<Pdfjs> | undefined;

function loadPdfjs(): Promise<Pdfjs> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

async function readPage(pdfjs: Pdfjs, pdf: PdfDocument, number: number): Promise<PageModel> {
  const page = await pdf.getPage(number);
  try {
    const viewport = page.getViewport({ scale: 1 });
    const operatorList = await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.DISABLE });
    const fontOf = (name: string): FontMetrics | undefined =>
      page.commonObjs.has(name) ? (page.commonObjs.get(name) as FontMetrics) : undefined;
    const content = readPageContent(operatorList, fontOf, viewport.transform as unknown as Matrix);
    return pageModelOf(viewport, wordsOf(content.glyphs), content.rules);
  } finally {
    page.cleanup();
  }
}

/**
 * One page's words and rules → its model: each ruled grid a table of the words inside it, then the
 * tables found in the remaining text, the rest of the words as lines.
 */
function pageModelOf(
  { width, height }: { width: number; height: number },
  words: readonly PdfWord[],
  rules: readonly RuleSegment[],
): PageModel {
  const page = { left: 0, top: 0, width, height };
  let remaining = words
    .map((word) => clipWord(word, page))
    .filter((word) => word.box.width > 0 && word.box.height > 0);
  const ruledGrids = findRuledGrids(rules);
  const tables: { top: number; table: TableModel }[] = [];
  const place = (grid: TableGrid) => {
    const { table, placed } = tableModelOf(clipGrid(grid, width, height), remaining);
    tables.push({ top: grid.ys[0]!, table });
    remaining = remaining.filter((word) => !placed.has(word));
  };
  for (const grid of ruledGrids) place(grid);
  for (const grid of findBorderlessGrids(remaining, rules, ruledGrids)) place(grid);
  tables.sort((a, b) => a.top - b.top);
  return { width, height, lines: linesOf(remaining, LINE_GAP), tables: tables.map((t) => t.table) };
}

/**
 * Textract marks the header cells of a table. The first row of the document's first table is its
 * header; a later table whose first row reads the same (the header Word repeats on each page) is
 * marked too.
 */
class HeaderRows {
  private header: string | null = null;

  mark(table: TableModel): void {
    const text = firstRowText(table);
    if (this.header === null) this.header = text;
    else if (text !== this.header || text === '') return;
    for (const cell of table.cells) if (cell.row === 1) cell.columnHeader = true;
    for (const merged of table.merged) if (merged.row === 1) merged.columnHeader = true;
  }
}

function firstRowText(table: TableModel): string {
  return table.cells
    .filter((cell) => cell.row === 1)
    .sort((a, b) => a.col - b.col)
    .flatMap((cell) => cell.lines.flatMap((line) => line.words.map((word) => word.text)))
    .join(' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

function checkBytes(document: DocumentToAnalyse, maxBytes: number): void {
  const { bytes, name } = document;
  if (bytes.length === 0) throw new UnreadableDocumentError('EMPTY_FILE', `${name} is empty`);
  if (bytes.length > maxBytes) {
    throw new UnreadableDocumentError(
      'TOO_LARGE',
      `${name} is ${formatMegabytes(bytes.length)}; at most ${formatMegabytes(maxBytes)} can be analysed`,
    );
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, SIGNATURE_WINDOW));
  if (!head.includes(PDF_SIGNATURE)) {
    throw new UnreadableDocumentError(
      'NOT_A_PDF',
      `${name} is not a PDF (it does not start with ${PDF_SIGNATURE})`,
    );
  }
}

function unreadable(name: string, error: unknown, page?: number): Error {
  if (error instanceof UnreadableDocumentError) return error;
  const reason = error instanceof Error ? error : new Error(String(error));
  if (reason.name === 'PasswordException') {
    return new UnreadableDocumentError(
      'ENCRYPTED_PDF',
      `${name} is protected by a password: save a copy without the password and upload that`,
    );
  }
  const where = page === undefined ? '' : ` (page ${page})`;
  return new UnreadableDocumentError(
    'CORRUPT_PDF',
    `${name} is damaged and cannot be read${where}: ${reason.message}`,
    page === undefined ? undefined : { page },
  );
}

function clipGrid(grid: TableGrid, width: number, height: number): TableGrid {
  const clip = (value: number, limit: number) => Math.min(limit, Math.max(0, value));
  return { ...grid, xs: grid.xs.map((x) => clip(x, width)), ys: grid.ys.map((y) => clip(y, height)) };
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
