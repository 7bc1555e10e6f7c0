import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocalIngestion } from '../../infra/local/local-ingestion.ts';
import { readOutbox } from '../../shared/adapters/local/outbox-email-sender.ts';
import type { Principal } from '../../shared/domain/access.ts';
import { UnprocessableError } from '../../shared/domain/request-errors.ts';
import { sendPlanForApproval } from '../../shared/usecases/approval/approval-api.ts';
import { resumeApprovalForNewRevision } from '../../shared/usecases/approval/run-approval.ts';
import { linksOf, startApprovalFlow, waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { storePlanRevision } from '../helpers/stored-plans.ts';
import { staffUploader } from '../helpers/uploaders.ts';
import { planPdf } from './tenancy-documents.ts';

/**
 * Another establishment's upload never touches a plan's approval: on the local stack (the
 * synthesised state machine on the local runner, DynamoDB Local, the outbox, and the local
 * ingestion restarting approvals as the Lambdas do), staff of Liverpool upload a plan titled for
 * Brixton while Brixton's approval runs, and again after its approvers asked for changes.
 */
let flow: Awaited<ReturnType<typeof startApprovalFlow>>;
let ingestion: Awaited<ReturnType<typeof createLocalIngestion>>;
let objectsDir: string;

beforeAll(async () => {
  flow = await startApprovalFlow({ dynamodbEndpoint: inject('dynamodbEndpoint') });
  objectsDir = await mkdtemp(join(tmpdir(), 'tenancy-approval-'));
  ingestion = await createLocalIngestion({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: flow.tableName,
    objectsDir,
    resumeApproval: (planId, previousRevision) => resumeApprovalForNewRevision(flow.deps, planId, previousRevision),
  });
}, 60_000);

afterAll(async () => {
  ingestion?.close();
  await flow?.stop();
  await rm(objectsDir, { recursive: true, force: true });
});

const brixtonStaff = staffUploader('brixton');
const liverpoolStaff = staffUploader('liverpool');
const brixtonPrincipal: Principal = { ...brixtonStaff };
const brixton = { establishment: 'HMP Brixton', published: '4 February 2026' };
const planId = 'brixton-2026-02-04';

const approvalRequests = async () => (await readOutbox(flow.outbox)).filter((email) => email.category === 'approval-request');
const executionsOf = (id: string) => flow.local.runner.listExecutions().filter((execution) => execution.name.startsWith(id));

describe('a plan titled for another establishment, uploaded while its approval runs', () => {
  let governorLinks: { approve: string; reject: string };

  it('Brixton’s plan is sent for approval; the email says who uploaded it', async () => {
    expect(await ingestion.ingest('brixton.pdf', await planPdf(brixton), 'plan', brixtonStaff)).toMatchObject({ outcome: 'parsed', planId, revision: 1 });
    await sendPlanForApproval(planId, brixtonPrincipal, flow.deps);
    const [email] = await waitForEmails(flow.outbox, (candidate) => candidate.category === 'approval-request');
    expect(email!.text).toContain('Uploaded by: staff-of-brixton@example.gov.uk (staff of brixton)');
    expect(email!.html).toContain('staff-of-brixton@example.gov.uk (staff of brixton)');
    governorLinks = linksOf(email!);
  });

  it('is refused, and neither cancels nor changes the running approval', async () => {
    const forged = await planPdf({ ...brixton, action: 'Forged while the approval runs.' });
    const outcome = await ingestion.ingest('brixton-forged.pdf', forged, 'plan', liverpoolStaff);
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('This plan is for HMP Brixton (brixton), but you upload for') });

    expect(await flow.plans.getPlan(planId)).toMatchObject({ currentRevision: 1, status: 'awaiting_approval' });
    expect(await flow.approvals.getLatestRun(planId, 1)).toMatchObject({ status: 'in_progress' });
    expect((await flow.get(governorLinks.approve)).statusCode).toBe(200);
    expect(await approvalRequests()).toHaveLength(1);
  });

  it('after changes are requested, is refused and restarts nothing', async () => {
    expect((await flow.post(governorLinks.reject, { decision: 'reject', comment: 'Item 1.2 needs a date.' })).statusCode).toBe(200);
    await waitFor(async () => (await flow.plans.getPlan(planId))?.status === 'changes_requested', 'changes requested');

    const forged = await planPdf({ ...brixton, action: 'Forged after changes were requested.' });
    const outcome = await ingestion.ingest('brixton-forged-2.pdf', forged, 'plan', liverpoolStaff);
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('HMP Brixton (brixton)') });

    expect(await flow.plans.getPlan(planId)).toMatchObject({ currentRevision: 1, status: 'changes_requested' });
    expect(await flow.approvals.getLatestRun(planId, 2)).toBeNull();
    expect(executionsOf(planId)).toHaveLength(1);
    expect(await approvalRequests()).toHaveLength(1);
  });

  it('Brixton’s own corrected plan restarts the approval, and its email names the uploader', async () => {
    const corrected = await planPdf({ ...brixton, action: 'Corrected by Brixton with a date.' });
    expect(await ingestion.ingest('brixton-v2.pdf', corrected, 'plan', brixtonStaff)).toMatchObject({ outcome: 'parsed', planId, revision: 2 });
    const emails = await waitForEmails(flow.outbox, (candidate) => candidate.category === 'approval-request', 2);
    expect(emails[1]!.text).toContain('Revision: 2');
    expect(emails[1]!.text).toContain('Uploaded by: staff-of-brixton@example.gov.uk (staff of brixton)');
    expect(flow.errors).toEqual([]);
  });
});

describe('a plan with no items', () => {
  it('cannot be sent for approval (422), and no run starts', async () => {
    const plan = { ...loadTruth('hmp-liverpool-2018'), establishment: 'HMP Emptyfield', source: 'emptyfield.pdf', items: [] };
    const { planId: emptyId } = await storePlanRevision({ uploads: flow.uploads, plans: flow.plans }, plan, { uploadedBy: staffUploader('emptyfield') });
    const staff: Principal = { ...staffUploader('emptyfield') };
    await expect(sendPlanForApproval(emptyId, staff, flow.deps)).rejects.toThrow(UnprocessableError);
    await expect(sendPlanForApproval(emptyId, staff, flow.deps)).rejects.toThrow(/has no items/);
    expect(await flow.approvals.getLatestRun(emptyId, 1)).toBeNull();
    expect(executionsOf(emptyId)).toHaveLength(0);
  });
});
