import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { API_ROUTES } from '../../functions/api/routes.ts';
import { createLocalIngestion } from '../../infra/local/local-ingestion.ts';
import { type LocalApproval, startLocalApproval } from '../../infra/local/local-approval.ts';
import type { ApprovalChain } from '../../shared/domain/approval.ts';
import { type Api, startApi } from '../api/api-harness.ts';
import { waitFor } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { planPdf } from './tenancy-documents.ts';

/**
 * Tenancy through the HTTP API on the local stack: who may request uploads, a file PUT to a granted
 * URL ingested as the requester (the local gateway plays S3's presigned PUT and its event), who
 * uploaded a revision in GET /plans/{id}, and who may read a plan's approval audit. Every response
 * is checked against the OpenAPI document.
 */
let api: Api;
let local: LocalApproval;
let ingestion: Awaited<ReturnType<typeof createLocalIngestion>>;
const objectsDir = mkdtempSync(join(tmpdir(), 'tenancy-api-objects-'));
const outbox = mkdtempSync(join(tmpdir(), 'tenancy-api-outbox-'));
let liverpoolPlanId: string;

beforeAll(async () => {
  api = await startApi({
    routes: API_ROUTES,
    receiveUpload: async (key, bytes) => {
      await ingestion.ingestObject(key, bytes);
    },
  });
  ingestion = await createLocalIngestion({ dynamodbEndpoint: inject('dynamodbEndpoint'), tableName: api.tableName, objectsDir });
  local = await startLocalApproval({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: api.tableName,
    outboxDir: outbox,
    linkBaseUrl: `${api.baseUrl}/approvals`,
  });
  liverpoolPlanId = (await api.seedPlan(loadTruth('hmp-liverpool-2018'))).planId;
}, 60_000);

afterAll(async () => {
  await local?.close();
  await api?.stop();
  ingestion?.close();
  rmSync(objectsDir, { recursive: true, force: true });
  rmSync(outbox, { recursive: true, force: true });
});

/** Requests an upload with `token`, PUTs the file to the URL granted, and waits until it is parsed or failed. */
async function upload(token: string, bytes: Uint8Array, fileName: string) {
  const granted = await api.request('POST', '/uploads', { token, body: { kind: 'plan', fileName } });
  expect(granted.status).toBe(201);
  const put = await fetch(granted.body.upload.url, { method: 'PUT', headers: granted.body.upload.headers, body: bytes });
  expect(put.status).toBe(200);
  return waitFor(async () => {
    const status = await api.request('GET', `/uploads/${granted.body.uploadId}`, { token });
    return ['parsed', 'failed'].includes(status.body.status) ? status.body : null;
  }, `upload ${granted.body.uploadId} to finish`);
}

describe('POST /uploads', () => {
  it('refuses staff of no establishment, viewers and approvers (403), and grants staff of one', async () => {
    const unattached = await api.request('POST', '/uploads', { token: await api.token('staff'), body: { kind: 'plan', fileName: 'plan.pdf' } });
    expect(unattached.status).toBe(403);
    expect(unattached.body.detail).toContain('staff of no establishment');
    for (const role of ['viewer', 'approver'] as const) {
      expect((await api.request('POST', '/uploads', { token: await api.token(role), body: { kind: 'plan' } })).status).toBe(403);
    }
    const granted = await api.request('POST', '/uploads', { token: await api.token('staff', 'liverpool'), body: { kind: 'report' } });
    expect(granted.status).toBe(201);
  });
});

describe('a plan PUT to a granted URL', () => {
  const brixton = { establishment: 'HMP Brixton', published: '4 February 2026' };

  it('titled for another establishment fails, naming both, and stores nothing', async () => {
    const status = await upload(await api.token('staff', 'liverpool'), await planPdf(brixton), 'brixton.pdf');
    expect(status).toMatchObject({ status: 'failed', plan: null });
    // Liverpool's plan is stored (seeded), so its name is known as its plans print it.
    expect(status.reason).toContain('This plan is for HMP Brixton (brixton), but you upload for HMP Liverpool (liverpool)');
    expect((await api.request('GET', '/plans/brixton-2026-02-04', { token: await api.token('admin') })).status).toBe(404);
  });

  it('uploaded by an admin is stored, and GET /plans/{id} says who uploaded it', async () => {
    const status = await upload(await api.token('admin', undefined, 'admin-7'), await planPdf(brixton), 'brixton.pdf');
    expect(status).toMatchObject({ status: 'parsed', plan: { planId: 'brixton-2026-02-04', revision: 1 } });
    const plan = await api.request('GET', '/plans/brixton-2026-02-04', { token: await api.token('staff', 'brixton') });
    expect(plan.body.plan.uploadedBy).toEqual({ subject: 'admin-7', role: 'admin', email: 'admin-7@example.gov.uk', establishmentId: null });
  });

  it('uploaded by its own staff is stored as the next revision, recording them', async () => {
    const status = await upload(await api.token('staff', 'brixton', 'bea'), await planPdf({ ...brixton, action: 'Corrected.' }), 'brixton-v2.pdf');
    expect(status).toMatchObject({ status: 'parsed', plan: { planId: 'brixton-2026-02-04', revision: 2 } });
    for (const reader of [await api.token('admin'), await api.token('staff', 'brixton'), await api.token('approver', 'brixton')]) {
      const plan = await api.request('GET', '/plans/brixton-2026-02-04', { token: reader });
      expect(plan.body.plan.uploadedBy).toEqual({ subject: 'bea', role: 'staff', email: 'bea@example.gov.uk', establishmentId: 'brixton' });
    }
    // A person's address is not for every reader: viewers, other staff and other approvers see the role and establishment.
    for (const reader of [await api.token('viewer'), await api.token('staff', 'liverpool'), await api.token('approver', 'liverpool')]) {
      const plan = await api.request('GET', '/plans/brixton-2026-02-04', { token: reader });
      expect(plan.body.plan.uploadedBy).toEqual({ subject: null, role: 'staff', email: null, establishmentId: 'brixton' });
    }
    // A plan seeded by the test harness records its (admin) uploader too.
    const seeded = await api.request('GET', `/plans/${liverpoolPlanId}`, { token: await api.token('viewer') });
    expect(seeded.body.plan.uploadedBy).toMatchObject({ role: 'admin' });
  });
});

describe('GET /plans/{id}/audit', () => {
  const chain: ApprovalChain = {
    stages: [{ name: 'Governor', rule: 'any', approvers: [{ name: 'Pat Governor', email: 'pat.governor@example.gov.uk', deputy: { name: 'Dee Deputy', email: 'dee.deputy@example.gov.uk' } }] }],
    planOwners: [{ name: 'Sam Staff', email: 'sam@example.gov.uk' }],
  };
  const audit = async (token: string) => api.request('GET', `/plans/${liverpoolPlanId}/audit`, { token });

  beforeAll(async () => {
    expect((await api.request('PUT', '/establishments/liverpool/approvers', { token: await api.token('admin'), body: chain })).status).toBe(200);
  });

  it('is refused (403) to viewers, other establishments’ staff, and approvers not tied to the establishment', async () => {
    expect((await audit(await api.token('viewer'))).status).toBe(403);
    expect((await audit(await api.token('staff', 'bristol'))).status).toBe(403);
    expect((await audit(await api.token('approver'))).status).toBe(403);
    expect((await audit(await api.token('approver', 'bristol'))).status).toBe(403);
    const refused = await audit(await api.token('viewer'));
    expect(refused.body.detail).toContain('staff of liverpool, its approvers and admins');
  });

  it('is shown to the establishment’s staff, its approvers (by establishment, or in its chain, deputies too) and admins', async () => {
    for (const token of [
      await api.token('staff', 'liverpool'),
      await api.token('approver', 'liverpool'),
      await api.token('approver', undefined, 'pat.governor'),
      await api.token('approver', undefined, 'dee.deputy'),
      await api.token('admin'),
    ]) {
      const response = await audit(token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ planId: liverpoolPlanId, entries: [] });
    }
  });
});

describe('contract', () => {
  it('every response matched its OpenAPI operation', () => {
    expect(api.contract.failures).toEqual([]);
  });
});
