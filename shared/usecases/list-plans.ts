import { draftsVisibleTo, type Principal } from '../domain/access.ts';
import { decodeCursor, encodeCursor } from '../domain/cursor.ts';
import type { PlanStatus } from '../domain/plan.ts';
import { UnprocessableError } from '../domain/request-errors.ts';
import type { Page, PlanQueries } from '../ports/plan-queries.ts';
import { type PlanListing, planListingOf } from './query-views.ts';

export interface ListPlansInput {
  establishment?: string;
  status?: PlanStatus;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

/**
 * Plans newest first (by publication date), of one establishment or all, between two dates. Drafts
 * show only to admins and to staff of their establishment. One Query (GSI1 or GSI2) per page.
 */
export async function listPlans(
  input: ListPlansInput,
  principal: Principal,
  { plans }: { plans: PlanQueries },
): Promise<Page<PlanListing>> {
  if (input.from && input.to && input.from > input.to) {
    throw new UnprocessableError('from is after to', [{ pointer: 'query.from', message: 'must not be after to' }]);
  }
  const draftsOf = draftsVisibleTo(principal);
  const scope = { list: 'plans', establishment: input.establishment, status: input.status, from: input.from, to: input.to, draftsOf };
  const page = await plans.listPlanPage({
    ...(input.establishment ? { establishmentId: input.establishment } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(input.from ? { from: input.from } : {}),
    ...(input.to ? { to: input.to } : {}),
    draftsOf,
    ...(input.limit ? { limit: input.limit } : {}),
    ...(input.cursor ? { cursor: decodeCursor(input.cursor, scope) } : {}),
  });
  return {
    items: page.items.map(planListingOf),
    ...(page.cursor ? { cursor: encodeCursor(page.cursor, scope) } : {}),
  };
}
