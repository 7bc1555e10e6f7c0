import { describe, expect, it } from 'vitest';
import { UnreadableDocumentError } from '../../shared/domain/errors.ts';
import {
  classifyHeading,
  mapColumns,
  type PlanTable,
  parseDecision,
  readPlanTable,
} from '../../shared/extraction/plan-table.ts';
import { ACTION_PLAN_FIXTURES, loadPlanTable, loadTruth } from '../helpers/fixtures.ts';

function table(header: string[], rows: string[][]): PlanTable {
  return { header, rows: rows.map((cells, i) => ({ cells, sources: [{ page: 1, row: i + 2 }] })) };
}

describe('readPlanTable on the fixture rows', () => {
  for (const name of ACTION_PLAN_FIXTURES) {
    it(`${name}: items equal the hand-checked truth`, () => {
      const truth = loadTruth(name);
      const reading = readPlanTable(loadPlanTable(name));
      expect(reading.format).toBe(truth.format);
      expect(reading.items).toEqual(truth.items);
      expect(reading.warnings).toEqual([]);
    });

    it(`${name}: columns in another order give the same items`, () => {
      const original = loadPlanTable(name);
      const order = original.header.map((_, i) => i).reverse();
      const reordered: PlanTable = {
        header: order.map((i) => original.header[i]!),
        rows: original.rows.map((row) => ({ ...row, cells: order.map((i) => row.cells[i] ?? '') })),
      };
      // A section row now has its text in the last cell: mark it as the merged row it is in print.
      for (const row of reordered.rows) {
        const filled = row.cells.filter(Boolean);
        if (filled.length === 1 && row.cells.at(-1)) row.spansAllColumns = true;
      }
      expect(readPlanTable(reordered).items).toEqual(loadTruth(name).items);
    });
  }
});

describe('column mapping by header text', () => {
  it.each([
    [
      [
        '1. Rec. no',
        '2 Recommendation',
        '3. Agreed / Partly Agreed / Not Agreed',
        '4. Response Action Taken/Planned',
        '5. Function Responsible/ Policy Lead',
        '6. Target Date',
      ],
    ],
    [
      [
        'Rec No',
        'Recommendation',
        'Agreed/Partly Agreed/Not Agreed',
        'Response',
        'Responsible Owner',
        'Target date',
      ],
    ],
    [
      [
        'No',
        '2. Concerns',
        'Decision',
        '3. Response Action Taken/Planned',
        '4. Responsible Owner',
        '5. Target Date',
      ],
    ],
    [['Ref', 'Recommendation', 'Accepted/Rejected', 'Action taken/planned', 'Action owner', 'Timescale']],
  ])('%j', (header) => {
    expect(mapColumns(header)).toEqual({ ref: 0, text: 1, decision: 2, response: 3, owner: 4, target: 5 });
  });

  it('maps a header whose columns are in another order', () => {
    expect(mapColumns(['Target Date', 'Responsible Owner', 'Response', 'Concern', 'No'])).toEqual({
      target: 0,
      owner: 1,
      response: 2,
      text: 3,
      ref: 4,
    });
  });
});

describe('decisions', () => {
  it.each([
    ['Agreed', 'agreed'],
    ['AGREED.', 'agreed'],
    ['Partly Agreed', 'partly_agreed'],
    ['Partially agreed', 'partly_agreed'],
    ['Not Agreed', 'not_agreed'],
    ['Accepted', 'accepted'],
    ['Accepted subject to resources', 'accepted_subject_to_resources'],
    ['Rejected', 'rejected'],
    ['Not accepted', 'rejected'],
    ['Maybe', null],
  ])('%s → %s', (cell, decision) => {
    expect(parseDecision(cell)).toBe(decision);
  });
});

describe('rows above items', () => {
  it.each([
    [
      'Main recommendations To HMPPS and The Governor',
      { type: 'kind', kind: 'main_recommendation', addressee: 'HMPPS and the Governor' },
    ],
    [
      'Recommendations to HMPPS and the governor',
      { type: 'kind', kind: 'recommendation', addressee: 'HMPPS and the Governor' },
    ],
    ['Recommendation To HMPPS', { type: 'kind', kind: 'recommendation', addressee: 'HMPPS' }],
    ['Housekeeping points', { type: 'kind', kind: 'housekeeping', addressee: null }],
    ['Priority concerns', { type: 'kind', kind: 'priority_concern', addressee: null }],
    ['Key concerns', { type: 'kind', kind: 'key_concern', addressee: null }],
    ['Daily life', { type: 'section', section: 'Daily life' }],
  ])('%s', (text, heading) => {
    expect(classifyHeading(text)).toEqual(heading);
  });
});

describe('a section row whose merge Textract missed', () => {
  it('is read from the words that fell into the first cells', () => {
    const header = ['Rec no', 'Recommendation', 'Agreed', 'Response', 'Owner', 'Target date'];
    const reading = readPlanTable(
      table(header, [
        ['Main recommendations To', 'HMPPS and The Governor', '', '', '', ''],
        ['5.1', 'Text', 'Agreed', 'Done.', 'Governor', 'May 2018'],
      ]),
    );
    expect(reading.items.map((item) => [item.kind, item.addressee, item.section])).toEqual([
      ['main_recommendation', 'HMPPS and the Governor', null],
    ]);
  });
});

describe('the 2015 Accepted/Rejected format with housekeeping points', () => {
  const header = [
    'Rec No',
    'Recommendation',
    'Accepted / Rejected',
    'Response Action Taken / Planned',
    'Responsible Owner',
    'Target Date',
  ];
  const rows = [
    ['Recommendations To the Governor', '', '', '', '', ''],
    ['Safeguarding', '', '', '', '', ''],
    ['1.12', 'Staff should be trained.', 'Accepted', 'Training is booked.', 'Head of Safety.', '31/03/2016'],
    ['', '', '', 'A refresher follows.', 'Training Manager / Head of Safety', 'Ongoing'],
    [
      '1.13',
      'Cells should be clean.',
      'Accepted subject to resources',
      'Funding bid made.',
      'Governor',
      'End of Financial Year 2016/17',
    ],
    ['1.14', 'Showers should work.', 'Rejected', 'Showers meet the standard.', '', ''],
    ['Housekeeping points', '', '', '', '', ''],
    ['1.15', 'Paint the wing.', 'Accepted', 'Done.', 'Works Manager', 'Complete'],
  ];

  it('reads kinds, addressee, sections and decisions', () => {
    const reading = readPlanTable(table(header, rows));
    expect(reading.format).toBe('accepted-2015');
    expect(
      reading.items.map((item) => [item.ref, item.kind, item.addressee, item.section, item.decision]),
    ).toEqual([
      ['1.12', 'recommendation', 'the Governor', 'Safeguarding', 'accepted'],
      ['1.13', 'recommendation', 'the Governor', 'Safeguarding', 'accepted_subject_to_resources'],
      ['1.14', 'recommendation', 'the Governor', 'Safeguarding', 'rejected'],
      ['1.15', 'housekeeping', 'the Governor', null, 'accepted'],
    ]);
    expect(reading.items[0]!.actions).toEqual([
      {
        text: 'Training is booked.',
        owners: ['Head of Safety'],
        targets: [{ raw: '31/03/2016', due: '2016-03-31' }],
      },
      {
        text: 'A refresher follows.',
        owners: ['Training Manager', 'Head of Safety'],
        targets: [{ raw: 'Ongoing', due: null }],
      },
    ]);
    expect(reading.items[1]!.actions[0]!.targets).toEqual([
      { raw: 'End of Financial Year 2016/17', due: '2017-03-31' },
    ]);
    expect(reading.items[2]!.actions).toEqual([
      { text: 'Showers meet the standard.', owners: [], targets: [] },
    ]);
  });
});

describe('bad input', () => {
  const header = [
    'No',
    'Recommendation',
    'Agreed / Partly Agreed / Not Agreed',
    'Response',
    'Owner',
    'Target date',
  ];

  it('a table with no ref column is a typed error naming the columns', () => {
    const error = (() => {
      try {
        readPlanTable(table(['Recommendation', 'Response', 'Owner'], [['a', 'b', 'c']]));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnreadableDocumentError);
    expect(error).toMatchObject({ code: 'NO_REF_COLUMN' });
    expect(String((error as Error).message)).toContain('"Recommendation"');
  });

  it('a table that matches no known format is a typed error', () => {
    expect(() =>
      readPlanTable(table(['No', 'Recommendation', 'Response', 'Owner'], [['1', 'a', 'b', 'c']])),
    ).toThrow(expect.objectContaining({ code: 'UNRECOGNISED_TABLE' }));
  });

  it('duplicate refs are kept and warned about with both places', () => {
    const reading = readPlanTable(
      table(header, [
        ['1', 'First', 'Agreed', 'x', 'A', 'May 2020'],
        ['1', 'Again', 'Agreed', 'y', 'B', 'June 2020'],
      ]),
    );
    expect(reading.items).toHaveLength(2);
    expect(reading.warnings).toEqual([
      'Recommendation number 1 appears twice: at page 1, row 2 and at page 1, row 3',
    ]);
  });

  it('an unknown decision word is a warning naming the page and row, and the item is kept', () => {
    const reading = readPlanTable(
      table(header, [
        ['1', 'First', 'Agreed', 'x', 'A', 'May 2020'],
        ['2', 'Second', 'Under review', 'y', 'B', 'June 2020'],
      ]),
    );
    expect(reading.items.map((item) => item.decision)).toEqual(['agreed', null]);
    expect(reading.warnings).toEqual(['Unknown decision "Under review" for 2 at page 1, row 3']);
  });

  it('a row with no item above it is reported, not silently dropped', () => {
    const reading = readPlanTable(
      table(header, [
        ['', '', '', 'Stray response text', 'Governor', 'May 2020'],
        ['1', 'First', 'Agreed', 'x', 'A', 'May 2020'],
      ]),
    );
    expect(reading.items).toHaveLength(1);
    expect(reading.warnings).toEqual([
      'Row at page 1, row 2 could not be mapped: it has no recommendation number and no item above it ("Stray response text Governor May 2020")',
    ]);
  });

  it('an unusual ref is kept and warned about', () => {
    const reading = readPlanTable(table(header, [['Rec one', 'First', 'Agreed', 'x', 'A', 'May 2020']]));
    expect(reading.items.map((item) => item.ref)).toEqual(['Rec one']);
    expect(reading.warnings).toEqual(['Unusual recommendation number "Rec one" at page 1, row 2']);
  });
});
