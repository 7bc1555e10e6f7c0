import { UnreadableDocumentError } from '../domain/errors.ts';
import { median } from '../domain/statistics.ts';
import { collapseSpaces, joinWrapped } from '../domain/text.ts';
import type { Block, BoundingBox, TextractResponse } from '../domain/textract-response.ts';

/**
 * Textract Blocks → a page-by-page document model: the text lines of each page, and each table as a
 * grid of cells whose text is read from the cell's WORDs in reading order. Merged cells (MERGED_CELL,
 * or an old-model CELL with RowSpan/ColumnSpan > 1) hold their text in their top-left cell; the cells
 * they cover are marked as covered and left empty, so a merged item cell reads like a Word table
 * whose later rows are blank in that column.
 *
 * Inside a cell, a line break the author typed is kept as "\n" while a line the column merely wrapped
 * (its next word would not have fitted on the line above) is joined by WRAPPED_LINE, which reads as a
 * space: see shared/domain/text.ts.
 */

/** A rectangle in page ratios (0..1), origin top-left. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface TextLine {
  text: string;
  box: Box;
  /**
   * What Textract's layout analysis (FeatureTypes LAYOUT) says the line is part of, when it ran:
   * `LAYOUT_TITLE`, `LAYOUT_SECTION_HEADER`, `LAYOUT_HEADER`, `LAYOUT_FOOTER`, `LAYOUT_PAGE_NUMBER`,
   * `LAYOUT_TEXT`, `LAYOUT_LIST`…
   */
  layout?: string;
}

export interface GridCell {
  /** 1-based position in the page's table. */
  row: number;
  col: number;
  /** Text of the cell, or of the whole merged area when this is a merge's top-left cell. */
  text: string;
  /** The cell's own rectangle (for a merge's top-left cell: the merged area's rectangle). */
  box: Box;
  /** How many printed lines `text` takes, and where the last one ends (null for an empty cell). */
  lineCount: number;
  textBottom: number | null;
  columnHeader: boolean;
  /** The merged area this cell belongs to, if any (shared object for every cell it covers). */
  merge: MergedArea | null;
}

export interface MergedArea {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
}

export interface PageTable {
  page: number;
  /** Order of the table on its page, 0-based, top to bottom. */
  indexOnPage: number;
  box: Box;
  rowCount: number;
  columnCount: number;
  /** rows[r][c], 0-based; every grid position holds a cell. */
  rows: GridCell[][];
  /** Median text line height in this table, in page ratios (0 when the table has no text). */
  lineHeight: number;
}

export interface DocumentPage {
  page: number;
  /** The LINEs printed outside tables, in reading order (top to bottom, then left to right). */
  lines: TextLine[];
  tables: PageTable[];
}

export interface TextractDocument {
  pageCount: number;
  pages: DocumentPage[];
}

const ACCEPTED_JOB_STATUSES = new Set(['SUCCEEDED', 'PARTIAL_SUCCESS']);

/** Reads a whole response, or the pages of results NextToken pagination returned, in order. */
export function readTextractDocument(input: TextractResponse | Iterable<TextractResponse>): TextractDocument {
  const reader = new TextractDocumentReader();
  const responses = isResponse(input) ? [input] : input;
  for (const response of responses) reader.add(response);
  return reader.finish();
}

function isResponse(input: TextractResponse | Iterable<TextractResponse>): input is TextractResponse {
  return typeof (input as Iterable<TextractResponse>)[Symbol.iterator] !== 'function';
}

/**
 * Reads Textract results as they arrive, one GetDocumentAnalysis page after another, and keeps only
 * the small page model of each finished document page: a 3,000-page job never holds all its Blocks.
 * Asynchronous results come in document-page order (every block carries Page), so a page is done
 * when a block of a later page arrives. Blocks without Page (a synchronous response) are read at the
 * end, where the PAGE blocks' CHILD trees tell which page each belongs to.
 */
export class TextractDocumentReader {
  private readonly openPages = new Map<number, Block[]>();
  private readonly unpaged: Block[] = [];
  private readonly pages: DocumentPage[] = [];
  private lastFinishedPage = 0;
  private declaredPages = 0;
  private responses = 0;

  add(response: TextractResponse): void {
    this.responses++;
    if (!response || !Array.isArray(response.Blocks)) {
      throw new UnreadableDocumentError(
        'INVALID_TEXTRACT_RESPONSE',
        `Textract response ${this.responses} has no Blocks list`,
      );
    }
    if (response.JobStatus !== undefined && !ACCEPTED_JOB_STATUSES.has(response.JobStatus)) {
      const reason = response.StatusMessage ? `: ${response.StatusMessage}` : '';
      throw new UnreadableDocumentError(
        'INVALID_TEXTRACT_RESPONSE',
        `The Textract job ended with status ${response.JobStatus}${reason}`,
      );
    }
    this.declaredPages = Math.max(this.declaredPages, response.DocumentMetadata?.Pages ?? 0);
    for (const block of response.Blocks) {
      if (block.Page === undefined) {
        this.unpaged.push(block);
        continue;
      }
      if (block.Page <= this.lastFinishedPage) {
        throw new UnreadableDocumentError(
          'INVALID_TEXTRACT_RESPONSE',
          `Textract results are out of page order: a block of page ${block.Page} came after page ${this.lastFinishedPage + 1} began`,
        );
      }
      let blocks = this.openPages.get(block.Page);
      if (!blocks) {
        this.finishPagesBefore(block.Page);
        blocks = [];
        this.openPages.set(block.Page, blocks);
      }
      blocks.push(block);
    }
  }

  finish(): TextractDocument {
    if (this.responses === 0) {
      throw new UnreadableDocumentError('INVALID_TEXTRACT_RESPONSE', 'The Textract response is empty');
    }
    this.finishPagesBefore(Number.POSITIVE_INFINITY);
    if (this.unpaged.length > 0) {
      const index = new BlockIndex(this.unpaged);
      for (const page of index.pageNumbers()) this.pages.push(readPage(index, page));
    }
    this.pages.sort((a, b) => a.page - b.page);
    const lastPage = this.pages.at(-1)?.page ?? 0;
    return { pageCount: Math.max(this.declaredPages, lastPage), pages: this.pages };
  }

  private finishPagesBefore(page: number): void {
    for (const [number, blocks] of this.openPages) {
      if (number >= page) continue;
      this.pages.push(readPage(new BlockIndex(blocks), number));
      this.openPages.delete(number);
      this.lastFinishedPage = Math.max(this.lastFinishedPage, number);
    }
  }
}

/** Blocks by Id, with the page each belongs to. */
class BlockIndex {
  private readonly byId = new Map<string, Block>();
  private readonly pageOf = new Map<Block, number>();
  readonly blocksByPage = new Map<number, Block[]>();

  constructor(blocks: readonly Block[]) {
    for (const block of blocks) {
      if (block.Id) this.byId.set(block.Id, block);
    }
    this.assignPages(blocks);
  }

  children(block: Block, type = 'CHILD'): Block[] {
    const found: Block[] = [];
    for (const relationship of block.Relationships ?? []) {
      if (relationship.Type !== type) continue;
      for (const id of relationship.Ids ?? []) {
        const child = this.byId.get(id);
        if (child) found.push(child);
      }
    }
    return found;
  }

  pageNumbers(): number[] {
    return [...this.blocksByPage.keys()].sort((a, b) => a - b);
  }

  /**
   * A block without Page belongs to the PAGE whose CHILD tree reaches it, or to page 1 when there is
   * a single page.
   */
  private assignPages(blocks: readonly Block[]): void {
    const pageBlocks = blocks.filter((b) => b.BlockType === 'PAGE');
    pageBlocks.forEach((pageBlock, position) => {
      const page = pageBlock.Page ?? position + 1;
      const stack = [pageBlock];
      while (stack.length > 0) {
        const block = stack.pop()!;
        if (this.pageOf.has(block)) continue;
        this.pageOf.set(block, block.Page ?? page);
        stack.push(...this.children(block), ...this.children(block, 'MERGED_CELL'));
      }
    });
    for (const block of blocks) {
      const page = block.Page ?? this.pageOf.get(block) ?? 1;
      let list = this.blocksByPage.get(page);
      if (!list) {
        list = [];
        this.blocksByPage.set(page, list);
      }
      list.push(block);
    }
  }
}

function readPage(index: BlockIndex, page: number): DocumentPage {
  const blocks = index.blocksByPage.get(page) ?? [];
  const tables = blocks
    .filter((b) => b.BlockType === 'TABLE')
    .sort((a, b) =>
      byReadingOrder({ box: toBox(a.Geometry?.BoundingBox) }, { box: toBox(b.Geometry?.BoundingBox) }),
    )
    .map((tableBlock, indexOnPage) => readTable(index, tableBlock, page, indexOnPage))
    .filter((table): table is PageTable => table !== null);
  // Text inside tables lives in their cells; the page keeps what is printed around them.
  const layoutOf = layoutOfLines(index, blocks);
  const lines = blocks
    .filter((b) => b.BlockType === 'LINE' && b.Text)
    .map((b): TextLine => {
      const layout = layoutOf.get(b);
      return { text: collapseSpaces(b.Text ?? ''), box: toBox(b.Geometry?.BoundingBox), ...(layout ? { layout } : {}) };
    })
    .filter((line) => !tables.some((table) => contains(table.box, line.box)))
    .sort(byReadingOrder);
  return { page, lines, tables };
}

/** Each LINE's innermost LAYOUT_* block (a list's lines belong to its LAYOUT_TEXT items). */
function layoutOfLines(index: BlockIndex, blocks: readonly Block[]): Map<Block, string> {
  const layoutOf = new Map<Block, string>();
  for (const block of blocks) {
    if (!block.BlockType?.startsWith('LAYOUT_')) continue;
    for (const child of index.children(block)) {
      if (child.BlockType === 'LINE' && !layoutOf.has(child)) layoutOf.set(child, block.BlockType);
    }
  }
  return layoutOf;
}

function contains(outer: Box, inner: Box): boolean {
  const x = (inner.left + inner.right) / 2;
  const y = (inner.top + inner.bottom) / 2;
  return x >= outer.left && x <= outer.right && y >= outer.top && y <= outer.bottom;
}

interface WordBox {
  text: string;
  box: Box;
}

function readTable(
  index: BlockIndex,
  tableBlock: Block,
  page: number,
  indexOnPage: number,
): PageTable | null {
  const cellBlocks = index.children(tableBlock).filter((b) => b.BlockType === 'CELL');
  if (cellBlocks.length === 0) return null;
  let rowCount = 0;
  let columnCount = 0;
  for (const cell of cellBlocks) {
    rowCount = Math.max(rowCount, (cell.RowIndex ?? 1) + (cell.RowSpan ?? 1) - 1);
    columnCount = Math.max(columnCount, (cell.ColumnIndex ?? 1) + (cell.ColumnSpan ?? 1) - 1);
  }

  const tableBox = toBox(tableBlock.Geometry?.BoundingBox);
  const slots: { block: Block | null; words: WordBox[]; merge: MergedArea | null }[][] = [];
  for (let r = 0; r < rowCount; r++) {
    slots.push(Array.from({ length: columnCount }, () => ({ block: null, words: [], merge: null })));
  }
  for (const cell of cellBlocks) {
    const row = (cell.RowIndex ?? 1) - 1;
    const col = (cell.ColumnIndex ?? 1) - 1;
    const slot = slots[row]?.[col];
    if (!slot) continue;
    slot.block = cell;
    slot.words = wordsOf(index, cell);
  }

  const merges: MergedArea[] = [];
  const mergedBlocks = index.children(tableBlock, 'MERGED_CELL').filter((b) => b.BlockType === 'MERGED_CELL');
  for (const merged of mergedBlocks) {
    merges.push({
      row: merged.RowIndex ?? 1,
      col: merged.ColumnIndex ?? 1,
      rowSpan: merged.RowSpan ?? 1,
      colSpan: merged.ColumnSpan ?? 1,
    });
  }
  // The older table model spans a CELL itself instead of adding a MERGED_CELL.
  for (const cell of cellBlocks) {
    if ((cell.RowSpan ?? 1) > 1 || (cell.ColumnSpan ?? 1) > 1) {
      merges.push({
        row: cell.RowIndex ?? 1,
        col: cell.ColumnIndex ?? 1,
        rowSpan: cell.RowSpan ?? 1,
        colSpan: cell.ColumnSpan ?? 1,
      });
    }
  }
  for (const merge of merges) {
    for (let r = merge.row - 1; r < merge.row - 1 + merge.rowSpan && r < rowCount; r++) {
      for (let c = merge.col - 1; c < merge.col - 1 + merge.colSpan && c < columnCount; c++) {
        const slot = slots[r]?.[c];
        if (slot && !slot.merge) slot.merge = merge;
      }
    }
  }

  const columnRightEdges = Array.from({ length: columnCount }, (_, c) => {
    let right = 0;
    for (const row of slots) {
      const slot = row[c];
      if (!slot || (slot.merge && slot.merge.colSpan > 1)) continue;
      for (const word of slot.words) right = Math.max(right, word.box.right);
    }
    return right;
  });

  const lineHeights: number[] = [];
  const linePitches: number[] = [];
  const cellLines: { cell: GridCell; lines: WordLine[]; rightLimit: number }[] = [];
  const rows: GridCell[][] = slots.map((row, r) =>
    row.map((slot, c): GridCell => {
      const merge = slot.merge;
      const columnHeader = (slot.block?.EntityTypes ?? []).includes('COLUMN_HEADER');
      if (merge && (merge.row - 1 !== r || merge.col - 1 !== c)) {
        return {
          row: r + 1,
          col: c + 1,
          text: '',
          box: slotBox(slot.block, tableBox),
          lineCount: 0,
          textBottom: null,
          columnHeader,
          merge,
        };
      }
      const covered = merge ? coveredSlots(slots, merge) : [slot];
      const words = covered.flatMap((s) => s.words);
      const box = covered.map((s) => slotBox(s.block, tableBox)).reduce(unionBox);
      const lastColumn = merge ? Math.min(columnCount, merge.col + merge.colSpan - 1) - 1 : c;
      const rightLimit = Math.max(
        columnRightEdges[lastColumn] ?? 0,
        textRightEdge(box, words),
        ...words.map((w) => w.box.right),
      );
      const lines = groupIntoLines(words);
      lines.forEach((line, i) => {
        lineHeights.push(line.box.bottom - line.box.top);
        if (i > 0) linePitches.push(line.box.top - lines[i - 1]!.box.top);
      });
      const cell: GridCell = {
        row: r + 1,
        col: c + 1,
        text: '',
        box,
        lineCount: lines.length,
        textBottom: lines.at(-1)?.box.bottom ?? null,
        columnHeader:
          columnHeader || covered.some((s) => (s.block?.EntityTypes ?? []).includes('COLUMN_HEADER')),
        merge,
      };
      cellLines.push({ cell, lines, rightLimit });
      return cell;
    }),
  );
  const linePitch = median(linePitches);
  for (const { cell, lines, rightLimit } of cellLines) cell.text = joinCellLines(lines, rightLimit, linePitch);

  return {
    page,
    indexOnPage,
    box: tableBox,
    rowCount,
    columnCount,
    rows,
    lineHeight: median(lineHeights),
  };
}

/** Where text in the cell can reach: its right edge less the padding seen on its left. */
function textRightEdge(cell: Box, words: readonly WordBox[]): number {
  if (words.length === 0) return cell.right;
  const leftPadding = Math.max(0, Math.min(...words.map((w) => w.box.left)) - cell.left);
  return cell.right - leftPadding;
}

function coveredSlots<T>(slots: T[][], merge: MergedArea): T[] {
  const covered: T[] = [];
  for (let r = merge.row - 1; r < merge.row - 1 + merge.rowSpan; r++) {
    for (let c = merge.col - 1; c < merge.col - 1 + merge.colSpan; c++) {
      const slot = slots[r]?.[c];
      if (slot) covered.push(slot);
    }
  }
  return covered;
}

function wordsOf(index: BlockIndex, cell: Block): WordBox[] {
  const words: WordBox[] = [];
  for (const child of index.children(cell)) {
    if (child.BlockType === 'WORD' && child.Text) {
      words.push({ text: child.Text, box: toBox(child.Geometry?.BoundingBox) });
    } else if (child.BlockType === 'SELECTION_ELEMENT' && child.SelectionStatus === 'SELECTED') {
      words.push({ text: '[x]', box: toBox(child.Geometry?.BoundingBox) });
    }
  }
  return words;
}

interface WordLine {
  words: WordBox[];
  box: Box;
}

/** Words → visual lines: words whose vertical extents overlap by half belong to one line. */
export function groupIntoLines(words: readonly WordBox[]): WordLine[] {
  const sorted = [...words].sort((a, b) => a.box.top - b.box.top || a.box.left - b.box.left);
  const lines: WordLine[] = [];
  for (const word of sorted) {
    const height = word.box.bottom - word.box.top;
    const line = lines.find((candidate) => {
      const overlap =
        Math.min(candidate.box.bottom, word.box.bottom) - Math.max(candidate.box.top, word.box.top);
      return overlap >= 0.5 * Math.min(height, candidate.box.bottom - candidate.box.top);
    });
    if (line) {
      line.words.push(word);
      line.box = unionBox(line.box, word.box);
    } else {
      lines.push({ words: [word], box: { ...word.box } });
    }
  }
  for (const line of lines) line.words.sort((a, b) => a.box.left - b.box.left);
  return lines.sort((a, b) => a.box.top - b.box.top);
}

/** A gap above a line this much wider than the usual line pitch is a paragraph break. */
const PARAGRAPH_PITCH = 1.15;
const BULLET_GLYPH_START = /^[•●▪■◦·‣⁃](\s|$)/;
/** "- ", "* ", "1." or "a)" start a list item only after a line that ended one: wrapped text can start so too. */
const LIST_MARKER_START = /^([*–-]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)])\s/;
const LINE_END_BEFORE_LIST_ITEM = /[.!?:;]$/;

/**
 * Join a cell's lines. A break is the author's ("\n") when the next line starts a bullet (or a list
 * item after a finished line), when its first word would have fitted on the line above, or when the
 * gap above it is wider than the table's usual line pitch (the spacing a word processor adds after a
 * paragraph); otherwise the column wrapped the line (WRAPPED_LINE, or nothing after a word-joining
 * hyphen).
 */
function joinCellLines(lines: readonly WordLine[], rightLimit: number, linePitch: number): string {
  let text = '';
  lines.forEach((line, i) => {
    const lineText = line.words.map((w) => w.text).join(' ');
    if (i === 0) {
      text = lineText;
      return;
    }
    const previous = lines[i - 1]!;
    const firstWord = line.words[0]!;
    const previousText = previous.words.map((w) => w.text).join(' ');
    const charWidth = (previous.box.right - previous.box.left) / Math.max(previousText.length, 1);
    const roomLeft = rightLimit - previous.box.right;
    const nextWordWidth = firstWord.box.right - firstWord.box.left;
    const wouldHaveFitted = roomLeft - charWidth * 0.5 > nextWordWidth + charWidth;
    const startsListItem =
      BULLET_GLYPH_START.test(lineText) ||
      (LIST_MARKER_START.test(lineText) && LINE_END_BEFORE_LIST_ITEM.test(previousText));
    const newParagraph = linePitch > 0 && line.box.top - previous.box.top > PARAGRAPH_PITCH * linePitch;
    const authorsBreak = startsListItem || wouldHaveFitted || newParagraph;
    text = authorsBreak ? `${text}\n${lineText}` : joinWrapped(text, lineText);
  });
  return text;
}

function slotBox(block: Block | null, fallback: Box): Box {
  return block ? toBox(block.Geometry?.BoundingBox) : fallback;
}

export function toBox(box: BoundingBox | undefined): Box {
  const left = box?.Left ?? 0;
  const top = box?.Top ?? 0;
  return { left, top, right: left + (box?.Width ?? 0), bottom: top + (box?.Height ?? 0) };
}

export function unionBox(a: Box, b: Box): Box {
  return {
    left: Math.min(a.left, b.left),
    top: Math.min(a.top, b.top),
    right: Math.max(a.right, b.right),
    bottom: Math.max(a.bottom, b.bottom),
  };
}

function byReadingOrder(a: { box: Box }, b: { box: Box }): number {
  const sameLine = Math.abs(a.box.top - b.box.top) < 0.004;
  return sameLine ? a.box.left - b.box.left : a.box.top - b.box.top;
}
