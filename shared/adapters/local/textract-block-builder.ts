/**
 * Builds Amazon Textract AnalyzeDocument / GetDocumentAnalysis (FeatureTypes TABLES) responses from a
 * geometric model of a document: pages with lines of positioned words, and tables as grids of cells
 * whose lines sit inside them. The output is shaped as real Textract emits it (checked against the
 * saved responses in tests/fixtures/textract-real), so a reader cannot tell the two apart:
 *
 * - per page, blocks come in the order PAGE, its LINEs, their WORDs, then for each table its TABLE,
 *   its CELLs (row by row) and its MERGED_CELLs;
 * - PAGE has one CHILD relationship listing its LINEs (in reading order) followed by its TABLEs;
 * - text inside a table cell is also a LINE/WORD of the page; a CELL's CHILD lists WORDs, not LINEs;
 * - TABLE has CHILD → its CELLs and MERGED_CELL → its merged cells; MERGED_CELL has CHILD → the CELLs
 *   it covers, and those CELLs carry the merged cell's confidence;
 * - synchronous responses have no `Page` on blocks (kept for a multi-page document so pages stay
 *   distinguishable), asynchronous ones have `Page` everywhere, `JobStatus` and `NextToken` chaining.
 *
 * Ids are derived from a counter, so the same model always yields the same response.
 */
import type { Block, BoundingBox, Point, TextractResponse } from '../../domain/textract-response.ts';

/** A rectangle in page points, origin at the page's top-left corner. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface WordModel {
  /** One word: non-empty, no whitespace. */
  text: string;
  box: Box;
}

/** A line of text: its words left to right. */
export interface LineModel {
  words: WordModel[];
}

/** One grid position of a table; 1-based row and column. Its lines are the text inside its box. */
export interface CellModel {
  row: number;
  col: number;
  box: Box;
  lines: LineModel[];
  columnHeader?: boolean;
}

/** A rectangle of grid positions drawn as one cell (covering more than one position). */
export interface MergedCellModel {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
  columnHeader?: boolean;
}

/** A table: exactly one cell for every row × column position of its grid. */
export interface TableModel {
  cells: CellModel[];
  merged: MergedCellModel[];
}

/** A page in points; `lines` is the text outside tables (text inside tables belongs to cells). */
export interface PageModel {
  width: number;
  height: number;
  lines: LineModel[];
  tables: TableModel[];
}

export interface BuildOptions {
  /** GetDocumentAnalysis style: `Page` on every block, `JobStatus`, results split by `NextToken`. */
  asynchronous?: boolean;
  /** Asynchronous only: most blocks in one response (the real API returns at most 1000). */
  maxBlocksPerResponse?: number;
}

const WORD_CONFIDENCE = 99.71;
const LINE_CONFIDENCE = 99.64;
const TABLE_CONFIDENCE = 99.83;
const CELL_CONFIDENCE = 90.27;
const DEFAULT_MAX_BLOCKS_PER_RESPONSE = 1000;
const ANALYZE_DOCUMENT_MODEL_VERSION = '1.0';
/** Slack, in points, for rounding when checking that one box lies inside another. */
const BOX_TOLERANCE = 0.01;

export function buildTextractResponse(pages: PageModel[], options: BuildOptions = {}): TextractResponse[] {
  const asynchronous = options.asynchronous ?? false;
  const maxBlocksPerResponse = options.maxBlocksPerResponse ?? DEFAULT_MAX_BLOCKS_PER_RESPONSE;
  if (pages.length === 0) throw new Error('a document needs at least one page');
  if (!Number.isInteger(maxBlocksPerResponse) || maxBlocksPerResponse < 1) {
    throw new Error(`maxBlocksPerResponse must be a positive integer, got ${maxBlocksPerResponse}`);
  }
  if (!asynchronous) {
    pages.forEach((page, index) => {
      validatePage(page, `page ${index + 1}`);
    });
  }

  if (asynchronous) {
    const results = new AsynchronousResults(maxBlocksPerResponse, () => pages.length);
    return [...pages.flatMap((page) => results.addPage(page)), results.finish()];
  }
  const nextId = idSequence();
  const withPageNumbers = pages.length > 1;
  const blocks = pages.flatMap((page, index) =>
    pageBlocks(page, nextId).map((block) => (withPageNumbers ? { ...block, Page: index + 1 } : block)),
  );
  return [
    {
      DocumentMetadata: { Pages: pages.length },
      Blocks: blocks,
      AnalyzeDocumentModelVersion: ANALYZE_DOCUMENT_MODEL_VERSION,
    },
  ];
}

/**
 * GetDocumentAnalysis results built page by page, as a long document is read: each page's Blocks
 * join a queue, and a result of `maxBlocksPerResponse` Blocks is handed out (with a NextToken) as soon
 * as more Blocks are known to follow it, so no more than about two results are held at a time.
 */
export class AsynchronousResults {
  private readonly nextId = idSequence();
  private pending: Block[] = [];
  private pageNumber = 0;
  private handedOut = 0;

  constructor(
    private readonly maxBlocksPerResponse = DEFAULT_MAX_BLOCKS_PER_RESPONSE,
    /** The document's page count, for DocumentMetadata; read when a result is handed out. */
    private readonly pageCount: () => number,
  ) {
    if (!Number.isInteger(maxBlocksPerResponse) || maxBlocksPerResponse < 1) {
      throw new Error(`maxBlocksPerResponse must be a positive integer, got ${maxBlocksPerResponse}`);
    }
  }

  /** Adds the next page; returns the results now complete (often none). */
  addPage(page: PageModel): TextractResponse[] {
    this.pageNumber += 1;
    validatePage(page, `page ${this.pageNumber}`);
    for (const block of pageBlocks(page, this.nextId)) this.pending.push({ ...block, Page: this.pageNumber });
    const ready: TextractResponse[] = [];
    while (this.pending.length > this.maxBlocksPerResponse) {
      ready.push(this.result(this.pending.slice(0, this.maxBlocksPerResponse), true));
      this.pending = this.pending.slice(this.maxBlocksPerResponse);
    }
    return ready;
  }

  /** The last result: the Blocks still queued, with no NextToken. */
  finish(): TextractResponse {
    if (this.pageNumber === 0) throw new Error('a document needs at least one page');
    const last = this.result(this.pending, false);
    this.pending = [];
    return last;
  }

  private result(blocks: Block[], more: boolean): TextractResponse {
    this.handedOut += 1;
    return {
      DocumentMetadata: { Pages: this.pageCount() },
      JobStatus: 'SUCCEEDED',
      ...(more ? { NextToken: nextTokenFor(this.handedOut) } : {}),
      Blocks: blocks,
      AnalyzeDocumentModelVersion: ANALYZE_DOCUMENT_MODEL_VERSION,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Blocks

type IdSequence = () => string;

function idSequence(): IdSequence {
  let counter = 0;
  return () => {
    counter += 1;
    return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
  };
}

function nextTokenFor(responseIndex: number): string {
  return `local-analysis-results-${String(responseIndex).padStart(4, '0')}`;
}

function pageBlocks(page: PageModel, nextId: IdSequence): Block[] {
  const ratios = (box: Box) => geometry(box, page);
  const pageId = nextId();
  const cellLines = page.tables.flatMap((table) => table.cells.flatMap((cell) => cell.lines));
  const orderedLines = inReadingOrder([...page.lines, ...cellLines]);

  const wordIds = new Map<WordModel, string>();
  const lineBlocks = orderedLines.map((line): Block => {
    const id = nextId();
    const ids = line.words.map((word) => {
      const wordId = nextId();
      wordIds.set(word, wordId);
      return wordId;
    });
    return {
      BlockType: 'LINE',
      Confidence: LINE_CONFIDENCE,
      Text: line.words.map((word) => word.text).join(' '),
      Geometry: ratios(unionOf(line.words.map((word) => word.box))),
      Id: id,
      Relationships: [{ Type: 'CHILD', Ids: ids }],
    };
  });
  const wordBlocks = orderedLines.flatMap((line) =>
    line.words.map(
      (word): Block => ({
        BlockType: 'WORD',
        Confidence: WORD_CONFIDENCE,
        Text: word.text,
        TextType: 'PRINTED',
        Geometry: ratios(word.box),
        Id: wordIds.get(word)!,
      }),
    ),
  );
  const tables = page.tables.map((table) => tableBlocks(table, ratios, wordIds, nextId));

  const pageChildren = [...lineBlocks, ...tables.map((blocks) => blocks[0]!)].map((block) => block.Id!);
  const pageBlock: Block = {
    BlockType: 'PAGE',
    Geometry: ratios({ left: 0, top: 0, width: page.width, height: page.height }),
    Id: pageId,
    ...(pageChildren.length > 0 ? { Relationships: [{ Type: 'CHILD', Ids: pageChildren }] } : {}),
  };
  return [pageBlock, ...lineBlocks, ...wordBlocks, ...tables.flat()];
}

/** TABLE, then its CELLs row by row, then its MERGED_CELLs. */
function tableBlocks(
  table: TableModel,
  ratios: (box: Box) => Block['Geometry'],
  wordIds: Map<WordModel, string>,
  nextId: IdSequence,
): Block[] {
  const cells = [...table.cells].sort((a, b) => a.row - b.row || a.col - b.col);
  const tableId = nextId();
  const cellIds = new Map(cells.map((cell) => [cell, nextId()]));
  const cellsByPosition = new Map(cells.map((cell) => [positionKey(cell.row, cell.col), cell]));
  const cellAt = (row: number, col: number) => cellsByPosition.get(positionKey(row, col))!;

  const mergedBlocks = table.merged.map((merged): Block => {
    const covered = coveredPositions(merged).map(([row, col]) => cellAt(row, col));
    return {
      BlockType: 'MERGED_CELL',
      Confidence: CELL_CONFIDENCE,
      RowIndex: merged.row,
      ColumnIndex: merged.col,
      RowSpan: merged.rowSpan,
      ColumnSpan: merged.colSpan,
      Geometry: ratios(unionOf(covered.map((cell) => cell.box))),
      Id: nextId(),
      Relationships: [{ Type: 'CHILD', Ids: covered.map((cell) => cellIds.get(cell)!) }],
      ...(merged.columnHeader ? { EntityTypes: ['COLUMN_HEADER'] } : {}),
    };
  });
  const cellBlocks = cells.map((cell): Block => {
    const words = cell.lines.flatMap((line) => line.words);
    return {
      BlockType: 'CELL',
      Confidence: CELL_CONFIDENCE,
      RowIndex: cell.row,
      ColumnIndex: cell.col,
      RowSpan: 1,
      ColumnSpan: 1,
      Geometry: ratios(cell.box),
      Id: cellIds.get(cell)!,
      ...(words.length > 0
        ? { Relationships: [{ Type: 'CHILD', Ids: words.map((word) => wordIds.get(word)!) }] }
        : {}),
      ...(cell.columnHeader ? { EntityTypes: ['COLUMN_HEADER'] } : {}),
    };
  });
  const tableBlock: Block = {
    BlockType: 'TABLE',
    Confidence: TABLE_CONFIDENCE,
    Geometry: ratios(unionOf(cells.map((cell) => cell.box))),
    Id: tableId,
    Relationships: [
      { Type: 'CHILD', Ids: cellBlocks.map((block) => block.Id!) },
      ...(mergedBlocks.length > 0
        ? [{ Type: 'MERGED_CELL', Ids: mergedBlocks.map((block) => block.Id!) }]
        : []),
    ],
    EntityTypes: ['STRUCTURED_TABLE'],
  };
  return [tableBlock, ...cellBlocks, ...mergedBlocks];
}

// ---------------------------------------------------------------------------------------------
// Geometry

/** Page ratios, clamped to 0..1 against the rounding slack that validation allows. */
function geometry(box: Box, page: { width: number; height: number }): Block['Geometry'] {
  const ratio = (points: number, extent: number) => Math.min(1, Math.max(0, points / extent));
  const left = ratio(box.left, page.width);
  const top = ratio(box.top, page.height);
  const right = ratio(box.left + box.width, page.width);
  const bottom = ratio(box.top + box.height, page.height);
  const boundingBox: BoundingBox = { Width: right - left, Height: bottom - top, Left: left, Top: top };
  const polygon: Point[] = [
    { X: left, Y: top },
    { X: right, Y: top },
    { X: right, Y: bottom },
    { X: left, Y: bottom },
  ];
  return { BoundingBox: boundingBox, Polygon: polygon };
}

function unionOf(boxes: Box[]): Box {
  const left = Math.min(...boxes.map((box) => box.left));
  const top = Math.min(...boxes.map((box) => box.top));
  const right = Math.max(...boxes.map((box) => box.left + box.width));
  const bottom = Math.max(...boxes.map((box) => box.top + box.height));
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * Top to bottom, left to right, as Textract lists a page's lines: lines whose tops lie within half a
 * line height of each other form one band, read left to right.
 */
function inReadingOrder(lines: LineModel[]): LineModel[] {
  const boxed = lines.map((line) => ({ line, box: unionOf(line.words.map((word) => word.box)) }));
  boxed.sort((a, b) => a.box.top - b.box.top || a.box.left - b.box.left);
  const bands: (typeof boxed)[] = [];
  for (const entry of boxed) {
    const band = bands.at(-1);
    const bandStart = band?.[0]?.box;
    if (band && bandStart && entry.box.top < bandStart.top + bandStart.height / 2) band.push(entry);
    else bands.push([entry]);
  }
  return bands.flatMap((band) => band.sort((a, b) => a.box.left - b.box.left).map((entry) => entry.line));
}

function coveredPositions(merged: MergedCellModel): [row: number, col: number][] {
  const positions: [number, number][] = [];
  for (let row = merged.row; row < merged.row + merged.rowSpan; row++) {
    for (let col = merged.col; col < merged.col + merged.colSpan; col++) positions.push([row, col]);
  }
  return positions;
}

function positionKey(row: number, col: number): string {
  return `${row},${col}`;
}

// ---------------------------------------------------------------------------------------------
// Validation

function validatePage(page: PageModel, where: string): void {
  if (!(isFiniteNumber(page.width) && page.width > 0 && isFiniteNumber(page.height) && page.height > 0)) {
    throw new Error(
      `${where}: width and height must be positive numbers, got ${page.width} × ${page.height}`,
    );
  }
  const pageBox = { left: 0, top: 0, width: page.width, height: page.height };
  page.lines.forEach((line, index) => {
    validateLine(line, pageBox, `${where}, line ${index + 1}`);
  });
  page.tables.forEach((table, index) => {
    validateTable(table, pageBox, `${where}, table ${index + 1}`);
  });
  const cellLines = page.tables.flatMap((table) => table.cells.flatMap((cell) => cell.lines));
  const words = [...page.lines, ...cellLines].flatMap((line) => line.words);
  if (new Set(words).size !== words.length) {
    throw new Error(`${where}: a word object appears in more than one place; each word is one WORD block`);
  }
}

/** Checks the line's words, each of which must lie inside `container` (the page or its cell). */
function validateLine(line: LineModel, container: Box, where: string): void {
  if (line.words.length === 0) throw new Error(`${where}: a line needs at least one word`);
  for (const word of line.words) {
    const wordWhere = `${where}, word ${JSON.stringify(word.text)}`;
    if (word.text.length === 0 || /\s/.test(word.text)) {
      throw new Error(`${wordWhere}: a word must be non-empty and contain no whitespace`);
    }
    validateBox(word.box, wordWhere);
    if (!isInside(word.box, container)) {
      throw new Error(`${wordWhere}: box ${describe(word.box)} is outside ${describe(container)}`);
    }
  }
}

function validateTable(table: TableModel, pageBox: Box, where: string): void {
  if (table.cells.length === 0) throw new Error(`${where}: a table needs at least one cell`);
  for (const cell of table.cells) {
    const cellWhere = `${where}, cell (${cell.row}, ${cell.col})`;
    if (!isPositiveInteger(cell.row) || !isPositiveInteger(cell.col)) {
      throw new Error(`${cellWhere}: row and col must be positive integers (1-based)`);
    }
    validateBox(cell.box, cellWhere);
    if (!isInside(cell.box, pageBox)) {
      throw new Error(`${cellWhere}: box ${describe(cell.box)} is outside the page`);
    }
    cell.lines.forEach((line, index) => {
      validateLine(line, cell.box, `${cellWhere}, line ${index + 1}`);
    });
  }

  const rows = Math.max(...table.cells.map((cell) => cell.row));
  const columns = Math.max(...table.cells.map((cell) => cell.col));
  const cellCounts = new Map<string, number>();
  for (const cell of table.cells) {
    const key = positionKey(cell.row, cell.col);
    cellCounts.set(key, (cellCounts.get(key) ?? 0) + 1);
  }
  for (let row = 1; row <= rows; row++) {
    for (let col = 1; col <= columns; col++) {
      const count = cellCounts.get(positionKey(row, col)) ?? 0;
      if (count !== 1) {
        throw new Error(
          `${where}: grid of ${rows} × ${columns} needs one cell at (${row}, ${col}), found ${count}`,
        );
      }
    }
  }

  const mergedAt = new Set<string>();
  for (const merged of table.merged) {
    const mergedWhere = `${where}, merged cell (${merged.row}, ${merged.col}) spanning ${merged.rowSpan} × ${merged.colSpan}`;
    if (![merged.row, merged.col, merged.rowSpan, merged.colSpan].every(isPositiveInteger)) {
      throw new Error(`${mergedWhere}: row, col, rowSpan and colSpan must be positive integers`);
    }
    if (merged.rowSpan * merged.colSpan < 2) throw new Error(`${mergedWhere}: must cover more than one cell`);
    if (merged.row + merged.rowSpan - 1 > rows || merged.col + merged.colSpan - 1 > columns) {
      throw new Error(`${mergedWhere}: reaches outside the ${rows} × ${columns} grid`);
    }
    for (const [row, col] of coveredPositions(merged)) {
      const key = positionKey(row, col);
      if (mergedAt.has(key)) {
        throw new Error(`${mergedWhere}: overlaps another merged cell at (${row}, ${col})`);
      }
      mergedAt.add(key);
    }
  }
}

function validateBox(box: Box, where: string): void {
  const valid =
    [box.left, box.top, box.width, box.height].every(isFiniteNumber) && box.width >= 0 && box.height >= 0;
  if (!valid) {
    throw new Error(`${where}: box ${describe(box)} needs finite coordinates and a non-negative size`);
  }
}

function isInside(inner: Box, outer: Box): boolean {
  return (
    inner.left >= outer.left - BOX_TOLERANCE &&
    inner.top >= outer.top - BOX_TOLERANCE &&
    inner.left + inner.width <= outer.left + outer.width + BOX_TOLERANCE &&
    inner.top + inner.height <= outer.top + outer.height + BOX_TOLERANCE
  );
}

function describe(box: Box): string {
  return `{left ${box.left}, top ${box.top}, width ${box.width}, height ${box.height}}`;
}

function isFiniteNumber(value: number): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value >= 1;
}
