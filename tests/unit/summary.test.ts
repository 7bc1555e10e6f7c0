import { describe, expect, it } from 'vitest';
import { readSummary } from '../../shared/extraction/summary.ts';

describe('readSummary', () => {
  it('reads label / number rows under a heading', () => {
    expect(
      readSummary([
        ['Recommendations'],
        ['Agreed', '55'],
        ['Partly Agreed', '10'],
        ['Not Agreed', '7'],
        ['Total', '72'],
      ]),
    ).toEqual({ agreed: 55, partly_agreed: 10, not_agreed: 7, total: 72 });
  });

  it('reads a number printed in the same cell as its label', () => {
    expect(readSummary([['Agreed 55'], ['Total: 55']])).toEqual({ agreed: 55, total: 55 });
  });

  it('reads the 2015 groups one after the other', () => {
    expect(
      readSummary([
        ['Recommendations'],
        ['Accepted', '40'],
        ['Accepted subject to resources', '2'],
        ['Rejected', '3'],
        ['Total', '45'],
        ['Housekeeping points'],
        ['Accepted', '6'],
        ['Total', '6'],
      ]),
    ).toEqual({
      accepted: 40,
      accepted_subject_to_resources: 2,
      rejected: 3,
      total: 45,
      housekeeping: { accepted: 6, total: 6 },
    });
  });

  it('reads the 2015 groups side by side as number columns', () => {
    expect(
      readSummary([
        ['', 'Recommendations', 'Housekeeping points'],
        ['Accepted', '40', '6'],
        ['Rejected', '3', '0'],
        ['Total', '43', '6'],
      ]),
    ).toEqual({ accepted: 40, rejected: 3, total: 43, housekeeping: { accepted: 6, rejected: 0, total: 6 } });
  });

  it('is null when nothing looks like a summary', () => {
    expect(
      readSummary([
        ['Date', 'Amount'],
        ['1/2/2020', '3'],
      ]),
    ).toBeNull();
  });
});
