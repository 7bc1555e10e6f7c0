import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Block, TextractResponse } from '../../shared/extraction/textract-response.ts';
import {
  type LayoutOptions,
  type LayoutResult,
  layoutRowsAsTextract,
  readRowsTsv,
  wellFormednessProblems,
} from '../helpers/layout-rows-as-textract.ts';

const A4_PORTRAIT = { pageWidth: 595.28, pageHeight: 841.89 };

function fixtureRows(name: string): { header: string[]; rows: string[][] } {
  return readRowsTsv(readFileSync(`tests/fixtures/action-plans/${name}.rows.tsv`, 'utf8'));
}

function blocksOf(responses: TextractResponse[]): Block[] {
  return responses.flatMap((response) => response.Blocks ?? []);
}

/** One page's TABLE read back from the blocks. */
interface PageTable {
  page: number;
  rowCount: number;
  columnCount: number;
  cellAt(row: number, col: number): Block;
  merged: Block[];
  /** The merged cell covering a position, if any. */
  mergedAt(row: number, col: number): Block | undefined;
  /** The words of a CELL, or of all the CELLs of a MERGED_CELL, joined by spaces. */
  textOf(block: Block): string;
  isHeaderRow(row: number): boolean;
}

function pageTables(blocks: Block[]): PageTable[] {
  const byId = new Map(blocks.map((block) => [block.Id!, block]));
  const children = (block: Block, type = 'CHILD') =>
    (block.Relationships?.find((relationship) => relationship.Type === type)?.Ids ?? []).map(
      (id) => byId.get(id)!,
    );
  const textOf = (block: Block): string =>
    block.BlockType === 'MERGED_CELL'
      ? children(block)
          .map(textOf)
          .filter((text) => text.length > 0)
          .join(' ')
      : children(block)
          .map((word) => word.Text)
          .join(' ');
  return blocks
    .filter((block) => block.BlockType === 'TABLE')
    .map((table): PageTable => {
      const cells = children(table);
      const merged = children(table, 'MERGED_CELL');
      const cellAt = (row: number, col: number) =>
        cells.find((cell) => cell.RowIndex === row && cell.ColumnIndex === col)!;
      const columnCount = Math.max(...cells.map((cell) => cell.ColumnIndex!));
      return {
        page: table.Page ?? 1,
        rowCount: Math.max(...cells.map((cell) => cell.RowIndex!)),
        columnCount,
        cellAt,
        merged,
        mergedAt: (row, col) =>
          merged.find(
            (candidate) =>
              row >= candidate.RowIndex! &&
              row < candidate.RowIndex! + candidate.RowSpan! &&
              col >= candidate.ColumnIndex! &&
              col < candidate.ColumnIndex! + candidate.ColumnSpan!,
          ),
        textOf,
        isHeaderRow: (row) => cellAt(row, 1).EntityTypes?.includes('COLUMN_HEADER') ?? false,
      };
    });
}

const withoutWhitespace = (text: string) => text.replace(/\s+/g, '');

/** Each column's text from top to bottom of the whole document, header rows left out. */
function columnTextOfTables(tables: PageTable[]): string[] {
  const columns = Array.from({ length: tables[0]!.columnCount }, () => '');
  for (const table of tables) {
    for (let row = 1; row <= table.rowCount; row++) {
      if (table.isHeaderRow(row)) continue;
      for (let col = 1; col <= table.columnCount; col++) {
        const merged = table.mergedAt(row, col);
        if (merged && (merged.RowIndex !== row || merged.ColumnIndex !== col)) continue;
        columns[col - 1] += withoutWhitespace(table.textOf(merged ?? table.cellAt(row, col)));
      }
    }
  }
  return columns;
}

function columnTextOfRows(rows: string[][]): string[] {
  return rows[0]!.map((_, col) => rows.map((row) => withoutWhitespace(row[col]!)).join(''));
}

function linesOfPage(blocks: Block[], page: number): Block[] {
  return blocks.filter((block) => block.BlockType === 'LINE' && (block.Page ?? 1) === page);
}

/**
 * Where an item's merged first column runs to the bottom of a page and continues at the top of the
 * next page as a new merged cell, without its ref (the ref is printed once, on the item's first row).
 */
function mergesAcrossPageBreaks(tables: PageTable[]): { before: Block; after: Block }[] {
  return tables.flatMap((table, index) => {
    const next = tables[index + 1];
    const before = table.mergedAt(table.rowCount, 1);
    const after = next?.mergedAt(2, 1);
    const continues = after?.ColumnSpan === 1 && after.RowIndex === 2 && next?.textOf(after) === '';
    return before?.ColumnSpan === 1 && after && continues ? [{ before, after }] : [];
  });
}

const isSectionRow = (row: string[]) =>
  row[0]!.trim() !== '' && row.slice(1).every((cell) => cell.trim() === '');

describe('readRowsTsv', () => {
  it('reads the fixtures: header, rows of the header’s width, \\n escapes as line breaks', () => {
    const liverpool = fixtureRows('hmp-liverpool-2018');
    expect(liverpool.header).toHaveLength(6);
    expect(liverpool.header[0]).toBe('1. Rec. no');
    expect(liverpool.rows).toHaveLength(133);
    expect(liverpool.rows.every((row) => row.length === 6)).toBe(true);
    expect(liverpool.rows[1]!.slice(0, 3)).toEqual([
      '5.1',
      expect.stringMatching(/^Concerted action/),
      'Agreed',
    ]);

    const longLartin = fixtureRows('hmp-long-lartin-2023');
    expect(longLartin.header).toEqual([
      'No',
      '2. Concerns',
      '3. Response Action Taken/Planned',
      '4. Responsible Owner',
      '5. Target Date',
    ]);
    expect(longLartin.rows).toHaveLength(108);
    const cells = longLartin.rows.flat();
    expect(cells.some((cell) => cell.includes('\n• '))).toBe(true);
    expect(cells.some((cell) => cell.includes('\\n'))).toBe(false);
  });

  it('pads short rows, accepts CRLF and rejects rows wider than the header', () => {
    expect(readRowsTsv('a\tb\tc\r\n1\t2\r\nx\\ny\t\t\r\n')).toEqual({
      header: ['a', 'b', 'c'],
      rows: [
        ['1', '2', ''],
        ['x\ny', '', ''],
      ],
    });
    expect(() => readRowsTsv('a\tb\n1\t2\t3\n')).toThrow(/TSV row 2 has 3 cells, the header only 2/);
  });
});

const fixtures = [
  {
    name: 'hmp-liverpool-2018',
    titleLines: ['Action Plan: HMP Liverpool', 'Report Published: 19 January 2018'],
    trailingLines: ['Summary: Agreed 55, Partly Agreed 10, Not Agreed 7, Total 72'],
    mergedColumns: 3,
  },
  {
    name: 'hmp-long-lartin-2023',
    titleLines: ['Action Plan: HMP Long Lartin', 'Inspection: 6-17 February 2023'],
    trailingLines: [],
    mergedColumns: 2,
  },
];

describe.each(fixtures)(
  'layout of $name with default options',
  ({ name, titleLines, trailingLines, mergedColumns }) => {
    const { header, rows } = fixtureRows(name);
    const result = layoutRowsAsTextract(header, rows, { titleLines, trailingLines, asynchronous: true });
    const blocks = blocksOf(result.responses);
    const tables = pageTables(blocks);

    it('is well-formed, in GetDocumentAnalysis responses of at most 1000 blocks', () => {
      expect(wellFormednessProblems(blocks)).toEqual([]);
      expect(result.responses.length).toBeGreaterThan(1);
      for (const response of result.responses) expect(response.Blocks!.length).toBeLessThanOrEqual(1000);
      expect(result.responses.at(-1)!.NextToken).toBeUndefined();
      expect(result.responses.slice(0, -1).every((response) => typeof response.NextToken === 'string')).toBe(
        true,
      );
    });

    it('puts one table on every page, A4 landscape', () => {
      expect(result.pages).toBeGreaterThan(3);
      expect(result.responses[0]!.DocumentMetadata).toEqual({ Pages: result.pages });
      expect(tables.map((table) => table.page)).toEqual(
        Array.from({ length: result.pages }, (_, index) => index + 1),
      );
      expect(result.pageModels[0]).toMatchObject({ width: 841.89, height: 595.28 });
    });

    it('repeats the header row at the top of every page', () => {
      for (const table of tables) {
        expect(table.isHeaderRow(1)).toBe(true);
        expect(header.map((_, col) => table.textOf(table.cellAt(1, col + 1)))).toEqual(
          header.map((text) => text.replace(/\s+/g, ' ')),
        );
        for (let row = 2; row <= table.rowCount; row++) expect(table.isHeaderRow(row)).toBe(false);
      }
    });

    it('keeps every column’s text, in order, across cuts and merges', () => {
      expect(columnTextOfTables(tables)).toEqual(columnTextOfRows(rows));
    });

    it('cuts rows at page breaks, continuing them at the top of the next page', () => {
      expect(result.cutRows.length).toBeGreaterThan(0);
      for (const cut of result.cutRows) {
        const table = tables[cut.page - 1]!;
        const next = tables[cut.page]!;
        expect(cut.rowIndex).toBe(table.rowCount);
        const textIn = (pageTable: PageTable, row: number, col: number) =>
          pageTable.textOf(pageTable.cellAt(row, col));
        const continuedColumns = header
          .map((_, index) => index + 1)
          .filter((col) => textIn(table, cut.rowIndex, col) !== '' && textIn(next, 2, col) !== '');
        expect(continuedColumns.length).toBeGreaterThan(0);
      }
    });

    it('merges each section row into one cell spanning all columns', () => {
      const sectionMerges = tables.flatMap((table) =>
        table.merged
          .filter((merged) => merged.ColumnSpan === header.length)
          .map((merged) => table.textOf(merged)),
      );
      expect(sectionMerges).toEqual(rows.filter(isSectionRow).map((row) => row[0]!.replace(/\s+/g, ' ')));
    });

    it('merges an item’s leading cells down across its action rows', () => {
      const itemMerges = tables.flatMap((table) => table.merged.filter((merged) => merged.ColumnSpan === 1));
      expect(itemMerges.length).toBeGreaterThan(0);
      expect(Math.max(...itemMerges.map((merged) => merged.ColumnIndex!))).toBe(mergedColumns);
      expect(itemMerges.every((merged) => merged.RowSpan! > 1)).toBe(true);
    });

    it('continues an item’s merge on the next page as a new merged cell', () => {
      const crossings = mergesAcrossPageBreaks(tables);
      expect(crossings.length).toBeGreaterThan(0);
      for (const { before, after } of crossings) {
        expect(before.RowSpan).toBeGreaterThan(1);
        expect(after.RowSpan).toBeGreaterThan(1);
      }
    });

    it('sets the title lines above the table on page 1 and the trailing lines after it', () => {
      const firstPageLines = linesOfPage(blocks, 1).map((line) => line.Text);
      expect(firstPageLines.slice(0, titleLines.length)).toEqual(titleLines);
      const lastPageLines = linesOfPage(blocks, result.pages).map((line) => line.Text);
      expect(lastPageLines.slice(lastPageLines.length - trailingLines.length)).toEqual(trailingLines);
    });
  },
);

describe('layout options', () => {
  const { header, rows } = fixtureRows('hmp-liverpool-2018');
  const layout = (options: LayoutOptions): { result: LayoutResult; blocks: Block[]; tables: PageTable[] } => {
    const result = layoutRowsAsTextract(header, rows, options);
    const blocks = blocksOf(result.responses);
    return { result, blocks, tables: pageTables(blocks) };
  };
  const defaults = layout({});

  it('is a single synchronous response by default', () => {
    expect(defaults.result.responses).toHaveLength(1);
    expect(defaults.result.responses[0]).not.toHaveProperty('JobStatus');
  });

  it('lays out on portrait pages too', () => {
    const { result, blocks, tables } = layout(A4_PORTRAIT);
    expect(wellFormednessProblems(blocks)).toEqual([]);
    expect(result.pages).toBeGreaterThan(defaults.result.pages);
    expect(result.cutRows.length).toBeGreaterThan(0);
    expect(columnTextOfTables(tables)).toEqual(columnTextOfRows(rows));
  });

  it('with a bigger font, still carries items across page breaks', () => {
    const { blocks, tables } = layout({ fontSize: 11 });
    expect(wellFormednessProblems(blocks)).toEqual([]);
    expect(mergesAcrossPageBreaks(tables).length).toBeGreaterThan(0);
    expect(columnTextOfTables(tables)).toEqual(columnTextOfRows(rows));
  });

  it('repeatHeader: false puts the header on the first page only', () => {
    const { blocks, tables } = layout({ repeatHeader: false });
    expect(wellFormednessProblems(blocks)).toEqual([]);
    expect(tables.map((table) => table.isHeaderRow(1))).toEqual(tables.map((table) => table.page === 1));
    expect(columnTextOfTables(tables)).toEqual(columnTextOfRows(rows));
  });

  it('allowRowBreak: false moves rows that do not fit to the next page whole', () => {
    const { result, blocks, tables } = layout({ allowRowBreak: false });
    expect(wellFormednessProblems(blocks)).toEqual([]);
    expect(result.cutRows).toEqual([]);
    expect(result.pages).toBeGreaterThanOrEqual(defaults.result.pages);
    expect(columnTextOfTables(tables)).toEqual(columnTextOfRows(rows));
  });

  it('mergeItemCells: false leaves every item cell unmerged', () => {
    const { blocks, tables } = layout({ mergeItemCells: false });
    expect(wellFormednessProblems(blocks)).toEqual([]);
    expect(
      tables.flatMap((table) => table.merged).every((merged) => merged.ColumnSpan === header.length),
    ).toBe(true);
    expect(columnTextOfTables(tables)).toEqual(columnTextOfRows(rows));
  });

  it('sectionRowMerged: false sets a section row’s text in its first cell', () => {
    const { blocks, tables } = layout({ sectionRowMerged: false, mergeItemCells: false });
    expect(wellFormednessProblems(blocks)).toEqual([]);
    expect(tables.flatMap((table) => table.merged)).toEqual([]);
    const firstTable = tables[0]!;
    expect(withoutWhitespace(firstTable.textOf(firstTable.cellAt(2, 1)))).toBe(
      withoutWhitespace(rows[0]![0]!),
    );
    expect(columnTextOfTables(tables)).toEqual(columnTextOfRows(rows));
  });

  it('splits asynchronous results by maxBlocksPerResponse', () => {
    const { result, blocks } = layout({ asynchronous: true, maxBlocksPerResponse: 250 });
    expect(result.responses.every((response) => response.Blocks!.length <= 250)).toBe(true);
    expect(result.responses.length).toBe(Math.ceil(blocks.length / 250));
    expect(blocks.map(({ Page: _page, ...block }) => block)).toEqual(
      defaults.blocks.map(({ Page: _page, ...block }) => block),
    );
  });

  it('uses given column widths, and rejects widths that do not fit', () => {
    const widths = [50, 150, 70, 250, 130, 100];
    const { tables } = layout({ columnWidths: widths });
    const firstTable = tables[0]!;
    const cellWidths = header.map(
      (_, col) => firstTable.cellAt(1, col + 1).Geometry!.BoundingBox!.Width! * 841.89,
    );
    cellWidths.forEach((width, col) => {
      expect(width).toBeCloseTo(widths[col]!, 6);
    });

    expect(() => layout({ columnWidths: [100, 100] })).toThrow(/columnWidths has 2 widths for 6 columns/);
    expect(() => layout({ columnWidths: widths.map((width) => width * 2) })).toThrow(/the page leaves/);
    expect(() => layout({ columnWidths: [8, 150, 70, 250, 130, 100] })).toThrow(
      /column 1 \(8pt\) is too narrow/,
    );
  });
});

describe('layout of made-up rows', () => {
  const header = ['No', 'Recommendation', 'Response', 'Owner'];

  it('continues an item’s text that does not fit on its page in the next page’s merged cell', () => {
    const recommendation = Array.from(
      { length: 70 },
      (_, index) => `Sentence ${index + 1} of the recommendation.`,
    ).join(' ');
    const rows = [
      ['7', recommendation, 'First action', 'Governor'],
      ...Array.from({ length: 60 }, (_, index) => ['', '', `Action ${index + 2}`, 'Governor']),
    ];
    const result = layoutRowsAsTextract(header, rows, { ...A4_PORTRAIT });
    const blocks = blocksOf(result.responses);
    const tables = pageTables(blocks);
    expect(wellFormednessProblems(blocks)).toEqual([]);
    expect(result.pages).toBe(2);

    const recommendationHalves = tables.map((table) => table.mergedAt(2, 2)!);
    expect(recommendationHalves.map((merged) => merged.RowSpan! > 1)).toEqual([true, true]);
    const [firstHalf, secondHalf] = recommendationHalves.map((merged, page) => tables[page]!.textOf(merged));
    expect(firstHalf).toMatch(/^Sentence 1 of/);
    expect(secondHalf).toMatch(/recommendation\.$/);
    expect(`${firstHalf} ${secondHalf}`).toBe(recommendation);
    expect(tables[1]!.textOf(tables[1]!.mergedAt(2, 1)!)).toBe('');
  });

  it('cuts a row taller than a page even when rows may not break', () => {
    const response = Array.from({ length: 1000 }, (_, index) => `word${index}`).join(' ');
    const result = layoutRowsAsTextract(header, [['1', 'Short', response, 'Governor']], {
      allowRowBreak: false,
    });
    expect(wellFormednessProblems(blocksOf(result.responses))).toEqual([]);
    expect(result.cutRows).toEqual([{ page: 1, rowIndex: 2 }]);
    expect(columnTextOfTables(pageTables(blocksOf(result.responses)))).toEqual(
      columnTextOfRows([['1', 'Short', response, 'Governor']]),
    );
  });

  it('breaks a word wider than its column, keeping every word inside its cell', () => {
    const rows = [
      ['1', 'https://www.gov.uk/government/publications/prison-action-plan-long-address', 'Yes', 'HMPPS'],
    ];
    const result = layoutRowsAsTextract(header, rows, { columnWidths: [30, 100, 300, 100] });
    const blocks = blocksOf(result.responses);
    expect(wellFormednessProblems(blocks)).toEqual([]);
    const words = pageTables(blocks)[0]!.textOf(pageTables(blocks)[0]!.cellAt(2, 2)).split(' ');
    expect(words.length).toBeGreaterThan(1);
    expect(words.join('')).toBe(rows[0]![1]);
  });

  it('moves the trailing lines to a new page without a table when the last page is full', () => {
    const rows = Array.from({ length: 30 }, (_, index) => [`${index + 1}`, 'Text', 'Response', 'Owner']);
    const trailingLines = ['Summary: 30 recommendations'];
    const result = layoutRowsAsTextract(header, rows, { trailingLines });
    const blocks = blocksOf(result.responses);
    expect(wellFormednessProblems(blocks)).toEqual([]);
    expect(result.pages).toBe(2);
    expect(pageTables(blocks).map((table) => table.page)).toEqual([1]);
    expect(linesOfPage(blocks, 2).map((line) => line.Text)).toEqual(trailingLines);
  });

  it('rejects rows that do not match the header', () => {
    expect(() => layoutRowsAsTextract(header, [['1', 'Text']])).toThrow(/row 1 has 2 cells, the header 4/);
  });
});
