import { assertCanReadPlan, type Principal } from '../domain/access.ts';
import { cursorBelongsTo, decodeCursor, encodeCursor } from '../domain/cursor.ts';
import type { Decision, ItemKind, PlanItem } from '../domain/plan.ts';
import { InvalidRequestError, NotFoundError } from '../domain/request-errors.ts';
import type { Page, PlanQueries } from '../ports/plan-queries.ts';
import { type ItemView, itemViewOf, sameOwner } from './query-views.ts';

export interface ListPlanItemsInput {
  planId: string;
  kind?: ItemKind;
  /** A decision, or `none` for items without one. */
  decision?: Decision | 'none';
  section?: string;
  /** Items with an action owned by this owner (any case). */
  owner?: string;
  limit?: number;
  cursor?: string;
}

export function itemMatches(item: PlanItem, input: Omit<ListPlanItemsInput, 'planId' | 'limit' | 'cursor'>): boolean {
  if (input.kind && item.kind !== input.kind) return false;
  if (input.decision && (item.decision ?? 'none') !== input.decision) return false;
  if (input.section && (item.section ?? '').toLowerCase() !== input.section.toLowerCase()) return false;
  if (input.owner && !item.actions.some((action) => action.owners.some((owner) => sameOwner(owner, input.owner!)))) {
    return false;
  }
  return true;
}

/**
 * Items of a plan's current revision in document order, filtered by kind, decision, section and
 * owner: a GetItem of the plan and one Query per page (the filters apply to the page read, so a page
 * may hold fewer than `limit` items while a cursor says there are more).
 */
export async function listPlanItems(
  input: ListPlanItemsInput,
  principal: Principal,
  { plans }: { plans: PlanQueries },
): Promise<{ plan: { planId: string; revision: number; establishment: string | null }; page: Page<ItemView> }> {
  const plan = await plans.getPlan(input.planId);
  if (!plan) throw new NotFoundError(`No plan ${input.planId}`);
  assertCanReadPlan(principal, plan);
  const { planId, kind, decision, section, owner } = input;
  const scopeOf = (revision: number) => ({ list: 'items', planId, revision, kind, decision, section, owner });
  const scope = scopeOf(plan.currentRevision);
  if (input.cursor && !cursorBelongsTo(input.cursor, scope)) {
    const earlier = Array.from({ length: plan.currentRevision - 1 }, (_, index) => index + 1).find((revision) =>
      cursorBelongsTo(input.cursor!, scopeOf(revision)),
    );
    if (earlier !== undefined) {
      throw new InvalidRequestError(
        `The plan has a newer revision (${plan.currentRevision}) than the one this cursor pages (${earlier}): start again from the first page`,
        [{ pointer: 'query.cursor', message: 'leave the cursor out to read the current revision from its first page' }],
      );
    }
  }
  const page = await plans.listItemPage(planId, plan.currentRevision, {
    ...(input.limit ? { limit: input.limit } : {}),
    ...(input.cursor ? { cursor: decodeCursor(input.cursor, scope) } : {}),
  });
  return {
    plan: { planId, revision: plan.currentRevision, establishment: plan.establishment },
    page: {
      items: page.items.filter((stored) => itemMatches(stored.item, input)).map(itemViewOf),
      ...(page.cursor ? { cursor: encodeCursor(page.cursor, scope) } : {}),
    },
  };
}
