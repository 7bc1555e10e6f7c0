import { z } from 'zod';
import type { Uploader } from './access.ts';
import type { PlanFormat, PlanItem } from './plan.ts';
import { hasDecisionColumn, planFormatRecord } from './plan-formats.ts';

/**
 * The approval of a plan revision: an ordered chain of stages (by default the Governor, then the
 * Prison Group Director), each with one or more approvers who act through single-use links sent
 * by email. A stage passes when any one approver approves (`rule: any`) or when every approver has
 * (`rule: all`); one rejection sends the plan back to its owners with the comments.
 */

export const APPROVAL_RULES = ['any', 'all'] as const;
export const ApprovalRule = z.enum(APPROVAL_RULES);
export type ApprovalRule = z.infer<typeof ApprovalRule>;

export const Person = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
});
export type Person = z.infer<typeof Person>;

export const Approver = Person.extend({
  /** Who is asked in the approver's place once the stage has waited `escalateAfter`. */
  deputy: Person.optional(),
});
export type Approver = z.infer<typeof Approver>;

export const ApprovalStage = z.object({
  name: z.string().trim().min(1).max(100),
  rule: ApprovalRule,
  approvers: z.array(Approver).min(1).max(20),
});
export type ApprovalStage = z.infer<typeof ApprovalStage>;

/** An establishment's approval chain, and whom to tell of the outcome (the plan's owners). */
export const ApprovalChain = z.object({
  stages: z.array(ApprovalStage).min(1).max(10),
  /** Establishment staff who own the plan: told when changes are requested, or it is approved. */
  planOwners: z.array(Person).max(50),
});
export type ApprovalChain = z.infer<typeof ApprovalChain>;

export const APPROVAL_DECISIONS = ['approve', 'reject'] as const;
export const ApprovalDecision = z.enum(APPROVAL_DECISIONS);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/**
 * A run's status. `withdrawn`: a newer revision of the plan was stored while it ran (its execution is
 * stopped and its approvers told); `restarted`: its execution was lost (e.g. the local runner
 * restarted) and a decision carried it on in the next attempt, from the stage that decision was for.
 */
export const APPROVAL_STATUSES = ['in_progress', 'approved', 'changes_requested', 'expired', 'failed', 'withdrawn', 'restarted'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Why an emailed link no longer works (each has its own page and HTTP status). */
export type LinkProblem = 'not_found' | 'forged' | 'used' | 'expired' | 'superseded' | 'ended' | 'cross_site';

/** What a recorded decision did to the flow. */
export type DecisionEffect =
  | 'stage_passed'
  | 'waiting_for_others'
  | 'changes_requested'
  | 'plan_approved'
  | 'already_recorded'
  /** Another approver's decision settled the stage first: this one is on record but changed nothing. */
  | 'outcome_already_decided';

/** A decision taken through a link, as its approver is told of it. */
export interface RecordedDecision {
  decision: ApprovalDecision;
  summary: PlanApprovalSummary;
  stageName: string;
  decidedAt: string;
  effect: DecisionEffect;
  /** With `outcome_already_decided`: the decision that settled the stage first, and who made it. */
  settledBy?: { decision: ApprovalDecision; by: Person };
}

/** How long things take; the same for every establishment (deployment settings). */
export interface ApprovalTiming {
  /** A link works this long after it is sent (default 7 days). */
  linkValidSeconds: number;
  /** An approver who has not acted is reminded this often. */
  reminderAfterSeconds: number;
  /** After this long waiting on a stage, its approvers' deputies are asked too. */
  escalateAfterSeconds: number;
}

/** What an approver sees about the plan, in the email and on the confirmation page. */
export interface PlanApprovalSummary {
  planId: string;
  revision: number;
  establishment: string | null;
  source: string;
  format: PlanFormat | null;
  reportPublished: string | null;
  itemCount: number;
  actionCount: number;
  /** Items by decision; items with none count under `none`. */
  decisions: Partial<Record<NonNullable<PlanItem['decision']> | 'none', number>>;
  actionsWithoutOwner: number;
  actionsWithoutTarget: number;
  /** Dated targets already past on the day of the summary (ref of the item, target as printed). */
  targetsPast: { ref: string; raw: string; due: string }[];
  /** Who uploaded the revision (null: not recorded, stored before uploaders were); absent when not looked up. */
  uploadedBy?: Uploader | null;
}

/** One decision as the audit shows it. */
export interface ApprovalAuditEntry {
  planId: string;
  revision: number;
  stageIndex: number;
  stageName: string;
  decision: ApprovalDecision;
  comment: string | null;
  /** Who decided (the link's holder). */
  decidedBy: Person;
  /** The approver a deputy acted for, when a deputy decided. */
  onBehalfOf: Person | null;
  decidedAt: string;
  linkId: string;
  /** SHA-256 (hex) of the client IP with a deployment secret: links decisions from one address without keeping it. */
  clientIpHash: string | null;
  userAgent: string | null;
  /**
   * False when the decision changed nothing: another approver's decision had settled the stage
   * first, or the flow had ended before the decision reached it.
   */
  applied: boolean;
}

/** Plan items counted the way the approval summary shows them. */
export function summarisePlanForApproval(
  plan: { planId: string; revision: number; establishment: string | null; source: string; format: PlanFormat | null; reportPublished: string | null },
  items: readonly PlanItem[],
  today: string,
): PlanApprovalSummary {
  const decisions: PlanApprovalSummary['decisions'] = {};
  let actionCount = 0;
  let actionsWithoutOwner = 0;
  let actionsWithoutTarget = 0;
  const targetsPast: PlanApprovalSummary['targetsPast'] = [];
  for (const item of items) {
    const key = item.decision ?? 'none';
    decisions[key] = (decisions[key] ?? 0) + 1;
    for (const action of item.actions) {
      actionCount += 1;
      if (action.owners.length === 0) actionsWithoutOwner += 1;
      if (action.targets.length === 0) actionsWithoutTarget += 1;
      for (const target of action.targets) {
        if (target.due !== null && target.due < today) targetsPast.push({ ref: item.ref, raw: target.raw, due: target.due });
      }
    }
  }
  return {
    ...plan,
    itemCount: items.length,
    actionCount,
    decisions,
    actionsWithoutOwner,
    actionsWithoutTarget,
    targetsPast,
  };
}

/**
 * Whether every item has the establishment's response: a decision, or (for the 2023+ concerns,
 * which have no decision column) at least one action.
 */
export function itemsAwaitingResponse(format: PlanFormat | null, items: readonly PlanItem[]): string[] {
  if (format === null) return items.map((item) => item.ref);
  return items
    .filter((item) => (hasDecisionColumn(planFormatRecord(format)) ? item.decision === null : item.actions.length === 0))
    .map((item) => item.ref);
}

/**
 * A stage's state from its decisions: one rejection rejects it; `any` passes on one approval, `all`
 * on every approver's. Decisions recorded after the stage was settled (`applied: false`) do not count.
 */
export function evaluateStage(
  stage: ApprovalStage,
  recorded: readonly { approverIndex: number; decision: ApprovalDecision; applied?: boolean }[],
): 'approved' | 'rejected' | 'pending' {
  const decisions = recorded.filter((decision) => decision.applied !== false);
  if (decisions.some((decision) => decision.decision === 'reject')) return 'rejected';
  const approved = new Set(decisions.filter((decision) => decision.decision === 'approve').map((decision) => decision.approverIndex));
  if (stage.rule === 'any') return approved.size > 0 ? 'approved' : 'pending';
  return stage.approvers.every((_, index) => approved.has(index)) ? 'approved' : 'pending';
}

/** The chain an establishment gets until one is set for it: the Governor, then the Prison Group Director. */
export const DEFAULT_STAGE_NAMES = ['Governor', 'Prison Group Director'] as const;

/** Raised by a stage wait that finds the stage's links have expired: the flow ends as expired. */
export class ApprovalExpiredError extends Error {
  constructor(message: string) {
    super(message);
    // Step Functions matches a Lambda error by its name: the state machine catches `ApprovalExpired`.
    this.name = 'ApprovalExpired';
  }
}

/** Raised by a stage wait whose run has ended meanwhile (withdrawn for a newer revision): the execution stops there. */
export class ApprovalEndedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalEnded';
  }
}
