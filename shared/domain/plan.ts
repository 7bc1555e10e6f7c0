import { z } from 'zod';
import { DECISION_IDS, ITEM_KIND_IDS, PLAN_FORMAT_IDS } from './plan-formats.ts';

/**
 * The plan model: what `extract --json` prints and what the rest of the system stores.
 * Field names, kinds and decisions follow the contract in tests/fixtures/README.md exactly.
 */

/** The formats, oldest first; each is a record of the registry in plan-formats.ts. */
export const PLAN_FORMATS = PLAN_FORMAT_IDS;
export const PlanFormat = z.enum(PLAN_FORMATS);
export type PlanFormat = z.infer<typeof PlanFormat>;

/**
 * Where a stored plan stands: a draft started from the inspection report, awaiting the prison's
 * response; a plan read from the action plan PDF; then the approval flow's states (in approval,
 * approved, or sent back to its owners with the approvers' comments).
 */
export const PLAN_STATUSES = ['awaiting_response', 'parsed', 'awaiting_approval', 'approved', 'changes_requested'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/** The kinds of item every format together lists (plan-formats.ts). */
export const ITEM_KINDS = ITEM_KIND_IDS;
export const ItemKind = z.enum(ITEM_KINDS);
export type ItemKind = z.infer<typeof ItemKind>;

/** The decisions of every format's vocabulary (plan-formats.ts), newest format first. */
export const DECISIONS = DECISION_IDS;
export const Decision = z.enum(DECISIONS);
export type Decision = z.infer<typeof Decision>;

const isoDate = z.iso.date();

export const Target = z.object({
  raw: z.string().min(1),
  due: isoDate.nullable(),
});
export type Target = z.infer<typeof Target>;

export const Action = z.object({
  text: z.string(),
  owners: z.array(z.string().min(1)),
  targets: z.array(Target),
});
export type Action = z.infer<typeof Action>;

export const PlanItem = z.object({
  ref: z.string().min(1),
  kind: ItemKind,
  addressee: z.string().nullable(),
  section: z.string().nullable(),
  text: z.string(),
  decision: Decision.nullable(),
  actions: z.array(Action),
});
export type PlanItem = z.infer<typeof PlanItem>;

/** Printed decision counts; the keys present depend on the plan's format. */
const count = z.number().int().nonnegative().optional();
export const DecisionCounts = z
  .object({
    ...(Object.fromEntries(DECISIONS.map((decision) => [decision, count])) as Record<Decision, typeof count>),
    total: count,
  })
  .strict();
export type DecisionCounts = z.infer<typeof DecisionCounts>;

export const PlanSummary = DecisionCounts.extend({
  housekeeping: DecisionCounts.optional(),
}).strict();
export type PlanSummary = z.infer<typeof PlanSummary>;

export const InspectionDates = z.object({ from: isoDate, to: isoDate });
export type InspectionDates = z.infer<typeof InspectionDates>;

export const Plan = z.object({
  source: z.string(),
  establishment: z.string().nullable(),
  format: PlanFormat,
  inspection: InspectionDates.nullable(),
  reportPublished: isoDate.nullable(),
  planSubmitted: isoDate.nullable(),
  items: z.array(PlanItem),
  summary: PlanSummary.nullable(),
  warnings: z.array(z.string()),
});
export type Plan = z.infer<typeof Plan>;
