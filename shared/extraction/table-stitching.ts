import { joinWrapped } from '../domain/text.ts';
import type { GridCell, PageTable, TextractDocument } from './textract-document.ts';

/**
 * Page tables → logical tables. A table that goes on over a page break comes back from Textract as
 * one table per page; here they are stitched into one, the header row that Word repeats on every
 * page is dropped, and a row that the page break cut in two is joined again cell by cell.
 */

export interface SourceRow {
  page: number;
  /** 1-based row index in that page's table. */
  row: number;
}

export interface TableRow {
  cells: string[];
  /** Where the row was printed; two entries when a page break cut it in two. */
  sources: SourceRow[];
  /** True when only the first cell carries text and it spans the table (a section row). */
  spansAllColumns: boolean;
}

export interface StitchedTable {
  header: string[];
  rows: TableRow[];
  columnCount: number;
  /** Pages the table is printed on, in order. */
  pages: number[];
  /** The page table it starts with (for the text printed above it) and the one it ends with. */
  first: PageTable;
  last: PageTable;
}

export function stitchTables(document: TextractDocument): StitchedTable[] {
  const pageTables = document.pages.flatMap((page) => page.tables);
  const bottomLimit = contentBottom(pageTables);
  const stitched: StitchedTable[] = [];
  let open: { table: StitchedTable; last: PageTable; rowCells: GridCell[][] } | null = null;

  for (const pageTable of pageTables) {
    const headerRows = countHeaderRows(pageTable);
    const header = headerText(pageTable, headerRows);
    const continues =
      open !== null &&
      pageTable.page > open.last.page &&
      isFirstTableOnPage(pageTable) &&
      pageTable.columnCount === open.table.columnCount &&
      (headerRows === 0 || sameHeader(header, open.table.header) || columnsAlign(pageTable, open.last));

    if (open && continues) {
      const repeated = headerRows > 0 && sameHeader(header, open.table.header) ? headerRows : 0;
      const implicitHeader = headerRows === 0 ? repeatedHeaderRowCount(pageTable, open.table.header) : 0;
      appendContinuation(open, pageTable, repeated + implicitHeader, bottomLimit);
      open.last = pageTable;
      open.table.last = pageTable;
      open.table.pages.push(pageTable.page);
      continue;
    }

    const bodyStart = Math.max(headerRows, 1);
    const table: StitchedTable = {
      header: headerRows > 0 ? header : headerText(pageTable, 1),
      rows: [],
      columnCount: pageTable.columnCount,
      pages: [pageTable.page],
      first: pageTable,
      last: pageTable,
    };
    const rowCells = pageTable.rows.slice(bodyStart);
    table.rows.push(...rowCells.map((cells) => toTableRow(pageTable, cells)));
    stitched.push(table);
    open = { table, last: pageTable, rowCells };
  }
  return stitched;
}

function toTableRow(table: PageTable, cells: GridCell[]): TableRow {
  const first = cells[0];
  const spansAllColumns =
    table.columnCount > 1 &&
    first !== undefined &&
    first.merge !== null &&
    first.merge.colSpan >= table.columnCount &&
    first.merge.row === first.row;
  return {
    cells: cells.map((cell) => cell.text),
    sources: [{ page: table.page, row: first?.row ?? 0 }],
    spansAllColumns,
  };
}

/** Leading rows marked COLUMN_HEADER by Textract. */
function countHeaderRows(table: PageTable): number {
  let count = 0;
  for (const row of table.rows) {
    if (
      row.length > 0 &&
      row.some((cell) => cell.columnHeader) &&
      row.every((c) => c.columnHeader || !c.text)
    ) {
      count++;
    } else {
      break;
    }
  }
  return count;
}

function headerText(table: PageTable, headerRows: number): string[] {
  return Array.from({ length: table.columnCount }, (_, c) =>
    table.rows
      .slice(0, headerRows)
      .map((row) => row[c]?.text ?? '')
      .filter(Boolean)
      .join(' '),
  );
}

function normaliseHeader(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function sameHeader(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((cell, i) => normaliseHeader(cell) === normaliseHeader(b[i] ?? ''));
}

/** Without Textract's header marks, the first rows may still repeat the header's text. */
function repeatedHeaderRowCount(table: PageTable, header: readonly string[]): number {
  for (let rows = 1; rows <= Math.min(3, table.rowCount); rows++) {
    if (sameHeader(headerText(table, rows), header)) return rows;
  }
  return 0;
}

function isFirstTableOnPage(table: PageTable): boolean {
  return table.indexOnPage === 0;
}

/** Column boundaries within 2 % of the page width of each other. */
function columnsAlign(a: PageTable, b: PageTable): boolean {
  const edges = (table: PageTable) => table.rows[0]?.map((cell) => cell.box.left) ?? [];
  const left = edges(a);
  const right = edges(b);
  return left.length === right.length && left.every((x, i) => Math.abs(x - (right[i] ?? -1)) < 0.02);
}

/** The lowest point any table reaches on any page: where the page's printable area ends. */
function contentBottom(tables: readonly PageTable[]): number {
  return tables.reduce((bottom, table) => Math.max(bottom, table.box.bottom), 0);
}

function appendContinuation(
  open: { table: StitchedTable; last: PageTable; rowCells: GridCell[][] },
  pageTable: PageTable,
  skipRows: number,
  bottomLimit: number,
): void {
  const rowCells = pageTable.rows.slice(skipRows);
  const rows = rowCells.map((cells) => toTableRow(pageTable, cells));
  const [first, ...rest] = rows;
  const firstCells = rowCells[0];
  const previousCells = open.rowCells.at(-1);
  const previousRow = open.table.rows.at(-1);
  if (!first || !firstCells || !previousCells || !previousRow) {
    open.table.rows.push(...rows);
    open.rowCells.push(...rowCells);
    return;
  }

  const carried = carryMergeContinuations(open, previousCells, firstCells, first, bottomLimit);
  if (isRowCut(open.last, previousCells, pageTable, first, carried, bottomLimit)) {
    joinRows(previousRow, first);
    // The joined row now ends on this page: its cells here are the reference for the next break.
    open.rowCells[open.rowCells.length - 1] = firstCells;
  } else if (first.cells.some(Boolean)) {
    open.table.rows.push(first);
    open.rowCells.push(firstCells);
  }
  // Otherwise only merged-cell text went on over the break, and it now sits in the row it belongs to.
  open.table.rows.push(...rest);
  open.rowCells.push(...rowCells.slice(1));
}

/**
 * A cell merged down across rows (an item's ref, text and decision beside its action rows) may go on
 * over the page break. Its text on the new page belongs to the merged cell above the break, whatever
 * happens to the row beside it. Returns the columns whose text was carried up.
 */
function carryMergeContinuations(
  open: { table: StitchedTable; rowCells: GridCell[][] },
  previousCells: GridCell[],
  firstCells: GridCell[],
  firstRow: TableRow,
  bottomLimit: number,
): Set<number> {
  const carried = new Set<number>();
  if (firstRow.cells[0]) return carried;
  firstCells.forEach((cell, c) => {
    const above = previousCells[c];
    if (!cell.text || !above?.merge || above.merge.rowSpan < 2) return;
    if (above.merge.colSpan > 1) return;
    const originRowIndex = findMergeOriginRow(open.rowCells, c, above);
    if (originRowIndex === -1) return;
    const origin = open.rowCells[originRowIndex]![c]!;
    if (!reachesBottom(origin, bottomLimit)) return;
    const originRow = open.table.rows[originRowIndex]!;
    originRow.cells[c] = joinCellText(originRow.cells[c] ?? '', cell.text);
    firstRow.cells[c] = '';
    carried.add(c);
  });
  return carried;
}

function findMergeOriginRow(rowCells: GridCell[][], column: number, covered: GridCell): number {
  for (let r = rowCells.length - 1; r >= 0; r--) {
    const cell = rowCells[r]?.[column];
    if (cell && cell.merge === covered.merge && cell.row === covered.merge?.row) return r;
  }
  return -1;
}

/**
 * Whether the first row on the new page is the second half of the last row on the page before.
 *
 * Geometry decides: the row above the break must run down to the bottom of the printable area (a row
 * that fits is never cut, and a row that is not allowed to break leaves a gap), and in every column
 * where the new row has text, the cell above must hold text running to its bottom edge. Text is
 * top-aligned, so a cell that stopped early was complete, and new text beside it (an owner or a
 * target of its own, say) starts a new row. When the cells above are full to the bottom and nothing
 * says otherwise, the row was cut: in real plans a cut at the foot of a page is far more common than
 * a new action row with neither owner nor target that happens to start the page.
 */
function isRowCut(
  previousTable: PageTable,
  previousCells: GridCell[],
  pageTable: PageTable,
  firstRow: TableRow,
  carried: Set<number>,
  bottomLimit: number,
): boolean {
  if (firstRow.spansAllColumns) return false;
  if (firstRow.cells[0]) return false;
  const lineHeight = previousTable.lineHeight || pageTable.lineHeight || 0.015;
  const rowBottom = Math.max(...previousCells.map((cell) => cell.box.bottom));
  if (rowBottom < bottomLimit - 1.5 * lineHeight) return false;

  const columns: { above: GridCell; text: string }[] = [];
  for (let c = 0; c < firstRow.cells.length; c++) {
    const text = firstRow.cells[c];
    if (!text || carried.has(c)) continue;
    const above = originOf(previousCells[c]!, previousCells);
    if (!above?.text || !reachesBottom(above, bottomLimit, lineHeight)) return false;
    columns.push({ above, text });
  }
  if (columns.length === 0) return false;
  // Text in several columns goes on only if each cell above is more than one finished line: a
  // one-line row whose every cell happens to touch the page foot is a whole row, not half of one.
  return (
    columns.length === 1 ||
    columns.every(({ above, text }) => above.lineCount > 1 || textFlowsOn(above.text, text))
  );
}

const CLOSING_PUNCTUATION = /[.!?;)\]"'’”]$/;

/** Whether text reads on from one cell into the next: no closing punctuation, or a lower-case start. */
export function textFlowsOn(before: string, after: string): boolean {
  const start = after.trimStart();
  if (/^[\p{Ll},;:)\]]/u.test(start)) return true;
  if (/^[•●▪■◦‣⁃]/.test(start)) return false;
  return !CLOSING_PUNCTUATION.test(before.trimEnd());
}

/** The cell holding the text shown at this position: itself, or the start of a merge along its row. */
function originOf(cell: GridCell, rowCells: GridCell[]): GridCell | null {
  const merge = cell.merge;
  if (!merge || (merge.row === cell.row && merge.col === cell.col)) return cell;
  return merge.row === cell.row ? (rowCells[merge.col - 1] ?? null) : null;
}

/** The cell's text runs to within about a line of the cell's bottom edge (or the printable area's). */
function reachesBottom(cell: GridCell, bottomLimit: number, lineHeight = 0.015): boolean {
  if (cell.textBottom === null) return false;
  const cellBottom = Math.min(cell.box.bottom, bottomLimit);
  return cellBottom - cell.textBottom < 1.5 * lineHeight;
}

function joinRows(target: TableRow, continuation: TableRow): void {
  target.cells = target.cells.map((text, c) => joinCellText(text, continuation.cells[c] ?? ''));
  target.sources.push(...continuation.sources);
}

function joinCellText(before: string, after: string): string {
  if (/^\s*[•●▪■◦‣⁃]/.test(after) && before) return `${before}\n${after}`;
  return joinWrapped(before, after);
}
