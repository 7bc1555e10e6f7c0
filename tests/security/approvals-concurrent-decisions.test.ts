import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readOutbox } from '../../shared/adapters/local/outbox-email-sender.ts';
import type { ApprovalChain } from '../../shared/domain/approval.ts';
import { submitForApproval } from '../../shared/usecases/approval/run-approval.ts';
import { linksOf, startApprovalFlow, waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { type ApprovalFlow, emailsAbout, person, requestTo, storePlanWithChain } from './approvals-fixtures.ts';

/**
 * Decisions made at the same moment on one stage, on the local flow (the synthesised state machine
 * on the local runner, DynamoDB Local, the link handler): exactly one decision settles the stage,
 * the audit marks only the decisions that counted as applied, the flow does what the settling
 * decision says, and every approver's page says truthfully what took effect.
 */
let flow: ApprovalFlow;

beforeAll(async () => {
  flow = await startApprovalFlow({ dynamodbEndpoint: inject('dynamodbEndpoint') });
}, 60_000);

afterAll(() => flow?.stop());

const ann = person('Ann Approver');
const bob = person('Bob Approver');
const cat = person('Cat Approver');
const director = person('Dan Director');
const owner = person('Owen Owner');

const nextStage = { name: 'Director', rule: 'any' as const, approvers: [director] };

async function auditOf(planId: string) {
  return (await flow.approvals.listAudit(planId)).map((entry) => ({ by: entry.decidedBy.name, decision: entry.decision, applied: entry.applied }));
}

/** The Director's request arrives, or (for a rejection) the plan goes back: whichever the stage's outcome says. */
async function flowOutcome(planId: string, establishment: string, outcome: 'approved' | 'rejected') {
  if (outcome === 'approved') {
    await waitForEmails(flow.outbox, emailsAbout(establishment, 'approval-request', director));
    expect((await flow.plans.getPlan(planId))?.status).toBe('awaiting_approval');
  } else {
    await waitFor(async () => (await flow.plans.getPlan(planId))?.status === 'changes_requested', `${establishment} sent back`);
    await waitForEmails(flow.outbox, emailsAbout(establishment, 'plan-changes-requested', owner));
    expect((await readOutbox(flow.outbox)).filter(emailsAbout(establishment, 'approval-request', director))).toEqual([]);
  }
}

describe('an approval and a rejection at the same moment on an "any" stage', () => {
  const chain: ApprovalChain = { stages: [{ name: 'Governor', rule: 'any', approvers: [ann, bob] }, nextStage], planOwners: [owner] };

  it('settles the stage with exactly one of them, in every one of 20 trials', async () => {
    const winners = { approve: 0, reject: 0 };
    for (let trial = 0; trial < 20; trial++) {
      const { planId, establishment } = await storePlanWithChain(flow, `Any ${trial} Race`, chain);
      await submitForApproval(flow.deps, planId);
      const [annEmail, bobEmail] = await Promise.all([requestTo(flow, establishment, ann), requestTo(flow, establishment, bob)]);
      const approve = () => flow.post(linksOf(annEmail).approve, { decision: 'approve' });
      const reject = () => flow.post(linksOf(bobEmail).reject, { decision: 'reject', comment: 'Item 3 has no owner.' });
      // Alternate which request leaves first.
      const [approvePage, rejectPage] = trial % 2 === 0 ? await Promise.all([approve(), reject()]) : (await Promise.all([reject(), approve()])).reverse();
      expect([approvePage?.statusCode, rejectPage?.statusCode], `trial ${trial}`).toEqual([200, 200]);

      const stage = await flow.approvals.getStage(planId, 1, 1, 0);
      const settled = stage?.settled;
      expect(['approved', 'rejected'], `trial ${trial}`).toContain(settled);
      const winner = settled === 'approved' ? 'approve' : 'reject';
      winners[winner] += 1;
      expect(stage?.settledBy?.decision, `trial ${trial}`).toBe(winner);

      // Both decisions are on record; only the one that settled the stage is applied.
      const audit = await auditOf(planId);
      expect(audit, `trial ${trial}`).toHaveLength(2);
      expect(audit.filter((entry) => entry.applied), `trial ${trial}`).toEqual([
        { by: winner === 'approve' ? ann.name : bob.name, decision: winner, applied: true },
      ]);

      // Each approver is told what took effect.
      const [winnerPage, loserPage] = winner === 'approve' ? [approvePage, rejectPage] : [rejectPage, approvePage];
      expect(winnerPage?.body, `trial ${trial}`).toContain(winner === 'approve' ? 'The Governor stage is complete' : 'sent back to its owners');
      expect(winnerPage?.body).not.toContain('already decided');
      expect(loserPage?.body, `trial ${trial}`).toContain(
        `Another approver had already decided the Governor stage: ${winner === 'approve' ? 'approved' : 'rejected'} by ${winner === 'approve' ? ann.name : bob.name}.`,
      );
      expect(loserPage?.body).toContain('Your decision was recorded, but it did not change the outcome.');
      expect(loserPage?.body).not.toMatch(/stage is complete|sent back to its owners/);

      // And the flow does what the settling decision says.
      await flowOutcome(planId, establishment, settled as 'approved' | 'rejected');
    }
    expect(winners.approve + winners.reject).toBe(20);
    expect(flow.errors).toEqual([]);
  }, 180_000);
});

describe('decisions at the same moment on an "all" stage', () => {
  const chain: ApprovalChain = { stages: [{ name: 'Board', rule: 'all', approvers: [ann, bob, cat] }, nextStage], planOwners: [owner] };

  it('two last approvals: the stage passes once, both approvals count, and the next stage is asked once', async () => {
    for (let trial = 0; trial < 8; trial++) {
      const { planId, establishment } = await storePlanWithChain(flow, `All ${trial} Last`, chain);
      await submitForApproval(flow.deps, planId);
      const [annEmail, bobEmail, catEmail] = await Promise.all([ann, bob, cat].map((to) => requestTo(flow, establishment, to)));
      expect((await flow.post(linksOf(annEmail!).approve, { decision: 'approve' })).body).toContain('passes when every one of its approvers has approved');

      const pages = await Promise.all([bobEmail, catEmail].map((email) => flow.post(linksOf(email!).approve, { decision: 'approve' })));
      expect(pages.map((page) => page.statusCode)).toEqual([200, 200]);
      // One of the two completed the stage; the other was written before it and waited for it.
      const completing = pages.filter((page) => page.body?.includes('The Board stage is complete'));
      const waiting = pages.filter((page) => page.body?.includes('passes when every one of its approvers has approved'));
      expect([completing.length, waiting.length], `trial ${trial}`).toEqual([1, 1]);

      const stage = await flow.approvals.getStage(planId, 1, 1, 0);
      expect(stage?.settled).toBe('approved');
      expect(await auditOf(planId)).toHaveLength(3);
      expect((await auditOf(planId)).every((entry) => entry.applied)).toBe(true);
      await flowOutcome(planId, establishment, 'approved');
      // The Director was asked once, not once per approval.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await readOutbox(flow.outbox)).filter(emailsAbout(establishment, 'approval-request', director))).toHaveLength(1);
    }
  }, 120_000);

  it('an approval and a rejection: the rejection settles it; the approval counted only if it was written first, and its page says which', async () => {
    for (let trial = 0; trial < 8; trial++) {
      const { planId, establishment } = await storePlanWithChain(flow, `All ${trial} Split`, chain);
      await submitForApproval(flow.deps, planId);
      const [annEmail, bobEmail] = await Promise.all([requestTo(flow, establishment, ann), requestTo(flow, establishment, bob)]);
      const [approvePage, rejectPage] = await Promise.all([
        flow.post(linksOf(annEmail).approve, { decision: 'approve' }),
        flow.post(linksOf(bobEmail).reject, { decision: 'reject', comment: 'Not yet.' }),
      ]);
      expect([approvePage.statusCode, rejectPage.statusCode]).toEqual([200, 200]);
      const stage = await flow.approvals.getStage(planId, 1, 1, 0);
      expect(stage?.settled).toBe('rejected');
      expect(stage?.settledBy?.decidedBy.name).toBe(bob.name);
      expect(rejectPage.body).toContain('sent back to its owners');

      const approval = (await auditOf(planId)).find((entry) => entry.decision === 'approve');
      if (approval?.applied) {
        expect(approvePage.body, `trial ${trial}`).toContain('passes when every one of its approvers has approved');
      } else {
        expect(approvePage.body, `trial ${trial}`).toContain(`Another approver had already decided the Board stage: rejected by ${bob.name}.`);
      }
      expect((await auditOf(planId)).filter((entry) => entry.decision === 'reject')).toEqual([{ by: bob.name, decision: 'reject', applied: true }]);
      await flowOutcome(planId, establishment, 'rejected');
    }
  }, 120_000);
});
