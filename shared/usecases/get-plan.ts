import { actionStatusOf } from '../domain/action-status.ts';
import { assertCanReadPlan, canWorkOnEstablishment, type Principal, type Uploader } from '../domain/access.ts';
import { NotFoundError } from '../domain/request-errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { PlanStore, StoredPlan } from '../ports/plan-store.ts';
import { type PlanListing, planListingOf, todayOf } from './query-views.ts';

export interface PlanCounts {
  items: number;
  actions: number;
  itemsByKind: Record<string, number>;
  /** Items by decision; `none` counts items without one (drafts, concerns). */
  itemsByDecision: Record<string, number>;
  actionsByStatus: { open: number; overdue: number; completed: number };
  /** Actions with no dated target. */
  undatedActions: number;
  /** A draft's items answered so far; equals `items` once the plan is no longer a draft. */
  answeredItems: number;
}

export interface PlanDetail {
  /**
   * `uploadedBy`: who uploaded the current revision (null when it was stored before uploaders were
   * recorded); the person (subject, email) only to those who may read the plan's approval audit
   * by establishment, the role and establishment to everyone (see `uploaderAsSeenBy`).
   */
  plan: PlanListing & { summary: StoredPlan['summary']; warnings: string[]; uploadedBy: UploaderView | null };
  counts: PlanCounts;
}

/** An uploader as a reader sees them: `subject` and `email` null when the reader may not see who. */
export type UploaderView = Omit<Uploader, 'subject'> & { subject: string | null };

/**
 * Who uploaded, as a reader may see it: an uploader's address is a person's, shown to admins, the
 * establishment's staff and the approvers whose token names the establishment; viewers and others
 * see the uploader's role and establishment only.
 */
export function uploaderAsSeenBy(uploader: Uploader, principal: Principal, establishmentId: string | null): UploaderView {
  const mayKnowWho =
    canWorkOnEstablishment(principal, establishmentId) ||
    (principal.role === 'approver' && establishmentId !== null && principal.establishmentId === establishmentId);
  return mayKnowWho ? uploader : { ...uploader, subject: null, email: null };
}

/** A plan with counts computed from its current items: a GetItem and a Query. */
export async function getPlan(
  planId: string,
  principal: Principal,
  { plans, clock }: { plans: Pick<PlanStore, 'getPlan' | 'listItems'>; clock: Clock },
): Promise<PlanDetail> {
  const plan = await plans.getPlan(planId);
  if (!plan) throw new NotFoundError(`No plan ${planId}`);
  assertCanReadPlan(principal, plan);
  const items = await plans.listItems(planId, plan.currentRevision);
  const today = todayOf(clock.now());
  const counts: PlanCounts = {
    items: items.length,
    actions: 0,
    itemsByKind: {},
    itemsByDecision: {},
    actionsByStatus: { open: 0, overdue: 0, completed: 0 },
    undatedActions: 0,
    answeredItems: plan.status === 'awaiting_response' ? (plan.answeredItemCount ?? 0) : items.length,
  };
  for (const item of items) {
    counts.itemsByKind[item.kind] = (counts.itemsByKind[item.kind] ?? 0) + 1;
    const decision = item.decision ?? 'none';
    counts.itemsByDecision[decision] = (counts.itemsByDecision[decision] ?? 0) + 1;
    for (const action of item.actions) {
      counts.actions++;
      const dates = action.targets.flatMap((target) => (target.due ? [target.due] : []));
      const due = dates.length ? dates.reduce((a, b) => (a < b ? a : b)) : null;
      if (due === null) counts.undatedActions++;
      counts.actionsByStatus[actionStatusOf({ targets: action.targets, due }, today)]++;
    }
  }
  return {
    plan: { ...planListingOf(plan), summary: plan.summary ?? null, warnings: plan.warnings ?? [], uploadedBy: plan.uploadedBy ? uploaderAsSeenBy(plan.uploadedBy, principal, plan.establishmentId) : null },
    counts,
  };
}
