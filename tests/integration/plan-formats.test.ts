import { describe, expect, it } from 'vitest';
import { LocalPdfTableAnalyser } from '../../shared/adapters/local/pdf-table-analyser.ts';
import { extractPlan } from '../../shared/usecases/extract-plan.ts';
import { renderActionPlanPdf } from '../helpers/pdf-generators.ts';

/**
 * The 2015 format has no fixture PDF: a plan in its shape (Accepted / Rejected decisions, several
 * target dates and owners in a cell, housekeeping points, a summary with a housekeeping group and a
 * differently worded and ordered header) is printed and read back end to end.
 */
const HEADER = ['Ref', 'Recommendation', 'Accepted / Rejected', 'Action taken / planned', 'Target date', 'Owner'];
const ROWS = [
  ['Recommendations To the Governor', '', '', '', '', ''],
  ['Safety', '', '', '', '', ''],
  ['1.10', 'Staff should be trained in suicide prevention.', 'Accepted', 'Training is booked for all staff.', '31/03/2016\nOngoing', 'Head of Safety/ Training Manager'],
  ['', '', '', 'A refresher follows each year.', 'End of Financial Year 2016/17', ''],
  ['1.11', 'Cells should be decorated.', 'Accepted subject to resources', 'A bid has been made.', 'March 17', 'Governor'],
  ['1.12', 'Showers should be private.', 'Rejected', 'Showers meet the standard.', '', ''],
  ['Housekeeping points', '', '', '', '', ''],
  ['1.13', 'Repair the wing clock.', 'Accepted', 'Repaired.', 'Completed', 'Works Manager'],
];

describe('the 2015 Accepted/Rejected format, printed and read back', () => {
  it('reads decisions, kinds, several owners and targets, and the housekeeping summary', async () => {
    const bytes = await renderActionPlanPdf(HEADER, ROWS, {
      titleLines: ['Action Plan: HMP Exampleton', 'Report Published: 4 February 2016'],
      trailingLines: [
        'Recommendations',
        'Accepted 1',
        'Accepted subject to resources 1',
        'Rejected 1',
        'Total 3',
        'Housekeeping points',
        'Accepted 1',
        'Total 1',
      ],
    });
    const { plan } = await extractPlan({ bytes, name: 'hmp-exampleton-2016.pdf' }, new LocalPdfTableAnalyser());
    expect(plan.format).toBe('accepted-2015');
    expect(plan.establishment).toBe('HMP Exampleton');
    expect(plan.reportPublished).toBe('2016-02-04');
    expect(plan.items.map((item) => [item.ref, item.kind, item.addressee, item.section, item.decision])).toEqual([
      ['1.10', 'recommendation', 'the Governor', 'Safety', 'accepted'],
      ['1.11', 'recommendation', 'the Governor', 'Safety', 'accepted_subject_to_resources'],
      ['1.12', 'recommendation', 'the Governor', 'Safety', 'rejected'],
      ['1.13', 'housekeeping', 'the Governor', null, 'accepted'],
    ]);
    expect(plan.items[0]!.actions).toEqual([
      {
        text: 'Training is booked for all staff.',
        owners: ['Head of Safety', 'Training Manager'],
        targets: [
          { raw: '31/03/2016', due: '2016-03-31' },
          { raw: 'Ongoing', due: null },
        ],
      },
      {
        text: 'A refresher follows each year.',
        owners: [],
        targets: [{ raw: 'End of Financial Year 2016/17', due: '2017-03-31' }],
      },
    ]);
    expect(plan.items[1]!.actions[0]!.targets).toEqual([{ raw: 'March 17', due: '2017-03-31' }]);
    expect(plan.summary).toEqual({
      accepted: 1,
      accepted_subject_to_resources: 1,
      rejected: 1,
      total: 3,
      housekeeping: { accepted: 1, total: 1 },
    });
    expect(plan.warnings).toEqual([]);
  });
});
