import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApprovalAuditEntry, ApprovalChain, ApprovalStatus } from '../../domain/approval.ts';
import type {
  ApprovalLink,
  ApprovalRun,
  ApprovalStore,
  DecisionWrite,
  RecordDecisionResult,
  StageDecision,
  StageRequest,
} from '../../ports/approval-store.ts';
import { ENTITY_ATTRIBUTE } from './dynamodb-client.ts';
import type { DynamoStoreConfig } from './dynamodb-upload-store.ts';
import { TABLE_DEFINITION } from './table-definition.ts';

// Keys (docs/data-model.md, "Approval"). Runs and stages sit in the plan's partition, so a plan's
// approval history is one Query; links have their own partition, found by the id in the URL.
const pad = (value: number, width: number) => String(value).padStart(width, '0');
const planPk = (planId: string) => `PLAN#${planId}`;
const planKey = (planId: string) => ({ pk: planPk(planId), sk: 'PLAN' });
const runPrefix = (revision: number) => `APPROVAL#${pad(revision, 6)}#`;
const runKey = (planId: string, revision: number, attempt: number) => ({ pk: planPk(planId), sk: `${runPrefix(revision)}${pad(attempt, 3)}` });
const stageKey = (planId: string, revision: number, attempt: number, stageIndex: number) => ({
  pk: planPk(planId),
  sk: `APPROVAL_STAGE#${pad(revision, 6)}#${pad(attempt, 3)}#${pad(stageIndex, 2)}`,
});
const linkKey = (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'LINK' });
const AUDIT_PREFIX = 'AUDIT#';
const chainKey = (establishmentId: string) => ({ pk: `ESTABLISHMENT#${establishmentId}`, sk: 'APPROVAL_CHAIN' });

/** A used or expired link's page keeps working for this long after the link expires; then the record goes (TTL). */
const LINK_RECORD_KEPT_SECONDS = 90 * 24 * 3600;

const decisionAttribute = (approverIndex: number) => `a${approverIndex}`;

interface StageRecord extends Omit<StageRequest, 'decisions'> {
  attempt: number;
  decisions: Record<string, StageDecision>;
}

export class DynamoApprovalStore implements ApprovalStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor({ client, tableName }: DynamoStoreConfig) {
    this.client = client;
    this.tableName = tableName;
  }

  async getChain(establishmentId: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: chainKey(establishmentId) }));
    if (!Item) return null;
    return { chain: Item.chain as ApprovalChain, updatedAt: Item.updatedAt as string, updatedBy: Item.updatedBy as string };
  }

  async putChain(establishmentId: string, chain: ApprovalChain, updatedBy: string, updatedAt: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...chainKey(establishmentId), [ENTITY_ATTRIBUTE]: 'approval-chain', establishmentId, chain, updatedBy, updatedAt },
      }),
    );
  }

  async createRun(run: ApprovalRun): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...runKey(run.planId, run.revision, run.attempt), [ENTITY_ATTRIBUTE]: 'approval-run', ...run },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: planKey(run.planId),
                UpdateExpression: 'SET #status = :awaiting, updatedAt = :now',
                ConditionExpression: 'currentRevision = :revision',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':awaiting': 'awaiting_approval', ':now': run.startedAt, ':revision': run.revision },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.[0] === 'ConditionalCheckFailed') return false;
      if (reasons?.[1] === 'ConditionalCheckFailed') throw new RevisionNotCurrentError(run.planId, run.revision);
      throw error;
    }
  }

  async getLatestRun(planId: string, revision: number): Promise<ApprovalRun | null> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': planPk(planId), ':prefix': runPrefix(revision) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = Items?.[0];
    return item ? runOf(item) : null;
  }

  async getRun(planId: string, revision: number, attempt: number): Promise<ApprovalRun | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: runKey(planId, revision, attempt), ConsistentRead: true }),
    );
    return Item ? runOf(Item) : null;
  }

  async setExecution(planId: string, revision: number, attempt: number, executionId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(planId, revision, attempt),
        UpdateExpression: 'SET executionId = :executionId',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':executionId': executionId },
      }),
    );
  }

  async finishRun(
    planId: string,
    revision: number,
    attempt: number,
    status: Exclude<ApprovalStatus, 'in_progress'>,
    planStatus: 'approved' | 'changes_requested' | 'parsed',
    finishedAt: string,
  ): Promise<boolean> {
    const finishRun = {
      Update: {
        TableName: this.tableName,
        Key: runKey(planId, revision, attempt),
        UpdateExpression: 'SET #status = :status, finishedAt = :now',
        ConditionExpression: '#status = :inProgress',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':now': finishedAt, ':inProgress': 'in_progress' },
      },
    };
    const setPlanStatus = {
      Update: {
        TableName: this.tableName,
        Key: planKey(planId),
        UpdateExpression: 'SET #status = :status, updatedAt = :now',
        ConditionExpression: 'currentRevision = :revision',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': planStatus, ':now': finishedAt, ':revision': revision },
      },
    };
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [finishRun, setPlanStatus] }));
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.[0] === 'ConditionalCheckFailed') return false;
      if (reasons?.[1] !== 'ConditionalCheckFailed') throw error;
    }
    // A newer revision is current: the plan's status is that revision's; only the run ends.
    try {
      await this.client.send(new UpdateCommand({ ...finishRun.Update }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async withdrawRun(planId: string, revision: number, attempt: number, finishedAt: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(planId, revision, attempt),
          UpdateExpression: 'SET #status = :withdrawn, finishedAt = :now',
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':withdrawn': 'withdrawn', ':now': finishedAt, ':inProgress': 'in_progress' },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async getLatestRunBefore(planId: string, revision: number): Promise<ApprovalRun | null> {
    // Run keys are `APPROVAL#<rev6>#<att3>`: every run of a lower revision sorts between these two.
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': planPk(planId), ':from': 'APPROVAL#', ':to': `APPROVAL#${pad(revision, 6)}` },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = Items?.[0];
    return item ? runOf(item) : null;
  }

  async continueRun(previous: ApprovalRun, stage: StageRequest, next: ApprovalRun): Promise<boolean> {
    const { planId, revision } = previous;
    const finishedAt = next.startedAt;
    const versionCheck = stageVersionCondition(stage.version);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: runKey(planId, revision, previous.attempt),
                UpdateExpression: 'SET #status = :restarted, finishedAt = :now',
                ConditionExpression: '#status = :inProgress',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':restarted': 'restarted', ':now': finishedAt, ':inProgress': 'in_progress' },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...runKey(planId, revision, next.attempt), [ENTITY_ATTRIBUTE]: 'approval-run', ...next },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...stageKey(planId, revision, next.attempt, stage.stageIndex),
                  [ENTITY_ATTRIBUTE]: 'approval-stage',
                  ...stage,
                  attempt: next.attempt,
                  // The next execution's first round sets its own token.
                  taskToken: '',
                  decisions: Object.fromEntries(stage.decisions.map((decision) => [decisionAttribute(decision.approverIndex), decision])),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: stageKey(planId, revision, previous.attempt, stage.stageIndex),
                ConditionExpression: versionCheck.expression,
                ExpressionAttributeValues: versionCheck.values,
              },
            },
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: planKey(planId),
                ConditionExpression: 'currentRevision = :revision',
                ExpressionAttributeValues: { ':revision': revision },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.includes('ConditionalCheckFailed') || reasons?.includes('TransactionConflict')) return false;
      throw error;
    }
  }

  async getStage(planId: string, revision: number, attempt: number, stageIndex: number): Promise<StageRequest | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: stageKey(planId, revision, attempt, stageIndex), ConsistentRead: true }),
    );
    return Item ? stageOf(Item as StageRecord & Record<string, unknown>) : null;
  }

  async openStageRound(
    stage: Omit<StageRequest, 'decisions' | 'settled' | 'settledBy' | 'version'> & { attempt: number },
    links: ApprovalLink[],
  ): Promise<StageRequest> {
    const { planId, revision, attempt, stageIndex } = stage;
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      {
        Update: {
          TableName: this.tableName,
          Key: stageKey(planId, revision, attempt, stageIndex),
          // The first round creates the stage; later rounds (reminders) replace only the token.
          UpdateExpression:
            'SET #entity = :entity, planId = :planId, revision = :revision, attempt = :attempt, stageIndex = :stageIndex, ' +
            'taskToken = :taskToken, round = :round, requestedAt = if_not_exists(requestedAt, :requestedAt), ' +
            'expiresAt = if_not_exists(expiresAt, :expiresAt), deputiesAsked = if_not_exists(deputiesAsked, :deputiesAsked), ' +
            'decisions = if_not_exists(decisions, :noDecisions), settled = if_not_exists(settled, :notSettled), ' +
            'settledBy = if_not_exists(settledBy, :notSettled), version = if_not_exists(version, :zero)',
          ExpressionAttributeNames: { '#entity': ENTITY_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':entity': 'approval-stage',
            ':planId': planId,
            ':revision': revision,
            ':attempt': attempt,
            ':stageIndex': stageIndex,
            ':taskToken': stage.taskToken,
            ':round': stage.round,
            ':requestedAt': stage.requestedAt,
            ':expiresAt': stage.expiresAt,
            ':deputiesAsked': stage.deputiesAsked,
            ':noDecisions': {},
            ':notSettled': null,
            ':zero': 0,
          },
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: runKey(planId, revision, attempt),
          UpdateExpression: 'SET currentStage = :stageIndex',
          // A withdrawn run opens no more rounds (so sends no more reminders).
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':stageIndex': stageIndex, ':inProgress': 'in_progress' },
        },
      },
      ...links.map((link) => ({ Put: this.linkPut(link) })),
    ];
    await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    const stored = await this.getStage(planId, revision, attempt, stageIndex);
    if (!stored) throw new Error(`Stage ${stageIndex} of ${planId} revision ${revision} vanished after it was written`);
    return stored;
  }

  async addLinks(links: ApprovalLink[], deputiesAsked: boolean): Promise<void> {
    const first = links[0];
    if (!first) return;
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          ...links.map((link) => ({ Put: this.linkPut(link) })),
          {
            Update: {
              TableName: this.tableName,
              Key: stageKey(first.planId, first.revision, first.attempt, first.stageIndex),
              UpdateExpression: 'SET deputiesAsked = :deputiesAsked',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':deputiesAsked': deputiesAsked },
            },
          },
        ],
      }),
    );
  }

  async settleStage(planId: string, revision: number, attempt: number, stageIndex: number, outcome: 'approved' | 'rejected'): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stageKey(planId, revision, attempt, stageIndex),
          UpdateExpression: 'SET settled = :outcome',
          ConditionExpression: 'attribute_exists(pk) AND settled = :notSettled',
          ExpressionAttributeValues: { ':outcome': outcome, ':notSettled': null },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async getLink(linkId: string): Promise<ApprovalLink | null> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: linkKey(linkId), ConsistentRead: true }));
    if (!Item) return null;
    const { pk: _pk, sk: _sk, [ENTITY_ATTRIBUTE]: _entity, [TABLE_DEFINITION.timeToLiveAttribute]: _ttl, validUntil, ...link } = Item;
    return { ...(link as Omit<ApprovalLink, 'expiresAt'>), expiresAt: validUntil as string, usedAt: (link.usedAt as string | undefined) ?? null };
  }

  async recordDecision(link: ApprovalLink, decision: StageDecision, audit: ApprovalAuditEntry, write: DecisionWrite): Promise<RecordDecisionResult> {
    const version = stageVersionCondition(write.expectedVersion);
    const settle = write.settles ? ', settled = :outcome, settledBy = :decision' : '';
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      this.linkUsed(link, decision),
      {
        Update: {
          TableName: this.tableName,
          Key: stageKey(link.planId, link.revision, link.attempt, link.stageIndex),
          UpdateExpression: `SET decisions.#approver = :decision, version = :nextVersion${settle}`,
          // Over the version read, while unsettled: of two decisions read at one version, one is
          // written and the other reads again; only the first settling decision can settle.
          ConditionExpression:
            `attribute_exists(pk) AND attribute_not_exists(decisions.#approver) AND (attribute_not_exists(settled) OR settled = :notSettled) AND ${version.expression}`,
          ExpressionAttributeNames: { '#approver': decisionAttribute(decision.approverIndex) },
          ExpressionAttributeValues: {
            ':decision': decision,
            ':nextVersion': write.expectedVersion + 1,
            ':notSettled': null,
            ...version.values,
            ...(write.settles ? { ':outcome': write.settles } : {}),
          },
        },
      },
      this.auditPut(audit),
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: runKey(link.planId, link.revision, link.attempt),
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'in_progress' },
        },
      },
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: planKey(link.planId),
          ConditionExpression: 'currentRevision = :revision',
          ExpressionAttributeValues: { ':revision': link.revision },
        },
      },
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[0] === 'ConditionalCheckFailed') return { recorded: false, reason: 'already_decided' };
      if (reasons[4] === 'ConditionalCheckFailed') return { recorded: false, reason: 'superseded' };
      if (reasons[3] === 'ConditionalCheckFailed') return { recorded: false, reason: 'run_ended' };
      if (reasons[1] === 'ConditionalCheckFailed') return { recorded: false, reason: 'stage_changed' };
      if (reasons.includes('TransactionConflict')) return { recorded: false, reason: 'conflict' };
      throw error;
    }
    return this.stageAfterDecision(link);
  }

  async recordLateDecision(link: ApprovalLink, decision: StageDecision, audit: ApprovalAuditEntry): Promise<RecordDecisionResult> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            this.linkUsed(link, decision),
            {
              Update: {
                TableName: this.tableName,
                Key: stageKey(link.planId, link.revision, link.attempt, link.stageIndex),
                UpdateExpression: 'SET decisions.#approver = :decision',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(decisions.#approver)',
                ExpressionAttributeNames: { '#approver': decisionAttribute(decision.approverIndex) },
                ExpressionAttributeValues: { ':decision': decision },
              },
            },
            this.auditPut(audit),
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.includes('ConditionalCheckFailed')) return { recorded: false, reason: 'already_decided' };
      if (reasons?.includes('TransactionConflict')) return { recorded: false, reason: 'conflict' };
      throw error;
    }
    return this.stageAfterDecision(link);
  }

  private linkUsed(link: ApprovalLink, decision: StageDecision) {
    return {
      Update: {
        TableName: this.tableName,
        Key: linkKey(link.linkId),
        UpdateExpression: 'SET usedAt = :now, decision = :decision',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
        ExpressionAttributeValues: { ':now': decision.decidedAt, ':decision': decision.decision },
      },
    };
  }

  private auditPut(audit: ApprovalAuditEntry) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...auditKey(audit), [ENTITY_ATTRIBUTE]: 'approval-decision', ...audit },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private async stageAfterDecision(link: ApprovalLink): Promise<RecordDecisionResult> {
    const stage = await this.getStage(link.planId, link.revision, link.attempt, link.stageIndex);
    if (!stage) throw new Error(`Stage ${link.stageIndex} of ${link.planId} vanished after a decision was recorded`);
    return { recorded: true, stage };
  }

  async markDecisionNotApplied(audit: ApprovalAuditEntry): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: auditKey(audit),
        UpdateExpression: 'SET applied = :false',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':false': false },
      }),
    );
  }

  async listAudit(planId: string): Promise<ApprovalAuditEntry[]> {
    const entries: ApprovalAuditEntry[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': planPk(planId), ':prefix': AUDIT_PREFIX },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, [ENTITY_ATTRIBUTE]: _entity, ...entry } = item;
        entries.push(entry as ApprovalAuditEntry);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return entries;
  }

  private linkPut(link: ApprovalLink) {
    const { usedAt: _usedAt, expiresAt, ...unused } = link;
    return {
      TableName: this.tableName,
      Item: {
        ...linkKey(link.linkId),
        [ENTITY_ATTRIBUTE]: 'approval-link',
        ...unused,
        // The table's TTL attribute is `expiresAt` (epoch seconds): the link's own expiry is `validUntil`.
        validUntil: expiresAt,
        [TABLE_DEFINITION.timeToLiveAttribute]: Math.floor(Date.parse(expiresAt) / 1000) + LINK_RECORD_KEPT_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }
}

/** The plan's current revision is not the one the approval is for. */
export class RevisionNotCurrentError extends Error {
  constructor(planId: string, revision: number) {
    super(`Revision ${revision} of plan ${planId} is no longer its current revision`);
    this.name = 'RevisionNotCurrentError';
  }
}

const auditKey = (audit: ApprovalAuditEntry) => ({ pk: planPk(audit.planId), sk: `${AUDIT_PREFIX}${audit.decidedAt}#${audit.linkId}` });

function runOf(item: Record<string, unknown>): ApprovalRun {
  const { pk: _pk, sk: _sk, [ENTITY_ATTRIBUTE]: _entity, ...run } = item;
  return run as unknown as ApprovalRun;
}

/** The stage is still at the version read (stages written before versions were kept read as 0). */
function stageVersionCondition(expected: number): { expression: string; values: Record<string, number> } {
  return expected === 0
    ? { expression: '(attribute_not_exists(version) OR version = :expectedVersion)', values: { ':expectedVersion': 0 } }
    : { expression: 'version = :expectedVersion', values: { ':expectedVersion': expected } };
}

function stageOf(record: StageRecord & Record<string, unknown>): StageRequest {
  const { pk: _pk, sk: _sk, [ENTITY_ATTRIBUTE]: _entity, attempt: _attempt, decisions, ...stage } = record;
  return {
    ...stage,
    settled: stage.settled ?? null,
    settledBy: stage.settledBy ?? null,
    version: stage.version ?? 0,
    decisions: Object.values(decisions ?? {}).sort((a, b) => a.decidedAt.localeCompare(b.decidedAt)),
  };
}

function cancellationReasons(error: unknown): (string | undefined)[] | null {
  if (!(error instanceof TransactionCanceledException)) return null;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code);
}
