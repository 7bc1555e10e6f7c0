import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalApproval, type LocalApproval } from '../../infra/local/local-approval.ts';
import { DynamoApprovalStore } from '../../shared/adapters/dynamodb/dynamodb-approval-store.ts';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import type { ApprovalDependencies } from '../../shared/usecases/approval/approval-context.ts';
import { submitForApproval } from '../../shared/usecases/approval/run-approval.ts';
import { type LinkHandler, linkEvent, linksOf, waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';

/**
 * The approval flow's timers on the local runner, with the state machine synthesised from the same
 * CDK app but with timers of seconds instead of days: the wait's heartbeat runs out and reminds,
 * the deputy is asked after the escalation time and may decide, and a stage nobody decides expires.
 */
const endpoint = inject('dynamodbEndpoint');
const tableName = `approval-timers-${randomUUID()}`;
const client = createDocumentClient({ region: 'local', endpoint });
const plans = new DynamoPlanStore({ client, tableName });
const approvals = new DynamoApprovalStore({ client, tableName });
const uploads = new DynamoUploadStore({ client, tableName });
const outbox = mkdtempSync(join(tmpdir(), 'outbox-'));

let local: LocalApproval;
let deps: ApprovalDependencies;
let handleLink: LinkHandler;

beforeAll(async () => {
  await createTable(client, tableName);
  local = await startLocalApproval({
    dynamodbEndpoint: endpoint,
    tableName,
    outboxDir: outbox,
    linkBaseUrl: 'http://localhost:3000/approvals',
    context: {
      'actionPlans:approvalLinkValidity': 'PT5S',
      'actionPlans:approvalReminderAfter': 'PT1S',
      'actionPlans:approvalEscalateAfter': 'PT2S',
    },
  });
  deps = (await import('../../functions/lib/approval-runtime.ts')).approvalDependencies();
  handleLink = (await import('../../functions/approval-link.ts')).handler as unknown as LinkHandler;
}, 60_000);

afterAll(async () => {
  await local?.close();
  client.destroy();
  rmSync(outbox, { recursive: true, force: true });
});

describe('reminders, escalation and expiry', () => {
  let planId: string;

  it('takes its timers from the synthesised template', () => {
    expect(local.environment).toMatchObject({
      APPROVAL_LINK_VALID_SECONDS: '5',
      APPROVAL_REMINDER_AFTER_SECONDS: '1',
      APPROVAL_ESCALATE_AFTER_SECONDS: '2',
    });
  });

  it('reminds the Governor when the heartbeat runs out, then asks the deputy, who may decide for them', async () => {
    const now = new Date().toISOString();
    await uploads.create({ uploadId: 'u1', kind: 'plan', object: { bucket: 'b', key: 'uploads/plans/u1.pdf' }, fileName: 'plan.pdf', sizeBytes: 1, status: 'analysing', createdAt: now, updatedAt: now });
    planId = (await plans.storeRevision({ plan: loadTruth('hmp-liverpool-2018'), uploadId: 'u1', contentSha256: 'e'.repeat(64), storedAt: now })).planId;
    await submitForApproval(deps, planId);

    const [reminder] = await waitForEmails(outbox, (e) => e.category === 'approval-reminder' && e.to.includes('governor@plans.example.gov.uk'));
    expect(reminder?.subject).toMatch(/^Reminder/);
    const [escalation] = await waitForEmails(outbox, (e) => e.category === 'approval-escalation');
    expect(escalation?.to).toEqual(['deputy.governor@plans.example.gov.uk']);
    expect(escalation?.text).toContain('Governing Governor');

    // The first link and the reminder's both work until one is used.
    const [request] = await waitForEmails(outbox, (e) => e.category === 'approval-request' && e.to.includes('governor@plans.example.gov.uk'));
    expect((await handleLink(linkEvent('GET', linksOf(request!).approve), {} as never)).statusCode).toBe(200);
    const decided = await handleLink(linkEvent('POST', linksOf(escalation!).approve, { decision: 'approve' }), {} as never);
    expect(decided.statusCode).toBe(200);
    // The Governor's own links are spent once the deputy decided for them.
    expect((await handleLink(linkEvent('GET', linksOf(request!).approve), {} as never)).statusCode).toBe(410);

    const [audit] = await approvals.listAudit(planId);
    expect(audit?.decidedBy.email).toBe('deputy.governor@plans.example.gov.uk');
    expect(audit?.onBehalfOf?.email).toBe('governor@plans.example.gov.uk');
    await waitForEmails(outbox, (e) => e.category === 'approval-request' && e.to.includes('pgd@plans.example.gov.uk'));
  }, 30_000);

  it('ends as expired when a stage outlives its links: the plan can be sent again, the links say so', async () => {
    const [pgdRequest] = await waitForEmails(outbox, (e) => e.category === 'approval-request' && e.to.includes('pgd@plans.example.gov.uk'));
    await waitFor(
      async () => local.runner.listExecutions().find((execution) => execution.status !== 'RUNNING'),
      'the execution to end',
      20_000,
    );
    const run = await approvals.getLatestRun(planId, 1);
    expect(run?.status).toBe('expired');
    expect((await plans.getPlan(planId))?.status).toBe('parsed');
    await waitForEmails(outbox, (e) => e.category === 'plan-approval-expired');

    const page = await handleLink(linkEvent('POST', linksOf(pgdRequest!).approve, { decision: 'approve' }), {} as never);
    expect(page.statusCode).toBe(410);
    expect(await approvals.listAudit(planId)).toHaveLength(1);

    // Sent again: a second run (attempt 2) starts from the first stage.
    const again = await submitForApproval(deps, planId);
    expect(again.alreadyStarted).toBe(false);
    await waitFor(async () => (await approvals.getLatestRun(planId, 1))?.attempt === 2 && (await plans.getPlan(planId))?.status === 'awaiting_approval', 'the second run');
  }, 40_000);
});
