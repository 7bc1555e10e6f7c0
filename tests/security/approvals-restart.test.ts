import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { LocalApproval } from '../../infra/local/local-approval.ts';
import type { ApprovalChain } from '../../shared/domain/approval.ts';
import { submitForApproval } from '../../shared/usecases/approval/run-approval.ts';
import { type LinkHandler, linkEvent, linksOf, startApprovalFlow, waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { type ApprovalFlow, emailsAbout, person, requestTo, storePlanWithChain } from './approvals-fixtures.ts';

/**
 * A decision that arrives after the local runner restarted (its executions, in memory, are gone):
 * as a restarted `npm start` would, a new local runner is started on the same DynamoDB table and
 * the functions are loaded again. The decision is recorded and the run carried on from it: the
 * page's "next approvers will be emailed" (or "sent back") really happens.
 */
let flow: ApprovalFlow;
let restarted: LocalApproval | undefined;
/** The use-cases' dependencies of the runner running now (the functions' configuration points at it). */
let deps: ApprovalFlow['deps'];
const errors: unknown[] = [];

beforeAll(async () => {
  flow = await startApprovalFlow({ dynamodbEndpoint: inject('dynamodbEndpoint') });
  deps = flow.deps;
}, 60_000);

afterAll(async () => {
  await restarted?.close();
  await flow?.stop();
});

const ann = person('Ann Approver');
const bob = person('Bob Approver');
const director = person('Dan Director');
const owner = person('Owen Owner');

/** Stops the runner and starts another on the same table and outbox, with the functions loaded anew. */
async function restartRunner(): Promise<LinkHandler> {
  await (restarted ?? flow.local).close();
  vi.resetModules();
  const { startLocalApproval } = await import('../../infra/local/local-approval.ts');
  restarted = await startLocalApproval({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: flow.local.environment.TABLE_NAME!,
    outboxDir: flow.outbox,
    linkBaseUrl: flow.local.environment.APPROVAL_LINK_BASE_URL!,
    onError: (error) => errors.push(error),
  });
  deps = await (await import('../../functions/lib/approval-runtime.ts')).approvalDependencies();
  return (await import('../../functions/approval-link.ts')).handler as unknown as LinkHandler;
}

const post = (handler: LinkHandler, url: string, form: Record<string, string>) => handler(linkEvent('POST', url, form), {} as never);

describe('a decision after the runner restarted', () => {
  const chain: ApprovalChain = { stages: [{ name: 'Governor', rule: 'any', approvers: [ann] }, { name: 'Director', rule: 'any', approvers: [director] }], planOwners: [owner] };

  it('approving: the run is carried on from the next stage, whose approver is emailed, and the plan can be approved', async () => {
    const { planId, establishment } = await storePlanWithChain(flow, 'Restart Approve', chain);
    await submitForApproval(deps, planId);
    const request = await requestTo(flow, establishment, ann);

    const handler = await restartRunner();
    const page = await post(handler, linksOf(request).approve, { decision: 'approve' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The Governor stage is complete');
    // What the page said happens.
    const directorRequest = await requestTo(flow, establishment, director);
    expect((await flow.approvals.getRun(planId, 1, 1))?.status).toBe('restarted');
    expect(await flow.approvals.getRun(planId, 1, 2)).toMatchObject({ status: 'in_progress', currentStage: 1, continuedFrom: 1 });
    expect((await flow.plans.getPlan(planId))?.status).toBe('awaiting_approval');

    const last = await post(handler, linksOf(directorRequest).approve, { decision: 'approve' });
    expect(last.body).toContain('now approved');
    await waitFor(async () => (await flow.plans.getPlan(planId))?.status === 'approved', 'the plan to be approved');
    await waitForEmails(flow.outbox, emailsAbout(establishment, 'plan-approved', owner));
    const audit = await flow.approvals.listAudit(planId);
    expect(audit.map((entry) => [entry.stageName, entry.decision, entry.applied])).toEqual([
      ['Governor', 'approve', true],
      ['Director', 'approve', true],
    ]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('rejecting: the plan really goes back to its owners with the comment', async () => {
    const { planId, establishment } = await storePlanWithChain(flow, 'Restart Reject', chain);
    await submitForApproval(deps, planId);
    const request = await requestTo(flow, establishment, ann);

    const handler = await restartRunner();
    const page = await post(handler, linksOf(request).reject, { decision: 'reject', comment: 'Item 2 needs an owner.' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('sent back to its owners');
    await waitFor(async () => (await flow.plans.getPlan(planId))?.status === 'changes_requested', 'changes requested');
    const [notice] = await waitForEmails(flow.outbox, emailsAbout(establishment, 'plan-changes-requested', owner));
    expect(notice?.text).toContain('Item 2 needs an owner.');
    expect((await flow.approvals.listAudit(planId)).map((entry) => entry.applied)).toEqual([true]);
  }, 60_000);

  it('a decision that leaves an "all" stage waiting: the others are asked again with fresh links, and their old links say so', async () => {
    const board: ApprovalChain = { stages: [{ name: 'Board', rule: 'all', approvers: [ann, bob] }, { name: 'Director', rule: 'any', approvers: [director] }], planOwners: [owner] };
    const { planId, establishment } = await storePlanWithChain(flow, 'Restart Board', board);
    await submitForApproval(deps, planId);
    const [annRequest, bobRequest] = await Promise.all([requestTo(flow, establishment, ann), requestTo(flow, establishment, bob)]);

    const handler = await restartRunner();
    const page = await post(handler, linksOf(annRequest).approve, { decision: 'approve' });
    expect(page.body).toContain('passes when every one of its approvers has approved');
    const [reminder] = await waitForEmails(flow.outbox, emailsAbout(establishment, 'approval-reminder', bob));
    expect((await readLink(handler, linksOf(bobRequest).approve)).body).toContain('you will receive a new email');

    const done = await post(handler, linksOf(reminder!).approve, { decision: 'approve' });
    expect(done.body).toContain('The Board stage is complete');
    await requestTo(flow, establishment, director);
    expect((await flow.approvals.listAudit(planId)).map((entry) => [entry.decidedBy.name, entry.applied])).toEqual([
      [ann.name, true],
      [bob.name, true],
    ]);
  }, 60_000);
});

const readLink = (handler: LinkHandler, url: string) => handler(linkEvent('GET', url), {} as never);
