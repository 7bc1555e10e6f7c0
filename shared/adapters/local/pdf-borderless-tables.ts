/**
 * Tables drawn without vertical lines, where the columns show only in how the text lines up: they
 * start where runs of text start, at the same x, row after row, and a run that crosses a column edge
 * (a section heading) merges the cells it crosses and the empty ones after it.
 *
 * With horizontal rules, the rules give the rows; a rule left out across some columns merges those
 * cells down, as in a ruled grid. With no rules at all (tried only on a page with no other table), a
 * row starts where a column's text starts after a gap wider than its lines are spaced: a new item in
 * the first column, a new action in the response column. A column whose text runs on across such a
 * row edge, line after line, is one cell merged down (an item's text beside its action rows).
 */
import { median } from '../../domain/statistics.ts';
import type { RuleSegment } from './pdf-page-content.ts';
import { gridFromSeparators, mergeRules, type RuleLine, type TableGrid } from './pdf-rulings.ts';
import { boxOfWords, linesOf, type PdfWord } from './pdf-text.ts';

/** Rules shorter than this are not table rules (points). */
const MIN_TABLE_WIDTH = 100;
/** Rules whose ends lie within this of each other span the same table (points). */
const EXTENT_TOLERANCE = 2;
/** Words further apart than this (× font size) on one line are separate runs: different cells. */
const RUN_GAP = 0.8;
/** Runs starting within this of each other start in the same column (points). */
const START_TOLERANCE = 1.5;
/** A column start must be seen in at least this many rows (or in the header row). */
const MIN_START_SUPPORT = 3;
/** A table without any rules needs at least this many columns, to tell it from indented prose. */
const MIN_UNRULED_COLUMNS = 3;
/** In a column, text further below the text above than this × the usual line spacing starts a row. */
const ROW_GAP = 1.4;

interface Run {
  left: number;
  right: number;
  top: number;
  bottom: number;
  baseline: number;
  /** Font size in points. */
  size: number;
  /** Index of the row (between two rules, or the text line when there are none) the run lies in. */
  row: number;
}

export function findBorderlessGrids(
  words: readonly PdfWord[],
  rules: readonly RuleSegment[],
  ruledGrids: readonly TableGrid[],
): TableGrid[] {
  const insideRuledGrid = (line: RuleLine) =>
    ruledGrids.some(
      (grid) =>
        line.position >= grid.ys[0]! - EXTENT_TOLERANCE &&
        line.position <= grid.ys.at(-1)! + EXTENT_TOLERANCE &&
        line.from >= grid.xs[0]! - EXTENT_TOLERANCE &&
        line.to <= grid.xs.at(-1)! + EXTENT_TOLERANCE,
    );
  const horizontals = mergeRules(rules.filter((rule) => rule.orientation === 'horizontal')).filter(
    (line) => !insideRuledGrid(line),
  );
  const grids: TableGrid[] = [];
  for (const band of ruledBands(horizontals)) {
    const grid = gridOfBand(band, words);
    if (grid) grids.push(grid);
  }
  if (grids.length === 0 && ruledGrids.length === 0) {
    const grid = unruledGrid(words);
    if (grid) grids.push(grid);
  }
  return grids;
}

interface Band {
  from: number;
  to: number;
  /** Every rule across the band, top to bottom, full width or not. */
  rules: RuleLine[];
}

/**
 * Runs of table-wide rules of the same extent, top to bottom, with the shorter rules between them
 * that lie within that extent (rules left out across merged cells), widest first.
 */
function ruledBands(horizontals: RuleLine[]): Band[] {
  const sorted = [...horizontals].sort((a, b) => a.position - b.position);
  const bands: Band[] = [];
  for (const line of sorted) {
    if (line.to - line.from < MIN_TABLE_WIDTH) continue;
    const band = bands.find(
      (b) => Math.abs(b.from - line.from) <= EXTENT_TOLERANCE && Math.abs(b.to - line.to) <= EXTENT_TOLERANCE,
    );
    if (band) band.rules.push(line);
    else bands.push({ from: line.from, to: line.to, rules: [line] });
  }
  const tables = bands
    .filter((band) => band.rules.length >= 2)
    .sort((a, b) => b.to - b.from - (a.to - a.from))
    .map((band) => {
      const top = band.rules[0]!.position;
      const bottom = band.rules.at(-1)!.position;
      const within = sorted.filter(
        (line) =>
          line.position >= top &&
          line.position <= bottom &&
          line.from >= band.from - EXTENT_TOLERANCE &&
          line.to <= band.to + EXTENT_TOLERANCE,
      );
      return { ...band, rules: within };
    });
  // Shorter rules inside a wider table are its inner rules, not a table of their own.
  return tables.filter(
    (band, i) => !tables.slice(0, i).some((wider) => band.rules.every((rule) => wider.rules.includes(rule))),
  );
}

function gridOfBand(band: Band, words: readonly PdfWord[]): TableGrid | null {
  const ys = distinct(band.rules.map((rule) => rule.position));
  if (ys.length < 3) return null;
  const rowOf = (y: number) => ys.findIndex((edge, i) => i > 0 && y <= edge) - 1;
  const bandWords = words.filter((word) => {
    const x = word.box.left + word.box.width / 2;
    const y = word.box.top + word.box.height / 2;
    return x >= band.from && x <= band.to && y >= ys[0]! && y <= ys.at(-1)!;
  });
  const runs = runsOf(bandWords, (word) => rowOf(word.box.top + word.box.height / 2));
  const starts = columnStarts(runs, Math.min(...runs.map((run) => run.row)));
  if (starts.length < 2) return null;
  const xs = columnEdges(runs, starts, band.from, band.to);
  const ruleCovers = (y: number, from: number, to: number) =>
    band.rules.some(
      (rule) =>
        Math.abs(rule.position - y) <= EXTENT_TOLERANCE &&
        Math.min(rule.to, to) - Math.max(rule.from, from) >= 0.5 * (to - from),
    );
  return gridFromSeparators(xs, ys, verticalSeparator(runs, xs, ys.length - 1), (row, col) =>
    ruleCovers(ys[row]!, xs[col]!, xs[col + 1]!),
  );
}

/** A table with no rules: see the module comment. */
function unruledGrid(words: readonly PdfWord[]): TableGrid | null {
  const table = unruledTableRuns(words);
  if (!table) return null;
  const { runs, starts, lineSpacing } = table;
  const left = Math.min(...runs.map((run) => run.left)) - START_TOLERANCE;
  const right = Math.max(...runs.map((run) => run.right)) + START_TOLERANCE;
  const xs = columnEdges(runs, starts, left, right);

  // Per column, blocks of text lines spaced as lines of one cell; a block's top starts a row.
  const columnOf = (run: Run) => Math.max(0, xs.findIndex((x, i) => i > 0 && run.left < x) - 1);
  const blocks = xs.slice(1).map((_, col) => {
    const columnBlocks: Run[][] = [];
    const column = runs.filter((run) => columnOf(run) === col).sort((a, b) => a.baseline - b.baseline);
    for (const run of column) {
      const block = columnBlocks.at(-1);
      if (block && run.baseline - block.at(-1)!.baseline <= ROW_GAP * lineSpacing) block.push(run);
      else columnBlocks.push([run]);
    }
    return columnBlocks;
  });
  const top = Math.min(...runs.map((run) => run.top)) - START_TOLERANCE;
  const bottom = Math.max(...runs.map((run) => run.bottom)) + START_TOLERANCE;
  const rowStarts = blocks
    .flat()
    .map((block) => Math.min(...block.map((run) => run.top)) - START_TOLERANCE / 2);
  const ys = [top, ...distinct(rowStarts.filter((y) => y > top + EXTENT_TOLERANCE)), bottom];
  const rowOf = (run: Run) =>
    Math.max(0, ys.findIndex((y, i) => i > 0 && (run.top + run.bottom) / 2 < y) - 1);
  const rowRuns = runs.map((run) => ({ ...run, row: rowOf(run) }));
  const runsAcross = (column: number, y: number) =>
    blocks[column]!.some((block) => block[0]!.top < y && block.at(-1)!.bottom > y);
  return gridFromSeparators(
    xs,
    ys,
    verticalSeparator(rowRuns, xs, ys.length - 1),
    (row, col) => !runsAcross(col, ys[row]!),
  );
}

/**
 * The runs of an unruled table, with its column starts: from the first to the last line with text in
 * a column other than the first, and the first-column lines that follow a row apart (a section heading
 * at the foot of the page). Its columns are found again from its own lines, without the text around it.
 */
function unruledTableRuns(
  words: readonly PdfWord[],
): { runs: Run[]; starts: number[]; lineSpacing: number } | null {
  const baselines = distinct(words.map((word) => word.baseline));
  const allRuns = runsOf([...words], (word) =>
    baselines.findIndex((b) => b >= word.baseline - EXTENT_TOLERANCE),
  );
  const pageStarts = columnStarts(allRuns, null);
  if (pageStarts.length < MIN_UNRULED_COLUMNS) return null;

  const inLaterColumn = (run: Run) =>
    pageStarts.slice(1).some((start) => Math.abs(run.left - start) <= START_TOLERANCE);
  const tableLines = allRuns.filter(inLaterColumn).map((run) => run.row);
  const firstLine = Math.min(...tableLines);
  let lastLine = Math.max(...tableLines);
  const lineSpacing = medianLineSpacing(allRuns.filter((run) => run.row >= firstLine && run.row <= lastLine));
  for (let line = lastLine + 1; line < baselines.length; line++) {
    const lineRuns = allRuns.filter((run) => run.row === line);
    const inFirstColumn = lineRuns.every((run) => Math.abs(run.left - pageStarts[0]!) <= START_TOLERANCE);
    if (!inFirstColumn || baselines[line]! - baselines[line - 1]! > 2 * lineSpacing) break;
    lastLine = line;
  }
  const runs = allRuns.filter((run) => run.row >= firstLine && run.row <= lastLine);
  const starts = columnStarts(runs, firstLine);
  return starts.length < MIN_UNRULED_COLUMNS ? null : { runs, starts, lineSpacing };
}

/**
 * The usual distance between the baselines of a cell's lines: the middle step between lines, of the
 * steps no wider than lines are ever set (1.5 × the font size); else single spacing.
 */
function medianLineSpacing(runs: Run[]): number {
  const size = median(runs.map((run) => run.size));
  const baselines = distinct(runs.map((run) => run.baseline));
  const steps = baselines.slice(1).map((baseline, i) => baseline - baselines[i]!);
  return median(steps.filter((step) => step <= 1.5 * size)) || 1.2 * size;
}

/** Column edges: the table's sides, and between columns the middle of the gap before each start. */
function columnEdges(runs: Run[], starts: number[], left: number, right: number): number[] {
  const xs = [left];
  for (let i = 1; i < starts.length; i++) {
    const start = starts[i]!;
    const ends = runs.filter((run) => run.left >= starts[i - 1]! - START_TOLERANCE && run.right < start);
    const lastEnd = Math.max(...ends.map((run) => run.right), starts[i - 1]!);
    xs.push((lastEnd + start) / 2 - START_TOLERANCE / 2);
  }
  xs.push(right);
  return xs;
}

/**
 * Whether the edge left of (row, col) separates cells: no run crosses it, and it is not past the
 * text of a row whose heading spans the table.
 */
function verticalSeparator(
  runs: Run[],
  xs: number[],
  rowCount: number,
): (row: number, col: number) => boolean {
  const crosses = (row: number, x: number) =>
    runs.some((run) => run.row === row && run.left < x && run.right > x);
  const innerEdges = xs.slice(1, -1);
  const spanning = Array.from({ length: rowCount }, (_, row) => innerEdges.some((x) => crosses(row, x)));
  const textEnds = Array.from({ length: rowCount }, (_, row) =>
    Math.max(...runs.filter((run) => run.row === row).map((run) => run.right)),
  );
  return (row, col) => !crosses(row, xs[col]!) && !(spanning[row]! && xs[col]! > textEnds[row]!);
}

/** The words of each row, line by line, split into runs where they stand far apart. */
function runsOf(words: PdfWord[], rowOf: (word: PdfWord) => number): Run[] {
  return linesOf(words, RUN_GAP).map(({ words: lineWords }) => {
    const box = boxOfWords(lineWords);
    const first = lineWords[0] as PdfWord;
    return {
      left: box.left,
      right: box.left + box.width,
      top: box.top,
      bottom: box.top + box.height,
      baseline: first.baseline,
      size: first.size,
      row: rowOf(first),
    };
  });
}

/**
 * x positions where runs start in several rows: clustered run starts seen in the header row (when
 * known) or in at least a few rows, and crossed by runs in fewer rows than start there (text
 * indented inside a cell, after a bullet say, is crossed by the cell's other lines).
 */
function columnStarts(runs: Run[], headerRow: number | null): number[] {
  const sorted = [...runs].sort((a, b) => a.left - b.left);
  const clusters: Run[][] = [];
  for (const run of sorted) {
    const cluster = clusters.at(-1);
    if (cluster && run.left - cluster[0]!.left <= START_TOLERANCE) cluster.push(run);
    else clusters.push([run]);
  }
  return clusters
    .filter((cluster, index) => {
      const rows = new Set(cluster.map((run) => run.row));
      const start = Math.min(...cluster.map((run) => run.left));
      const crossingRows = new Set(
        runs.filter((run) => run.left < start - START_TOLERANCE && run.right > start).map((run) => run.row),
      );
      const supported = (headerRow !== null && rows.has(headerRow)) || rows.size >= MIN_START_SUPPORT;
      return supported && (index === 0 || crossingRows.size < rows.size);
    })
    .map((cluster) => Math.min(...cluster.map((run) => run.left)));
}

function distinct(positions: number[]): number[] {
  const sorted = [...positions].sort((a, b) => a - b);
  return sorted.filter((position, i) => i === 0 || position - sorted[i - 1]! > EXTENT_TOLERANCE);
}
