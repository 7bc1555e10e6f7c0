import { assertCanAnswerDraft, type Principal } from '../domain/access.ts';
import { answeredItem, answerIssues, formatOfAnsweredDraft, type ItemAnswer } from '../domain/draft-answer.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../domain/request-errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { PlanQueries } from '../ports/plan-queries.ts';
import type { PlanStore } from '../ports/plan-store.ts';
import { type ItemView, itemViewOf } from './query-views.ts';

export interface AnswerDraftItemInput {
  planId: string;
  ref: string;
  answer: ItemAnswer;
  /** The item's version as read; when given, an item changed since is a conflict. */
  version?: number;
}

export interface AnswerDraftItemResult {
  item: ItemView;
  plan: { planId: string; status: 'awaiting_response' | 'parsed'; itemCount: number; answeredItems: number };
}

/**
 * Staff of the plan's establishment (or an admin) answer one item of a draft awaiting its response.
 * The plan must still be that draft (409 otherwise), the item is changed only if nobody changed it
 * since it was read (409), and the answer must make sense for the item (422). When every item is
 * answered the plan becomes `parsed`, with the format its decisions imply, and its actions are indexed.
 */
export async function answerDraftItem(
  input: AnswerDraftItemInput,
  principal: Principal,
  { plans, clock }: { plans: PlanQueries & Pick<PlanStore, 'listItems'>; clock: Clock },
): Promise<AnswerDraftItemResult> {
  const plan = await plans.getPlan(input.planId);
  if (!plan) throw new NotFoundError(`No plan ${input.planId}`);
  assertCanAnswerDraft(principal, plan);
  if (plan.status !== 'awaiting_response') {
    throw new ConflictError(`Plan ${plan.planId} is ${plan.status}, not a draft awaiting its response`);
  }
  const page = await plans.listItemPage(plan.planId, plan.currentRevision, { limit: 100 });
  let stored = page.items;
  if (page.cursor) {
    // A draft of more than 100 items: read the rest too (rare; reports list up to ~80).
    const all = await plans.listItems(plan.planId, plan.currentRevision);
    stored = all.map((item, index) => stored[index] ?? { ordinal: index + 1, version: 0, item });
  }
  const target = stored.find((candidate) => candidate.item.ref === input.ref);
  if (!target) throw new NotFoundError(`Plan ${plan.planId} has no item ${input.ref}`);
  if (input.version !== undefined && input.version !== target.version) {
    throw new ConflictError(`Item ${input.ref} is at version ${target.version}, not ${input.version}; read it again`);
  }
  const others = stored.filter((candidate) => candidate !== target).map((candidate) => candidate.item);
  const issues = answerIssues(target.item, input.answer, others);
  if (issues.length) throw new UnprocessableError(`The answer to ${input.ref} cannot be stored`, issues);

  const item = answeredItem(target.item, input.answer);
  const answeredBefore = plan.answeredItemCount ?? 0;
  const wasAnswered = target.version > 0;
  const answeredAfter = wasAnswered ? answeredBefore : answeredBefore + 1;
  const completes = answeredAfter >= plan.itemCount ? { format: formatOfAnsweredDraft([...others, item]) } : null;
  const outcome = await plans.storeDraftAnswer({
    planId: plan.planId,
    revision: plan.currentRevision,
    ordinal: target.ordinal,
    expectedVersion: target.version,
    item,
    answeredBefore,
    wasAnswered,
    completes,
    at: clock.now().toISOString(),
  });
  if (outcome.outcome === 'conflict') throw new ConflictError(outcome.reason);
  return {
    item: itemViewOf({ ordinal: target.ordinal, version: outcome.version, item }),
    plan: {
      planId: plan.planId,
      status: completes ? 'parsed' : 'awaiting_response',
      itemCount: plan.itemCount,
      answeredItems: answeredAfter,
    },
  };
}
