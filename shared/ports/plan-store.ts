import type { Plan } from '../domain/plan.ts';

export interface StoredPlanRef {
  planId: string;
  revision: number;
}

export interface StoreRevisionInput {
  plan: Plan;
  uploadId: string;
  contentSha256: string;
  storedAt: string;
}

export interface StoreRevisionResult extends StoredPlanRef {
  /** False when the same PDF had been stored before: nothing new was written. */
  created: boolean;
}

/**
 * Plans and their revisions (see docs/data-model.md). Storing a parsed plan makes a new revision
 * of the plan for the same establishment and report, atomically visible; the same content twice
 * changes nothing.
 */
export interface PlanStore {
  /** Stores the plan as a new revision and marks the upload parsed, in one visible step. */
  storeRevision(input: StoreRevisionInput): Promise<StoreRevisionResult>;
  getPlan(planId: string): Promise<StoredPlan | null>;
  /** Items of the plan's current revision (or the given one), in document order. */
  listItems(planId: string, revision?: number): Promise<Plan['items']>;
}

export interface StoredPlan extends Omit<Plan, 'items'> {
  planId: string;
  establishmentId: string | null;
  currentRevision: number;
  itemCount: number;
  actionCount: number;
  createdAt: string;
  updatedAt: string;
}
