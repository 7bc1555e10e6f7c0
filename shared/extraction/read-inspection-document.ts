import { UnreadableDocumentError } from '../domain/errors.ts';
import type { Plan } from '../domain/plan.ts';
import type { Report } from '../domain/report.ts';
import { readActionPlanDocument } from './read-action-plan.ts';
import { readReportDocument } from './read-report.ts';
import type { TextractDocument } from './textract-document.ts';

export type InspectionDocument = { type: 'plan'; plan: Plan } | { type: 'report'; report: Report };

/**
 * Tells an action plan from an inspection report by itself: a document with an action-plan table is a
 * plan; one without, whose numbered paragraphs are recommendations or concerns, is a report. When the
 * uploader said what the file should be, a document that is neither explains itself in those terms
 * first.
 */
export function readInspectionDocument(
  document: TextractDocument,
  source: string,
  expected: 'plan' | 'report' = 'plan',
): InspectionDocument {
  try {
    return { type: 'plan', plan: readActionPlanDocument(document, source) };
  } catch (planError) {
    const notAPlan =
      planError instanceof UnreadableDocumentError &&
      (planError.code === 'NO_TABLE_FOUND' || planError.code === 'UNRECOGNISED_TABLE');
    const hasText = document.pages.some((page) => page.lines.length > 0);
    if (!notAPlan || !hasText) throw planError;
    try {
      return { type: 'report', report: readReportDocument(document, source) };
    } catch (reportError) {
      if (!(reportError instanceof UnreadableDocumentError)) throw reportError;
      if (expected === 'report') {
        throw new UnreadableDocumentError(
          reportError.code,
          `${reportError.message}. Nor is it an action plan: ${planError.message}`,
        );
      }
      throw new UnreadableDocumentError(
        planError.code,
        `${planError.message}. Nor is it an inspection report: ${reportError.message}`,
      );
    }
  }
}
