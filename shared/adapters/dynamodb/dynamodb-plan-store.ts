import { type BackoffOptions, backoffDelay, sleep } from '../retry.ts';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { parseBase64UrlJson } from '../../domain/cursor.ts';
import { type FieldIssue, InvalidRequestError } from '../../domain/request-errors.ts';
import { draftItemsOf } from '../../domain/draft-plan.ts';
import { establishmentIdOf } from '../../domain/establishment-id.ts';
import type { Uploader } from '../../domain/access.ts';
import type { Action, Plan, PlanFormat, PlanItem, PlanStatus } from '../../domain/plan.ts';
import type { Report } from '../../domain/report.ts';
import type {
  ActionEntry,
  DraftAnswer,
  DraftAnswerOutcome,
  Page,
  PageRequest,
  PlanListQuery,
  PlanQueries,
  StoredEstablishment,
  StoredItem,
} from '../../ports/plan-queries.ts';

export type { ActionEntry, Page, PageRequest } from '../../ports/plan-queries.ts';
import type {
  PlanStore,
  StoreDraftInput,
  StoredPlan,
  StoredPlanRef,
  StoreRevisionInput,
  StoreRevisionResult,
} from '../../ports/plan-store.ts';
import { ENTITY_ATTRIBUTE } from './dynamodb-client.ts';
import { type DynamoStoreConfig, markParsedUpdate, UploadNotFoundError } from './dynamodb-upload-store.ts';
import { GSI1, GSI2, TABLE_DEFINITION } from './table-definition.ts';

// ─── Identifiers ──────────────────────────────────────────────────────────────────────────────

/** Defined in the domain (ingestion checks the uploader's establishment with it); also exported from here, where plans are keyed by it. */
export { establishmentIdOf };

/**
 * The plan's id, the same for every revision of one inspection's plan: the establishment and the
 * report's publication date ("long-lartin-2023-04-12"), else the first day of the inspection
 * ("long-lartin-inspected-2022-12-05"), else the first 16 hex digits of the PDF's SHA-256
 * ("long-lartin-3f2a…", or "plan-3f2a…" when the establishment could not be read either).
 */
export function derivePlanId(
  plan: Pick<Plan, 'establishment' | 'reportPublished' | 'inspection'>,
  contentSha256: string,
): string {
  const establishmentId = establishmentIdOf(plan.establishment);
  const contentId = contentSha256.slice(0, 16).toLowerCase();
  if (!establishmentId) return `plan-${contentId}`;
  if (plan.reportPublished) return `${establishmentId}-${plan.reportPublished}`;
  if (plan.inspection) return `${establishmentId}-inspected-${plan.inspection.from}`;
  return `${establishmentId}-${contentId}`;
}

/** An owner as the index knows it: lower-cased, white space collapsed ("Head of  Safety" → "head of safety"). */
export function ownerKeyOf(owner: string): string {
  return owner.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The date a plan is listed under: report publication, else the inspection's last day, else the day first stored. */
function planDateOf(plan: Pick<Plan, 'reportPublished' | 'inspection'>, storedAt: string): string {
  return plan.reportPublished ?? plan.inspection?.to ?? storedAt.slice(0, 10);
}

/** The earliest due date of an action's targets, or null when none has a date. */
function earliestDue(action: Action): string | null {
  const dates = action.targets.flatMap((target) => (target.due ? [target.due] : []));
  return dates.length ? dates.reduce((earliest, date) => (date < earliest ? date : earliest)) : null;
}

// ─── Keys ─────────────────────────────────────────────────────────────────────────────────────

/**
 * A count as a sort-key field, sorting in numeric order at any size: a number of up to `width`
 * digits zero-padded to `width` (the format every record has had, so older records read and sort as
 * before), a wider one after a letter giving its extra digits ('a' one more than `width`, 'b' two
 * more, …): with width 4, "0001" < "9999" < "a10000" < "a99999" < "b100000". A field never is a
 * prefix of another, so keys that go on after it ("#…") still sort by it first.
 */
export function sortKeyNumber(value: number, width: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${value} is not a count a sort key can hold`);
  const digits = String(value);
  if (digits.length <= width) return digits.padStart(width, '0');
  return `${String.fromCharCode(WIDER_MARK_BASE + digits.length - width - 1)}${digits}`;
}

/** The number a `sortKeyNumber` field holds. */
export function numberOfSortKeyField(field: string): number {
  return Number(/^[a-z]/.test(field) ? field.slice(1) : field);
}

/** 'a': a safe integer has at most 16 digits, so even a 2-digit field needs no more than 'n'. */
const WIDER_MARK_BASE = 'a'.charCodeAt(0);
const pad = sortKeyNumber;

const planKey = (planId: string) => ({ pk: `PLAN#${planId}`, sk: 'PLAN' });
const contentKey = (sha256: string) => ({ pk: `CONTENT#${sha256}`, sk: 'CONTENT' });
const revisionSortKey = (revision: number) => `REVISION#${pad(revision, 6)}`;
/** The sort-key prefix of a revision's claim, items, owner and due entries. */
const revisionRecordPrefix = (revision: number) => `REV#${pad(revision, 6)}#`;
const claimSortKey = (revision: number) => `${revisionRecordPrefix(revision)}CLAIM`;
const itemPrefix = (revision: number) => `${revisionRecordPrefix(revision)}ITEM#`;
const ownerEntryPrefix = (revision: number) => `${revisionRecordPrefix(revision)}OWNER#`;
const dueEntryPrefix = (revision: number) => `${revisionRecordPrefix(revision)}DUE#`;

const establishmentKey = (establishmentId: string) => ({ pk: `ESTABLISHMENT#${establishmentId}`, sk: 'ESTABLISHMENT' });

const UNDATED = '9999-12-31';
const ALL_ESTABLISHMENTS = 'ESTABLISHMENTS';
const ALL_PLANS = 'PLANS';
const DATED_ACTIONS = 'DUE';

// ─── Records ──────────────────────────────────────────────────────────────────────────────────

/**
 * What a revision holds: a plan read from the action plan PDF, or the draft an inspection report
 * starts (its items without decisions or actions, and no format until the plan's response is read).
 */
interface RevisionContent extends Omit<Plan, 'format'> {
  format: PlanFormat | null;
  status: PlanStatus;
}

type PlanFields = Omit<RevisionContent, 'items'>;

/** A revision to store, the upload it comes from, and who uploaded it. */
interface RevisionInput {
  content: RevisionContent;
  uploadId: string;
  contentSha256: string;
  storedAt: string;
  uploadedBy: Uploader;
}


export interface PlanRevision extends PlanFields {
  planId: string;
  revision: number;
  uploadId: string;
  contentSha256: string;
  storedAt: string;
  /** Absent on revisions stored before uploaders were recorded. */
  uploadedBy?: Uploader;
  itemCount: number;
  actionCount: number;
}

type TableRecord = Record<string, unknown> & { pk: string; sk: string };
type EntryRecord = TableRecord & ActionEntry & { ownerKey?: string };

function planFields(plan: PlanFields): PlanFields {
  const { source, establishment, status, format, inspection, reportPublished, planSubmitted, summary, warnings } = plan;
  return { source, establishment, status, format, inspection, reportPublished, planSubmitted, summary, warnings };
}

/** The plan fields of a record read back; a record stored before drafts existed holds a parsed plan. */
function storedPlanFields(record: Omit<PlanFields, 'status'> & { status?: PlanStatus }): PlanFields {
  return planFields({ ...record, status: record.status ?? 'parsed' });
}

/** The draft a report starts: its recommendations or concerns, awaiting the plan's response. */
function draftOf(report: Report): RevisionContent {
  const { source, establishment, inspection, reportPublished, warnings } = report;
  return {
    source,
    establishment,
    status: 'awaiting_response',
    format: null,
    inspection,
    reportPublished,
    planSubmitted: null,
    items: draftItemsOf(report),
    summary: null,
    warnings,
  };
}

function itemFields(item: PlanItem): PlanItem {
  const { ref, kind, addressee, section, text, decision, actions } = item;
  return {
    ref,
    kind,
    addressee,
    section,
    text,
    decision,
    actions: actions.map(({ text, owners, targets }) => ({
      text,
      owners,
      targets: targets.map(({ raw, due }) => ({ raw, due })),
    })),
  };
}

function countActions(plan: Pick<Plan, 'items'>): number {
  return plan.items.reduce((count, item) => count + item.actions.length, 0);
}

/**
 * The records of a revision's content: one per item (actions inline), one per action and distinct
 * owner, one per dated action; written without index keys (see `withIndexKeys`).
 */
function contentRecords(planId: string, revision: number, plan: RevisionContent): TableRecord[] {
  const { pk } = planKey(planId);
  const records: TableRecord[] = [];
  plan.items.forEach((item, itemIndex) => {
    const itemOrdinal = itemIndex + 1;
    const ord = pad(itemOrdinal, 4);
    const stored = itemFields(item);
    records.push({
      pk,
      sk: `${itemPrefix(revision)}${ord}`,
      [ENTITY_ATTRIBUTE]: 'Item',
      planId,
      revision,
      item: stored,
    });
    records.push(...actionEntryRecords(planId, revision, plan.establishment, stored, itemOrdinal));
  });
  return records;
}

/** The owner and due entries of one item's actions (without index keys). */
function actionEntryRecords(
  planId: string,
  revision: number,
  establishment: string | null,
  stored: PlanItem,
  itemOrdinal: number,
): TableRecord[] {
  const { pk } = planKey(planId);
  const establishmentId = establishmentIdOf(establishment);
  const ord = pad(itemOrdinal, 4);
  const records: TableRecord[] = [];
  stored.actions.forEach((action, actionIndex) => {
    const actionOrdinal = actionIndex + 1;
    const act = pad(actionOrdinal, 2);
    const entry: ActionEntry = {
      planId,
      revision,
      establishment,
      establishmentId,
      itemRef: stored.ref,
      itemKind: stored.kind,
      itemOrdinal,
      actionOrdinal,
      text: action.text,
      owners: action.owners,
      targets: action.targets,
      due: earliestDue(action),
    };
    const ownerKeys = [...new Set(action.owners.map(ownerKeyOf).filter(Boolean))];
    ownerKeys.forEach((ownerKey, ownerIndex) => {
      const sk = `${ownerEntryPrefix(revision)}${ord}#${act}#${pad(ownerIndex + 1, 2)}`;
      records.push({ pk, sk, [ENTITY_ATTRIBUTE]: 'OwnerEntry', ...entry, ownerKey });
    });
    if (entry.due) {
      records.push({ pk, sk: `${dueEntryPrefix(revision)}${ord}#${act}`, [ENTITY_ATTRIBUTE]: 'DueEntry', ...entry });
    }
  });
  return records;
}

/** The index keys an owner or due entry carries while its revision is current. */
function indexKeysOf(entry: EntryRecord): Record<string, string> {
  const position = `${entry.planId}#${pad(entry.itemOrdinal, 4)}#${pad(entry.actionOrdinal, 2)}`;
  return entry.ownerKey !== undefined
    ? { gsi1pk: `OWNER#${entry.ownerKey}`, gsi1sk: `${entry.due ?? UNDATED}#${position}` }
    : { gsi2pk: DATED_ACTIONS, gsi2sk: `${entry.due}#${position}` };
}

function isIndexed(entry: EntryRecord): boolean {
  return entry.gsi1pk !== undefined || entry.gsi2pk !== undefined;
}

function withIndexKeys(entry: EntryRecord): EntryRecord {
  return { ...withoutIndexKeys(entry), ...indexKeysOf(entry) };
}

function withoutIndexKeys(entry: EntryRecord): EntryRecord {
  const { gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, gsi2pk: _gsi2pk, gsi2sk: _gsi2sk, ...rest } = entry;
  return rest as EntryRecord;
}

// A record read back is given only the fields of its public type: no keys or bookkeeping attributes.

function toStoredPlan(record: Record<string, unknown>): StoredPlan {
  const plan = record as unknown as StoredPlan;
  const { planId, establishmentId, currentRevision, itemCount, actionCount, createdAt, updatedAt } = plan;
  return {
    planId,
    establishmentId,
    currentRevision,
    itemCount,
    actionCount,
    createdAt,
    updatedAt,
    ...storedPlanFields(plan),
    ...(typeof record.answeredItemCount === 'number' ? { answeredItemCount: record.answeredItemCount } : {}),
    ...uploaderFieldOf(record),
  };
}

/** The `uploadedBy` of a plan or revision record, only its fields; none on records stored before uploaders were recorded. */
function uploaderFieldOf(record: Record<string, unknown>): { uploadedBy?: Uploader } {
  const uploader = record.uploadedBy as Uploader | undefined;
  if (!uploader || typeof uploader !== 'object') return {};
  const { subject, role, email, establishmentId } = uploader;
  return { uploadedBy: { subject, role, email: email ?? null, establishmentId: establishmentId ?? null } };
}

function toActionEntry(record: Record<string, unknown>): ActionEntry {
  const entry = record as unknown as ActionEntry;
  const { planId, revision, establishment, establishmentId, itemRef, itemKind, itemOrdinal, actionOrdinal } = entry;
  const { text, owners, targets, due } = entry;
  return {
    planId,
    revision,
    establishment,
    establishmentId,
    itemRef,
    itemKind,
    itemOrdinal,
    actionOrdinal,
    text,
    owners,
    targets,
    due,
  };
}

function toPlanRevision(record: Record<string, unknown>): PlanRevision {
  const revision = record as unknown as PlanRevision;
  const { planId, uploadId, contentSha256, storedAt, itemCount, actionCount } = revision;
  return {
    planId,
    revision: revision.revision,
    uploadId,
    contentSha256,
    storedAt,
    itemCount,
    actionCount,
    ...storedPlanFields(revision),
    ...uploaderFieldOf(record),
  };
}

// ─── Queries ──────────────────────────────────────────────────────────────────────────────────


/** Plans of one establishment listed under a date from `from` to `to` (ISO dates, inclusive), newest first. */
export interface PlansByEstablishmentQuery extends PageRequest {
  establishmentId: string;
  from?: string;
  to?: string;
}

/** All plans listed under a date from `from` to `to` (inclusive), newest first. */
export interface PlansQuery extends PageRequest {
  from?: string;
  to?: string;
}

/**
 * Current actions of one owner (as printed, any case), earliest due first, undated last; only those
 * due before `dueBefore` when given.
 */
export interface ActionsByOwnerQuery extends PageRequest {
  owner: string;
  dueBefore?: string;
}

/** Current dated actions due before `dueBefore`, earliest first; today's date lists the overdue ones. */
export interface ActionsDueQuery extends PageRequest {
  dueBefore: string;
}

/** Every revision of a plan, oldest first, including one that was stored after a newer one became current. */
export interface RevisionsQuery extends PageRequest {
  planId: string;
}

/** The store refuses a limit, date or cursor it cannot use: a bad request (400), whoever asked. */
export class InvalidQueryError extends InvalidRequestError {
  constructor(message: string, issues: FieldIssue[] = []) {
    super(message, issues);
    this.name = 'InvalidQueryError';
  }
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidQueryError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}

function isoDate(name: string, value: string): string {
  if (!ISO_DATE.test(value)) throw new InvalidQueryError(`${name} must be a date like 2024-03-31`);
  return value;
}

/** The key attributes a query's LastEvaluatedKey holds, its partition attribute first. */
function keyAttributesOf(indexName?: string): string[] {
  const table = [TABLE_DEFINITION.partitionKey.name, TABLE_DEFINITION.sortKey.name];
  const index = TABLE_DEFINITION.globalSecondaryIndexes.find((candidate) => candidate.indexName === indexName);
  return index ? [index.partitionKey.name, index.sortKey.name, ...table] : table;
}

type SortKeyCondition = { between: [string, string] } | { beginsWith: string } | { '<': string };

/**
 * Which records a query reads, and so which start keys its cursor may hold: the table's own keys
 * of the records it lists (a table query), or, for an index query, the table key of the record an
 * index entry with a given index sort key belongs to.
 */
type RecordKeys =
  | { tableSortKey: RegExp }
  | { ofIndexSortKey: (indexSortKey: string) => { pk: string; sk: RegExp } | null };

/** One Query's key condition, order, and the records it reads. */
interface KeyedQuery {
  indexName?: string;
  partition: string;
  sortKey?: SortKeyCondition;
  ascending: boolean;
  records: RecordKeys;
}

/**
 * One `#`-free segment of a key. The shapes below name each key's segments without their widths, so
 * they follow the key builders above; a change of a key's layout must be made here too.
 */
const SEGMENT = '[^#]+';
/** A `sortKeyNumber` field: digits, after a letter when wider than the field's width. */
const COUNT = '[a-z]?\\d+';

/** A plan record listed under `<planDate>#<planId>` (GSI1 by establishment, GSI2 all). */
const PLAN_LISTINGS: RecordKeys = {
  ofIndexSortKey: (indexSortKey) => {
    const planId = new RegExp(`^${SEGMENT}#(${SEGMENT})$`).exec(indexSortKey)?.[1];
    return planId ? { pk: planKey(planId).pk, sk: new RegExp(`^${planKey(planId).sk}$`) } : null;
  },
};

/** An establishment record listed under its id (GSI2 `ESTABLISHMENTS`). */
const ESTABLISHMENT_LISTINGS: RecordKeys = {
  ofIndexSortKey: (indexSortKey) => {
    if (!new RegExp(`^${SEGMENT}$`).test(indexSortKey)) return null;
    const { pk, sk } = establishmentKey(indexSortKey);
    return { pk, sk: new RegExp(`^${sk}$`) };
  },
};

/** An owner or due entry listed under `<due>#<planId>#<ord>#<act>`: the entry of that plan, item and action, of any revision. */
function actionEntryListings(kind: 'OWNER' | 'DUE'): RecordKeys {
  return {
    ofIndexSortKey: (indexSortKey) => {
      const match = new RegExp(`^${SEGMENT}#(${SEGMENT})#(${COUNT})#(${COUNT})$`).exec(indexSortKey);
      if (!match) return null;
      const [, planId, ord, act] = match as unknown as [string, string, string, string];
      const owner = kind === 'OWNER' ? `#${SEGMENT}` : '';
      return { pk: planKey(planId).pk, sk: new RegExp(`^REV#${COUNT}#${kind}#${ord}#${act}${owner}$`) };
    },
  };
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function satisfies(sortKey: SortKeyCondition | undefined, value: string): boolean {
  if (!sortKey) return true;
  if ('between' in sortKey) return value >= sortKey.between[0] && value <= sortKey.between[1];
  if ('beginsWith' in sortKey) return value.startsWith(sortKey.beginsWith);
  return value < sortKey['<'];
}

/**
 * The cursor back as a start key, refused (400) unless it is a key this query could have stopped
 * at: exactly the key attributes, strings, the partition queried, a sort key inside the range
 * queried, and the table key of a record of the kind listed (for an index entry: the record that
 * entry belongs to). So a made-up cursor can neither page into another partition, plan or
 * revision, nor make DynamoDB refuse the query (a start key outside the key condition).
 */
function decodeCursor(cursor: string, query: KeyedQuery): Record<string, string> {
  const cursorRefused = () =>
    new InvalidQueryError('The cursor is not one this list handed out for this query', [
      { pointer: 'query.cursor', message: 'pass back the cursor of the previous page of the same query, unchanged, or leave it out for the first page' },
    ]);
  const key = parseBase64UrlJson(cursor);
  const names = keyAttributesOf(query.indexName);
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw cursorRefused();
  const entries = Object.entries(key);
  const wellFormed =
    entries.length === names.length &&
    entries.every(([name, value]) => names.includes(name) && typeof value === 'string' && value.length > 0 && value.length <= 1024);
  if (!wellFormed) throw cursorRefused();
  const start = key as Record<string, string>;
  const [partitionName, sortName] = names as [string, string];
  if (start[partitionName] !== query.partition || !satisfies(query.sortKey, start[sortName]!)) throw cursorRefused();
  const { pk, sk } = start as { pk: string; sk: string };
  if ('tableSortKey' in query.records) {
    if (!query.records.tableSortKey.test(sk)) throw cursorRefused();
  } else {
    const record = query.records.ofIndexSortKey(start[sortName]!);
    if (!record || pk !== record.pk || !record.sk.test(sk)) throw cursorRefused();
  }
  return start;
}

// ─── Writes ───────────────────────────────────────────────────────────────────────────────────

/**
 * Calls per batch of 25 records (UnprocessedItems) and per transaction (conflicts), first included,
 * with full-jitter waits between them.
 */
export type RetryPolicy = BackoffOptions;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
};

/** DynamoDB kept refusing part of a batch write; the revision stays invisible and the ingest may be retried. */
export class BatchWriteIncompleteError extends Error {
  readonly unprocessed: number;
  readonly attempts: number;

  constructor(unprocessed: number, attempts: number) {
    super(`${unprocessed} record(s) still unprocessed after ${attempts} BatchWriteItem attempts`);
    this.name = 'BatchWriteIncompleteError';
    this.unprocessed = unprocessed;
    this.attempts = attempts;
  }
}

/** DynamoDB kept leaving plan records of a query's page unread; the query may be asked again. */
export class BatchReadIncompleteError extends Error {
  readonly unprocessed: number;
  readonly attempts: number;

  constructor(unprocessed: number, attempts: number) {
    super(`${unprocessed} plan record(s) still unprocessed after ${attempts} BatchGetItem attempts`);
    this.name = 'BatchReadIncompleteError';
    this.unprocessed = unprocessed;
    this.attempts = attempts;
  }
}

/** Other writers of the same plan kept getting in the way; nothing became visible and the ingest may be retried. */
export class RevisionConflictError extends Error {
  constructor(planId: string, message: string) {
    super(`Plan ${planId}: ${message}`);
    this.name = 'RevisionConflictError';
  }
}

/** How many revision numbers past the current one a writer tries to claim before giving up. */
const MAX_CLAIMS = 10;
const BATCH_SIZE = 25;
const BATCH_GET_SIZE = 100;
const RETRYABLE_CANCELLATIONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

/**
 * What the write path reads of the plan record: which revision is current and whether it is a draft
 * (absent on records stored before drafts existed: a parsed plan), and which one the indexes show.
 */
interface PlanState {
  currentRevision: number;
  status?: PlanStatus;
  /** Set once the indexes show `currentRevision` only; absent until the first revision got there. */
  indexedRevision?: number;
}

/**
 * A revision is kept as history, never made current, when a newer one is current already, or when
 * it is a draft and the plan's response is current: the plan never goes back to awaiting it.
 */
function keptAsHistory(revision: number, content: RevisionContent, plan: PlanState | null): boolean {
  if (!plan) return false;
  if (plan.currentRevision > revision) return true;
  return content.status === 'awaiting_response' && (plan.status ?? 'parsed') === 'parsed';
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** A transaction's item and what it writes, to tell from the cancellation reasons which condition failed. */
interface Write {
  writes: 'plan' | 'revision' | 'content' | 'upload' | 'establishment';
  item: TransactItem;
}
type Commit = 'committed' | 'content-known' | 'plan-moved' | 'busy';

/**
 * Plans, their revisions and the owner and due indexes, in the single table of docs/data-model.md.
 *
 * Storing a revision:
 * 1. Content already stored (CONTENT#sha256) → mark the upload parsed with that revision; done.
 * 2. Claim revision n = current + 1 with a conditional Put of `REV#n#CLAIM` (the next free number
 *    when another writer holds it), so no two writers ever write the records of the same n.
 * 3. Write the revision's items, owner and due entries with BatchWriteItem, without index keys.
 * 4. One transaction: the plan record's current revision becomes n (condition: it is still the
 *    revision read before; a plan record that does not exist yet for n's first writer), the
 *    REVISION#n record, the content record (condition: absent) and the upload marked parsed.
 *    When a revision numbered above n became current meanwhile, or n is a report's draft and the
 *    plan's response is current, n is kept as history instead (the same transaction without the
 *    plan record): the current revision never goes back.
 * 5. Put the entries of n again with index keys, those of the revisions the indexes may still show
 *    without, then record n as indexed. A writer finding that a newer revision became current
 *    meanwhile takes n out of the indexes again, since the newer writer may have done so before
 *    n's entries were put.
 * A crash leaves invisible records (before 4) or an index still showing the previous revision
 * (in 5); the retried ingest reuses its claim, or repairs the index on the duplicate-content path.
 */
export class DynamoPlanStore implements PlanStore, PlanQueries {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retry: RetryPolicy;

  constructor(config: DynamoStoreConfig & { retry?: Partial<RetryPolicy> }) {
    this.client = config.client;
    this.tableName = config.tableName;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...config.retry };
  }

  async storeRevision({ plan, ...source }: StoreRevisionInput): Promise<StoreRevisionResult> {
    return this.store({ content: { ...plan, status: 'parsed' }, ...source });
  }

  async storeDraft({ report, ...source }: StoreDraftInput): Promise<StoreRevisionResult> {
    return this.store({ content: draftOf(report), ...source });
  }

  async findDraftAnsweredBy(plan: Plan, contentSha256: string): Promise<Plan['items'] | null> {
    const planId = derivePlanId(plan, contentSha256);
    const state = await this.planState(planId);
    if (state?.status !== 'awaiting_response') return null;
    const records = await this.queryAll(planId, itemPrefix(state.currentRevision));
    return records.map((record) => record.item as PlanItem);
  }

  private async store(input: RevisionInput): Promise<StoreRevisionResult> {
    const known = await this.storedContent(input.contentSha256);
    if (known) return this.alreadyStored(known, input);

    const planId = derivePlanId(input.content, input.contentSha256);
    let plan = await this.planState(planId);
    const revision = await this.claimRevision(planId, (plan?.currentRevision ?? 0) + 1, input);
    await this.batchWrite(contentRecords(planId, revision, input.content));

    for (let attempt = 1; ; attempt++) {
      const previous = plan?.currentRevision ?? 0;
      const superseded = keptAsHistory(revision, input.content, plan);
      const outcome = await this.commit(
        superseded ? this.historyItems(planId, revision, input) : this.flipItems(planId, revision, previous, input),
        input.uploadId,
      );
      if (outcome === 'committed' && superseded) return { planId, revision, created: true };
      if (outcome === 'committed') break;
      if (outcome === 'content-known') {
        const stored = await this.storedContent(input.contentSha256);
        if (stored) return this.alreadyStored(stored, input);
      }
      if (attempt >= this.retry.maxAttempts) {
        throw new RevisionConflictError(
          planId,
          `revision ${revision} could not be made current in ${attempt} attempts`,
        );
      }
      if (outcome === 'busy') await this.backoff(attempt);
      plan = await this.planState(planId);
    }

    const stillIndexed = plan ? range(plan.indexedRevision ?? 1, plan.currentRevision) : [];
    await this.index(planId, revision, stillIndexed);
    return { planId, revision, created: true };
  }

  async getPlan(planId: string): Promise<StoredPlan | null> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: planKey(planId) }));
    return Item ? toStoredPlan(Item) : null;
  }

  async listItems(planId: string, revision?: number): Promise<Plan['items']> {
    const wanted = revision ?? (await this.getPlan(planId))?.currentRevision;
    if (wanted === undefined) return [];
    const records = await this.queryAll(planId, itemPrefix(wanted));
    return records.map((record) => record.item as PlanItem);
  }

  async getRevisionUploader(planId: string, revision: number): Promise<Uploader | null> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { ...planKey(planId), sk: revisionSortKey(revision) },
        ProjectionExpression: 'uploadedBy',
      }),
    );
    return Item ? (uploaderFieldOf(Item).uploadedBy ?? null) : null;
  }

  async getEstablishmentName(establishmentId: string): Promise<string | null> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: establishmentKey(establishmentId),
        ProjectionExpression: '#name',
        ExpressionAttributeNames: { '#name': 'name' },
      }),
    );
    return typeof Item?.name === 'string' ? Item.name : null;
  }

  async listPlansByEstablishment(query: PlansByEstablishmentQuery): Promise<Page<StoredPlan>> {
    return this.page(query, plansOfEstablishment(query.establishmentId, query), toStoredPlan);
  }

  async listPlans(query: PlansQuery): Promise<Page<StoredPlan>> {
    return this.page(query, allPlans(query), toStoredPlan);
  }

  async listActionsByOwner(query: ActionsByOwnerQuery): Promise<Page<ActionEntry>> {
    const before = query.dueBefore === undefined ? undefined : { '<': isoDate('dueBefore', query.dueBefore) };
    const keyed: KeyedQuery = { indexName: GSI1, partition: `OWNER#${ownerKeyOf(query.owner)}`, ascending: true, records: actionEntryListings('OWNER') };
    return this.currentEntriesOnly(await this.page(query, before ? { ...keyed, sortKey: before } : keyed, toActionEntry));
  }

  async listActionsDueBefore(query: ActionsDueQuery): Promise<Page<ActionEntry>> {
    const keyed: KeyedQuery = {
      indexName: GSI2,
      partition: DATED_ACTIONS,
      sortKey: { '<': isoDate('dueBefore', query.dueBefore) },
      ascending: true,
      records: actionEntryListings('DUE'),
    };
    return this.currentEntriesOnly(await this.page(query, keyed, toActionEntry));
  }

  async listRevisions(query: RevisionsQuery): Promise<Page<PlanRevision>> {
    const keyed: KeyedQuery = {
      partition: planKey(query.planId).pk,
      sortKey: { beginsWith: 'REVISION#' },
      ascending: true,
      records: { tableSortKey: new RegExp(`^REVISION#${COUNT}$`) },
    };
    return this.page(query, keyed, toPlanRevision);
  }

  // ─── Query API ────────────────────────────────────────────────────────────────────────────

  /** Access patterns 5 and 6, with the draft and status filter of the query API. */
  async listPlanPage(query: PlanListQuery): Promise<Page<StoredPlan>> {
    const filter = planListFilter(query);
    return query.establishmentId === undefined
      ? this.page(query, allPlans(query), toStoredPlan, filter)
      : this.page(query, plansOfEstablishment(query.establishmentId, query), toStoredPlan, filter);
  }

  /** Access pattern 7, one page: the item records of a revision, in document order. */
  async listItemPage(planId: string, revision: number, request: PageRequest): Promise<Page<StoredItem>> {
    const keyed: KeyedQuery = {
      partition: planKey(planId).pk,
      sortKey: { beginsWith: itemPrefix(revision) },
      ascending: true,
      records: { tableSortKey: new RegExp(`^REV#${COUNT}#ITEM#${COUNT}$`) },
    };
    return this.page(request, keyed, toStoredItem);
  }

  /** Every establishment with a stored plan, by id (GSI2 `ESTABLISHMENTS`). */
  async listEstablishments(request: PageRequest): Promise<Page<StoredEstablishment>> {
    return this.page(request, { indexName: GSI2, partition: ALL_ESTABLISHMENTS, ascending: true, records: ESTABLISHMENT_LISTINGS }, toStoredEstablishment);
  }

  /**
   * Stores the answer to one item of a draft, in one transaction: the item (condition: still at the
   * version read) and the plan record (condition: still this draft revision, with the answered count
   * read; the count goes up when the item had no answer). The answer that completes the draft turns
   * the plan `parsed`. The item's owner and due entries are then replaced; they stay out of the
   * indexes while the plan is a draft, and the completing answer indexes the whole revision.
   */
  async storeDraftAnswer(answer: DraftAnswer): Promise<DraftAnswerOutcome> {
    const { planId, revision, ordinal, expectedVersion, at } = answer;
    const item = itemFields(answer.item);
    const version = expectedVersion + 1;
    const counted = answer.wasAnswered ? answer.answeredBefore : answer.answeredBefore + 1;
    const planSets = ['updatedAt = :at', 'answeredItemCount = :counted'];
    const planValues: Record<string, unknown> = {
      ':at': at,
      ':counted': counted,
      ':revision': revision,
      ':draft': 'awaiting_response',
    };
    if (answer.completes) {
      planSets.push('#status = :parsed', '#format = :format');
      planValues[':parsed'] = 'parsed';
      planValues[':format'] = answer.completes.format;
    }
    const countCondition =
      answer.answeredBefore === 0 ? '(attribute_not_exists(answeredItemCount) OR answeredItemCount = :before)' : 'answeredItemCount = :before';
    planValues[':before'] = answer.answeredBefore;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { ...planKey(planId), sk: `${itemPrefix(revision)}${pad(ordinal, 4)}` },
                UpdateExpression: 'SET #item = :item, version = :version, answeredAt = :at',
                ConditionExpression:
                  expectedVersion === 0 ? 'attribute_exists(pk) AND attribute_not_exists(version)' : 'version = :expected',
                ExpressionAttributeNames: { '#item': 'item' },
                ExpressionAttributeValues: {
                  ':item': item,
                  ':version': version,
                  ':at': at,
                  ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
                },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: planKey(planId),
                UpdateExpression: `SET ${planSets.join(', ')}`,
                ConditionExpression: `currentRevision = :revision AND #status = :draft AND ${countCondition}`,
                ExpressionAttributeNames: { '#status': 'status', ...(answer.completes ? { '#format': 'format' } : {}) },
                ExpressionAttributeValues: planValues,
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [itemReason, planReason] = error.CancellationReasons ?? [];
      if (itemReason?.Code === 'ConditionalCheckFailed') {
        return { outcome: 'conflict', reason: `item ${answer.item.ref} was changed meanwhile; read it again` };
      }
      if (planReason?.Code === 'ConditionalCheckFailed') {
        return { outcome: 'conflict', reason: `plan ${planId} changed meanwhile (another answer, or a new revision); read it again` };
      }
      if ((error.CancellationReasons ?? []).some((reason) => RETRYABLE_CANCELLATIONS.has(reason.Code ?? ''))) {
        return { outcome: 'conflict', reason: `plan ${planId} is being changed by another request; try again` };
      }
      throw error;
    }

    const entriesPrefix = `${pad(ordinal, 4)}#`;
    const old = [
      ...(await this.queryAll(planId, `${ownerEntryPrefix(revision)}${entriesPrefix}`)),
      ...(await this.queryAll(planId, `${dueEntryPrefix(revision)}${entriesPrefix}`)),
    ];
    const establishment = (await this.getPlan(planId))?.establishment ?? null;
    const fresh = actionEntryRecords(planId, revision, establishment, item, ordinal);
    const freshKeys = new Set(fresh.map((record) => record.sk));
    await this.batchDelete(old.filter((record) => !freshKeys.has(record.sk)).map(({ pk, sk }) => ({ pk, sk })));
    await this.batchWrite(fresh);
    if (answer.completes) await this.index(planId, revision, []);
    return { outcome: 'stored', version };
  }

  // ─── Write steps ──────────────────────────────────────────────────────────────────────────

  private async storedContent(contentSha256: string): Promise<StoredPlanRef | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: contentKey(contentSha256), ConsistentRead: true }),
    );
    return Item ? { planId: Item.planId as string, revision: Item.revision as number } : null;
  }

  /**
   * The same PDF again: mark the upload parsed with the stored revision, and finish that revision's
   * indexing if a crash cut it short.
   */
  private async alreadyStored(ref: StoredPlanRef, input: RevisionInput): Promise<StoreRevisionResult> {
    try {
      await this.client.send(new UpdateCommand(markParsedUpdate(this.tableName, input.uploadId, ref, input.storedAt)));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new UploadNotFoundError(input.uploadId);
      throw error;
    }
    const plan = await this.planState(ref.planId);
    if (plan && plan.currentRevision === ref.revision && plan.indexedRevision !== ref.revision) {
      await this.index(ref.planId, ref.revision, range(plan.indexedRevision ?? 1, ref.revision - 1));
    }
    return { ...ref, created: false };
  }

  private async planState(planId: string): Promise<PlanState | null> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: planKey(planId),
        ConsistentRead: true,
        ProjectionExpression: 'currentRevision, #status, indexedRevision',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return Item ? (Item as PlanState) : null;
  }

  /** Claims the first free revision number from `first` on; an earlier attempt's claim for the same upload is reused. */
  private async claimRevision(planId: string, first: number, input: RevisionInput): Promise<number> {
    for (let revision = first; revision < first + MAX_CLAIMS; revision++) {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...planKey(planId),
              sk: claimSortKey(revision),
              [ENTITY_ATTRIBUTE]: 'RevisionClaim',
              uploadId: input.uploadId,
              contentSha256: input.contentSha256,
              claimedAt: input.storedAt,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR (uploadId = :uploadId AND contentSha256 = :sha)',
            ExpressionAttributeValues: { ':uploadId': input.uploadId, ':sha': input.contentSha256 },
          }),
        );
        return revision;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new RevisionConflictError(
      planId,
      `revisions ${first} to ${first + MAX_CLAIMS - 1} are all claimed by other writers`,
    );
  }

  /** The transaction that makes `revision` current over `previous` (0: the plan's first revision). */
  private flipItems(planId: string, revision: number, previous: number, input: RevisionInput): Write[] {
    const { content: plan, storedAt } = input;
    const establishmentId = establishmentIdOf(plan.establishment);
    const listedUnder = `${planDateOf(plan, storedAt)}#${planId}`;
    const fields: Record<string, unknown> = {
      [ENTITY_ATTRIBUTE]: 'Plan',
      planId,
      establishmentId,
      ...planFields(plan),
      currentRevision: revision,
      uploadedBy: input.uploadedBy,
      itemCount: plan.items.length,
      actionCount: countActions(plan),
      updatedAt: storedAt,
      gsi2pk: ALL_PLANS,
      gsi2sk: listedUnder,
      ...(establishmentId ? { gsi1pk: `ESTABLISHMENT#${establishmentId}`, gsi1sk: listedUnder } : {}),
    };
    const names = Object.keys(fields);
    const set = names.flatMap((name, i) => (fields[name] === undefined ? [] : [`#f${i} = :f${i}`]));
    // A field the new revision leaves out must not keep the previous revision's value.
    const remove = names.flatMap((name, i) => (fields[name] === undefined ? [`#f${i}`] : []));
    const planUpdate: TransactItem = {
      Update: {
        TableName: this.tableName,
        Key: planKey(planId),
        UpdateExpression:
          `SET ${set.join(', ')}, createdAt = if_not_exists(createdAt, :storedAt)` +
          (remove.length ? ` REMOVE ${remove.join(', ')}` : ''),
        ConditionExpression: previous === 0 ? 'attribute_not_exists(pk)' : 'currentRevision = :previous',
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(
            names.flatMap((name, i) => (fields[name] === undefined ? [] : [[`:f${i}`, fields[name]]])),
          ),
          ':storedAt': storedAt,
          ...(previous === 0 ? {} : { ':previous': previous }),
        },
      },
    };
    const establishment: Write[] = establishmentId
      ? [{ writes: 'establishment', item: this.establishmentUpdate(establishmentId, plan.establishment!, previous === 0, storedAt) }]
      : [];
    return [{ writes: 'plan', item: planUpdate }, ...this.historyItems(planId, revision, input), ...establishment];
  }

  /**
   * The establishment's record, kept in the transaction that makes a revision current: its name as
   * the latest plan prints it, and how many plans it has (counted when a plan's first revision is stored).
   */
  private establishmentUpdate(establishmentId: string, name: string, newPlan: boolean, at: string): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: establishmentKey(establishmentId),
        UpdateExpression:
          `SET #entity = :entity, establishmentId = :id, #name = :name, gsi2pk = :list, gsi2sk = :id, updatedAt = :at, ` +
          `firstStoredAt = if_not_exists(firstStoredAt, :at), planCount = if_not_exists(planCount, :zero) + :added`,
        ExpressionAttributeNames: { '#entity': ENTITY_ATTRIBUTE, '#name': 'name' },
        ExpressionAttributeValues: {
          ':entity': 'Establishment',
          ':id': establishmentId,
          ':name': name,
          ':list': ALL_ESTABLISHMENTS,
          ':at': at,
          ':zero': 0,
          ':added': newPlan ? 1 : 0,
        },
      },
    };
  }

  /** The revision and content records and the upload marked parsed: a revision stored without becoming current. */
  private historyItems(planId: string, revision: number, input: RevisionInput): Write[] {
    const { content: plan, storedAt, uploadId, contentSha256, uploadedBy } = input;
    const record: TableRecord & PlanRevision = {
      ...planKey(planId),
      sk: revisionSortKey(revision),
      [ENTITY_ATTRIBUTE]: 'Revision',
      planId,
      revision,
      uploadId,
      contentSha256,
      storedAt,
      uploadedBy,
      itemCount: plan.items.length,
      actionCount: countActions(plan),
      ...planFields(plan),
    };
    const content = {
      ...contentKey(contentSha256),
      [ENTITY_ATTRIBUTE]: 'Content',
      planId,
      revision,
      uploadId,
      storedAt,
    };
    return [
      { writes: 'revision', item: { Put: { TableName: this.tableName, Item: record } } },
      {
        writes: 'content',
        item: { Put: { TableName: this.tableName, Item: content, ConditionExpression: 'attribute_not_exists(pk)' } },
      },
      {
        writes: 'upload',
        item: { Update: markParsedUpdate(this.tableName, uploadId, { planId, revision }, storedAt) },
      },
    ];
  }

  /** Runs the transaction, and tells why it was cancelled: same content stored meanwhile, plan moved on, contention. */
  private async commit(writes: Write[], uploadId: string): Promise<Commit> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: writes.map(({ item }) => item) }));
      return 'committed';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = new Set(
        writes.flatMap((write, index) => (reasons[index]?.Code === 'ConditionalCheckFailed' ? [write.writes] : [])),
      );
      if (failed.has('content')) return 'content-known';
      if (failed.has('upload')) throw new UploadNotFoundError(uploadId);
      if (failed.has('plan')) return 'plan-moved';
      if (reasons.some((reason) => RETRYABLE_CANCELLATIONS.has(reason.Code ?? ''))) return 'busy';
      throw error;
    }
  }

  /**
   * Step 5: the indexes follow the current revision. `stale` are the revisions whose entries may
   * still be indexed: the previous current one, and any whose writer crashed before this step.
   */
  private async index(planId: string, revision: number, stale: number[]): Promise<void> {
    await this.setIndexed(planId, revision, true);
    for (const old of stale) if (old !== revision) await this.setIndexed(planId, old, false);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: planKey(planId),
          UpdateExpression: 'SET indexedRevision = :revision',
          ConditionExpression: 'currentRevision = :revision',
          ExpressionAttributeValues: { ':revision': revision },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await this.setIndexed(planId, revision, false);
    }
  }

  /** Puts again those owner and due entries of a revision whose index keys are not as wanted. */
  private async setIndexed(planId: string, revision: number, indexed: boolean): Promise<void> {
    const entries = [
      ...(await this.queryAll(planId, ownerEntryPrefix(revision))),
      ...(await this.queryAll(planId, dueEntryPrefix(revision))),
    ] as EntryRecord[];
    await this.batchWrite(
      entries
        .filter((entry) => isIndexed(entry) !== indexed)
        .map((entry) => (indexed ? withIndexKeys(entry) : withoutIndexKeys(entry))),
    );
  }

  /** BatchWriteItem in calls of 25; what DynamoDB leaves unprocessed is sent again after a full-jitter backoff. */
  private async batchWrite(records: TableRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += BATCH_SIZE) {
      let pending: NonNullable<BatchWriteCommandInput['RequestItems']>[string] = records
        .slice(start, start + BATCH_SIZE)
        .map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 1; ; attempt++) {
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = UnprocessedItems?.[this.tableName] ?? [];
        if (pending.length === 0) break;
        if (attempt >= this.retry.maxAttempts) throw new BatchWriteIncompleteError(pending.length, attempt);
        await this.backoff(attempt);
      }
    }
  }

  /** Deletes records one by one: an item's few superseded owner and due entries. */
  private async batchDelete(keys: { pk: string; sk: string }[]): Promise<void> {
    for (const Key of keys) {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key }));
    }
  }

  /** Full jitter after the `attempt`-th call (1-based): a random wait up to base × 2^(attempt − 1), capped. */
  private backoff(attempt: number): Promise<void> {
    return (this.retry.sleep ?? sleep)(backoffDelay(attempt - 1, this.retry));
  }

  // ─── Reads ────────────────────────────────────────────────────────────────────────────────

  /** Every record of a plan whose sort key starts with `prefix`, in order (strongly consistent). */
  private async queryAll(planId: string, prefix: string): Promise<TableRecord[]> {
    const records: TableRecord[] = [];
    let from: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': planKey(planId).pk, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: from,
        }),
      );
      records.push(...((page.Items ?? []) as TableRecord[]));
      from = page.LastEvaluatedKey;
    } while (from);
    return records;
  }

  private async page<T>(
    request: PageRequest,
    keyed: KeyedQuery,
    toResult: (record: Record<string, unknown>) => T,
    filter?: QueryFilter,
  ): Promise<Page<T>> {
    const { indexName, partition, sortKey } = keyed;
    const [partitionName, sortName] = keyAttributesOf(indexName);
    const values: Record<string, unknown> = { ':partition': partition, ...filter?.values };
    let condition = `${partitionName} = :partition`;
    if (sortKey && 'between' in sortKey) {
      condition += ` AND ${sortName} BETWEEN :from AND :to`;
      [values[':from'], values[':to']] = sortKey.between;
    } else if (sortKey && 'beginsWith' in sortKey) {
      condition += ` AND begins_with(${sortName}, :prefix)`;
      values[':prefix'] = sortKey.beginsWith;
    } else if (sortKey) {
      condition += ` AND ${sortName} < :before`;
      values[':before'] = sortKey['<'];
    }
    const query: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: indexName,
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
      ScanIndexForward: keyed.ascending,
      Limit: pageSize(request.limit),
      ExclusiveStartKey: request.cursor === undefined ? undefined : decodeCursor(request.cursor, keyed),
      ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeNames: filter.names } : {}),
    };
    const { Items, LastEvaluatedKey } = await this.client.send(new QueryCommand(query));
    const items = (Items ?? []).map(toResult);
    return LastEvaluatedKey ? { items, cursor: encodeCursor(LastEvaluatedKey) } : { items };
  }

  /**
   * The action entries of a page that belong to their plan's current revision. The owner and due
   * indexes are eventually consistent: for a moment after a new revision becomes current they may
   * still show the previous revision's entries (step 5 took their index keys away, the index has not
   * caught up), alongside the new one's or instead of them. Each entry carries its plan and revision,
   * so the plans on the page are read with one strongly consistent BatchGetItem and only entries of
   * each plan's current revision are kept: never two revisions of one action at once, never a
   * superseded one. The page may come back shorter than the Query's; its cursor goes on unchanged.
   */
  private async currentEntriesOnly(page: Page<ActionEntry>): Promise<Page<ActionEntry>> {
    if (page.items.length === 0) return page;
    const current = await this.currentRevisions([...new Set(page.items.map((entry) => entry.planId))]);
    return { ...page, items: page.items.filter((entry) => current.get(entry.planId) === entry.revision) };
  }

  /**
   * Each plan's current revision, read strongly consistently from the plan records: BatchGetItem in
   * calls of 100 keys; the keys DynamoDB leaves unprocessed are asked again after a full-jitter
   * backoff, then a typed error. A plan without a record is absent from the map.
   */
  private async currentRevisions(planIds: string[]): Promise<Map<string, number>> {
    const current = new Map<string, number>();
    for (let start = 0; start < planIds.length; start += BATCH_GET_SIZE) {
      let keys: Record<string, unknown>[] = planIds.slice(start, start + BATCH_GET_SIZE).map(planKey);
      for (let attempt = 1; ; attempt++) {
        const { Responses, UnprocessedKeys } = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'planId, currentRevision' },
            },
          }),
        );
        for (const record of Responses?.[this.tableName] ?? []) {
          current.set(record.planId as string, record.currentRevision as number);
        }
        keys = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        if (keys.length === 0) break;
        if (attempt >= this.retry.maxAttempts) throw new BatchReadIncompleteError(keys.length, attempt);
        await this.backoff(attempt);
      }
    }
    return current;
  }
}

/** A FilterExpression applied to a query's page (DynamoDB reads `Limit` records, then filters them). */
interface QueryFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * The plan list's filter: drafts only of the establishment given (all for '*', none for null), and
 * the status asked for. A record stored before `status` existed holds a parsed plan.
 */
function planListFilter(query: Pick<PlanListQuery, 'draftsOf' | 'status'>): QueryFilter | undefined {
  const parts: string[] = [];
  const values: Record<string, unknown> = {};
  const notDraft = '(attribute_not_exists(#status) OR #status <> :draft)';
  if (query.draftsOf === null) {
    parts.push(notDraft);
    values[':draft'] = 'awaiting_response';
  } else if (query.draftsOf !== '*') {
    parts.push(`(${notDraft} OR establishmentId = :draftsOf)`);
    values[':draft'] = 'awaiting_response';
    values[':draftsOf'] = query.draftsOf;
  }
  if (query.status !== undefined) {
    parts.push(query.status === 'parsed' ? '(#status = :status OR attribute_not_exists(#status))' : '#status = :status');
    values[':status'] = query.status;
  }
  return parts.length ? { expression: parts.join(' AND '), names: { '#status': 'status' }, values } : undefined;
}

function toStoredItem(record: Record<string, unknown>): StoredItem {
  const sk = record.sk as string;
  return {
    ordinal: numberOfSortKeyField(sk.slice(sk.lastIndexOf('#') + 1)),
    version: typeof record.version === 'number' ? record.version : 0,
    item: record.item as PlanItem,
  };
}

function toStoredEstablishment(record: Record<string, unknown>): StoredEstablishment {
  const { establishmentId, name, planCount, firstStoredAt, updatedAt } = record as unknown as StoredEstablishment;
  return { establishmentId, name, planCount, firstStoredAt, updatedAt };
}

/** Listing dates from `from` to `to` inclusive: the sort key is `<date>#<planId>`, and "~" sorts after "#". */
function dateRange(query: { from?: string | undefined; to?: string | undefined }): SortKeyCondition {
  const from = query.from === undefined ? '0' : isoDate('from', query.from);
  const to = query.to === undefined ? '9' : isoDate('to', query.to);
  return { between: [from, `${to}~`] };
}

/** Access pattern 6: every plan record, newest first (GSI2 `PLANS`). */
function allPlans(query: { from?: string | undefined; to?: string | undefined }): KeyedQuery {
  return { indexName: GSI2, partition: ALL_PLANS, sortKey: dateRange(query), ascending: false, records: PLAN_LISTINGS };
}

/** Access pattern 5: one establishment's plan records, newest first (GSI1 `ESTABLISHMENT#…`). */
function plansOfEstablishment(establishmentId: string, query: { from?: string | undefined; to?: string | undefined }): KeyedQuery {
  return { indexName: GSI1, partition: `ESTABLISHMENT#${establishmentId}`, sortKey: dateRange(query), ascending: false, records: PLAN_LISTINGS };
}

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}
