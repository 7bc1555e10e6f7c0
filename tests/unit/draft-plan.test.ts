import { describe, expect, it } from 'vitest';
import { draftComparisonWarnings, draftItemsOf, textSimilarity } from '../../shared/domain/draft-plan.ts';
import type { Report, ReportItem } from '../../shared/domain/report.ts';
import { loadTruth, readFixtureJson } from '../helpers/fixtures.ts';

const liverpoolReport = (): Report => ({
  warnings: [],
  ...readFixtureJson<Omit<Report, 'warnings'>>('reports/hmp-liverpool-2018.truth.json'),
});

const item = (ref: string, text: string, kind: ReportItem['kind'] = 'recommendation'): ReportItem => ({
  ref,
  kind,
  addressee: null,
  section: null,
  text,
});

const USE_OF_FORCE =
  'Managers should ensure that use of force documentation is completed promptly and thoroughly, and that force is demonstrably proportionate and justified.';
const MENTAL_HEALTH =
  'The mental health service should be adequately resourced and staffed to ensure that all prisoners receive prompt assessment.';

describe('the draft a report starts', () => {
  it('has one item per recommendation, as printed, with no decision or actions', () => {
    const report = liverpoolReport();
    const items = draftItemsOf(report);
    expect(items).toHaveLength(72);
    expect(items[0]).toEqual({ ...report.items[0], decision: null, actions: [] });
    expect(items.every((draftItem) => draftItem.decision === null && draftItem.actions.length === 0)).toBe(true);
  });
});

describe('text similarity', () => {
  it('ignores case, white space, punctuation and accents', () => {
    expect(textSimilarity('The Governor’s  office, (S42)', 'the governors office S42')).toBe(1);
    expect(textSimilarity('well- established café', 'well-established cafe')).toBe(1);
    expect(textSimilarity('', '')).toBe(1);
  });

  it('is the share of distinct words the two texts have in common', () => {
    expect(textSimilarity('a b c d', 'a b c e')).toBeCloseTo(3 / 5);
    expect(textSimilarity('text', '')).toBe(0);
  });
});

describe('a plan checked against its draft', () => {
  it('the Liverpool plan answers every recommendation of its report, with the same texts', () => {
    expect(draftComparisonWarnings(draftItemsOf(liverpoolReport()), loadTruth('hmp-liverpool-2018').items)).toEqual([]);
  });

  it('a word or two reworded is not a material difference', () => {
    const reworded = USE_OF_FORCE.replace('Managers should ensure', 'Managers must ensure');
    expect(textSimilarity(USE_OF_FORCE, reworded)).toBeGreaterThanOrEqual(0.8);
    expect(draftComparisonWarnings([item('5.3', USE_OF_FORCE)], [item('5.3', reworded)])).toEqual([]);
  });

  it('names refs of the report with no response, and refs of the plan not in the report', () => {
    const draft = [item('5.1', MENTAL_HEALTH), item('5.3', USE_OF_FORCE), item('1', 'Keep cells clean', 'priority_concern')];
    const plan = [item('5.1', MENTAL_HEALTH), item('5.4', 'Reduce violence'), item('2', 'Staff the wings', 'key_concern')];
    expect(draftComparisonWarnings(draft, plan)).toEqual([
      'Recommendation 5.3 of the report has no response in the plan',
      'Priority concern 1 of the report has no response in the plan',
      'Recommendation 5.4 of the plan is not in the report',
      'Key concern 2 of the plan is not in the report',
    ]);
  });

  it('names a recommendation whose text differs materially, with both refs', () => {
    const draft = [item('5.1', MENTAL_HEALTH), item('5.3', USE_OF_FORCE)];
    const altered = 'Managers should review staffing levels on every wing each month.';
    expect(draftComparisonWarnings(draft, [item('5.1', MENTAL_HEALTH), item('5.3', altered)])).toEqual([
      'The text of recommendation 5.3 in the plan differs from recommendation 5.3 in the report',
    ]);
  });

  it('names the report’s item whose text a renumbered plan item has', () => {
    const draft = [item('5.1', MENTAL_HEALTH), item('5.3', USE_OF_FORCE)];
    const swapped = [item('5.1', USE_OF_FORCE), item('5.3', MENTAL_HEALTH)];
    expect(draftComparisonWarnings(draft, swapped)).toEqual([
      'The text of recommendation 5.1 in the plan is that of recommendation 5.3 in the report',
      'The text of recommendation 5.3 in the plan is that of recommendation 5.1 in the report',
    ]);
    expect(draftComparisonWarnings(draft, [item('5.1', MENTAL_HEALTH), item('5.9', USE_OF_FORCE)])).toEqual([
      'Recommendation 5.3 of the report has no response in the plan',
      'Recommendation 5.9 of the plan is not in the report; its text is that of recommendation 5.3',
    ]);
  });
});
