/**
 * A table grid and the page's words → the table as the block builder takes it: one cell per grid
 * position holding the words whose centre lies in it, and the merged areas.
 *
 * Inside a merged area the grid's inner edges are not drawn, and text runs across them (a section
 * heading across column edges, an item's text down past its action rows' edges). Textract puts each
 * word in one CELL of the merged cell, inside that CELL's box; so here an inner edge of a merged area
 * is moved off any word it would cut, to the nearest gap between words or lines. A word that spills
 * over a drawn edge is clipped to its cell.
 */

import type { GridArea, TableGrid } from './pdf-rulings.ts';
import { clipWord, linesOf, type PdfWord } from './pdf-text.ts';
import type { Box, CellModel, TableModel } from './textract-block-builder.ts';

export interface PlacedTable {
  table: TableModel;
  /** The words now inside the table's cells; the rest of the page's words are not. */
  placed: Set<PdfWord>;
}

export function tableModelOf(grid: TableGrid, words: readonly PdfWord[]): PlacedTable {
  const { xs, ys } = grid;
  const rows = ys.length - 1;
  const columns = xs.length - 1;
  const inside = words.filter((word) => {
    const { x, y } = centreOf(word.box);
    return x >= xs[0]! && x <= xs[columns]! && y >= ys[0]! && y <= ys[rows]!;
  });

  const areaAt: (GridArea | null)[] = new Array(rows * columns).fill(null);
  for (const area of grid.merged) {
    for (let row = area.row; row < area.row + area.rowSpan; row++) {
      for (let col = area.col; col < area.col + area.colSpan; col++) areaAt[row * columns + col] = area;
    }
  }
  const boxes: Box[] = [];
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < columns; col++) boxes.push(boxOf(xs[col]!, ys[row]!, xs[col + 1]!, ys[row + 1]!));
  }

  const wordsByPosition: PdfWord[][] = Array.from({ length: rows * columns }, () => []);
  const positionOf = (word: PdfWord) => {
    const { x, y } = centreOf(word.box);
    return { row: cellIndexOf(ys, y, rows), col: cellIndexOf(xs, x, columns) };
  };
  const byArea = new Map<GridArea, PdfWord[]>();
  for (const word of inside) {
    const { row, col } = positionOf(word);
    const area = areaAt[row * columns + col];
    if (!area) wordsByPosition[row * columns + col]!.push(word);
    else if (byArea.has(area)) byArea.get(area)!.push(word);
    else byArea.set(area, [word]);
  }
  for (const area of grid.merged) {
    placeInMergedArea(area, byArea.get(area) ?? [], grid, boxes, wordsByPosition);
  }

  const cells: CellModel[] = [];
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < columns; col++) {
      const index = row * columns + col;
      const box = boxes[index]!;
      const cellWords = wordsByPosition[index]!.map((word) => clipWord(word, box));
      cells.push({ row: row + 1, col: col + 1, box, lines: linesOf(cellWords) });
    }
  }
  const merged = grid.merged.map((area) => ({
    row: area.row + 1,
    col: area.col + 1,
    rowSpan: area.rowSpan,
    colSpan: area.colSpan,
  }));
  return { table: { cells, merged }, placed: new Set(inside) };
}

/** Splits a merged area into its positions along edges that cut no word, and files its words. */
function placeInMergedArea(
  area: GridArea,
  words: PdfWord[],
  grid: TableGrid,
  boxes: Box[],
  wordsByPosition: PdfWord[][],
): void {
  const columns = grid.xs.length - 1;
  const xs = freeEdges(
    grid.xs.slice(area.col, area.col + area.colSpan + 1),
    words.map((w) => [w.box.left, w.box.left + w.box.width]),
  );
  const ys = freeEdges(
    grid.ys.slice(area.row, area.row + area.rowSpan + 1),
    words.map((w) => [w.box.top, w.box.top + w.box.height]),
  );
  for (let r = 0; r < area.rowSpan; r++) {
    for (let c = 0; c < area.colSpan; c++) {
      boxes[(area.row + r) * columns + area.col + c] = boxOf(xs[c]!, ys[r]!, xs[c + 1]!, ys[r + 1]!);
    }
  }
  for (const word of words) {
    const { x, y } = centreOf(word.box);
    const r = cellIndexOf(ys, y, area.rowSpan);
    const c = cellIndexOf(xs, x, area.colSpan);
    wordsByPosition[(area.row + r) * columns + area.col + c]!.push(word);
  }
}

/**
 * Inner edges moved to the nearest end of the run of overlapping spans that would cut them, keeping
 * the edges in order; an edge that cannot move stays.
 */
export function freeEdges(edges: readonly number[], spans: readonly [number, number][]): number[] {
  const runs = mergedSpans(spans);
  const result = [...edges];
  for (let i = 1; i < edges.length - 1; i++) {
    const edge = edges[i]!;
    const run = runs.find(([from, to]) => from < edge && edge < to);
    if (!run) continue;
    const low = result[i - 1]!;
    const high = edges[i + 1]!;
    const candidates = run
      .filter((end) => end > low && end < high)
      .sort((a, b) => Math.abs(a - edge) - Math.abs(b - edge));
    if (candidates[0] !== undefined) result[i] = candidates[0];
  }
  return result;
}

function mergedSpans(spans: readonly [number, number][]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const runs: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = runs.at(-1);
    if (last && from < last[1]) last[1] = Math.max(last[1], to);
    else runs.push([from, to]);
  }
  return runs;
}

/** Which of the `count` cells between `edges` holds `value` (the first or last when it lies outside). */
function cellIndexOf(edges: readonly number[], value: number, count: number): number {
  let index = 0;
  while (index < count - 1 && value >= edges[index + 1]!) index++;
  return index;
}

function centreOf(box: Box): { x: number; y: number } {
  return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
}

function boxOf(left: number, top: number, right: number, bottom: number): Box {
  return { left, top, width: right - left, height: bottom - top };
}
