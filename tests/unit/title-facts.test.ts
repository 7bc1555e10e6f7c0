import { describe, expect, it } from 'vitest';
import { dateRangeIn, readTitleFacts } from '../../shared/extraction/title-facts.ts';

describe('readTitleFacts', () => {
  it('reads the 2023 title block', () => {
    expect(
      readTitleFacts([
        'Action Plan: HMP Long Lartin',
        'Action Plan Submitted: 2 May 2023',
        'A Response to the HMIP Inspection: 5 – 16 December 2022',
        'Report Published: 12 April 2023',
        'ESTABLISHMENT: HMP LONG LARTIN',
      ]),
    ).toEqual({
      establishment: 'HMP Long Lartin',
      inspection: { from: '2022-12-05', to: '2022-12-16' },
      reportPublished: '2023-04-12',
      planSubmitted: '2023-05-02',
    });
  });

  it('reads the 2018 title block, where no inspection dates are printed', () => {
    expect(
      readTitleFacts([
        'Action Plan: HMP Liverpool',
        'A response to the HMCIP Inspection Report',
        'Report Published: 19 January 2018',
        'published on the HMPPS web based Prison Finder.',
      ]),
    ).toEqual({
      establishment: 'HMP Liverpool',
      inspection: null,
      reportPublished: '2018-01-19',
      planSubmitted: null,
    });
  });

  it('falls back to the capitalised establishment line and to a value on the next line', () => {
    expect(readTitleFacts(['ESTABLISHMENT: HMP/YOI HIGH DOWN', 'Report published:', '3 March 2016'])).toEqual(
      {
        establishment: 'HMP/YOI High Down',
        inspection: null,
        reportPublished: '2016-03-03',
        planSubmitted: null,
      },
    );
  });

  it('returns nulls when nothing is printed', () => {
    expect(readTitleFacts([])).toEqual({
      establishment: null,
      inspection: null,
      reportPublished: null,
      planSubmitted: null,
    });
  });
});

describe('dateRangeIn', () => {
  it.each([
    ['5 – 16 December 2022', { from: '2022-12-05', to: '2022-12-16' }],
    ['Inspection dates: 30 October – 10 November 2017', { from: '2017-10-30', to: '2017-11-10' }],
    ['27 November 2017 to 8 January 2018', { from: '2017-11-27', to: '2018-01-08' }],
    ['4-15 September 2017', { from: '2017-09-04', to: '2017-09-15' }],
    ['16 – 5 December 2022', null],
    ['31 – 32 December 2022', null],
    ['no dates', null],
  ])('%s', (text, range) => {
    expect(dateRangeIn(text)).toEqual(range);
  });
});
