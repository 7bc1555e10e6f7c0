/**
 * Lays table rows out on pages the way Word or LibreOffice prints an action plan, and returns what
 * Textract would answer for the printed document: one TABLE per page, the header row repeated, rows
 * cut at page breaks, section rows merged across the table, and an item's ref / text / decision cells
 * merged down across its action rows.
 *
 * Text is set in a fixed-pitch approximation (every character 0.5 × font size wide), wrapped greedily
 * into cells with a padding of 3pt, top-aligned, one line every 1.2 × font size.
 */
import {
  type Box,
  buildTextractResponse,
  type CellModel,
  type LineModel,
  type MergedCellModel,
  type PageModel,
  type TableModel,
} from '../../shared/adapters/local/textract-block-builder.ts';
import type { Block, TextractResponse } from '../../shared/extraction/textract-response.ts';

export interface LayoutOptions {
  /** Points; default A4 landscape, 841.89 × 595.28. */
  pageWidth?: number;
  pageHeight?: number;
  /** Points on every side; default 36. */
  margin?: number;
  /** Points, one per column; default: the table width shared out by the columns' text (see below). */
  columnWidths?: number[];
  /** Points; default 9. Line height is 1.2 × fontSize, a character is 0.5 × fontSize wide. */
  fontSize?: number;
  /** Text lines above the table on page 1. */
  titleLines?: string[];
  /** Text lines after the table. */
  trailingLines?: string[];
  /** Default true: the header row starts the table on every page, else only on the first. */
  repeatHeader?: boolean;
  /**
   * Default true: a row that does not fit keeps the lines that fit at the bottom of the page and
   * continues as the first row on the next page. When false it moves to the next page whole, unless
   * it is taller than a page.
   */
  allowRowBreak?: boolean;
  /**
   * Default true: an item row followed by rows with an empty first cell has its leading cells (those
   * before the first column any follower fills, and filled on the item row: ref, text, decision)
   * merged down across the item's rows, as one MERGED_CELL per column and page.
   */
  mergeItemCells?: boolean;
  /** Default true: a row with only its first cell filled is one MERGED_CELL spanning all columns. */
  sectionRowMerged?: boolean;
  asynchronous?: boolean;
  maxBlocksPerResponse?: number;
}

/** A row that a page break cut: the page of its first half and its 1-based row index in that page's table. */
export interface CutRow {
  page: number;
  rowIndex: number;
}

export interface LayoutResult {
  responses: TextractResponse[];
  cutRows: CutRow[];
  pages: number;
  /** The geometric model the responses were built from. */
  pageModels: PageModel[];
}

const A4_LANDSCAPE = { width: 841.89, height: 595.28 };
const CELL_PADDING = 3;
/** Slack, in points, for floating-point sums when fitting text into a width or a height. */
const FIT_TOLERANCE = 1e-6;

export function readRowsTsv(tsvText: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = tsvText
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t').map((cell) => cell.replaceAll('\\n', '\n')));
  if (!header) throw new Error('the TSV has no header line');
  rows.forEach((row, index) => {
    if (row.length > header.length) {
      throw new Error(`TSV row ${index + 2} has ${row.length} cells, the header only ${header.length}`);
    }
    while (row.length < header.length) row.push('');
  });
  return { header, rows };
}

export function layoutRowsAsTextract(
  header: string[],
  rows: string[][],
  options: LayoutOptions = {},
): LayoutResult {
  const settings = resolveSettings(header, rows, options);
  const pages = new PageFlow(settings);

  for (const text of settings.titleLines) pages.placeTextLine(text);
  if (settings.titleLines.length > 0) pages.skipLine();
  pages.startTable();
  for (const row of flowRowsOf(rows, settings)) pages.placeRow(row);
  pages.endTable();
  if (settings.trailingLines.length > 0) pages.skipLine();
  for (const text of settings.trailingLines) pages.placeTextLine(text);

  const pageModels = pages.finish();
  const responses = buildTextractResponse(pageModels, {
    asynchronous: options.asynchronous,
    maxBlocksPerResponse: options.maxBlocksPerResponse,
  });
  return { responses, cutRows: pages.cutRows, pages: pageModels.length, pageModels };
}

// ---------------------------------------------------------------------------------------------
// Settings and text metrics

interface Column {
  left: number;
  width: number;
}

interface Settings {
  pageWidth: number;
  pageHeight: number;
  margin: number;
  columns: Column[];
  fontSize: number;
  lineHeight: number;
  charWidth: number;
  header: string[];
  titleLines: string[];
  trailingLines: string[];
  repeatHeader: boolean;
  allowRowBreak: boolean;
  mergeItemCells: boolean;
  sectionRowMerged: boolean;
}

function resolveSettings(header: string[], rows: string[][], options: LayoutOptions): Settings {
  const pageWidth = options.pageWidth ?? A4_LANDSCAPE.width;
  const pageHeight = options.pageHeight ?? A4_LANDSCAPE.height;
  const margin = options.margin ?? 36;
  const fontSize = options.fontSize ?? 9;
  const charWidth = 0.5 * fontSize;
  const sectionRowMerged = options.sectionRowMerged ?? true;
  const tableWidth = pageWidth - 2 * margin;
  if (header.length === 0) throw new Error('the table needs at least one column');
  rows.forEach((row, index) => {
    if (row.length !== header.length) {
      throw new Error(`row ${index + 1} has ${row.length} cells, the header ${header.length}`);
    }
  });

  const widths =
    options.columnWidths ??
    defaultColumnWidths(
      [header, ...rows.filter((row) => !(sectionRowMerged && isSectionRow(row)))],
      tableWidth,
      charWidth,
    );
  if (widths.length !== header.length) {
    throw new Error(`columnWidths has ${widths.length} widths for ${header.length} columns`);
  }
  const totalWidth = widths.reduce((sum, width) => sum + width, 0);
  if (totalWidth > tableWidth + FIT_TOLERANCE) {
    throw new Error(
      `columns are ${totalWidth}pt wide in all, the page leaves ${tableWidth}pt between margins`,
    );
  }
  widths.forEach((width, index) => {
    if (!(width - 2 * CELL_PADDING >= charWidth)) {
      throw new Error(`column ${index + 1} (${width}pt) is too narrow for ${fontSize}pt text`);
    }
  });
  const lefts = widths.map(
    (_, index) => margin + widths.slice(0, index).reduce((sum, width) => sum + width, 0),
  );

  return {
    pageWidth,
    pageHeight,
    margin,
    columns: widths.map((width, index) => ({ left: lefts[index]!, width })),
    fontSize,
    lineHeight: 1.2 * fontSize,
    charWidth,
    header,
    titleLines: options.titleLines ?? [],
    trailingLines: options.trailingLines ?? [],
    repeatHeader: options.repeatHeader ?? true,
    allowRowBreak: options.allowRowBreak ?? true,
    mergeItemCells: options.mergeItemCells ?? true,
    sectionRowMerged,
  };
}

/**
 * Each column gets room for its longest word, and the rest of the table width is shared out in
 * proportion to the square root of the column's total text length (so long-text columns are wide
 * without starving the short ones).
 */
function defaultColumnWidths(rows: string[][], tableWidth: number, charWidth: number): number[] {
  const columnCount = rows[0]!.length;
  const columnTexts = Array.from({ length: columnCount }, (_, col) => rows.map((row) => row[col]!));
  const minimums = columnTexts.map((texts) => {
    const longestWord = Math.max(1, ...texts.flatMap((text) => wordsOf(text).map((word) => word.length)));
    return Math.min(longestWord * charWidth + 2 * CELL_PADDING, tableWidth / columnCount);
  });
  const weights = columnTexts.map((texts) => Math.sqrt(texts.join(' ').length + 1));
  const spare = tableWidth - minimums.reduce((sum, width) => sum + width, 0);
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  return minimums.map((minimum, col) => minimum + (spare * weights[col]!) / totalWeight);
}

function wordsOf(text: string): string[] {
  return text.split(/\s+/).filter((word) => word.length > 0);
}

function isBlank(text: string | undefined): boolean {
  return (text ?? '').trim().length === 0;
}

/** Only the first cell filled: a section heading such as "Daily life". */
function isSectionRow(row: string[]): boolean {
  return !isBlank(row[0]) && row.slice(1).every((cell) => isBlank(cell));
}

// ---------------------------------------------------------------------------------------------
// Text flow: wrapping text into lines across one or more columns

interface PositionedWord {
  text: string;
  column: number;
  left: number;
  width: number;
}

/** One line of wrapped text; empty for a blank line. Its vertical place is set when it is placed. */
interface TextLine {
  words: PositionedWord[];
}

/** A horizontal stretch that text may fill: a column's width inside the cell padding. */
interface Span {
  column: number;
  left: number;
  right: number;
}

function columnSpans(firstColumn: number, lastColumn: number, settings: Settings): Span[] {
  return settings.columns.slice(firstColumn, lastColumn + 1).map((column, offset) => ({
    column: firstColumn + offset,
    left: column.left + CELL_PADDING,
    right: column.left + column.width - CELL_PADDING,
  }));
}

/**
 * Wraps text greedily across consecutive spans (one column for a cell, all of them for a section
 * row): a word that would cross a column's edge starts in the next column with room for it, so every
 * word lies inside one cell, as the words of a Textract CELL do. Only a word wider than every span is
 * broken. Explicit newlines are hard breaks.
 */
function wrapText(text: string, spans: Span[], charWidth: number): TextLine[] {
  if (isBlank(text)) return [];
  const widestSpan = Math.max(...spans.map((span) => span.right - span.left));
  const lines: TextLine[] = [];
  for (const paragraph of text.trim().split('\n')) {
    let words: PositionedWord[] = [];
    let spanIndex = 0;
    let cursor = spans[0]!.left;
    const moveToNextSpan = () => {
      if (spanIndex < spans.length - 1) {
        spanIndex += 1;
      } else {
        lines.push({ words });
        words = [];
        spanIndex = 0;
      }
      cursor = spans[spanIndex]!.left;
    };
    for (let word of wordsOf(paragraph)) {
      while (word.length > 0) {
        const span = spans[spanIndex]!;
        const width = word.length * charWidth;
        if (cursor + width <= span.right + FIT_TOLERANCE) {
          words.push({ text: word, column: span.column, left: cursor, width });
          cursor += width + charWidth;
          word = '';
        } else if (cursor > span.left || width <= widestSpan + FIT_TOLERANCE) {
          moveToNextSpan();
        } else {
          const fitting = Math.floor((span.right - span.left + FIT_TOLERANCE) / charWidth);
          words.push({
            text: word.slice(0, fitting),
            column: span.column,
            left: cursor,
            width: fitting * charWidth,
          });
          word = word.slice(fitting);
          moveToNextSpan();
        }
      }
    }
    lines.push({ words });
  }
  return lines;
}

/**
 * Text drawn in one rectangle of the grid: a cell, a section row's span, or an item's merged
 * column. Its lines are placed as the rows it spans are placed, possibly over several pages.
 */
interface TextArea {
  firstColumn: number;
  lastColumn: number;
  lines: TextLine[];
  placedLines: number;
}

function textArea(text: string, firstColumn: number, lastColumn: number, settings: Settings): TextArea {
  const lines = wrapText(text, columnSpans(firstColumn, lastColumn, settings), settings.charWidth);
  return { firstColumn, lastColumn, lines, placedLines: 0 };
}

function remainingLines(area: TextArea): number {
  return area.lines.length - area.placedLines;
}

/** A table row as it flows down the pages. */
interface FlowRow {
  /** Areas only this row draws. */
  ownAreas: TextArea[];
  /** An item's merged columns, drawn across this row and the item's other rows. */
  sharedAreas: TextArea[];
  /** The item's last row, which must make room for what is left of the shared areas. */
  endsSharedAreas: boolean;
}

function flowRowsOf(rows: string[][], settings: Settings): FlowRow[] {
  const columnCount = settings.columns.length;
  const cellAreas = (row: string[], columns: number[]) =>
    columns.map((col) => textArea(row[col]!, col, col, settings));
  const allColumns = Array.from({ length: columnCount }, (_, col) => col);
  const flowRows: FlowRow[] = [];

  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    if (settings.sectionRowMerged && isSectionRow(row) && columnCount > 1) {
      flowRows.push({
        ownAreas: [textArea(row[0]!, 0, columnCount - 1, settings)],
        sharedAreas: [],
        endsSharedAreas: false,
      });
      continue;
    }
    let itemEnd = index + 1;
    if (settings.mergeItemCells && !isBlank(row[0]) && !isSectionRow(row)) {
      while (itemEnd < rows.length && isBlank(rows[itemEnd]![0])) itemEnd += 1;
    }
    const followers = rows.slice(index + 1, itemEnd);
    const mergedColumns = followers.length > 0 ? itemMergedColumns(row, followers) : [];
    if (mergedColumns.length === 0) {
      flowRows.push({ ownAreas: cellAreas(row, allColumns), sharedAreas: [], endsSharedAreas: false });
      continue;
    }
    const sharedAreas = mergedColumns.map((col) => textArea(row[col]!, col, col, settings));
    const ownColumns = allColumns.filter((col) => !mergedColumns.includes(col));
    [row, ...followers].forEach((itemRow, offset) => {
      flowRows.push({
        ownAreas: cellAreas(itemRow, ownColumns),
        sharedAreas,
        endsSharedAreas: offset === followers.length,
      });
    });
    index += followers.length;
  }
  return flowRows;
}

/** The leading columns that every follower leaves empty and the item row fills (ref, text, decision). */
function itemMergedColumns(itemRow: string[], followers: string[][]): number[] {
  const firstFollowerColumn = itemRow.findIndex((_, col) =>
    followers.some((follower) => !isBlank(follower[col])),
  );
  const leading = firstFollowerColumn === -1 ? itemRow.length : firstFollowerColumn;
  return Array.from({ length: leading }, (_, col) => col).filter((col) => !isBlank(itemRow[col]));
}

// ---------------------------------------------------------------------------------------------
// Pages

/** A table row placed on a page: which area draws each column, and the text lines of each cell. */
interface PlacedRow {
  top: number;
  height: number;
  header: boolean;
  areaByColumn: TextArea[];
  linesByColumn: LineModel[][];
}

interface PageInProgress {
  lines: LineModel[];
  rows: PlacedRow[];
  /** Where the next line or row starts. */
  y: number;
}

class PageFlow {
  readonly cutRows: CutRow[] = [];
  private readonly finished: PageModel[] = [];
  private page: PageInProgress;
  private inTable = false;
  private headerHeight = 0;

  constructor(private readonly settings: Settings) {
    this.page = this.newPage();
  }

  /** A line of text outside the table, wrapped to the width between the margins. */
  placeTextLine(text: string): void {
    const { margin, pageWidth, lineHeight, charWidth } = this.settings;
    const betweenMargins = { column: 0, left: margin, right: pageWidth - margin };
    for (const line of wrapText(text, [betweenMargins], charWidth)) {
      if (this.page.y + lineHeight > this.bottom() + FIT_TOLERANCE) this.startNextPage();
      const placed = this.lineModel(line.words, this.page.y);
      if (placed) this.page.lines.push(placed);
      this.page.y += lineHeight;
    }
  }

  skipLine(): void {
    this.page.y += this.settings.lineHeight;
  }

  startTable(): void {
    this.inTable = true;
    this.placeHeader();
    if (this.slotsOnAFreshPage() < 1) {
      throw new Error('the page has no room for a table row below the header');
    }
  }

  endTable(): void {
    this.inTable = false;
  }

  /**
   * Places the row where the last one ended. If it does not fit, the lines that fit stay on this page
   * and the rest continues on the next (a cut), or, without row breaks, the row moves to the next page
   * whole, unless it would not fit there either.
   */
  placeRow(row: FlowRow): void {
    for (;;) {
      const needed = this.slotsNeeded(row);
      const available = this.slotsAvailable();
      if (needed <= available) {
        this.placeRowFragment(row, needed);
        return;
      }
      const mayCut = this.settings.allowRowBreak || needed > this.slotsOnAFreshPage();
      if (available >= 1 && mayCut) {
        this.placeRowFragment(row, available);
        this.cutRows.push({ page: this.finished.length + 1, rowIndex: this.page.rows.length });
      }
      this.startNextPage();
    }
  }

  finish(): PageModel[] {
    this.finished.push(this.pageModel(this.page));
    return this.finished;
  }

  private newPage(): PageInProgress {
    return { lines: [], rows: [], y: this.settings.margin };
  }

  private startNextPage(): void {
    this.finished.push(this.pageModel(this.page));
    this.page = this.newPage();
    if (this.inTable && this.settings.repeatHeader) this.placeHeader();
  }

  private bottom(): number {
    return this.settings.pageHeight - this.settings.margin;
  }

  private placeHeader(): void {
    const areas = this.settings.header.map((text, col) => textArea(text, col, col, this.settings));
    const header: FlowRow = { ownAreas: areas, sharedAreas: [], endsSharedAreas: false };
    const needed = this.slotsNeeded(header);
    if (needed > this.slotsAvailable()) throw new Error('the header row does not fit on the page');
    this.placeRowFragment(header, needed, true);
    this.headerHeight = this.page.rows.at(-1)!.height;
  }

  private slotsNeeded(row: FlowRow): number {
    const sharedAreasToFinish = row.endsSharedAreas ? row.sharedAreas : [];
    return Math.max(1, ...[...row.ownAreas, ...sharedAreasToFinish].map(remainingLines));
  }

  private slotsAvailable(): number {
    const { lineHeight } = this.settings;
    return Math.floor((this.bottom() - this.page.y - 2 * CELL_PADDING + FIT_TOLERANCE) / lineHeight);
  }

  private slotsOnAFreshPage(): number {
    const { lineHeight, margin, repeatHeader } = this.settings;
    const headerHeight = repeatHeader ? this.headerHeight : 0;
    return Math.floor(
      (this.bottom() - margin - headerHeight - 2 * CELL_PADDING + FIT_TOLERANCE) / lineHeight,
    );
  }

  /** Places `slots` lines of the row: each of its areas draws its next lines, top-aligned. */
  private placeRowFragment(row: FlowRow, slots: number, header = false): void {
    const { lineHeight } = this.settings;
    const top = this.page.y;
    const columnCount = this.settings.columns.length;
    const placed: PlacedRow = {
      top,
      height: slots * lineHeight + 2 * CELL_PADDING,
      header,
      areaByColumn: [],
      linesByColumn: Array.from({ length: columnCount }, () => []),
    };
    for (const area of [...row.ownAreas, ...row.sharedAreas]) {
      for (let col = area.firstColumn; col <= area.lastColumn; col++) placed.areaByColumn[col] = area;
      const lines = area.lines.slice(area.placedLines, area.placedLines + slots);
      area.placedLines += lines.length;
      lines.forEach((line, slot) => {
        const slotTop = top + CELL_PADDING + slot * lineHeight;
        for (let col = area.firstColumn; col <= area.lastColumn; col++) {
          const lineInCell = this.lineModel(
            line.words.filter((word) => word.column === col),
            slotTop,
          );
          if (lineInCell) placed.linesByColumn[col]!.push(lineInCell);
        }
      });
    }
    this.page.rows.push(placed);
    this.page.y = top + placed.height;
  }

  /** The words as a line whose slot starts at `slotTop`; none for no words. */
  private lineModel(words: PositionedWord[], slotTop: number): LineModel | undefined {
    if (words.length === 0) return undefined;
    const { fontSize, lineHeight } = this.settings;
    const top = slotTop + (lineHeight - fontSize) / 2;
    return {
      words: words.map((word) => ({
        text: word.text,
        box: { left: word.left, top, width: word.width, height: fontSize },
      })),
    };
  }

  private pageModel(page: PageInProgress): PageModel {
    const { pageWidth, pageHeight } = this.settings;
    const tables = page.rows.length > 0 ? [this.tableModel(page.rows)] : [];
    return { width: pageWidth, height: pageHeight, lines: page.lines, tables };
  }

  /** One cell per grid position; every area that covers more than one position is a merged cell. */
  private tableModel(rows: PlacedRow[]): TableModel {
    const cells: CellModel[] = rows.flatMap((row, rowIndex) =>
      this.settings.columns.map((column, col): CellModel => {
        const box: Box = { left: column.left, top: row.top, width: column.width, height: row.height };
        return {
          row: rowIndex + 1,
          col: col + 1,
          box,
          lines: row.linesByColumn[col]!,
          columnHeader: row.header,
        };
      }),
    );
    const positionsByArea = new Map<TextArea, { row: number; col: number }[]>();
    rows.forEach((row, rowIndex) => {
      row.areaByColumn.forEach((area, col) => {
        const positions = positionsByArea.get(area) ?? [];
        positions.push({ row: rowIndex + 1, col: col + 1 });
        positionsByArea.set(area, positions);
      });
    });
    const merged: MergedCellModel[] = [...positionsByArea.values()]
      .filter((positions) => positions.length > 1)
      .map((positions) => {
        const rowNumbers = positions.map((position) => position.row);
        const colNumbers = positions.map((position) => position.col);
        const row = Math.min(...rowNumbers);
        const col = Math.min(...colNumbers);
        return {
          row,
          col,
          rowSpan: Math.max(...rowNumbers) - row + 1,
          colSpan: Math.max(...colNumbers) - col + 1,
        };
      });
    return { cells, merged };
  }
}

// ---------------------------------------------------------------------------------------------
// Well-formedness of generated responses

/**
 * What is wrong with a generated response's blocks (all responses of one document, concatenated),
 * as a list of readable problems; empty when the blocks are consistent: ids unique and resolving,
 * geometry within the page, LINE text equal to its words, every WORD in one LINE, each TABLE a
 * complete grid of non-overlapping CELLs whose words lie inside them, MERGED_CELLs covering exactly
 * their range.
 */
export function wellFormednessProblems(blocks: Block[]): string[] {
  const problems: string[] = [];
  const byId = new Map<string, Block>();
  for (const block of blocks) {
    if (!block.Id || byId.has(block.Id)) problems.push(`missing or duplicate id ${block.Id}`);
    else byId.set(block.Id, block);
  }
  const childrenOf = (block: Block, type = 'CHILD'): Block[] =>
    (block.Relationships ?? [])
      .filter((relationship) => relationship.Type === type)
      .flatMap((relationship) => relationship.Ids ?? [])
      .map((id) => byId.get(id))
      .filter((child): child is Block => child !== undefined);

  const parentCount = new Map<string, number>();
  for (const block of blocks) {
    for (const id of (block.Relationships ?? []).flatMap((relationship) => relationship.Ids ?? [])) {
      if (!byId.has(id)) problems.push(`${block.BlockType} ${block.Id} refers to missing block ${id}`);
      if (block.BlockType === 'LINE' || block.BlockType === 'PAGE')
        parentCount.set(id, (parentCount.get(id) ?? 0) + 1);
    }
    problems.push(...geometryProblems(block));
  }

  for (const block of blocks) {
    const where = `${block.BlockType} ${block.Id}`;
    switch (block.BlockType) {
      case 'LINE': {
        const words = childrenOf(block);
        if (words.some((word) => word.BlockType !== 'WORD'))
          problems.push(`${where} has children that are not WORDs`);
        const joined = words.map((word) => word.Text).join(' ');
        if (block.Text !== joined)
          problems.push(`${where} text ${JSON.stringify(block.Text)} ≠ its words ${JSON.stringify(joined)}`);
        break;
      }
      case 'WORD':
        if (parentCount.get(block.Id!) !== 1) problems.push(`${where} is not the child of exactly one LINE`);
        break;
      case 'TABLE':
        if (parentCount.get(block.Id!) !== 1) problems.push(`${where} is not the child of exactly one PAGE`);
        problems.push(...tableProblems(block, childrenOf));
        break;
      case 'PAGE':
        if (childrenOf(block).some((child) => child.BlockType !== 'LINE' && child.BlockType !== 'TABLE')) {
          problems.push(`${where} has children other than LINEs and TABLEs`);
        }
        break;
    }
  }
  return problems;
}

const RATIO_TOLERANCE = 1e-9;

function geometryProblems(block: Block): string[] {
  const box = block.Geometry?.BoundingBox;
  const polygon = block.Geometry?.Polygon ?? [];
  const where = `${block.BlockType} ${block.Id}`;
  if (
    !box ||
    box.Left === undefined ||
    box.Top === undefined ||
    box.Width === undefined ||
    box.Height === undefined
  ) {
    return [`${where} has no bounding box`];
  }
  const right = box.Left + box.Width;
  const bottom = box.Top + box.Height;
  const inUnitRange = [box.Left, box.Top, box.Width, box.Height, right, bottom].every(
    (value) => value >= -RATIO_TOLERANCE && value <= 1 + RATIO_TOLERANCE,
  );
  const corners = [
    [box.Left, box.Top],
    [right, box.Top],
    [right, bottom],
    [box.Left, bottom],
  ];
  const polygonMatches =
    polygon.length === 4 &&
    polygon.every(
      (point, index) =>
        Math.abs((point.X ?? Number.NaN) - corners[index]![0]!) < RATIO_TOLERANCE &&
        Math.abs((point.Y ?? Number.NaN) - corners[index]![1]!) < RATIO_TOLERANCE,
    );
  return [
    ...(inUnitRange ? [] : [`${where} bounding box is outside 0..1`]),
    ...(polygonMatches ? [] : [`${where} polygon is not the bounding box's corners clockwise from top-left`]),
  ];
}

function tableProblems(table: Block, childrenOf: (block: Block, type?: string) => Block[]): string[] {
  const problems: string[] = [];
  const where = `TABLE ${table.Id}`;
  const cells = childrenOf(table);
  const rows = Math.max(...cells.map((cell) => cell.RowIndex ?? 0));
  const columns = Math.max(...cells.map((cell) => cell.ColumnIndex ?? 0));
  const cellAt = new Map<string, Block[]>();
  for (const cell of cells) {
    const key = `${cell.RowIndex},${cell.ColumnIndex}`;
    cellAt.set(key, [...(cellAt.get(key) ?? []), cell]);
  }
  for (let row = 1; row <= rows; row++) {
    for (let col = 1; col <= columns; col++) {
      const count = cellAt.get(`${row},${col}`)?.length ?? 0;
      if (count !== 1) problems.push(`${where} has ${count} cells at (${row}, ${col})`);
    }
  }
  cells.forEach((cell, index) => {
    const cellWhere = `CELL (${cell.RowIndex}, ${cell.ColumnIndex}) of ${where}`;
    if (cell.BlockType !== 'CELL' || cell.RowSpan !== 1 || cell.ColumnSpan !== 1) {
      problems.push(`${cellWhere} is not a 1 × 1 CELL`);
    }
    for (const word of childrenOf(cell)) {
      if (word.BlockType !== 'WORD') problems.push(`${cellWhere} has a child that is not a WORD`);
      if (!boxInside(word, cell))
        problems.push(`${cellWhere} has word ${JSON.stringify(word.Text)} outside its box`);
    }
    for (const other of cells.slice(index + 1)) {
      if (boxesOverlap(cell, other)) {
        problems.push(`${cellWhere} overlaps CELL (${other.RowIndex}, ${other.ColumnIndex})`);
      }
    }
  });
  for (const merged of childrenOf(table, 'MERGED_CELL')) {
    const covered = cells.filter(
      (cell) =>
        cell.RowIndex! >= merged.RowIndex! &&
        cell.RowIndex! < merged.RowIndex! + merged.RowSpan! &&
        cell.ColumnIndex! >= merged.ColumnIndex! &&
        cell.ColumnIndex! < merged.ColumnIndex! + merged.ColumnSpan!,
    );
    const children = childrenOf(merged);
    const sameCells = children.length === covered.length && covered.every((cell) => children.includes(cell));
    if (merged.BlockType !== 'MERGED_CELL' || !sameCells) {
      problems.push(
        `MERGED_CELL (${merged.RowIndex}, ${merged.ColumnIndex}) of ${where} does not cover exactly its range`,
      );
    }
  }
  return problems;
}

function boxInside(inner: Block, outer: Block): boolean {
  const a = inner.Geometry!.BoundingBox!;
  const b = outer.Geometry!.BoundingBox!;
  return (
    a.Left! >= b.Left! - RATIO_TOLERANCE &&
    a.Top! >= b.Top! - RATIO_TOLERANCE &&
    a.Left! + a.Width! <= b.Left! + b.Width! + RATIO_TOLERANCE &&
    a.Top! + a.Height! <= b.Top! + b.Height! + RATIO_TOLERANCE
  );
}

function boxesOverlap(first: Block, second: Block): boolean {
  const a = first.Geometry!.BoundingBox!;
  const b = second.Geometry!.BoundingBox!;
  const overlapWidth = Math.min(a.Left! + a.Width!, b.Left! + b.Width!) - Math.max(a.Left!, b.Left!);
  const overlapHeight = Math.min(a.Top! + a.Height!, b.Top! + b.Height!) - Math.max(a.Top!, b.Top!);
  return overlapWidth > RATIO_TOLERANCE && overlapHeight > RATIO_TOLERANCE;
}
