import { readFileSync } from 'node:fs';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { findBorderlessGrids } from '../../shared/adapters/local/pdf-borderless-tables.ts';
import {
  type Matrix,
  type OperatorList,
  type PageGlyph,
  PDF_OPS,
  type RuleSegment,
  readPageContent,
} from '../../shared/adapters/local/pdf-page-content.ts';
import { findRuledGrids, mergeRules } from '../../shared/adapters/local/pdf-rulings.ts';
import { LocalPdfTableAnalyser } from '../../shared/adapters/local/pdf-table-analyser.ts';
import { freeEdges, tableModelOf } from '../../shared/adapters/local/pdf-table-model.ts';
import { linesOf, type PdfWord, wordsOf } from '../../shared/adapters/local/pdf-text.ts';
import { UnreadableDocumentError } from '../../shared/domain/errors.ts';
import { readActionPlan } from '../../shared/extraction/read-action-plan.ts';
import type { Block, TextractResponse } from '../../shared/extraction/textract-response.ts';
import { collect } from '../helpers/collect.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { wellFormednessProblems } from '../helpers/layout-rows-as-textract.ts';
import { type DrawnPage, drawPdf, encryptedPdf, helveticaWidth } from '../helpers/pdf-generators.ts';

const PAGE_HEIGHT = 800;
/** pdfjs's viewport transform for an unrotated page 800pt high: y down from the top. */
const VIEWPORT: Matrix = [1, 0, 0, -1, 0, PAGE_HEIGHT];
const HELVETICA = { fontMatrix: [0.001, 0, 0, 0.001, 0, 0] };

function glyph(unicode: string, width: number) {
  return { unicode, width, isSpace: unicode === ' ' };
}

function operators(...ops: [number, unknown[] | null][]): OperatorList {
  return { fnArray: ops.map(([fn]) => fn), argsArray: ops.map(([, args]) => args) };
}

function path(paint: number, ...data: number[]): [number, unknown[]] {
  return [PDF_OPS.constructPath, [paint, [new Float32Array(data)], null]];
}

const STROKE = 20;
const FILL = 22;
const CLIP = 28;
const MOVE = 0;
const LINE = 1;
const CLOSE = 4;

function word(text: string, left: number, top: number, width = text.length * 5, size = 10): PdfWord {
  return { text, box: { left, top, width, height: 0.93 * size }, baseline: top + 0.72 * size, size };
}

function rule(
  orientation: RuleSegment['orientation'],
  position: number,
  from: number,
  to: number,
): RuleSegment {
  return { orientation, position, from, to };
}

/** Rules of a grid: horizontal lines at `ys` across `xs`, vertical lines at `xs` down `ys`. */
function gridRules(xs: number[], ys: number[]): RuleSegment[] {
  return [
    ...ys.map((y) => rule('horizontal', y, xs[0]!, xs.at(-1)!)),
    ...xs.map((x) => rule('vertical', x, ys[0]!, ys.at(-1)!)),
  ];
}

const analyser = new LocalPdfTableAnalyser();

async function analyse(bytes: Uint8Array, name = 'plan.pdf'): Promise<TextractResponse[]> {
  return collect(analyser.analyse({ bytes, name }));
}

function blocksOf(responses: TextractResponse[]): Block[] {
  return responses.flatMap((response) => response.Blocks ?? []);
}

async function analysisError(bytes: Uint8Array, limits = {}): Promise<UnreadableDocumentError> {
  const error = await collect(new LocalPdfTableAnalyser(limits).analyse({ bytes, name: 'plan.pdf' })).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnreadableDocumentError);
  return error as UnreadableDocumentError;
}

describe('readPageContent: the operator list → glyphs and rules', () => {
  it('uses the operator numbers of the installed pdfjs', () => {
    for (const [name, value] of Object.entries(PDF_OPS)) {
      expect(pdfjs.OPS[name as keyof typeof pdfjs.OPS], name).toBe(value);
    }
  });

  it('places each glyph by its advance width, with TJ adjustments, spacing and scaling', () => {
    const content = readPageContent(
      operators(
        [PDF_OPS.beginText, null],
        [PDF_OPS.setFont, ['F1', 10]],
        [PDF_OPS.setTextMatrix, [new Float32Array([1, 0, 0, 1, 100, 700])]],
        [PDF_OPS.showText, [[glyph('A', 500), glyph(' ', 250), glyph('B', 600), -1000, glyph('C', 500)]]],
        [PDF_OPS.setCharSpacing, [1]],
        [PDF_OPS.setWordSpacing, [2]],
        [PDF_OPS.setHScale, [50]],
        [PDF_OPS.showText, [[glyph('D', 500), glyph(' ', 250), glyph('E', 500)]]],
      ),
      () => HELVETICA,
      VIEWPORT,
    );
    const at = content.glyphs.map((g) => [g.text, +g.left.toFixed(2), +g.right.toFixed(2)]);
    expect(at).toEqual([
      ['A', 100, 105],
      [' ', 105, 107.5],
      ['B', 107.5, 113.5],
      ['C', 123.5, 128.5],
      // Half width: D is 5 wide + 1 spacing, the space 2.5 + 1 + 2 word spacing, all scaled by ½.
      ['D', 128.5, 131],
      [' ', 131.5, 132.75],
      ['E', 134.25, 136.75],
    ]);
    const a = content.glyphs[0]!;
    expect(a.baseline).toBeCloseTo(100);
    expect(a.top).toBeCloseTo(100 - 7.2);
    expect(a.bottom).toBeCloseTo(100 + 2.1);
    expect(a.size).toBeCloseTo(10);
  });

  it('follows the transformation matrix through save and restore', () => {
    const show: [number, unknown[]] = [PDF_OPS.showText, [[glyph('X', 500)]]];
    const content = readPageContent(
      operators(
        [PDF_OPS.setFont, ['F1', 10]],
        [PDF_OPS.save, null],
        [PDF_OPS.transform, [2, 0, 0, 2, 50, 0]],
        [PDF_OPS.beginText, null],
        [PDF_OPS.moveText, [10, 300]],
        show,
        [PDF_OPS.restore, null],
        [PDF_OPS.beginText, null],
        [PDF_OPS.moveText, [10, 300]],
        show,
      ),
      () => HELVETICA,
      VIEWPORT,
    );
    const [scaled, plain] = content.glyphs;
    expect([scaled!.left, scaled!.right, scaled!.baseline, scaled!.size]).toEqual([70, 80, 200, 20]);
    expect([plain!.left, plain!.right, plain!.baseline, plain!.size]).toEqual([10, 15, 500, 10]);
  });

  it('maps Word bullets of the Symbol font to bullets and any whitespace to a space', () => {
    const content = readPageContent(
      operators(
        [PDF_OPS.setFont, ['F1', 10]],
        [PDF_OPS.showText, [[glyph('\uF0B7', 400), glyph('\u00A0', 250), glyph('\uFB01', 500)]]],
      ),
      () => HELVETICA,
      VIEWPORT,
    );
    expect(content.glyphs.map((g) => g.text)).toEqual(['•', ' ', 'fi']);
  });

  it('keeps stroked straight lines and thin filled bars as rules, not clips, fills or white lines', () => {
    const content = readPageContent(
      operators(
        path(STROKE, MOVE, 10, 10, LINE, 200, 10),
        path(STROKE, MOVE, 10, 50, LINE, 60, 50, LINE, 60, 90, LINE, 10, 90, CLOSE),
        path(FILL, MOVE, 10, 100, LINE, 300, 100, LINE, 300, 101, LINE, 10, 101, CLOSE),
        path(FILL, MOVE, 10, 200, LINE, 300, 200, LINE, 300, 260, LINE, 10, 260, CLOSE),
        path(CLIP, MOVE, 0, 0, LINE, 500, 0, LINE, 500, 500, LINE, 0, 500, CLOSE),
        [PDF_OPS.setStrokeRGBColor, ['#ffffff']],
        path(STROKE, MOVE, 10, 300, LINE, 200, 300),
      ),
      () => undefined,
      VIEWPORT,
    );
    expect(content.rules).toEqual([
      rule('horizontal', 790, 10, 200),
      rule('horizontal', 750, 10, 60),
      rule('vertical', 60, 710, 750),
      rule('horizontal', 710, 10, 60),
      rule('vertical', 10, 710, 750),
      rule('horizontal', 699.5, 10, 300),
    ]);
  });
});

describe('wordsOf and linesOf: glyphs → words → lines', () => {
  const glyphAt = (text: string, left: number, width = 5, baseline = 100): PageGlyph => ({
    text,
    left,
    right: left + width,
    top: baseline - 7.2,
    bottom: baseline + 2.1,
    baseline,
    size: 10,
  });

  it('splits words at spaces and at gaps, whatever order the glyphs were drawn in', () => {
    const glyphs = [
      glyphAt('c', 110),
      glyphAt('a', 100),
      glyphAt('b', 105),
      glyphAt(' ', 115, 3),
      glyphAt('d', 118),
      glyphAt('e', 140),
      glyphAt('f', 100, 5, 120),
    ];
    expect(wordsOf(glyphs).map((w) => [w.text, w.box.left, w.box.width])).toEqual([
      ['abc', 100, 15],
      ['d', 118, 5],
      ['e', 140, 5],
      ['f', 100, 5],
    ]);
  });

  it('drops a glyph printed again a hair to the right (fake bold)', () => {
    expect(wordsOf([glyphAt('H', 100), glyphAt('H', 100.4), glyphAt('i', 105)]).map((w) => w.text)).toEqual([
      'Hi',
    ]);
  });

  it('groups words on a baseline into a line, split where they stand far apart if asked', () => {
    const words = [word('Agreed', 50, 100), word('55', 300, 100), word('Total', 50, 120)];
    expect(linesOf(words).map((l) => l.words.map((w) => w.text))).toEqual([['Agreed', '55'], ['Total']]);
    expect(linesOf(words, 1.5).map((l) => l.words.map((w) => w.text))).toEqual([
      ['Agreed'],
      ['55'],
      ['Total'],
    ]);
  });
});

describe('findRuledGrids: rules → table grids', () => {
  it('merges doubled and broken rules into lines', () => {
    const lines = mergeRules([
      rule('horizontal', 100, 10, 60),
      rule('horizontal', 100.3, 59, 200),
      rule('horizontal', 100, 205, 300),
      rule('horizontal', 150, 10, 300),
    ]);
    expect(lines.map((l) => [+l.position.toFixed(2), l.from, l.to])).toEqual([
      [100.1, 10, 200],
      [100.1, 205, 300],
      [150, 10, 300],
    ]);
  });

  it('reads a full grid as rows × columns without merges', () => {
    const grids = findRuledGrids(gridRules([10, 60, 200], [100, 120, 160, 200]));
    expect(grids).toEqual([{ xs: [10, 60, 200], ys: [100, 120, 160, 200], merged: [] }]);
  });

  it('merges across columns where a row has no vertical line, and down rows where a column has no horizontal one', () => {
    const xs = [10, 60, 200, 300];
    const ys = [100, 120, 140, 160, 200];
    const rules = [
      ...ys.map((y) => rule('horizontal', y, 10, 300)).filter((r) => r.position !== 160),
      rule('horizontal', 160, 200, 300),
      rule('vertical', 10, 100, 200),
      rule('vertical', 300, 100, 200),
      ...[60, 200].flatMap((x) => [rule('vertical', x, 100, 120), rule('vertical', x, 140, 200)]),
    ];
    const [grid] = findRuledGrids(rules);
    expect(grid!.xs).toEqual(xs);
    expect(grid!.ys).toEqual(ys);
    expect(grid!.merged).toEqual([
      { row: 1, col: 0, rowSpan: 1, colSpan: 3 },
      { row: 2, col: 0, rowSpan: 2, colSpan: 1 },
      { row: 2, col: 1, rowSpan: 2, colSpan: 1 },
    ]);
  });

  it('takes a table without outer borders to the ends of its rules', () => {
    const rules = [
      ...[100, 120, 140].map((y) => rule('horizontal', y, 10, 300)),
      rule('vertical', 60, 100, 140),
      rule('vertical', 200, 100, 140),
    ];
    expect(findRuledGrids(rules)[0]!.xs).toEqual([10, 60, 200, 300]);
  });

  it('finds no table in a lone box or a single line', () => {
    expect(findRuledGrids(gridRules([10, 300], [100, 200]))).toEqual([]);
    expect(findRuledGrids([rule('horizontal', 100, 10, 300)])).toEqual([]);
  });
});

describe('tableModelOf: words into cells', () => {
  it('moves the inner edges of a merged cell off the words they would cut', () => {
    expect(freeEdges([0, 50, 100], [[45, 70]])).toEqual([0, 45, 100]);
    expect(freeEdges([0, 50, 100], [[30, 55]])).toEqual([0, 55, 100]);
    expect(
      freeEdges(
        [0, 50, 100],
        [
          [10, 52],
          [51, 90],
        ],
      ),
    ).toEqual([0, 10, 100]);
    expect(freeEdges([0, 50, 100], [])).toEqual([0, 50, 100]);
  });

  it('puts a heading across merged columns and text down merged rows into cells that hold them', () => {
    const grid = {
      xs: [0, 50, 150],
      ys: [0, 20, 40, 60],
      merged: [
        { row: 0, col: 0, rowSpan: 1, colSpan: 2 },
        { row: 1, col: 0, rowSpan: 2, colSpan: 1 },
      ],
    };
    const heading = word('Safeguarding', 40, 5, 60);
    const itemText = word('text', 5, 36, 20);
    const action = word('action', 55, 25, 30);
    const outside = word('below', 5, 70);
    const { table, placed } = tableModelOf(grid, [heading, itemText, action, outside]);
    expect([...placed]).toEqual([heading, itemText, action]);
    for (const cell of table.cells) {
      for (const w of cell.lines.flatMap((l) => l.words)) {
        expect(w.box.left).toBeGreaterThanOrEqual(cell.box.left);
        expect(w.box.left + w.box.width).toBeLessThanOrEqual(cell.box.left + cell.box.width);
        expect(w.box.top).toBeGreaterThanOrEqual(cell.box.top);
        expect(w.box.top + w.box.height).toBeLessThanOrEqual(cell.box.top + cell.box.height);
      }
    }
    expect(table.merged).toEqual([
      { row: 1, col: 1, rowSpan: 1, colSpan: 2 },
      { row: 2, col: 1, rowSpan: 2, colSpan: 1 },
    ]);
  });
});

describe('findBorderlessGrids: tables without vertical lines', () => {
  const header = [word('No', 12, 104, 10), word('Concern', 62, 104, 35), word('Owner', 212, 104, 25)];
  const rows = [0, 1, 2].flatMap((i) => [
    word(String(i + 1), 12, 124 + 20 * i, 5),
    word('Levels', 62, 124 + 20 * i, 30),
    word('high', 95, 124 + 20 * i, 20),
    word('Governor', 212, 124 + 20 * i, 40),
  ]);

  it('finds the columns from where text starts, between horizontal rules', () => {
    const rules = [100, 120, 140, 160, 180].map((y) => rule('horizontal', y, 10, 300));
    const [grid] = findBorderlessGrids([...header, ...rows], rules, []);
    expect(grid!.ys).toEqual([100, 120, 140, 160, 180]);
    expect(grid!.xs).toHaveLength(4);
    expect(grid!.xs[0]).toBe(10);
    expect(grid!.xs[1]).toBeGreaterThan(17);
    expect(grid!.xs[1]).toBeLessThan(62);
    expect(grid!.xs[2]).toBeGreaterThan(115);
    expect(grid!.xs[2]).toBeLessThan(212);
  });

  it('finds rows from where text starts when there are no rules at all', () => {
    const [grid] = findBorderlessGrids([...header, ...rows], [], []);
    expect(grid!.xs).toHaveLength(4);
    expect(grid!.ys).toHaveLength(5);
  });

  it('finds no table in prose', () => {
    const prose = [0, 1, 2, 3, 4].flatMap((i) => [
      word('Some', 10, 100 + 12 * i),
      word('text', 40 + 7 * i, 100 + 12 * i),
    ]);
    expect(findBorderlessGrids(prose, [], [])).toEqual([]);
  });
});

describe('LocalPdfTableAnalyser: PDF → Textract response', () => {
  /** A 3-column ruled table at the top of a page: header row, then rows of [no, concern, owner]. */
  function ruledTablePage(rows: string[][], top = 100): DrawnPage {
    const xs = [50, 100, 350, 500];
    const ys = Array.from({ length: rows.length + 1 }, (_, i) => top + 20 * i);
    return {
      texts: rows.flatMap((cells, r) =>
        cells.map((text, c) => ({ text, x: xs[c]! + 4, baseline: ys[r]! + 14 })),
      ),
      lines: [
        ...ys.map((y) => ({ x0: xs[0]!, y0: y, x1: xs.at(-1)!, y1: y })),
        ...xs.map((x) => ({ x0: x, y0: ys[0]!, x1: x, y1: ys.at(-1)! })),
      ],
    };
  }
  const HEADER = ['No', 'Concern', 'Responsible owner'];

  it('answers as GetDocumentAnalysis: Page on every block, JobStatus, NextToken, at most 1000 blocks each', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('action-plans/hmp-long-lartin-2023.pdf')));
    const responses = await analyse(bytes);
    expect(responses.length).toBeGreaterThan(1);
    responses.forEach((response, i) => {
      expect(response.JobStatus).toBe('SUCCEEDED');
      expect(response.DocumentMetadata).toEqual({ Pages: 11 });
      expect(response.Blocks!.length).toBeLessThanOrEqual(1000);
      expect(response.NextToken === undefined).toBe(i === responses.length - 1);
    });
    const blocks = blocksOf(responses);
    expect(blocks.every((block) => block.Page !== undefined)).toBe(true);
    expect(wellFormednessProblems(blocks)).toEqual([]);
  });

  it('boxes each word by its glyph widths', async () => {
    const bytes = await drawPdf([
      { texts: [{ text: 'Responsible owner: Head of Safety', x: 72, baseline: 100, size: 12 }] },
    ]);
    const words = blocksOf(await analyse(bytes)).filter((b) => b.BlockType === 'WORD');
    expect(words.map((w) => w.Text)).toEqual(['Responsible', 'owner:', 'Head', 'of', 'Safety']);
    const pageWidth = 595.28;
    let x = 72;
    for (const w of words) {
      const width = await helveticaWidth(w.Text!, 12);
      expect(w.Geometry!.BoundingBox!.Left! * pageWidth).toBeCloseTo(x, 2);
      expect(w.Geometry!.BoundingBox!.Width! * pageWidth).toBeCloseTo(width, 2);
      x += width + (await helveticaWidth(' ', 12));
    }
  });

  it('reports progress after each page', async () => {
    const bytes = await drawPdf([
      { texts: [{ text: 'one', x: 72, baseline: 100 }] },
      { texts: [{ text: 'two', x: 72, baseline: 100 }] },
    ]);
    const progress: unknown[] = [];
    await collect(analyser.analyse({ bytes, name: 'x.pdf' }, { onProgress: (p) => progress.push(p) }));
    expect(progress).toEqual([
      { page: 1, pageCount: 2 },
      { page: 2, pageCount: 2 },
    ]);
  });

  it('marks the header row of the first table and its repeats on later pages, not other first rows', async () => {
    const bytes = await drawPdf([
      ruledTablePage([HEADER, ['1', 'Levels of violence', 'Governor']]),
      { ...ruledTablePage([HEADER, ['2', 'Drugs', 'Head of Security']]) },
      ruledTablePage([
        ['Agreed', '5', ''],
        ['Total', '5', ''],
      ]),
    ]);
    const blocks = blocksOf(await analyse(bytes));
    const headerCellsByPage = [1, 2, 3].map(
      (page) =>
        blocks.filter(
          (b) => b.Page === page && b.BlockType === 'CELL' && b.EntityTypes?.includes('COLUMN_HEADER'),
        ).length,
    );
    expect(headerCellsByPage).toEqual([3, 3, 0]);
  });

  it('reads two tables on one page as two tables, and cells merged by missing lines as MERGED_CELLs', async () => {
    const first = ruledTablePage([HEADER, ['1', 'Levels of violence', 'Governor']]);
    const second = ruledTablePage([HEADER, ['Safety', '', '']], 300);
    // The second table's body row has no inner vertical lines: a section row across the table.
    second.lines = second
      .lines!.filter((l) => !(l.x0 === l.x1 && l.x0 !== 50 && l.x0 !== 500))
      .concat([100, 350].map((x) => ({ x0: x, y0: 300, x1: x, y1: 320 })));
    const blocks = blocksOf(
      await analyse(
        await drawPdf([
          { ...first, texts: [...first.texts!, ...second.texts!], lines: [...first.lines!, ...second.lines] },
        ]),
      ),
    );
    expect(blocks.filter((b) => b.BlockType === 'TABLE')).toHaveLength(2);
    const merged = blocks.filter((b) => b.BlockType === 'MERGED_CELL');
    expect(merged.map((b) => [b.RowIndex, b.ColumnIndex, b.RowSpan, b.ColumnSpan])).toEqual([[2, 1, 1, 3]]);
  });

  it('returns only lines for a PDF without a table; the reader then finds no table', async () => {
    const bytes = await drawPdf([{ texts: [{ text: 'Action Plan: HMP Example', x: 72, baseline: 100 }] }]);
    const responses = await analyse(bytes);
    const blocks = blocksOf(responses);
    expect(blocks.filter((b) => b.BlockType === 'LINE').map((b) => b.Text)).toEqual([
      'Action Plan: HMP Example',
    ]);
    expect(blocks.some((b) => b.BlockType === 'TABLE')).toBe(false);
    expect(() => readActionPlan(responses, 'plan.pdf')).toThrow(
      expect.objectContaining({ code: 'NO_TABLE_FOUND' }),
    );
  });

  it('reads table borders drawn as thin filled rectangles', async () => {
    const page = ruledTablePage([HEADER, ['1', 'Levels of violence', 'Governor']]);
    const bytes = await drawPdf([
      {
        texts: page.texts,
        rectangles: page.lines!.map(({ x0, y0, x1, y1 }) => ({
          left: Math.min(x0, x1) - 0.25,
          top: Math.min(y0, y1) - 0.25,
          width: Math.abs(x1 - x0) + 0.5,
          height: Math.abs(y1 - y0) + 0.5,
        })),
      },
    ]);
    const cells = blocksOf(await analyse(bytes)).filter((b) => b.BlockType === 'CELL');
    expect(cells).toHaveLength(6);
  });
});

describe('LocalPdfTableAnalyser: input it cannot read', () => {
  it('an empty file', async () => {
    expect((await analysisError(new Uint8Array())).code).toBe('EMPTY_FILE');
  });

  it('a file that is not a PDF', async () => {
    const error = await analysisError(new TextEncoder().encode('PK\u0003\u0004 a zip, not a PDF'));
    expect(error.code).toBe('NOT_A_PDF');
  });

  it('a PDF that needs a password to open', async () => {
    const error = await analysisError(await encryptedPdf({ userPassword: 'secret', ownerPassword: 'owner' }));
    expect(error.code).toBe('ENCRYPTED_PDF');
    expect(error.message).toMatch(/password/);
  });

  it('reads a PDF encrypted with only an owner password (it opens without one), as every viewer does', async () => {
    const blocks = blocksOf(await analyse(await encryptedPdf({ ownerPassword: 'owner' })));
    expect(blocks.filter((b) => b.BlockType === 'LINE').map((b) => b.Text)).toEqual([
      'Action Plan: HMP Example',
    ]);
  });

  it('a truncated or corrupt PDF', async () => {
    const whole = readFileSync(fixturePath('action-plans/hmp-long-lartin-2023.pdf'));
    expect((await analysisError(new Uint8Array(whole.subarray(0, whole.length / 2)))).code).toBe(
      'CORRUPT_PDF',
    );
    const garbage = new TextEncoder().encode(`%PDF-1.7\n${'x'.repeat(2000)}`);
    expect((await analysisError(garbage)).code).toBe('CORRUPT_PDF');
  });

  it('a scanned PDF without a text layer: it needs OCR', async () => {
    const error = await analysisError(await drawPdf([{ scannedImage: true }, { scannedImage: true }]));
    expect(error.code).toBe('NO_TEXT_LAYER');
    expect(error.message).toMatch(/OCR/);
  });

  it('a PDF over the size or page limits', async () => {
    const bytes = await drawPdf([{ texts: [{ text: 'one', x: 72, baseline: 100 }] }, {}]);
    expect((await analysisError(bytes, { maxBytes: 100 })).code).toBe('TOO_LARGE');
    expect((await analysisError(bytes, { maxPages: 1 })).code).toBe('TOO_LARGE');
  });
});
