/**
 * Ruling segments → table grids. Segments are merged into lines (a border drawn twice, or in pieces,
 * is one line); lines that touch form a table; its vertical lines give the column edges and its
 * horizontal lines the row edges. Where a line is missing between two grid positions, they are one
 * cell: no vertical line inside a row joins cells across columns (a section row spanning the table),
 * no horizontal line inside a column joins cells down rows (an item's cells beside its action rows).
 */
import type { RuleSegment } from './pdf-page-content.ts';

/** A rectangle of grid positions drawn as one cell; 0-based, covering more than one position. */
export interface GridArea {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
}

/** A table's grid in page points: column edges left to right, row edges top to bottom. */
export interface TableGrid {
  xs: number[];
  ys: number[];
  merged: GridArea[];
}

/** Rule segments within this distance across are one line; so are edges within it along (points). */
const POSITION_TOLERANCE = 1.5;
/** Pieces of one line with gaps up to this are joined; lines this close to touching do touch. */
const JOIN_TOLERANCE = 2;
/** A line separates two grid positions when it runs along at least this share of their edge. */
const EDGE_COVERAGE = 0.5;

export interface RuleLine {
  position: number;
  from: number;
  to: number;
}

/** Merges overlapping, touching and doubled segments of one orientation into lines. */
export function mergeRules(segments: readonly RuleSegment[]): RuleLine[] {
  const sorted = [...segments].sort((a, b) => a.position - b.position);
  const clusters: RuleSegment[][] = [];
  for (const segment of sorted) {
    const cluster = clusters.at(-1);
    if (cluster && segment.position - cluster[0]!.position <= POSITION_TOLERANCE) cluster.push(segment);
    else clusters.push([segment]);
  }
  const lines: RuleLine[] = [];
  for (const cluster of clusters) {
    const position = cluster.reduce((sum, s) => sum + s.position, 0) / cluster.length;
    cluster.sort((a, b) => a.from - b.from);
    let line: RuleLine | null = null;
    for (const segment of cluster) {
      if (line && segment.from <= line.to + JOIN_TOLERANCE) {
        line.to = Math.max(line.to, segment.to);
      } else {
        line = { position, from: segment.from, to: segment.to };
        lines.push(line);
      }
    }
  }
  return lines;
}

/** Every ruled table on the page: groups of touching lines that make a grid of at least two cells. */
export function findRuledGrids(rules: readonly RuleSegment[]): TableGrid[] {
  const horizontals = mergeRules(rules.filter((r) => r.orientation === 'horizontal'));
  const verticals = mergeRules(rules.filter((r) => r.orientation === 'vertical'));
  const grids: TableGrid[] = [];
  for (const { horizontal, vertical } of touchingGroups(horizontals, verticals)) {
    if (horizontal.length < 2 || vertical.length < 2) continue;
    const grid = gridOf(horizontal, vertical);
    if (grid && (grid.xs.length - 1) * (grid.ys.length - 1) - coveredByMerges(grid.merged) >= 2) {
      grids.push(grid);
    }
  }
  return grids.sort((a, b) => a.ys[0]! - b.ys[0]! || a.xs[0]! - b.xs[0]!);
}

/** Positions that merged areas hide (all but each area's first). */
function coveredByMerges(merged: readonly GridArea[]): number {
  return merged.reduce((sum, area) => sum + area.rowSpan * area.colSpan - 1, 0);
}

function touches(horizontal: RuleLine, vertical: RuleLine): boolean {
  return (
    vertical.position >= horizontal.from - JOIN_TOLERANCE &&
    vertical.position <= horizontal.to + JOIN_TOLERANCE &&
    horizontal.position >= vertical.from - JOIN_TOLERANCE &&
    horizontal.position <= vertical.to + JOIN_TOLERANCE
  );
}

function touchingGroups(
  horizontals: RuleLine[],
  verticals: RuleLine[],
): { horizontal: RuleLine[]; vertical: RuleLine[] }[] {
  const parent = Array.from({ length: horizontals.length + verticals.length }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  horizontals.forEach((h, i) => {
    verticals.forEach((v, j) => {
      if (touches(h, v)) parent[find(i)] = find(horizontals.length + j);
    });
  });
  const groups = new Map<number, { horizontal: RuleLine[]; vertical: RuleLine[] }>();
  const groupOf = (i: number) => {
    const root = find(i);
    let group = groups.get(root);
    if (!group) {
      group = { horizontal: [], vertical: [] };
      groups.set(root, group);
    }
    return group;
  };
  horizontals.forEach((h, i) => {
    groupOf(i).horizontal.push(h);
  });
  verticals.forEach((v, j) => {
    groupOf(horizontals.length + j).vertical.push(v);
  });
  return [...groups.values()];
}

/**
 * The grid of one group of lines. Column edges are the vertical lines' positions, plus the ends of
 * the horizontal lines where no vertical line closes the table (tables drawn without outer borders);
 * row edges likewise. An edge no line separates anywhere is dropped.
 */
function gridOf(horizontal: RuleLine[], vertical: RuleLine[]): TableGrid | null {
  const xs = edgesOf(
    vertical.map((v) => v.position),
    Math.min(...horizontal.map((h) => h.from)),
    Math.max(...horizontal.map((h) => h.to)),
  );
  const ys = edgesOf(
    horizontal.map((h) => h.position),
    Math.min(...vertical.map((v) => v.from)),
    Math.max(...vertical.map((v) => v.to)),
  );
  const separates = (lines: RuleLine[], position: number, from: number, to: number) =>
    lines.some(
      (line) =>
        Math.abs(line.position - position) <= POSITION_TOLERANCE &&
        Math.min(line.to, to) - Math.max(line.from, from) >= EDGE_COVERAGE * (to - from),
    );
  return gridFromSeparators(
    xs,
    ys,
    (row, col) => separates(vertical, xs[col]!, ys[row]!, ys[row + 1]!),
    (row, col) => separates(horizontal, ys[row]!, xs[col]!, xs[col + 1]!),
  );
}

/** Line positions clustered into edges, with the outer extent added where no line marks it. */
function edgesOf(positions: number[], extentFrom: number, extentTo: number): number[] {
  const sorted = [...positions].sort((a, b) => a - b);
  if (extentFrom < sorted[0]! - JOIN_TOLERANCE) sorted.unshift(extentFrom);
  if (extentTo > sorted.at(-1)! + JOIN_TOLERANCE) sorted.push(extentTo);
  const edges: number[][] = [];
  for (const position of sorted) {
    const cluster = edges.at(-1);
    if (cluster && position - cluster[0]! <= JOIN_TOLERANCE) cluster.push(position);
    else edges.push([position]);
  }
  return edges.map((cluster) => cluster.reduce((sum, p) => sum + p, 0) / cluster.length);
}

/**
 * A grid from its edges and two tests: whether the vertical edge on the left of (row, col) is drawn
 * (col ≥ 1), and whether the horizontal edge above (row, col) is drawn (row ≥ 1). Edges drawn
 * nowhere are dropped; positions not separated are merged, each merge grown to a rectangle.
 */
export function gridFromSeparators(
  xs: number[],
  ys: number[],
  verticalDrawn: (row: number, col: number) => boolean,
  horizontalDrawn: (row: number, col: number) => boolean,
): TableGrid | null {
  let columnEdges = xs.map((_, i) => i);
  let rowEdges = ys.map((_, i) => i);
  // Drop inner edges that separate nothing, testing against the original grid's positions.
  const rowsBetween = (top: number, bottom: number) => range(top, bottom);
  const colsBetween = (left: number, right: number) => range(left, right);
  columnEdges = columnEdges.filter(
    (edge, i) =>
      i === 0 ||
      i === columnEdges.length - 1 ||
      rowsBetween(0, ys.length - 1).some((row) => verticalDrawn(row, edge)),
  );
  rowEdges = rowEdges.filter(
    (edge, i) =>
      i === 0 ||
      i === rowEdges.length - 1 ||
      colsBetween(0, xs.length - 1).some((col) => horizontalDrawn(edge, col)),
  );
  const columns = columnEdges.length - 1;
  const rows = rowEdges.length - 1;
  if (columns < 1 || rows < 1) return null;

  // In the reduced grid, an edge is drawn if it is drawn along most of the original positions it spans.
  const verticalBetween = (row: number, col: number) => {
    const originalRows = rowsBetween(rowEdges[row]!, rowEdges[row + 1]!);
    return originalRows.filter((r) => verticalDrawn(r, columnEdges[col]!)).length * 2 >= originalRows.length;
  };
  const horizontalBetween = (row: number, col: number) => {
    const originalCols = colsBetween(columnEdges[col]!, columnEdges[col + 1]!);
    return originalCols.filter((c) => horizontalDrawn(rowEdges[row]!, c)).length * 2 >= originalCols.length;
  };

  const parent = Array.from({ length: rows * columns }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const union = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < columns; col++) {
      if (col > 0 && !verticalBetween(row, col)) union(row * columns + col, row * columns + col - 1);
      if (row > 0 && !horizontalBetween(row, col)) union(row * columns + col, (row - 1) * columns + col);
    }
  }
  const merged = rectangularAreas(rows, columns, find, union);
  return {
    xs: columnEdges.map((edge) => xs[edge]!),
    ys: rowEdges.map((edge) => ys[edge]!),
    merged,
  };
}

/** Grows every group of positions to its bounding rectangle, joining groups it overlaps, until stable. */
function rectangularAreas(
  rows: number,
  columns: number,
  find: (i: number) => number,
  union: (a: number, b: number) => void,
): GridArea[] {
  for (;;) {
    const bounds = new Map<number, GridArea & { bottom: number; right: number }>();
    for (let row = 0; row < rows; row++) {
      for (let col = 0; col < columns; col++) {
        const root = find(row * columns + col);
        const area = bounds.get(root);
        if (!area) bounds.set(root, { row, col, rowSpan: 1, colSpan: 1, bottom: row, right: col });
        else {
          area.row = Math.min(area.row, row);
          area.col = Math.min(area.col, col);
          area.bottom = Math.max(area.bottom, row);
          area.right = Math.max(area.right, col);
        }
      }
    }
    let grew = false;
    for (const [root, area] of bounds) {
      for (let row = area.row; row <= area.bottom; row++) {
        for (let col = area.col; col <= area.right; col++) {
          if (find(row * columns + col) !== find(root)) {
            union(row * columns + col, root);
            grew = true;
          }
        }
      }
    }
    if (!grew) {
      return [...bounds.values()]
        .map(({ row, col, bottom, right }) => ({
          row,
          col,
          rowSpan: bottom - row + 1,
          colSpan: right - col + 1,
        }))
        .filter((area) => area.rowSpan * area.colSpan > 1)
        .sort((a, b) => a.row - b.row || a.col - b.col);
    }
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
