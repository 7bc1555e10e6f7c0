import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { API_ROUTES, APPROVAL_LINK_ROUTES, APPROVAL_ROUTE_IDS } from '../../functions/api/routes.ts';
import { type LocalApproval, startLocalApproval } from '../../infra/local/local-approval.ts';
import type { ApprovalChain } from '../../shared/domain/approval.ts';
import type { Report } from '../../shared/domain/report.ts';
import { linksOf, waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { type Api, startApi } from './api-harness.ts';

/**
 * The approval flow through the HTTP API, on the local stack: the approvers set by an admin, a plan
 * sent for approval by its staff, each approver deciding through the link pages served by the local
 * gateway, and the audit read back; roles enforced on every approval route, responses validated
 * against the OpenAPI document.
 */
let api: Api;
let local: LocalApproval;
const outbox = mkdtempSync(join(tmpdir(), 'outbox-'));
const tokens = {} as Record<'viewer' | 'admin' | 'approver' | 'liverpoolStaff' | 'bristolStaff', string>;
let planId: string;

const chain: ApprovalChain = {
  stages: [
    {
      name: 'Governor and Deputy',
      rule: 'all',
      approvers: [
        { name: 'Ann Governor', email: 'ann@liverpool.example.gov.uk' },
        { name: 'Dev Deputy', email: 'dev@liverpool.example.gov.uk' },
      ],
    },
    { name: 'Prison Group Director', rule: 'any', approvers: [{ name: 'Pat Director', email: 'pat@pgd.example.gov.uk' }] },
  ],
  planOwners: [{ name: 'Sam Staff', email: 'sam@liverpool.example.gov.uk' }],
};

beforeAll(async () => {
  api = await startApi({ routes: [...API_ROUTES, ...APPROVAL_LINK_ROUTES] });
  local = await startLocalApproval({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: api.tableName,
    outboxDir: outbox,
    linkBaseUrl: `${api.baseUrl}/approvals`,
  });
  planId = (await api.seedPlan(loadTruth('hmp-liverpool-2018'))).planId;
  tokens.viewer = await api.token('viewer');
  tokens.admin = await api.token('admin', undefined, 'admin-1');
  tokens.approver = await api.token('approver');
  tokens.liverpoolStaff = await api.token('staff', 'liverpool');
  tokens.bristolStaff = await api.token('staff', 'bristol');
}, 60_000);

afterAll(async () => {
  await local?.close();
  await api?.stop();
  rmSync(outbox, { recursive: true, force: true });
});

/** A form POST to a link page, as the browser sends it. */
async function submitLink(url: string, form: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'approval-test' }, body: new URLSearchParams(form) });
  return { status: response.status, html: await response.text() };
}

describe('approvers of an establishment', () => {
  it('are the deployment default until an admin sets them', async () => {
    const response = await api.request('GET', '/establishments/liverpool/approvers', { token: tokens.liverpoolStaff });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ establishmentId: 'liverpool', source: 'default', updatedAt: null });
    expect(response.body.chain.stages.map((stage: { name: string }) => stage.name)).toEqual(['Governor', 'Prison Group Director']);
  });

  it('may be set by an admin only, and are refused when malformed', async () => {
    expect((await api.request('PUT', '/establishments/liverpool/approvers', { token: tokens.liverpoolStaff, body: chain })).status).toBe(403);
    expect((await api.request('PUT', '/establishments/liverpool/approvers', { token: tokens.approver, body: chain })).status).toBe(403);
    const malformed = await api.request('PUT', '/establishments/liverpool/approvers', { token: tokens.admin, body: { stages: [], planOwners: [] } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].pointer).toBe('body.stages');
    const set = await api.request('PUT', '/establishments/liverpool/approvers', { token: tokens.admin, body: chain });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ source: 'establishment', updatedBy: expect.any(String), chain });
  });

  it('are shown to the establishment\'s staff, its approvers and admins, not to viewers, other staff or other approvers', async () => {
    expect((await api.request('GET', '/establishments/liverpool/approvers', { token: await api.token('approver', 'liverpool') })).body.source).toBe('establishment');
    // An approver whose address is in the chain, with no establishment on the token.
    expect((await api.request('GET', '/establishments/liverpool/approvers', { token: await api.token('approver', undefined, 'pat', 'pat@pgd.example.gov.uk') })).status).toBe(200);
    // An approver of another establishment, and one tied to none.
    expect((await api.request('GET', '/establishments/liverpool/approvers', { token: await api.token('approver', 'bristol') })).status).toBe(403);
    expect((await api.request('GET', '/establishments/liverpool/approvers', { token: tokens.approver })).status).toBe(403);
    expect((await api.request('GET', '/establishments/liverpool/approvers', { token: tokens.admin })).status).toBe(200);
    expect((await api.request('GET', '/establishments/liverpool/approvers', { token: tokens.liverpoolStaff })).status).toBe(200);
    expect((await api.request('GET', '/establishments/liverpool/approvers', { token: tokens.viewer })).status).toBe(403);
    expect((await api.request('GET', '/establishments/liverpool/approvers', { token: tokens.bristolStaff })).status).toBe(403);
    expect((await api.request('GET', '/establishments/liverpool/approvers')).status).toBe(401);
  });
});

describe('sending a plan for approval', () => {
  it('is for the plan\'s own staff and admins', async () => {
    expect((await api.request('POST', `/plans/${planId}/approval`, { token: tokens.viewer })).status).toBe(403);
    expect((await api.request('POST', `/plans/${planId}/approval`, { token: tokens.bristolStaff })).status).toBe(403);
    expect((await api.request('POST', '/plans/no-such-plan/approval', { token: tokens.admin })).status).toBe(404);
  });

  it('refuses a draft whose items have no response yet (422)', async () => {
    const report: Report = {
      source: 'bristol-report.pdf',
      establishment: 'HMP Bristol',
      reportPublished: '2026-02-01',
      inspection: null,
      items: [{ ref: '1.1', kind: 'recommendation', addressee: null, section: null, text: 'Reduce violence.' }],
      warnings: [],
    };
    const draft = await api.seedDraft(report);
    const refused = await api.request('POST', `/plans/${draft.planId}/approval`, { token: tokens.bristolStaff });
    expect(refused.status).toBe(422);
  });

  it('starts the run (202), and a second request finds the same run', async () => {
    const started = await api.request('POST', `/plans/${planId}/approval`, { token: tokens.liverpoolStaff });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ planId, revision: 1, alreadyStarted: false });
    await waitFor(async () => (await api.request('GET', `/plans/${planId}`, { token: tokens.viewer })).body.plan.status === 'awaiting_approval', 'awaiting approval');
    const again = await api.request('POST', `/plans/${planId}/approval`, { token: tokens.admin });
    expect(again.status).toBe(202);
    expect(again.body.alreadyStarted).toBe(true);
  });
});

describe('deciding through the link pages', () => {
  it('passes an "all" stage only when both approvers approved, then the last stage approves the plan', async () => {
    const [ann] = await waitForEmails(outbox, (email) => email.to.includes('ann@liverpool.example.gov.uk'));
    const [dev] = await waitForEmails(outbox, (email) => email.to.includes('dev@liverpool.example.gov.uk'));

    const page = await fetch(linksOf(ann!).approve);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Ann Governor');

    const first = await submitLink(linksOf(ann!).approve, { decision: 'approve', comment: 'Fine by me.' });
    expect(first.status).toBe(200);
    expect(first.html).toContain('every one of its approvers');
    const second = await submitLink(linksOf(dev!).approve, { decision: 'approve', comment: '' });
    expect(second.status).toBe(200);
    expect(second.html).toContain('next stage');

    const [pat] = await waitForEmails(outbox, (email) => email.to.includes('pat@pgd.example.gov.uk'));
    expect((await submitLink(linksOf(pat!).approve, { decision: 'approve' })).status).toBe(200);
    await waitFor(async () => (await api.request('GET', `/plans/${planId}`, { token: tokens.viewer })).body.plan.status === 'approved', 'approved');
    await waitForEmails(outbox, (email) => email.category === 'plan-approved' && email.to.includes('sam@liverpool.example.gov.uk'));
  });
});

describe('the audit', () => {
  it('lists every decision to the establishment’s staff (not to viewers or other staff), client details to admins only', async () => {
    expect((await api.request('GET', `/plans/${planId}/audit`, { token: tokens.viewer })).status).toBe(403);
    expect((await api.request('GET', `/plans/${planId}/audit`, { token: tokens.bristolStaff })).status).toBe(403);
    const forStaff = await api.request('GET', `/plans/${planId}/audit`, { token: tokens.liverpoolStaff });
    expect(forStaff.status).toBe(200);
    expect(forStaff.body.entries.map((entry: { stageName: string; decidedBy: { email: string }; decision: string }) => [entry.stageName, entry.decidedBy.email, entry.decision])).toEqual([
      ['Governor and Deputy', 'ann@liverpool.example.gov.uk', 'approve'],
      ['Governor and Deputy', 'dev@liverpool.example.gov.uk', 'approve'],
      ['Prison Group Director', 'pat@pgd.example.gov.uk', 'approve'],
    ]);
    expect(forStaff.body.entries[0]).toMatchObject({ comment: 'Fine by me.', clientIpHash: null, userAgent: null, applied: true });
    const forAdmin = await api.request('GET', `/plans/${planId}/audit`, { token: tokens.admin });
    expect(forAdmin.body.entries[0].clientIpHash).toMatch(/^[0-9a-f]{64}$/);
    expect(forAdmin.body.entries[0].userAgent).toBe('approval-test');
    expect((await api.request('GET', '/plans/no-such-plan/audit', { token: tokens.viewer })).status).toBe(404);
  });
});

describe('contract', () => {
  it('every response matched its OpenAPI operation, and each approval route was used with success and error', () => {
    expect(api.contract.failures).toEqual([]);
    const seen = [...api.contract.seen];
    for (const route of API_ROUTES.filter((candidate) => APPROVAL_ROUTE_IDS.includes(candidate.id))) {
      expect(seen.some((key) => key.startsWith(`${route.method} ${route.path} 2`)), `${route.method} ${route.path} success`).toBe(true);
      expect(seen.some((key) => key.startsWith(`${route.method} ${route.path} 4`)), `${route.method} ${route.path} error`).toBe(true);
    }
  });
});
