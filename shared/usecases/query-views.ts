import { actionStatusOf, type ActionStatus } from '../domain/action-status.ts';
import type { PlanItem } from '../domain/plan.ts';
import type { ActionEntry, StoredItem } from '../ports/plan-queries.ts';
import type { StoredPlan } from '../ports/plan-store.ts';

/** How the query API shows plans, items and actions: what a list row holds, without storage details. */

export interface PlanListing {
  planId: string;
  establishment: string | null;
  establishmentId: string | null;
  status: StoredPlan['status'];
  format: StoredPlan['format'];
  source: string;
  inspection: StoredPlan['inspection'];
  reportPublished: string | null;
  planSubmitted: string | null;
  currentRevision: number;
  itemCount: number;
  actionCount: number;
  createdAt: string;
  updatedAt: string;
}

export function planListingOf(plan: StoredPlan): PlanListing {
  const { planId, establishment, establishmentId, status, format, source, inspection, reportPublished, planSubmitted } = plan;
  const { currentRevision, itemCount, actionCount, createdAt, updatedAt } = plan;
  return {
    planId,
    establishment,
    establishmentId,
    status,
    format,
    source,
    inspection,
    reportPublished,
    planSubmitted,
    currentRevision,
    itemCount,
    actionCount,
    createdAt,
    updatedAt,
  };
}

export interface ItemView extends PlanItem {
  /** 1-based position in the plan. */
  ordinal: number;
  /** Changes with every answer through the API; send it back to answer on top of what you read. */
  version: number;
}

export function itemViewOf({ ordinal, version, item }: StoredItem): ItemView {
  return { ordinal, version, ...item };
}

/** An action as the API lists it: its entry, without the revision, with its status today. */
export interface ActionView extends Omit<ActionEntry, 'revision'> {
  status: ActionStatus;
}

export function actionViewOf(entry: ActionEntry, today: string): ActionView {
  const { revision: _revision, ...listed } = entry;
  return { ...listed, status: actionStatusOf(entry, today) };
}

/** "Head of  Safety" and "head of safety" are the same owner. */
export function sameOwner(a: string, b: string): boolean {
  const key = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();
  return key(a) === key(b);
}

export const todayOf = (now: Date) => now.toISOString().slice(0, 10);
