import type { PlanFormat, PlanItem, PlanStatus } from '../domain/plan.ts';
import type { StoredPlan } from './plan-store.ts';

/**
 * The reads (and the one draft write) of the query API: each a GetItem or a Query of
 * docs/data-model.md and docs/api.md, paged by the store's opaque cursor.
 */

export interface PageRequest {
  /** 1 to 100; 50 when absent. */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when there may be more. */
  cursor?: string;
}

/**
 * Which plans a list shows: drafts only of this establishment (`'*'`: every draft; null: no draft),
 * and only plans in this status when given. Applied by the store as a filter of its one query, so
 * a page may hold fewer than `limit` plans while a cursor says there are more.
 */
export interface PlanListFilter {
  draftsOf: '*' | string | null;
  status?: PlanStatus;
}

export interface PlanListQuery extends PageRequest, PlanListFilter {
  /** Only this establishment's plans (GSI1), else all plans (GSI2). */
  establishmentId?: string;
  from?: string;
  to?: string;
}

/** One action as the owner and due-date queries list it (see the plan store's ActionEntry). */
export interface ActionEntry {
  planId: string;
  revision: number;
  establishment: string | null;
  establishmentId: string | null;
  itemRef: string;
  itemKind: PlanItem['kind'];
  itemOrdinal: number;
  actionOrdinal: number;
  text: string;
  owners: string[];
  targets: PlanItem['actions'][number]['targets'];
  due: string | null;
}

/** An item record of a revision: its position, its version (optimistic concurrency), the item. */
export interface StoredItem {
  ordinal: number;
  /** 0 until the item is first changed through the API; each change adds one. */
  version: number;
  item: PlanItem;
}

export interface StoredEstablishment {
  establishmentId: string;
  /** The name as the latest stored plan prints it ("HMP Long Lartin"). */
  name: string;
  planCount: number;
  firstStoredAt: string;
  updatedAt: string;
}

/** An answer to one item of a draft, to store if nothing changed since it was read. */
export interface DraftAnswer {
  planId: string;
  revision: number;
  ordinal: number;
  /** The version read; the write fails with a conflict when the item is at another one. */
  expectedVersion: number;
  item: PlanItem;
  /** How many of the draft's items the plan record counted as answered when read. */
  answeredBefore: number;
  /** Whether this item was answered before (then the count stays). */
  wasAnswered: boolean;
  /** Set when this answer completes the draft: the plan becomes `parsed` with this format. */
  completes: { format: PlanFormat } | null;
  at: string;
}

export type DraftAnswerOutcome = { outcome: 'stored'; version: number } | { outcome: 'conflict'; reason: string };

export interface PlanQueries {
  getPlan(planId: string): Promise<StoredPlan | null>;
  /** Plans newest first, of one establishment (GSI1) or all (GSI2). */
  listPlanPage(query: PlanListQuery): Promise<Page<StoredPlan>>;
  /** Item records of one revision in document order. */
  listItemPage(planId: string, revision: number, page: PageRequest): Promise<Page<StoredItem>>;
  /**
   * Actions of one owner, earliest due first. Only entries of each plan's current revision, checked
   * against a consistent read of the plans, whatever an eventually consistent index still shows: never
   * two revisions of one action, never a superseded one (so a page may be shorter than `limit`).
   */
  listActionsByOwner(query: PageRequest & { owner: string; dueBefore?: string }): Promise<Page<ActionEntry>>;
  /** Dated actions due before a date, earliest first; current revisions only, as above. */
  listActionsDueBefore(query: PageRequest & { dueBefore: string }): Promise<Page<ActionEntry>>;
  listEstablishments(page: PageRequest): Promise<Page<StoredEstablishment>>;
  storeDraftAnswer(answer: DraftAnswer): Promise<DraftAnswerOutcome>;
}
