import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type BuildOptions,
  buildTextractResponse,
  type CellModel,
  type LineModel,
  type PageModel,
  type WordModel,
} from '../../shared/adapters/local/textract-block-builder.ts';
import type { Block, TextractResponse } from '../../shared/extraction/textract-response.ts';
import { wellFormednessProblems } from '../helpers/layout-rows-as-textract.ts';

const PAGE_WIDTH = 600;
const PAGE_HEIGHT = 800;
const CHAR_WIDTH = 5;
const WORD_HEIGHT = 10;

/** A line of words starting at (left, top), each word as wide as its characters, one space apart. */
function line(text: string, left: number, top: number): LineModel {
  let cursor = left;
  const words = text.split(' ').map((word): WordModel => {
    const box = { left: cursor, top, width: word.length * CHAR_WIDTH, height: WORD_HEIGHT };
    cursor += (word.length + 1) * CHAR_WIDTH;
    return { text: word, box };
  });
  return { words };
}

const COLUMN_LEFTS = [50, 150, 350];
const COLUMN_WIDTHS = [100, 200, 200];

/** A table of three columns whose rows are given as [height, texts per column]. */
function cellsOf(tableTop: number, rows: [height: number, texts: string[]][], headerRows = 1): CellModel[] {
  let top = tableTop;
  return rows.flatMap(([height, texts], rowIndex) => {
    const cells = COLUMN_LEFTS.map((left, colIndex): CellModel => {
      const text = texts[colIndex] ?? '';
      return {
        row: rowIndex + 1,
        col: colIndex + 1,
        box: { left, top, width: COLUMN_WIDTHS[colIndex]!, height },
        lines:
          text === ''
            ? []
            : text.split('\n').map((part, index) => line(part, left + 3, top + 3 + index * 12)),
        columnHeader: rowIndex < headerRows,
      };
    });
    top += height;
    return cells;
  });
}

/**
 * Page 1: a title, a table (header; a section row merged across; an item whose ref and text are
 * merged down over its two action rows) and a footnote. Page 2: the item's table continued.
 */
function samplePages(): PageModel[] {
  const page1: PageModel = {
    width: PAGE_WIDTH,
    height: PAGE_HEIGHT,
    lines: [line('Action Plan: HMP Example', 50, 20), line('Report Published: 1 May 2020', 50, 35)],
    tables: [
      {
        cells: cellsOf(60, [
          [20, ['Rec no', 'Recommendation', 'Response']],
          [20, ['Daily', 'life']],
          [40, ['5.1', 'Cells should be clean\nand warm', 'Cleaning rota set up']],
          [30, ['', '', 'Heating repaired']],
        ]),
        merged: [
          { row: 2, col: 1, rowSpan: 1, colSpan: 3 },
          { row: 3, col: 1, rowSpan: 2, colSpan: 1 },
          { row: 3, col: 2, rowSpan: 2, colSpan: 1 },
        ],
      },
    ],
  };
  page1.lines.push(line('Printed copies are uncontrolled', 50, 760));
  const page2: PageModel = {
    width: PAGE_WIDTH,
    height: PAGE_HEIGHT,
    lines: [],
    tables: [
      {
        cells: cellsOf(40, [
          [20, ['Rec no', 'Recommendation', 'Response']],
          [30, ['5.2', 'Staff should be trained', 'Training booked']],
          [30, ['', '', 'Refresher in June']],
        ]),
        merged: [{ row: 2, col: 1, rowSpan: 2, colSpan: 1 }],
      },
    ],
  };
  return [page1, page2];
}

function blocksOf(responses: TextractResponse[]): Block[] {
  return responses.flatMap((response) => response.Blocks ?? []);
}

function build(
  pages: PageModel[],
  options?: BuildOptions,
): { responses: TextractResponse[]; blocks: Block[] } {
  const responses = buildTextractResponse(pages, options);
  return { responses, blocks: blocksOf(responses) };
}

function indexById(blocks: Block[]): Map<string, Block> {
  return new Map(blocks.map((block) => [block.Id!, block]));
}

function children(block: Block, byId: Map<string, Block>, type = 'CHILD'): Block[] {
  const ids = block.Relationships?.find((relationship) => relationship.Type === type)?.Ids ?? [];
  return ids.map((id) => byId.get(id)!);
}

function cellText(cell: Block, byId: Map<string, Block>): string {
  return children(cell, byId)
    .map((word) => word.Text)
    .join(' ');
}

describe('buildTextractResponse: block structure', () => {
  const { responses, blocks } = build(samplePages(), { asynchronous: true });
  const byId = indexById(blocks);
  const ofType = (type: string) => blocks.filter((block) => block.BlockType === type);

  it('produces well-formed blocks', () => {
    expect(wellFormednessProblems(blocks)).toEqual([]);
    expect(responses).toHaveLength(1);
  });

  it('gives every block a unique UUID-shaped id', () => {
    const ids = blocks.map((block) => block.Id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('orders each page as PAGE, LINEs, WORDs, then TABLE, CELLs, MERGED_CELLs', () => {
    for (const page of [1, 2]) {
      const sequence = blocks
        .filter((block) => block.Page === page)
        .map((block) => block.BlockType)
        .join(' ');
      expect(sequence).toMatch(/^PAGE( LINE)+( WORD)+( TABLE( CELL)+( MERGED_CELL)*)+$/);
    }
  });

  it('lists a PAGE’s LINEs in reading order, then its TABLEs', () => {
    const [page1] = ofType('PAGE');
    const pageChildren = children(page1!, byId);
    expect(pageChildren.map((child) => child.BlockType)).toEqual([
      ...Array(pageChildren.length - 1).fill('LINE'),
      'TABLE',
    ]);
    expect(pageChildren.filter((child) => child.BlockType === 'LINE').map((child) => child.Text)).toEqual([
      'Action Plan: HMP Example',
      'Report Published: 1 May 2020',
      'Rec no',
      'Recommendation',
      'Response',
      'Daily',
      'life',
      '5.1',
      'Cells should be clean',
      'Cleaning rota set up',
      'and warm',
      'Heating repaired',
      'Printed copies are uncontrolled',
    ]);
  });

  it('makes LINE text its words joined by single spaces, and WORDs PRINTED', () => {
    const title = ofType('LINE')[0]!;
    expect(children(title, byId).map((word) => word.Text)).toEqual(['Action', 'Plan:', 'HMP', 'Example']);
    expect(title.Text).toBe('Action Plan: HMP Example');
    for (const word of ofType('WORD')) expect(word.TextType).toBe('PRINTED');
  });

  it('converts points into page ratios with a clockwise polygon from the top-left', () => {
    const title = ofType('LINE')[0]!;
    const box = title.Geometry!.BoundingBox!;
    expect(box.Left).toBeCloseTo(50 / PAGE_WIDTH, 12);
    expect(box.Top).toBeCloseTo(20 / PAGE_HEIGHT, 12);
    expect(box.Width).toBeCloseTo(('Action Plan: HMP Example'.length * CHAR_WIDTH) / PAGE_WIDTH, 12);
    expect(box.Height).toBeCloseTo(WORD_HEIGHT / PAGE_HEIGHT, 12);
    const right = box.Left! + box.Width!;
    const bottom = box.Top! + box.Height!;
    expect(title.Geometry!.Polygon).toEqual([
      { X: box.Left, Y: box.Top },
      { X: right, Y: box.Top },
      { X: right, Y: bottom },
      { X: box.Left, Y: bottom },
    ]);
    expect(ofType('PAGE')[0]!.Geometry!.BoundingBox).toEqual({ Width: 1, Height: 1, Left: 0, Top: 0 });
  });

  it('sets confidences like Textract: high for text and tables, around 90 for cells', () => {
    for (const block of [...ofType('WORD'), ...ofType('LINE'), ...ofType('TABLE')]) {
      expect(block.Confidence).toBeGreaterThan(99);
    }
    for (const block of [...ofType('CELL'), ...ofType('MERGED_CELL')]) {
      expect(block.Confidence).toBeGreaterThan(85);
      expect(block.Confidence).toBeLessThan(95);
    }
    expect(ofType('PAGE')[0]).not.toHaveProperty('Confidence');
  });

  it('links TABLE to its CELLs row by row and to its MERGED_CELLs, as a STRUCTURED_TABLE', () => {
    const table = ofType('TABLE')[0]!;
    expect(table.Relationships!.map((relationship) => relationship.Type)).toEqual(['CHILD', 'MERGED_CELL']);
    expect(children(table, byId).map((cell) => [cell.RowIndex, cell.ColumnIndex])).toEqual(
      [1, 2, 3, 4].flatMap((row) => [1, 2, 3].map((col) => [row, col])),
    );
    expect(children(table, byId, 'MERGED_CELL').map((merged) => merged.BlockType)).toEqual([
      'MERGED_CELL',
      'MERGED_CELL',
      'MERGED_CELL',
    ]);
    expect(table.EntityTypes).toEqual(['STRUCTURED_TABLE']);
  });

  it('links a CELL to the WORDs inside it, marks header cells, and leaves empty cells without relationships', () => {
    const cells = children(ofType('TABLE')[0]!, byId);
    const cellAt = (row: number, col: number) =>
      cells.find((cell) => cell.RowIndex === row && cell.ColumnIndex === col)!;
    expect(cellText(cellAt(3, 2), byId)).toBe('Cells should be clean and warm');
    expect(children(cellAt(3, 2), byId).every((child) => child.BlockType === 'WORD')).toBe(true);
    expect(cellAt(1, 1)).toMatchObject({ RowSpan: 1, ColumnSpan: 1, EntityTypes: ['COLUMN_HEADER'] });
    expect(cellAt(3, 1)).not.toHaveProperty('EntityTypes');
    expect(cellAt(4, 1)).not.toHaveProperty('Relationships');
  });

  it('links a MERGED_CELL to the CELLs it covers, its text being theirs', () => {
    const [section, ref, text] = children(ofType('TABLE')[0]!, byId, 'MERGED_CELL');
    expect(section).toMatchObject({ RowIndex: 2, ColumnIndex: 1, RowSpan: 1, ColumnSpan: 3 });
    expect(
      children(section!, byId)
        .map((cell) => cellText(cell, byId))
        .filter(Boolean)
        .join(' '),
    ).toBe('Daily life');
    expect(ref).toMatchObject({ RowIndex: 3, ColumnIndex: 1, RowSpan: 2, ColumnSpan: 1 });
    expect(children(text!, byId).map((cell) => [cell.RowIndex, cell.ColumnIndex])).toEqual([
      [3, 2],
      [4, 2],
    ]);
    const covered = children(ref!, byId).map((cell) => cell.Geometry!.BoundingBox!);
    expect(ref!.Geometry!.BoundingBox!.Height).toBeCloseTo(covered[0]!.Height! + covered[1]!.Height!, 12);
  });

  it('is deterministic', () => {
    expect(buildTextractResponse(samplePages(), { asynchronous: true })).toEqual(responses);
  });
});

describe('buildTextractResponse: synchronous and asynchronous responses', () => {
  it('answers one synchronous page as AnalyzeDocument does: one response, no Page, no JobStatus', () => {
    const { responses, blocks } = build(samplePages().slice(0, 1));
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ DocumentMetadata: { Pages: 1 } });
    expect(responses[0]).not.toHaveProperty('JobStatus');
    expect(responses[0]).not.toHaveProperty('NextToken');
    expect(blocks.some((block) => 'Page' in block)).toBe(false);
  });

  it('keeps Page on the blocks of a multi-page synchronous response', () => {
    const { responses, blocks } = build(samplePages());
    expect(responses).toHaveLength(1);
    expect(responses[0]!.DocumentMetadata).toEqual({ Pages: 2 });
    expect(new Set(blocks.map((block) => block.Page))).toEqual(new Set([1, 2]));
  });

  it('splits asynchronous results into NextToken-chained responses of at most maxBlocksPerResponse', () => {
    const pages = samplePages();
    const whole = build(pages).blocks;
    const { responses, blocks } = build(pages, { asynchronous: true, maxBlocksPerResponse: 10 });

    expect(responses).toHaveLength(Math.ceil(whole.length / 10));
    for (const response of responses) {
      expect(response.Blocks!.length).toBeLessThanOrEqual(10);
      expect(response.JobStatus).toBe('SUCCEEDED');
      expect(response.DocumentMetadata).toEqual({ Pages: 2 });
    }
    const tokens = responses.map((response) => response.NextToken);
    expect(tokens.at(-1)).toBeUndefined();
    const chain = tokens.slice(0, -1);
    expect(chain.every((token) => typeof token === 'string' && token.length > 0)).toBe(true);
    expect(new Set(chain).size).toBe(chain.length);
    expect(blocks).toEqual(whole);
    expect(wellFormednessProblems(blocks)).toEqual([]);
  });

  it('puts Page on every asynchronous block, even for a single page', () => {
    const single = samplePages().slice(0, 1);
    const { blocks } = build(single, { asynchronous: true });
    expect(blocks.every((block) => block.Page === 1)).toBe(true);
    expect(blocks.map(({ Page: _page, ...rest }) => rest)).toEqual(build(single).blocks);
  });

  it('returns at most 1000 blocks per asynchronous response by default', () => {
    const manyWords = Array.from({ length: 700 }, (_, index) =>
      line(`word${index} next`, 10 + (index % 20) * 25, 10 + Math.floor(index / 20) * 20),
    );
    const { responses, blocks } = build([{ width: 600, height: 800, lines: manyWords, tables: [] }], {
      asynchronous: true,
    });
    expect(blocks).toHaveLength(1 + 700 * 3);
    expect(responses.map((response) => response.Blocks!.length)).toEqual([1000, 1000, 101]);
  });
});

describe('buildTextractResponse: matches the shape of real Textract output', () => {
  const real = JSON.parse(
    readFileSync('tests/fixtures/textract-real/multipage-forms-merged-2p.json', 'utf8'),
  ) as TextractResponse;
  const realBlocks = real.Blocks!;
  const ours = build(samplePages(), { asynchronous: true });
  const producedTypes = new Set(['PAGE', 'LINE', 'WORD', 'TABLE', 'CELL', 'MERGED_CELL']);

  /** Per block type: the keys its blocks carry, and per relationship type the block types it points to. */
  function shapeOf(
    blocks: Block[],
  ): Record<string, { keys: string[]; relationships: Record<string, string[]> }> {
    const byId = indexById(blocks);
    const produced = blocks.filter((block) => producedTypes.has(block.BlockType!));
    const types = [...new Set(produced.map((block) => block.BlockType!))];
    return Object.fromEntries(
      types.map((type) => {
        const ofType = produced.filter((block) => block.BlockType === type);
        const keys = new Set(
          ofType.flatMap((block) => Object.keys(block)).filter((key) => key !== 'EntityTypes'),
        );
        const relationships = ofType.flatMap((block) => block.Relationships ?? []);
        const relationshipTypes = [...new Set(relationships.map((relationship) => relationship.Type!))];
        const targetsOf = (relationshipType: string) =>
          new Set(
            relationships
              .filter((relationship) => relationship.Type === relationshipType)
              .flatMap((relationship) => relationship.Ids ?? [])
              .map((id) => byId.get(id)!.BlockType!)
              .filter((target) => producedTypes.has(target)),
          );
        return [
          type,
          {
            keys: [...keys].sort(),
            relationships: Object.fromEntries(
              relationshipTypes.map((relationshipType) => [
                relationshipType,
                [...targetsOf(relationshipType)].sort(),
              ]),
            ),
          },
        ];
      }),
    );
  }

  it('carries the same keys and relationships per block type as a real GetDocumentAnalysis response', () => {
    expect(shapeOf(ours.blocks)).toEqual(shapeOf(realBlocks));
  });

  it('orders blocks within a page as the real response does', () => {
    const sequenceOf = (blocks: Block[], page: number) =>
      blocks
        .filter((block) => block.Page === page && producedTypes.has(block.BlockType!))
        .map((block) => block.BlockType)
        .join(' ')
        .replace(/(\w+)( \1)+/g, '$1+');
    for (const page of [1, 2]) expect(sequenceOf(ours.blocks, page)).toBe(sequenceOf(realBlocks, page));
  });

  it('uses the real entity types: COLUMN_HEADER on cells, STRUCTURED_TABLE on tables', () => {
    const entityTypes = (blocks: Block[], type: string) =>
      new Set(blocks.filter((block) => block.BlockType === type).flatMap((block) => block.EntityTypes ?? []));
    expect(entityTypes(ours.blocks, 'CELL')).toEqual(entityTypes(realBlocks, 'CELL'));
    const newerModel = JSON.parse(
      readFileSync('tests/fixtures/textract-real/table-title-footer-merged.json', 'utf8'),
    ) as TextractResponse;
    expect(entityTypes(ours.blocks, 'TABLE')).toEqual(entityTypes(newerModel.Blocks!, 'TABLE'));
  });

  it('has a response envelope like the real one', () => {
    const envelope = (response: TextractResponse) =>
      Object.keys(response)
        .filter((key) => key !== 'ResponseMetadata')
        .sort();
    expect(envelope(ours.responses[0]!)).toEqual(envelope(real));
    expect(ours.responses[0]!.DocumentMetadata).toEqual(real.DocumentMetadata);
  });
});

describe('buildTextractResponse: rejects inconsistent models', () => {
  const withFirstTable = (change: (cells: CellModel[], page: PageModel) => void): PageModel[] => {
    const pages = samplePages();
    change(pages[0]!.tables[0]!.cells, pages[0]!);
    return pages;
  };
  const cases: [string, () => PageModel[], RegExp][] = [
    ['no pages', () => [], /at least one page/],
    [
      'a missing grid position',
      () => withFirstTable((cells) => cells.splice(4, 1)),
      /page 1, table 1: grid of 4 × 3 needs one cell at \(2, 2\), found 0/,
    ],
    [
      'two cells at one position',
      () => withFirstTable((cells) => cells.push({ ...cells[0]! })),
      /needs one cell at \(1, 1\), found 2/,
    ],
    [
      'a cell row that is not a positive integer',
      () => withFirstTable((cells) => Object.assign(cells[0]!, { row: 0 })),
      /cell \(0, 1\): row and col must be positive integers/,
    ],
    [
      'a merged cell reaching outside the grid',
      () =>
        withFirstTable((_, page) => page.tables[0]!.merged.push({ row: 4, col: 3, rowSpan: 2, colSpan: 1 })),
      /merged cell \(4, 3\) spanning 2 × 1: reaches outside the 4 × 3 grid/,
    ],
    [
      'overlapping merged cells',
      () =>
        withFirstTable((_, page) => page.tables[0]!.merged.push({ row: 3, col: 2, rowSpan: 1, colSpan: 2 })),
      /overlaps another merged cell at \(3, 2\)/,
    ],
    [
      'a merged cell of one position',
      () =>
        withFirstTable((_, page) => page.tables[0]!.merged.push({ row: 1, col: 1, rowSpan: 1, colSpan: 1 })),
      /must cover more than one cell/,
    ],
    [
      'a word outside its cell',
      () => withFirstTable((cells) => cells[0]!.lines.push(line('stray', 400, 65))),
      /cell \(1, 1\), line 2, word "stray": box .* is outside/,
    ],
    [
      'a box outside the page',
      () => withFirstTable((_, page) => page.lines.push(line('margin', 590, 20))),
      /page 1, line 4, word "margin": box .* is outside/,
    ],
    [
      'a word with a space',
      () =>
        withFirstTable((_, page) =>
          page.lines[0]!.words.push({ ...page.lines[0]!.words[0]!, text: 'two words' }),
        ),
      /word "two words": a word must be non-empty and contain no whitespace/,
    ],
    [
      'a line without words',
      () => withFirstTable((_, page) => page.lines.push({ words: [] })),
      /page 1, line 4: a line needs at least one word/,
    ],
    [
      'one word object in two lines',
      () => withFirstTable((_, page) => page.lines.push({ words: [page.lines[0]!.words[0]!] })),
      /page 1: a word object appears in more than one place/,
    ],
    [
      'a page without size',
      () => withFirstTable((_, page) => Object.assign(page, { width: 0 })),
      /page 1: width and height must be positive numbers/,
    ],
  ];

  it.each(cases)('throws for %s', (_, pages, message) => {
    expect(() => buildTextractResponse(pages())).toThrow(message);
  });

  it('throws for a maxBlocksPerResponse that is not a positive integer', () => {
    expect(() =>
      buildTextractResponse(samplePages(), { asynchronous: true, maxBlocksPerResponse: 0 }),
    ).toThrow(/maxBlocksPerResponse must be a positive integer/);
  });
});
