import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LocalApproval } from '../../infra/local/local-approval.ts';
import type { DynamoApprovalStore } from '../../shared/adapters/dynamodb/dynamodb-approval-store.ts';
import type { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import type { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { readOutbox } from '../../shared/adapters/local/outbox-email-sender.ts';
import type { Plan } from '../../shared/domain/plan.ts';
import type { ApprovalDependencies } from '../../shared/usecases/approval/approval-context.ts';
import { resumeApprovalForNewRevision, submitForApproval } from '../../shared/usecases/approval/run-approval.ts';
import { linksOf, startApprovalFlow, waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { storePlanRevision } from '../helpers/stored-plans.ts';

/**
 * The approval flow end to end on the local stack: the synthesised state machine on the local
 * runner, the real handlers in-process, DynamoDB Local, emails in a local outbox; the link pages
 * through the link handler with the events API Gateway would send.
 */
const LINK_BASE = 'http://localhost:3000/approvals';
let flow: Awaited<ReturnType<typeof startApprovalFlow>>;
let local: LocalApproval;
let deps: ApprovalDependencies;
let plans: DynamoPlanStore;
let approvals: DynamoApprovalStore;
let uploads: DynamoUploadStore;
let outbox: string;
let flowErrors: unknown[];

beforeAll(async () => {
  flow = await startApprovalFlow({ dynamodbEndpoint: inject('dynamodbEndpoint'), linkBaseUrl: LINK_BASE });
  ({ local, deps, plans, approvals, uploads, outbox, errors: flowErrors } = flow);
}, 60_000);

afterAll(() => flow?.stop());

const get = (url: string) => flow.get(url);
const post = (url: string, form: Record<string, string>) => flow.post(url, form);

const storeRevision = (plan: Plan, contentSha256: string) => storePlanRevision({ uploads, plans }, plan, { contentSha256 });

async function storePlan(plan: Plan, sha: string): Promise<string> {
  return (await storeRevision(plan, sha)).planId;
}

const emailsTo = (address: string, category?: string) => (email: { to: string[]; category: string }) =>
  email.to.includes(address) && (category === undefined || email.category === category);

async function executionOf(planId: string) {
  return waitFor(
    async () => local.runner.listExecutions().find((execution) => execution.name.startsWith(planId) && execution.status !== 'RUNNING'),
    `the execution of ${planId} to end`,
  );
}

describe('a plan approved through both stages', () => {
  let planId: string;
  let governorApprove: string;

  it('emails the Governor once the parsed plan is sent for approval, and marks it awaiting approval', async () => {
    planId = await storePlan(loadTruth('hmp-liverpool-2018'), 'a'.repeat(64));
    const submitted = await submitForApproval(deps, planId);
    expect(submitted).toMatchObject({ planId, revision: 1, alreadyStarted: false });

    const [email] = await waitForEmails(outbox, emailsTo('governor@plans.example.gov.uk', 'approval-request'));
    expect(email?.subject).toContain('Governor');
    expect(email?.text).toContain('Decisions: 55 agreed, 10 partly agreed, 7 not agreed');
    expect(email?.text).toContain('Opening a link does not decide anything');
    governorApprove = linksOf(email!).approve;
    expect(governorApprove.startsWith(`${LINK_BASE}/`)).toBe(true);
    expect((await plans.getPlan(planId))?.status).toBe('awaiting_approval');
  });

  it('shows a confirmation page on GET and changes nothing', async () => {
    const page = await get(governorApprove);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('method="post"');
    expect(page.body).toContain('value="approve"');
    expect(page.headers?.['cache-control']).toBe('no-store');
    expect(page.headers?.['referrer-policy']).toBe('no-referrer');
    // Opening it again (a mail scanner, then the person) still shows the form.
    expect((await get(governorApprove)).statusCode).toBe(200);
    expect(await approvals.listAudit(planId)).toEqual([]);
    expect((await plans.getPlan(planId))?.status).toBe('awaiting_approval');
  });

  it('records the Governor\'s approval on POST and moves on to the Prison Group Director', async () => {
    const outcome = await post(governorApprove, { decision: 'approve', comment: 'Content with the plan.' });
    expect(outcome.statusCode).toBe(200);
    expect(outcome.body).toContain('next stage');
    const [email] = await waitForEmails(outbox, emailsTo('pgd@plans.example.gov.uk', 'approval-request'));
    expect(email?.subject).toContain('Prison Group Director');
  });

  it('treats a double submit as harmless and a reused link as used', async () => {
    const again = await post(governorApprove, { decision: 'approve', comment: 'Content with the plan.' });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('already been recorded');
    const otherDecision = await post(governorApprove.replace('decision=approve', 'decision=reject'), { decision: 'reject', comment: 'Changed my mind' });
    expect(otherDecision.statusCode).toBe(410);
    expect((await get(governorApprove)).statusCode).toBe(410);
    expect(await approvals.listAudit(planId)).toHaveLength(1);
  });

  it('approves the plan when the last stage approves, tells its owners, and keeps the audit', async () => {
    const [email] = await waitForEmails(outbox, emailsTo('pgd@plans.example.gov.uk', 'approval-request'));
    const outcome = await post(linksOf(email!).approve, { decision: 'approve', comment: '' });
    expect(outcome.statusCode).toBe(200);
    expect(outcome.body).toContain('now approved');

    const execution = await executionOf(planId);
    expect(execution.status).toBe('SUCCEEDED');
    await waitFor(async () => (await plans.getPlan(planId))?.status === 'approved', 'the plan to be approved');
    await waitForEmails(outbox, emailsTo('performance@plans.example.gov.uk', 'plan-approved'));

    const audit = await approvals.listAudit(planId);
    expect(audit.map((entry) => [entry.stageName, entry.decision, entry.decidedBy.email, entry.applied])).toEqual([
      ['Governor', 'approve', 'governor@plans.example.gov.uk', true],
      ['Prison Group Director', 'approve', 'pgd@plans.example.gov.uk', true],
    ]);
    expect(audit[0]?.comment).toBe('Content with the plan.');
    expect(audit[0]?.clientIpHash).toMatch(/^[0-9a-f]{64}$/);
    expect(audit[0]?.clientIpHash).not.toContain('192.0.2.10');
    expect(audit[0]?.userAgent).toBe('vitest');
    expect(flowErrors).toEqual([]);
  });

  it('refuses a forged link (403) and an unknown one (404), changing nothing', async () => {
    const url = new URL(governorApprove);
    const [linkId, secret] = url.pathname.split('/').pop()!.split('.') as [string, string];
    const forgedSecret = `${secret.slice(0, -2)}${secret.endsWith('AA') ? 'BB' : 'AA'}`;
    const forged = `${LINK_BASE}/${linkId}.${forgedSecret}?decision=approve`;
    expect((await get(forged)).statusCode).toBe(403);
    expect((await post(forged, { decision: 'approve' })).statusCode).toBe(403);
    const unknown = `${LINK_BASE}/${'A'.repeat(22)}.${secret}`;
    expect((await post(unknown, { decision: 'approve' })).statusCode).toBe(404);
    expect((await get(`${LINK_BASE}/not-a-token`)).statusCode).toBe(404);
    expect(await approvals.listAudit(planId)).toHaveLength(2);
  });
});

describe('a plan sent back with changes requested, then resubmitted', () => {
  let planId: string;
  let firstReject: string;
  const plan = loadTruth('hmp-long-lartin-2023');

  it('needs a comment to reject, then sends the plan back to its owners with it', async () => {
    planId = await storePlan(plan, 'b'.repeat(64));
    await submitForApproval(deps, planId);
    const [email] = await waitForEmails(outbox, (e) => e.category === 'approval-request' && e.subject.includes('Long Lartin'));
    firstReject = linksOf(email!).reject;

    const noComment = await post(firstReject, { decision: 'reject', comment: '  ' });
    expect(noComment.statusCode).toBe(400);
    expect(noComment.body).toContain('needs a comment');
    expect(await approvals.listAudit(planId)).toEqual([]);

    const rejected = await post(firstReject, { decision: 'reject', comment: 'Concern 1.4 has no target date.' });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.body).toContain('sent back');

    expect((await executionOf(planId)).status).toBe('SUCCEEDED');
    await waitFor(async () => (await plans.getPlan(planId))?.status === 'changes_requested', 'changes requested');
    const [notice] = await waitForEmails(outbox, (e) => e.category === 'plan-changes-requested' && e.subject.includes('Long Lartin'));
    expect(notice?.to).toEqual(['performance@plans.example.gov.uk']);
    expect(notice?.text).toContain('Concern 1.4 has no target date.');
  });

  it('starts again by itself when a corrected revision is stored, and the old link is superseded', async () => {
    const corrected: Plan = { ...plan, items: plan.items.map((item, index) => (index === 0 ? { ...item, text: `${item.text} (corrected)` } : item)) };
    const stored = await storeRevision(corrected, 'c'.repeat(64));
    expect(stored.revision).toBe(2);
    expect(await resumeApprovalForNewRevision(deps, planId, 1)).toEqual({ resumed: true });

    const requests = await waitForEmails(outbox, (e) => e.category === 'approval-request' && e.subject.includes('Long Lartin'), 2);
    expect(requests[1]?.text).toContain('revision 2');
    expect((await get(firstReject)).statusCode).toBe(410);
    await waitFor(async () => (await plans.getPlan(planId))?.status === 'awaiting_approval', 'revision 2 awaiting approval');
    const revision2Link = linksOf(requests[1]!).approve;
    expect((await get(revision2Link)).statusCode).toBe(200);

    // A third revision arrives while the second is being approved: the second's links are superseded.
    await storeRevision({ ...corrected, items: corrected.items.slice(1) }, 'd'.repeat(64));
    const superseded = await post(revision2Link, { decision: 'approve' });
    expect(superseded.statusCode).toBe(410);
    expect(superseded.body).toContain('Revision 3 of the plan has been uploaded');
    expect((await approvals.listAudit(planId)).map((entry) => entry.revision)).toEqual([1]);
  });
});

describe('a run whose execution has gone', () => {
  it('is closed as failed when the plan is sent again, and a new run starts', async () => {
    const plan = loadTruth('hmp-liverpool-2018');
    const id = await storePlan({ ...plan, establishment: 'HMP Ghostwood', source: 'ghostwood.pdf' }, '9'.repeat(64));
    // As after a restart of the local runner: the run is recorded, its execution is not known.
    await approvals.createRun({
      planId: id, revision: 1, attempt: 1, executionId: `${local.runner.stateMachineArn.replace(':stateMachine:', ':execution:')}:gone`,
      chain: deps.defaultChain!, status: 'in_progress', currentStage: 0, startedAt: new Date().toISOString(), finishedAt: null,
    });
    const again = await submitForApproval(deps, id);
    expect(again).toMatchObject({ planId: id, revision: 1, alreadyStarted: false });
    expect((await approvals.getRun(id, 1, 1))?.status).toBe('failed');
    await waitFor(async () => (await approvals.getLatestRun(id, 1))?.attempt === 2, 'the second run');
    // While that one waits, sending again finds it.
    expect(await submitForApproval(deps, id)).toMatchObject({ alreadyStarted: true });
  });
});

describe('emails', () => {
  it('carry links that work and a token of 128 + 256 random bits', async () => {
    const emails = await readOutbox(outbox);
    const tokens = emails.flatMap((email) => email.links).filter((link) => link.includes('/approvals/')).map((link) => new URL(link).pathname.split('/').pop()!);
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  });
});
