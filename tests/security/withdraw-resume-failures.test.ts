import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readOutbox } from '../../shared/adapters/local/outbox-email-sender.ts';
import type { ApprovalChain } from '../../shared/domain/approval.ts';
import type { ApprovalWorkflow } from '../../shared/ports/approval-workflow.ts';
import type { EmailSender } from '../../shared/ports/email-sender.ts';
import { resumeApprovalForNewRevision, submitForApproval } from '../../shared/usecases/approval/run-approval.ts';
import { startApprovalFlow, waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { storePlanRevision } from '../helpers/stored-plans.ts';
import { type ApprovalFlow, emailsAbout, person, requestTo, storePlanWithChain } from './approvals-fixtures.ts';

/**
 * A new revision stored while the previous one is in approval, where the withdrawal's outside steps
 * fail (an email refused by the mail service, the execution's stop refused) or the resume crashes
 * before it submits: the new revision is still sent for approval, once, and the other approvers are
 * still told the old request is withdrawn.
 */
let flow: ApprovalFlow;

beforeAll(async () => {
  flow = await startApprovalFlow({ dynamodbEndpoint: inject('dynamodbEndpoint') });
}, 60_000);

afterAll(() => flow?.stop());

const ann = person('Ann Approver');
const bob = person('Bob Approver');
const chain: ApprovalChain = { stages: [{ name: 'Governor', rule: 'any', approvers: [ann, bob] }], planOwners: [person('Owen Owner')] };

/** The outbox sender, refusing mail to one address (as SES refuses a rejected address). */
function refusingMailTo(sender: EmailSender, address: string): EmailSender {
  return {
    send: (message) => (message.to.includes(address) ? Promise.reject(new Error(`Address rejected: ${address}`)) : sender.send(message)),
  };
}

/** The local state machine runner's workflow, with some calls failing (as Step Functions may refuse or throttle them). */
function workflowFailing(failures: Partial<ApprovalWorkflow>): ApprovalWorkflow {
  const real = flow.deps.workflow;
  return {
    start: (input) => real.start(input),
    executionState: (executionId) => real.executionState(executionId),
    stop: (executionId, cause) => real.stop(executionId, cause),
    completeTask: (taskToken, output) => real.completeTask(taskToken, output),
    failTask: (taskToken, error, cause) => real.failTask(taskToken, error, cause),
    ...failures,
  };
}

async function planInApprovalWithNewRevision(name: string) {
  const { planId, establishment } = await storePlanWithChain(flow, name, chain);
  await submitForApproval(flow.deps, planId);
  await requestTo(flow, establishment, ann);
  await requestTo(flow, establishment, bob);
  const plan = loadTruth('hmp-liverpool-2018');
  await storePlanRevision({ uploads: flow.uploads, plans: flow.plans }, { ...plan, establishment, source: `${name}.pdf`, items: plan.items.slice(1) });
  return { planId, establishment };
}

const newRevisionInApproval = (planId: string) => waitFor(async () => (await flow.approvals.getLatestRun(planId, 2))?.status === 'in_progress', 'revision 2 in approval');

describe('withdrawing a superseded run when its outside steps fail', () => {
  it('an email refused for one approver: the new revision is still sent for approval and the other approver is told', async () => {
    const { planId, establishment } = await planInApprovalWithNewRevision('Refused Mail');
    const outcome = await resumeApprovalForNewRevision({ ...flow.deps, email: refusingMailTo(flow.deps.email, ann.email) }, planId, 1);
    expect(outcome).toMatchObject({ resumed: true, withdrawn: { revision: 1, attempt: 1 } });
    expect(outcome.withdrawalProblems).toEqual([expect.stringContaining(ann.email)]);
    await newRevisionInApproval(planId);
    const withdrawn = (await readOutbox(flow.outbox)).filter(emailsAbout(establishment, 'approval-withdrawn'));
    expect(withdrawn.map((email) => email.to)).toEqual([[bob.email]]);
    expect(flow.local.runner.listExecutions().find((execution) => execution.name === `${planId}-r1-a1`)?.status).toBe('ABORTED');
  }, 60_000);

  it('the stop of the old execution refused: the new revision is still sent for approval and both approvers are told', async () => {
    const { planId, establishment } = await planInApprovalWithNewRevision('Refused Stop');
    const workflow = workflowFailing({ stop: () => Promise.reject(new Error('Throttled')) });
    const outcome = await resumeApprovalForNewRevision({ ...flow.deps, workflow }, planId, 1);
    expect(outcome).toMatchObject({ resumed: true, withdrawn: { revision: 1, attempt: 1 }, withdrawalProblems: [expect.stringContaining('Throttled')] });
    await newRevisionInApproval(planId);
    const withdrawn = await waitForEmails(flow.outbox, emailsAbout(establishment, 'approval-withdrawn'), 2);
    expect(withdrawn.map((email) => email.to).sort()).toEqual([[ann.email], [bob.email]]);
  }, 60_000);

  it('a resume that crashed between the withdrawal and the submission: called again, it submits the new revision once', async () => {
    const { planId, establishment } = await planInApprovalWithNewRevision('Crashed Resume');
    const workflow = workflowFailing({ start: () => Promise.reject(new Error('Service unavailable')) });
    await expect(resumeApprovalForNewRevision({ ...flow.deps, workflow }, planId, 1)).rejects.toThrow('Service unavailable');
    expect((await flow.approvals.getRun(planId, 1, 1))?.status).toBe('withdrawn');

    expect(await resumeApprovalForNewRevision(flow.deps, planId, 1)).toMatchObject({ resumed: true });
    await newRevisionInApproval(planId);
    // Once: a third call finds the new revision in approval and starts nothing.
    expect(await resumeApprovalForNewRevision(flow.deps, planId, 1)).toMatchObject({ resumed: false });
    expect(flow.local.runner.listExecutions().filter((execution) => execution.name.startsWith(`${planId}-r2-`)).map((execution) => execution.name)).toEqual([`${planId}-r2-a1`]);
    const withdrawn = await waitForEmails(flow.outbox, emailsAbout(establishment, 'approval-withdrawn'), 2);
    expect(withdrawn.map((email) => email.to).sort()).toEqual([[ann.email], [bob.email]]);
  }, 60_000);
});
