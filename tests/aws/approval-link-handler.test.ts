import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoApprovalStore } from '../../shared/adapters/dynamodb/dynamodb-approval-store.ts';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { issueLinkToken } from '../../shared/domain/approval-links.ts';
import type { ApprovalChain } from '../../shared/domain/approval.ts';
import { type LinkHandler, linkEvent } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { storePlanRevision } from '../helpers/stored-plans.ts';

/**
 * The link page's POST when Step Functions refuses the task token (aws-sdk-client-mock on the SFN
 * client; DynamoDB Local for the records): TaskTimedOut, TaskDoesNotExist and InvalidToken each
 * end in a clear page, and a decision that reached no flow is kept in the audit as not applied.
 */
const region = 'eu-west-2';
const endpoint = inject('dynamodbEndpoint');
const tableName = `approval-link-${randomUUID()}`;
const client = createDocumentClient({ region, endpoint });
const approvals = new DynamoApprovalStore({ client, tableName });
const plans = new DynamoPlanStore({ client, tableName });
const uploads = new DynamoUploadStore({ client, tableName });
const sfn = mockClient(SFNClient);
const chain: ApprovalChain = {
  stages: [{ name: 'Governor', rule: 'any', approvers: [{ name: 'Ann Governor', email: 'ann@example.gov.uk' }] }],
  planOwners: [],
};

let handler: LinkHandler;
let planId: string;
let attempt = 0;

beforeAll(async () => {
  await createTable(client, tableName);
  Object.assign(process.env, {
    AWS_REGION: region,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    EMAIL_OUTBOX_DIR: '/tmp/unused-outbox',
    APPROVAL_LINK_BASE_URL: 'https://api.example.gov.uk/approvals',
    APPROVAL_LINK_VALID_SECONDS: '604800',
    APPROVAL_REMINDER_AFTER_SECONDS: '172800',
    APPROVAL_ESCALATE_AFTER_SECONDS: '345600',
    AUDIT_IP_HASH_KEY: 'test-key-0123456789abcdef',
  });
  planId = (await storePlanRevision({ uploads, plans }, loadTruth('hmp-long-lartin-2023'))).planId;
  handler = (await import('../../functions/approval-link.ts')).handler as unknown as LinkHandler;
}, 60_000);

afterAll(() => client.destroy());
beforeEach(() => sfn.reset());

/** A run waiting on its first stage, with one link; returns the link's URL. */
async function waitingStage(validForMs = 3600_000): Promise<{ url: string; attempt: number }> {
  attempt += 1;
  const now = new Date();
  const expiresAt = new Date(now.getTime() + validForMs).toISOString();
  await approvals.finishRun(planId, 1, attempt - 1, 'expired', 'parsed', now.toISOString()).catch(() => false);
  expect(await approvals.createRun({ planId, revision: 1, attempt, executionId: `exec-${attempt}`, chain, status: 'in_progress', currentStage: 0, startedAt: now.toISOString(), finishedAt: null })).toBe(true);
  const issued = issueLinkToken();
  await approvals.openStageRound(
    { planId, revision: 1, attempt, stageIndex: 0, taskToken: `token-${attempt}`, round: 0, requestedAt: now.toISOString(), expiresAt, deputiesAsked: false },
    [{ linkId: issued.linkId, secretSha256: issued.secretSha256, planId, revision: 1, attempt, stageIndex: 0, approverIndex: 0, holder: chain.stages[0]!.approvers[0]!, onBehalfOf: null, createdAt: now.toISOString(), expiresAt, usedAt: null }],
  );
  return { url: `https://api.example.gov.uk/approvals/${issued.token}?decision=approve`, attempt };
}

const approve = (url: string) => handler(linkEvent('POST', url, { decision: 'approve' }), {} as never);
const reject = (url: string) => handler(linkEvent('POST', url.replace('approve', 'reject'), { decision: 'reject', comment: 'Not yet.' }), {} as never);

describe('a link past its validity', () => {
  it('shows the expiry (410) on GET and POST, changes nothing, and never reaches Step Functions', async () => {
    const { url } = await waitingStage(-1000);
    const opened = await handler(linkEvent('GET', url), {} as never);
    expect(opened.statusCode).toBe(410);
    expect(opened.body).toMatch(/expired/i);
    expect((await approve(url)).statusCode).toBe(410);
    expect(sfn.calls()).toHaveLength(0);
    const linkId = new URL(url).pathname.split('/').pop()!.split('.')[0]!;
    expect((await approvals.listAudit(planId)).some((entry) => entry.linkId === linkId)).toBe(false);
    expect((await approvals.getLink(linkId))?.usedAt).toBeNull();
  });

  it('shows when it expires while it is valid', async () => {
    const { url } = await waitingStage();
    const opened = await handler(linkEvent('GET', url), {} as never);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toMatch(/This link expires on \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC/);
  });
});

describe('when Step Functions refuses the task token', () => {
  for (const [name, error] of [
    ['TaskTimedOut', () => new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} })],
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} })],
    ['InvalidToken', () => new InvalidToken({ message: 'Invalid token', $metadata: {} })],
  ] as const) {
    it(`${name}, because the run ended meanwhile: a 410 page saying the decision changed nothing, kept as not applied`, async () => {
      const { url, attempt: run } = await waitingStage();
      sfn.on(SendTaskSuccessCommand).callsFake(async () => {
        // The flow ended (timed out, stopped) while the decision was on its way.
        await approvals.finishRun(planId, 1, run, 'expired', 'parsed', new Date().toISOString());
        throw error();
      });
      const page = await approve(url);
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain('changed nothing');
      expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.taskToken).toBe(`token-${run}`);
      const audit = (await approvals.listAudit(planId)).filter((entry) => entry.linkId === new URL(url).pathname.split('/').pop()!.split('.')[0]);
      expect(audit).toMatchObject([{ decision: 'approve', applied: false }]);
    });
  }

  it('TaskTimedOut between reminder rounds: the decision stays recorded for the next round, which resumes the flow', async () => {
    const { url, attempt: run } = await waitingStage();
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    // The execution still runs: it is between two rounds.
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const page = await approve(url);
    expect(page.statusCode).toBe(200);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input.executionArn).toBe(`exec-${run}`);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const stage = await approvals.getStage(planId, 1, run, 0);
    expect(stage?.settled).toBe('approved');
    expect(stage?.decisions).toHaveLength(1);
  });

  it('InvalidToken from an execution that is gone, the run still in progress: the run is carried on in its next attempt from this stage', async () => {
    const { url, attempt: run } = await waitingStage();
    sfn.on(SendTaskSuccessCommand).rejects(new InvalidToken({ message: 'Invalid token', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution does not exist', $metadata: {} }));
    sfn.on(StartExecutionCommand).resolves({ executionArn: `exec-${run + 1}`, startDate: new Date() });
    const page = await approve(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('now approved');
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}')).toEqual({ planId, revision: 1, attempt: run + 1 });
    expect((await approvals.getRun(planId, 1, run))?.status).toBe('restarted');
    expect(await approvals.getRun(planId, 1, run + 1)).toMatchObject({ status: 'in_progress', currentStage: 0, continuedFrom: run });
    // The next attempt's stage starts as this one ended: settled by this decision.
    expect(await approvals.getStage(planId, 1, run + 1, 0)).toMatchObject({ settled: 'approved', decisions: [{ decision: 'approve' }] });
    const linkId = new URL(url).pathname.split('/').pop()!.split('.')[0];
    expect((await approvals.listAudit(planId)).filter((entry) => entry.linkId === linkId)).toMatchObject([{ applied: true }]);
    attempt += 1; // the next test's run follows the carried-on one
  });

  it('a rejection fails the task with ChangesRequested and the stage\'s name', async () => {
    const { url, attempt: run } = await waitingStage();
    sfn.on(SendTaskFailureCommand).resolves({});
    const page = await reject(url);
    expect(page.statusCode).toBe(200);
    const input = sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ taskToken: `token-${run}`, error: 'ChangesRequested', cause: expect.stringContaining('Governor') });
  });

  it('an unexpected Step Functions error shows the generic error page, not the error', async () => {
    const { url } = await waitingStage();
    sfn.on(SendTaskSuccessCommand).rejects(new Error('socket hang up'));
    const page = await approve(url);
    expect(page.statusCode).toBe(500);
    expect(page.body).not.toContain('socket hang up');
  });
});
