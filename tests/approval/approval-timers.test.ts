import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { submitForApproval } from '../../shared/usecases/approval/run-approval.ts';
import { linksOf, startApprovalFlow, waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { storePlanRevision } from '../helpers/stored-plans.ts';

/**
 * The approval flow's timers on the local runner, with the state machine synthesised from the same
 * CDK app but with timers of seconds instead of days: the wait's heartbeat runs out and reminds,
 * the deputy is asked after the escalation time and may decide, and a stage nobody decides expires.
 */
let flow: Awaited<ReturnType<typeof startApprovalFlow>>;

beforeAll(async () => {
  flow = await startApprovalFlow({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    context: {
      'actionPlans:approvalLinkValidity': 'PT5S',
      'actionPlans:approvalReminderAfter': 'PT1S',
      'actionPlans:approvalEscalateAfter': 'PT2S',
    },
  });
}, 60_000);

afterAll(() => flow?.stop());

describe('reminders, escalation and expiry', () => {
  let planId: string;

  it('takes its timers from the synthesised template', () => {
    expect(flow.local.environment).toMatchObject({
      APPROVAL_LINK_VALID_SECONDS: '5',
      APPROVAL_REMINDER_AFTER_SECONDS: '1',
      APPROVAL_ESCALATE_AFTER_SECONDS: '2',
    });
  });

  it('reminds the Governor when the heartbeat runs out, then asks the deputy, who may decide for them', async () => {
    planId = (await storePlanRevision({ uploads: flow.uploads, plans: flow.plans }, loadTruth('hmp-liverpool-2018'))).planId;
    await submitForApproval(flow.deps, planId);

    const [reminder] = await waitForEmails(flow.outbox, (e) => e.category === 'approval-reminder' && e.to.includes('governor@plans.example.gov.uk'));
    expect(reminder?.subject).toMatch(/^Reminder/);
    const [escalation] = await waitForEmails(flow.outbox, (e) => e.category === 'approval-escalation');
    expect(escalation?.to).toEqual(['deputy.governor@plans.example.gov.uk']);
    expect(escalation?.text).toContain('Governing Governor');

    // The first link and the reminder's both work until one is used.
    const [request] = await waitForEmails(flow.outbox, (e) => e.category === 'approval-request' && e.to.includes('governor@plans.example.gov.uk'));
    expect((await flow.get(linksOf(request!).approve)).statusCode).toBe(200);
    const decided = await flow.post(linksOf(escalation!).approve, { decision: 'approve' });
    expect(decided.statusCode).toBe(200);
    // The Governor's own links are spent once the deputy decided for them.
    expect((await flow.get(linksOf(request!).approve)).statusCode).toBe(410);

    const [audit] = await flow.approvals.listAudit(planId);
    expect(audit?.decidedBy.email).toBe('deputy.governor@plans.example.gov.uk');
    expect(audit?.onBehalfOf?.email).toBe('governor@plans.example.gov.uk');
    await waitForEmails(flow.outbox, (e) => e.category === 'approval-request' && e.to.includes('pgd@plans.example.gov.uk'));
  }, 30_000);

  it('ends as expired when a stage outlives its links: the plan can be sent again, the links say so', async () => {
    const [pgdRequest] = await waitForEmails(flow.outbox, (e) => e.category === 'approval-request' && e.to.includes('pgd@plans.example.gov.uk'));
    await waitFor(
      async () => flow.local.runner.listExecutions().find((execution) => execution.status !== 'RUNNING'),
      'the execution to end',
      20_000,
    );
    const run = await flow.approvals.getLatestRun(planId, 1);
    expect(run?.status).toBe('expired');
    expect((await flow.plans.getPlan(planId))?.status).toBe('parsed');
    await waitForEmails(flow.outbox, (e) => e.category === 'plan-approval-expired');

    const page = await flow.post(linksOf(pgdRequest!).approve, { decision: 'approve' });
    expect(page.statusCode).toBe(410);
    expect(await flow.approvals.listAudit(planId)).toHaveLength(1);

    // Sent again: a second run (attempt 2) starts from the first stage.
    const again = await submitForApproval(flow.deps, planId);
    expect(again.alreadyStarted).toBe(false);
    await waitFor(async () => (await flow.approvals.getLatestRun(planId, 1))?.attempt === 2 && (await flow.plans.getPlan(planId))?.status === 'awaiting_approval', 'the second run');
  }, 40_000);
});
