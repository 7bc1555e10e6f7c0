import type { ActionStatus } from '../domain/action-status.ts';
import type { Principal } from '../domain/access.ts';
import { decodeCursor, encodeCursor } from '../domain/cursor.ts';
import { InvalidRequestError } from '../domain/request-errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Page, PlanQueries } from '../ports/plan-queries.ts';
import { type ActionView, actionViewOf, todayOf } from './query-views.ts';

export interface ListActionsInput {
  owner?: string;
  /** Actions due before this date (exclusive). */
  dueBefore?: string;
  /** Due before today, and not completed. */
  overdue?: boolean;
  status?: ActionStatus;
  limit?: number;
  cursor?: string;
}

/**
 * Actions of the current revisions of every plan, earliest due first: by owner (GSI1 `OWNER#…`,
 * undated last) or, without an owner, by due date (GSI2 `DUE`). One Query per page, and one read of
 * the page's plans so that only their current revisions' actions are listed (the store's contract);
 * a list with neither owner nor a due limit would read every action, so it is refused. Drafts'
 * actions are not indexed until the draft is answered in full, so every role may list every action.
 */
export async function listActions(
  input: ListActionsInput,
  _principal: Principal,
  { plans, clock }: { plans: PlanQueries; clock: Clock },
): Promise<Page<ActionView>> {
  const today = todayOf(clock.now());
  const overdue = input.overdue === true || input.status === 'overdue';
  const dueBefore = overdue ? [input.dueBefore, today].filter(Boolean).sort()[0] : input.dueBefore;
  if (!input.owner && !dueBefore) {
    throw new InvalidRequestError('Say whose actions or due before when: give owner, dueBefore or overdue=true', [
      { pointer: 'query.owner', message: 'give owner, dueBefore or overdue=true' },
    ]);
  }
  const scope = { list: 'actions', owner: input.owner, dueBefore, status: input.status, overdue, today };
  const paging = {
    ...(input.limit ? { limit: input.limit } : {}),
    ...(input.cursor ? { cursor: decodeCursor(input.cursor, scope) } : {}),
  };
  const page = input.owner
    ? await plans.listActionsByOwner({ owner: input.owner, ...(dueBefore ? { dueBefore } : {}), ...paging })
    : await plans.listActionsDueBefore({ dueBefore: dueBefore!, ...paging });
  const wanted = input.status ?? (overdue ? 'overdue' : undefined);
  return {
    items: page.items.map((entry) => actionViewOf(entry, today)).filter((action) => !wanted || action.status === wanted),
    ...(page.cursor ? { cursor: encodeCursor(page.cursor, scope) } : {}),
  };
}
