import { z } from 'zod';
import { InspectionDates, ItemKind } from './plan.ts';

/**
 * An inspection report's recommendations or concerns, as `extract` prints them for a report and as
 * they start a draft plan: one item per numbered recommendation or concern, with no responses.
 */
export const ReportItem = z.object({
  ref: z.string().min(1),
  kind: ItemKind,
  addressee: z.string().nullable(),
  section: z.string().nullable(),
  /** As printed; empty when the report prints a number with no text. */
  text: z.string(),
});
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
