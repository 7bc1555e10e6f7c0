import { describe, expect, it } from 'vitest';
import { WRAPPED_LINE } from '../../shared/domain/text.ts';
import { stitchTables, textFlowsOn } from '../../shared/extraction/table-stitching.ts';
import { readTextractDocument } from '../../shared/extraction/textract-document.ts';
import { type LayoutOptions, layoutRowsAsTextract } from '../helpers/layout-rows-as-textract.ts';

const HEADER = ['Rec no', 'Recommendation', 'Agreed', 'Response', 'Owner', 'Target date'];
const SMALL_PAGE: LayoutOptions = {
  pageWidth: 600,
  pageHeight: 260,
  margin: 20,
  fontSize: 9,
  columnWidths: [40, 120, 50, 200, 90, 60],
};

function sentence(words: number, start = 'Staff'): string {
  const filler = ['will', 'review', 'the', 'regime', 'and', 'report', 'progress', 'to', 'the', 'board', 'each', 'month'];
  return `${start} ${Array.from({ length: words }, (_, i) => filler[i % filler.length]).join(' ')}.`;
}

/** The stitched tables, with wrapped lines read as the spaces they print as. */
function stitch(rows: string[][], options: LayoutOptions = SMALL_PAGE) {
  const layout = layoutRowsAsTextract(HEADER, rows, options);
  const tables = stitchTables(readTextractDocument(layout.responses));
  for (const row of tables.flatMap((table) => table.rows)) {
    row.cells = row.cells.map((text) => text.replaceAll(WRAPPED_LINE, ' '));
  }
  return { layout, tables };
}

describe('stitchTables', () => {
  it('stitches the page tables into one and drops the header repeated on each page', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`${i + 1}`, `Rec ${i + 1}`, 'Agreed', 'Done.', 'Governor', 'May 2018']);
    const { layout, tables } = stitch(rows);
    expect(layout.pages).toBeGreaterThan(1);
    expect(tables).toHaveLength(1);
    expect(tables[0]!.pages).toHaveLength(layout.pages);
    expect(tables[0]!.rows.map((row) => row.cells)).toEqual(rows);
  });

  it('joins the two halves of a row cut by a page break, cell by cell', () => {
    const long = sentence(140);
    const rows = [
      ['1', 'First', 'Agreed', 'Short.', 'Governor', 'May 2018'],
      ['2', 'Second', 'Agreed', long, 'Head of Safety', 'June 2018'],
      ['3', 'Third', 'Agreed', 'Short.', 'Governor', 'May 2018'],
    ];
    const { layout, tables } = stitch(rows);
    expect(layout.cutRows).toHaveLength(1);
    const [table] = tables;
    expect(table!.rows.map((row) => row.cells)).toEqual(rows);
    expect(table!.rows[1]!.sources.map((source) => source.page)).toEqual([1, 2]);
  });

  it('keeps a new action row that starts a page, with an owner and target of its own, as a new row', () => {
    const rows: string[][] = [['1', 'First', 'Agreed', 'Opening action.', 'Governor', 'May 2018']];
    for (let i = 0; i < 12; i++) rows.push(['', '', '', `Action ${i + 2} is planned.`, 'Head of Safety', 'June 2018']);
    const { layout, tables } = stitch(rows);
    expect(layout.pages).toBeGreaterThan(1);
    expect(layout.cutRows).toEqual([]);
    expect(tables[0]!.rows.map((row) => row.cells)).toEqual(rows);
  });

  it('carries the text of an item cell merged down over the page break up to its item', () => {
    const itemText = sentence(110, 'Managers');
    const rows: string[][] = [['1', itemText, 'Agreed', 'First action.', 'Governor', 'May 2018']];
    for (let i = 0; i < 8; i++) rows.push(['', '', '', `Action ${i + 2} is planned.`, 'Head of Safety', 'June 2018']);
    const { layout, tables } = stitch(rows);
    expect(layout.pages).toBeGreaterThan(1);
    const stitchedRows = tables[0]!.rows.map((row) => row.cells);
    expect(stitchedRows[0]![1]).toBe(itemText);
    expect(stitchedRows.slice(1).every((cells) => cells[1] === '')).toBe(true);
    expect(stitchedRows.map((cells) => cells[3])).toEqual(rows.map((cells) => cells[3]));
  });

  it('reads a section row as one cell spanning the table', () => {
    const rows = [
      ['Main recommendations To HMPPS and The Governor', '', '', '', '', ''],
      ['1', 'First', 'Agreed', 'Done.', 'Governor', 'May 2018'],
    ];
    const { tables } = stitch(rows);
    expect(tables[0]!.rows.map((row) => [row.cells, row.spansAllColumns])).toEqual([
      [rows[0], true],
      [rows[1], false],
    ]);
  });

  it('starts a new table when the columns change', () => {
    const plan = layoutRowsAsTextract(HEADER, [['1', 'First', 'Agreed', 'Done.', 'Governor', 'May 2018']]);
    const summary = layoutRowsAsTextract(['Decision', 'Count'], [['Agreed', '1']]);
    const blocks = [
      ...plan.responses.flatMap((response) => response.Blocks ?? []).map((block) => ({ ...block, Page: 1 })),
      ...summary.responses
        .flatMap((response) => response.Blocks ?? [])
        .map((block) => ({ ...block, Id: `summary-${block.Id}`, Page: 2, Relationships: block.Relationships?.map((r) => ({ ...r, Ids: r.Ids?.map((id) => `summary-${id}`) })) })),
    ];
    const tables = stitchTables(readTextractDocument({ Blocks: blocks }));
    expect(tables.map((table) => table.header)).toEqual([HEADER, ['Decision', 'Count']]);
  });
});

describe('textFlowsOn', () => {
  it.each([
    ['is to be', 'continued next year.', true],
    ['The plan is agreed.', 'later on', true],
    ['The plan is agreed.', 'A new paragraph.', false],
    ['The process is:', 'Checks daily.', true],
    ['Item one.', '• Item two.', false],
  ])('%j → %j: %s', (before, after, flows) => {
    expect(textFlowsOn(before, after)).toBe(flows);
  });
});
