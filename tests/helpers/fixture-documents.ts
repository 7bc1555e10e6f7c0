import type { PlanItem } from '../../shared/domain/plan.ts';
import { type ActionPlanFixture, loadTruth } from './fixtures.ts';

/**
 * What the fixture plans print around their tables, for tests that re-create the documents from the
 * fixture rows (as Textract Blocks or as PDFs of other producers).
 */
export const TITLE_LINES: Record<ActionPlanFixture, string[]> = {
  'hmp-liverpool-2018': [
    'Action Plan: HMP Liverpool',
    'A response to the HMCIP Inspection Report',
    'Report Published: 19 January 2018',
    'ACTION PLAN: HMCIP REPORT',
    'ESTABLISHMENT: HMP LIVERPOOL',
  ],
  'hmp-long-lartin-2023': [
    'Action Plan: HMP Long Lartin',
    'Action Plan Submitted: 2 May 2023',
    'A Response to the HMIP Inspection: 5 – 16 December 2022',
    'Report Published: 12 April 2023',
    'ESTABLISHMENT: HMP LONG LARTIN',
  ],
};

export const TRAILING_LINES: Record<ActionPlanFixture, string[]> = {
  'hmp-liverpool-2018': ['Recommendations', 'Agreed 55', 'Partly Agreed 10', 'Not Agreed 7', 'Total 72'],
  'hmp-long-lartin-2023': [],
};

/**
 * Three typos in the source text ("well- established", "re- established", "non- readers") put a space
 * after a hyphen. Where such a hyphen ends a printed line, no reader can tell it from a word broken at
 * its hyphen, so round trips through a new layout mend the typos in the rows and the truth alike.
 */
export function mendHyphenTypos(text: string): string {
  return text.replace(/(\p{L})- (\p{L})/gu, '$1-$2');
}

/** The truth's items with those typos mended. */
export function mendedTruthItems(name: ActionPlanFixture): PlanItem[] {
  return JSON.parse(mendHyphenTypos(JSON.stringify(loadTruth(name).items))) as PlanItem[];
}
