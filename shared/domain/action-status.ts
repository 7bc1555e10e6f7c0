import type { Target } from './plan.ts';

/**
 * Where an action stands, from its targets and today's date: `completed` when a target says so
 * ("Complete", "Completed", "Completed and ongoing"), `overdue` when its earliest due date has
 * passed, else `open`.
 */
export const ACTION_STATUSES = ['open', 'overdue', 'completed'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

const COMPLETED = /^complete(d)?\b/i;

export function actionStatusOf(action: { targets: readonly Target[]; due: string | null }, today: string): ActionStatus {
  if (action.targets.some((target) => COMPLETED.test(target.raw.trim()))) return 'completed';
  if (action.due !== null && action.due < today) return 'overdue';
  return 'open';
}
