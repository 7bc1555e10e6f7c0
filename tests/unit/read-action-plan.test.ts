import { describe, expect, it } from 'vitest';
import { UnreadableDocumentError } from '../../shared/domain/errors.ts';
import type { Plan } from '../../shared/domain/plan.ts';
import { readActionPlan } from '../../shared/extraction/read-action-plan.ts';
import { mendedTruthItems, mendHyphenTypos, TITLE_LINES, TRAILING_LINES } from '../helpers/fixture-documents.ts';
import { ACTION_PLAN_FIXTURES, type ActionPlanFixture, loadRows, loadTruth } from '../helpers/fixtures.ts';
import { type LayoutOptions, layoutRowsAsTextract } from '../helpers/layout-rows-as-textract.ts';

/**
 * The fixture rows laid out on pages as Word does (header repeated on each page, rows cut by page
 * breaks, item cells merged down across action rows and over page breaks, section rows merged across
 * the table), turned into Textract Blocks, and read back: the same plan must come out.
 */
function layOut(name: ActionPlanFixture, options: LayoutOptions) {
  const { header, rows } = loadRows(name);
  return layoutRowsAsTextract(
    header,
    rows.map((row) => row.map(mendHyphenTypos)),
    { asynchronous: true, ...options },
  );
}

/** Column widths (landscape A4, 9 pt) that leave no author's line break where the next word would not fit. */
const WIDE_COLUMNS: Record<ActionPlanFixture, number[]> = {
  'hmp-liverpool-2018': [40, 150, 70, 270, 140, 99.89],
  'hmp-long-lartin-2023': [30, 200, 330, 120, 89.89],
};

describe('Textract Blocks of a laid-out plan → the whole plan', () => {
  for (const name of ACTION_PLAN_FIXTURES) {
    it(`${name}: title facts, summary and every item equal the truth`, () => {
      const layout = layOut(name, {
        fontSize: 8,
        columnWidths: WIDE_COLUMNS[name],
        titleLines: TITLE_LINES[name],
        trailingLines: TRAILING_LINES[name],
        maxBlocksPerResponse: 1000,
      });
      expect(layout.responses.length).toBeGreaterThan(1);
      expect(layout.cutRows.length).toBeGreaterThan(0);

      const plan = readActionPlan(layout.responses, `${name}.pdf`);
      const truth = loadTruth(name);
      const { items, warnings, ...facts } = plan;
      const { items: _truthItems, ...truthFacts } = truth as Plan;
      expect(facts).toEqual(truthFacts);
      expect(items).toEqual(mendedTruthItems(name));
      expect(warnings).toEqual([]);
    });

    it(`${name}: rows not allowed to break across pages`, () => {
      const layout = layOut(name, { fontSize: 8, columnWidths: WIDE_COLUMNS[name], allowRowBreak: false });
      expect(layout.cutRows).toEqual([]);
      expect(readActionPlan(layout.responses, `${name}.pdf`).items).toEqual(mendedTruthItems(name));
    });

    it(`${name}: item cells not merged (blank below the item row)`, () => {
      const layout = layOut(name, { fontSize: 8, columnWidths: WIDE_COLUMNS[name], mergeItemCells: false });
      expect(readActionPlan(layout.responses, `${name}.pdf`).items).toEqual(mendedTruthItems(name));
    });
  }

  it('hmp-long-lartin-2023 on portrait pages at 10 pt, many rows cut', () => {
    const layout = layOut('hmp-long-lartin-2023', { fontSize: 10, pageWidth: 595.28, pageHeight: 841.89 });
    expect(layout.cutRows.length).toBeGreaterThan(5);
    expect(readActionPlan(layout.responses, 'x.pdf').items).toEqual(mendedTruthItems('hmp-long-lartin-2023'));
  });

  /**
   * Across many page layouts the page breaks fall in different places. Two cases cannot be told
   * apart from Blocks at all: a row cut at a sentence end vs a new action row with neither owner nor
   * target that starts the page; and an owner cell's line break where the next word would not have
   * fitted anyway. The reader's choices must still get nearly every item right.
   */
  it('stays accurate across font sizes and page orientations', () => {
    let items = 0;
    let exact = 0;
    let cuts = 0;
    for (const name of ACTION_PLAN_FIXTURES) {
      const expected = mendedTruthItems(name);
      for (const fontSize of [7, 8, 9, 10, 11, 12]) {
        for (const portrait of [false, true]) {
          const layout = layOut(name, {
            fontSize,
            ...(portrait ? { pageWidth: 595.28, pageHeight: 841.89 } : {}),
          });
          const plan = readActionPlan(layout.responses, `${name}.pdf`);
          expect(plan.items.map((item) => item.ref)).toEqual(expected.map((item) => item.ref));
          const matching = expected.filter(
            (item, i) => JSON.stringify(plan.items[i]) === JSON.stringify(item),
          );
          expect(matching.length / expected.length).toBeGreaterThanOrEqual(0.9);
          items += expected.length;
          exact += matching.length;
          cuts += layout.cutRows.length;
        }
      }
    }
    expect(cuts).toBeGreaterThan(300);
    expect(exact / items).toBeGreaterThanOrEqual(0.97);
  });
});

describe('documents that are not action plans', () => {
  it('a document with no table says so', () => {
    const layout = layoutRowsAsTextract(['No', 'Concern'], [], { titleLines: ['Some letter'] });
    const blocks = layout.responses.flatMap((response) => response.Blocks ?? []);
    const withoutTables = blocks.filter(
      (block) => !['TABLE', 'CELL', 'MERGED_CELL'].includes(block.BlockType ?? ''),
    );
    expect(() => readActionPlan({ Blocks: withoutTables }, 'letter.pdf')).toThrow(
      expect.objectContaining({ code: 'NO_TABLE_FOUND' }),
    );
  });

  it('a document with no text at all says it may need OCR', () => {
    expect(() => readActionPlan({ Blocks: [{ BlockType: 'PAGE', Id: 'p1' }] }, 'scan.pdf')).toThrow(/OCR/);
  });

  it('a table that is not an action plan is named in the error', () => {
    const layout = layoutRowsAsTextract(['Date', 'Description', 'Amount'], [['1/2/2020', 'Coffee', '3.00']]);
    let caught: unknown;
    try {
      readActionPlan(layout.responses, 'statement.pdf');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnreadableDocumentError);
    expect(caught).toMatchObject({ code: 'UNRECOGNISED_TABLE' });
    expect((caught as Error).message).toContain('[Date | Description | Amount]');
  });
});

describe('warnings a reader should check', () => {
  it('printed totals that disagree with the items stay as printed and are warned about', () => {
    const layout = layOut('hmp-liverpool-2018', {
      fontSize: 8,
      columnWidths: WIDE_COLUMNS['hmp-liverpool-2018'],
      trailingLines: ['Recommendations', 'Agreed 56', 'Partly Agreed 10', 'Not Agreed 7', 'Total 73'],
    });
    const plan = readActionPlan(layout.responses, 'x.pdf');
    expect(plan.summary).toEqual({ agreed: 56, partly_agreed: 10, not_agreed: 7, total: 73 });
    expect(plan.warnings).toEqual([
      'The printed summary gives 56 recommendations as agreed, but the table has 55',
      'The printed summary gives 73 recommendations as total, but the table has 72',
    ]);
  });

  it('a number missing from the sequence is warned about', () => {
    const { header, rows } = loadRows('hmp-long-lartin-2023');
    const itemStart = rows.findIndex((row) => row[0] === '3');
    const nextItem = rows.findIndex((row) => row[0] === '4');
    const withoutThree = [...rows.slice(0, itemStart), ...rows.slice(nextItem)];
    const plan = readActionPlan(layoutRowsAsTextract(header, withoutThree).responses, 'x.pdf');
    expect(plan.items.map((item) => item.ref)).not.toContain('3');
    expect(plan.warnings).toEqual(['Recommendation numbers missing from the sequence: 3']);
  });
});
