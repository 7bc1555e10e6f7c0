import { z } from 'zod';
import { InspectionDates, PlanItem } from './plan.ts';

/**
 * An inspection report's recommendations or concerns, as `extract` prints them for a report and as
 * they start a draft plan: one item per numbered recommendation or concern, with no responses. An
 * item's text is as printed, empty when the report prints a number with no text.
 */
export const ReportItem = PlanItem.pick({ ref: true, kind: true, addressee: true, section: true, text: true });
export type ReportItem = z.infer<typeof ReportItem>;

const isoDate = z.iso.date();

export const Report = z.object({
  source: z.string(),
  establishment: z.string().nullable(),
  reportPublished: isoDate.nullable(),
  inspection: InspectionDates.nullable(),
  items: z.array(ReportItem),
  warnings: z.array(z.string()),
});
export type Report = z.infer<typeof Report>;
