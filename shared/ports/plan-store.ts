import type { Uploader } from '../domain/access.ts';
import type { Plan, PlanFormat, PlanStatus } from '../domain/plan.ts';
import type { Report } from '../domain/report.ts';

export interface StoredPlanRef {
  planId: string;
  revision: number;
}

/** The upload a revision comes from, who uploaded it, and when it is stored. */
export interface RevisionSource {
  uploadId: string;
  contentSha256: string;
  storedAt: string;
  uploadedBy: Uploader;
}

export interface StoreRevisionInput extends RevisionSource {
  plan: Plan;
}

export interface StoreDraftInput extends RevisionSource {
  report: Report;
}

export interface StoreRevisionResult extends StoredPlanRef {
  /** False when the same PDF had been stored before: nothing new was written. */
  created: boolean;
}

/**
 * Plans and their revisions (see docs/data-model.md). Storing a parsed plan, or the draft an
 * inspection report starts, makes a new revision of the plan for the same establishment and report,
 * atomically visible; the same content twice changes nothing.
 */
export interface PlanStore {
  /** Stores the plan as a new revision and marks the upload parsed, in one visible step. */
  storeRevision(input: StoreRevisionInput): Promise<StoreRevisionResult>;
  /**
   * Stores the report's recommendations or concerns as a draft revision awaiting the plan's
   * response, and marks the upload parsed. It becomes current unless the plan's response is stored
   * already: then it is kept as history, and the plan stays as it is.
   */
  storeDraft(input: StoreDraftInput): Promise<StoreRevisionResult>;
  /**
   * The items of the draft this plan answers: the current revision of the plan's id, when that is a
   * draft awaiting its response; null otherwise.
   */
  findDraftAnsweredBy(plan: Plan, contentSha256: string): Promise<Plan['items'] | null>;
  getPlan(planId: string): Promise<StoredPlan | null>;
  /** Items of the plan's current revision (or the given one), in document order. */
  listItems(planId: string, revision?: number): Promise<Plan['items']>;
  /** Who uploaded a revision; null when there is no such revision or it was stored before uploaders were recorded. */
  getRevisionUploader(planId: string, revision: number): Promise<Uploader | null>;
  /** How an establishment is printed on its latest stored plan; null when none of its plans is stored. */
  getEstablishmentName(establishmentId: string): Promise<string | null>;
}

export interface StoredPlan extends Omit<Plan, 'items' | 'format'> {
  planId: string;
  establishmentId: string | null;
  status: PlanStatus;
  /** The action plan's format; null for a draft, whose response has not been read yet. */
  format: PlanFormat | null;
  currentRevision: number;
  itemCount: number;
  actionCount: number;
  createdAt: string;
  updatedAt: string;
  /** A draft's items answered through the API so far; absent until the first answer. */
  answeredItemCount?: number;
  /** Who uploaded the current revision; absent on revisions stored before uploaders were recorded. */
  uploadedBy?: Uploader;
}
