import { describe, expect, it } from 'vitest';
import { UnreadableDocumentError } from '../../shared/domain/errors.ts';
import { WRAPPED_LINE } from '../../shared/domain/text.ts';
import { stitchTables } from '../../shared/extraction/table-stitching.ts';
import { readTextractDocument } from '../../shared/extraction/textract-document.ts';
import type { TextractResponse } from '../../shared/extraction/textract-response.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import { layoutRowsAsTextract } from '../helpers/layout-rows-as-textract.ts';

function real(name: string): TextractResponse {
  return readFixtureJson<TextractResponse>(`textract-real/${name}`);
}

function shapes(response: TextractResponse): string[] {
  return readTextractDocument(response).pages.flatMap((page) =>
    page.tables.map((table) => `p${page.page} ${table.rowCount}x${table.columnCount}`),
  );
}

describe('real Textract responses (shapes checked by hand against SOURCES.md and the documents)', () => {
  it.each([
    ['financial-table-footers-layout.json', ['p1 12x6']],
    ['multipage-forms-merged-2p.json', ['p1 6x4', 'p2 5x5']],
    ['multipage-table-3p.json', ['p1 10x3', 'p1 7x3', 'p2 41x3', 'p3 11x3']],
    ['paystub-7tables.json', ['p1 2x5', 'p1 2x2', 'p1 6x5', 'p1 7x3', 'p1 15x4', 'p1 3x2', 'p1 2x3']],
    ['table-out-of-order-cells.json', ['p1 30x8']],
    ['table-title-footer-merged.json', ['p1 13x5']],
  ])('%s reads without error into tables of the printed shape', (name, expected) => {
    expect(shapes(real(name))).toEqual(expected);
  });

  it('stitches the bank statement table that runs over three pages without a repeated header', () => {
    const tables = stitchTables(readTextractDocument(real('multipage-table-3p.json')));
    expect(tables.map((table) => [table.pages, table.rows.length, table.columnCount])).toEqual([
      [[1], 9, 3],
      [[1, 2, 3], 58, 3],
    ]);
    const statement = tables[1]!;
    expect(statement.header).toEqual(['Date', 'Description Long 2', 'Withdrawals / Deposits']);
    expect(statement.rows.at(-1)?.cells).toEqual([
      '6/6/2020',
      'Retail Purchase - Loblaws - 8408401968',
      '-234',
    ]);
    expect(statement.rows.at(-1)?.sources).toEqual([{ page: 3, row: 11 }]);
  });

  it('puts merged-cell text in the top-left cell and leaves the covered cells empty', () => {
    const table = readTextractDocument(real('table-title-footer-merged.json')).pages[0]!.tables[0]!;
    const row = (r: number) => table.rows[r]!.map((cell) => cell.text);
    expect(row(0)).toEqual(['Balance Sheet', '', '', '', '']);
    expect(row(1)).toEqual(['Date', 'Description', 'Credit', 'Debit', 'Balance']);
    expect(row(4)).toEqual(['2022-12-24', 'Payment Credit Card', '', '1,000', '10,000']);
    expect(row(5)).toEqual(['', 'Payment Utility', '', '40', '9,960']);
    expect(table.rows[4]![0]!.merge).toEqual({ row: 5, col: 1, rowSpan: 2, colSpan: 1 });
    expect(table.rows[5]![0]!.merge).toBe(table.rows[4]![0]!.merge);
  });

  it('reads cells listed out of row/column order by their indices', () => {
    const table = readTextractDocument(real('table-out-of-order-cells.json')).pages[0]!.tables[0]!;
    expect(table.rows.every((row) => row.length === 8)).toBe(true);
    expect(
      table.rows.flat().every((cell, i) => cell.row === Math.floor(i / 8) + 1 && cell.col === (i % 8) + 1),
    ).toBe(true);
  });

  it('gives synchronous responses without Page fields page 1, and reads COLUMN_HEADER marks', () => {
    const document = readTextractDocument(real('multipage-forms-merged-2p.json'));
    expect(document.pageCount).toBe(2);
    const header = document.pages[0]!.tables[0]!.rows[0]!;
    expect(header.some((cell) => cell.columnHeader)).toBe(true);
  });
});

describe('cell text', () => {
  const header = ['No', 'Concern', 'Response', 'Owner', 'Target date'];

  it('keeps the author’s line breaks and marks wrapped lines as wraps', () => {
    const response =
      'Short line.\nA second paragraph long enough to wrap over several lines in a column of this width.';
    const rows = [['1', 'A concern', response, 'Head of Safety\nGovernor', 'June 2023\nJune 2023']];
    const { responses } = layoutRowsAsTextract(header, rows, { columnWidths: [40, 200, 150, 200, 179] });
    const table = readTextractDocument(responses).pages[0]!.tables[0]!;
    expect(table.rows[1]![2]!.lineCount).toBeGreaterThan(3);
    expect(table.rows[1]!.map((cell) => cell.text.replaceAll(WRAPPED_LINE, ' '))).toEqual(rows[0]);
    expect(table.rows[1]![2]!.text).toContain(WRAPPED_LINE);
  });

  it('reads a wrap as a space, and a word broken after its hyphen as one word', () => {
    const text =
      'The safety team was under-resourced and work to address the causes of violence remained limited.';
    const { responses } = layoutRowsAsTextract(header, [['1', 'x', text, 'Governor', 'June 2023']], {
      columnWidths: [40, 60, 110, 150, 80],
    });
    const cell = readTextractDocument(responses).pages[0]!.tables[0]!.rows[1]![2]!;
    expect(cell.lineCount).toBeGreaterThan(3);
    expect(cell.text.replaceAll(WRAPPED_LINE, ' ')).toBe(text);
  });
});

describe('paginated results', () => {
  const header = ['No', 'Concern', 'Response', 'Owner', 'Target date'];
  const rows = Array.from({ length: 120 }, (_, i) => [
    `${i + 1}`,
    `Concern ${i + 1}`,
    'Response.',
    'Governor',
    'June 2023',
  ]);

  it('reads GetDocumentAnalysis pages one at a time, from any iterable', () => {
    const { responses } = layoutRowsAsTextract(header, rows, {
      asynchronous: true,
      maxBlocksPerResponse: 200,
    });
    expect(responses.length).toBeGreaterThan(3);
    function* oneByOne() {
      yield* responses;
    }
    const streamed = readTextractDocument(oneByOne());
    expect(streamed).toEqual(readTextractDocument(responses));
    expect(streamed.pages.map((page) => page.page)).toEqual(
      Array.from({ length: streamed.pageCount }, (_, i) => i + 1),
    );
  });

  it('results out of page order are a typed error, not a silently wrong document', () => {
    const { responses } = layoutRowsAsTextract(header, rows, { asynchronous: true });
    const blocks = responses.flatMap((response) => response.Blocks ?? []);
    const lastPage = Math.max(...blocks.map((block) => block.Page ?? 0));
    const shuffled = [
      ...blocks.filter((block) => block.Page !== 1),
      ...blocks.filter((block) => block.Page === 1),
    ];
    expect(lastPage).toBeGreaterThan(2);
    expect(() => readTextractDocument({ JobStatus: 'SUCCEEDED', Blocks: shuffled })).toThrow(
      /out of page order/,
    );
  });
});

describe('bad responses', () => {
  it('a response without Blocks is a typed error', () => {
    expect(() => readTextractDocument({} as TextractResponse)).toThrow(UnreadableDocumentError);
  });

  it('a failed analysis job is a typed error carrying Textract’s message', () => {
    expect(() =>
      readTextractDocument({ JobStatus: 'FAILED', StatusMessage: 'Unsupported document format', Blocks: [] }),
    ).toThrow('The Textract job ended with status FAILED: Unsupported document format');
  });

  it('an empty list of responses is a typed error', () => {
    expect(() => readTextractDocument([])).toThrow(
      expect.objectContaining({ code: 'INVALID_TEXTRACT_RESPONSE' }),
    );
  });
});
