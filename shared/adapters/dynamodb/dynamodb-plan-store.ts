import { type BackoffOptions, backoffDelay, sleep } from '../retry.ts';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
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
import { draftItemsOf } from '../../domain/draft-plan.ts';
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

/**
 * Prison designations that come and go with an establishment's role ("HMP Doncaster" became
 * "HMP & YOI Doncaster"); the id leaves them out so every plan of one establishment shares it.
 */
const DESIGNATION = '(?:hmp|hmyoi|hmirc|yoi|irc|stc|hm\\s+prison|hm\\s+young\\s+offender\\s+institution)';
const DESIGNATIONS = new RegExp(`^(?:${DESIGNATION}(?:\\s*(?:/|&|\\band\\b)\\s*|\\s+))+`, 'i');

/**
 * The establishment as an id: its name without the designation, lower-cased, words joined by "-"
 * ("HMP Long Lartin" → "long-lartin", "HMP/YOI Bristol" → "bristol", "HMP King's Lynn" →
 * "kings-lynn"). A name that is nothing but a designation keeps it. Null when there is no name.
 */
export function establishmentIdOf(establishment: string | null): string | null {
  if (!establishment) return null;
  return slug(establishment.replace(DESIGNATIONS, '')) || slug(establishment) || null;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

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

/** A revision to store, and the upload it comes from. */
interface RevisionInput {
  content: RevisionContent;
  uploadId: string;
  contentSha256: string;
  storedAt: string;
}


export interface PlanRevision extends PlanFields {
  planId: string;
  revision: number;
  uploadId: string;
  contentSha256: string;
  storedAt: string;
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
  };
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

export class InvalidQueryError extends Error {
  constructor(message: string) {
    super(message);
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

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The cursor back as a start key, refused unless it is a key of the partition being queried. */
function decodeCursor(cursor: string, indexName: string | undefined, partition: string): Record<string, string> {
  const invalid = new InvalidQueryError('cursor is not one this list handed out');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const names = keyAttributesOf(indexName);
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid;
  const entries = Object.entries(key);
  const wellFormed =
    entries.length === names.length &&
    entries.every(([name, value]) => names.includes(name) && typeof value === 'string') &&
    (key as Record<string, string>)[names[0]!] === partition;
  if (!wellFormed) throw invalid;
  return key as Record<string, string>;
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

  async listPlansByEstablishment(query: PlansByEstablishmentQuery): Promise<Page<StoredPlan>> {
    return this.page(query, GSI1, `ESTABLISHMENT#${query.establishmentId}`, dateRange(query), false, toStoredPlan);
  }

  async listPlans(query: PlansQuery): Promise<Page<StoredPlan>> {
    return this.page(query, GSI2, ALL_PLANS, dateRange(query), false, toStoredPlan);
  }

  async listActionsByOwner(query: ActionsByOwnerQuery): Promise<Page<ActionEntry>> {
    const before = query.dueBefore === undefined ? undefined : { '<': isoDate('dueBefore', query.dueBefore) };
    return this.page(query, GSI1, `OWNER#${ownerKeyOf(query.owner)}`, before, true, toActionEntry);
  }

  async listActionsDueBefore(query: ActionsDueQuery): Promise<Page<ActionEntry>> {
    const before = { '<': isoDate('dueBefore', query.dueBefore) };
    return this.page(query, GSI2, DATED_ACTIONS, before, true, toActionEntry);
  }

  async listRevisions(query: RevisionsQuery): Promise<Page<PlanRevision>> {
    return this.page(query, undefined, planKey(query.planId).pk, { beginsWith: 'REVISION#' }, true, toPlanRevision);
  }

  // ─── Query API ────────────────────────────────────────────────────────────────────────────

  /** Access patterns 5 and 6, with the draft and status filter of the query API. */
  async listPlanPage(query: PlanListQuery): Promise<Page<StoredPlan>> {
    const filter = planListFilter(query);
    return query.establishmentId === undefined
      ? this.page(query, GSI2, ALL_PLANS, dateRange(query), false, toStoredPlan, filter)
      : this.page(query, GSI1, `ESTABLISHMENT#${query.establishmentId}`, dateRange(query), false, toStoredPlan, filter);
  }

  /** Access pattern 7, one page: the item records of a revision, in document order. */
  async listItemPage(planId: string, revision: number, request: PageRequest): Promise<Page<StoredItem>> {
    return this.page(request, undefined, planKey(planId).pk, { beginsWith: itemPrefix(revision) }, true, toStoredItem);
  }

  /** Every establishment with a stored plan, by id (GSI2 `ESTABLISHMENTS`). */
  async listEstablishments(request: PageRequest): Promise<Page<StoredEstablishment>> {
    return this.page(request, GSI2, ALL_ESTABLISHMENTS, undefined, true, toStoredEstablishment);
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
    const { content: plan, storedAt, uploadId, contentSha256 } = input;
    const record: TableRecord & PlanRevision = {
      ...planKey(planId),
      sk: revisionSortKey(revision),
      [ENTITY_ATTRIBUTE]: 'Revision',
      planId,
      revision,
      uploadId,
      contentSha256,
      storedAt,
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
    indexName: string | undefined,
    partition: string,
    sortKey: SortKeyCondition | undefined,
    ascending: boolean,
    toResult: (record: Record<string, unknown>) => T,
    filter?: QueryFilter,
  ): Promise<Page<T>> {
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
      ScanIndexForward: ascending,
      Limit: pageSize(request.limit),
      ExclusiveStartKey: request.cursor === undefined ? undefined : decodeCursor(request.cursor, indexName, partition),
      ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeNames: filter.names } : {}),
    };
    const { Items, LastEvaluatedKey } = await this.client.send(new QueryCommand(query));
    const items = (Items ?? []).map(toResult);
    return LastEvaluatedKey ? { items, cursor: encodeCursor(LastEvaluatedKey) } : { items };
  }
}

type SortKeyCondition = { between: [string, string] } | { beginsWith: string } | { '<': string };

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

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}
