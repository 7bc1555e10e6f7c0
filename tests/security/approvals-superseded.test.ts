import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readOutbox } from '../../shared/adapters/local/outbox-email-sender.ts';
import type { ApprovalChain } from '../../shared/domain/approval.ts';
import { submitForApproval } from '../../shared/usecases/approval/run-approval.ts';
import { linksOf, startApprovalFlow, waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { storePlanRevision } from '../helpers/stored-plans.ts';
import { type ApprovalFlow, emailsAbout, person, requestTo, storePlanWithChain } from './approvals-fixtures.ts';

/**
 * A new revision stored while the previous one is being approved, with the short timers of
 * approval-timers.test.ts (a reminder every second): the old run is withdrawn at once (its
 * execution stopped, no reminder after), its approvers (and the deputy already asked) are told,
 * and the new revision's approval starts. The resume is called as the ingestion calls it
 * (`approvalResumer` of the functions' runtime, with the previous revision's number).
 */
let flow: ApprovalFlow;

beforeAll(async () => {
  flow = await startApprovalFlow({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    context: {
      'actionPlans:approvalLinkValidity': 'PT30S',
      'actionPlans:approvalReminderAfter': 'PT1S',
      'actionPlans:approvalEscalateAfter': 'PT2S',
    },
  });
}, 60_000);

afterAll(() => flow?.stop());

const deputy = person('Dee Deputy');
const ann = { ...person('Ann Approver'), deputy };
const director = person('Dan Director');
const owner = person('Owen Owner');
const chain: ApprovalChain = { stages: [{ name: 'Governor', rule: 'any', approvers: [ann] }, { name: 'Director', rule: 'any', approvers: [director] }], planOwners: [owner] };

const ofRevision = (revision: number) => (email: { text: string }) => email.text.includes(`(revision ${revision})`);

describe('a new revision stored while the previous one is in approval', () => {
  it('withdraws the old run at once, tells its approvers, and starts the new revision\'s approval', async () => {
    const { planId, establishment } = await storePlanWithChain(flow, 'Superseded', chain);
    await submitForApproval(flow.deps, planId);
    const firstRequest = await requestTo(flow, establishment, ann);
    // The old run is reminding and has asked the deputy.
    await waitForEmails(flow.outbox, emailsAbout(establishment, 'approval-reminder', ann));
    await waitForEmails(flow.outbox, emailsAbout(establishment, 'approval-escalation', deputy));

    const plan = loadTruth('hmp-liverpool-2018');
    const stored = await storePlanRevision(
      { uploads: flow.uploads, plans: flow.plans },
      { ...plan, establishment, source: 'superseded.pdf', items: plan.items.slice(1) },
    );
    expect(stored).toMatchObject({ planId, revision: 2 });
    const { approvalResumer } = await import('../../functions/lib/approval-runtime.ts');
    const outcome = await approvalResumer()!(planId, 1);
    const resumedAt = new Date().toISOString();
    expect(outcome).toMatchObject({ resumed: true, withdrawn: { revision: 1, attempt: 1 } });

    // The old run is withdrawn and its execution stopped.
    expect((await flow.approvals.getRun(planId, 1, 1))?.status).toBe('withdrawn');
    const oldExecution = flow.local.runner.listExecutions().find((execution) => execution.name === `${planId}-r1-a1`);
    expect(oldExecution?.status).toBe('ABORTED');

    // Its approver and the deputy asked for them are told.
    const withdrawn = (await readOutbox(flow.outbox)).filter(emailsAbout(establishment, 'approval-withdrawn'));
    expect(withdrawn.map((email) => email.to).sort()).toEqual([[ann.email], [deputy.email]]);
    expect(withdrawn[0]?.text).toContain('revision 2 of the plan has been uploaded in its place');
    expect(withdrawn[0]?.links).toEqual([]);

    // The new revision's approval starts.
    const [secondRequest] = await waitForEmails(flow.outbox, (email) => emailsAbout(establishment, 'approval-request', ann)(email) && ofRevision(2)(email));
    expect((await flow.approvals.getLatestRun(planId, 2))?.status).toBe('in_progress');
    expect((await flow.plans.getPlan(planId))?.status).toBe('awaiting_approval');

    // Three reminder intervals later: reminders of the new revision, none of the old one.
    await waitForEmails(flow.outbox, (email) => emailsAbout(establishment, 'approval-reminder', ann)(email) && ofRevision(2)(email));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const oldReminders = (await readOutbox(flow.outbox))
      .filter((email) => email.subject.includes(establishment) && ['approval-reminder', 'approval-escalation'].includes(email.category))
      .filter(ofRevision(1))
      .filter((email) => email.sentAt > resumedAt);
    expect(oldReminders).toEqual([]);

    // The old links decide nothing; the new ones work.
    const old = await flow.post(linksOf(firstRequest).approve, { decision: 'approve' });
    expect(old.statusCode).toBe(410);
    expect(await flow.approvals.listAudit(planId)).toEqual([]);
    expect((await flow.get(linksOf(secondRequest!).approve)).statusCode).toBe(200);
    expect(flow.errors).toEqual([]);
  }, 60_000);

  it('a decision racing the new revision: whoever the old run asked is told it is withdrawn, and nothing else is asked of it', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const { planId, establishment } = await storePlanWithChain(flow, `Withdrawn ${trial} Race`, chain);
      await submitForApproval(flow.deps, planId);
      const request = await requestTo(flow, establishment, ann);
      const plan = loadTruth('hmp-liverpool-2018');
      const { approvalResumer } = await import('../../functions/lib/approval-runtime.ts');
      const newRevision = async () => {
        await storePlanRevision({ uploads: flow.uploads, plans: flow.plans }, { ...plan, establishment, source: `race-${trial}.pdf`, items: plan.items.slice(2) });
        return approvalResumer()!(planId, 1);
      };
      // The decision leaves a little later each trial, so it meets the new revision at different points.
      const decide = async () => {
        await new Promise((resolve) => setTimeout(resolve, trial * 60));
        return flow.post(linksOf(request).approve, { decision: 'approve' });
      };
      const [page] = await Promise.all([decide(), newRevision()]);
      // Either the decision came first (recorded) or the new revision did (superseded, nothing recorded).
      expect([200, 410], `trial ${trial}`).toContain(page.statusCode);
      expect((await flow.approvals.listAudit(planId)).length, `trial ${trial}`).toBe(page.statusCode === 200 ? 1 : 0);
      await waitFor(async () => (await flow.approvals.getLatestRun(planId, 2))?.status === 'in_progress', 'revision 2 in approval');
      expect((await flow.approvals.getRun(planId, 1, 1))?.status, `trial ${trial}`).toBe('withdrawn');

      // Let the old execution run on if it could: it asks nobody without telling them it is withdrawn.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const emails = (await readOutbox(flow.outbox)).filter((email) => email.subject.includes(establishment));
      const askedForRevision1 = new Set(emails.filter((email) => email.category.startsWith('approval-') && email.category !== 'approval-withdrawn' && ofRevision(1)(email)).flatMap((email) => email.to));
      const toldWithdrawn = new Set(emails.filter((email) => email.category === 'approval-withdrawn').flatMap((email) => email.to));
      const undecided = [...askedForRevision1].filter((address) => !(page.statusCode === 200 && address === ann.email));
      expect(undecided.filter((address) => !toldWithdrawn.has(address)), `trial ${trial}`).toEqual([]);
    }
  }, 90_000);
});
