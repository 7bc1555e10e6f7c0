import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  dueDateOf,
  isRecognisedTarget,
  parseTargetCell,
  type Target,
} from '../../shared/domain/target-dates.ts';

describe('dueDateOf', () => {
  it.each([
    ['31 March 2018', '2018-03-31'],
    ['31st March 2018', '2018-03-31'],
    ['1st of April 2018', '2018-04-01'],
    ['March 31, 2018', '2018-03-31'],
    ['March 31st 2018', '2018-03-31'],
    ['31/03/2018', '2018-03-31'],
    ['31/03/18', '2018-03-31'],
    ['5/3/2018', '2018-03-05'],
    ['31.03.2018', '2018-03-31'],
    ['31-03-2018', '2018-03-31'],
    ['2018-03-31', '2018-03-31'],
    ['31-Mar-18', '2018-03-31'],
    ['Friday 29 February 2019', null],
    ['Thursday 29 February 2024', '2024-02-29'],
  ])('full date %j → %s', (raw, due) => {
    expect(dueDateOf(raw)).toBe(due);
  });

  it.each(['31/02/2018', '32 March 2018', '29/02/2019', '31 June 2018', '12/13/2018', '00/03/2018'])(
    'invalid date %j is not a date',
    (raw) => {
      expect(dueDateOf(raw)).toBeNull();
      expect(isRecognisedTarget(raw)).toBe(false);
    },
  );

  it.each([
    ['June 2018', '2018-06-30'],
    ['March 26', '2026-03-31'],
    ['Sept 2023', '2023-09-30'],
    ['Sept. 2023', '2023-09-30'],
    ['Sep-23', '2023-09-30'],
    ['Mar 2019', '2019-03-31'],
    ['03/2019', '2019-03-31'],
    ['11/2018', '2018-11-30'],
    ['February 2024', '2024-02-29'],
    ['February 2023', '2023-02-28'],
    ['February 2000', '2000-02-29'],
    ['February 2100', '2100-02-28'],
    ['JUNE 2018', '2018-06-30'],
    ['April-June 2018', '2018-06-30'],
    ['April to June 2018', '2018-06-30'],
    ['June 2018.', '2018-06-30'],
  ])('month and year %j → last day of the month, %s', (raw, due) => {
    expect(dueDateOf(raw)).toBe(due);
  });

  it.each([
    ['End of Financial Year 2018/2019', '2019-03-31'],
    ['End of Financial Year 2018/19', '2019-03-31'],
    ['end of FY 2018-19', '2019-03-31'],
    ['Financial Year 2018/19', '2019-03-31'],
    ['FY18/19', '2019-03-31'],
    ['By the end of the financial year 2019/20', '2020-03-31'],
    ['2018/19 financial year', '2019-03-31'],
    ['2018/2019', '2019-03-31'],
    ['2018-19', '2019-03-31'],
  ])('financial year %j → 31 March of its second year, %s', (raw, due) => {
    expect(dueDateOf(raw)).toBe(due);
  });

  it.each(['Financial Year 2018/2020', 'FY 2019/18', '18/19'])(
    '%j is not a financial year (the years must follow on, a bare pair needs four digits first)',
    (raw) => {
      expect(dueDateOf(raw)).toBeNull();
    },
  );

  it.each([
    ['End of March 2018', '2018-03-31'],
    ['the end of March 2018', '2018-03-31'],
    ['By end of June 2019', '2019-06-30'],
    ['By the end of June 2019', '2019-06-30'],
    ['by June 2019', '2019-06-30'],
    ['by 31 March 2018', '2018-03-31'],
    ['No later than 31 March 2018', '2018-03-31'],
    ['Due: June 2019', '2019-06-30'],
    ['w/c 5 March 2018', '2018-03-05'],
    ['Week commencing 5 March 2018', '2018-03-05'],
    ['Mid June 2018', '2018-06-30'],
    ['Late 2019', '2019-12-31'],
    ['Start of June 2018', '2018-06-01'],
    ['Ongoing until March 2019', '2019-03-31'],
    ['Completed January 2018', '2018-01-31'],
    ['Complete – March 2018', '2018-03-31'],
    ['Complete - March 2018', '2018-03-31'],
    ['Completed: 12/03/2018', '2018-03-12'],
    ['Completed by end of March 2018', '2018-03-31'],
    ['Achieved May 2018', '2018-05-31'],
    ['Completed (March 2018)', '2018-03-31'],
  ])('qualified date %j → the date inside, %s', (raw, due) => {
    expect(dueDateOf(raw)).toBe(due);
  });

  it.each([
    ['2019', '2019-12-31'],
    ['End of 2019', '2019-12-31'],
    ['by end 2019', '2019-12-31'],
    ['mid-2019', '2019-12-31'],
  ])('a year alone %j → 31 December, %s', (raw, due) => {
    expect(dueDateOf(raw)).toBe(due);
  });

  it.each([
    ['Q1 2019', '2019-03-31'],
    ['Q4 2019', '2019-12-31'],
    ['Q2-2019', '2019-06-30'],
    ['Quarter 3 2019', '2019-09-30'],
    ['2nd quarter 2019', '2019-06-30'],
    ['2019 Q3', '2019-09-30'],
    ['End of Q1 2019', '2019-03-31'],
    ['Q1 2019/20', '2019-06-30'],
    ['Q4 FY19/20', '2020-03-31'],
  ])('quarter %j → end of the quarter (calendar, or financial for a financial year), %s', (raw, due) => {
    expect(dueDateOf(raw)).toBe(due);
  });

  it.each([
    ['Spring 2019', '2019-05-31'],
    ['Summer 2023', '2023-08-31'],
    ['Autumn 2023', '2023-11-30'],
    ['Winter 2023', '2024-02-29'],
  ])('season %j → end of the meteorological season, %s', (raw, due) => {
    expect(dueDateOf(raw)).toBe(due);
  });

  it.each([
    'Complete',
    'Completed',
    'complete.',
    'Ongoing',
    'On-going',
    'On going',
    'Completed and Ongoing',
    'Complete and ongoing',
    'Completed & on-going',
    'Immediate',
    'Immediate and ongoing',
    'In place',
    'Achieved',
    'N/A',
    'TBC',
    'To be confirmed',
    'Monthly',
    'Quarterly',
    'Annually',
    'Six monthly',
    'Bi-annually',
  ])('status %j → null, recognised', (raw) => {
    expect(dueDateOf(raw)).toBeNull();
    expect(isRecognisedTarget(raw)).toBe(true);
  });

  it.each([
    '18-24 post Royal Assent',
    '6 months after contract award',
    'Subject to funding',
    'Dependent on national roll-out',
  ])('condition %j → null, not a recognised target on its own', (raw) => {
    expect(dueDateOf(raw)).toBeNull();
    expect(isRecognisedTarget(raw)).toBe(false);
  });

  it.each(['', '   ', '???', 'asdf qwerty', 'March', '31 March', 'Complete Complete', 'June 2023 June 2023'])(
    'nonsense or not one target %j → null, not recognised',
    (raw) => {
      expect(dueDateOf(raw)).toBeNull();
      expect(isRecognisedTarget(raw)).toBe(false);
    },
  );

  it('reads a phrase wrapped over lines', () => {
    expect(dueDateOf('End of Financial Year\n2018/2019')).toBe('2019-03-31');
    expect(dueDateOf('Completed January\n2018')).toBe('2018-01-31');
  });
});

describe('parseTargetCell', () => {
  const raws = (cell: string) => parseTargetCell(cell).map((target) => target.raw);

  it('gives [] for an empty cell', () => {
    expect(parseTargetCell('')).toEqual([]);
    expect(parseTargetCell(' \n \n')).toEqual([]);
  });

  it('gives each target its due date', () => {
    expect(parseTargetCell('Completed and Ongoing\nMarch 2018')).toEqual<Target[]>([
      { raw: 'Completed and Ongoing', due: null },
      { raw: 'March 2018', due: '2018-03-31' },
    ]);
  });

  it('keeps one target per line, repeats and order kept', () => {
    expect(raws('June 2023\nJune 2023\nJune 2023\nOctober 2023')).toEqual([
      'June 2023',
      'June 2023',
      'June 2023',
      'October 2023',
    ]);
    expect(raws('Complete\nComplete')).toEqual(['Complete', 'Complete']);
    expect(raws('May 2018\nFebruary 2018\nMarch 2018')).toEqual(['May 2018', 'February 2018', 'March 2018']);
  });

  it('strips bullets, collapses whitespace and drops a trailing full stop', () => {
    expect(raws('• June 2018\n- Complete.\n– March  2019\n* Ongoing')).toEqual([
      'June 2018',
      'Complete',
      'March 2019',
      'Ongoing',
    ]);
    expect(raws('  Completed   and\tOngoing  ')).toEqual(['Completed and Ongoing']);
    expect(raws('1. March 2018\n2) June 2018\n(a) Complete')).toEqual([
      'March 2018',
      'June 2018',
      'Complete',
    ]);
  });

  it.each([
    ['Completed and\nOngoing', ['Completed and Ongoing']],
    ['Completed January\n2018', ['Completed January 2018']],
    ['End of Financial\nYear 2018/2019', ['End of Financial Year 2018/2019']],
    ['End of Financial Year\n2018/2019', ['End of Financial Year 2018/2019']],
    ['End of\nFinancial Year\n2018/2019', ['End of Financial Year 2018/2019']],
    ['End of Financial Year 2018/\n2019', ['End of Financial Year 2018/2019']],
    ['On-\ngoing', ['On-going']],
    ['Complete –\nMarch 2018', ['Complete – March 2018']],
    ['March 31,\n2018', ['March 31, 2018']],
    ['Completed and\nOngoing\nMarch 2018', ['Completed and Ongoing', 'March 2018']],
  ])('merges a target wrapped over lines: %j', (cell, expected) => {
    expect(raws(cell)).toEqual(expected);
  });

  it('extends a target when the next line opens with "and"', () => {
    expect(raws('Completed\nand Ongoing\nMarch 2018')).toEqual(['Completed and Ongoing', 'March 2018']);
    expect(raws('Completed\nand\nOngoing')).toEqual(['Completed and Ongoing']);
    expect(raws('Complete\nand March 2018')).toEqual(['Complete', 'March 2018']);
  });

  it.each([
    ['Complete\nComplete', ['Complete', 'Complete']],
    ['Completed and Ongoing\nMarch 2018', ['Completed and Ongoing', 'March 2018']],
    ['June 2023\nJune 2023\nJune 2023', ['June 2023', 'June 2023', 'June 2023']],
    ['Completed\nJanuary 2018', ['Completed', 'January 2018']],
  ])('never merges a line recognised on its own forward: %j', (cell, expected) => {
    expect(raws(cell)).toEqual(expected);
  });

  it('keeps a condition wrapped over lines as one target', () => {
    expect(parseTargetCell('18-24 post Royal\nAssent')).toEqual<Target[]>([
      { raw: '18-24 post Royal Assent', due: null },
    ]);
    expect(raws('6 months after\ncontract award\nMarch 2019')).toEqual([
      '6 months after contract award',
      'March 2019',
    ]);
    expect(raws('Completed and\nOngoing\n18-24 post Royal\nAssent')).toEqual([
      'Completed and Ongoing',
      '18-24 post Royal Assent',
    ]);
    expect(raws('Subject to funding.')).toEqual(['Subject to funding']);
  });

  it.each([
    ['June 2023 June 2023 October 2023', ['June 2023', 'June 2023', 'October 2023']],
    ['Complete Complete', ['Complete', 'Complete']],
    ['Completed and Ongoing March 2018', ['Completed and Ongoing', 'March 2018']],
    ['Completed and Ongoing Completed and Ongoing', ['Completed and Ongoing', 'Completed and Ongoing']],
    ['Completed January 2018', ['Completed January 2018']],
    ['June 2023 Complete Complete Complete', ['June 2023', 'Complete', 'Complete', 'Complete']],
    ['31 March 2018 30 June 2018', ['31 March 2018', '30 June 2018']],
    ['March 31, 2018', ['March 31, 2018']],
    ['End of Financial Year 2018/2019', ['End of Financial Year 2018/2019']],
  ])('splits a line holding several targets: %j', (cell, expected) => {
    expect(raws(cell)).toEqual(expected);
  });

  it.each([
    ['March 2018; June 2018', ['March 2018', 'June 2018']],
    ['March 2018 / June 2018', ['March 2018', 'June 2018']],
    ['March 2018, June 2018.', ['March 2018', 'June 2018']],
    ['March 2018 and June 2018', ['March 2018', 'June 2018']],
    ['Complete / Ongoing', ['Complete', 'Ongoing']],
    ['2018/2019', ['2018/2019']],
    ['Financial Year 2018/2019; March 2018', ['Financial Year 2018/2019', 'March 2018']],
  ])('splits at separators between targets: %j', (cell, expected) => {
    expect(raws(cell)).toEqual(expected);
  });

  it('keeps a line mixing free text and dates as one target', () => {
    expect(parseTargetCell('Subject to funding March 2018')).toEqual<Target[]>([
      { raw: 'Subject to funding March 2018', due: null },
    ]);
  });

  it('accepts Windows line breaks', () => {
    expect(raws('Complete\r\nMarch 2018')).toEqual(['Complete', 'March 2018']);
  });
});

// ---------------------------------------------------------------------------------------------------
// The real plans: every target printed in them, and every Target Date cell they came from.

interface TruthAction {
  text: string;
  targets: Target[];
}
interface TruthPlan {
  items: { actions: TruthAction[] }[];
}

const PLANS = ['hmp-liverpool-2018', 'hmp-long-lartin-2023'];
const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/action-plans/${name}`, import.meta.url)), 'utf8');

/** Only the words, for comparing a tsv cell with the truth's collapsed text (bullets are dropped there). */
const words = (text: string) => text.replace(/•/g, ' ').replace(/\s+/g, ' ').trim();

/** The tsv's action rows (header and one-cell section rows left out), with their target and response cells. */
function actionRows(tsv: string): { target: string; response: string }[] {
  const [header, ...rows] = tsv
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t').map((cell) => cell.replaceAll('\\n', '\n')));
  const targetColumn = header!.findIndex((cell) => cell.includes('Target'));
  const responseColumn = header!.findIndex((cell) => cell.includes('Response'));
  return rows
    .filter((cells) => cells.slice(1).some((cell) => cell.trim() !== ''))
    .map((cells) => ({ target: cells[targetColumn] ?? '', response: cells[responseColumn] ?? '' }));
}

describe.each(PLANS)('truth fixture %s', (plan) => {
  const truth = JSON.parse(fixture(`${plan}.truth.json`)) as TruthPlan;
  const actions = truth.items.flatMap((item) => item.actions);
  const rows = actionRows(fixture(`${plan}.rows.tsv`));
  const distinctTargets = [...new Map(actions.flatMap((a) => a.targets).map((t) => [t.raw, t])).values()];

  it.each(distinctTargets)('dueDateOf($raw) is $due', ({ raw, due }) => {
    expect(dueDateOf(raw)).toBe(due);
  });

  it('has one tsv row per action, in the same order', () => {
    expect(rows).toHaveLength(actions.length);
    expect(rows.map((row) => words(row.response))).toEqual(actions.map((action) => words(action.text)));
  });

  it('parses every Target Date cell into the truth targets', () => {
    expect(rows.map((row) => parseTargetCell(row.target))).toEqual(actions.map((action) => action.targets));
  });
});
