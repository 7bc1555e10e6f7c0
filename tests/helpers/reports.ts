import type { Report } from '../../shared/domain/report.ts';

/**
 * An inspection report of HMP Bristol with one recommendation, stored as a draft awaiting the
 * response: a plan of another establishment than the Liverpool and Long Lartin fixtures.
 */
export const BRISTOL_REPORT: Report = {
  source: 'bristol-report.pdf',
  establishment: 'HMP Bristol',
  reportPublished: '2026-01-05',
  inspection: null,
  items: [{ ref: '1.1', kind: 'recommendation', addressee: 'To the Governor', section: 'Safety', text: 'Reduce violence.' }],
  warnings: [],
};
