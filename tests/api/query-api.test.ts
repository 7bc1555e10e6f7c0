import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, APPROVAL_ROUTE_IDS } from '../../functions/api/routes.ts';
import { mintDevToken } from '../../infra/local/dev-tokens.ts';
import type { Report } from '../../shared/domain/report.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { type Api, startApi } from './api-harness.ts';

/**
 * The query API end to end on DynamoDB Local, through the local gateway (the route table, the dev
 * JWT check, the same handlers as the Lambdas); every response is validated against the OpenAPI document.
 */

let api: Api;
const received: { key: string; size: number }[] = [];
const liverpool = loadTruth('hmp-liverpool-2018');
const longLartin = loadTruth('hmp-long-lartin-2023');
const bristolReport: Report = {
  source: 'bristol-report.pdf',
  establishment: 'HMP Bristol',
  reportPublished: '2026-01-05',
  inspection: null,
  items: [
    { ref: '1.1', kind: 'recommendation', addressee: 'To the Governor', section: 'Safety', text: 'Reduce violence.' },
    { ref: '1.2', kind: 'recommendation', addressee: 'To the Governor', section: 'Safety', text: 'Improve key work.' },
  ],
  warnings: [],
};
const draftId = 'bristol-2026-01-05';
const tokens = {} as Record<'viewer' | 'admin' | 'approver' | 'liverpoolStaff' | 'bristolStaff', string>;

beforeAll(async () => {
  api = await startApi({
    receiveUpload: async (key, bytes) => {
      received.push({ key, size: bytes.length });
      // What the S3 event starts: the upload record, here as the ingestion writes it while analysing.
      const uploadId = `local-${received.length}`;
      const now = new Date().toISOString();
      await api.uploads.create({
        uploadId,
        kind: 'plan',
        object: { bucket: 'uploads', key },
        fileName: key.split('/').pop()!,
        sizeBytes: bytes.length,
        status: 'queued',
        createdAt: now,
        updatedAt: now,
      });
      await api.uploads.markAnalysing(uploadId, { contentSha256: 'x'.repeat(64), analysisJobId: 'job', analysisStartedAt: now, pageCount: 12 });
    },
  });
  await api.seedPlan(liverpool);
  await api.seedPlan(longLartin);
  await api.seedDraft(bristolReport);
  tokens.viewer = await api.token('viewer');
  tokens.admin = await api.token('admin');
  tokens.approver = await api.token('approver');
  tokens.liverpoolStaff = await api.token('staff', 'liverpool');
  tokens.bristolStaff = await api.token('staff', 'bristol');
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

describe('authentication at the gateway', () => {
  it('answers 401 problem+json without a token', async () => {
    const response = await api.request('GET', '/plans');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 401, title: 'Authentication is required', instance: '/plans' });
  });

  it('answers 401 to a token signed with another key, or expired', async () => {
    const forged = await mintDevToken({ role: 'admin' }, new Uint8Array(32));
    expect((await api.request('GET', '/plans', { token: forged })).status).toBe(401);
    expect((await api.request('GET', '/plans', { token: 'not.a.jwt' })).status).toBe(401);
  });

  it('lets anyone read the OpenAPI document', async () => {
    const response = await api.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
  });
});

describe('roles', () => {
  it('refuses uploads to viewers and approvers (403)', async () => {
    for (const token of [tokens.viewer, tokens.approver]) {
      const response = await api.request('POST', '/uploads', { token, body: { kind: 'plan' } });
      expect(response.status).toBe(403);
    }
  });

  it('refuses answers to viewers (403)', async () => {
    const response = await api.request('PUT', `/plans/${draftId}/items/1.1/response`, {
      token: tokens.viewer,
      body: { decision: 'agreed', actions: [] },
    });
    expect(response.status).toBe(403);
  });
});

describe('drafts belong to their establishment', () => {
  it('staff of another establishment can neither read nor answer a draft', async () => {
    expect((await api.request('GET', `/plans/${draftId}`, { token: tokens.liverpoolStaff })).status).toBe(403);
    expect((await api.request('GET', `/plans/${draftId}/items`, { token: tokens.liverpoolStaff })).status).toBe(403);
    const answer = await api.request('PUT', `/plans/${draftId}/items/1.1/response`, {
      token: tokens.liverpoolStaff,
      body: { decision: 'agreed', actions: [{ text: 'x', owners: ['Governor'], targets: [{ raw: 'June 2026' }] }] },
    });
    expect(answer.status).toBe(403);
  });

  it('lists drafts only to their own staff and admins', async () => {
    const ids = async (token: string) => ((await api.request('GET', '/plans', { token })).body.items as { planId: string }[]).map((p) => p.planId);
    expect(await ids(tokens.bristolStaff)).toContain(draftId);
    expect(await ids(tokens.admin)).toContain(draftId);
    expect(await ids(tokens.liverpoolStaff)).not.toContain(draftId);
    expect(await ids(tokens.viewer)).not.toContain(draftId);
  });

  it('viewers see non-drafts', async () => {
    const response = await api.request('GET', `/plans/${draftId}`, { token: tokens.viewer });
    expect(response.status).toBe(403);
    expect((await api.request('GET', '/plans/liverpool-2018-01-19', { token: tokens.viewer })).status).toBe(200);
  });
});

describe('GET /plans', () => {
  it('pages with an opaque cursor bound to its query', async () => {
    const first = await api.request('GET', '/plans?limit=1', { token: tokens.admin });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.cursor).toEqual(expect.any(String));
    const second = await api.request('GET', `/plans?limit=1&cursor=${first.body.cursor}`, { token: tokens.admin });
    expect(second.body.items[0].planId).not.toBe(first.body.items[0].planId);
    const other = await api.request('GET', `/plans?limit=1&status=parsed&cursor=${first.body.cursor}`, { token: tokens.admin });
    expect(other.status).toBe(400);
  });

  it('filters by establishment, status and dates', async () => {
    const byEstablishment = await api.request('GET', '/plans?establishment=long-lartin', { token: tokens.viewer });
    expect(byEstablishment.body.items.map((plan: { planId: string }) => plan.planId)).toEqual(['long-lartin-2023-04-12']);
    const drafts = await api.request('GET', '/plans?status=awaiting_response', { token: tokens.admin });
    expect(drafts.body.items.map((plan: { planId: string }) => plan.planId)).toEqual([draftId]);
    const dated = await api.request('GET', '/plans?from=2018-01-01&to=2018-12-31', { token: tokens.viewer });
    expect(dated.body.items.map((plan: { planId: string }) => plan.planId)).toEqual(['liverpool-2018-01-19']);
  });

  it('refuses bad input: 400 with the fields at fault, 422 for from after to', async () => {
    const bad = await api.request('GET', '/plans?limit=101&from=yesterday', { token: tokens.viewer });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((issue: { pointer: string }) => issue.pointer).sort()).toEqual(['query.from', 'query.limit']);
    expect((await api.request('GET', '/plans?from=2020-01-01&to=2019-01-01', { token: tokens.viewer })).status).toBe(422);
  });
});

describe('GET /plans/{id}', () => {
  it('returns the plan with counts', async () => {
    const response = await api.request('GET', '/plans/liverpool-2018-01-19', { token: tokens.viewer });
    expect(response.status).toBe(200);
    expect(response.body.plan).toMatchObject({ planId: 'liverpool-2018-01-19', establishmentId: 'liverpool', status: 'parsed' });
    expect(response.body.counts.items).toBe(liverpool.items.length);
    expect(response.body.counts.itemsByDecision.agreed).toBe(liverpool.items.filter((item) => item.decision === 'agreed').length);
  });

  it('answers 404 for an unknown plan and 400 for a malformed id', async () => {
    expect((await api.request('GET', '/plans/nowhere-2020-01-01', { token: tokens.viewer })).status).toBe(404);
    expect((await api.request('GET', '/plans/NOT%20AN%20ID', { token: tokens.viewer })).status).toBe(400);
  });
});

describe('GET /plans/{id}/items', () => {
  it('lists items in document order, filtered', async () => {
    const all = await api.request('GET', '/plans/liverpool-2018-01-19/items?limit=100', { token: tokens.viewer });
    expect(all.body.items.map((item: { ref: string }) => item.ref)).toEqual(liverpool.items.map((item) => item.ref));
    const notAgreed = await api.request('GET', '/plans/liverpool-2018-01-19/items?limit=100&decision=not_agreed', { token: tokens.viewer });
    expect(notAgreed.body.items).toHaveLength(liverpool.items.filter((item) => item.decision === 'not_agreed').length);
    const owned = await api.request('GET', '/plans/liverpool-2018-01-19/items?limit=100&owner=head%20of%20residence', { token: tokens.viewer });
    expect(owned.body.items.length).toBeGreaterThan(0);
  });

  it('exports CSV on ?format=csv and on Accept: text/csv', async () => {
    const byQuery = await api.request('GET', '/plans/liverpool-2018-01-19/items?format=csv&limit=100', { token: tokens.viewer });
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(byQuery.headers.get('content-disposition')).toBe('attachment; filename="liverpool-2018-01-19-items.csv"');
    expect(byQuery.text.split('\r\n')[0]).toBe('ref,kind,section,addressee,decision,text,action,actionText,owners,targets,due');
    const byAccept = await api.request('GET', '/plans/liverpool-2018-01-19/items?limit=5', {
      token: tokens.viewer,
      headers: { accept: 'text/csv' },
    });
    expect(byAccept.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(byAccept.headers.get('link')).toMatch(/rel="next"/);
  });
});

describe('GET /actions', () => {
  it('lists an owner’s actions across plans, and overdue ones', async () => {
    const owned = await api.request('GET', '/actions?owner=Head%20of%20Residence', { token: tokens.viewer });
    expect(owned.status).toBe(200);
    expect(owned.body.items.length).toBeGreaterThan(0);
    expect(owned.body.items.every((action: { owners: string[] }) => action.owners.some((o) => o.toLowerCase() === 'head of residence'))).toBe(true);
    const overdue = await api.request('GET', '/actions?overdue=true&limit=100', { token: tokens.viewer });
    expect(overdue.body.items.length).toBeGreaterThan(0);
    expect(overdue.body.items.every((action: { status: string }) => action.status === 'overdue')).toBe(true);
  });

  it('refuses a query with neither owner nor due limit (it would read every action)', async () => {
    expect((await api.request('GET', '/actions', { token: tokens.viewer })).status).toBe(400);
  });

  it('exports CSV', async () => {
    const response = await api.request('GET', '/actions?dueBefore=2019-01-01&format=csv', { token: tokens.viewer });
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="actions.csv"');
    expect(response.text.split('\r\n')[0]).toBe('planId,establishment,itemRef,itemKind,action,text,owners,targets,due,status');
  });
});

describe('GET /establishments', () => {
  it('lists every establishment with a stored plan', async () => {
    const response = await api.request('GET', '/establishments', { token: tokens.viewer });
    expect(response.body.items.map((e: { establishmentId: string }) => e.establishmentId)).toEqual(['bristol', 'liverpool', 'long-lartin']);
    expect(response.body.items[1]).toMatchObject({ name: 'HMP Liverpool', planCount: 1 });
    expect((await api.request('GET', '/establishments?limit=0', { token: tokens.viewer })).status).toBe(400);
  });
});

describe('uploads', () => {
  it('grants an upload, follows it from awaiting_file to analysing', async () => {
    const granted = await api.request('POST', '/uploads', { token: tokens.bristolStaff, body: { kind: 'plan', fileName: 'C:\\plans\\HMP Bristol action plan (final).pdf' } });
    expect(granted.status).toBe(201);
    expect(granted.body.upload).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'application/pdf' } });
    const statusPath = `/uploads/${granted.body.uploadId}`;
    const waiting = await api.request('GET', statusPath, { token: tokens.bristolStaff });
    expect(waiting.body).toMatchObject({ status: 'awaiting_file', pages: { analysed: null, total: null }, plan: null });
    expect((await api.request('GET', statusPath, { token: tokens.liverpoolStaff })).status).toBe(403);

    const put = await fetch(granted.body.upload.url, { method: 'PUT', headers: granted.body.upload.headers, body: '%PDF-1.7 test' });
    expect(put.status).toBe(200);
    // The file's own name, cleaned, ends the key: it becomes the plan's source.
    expect(received.at(-1)?.key).toBe(`uploads/plans/${granted.body.uploadId}/HMP Bristol action plan (final).pdf`);
    const analysing = await api.request('GET', statusPath, { token: tokens.admin });
    expect(analysing.body).toMatchObject({ status: 'analysing', pages: { analysed: null, total: 12 } });
  });

  it('answers 400 to a bad body and 404 to an unknown id', async () => {
    expect((await api.request('POST', '/uploads', { token: tokens.admin, body: { kind: 'spreadsheet' } })).status).toBe(400);
    expect((await api.request('GET', '/uploads/2b0f4b0e-3c1a-4a51-9a35-000000000000', { token: tokens.admin })).status).toBe(404);
  });
});

describe('PUT /plans/{id}/items/{ref}/response', () => {
  const answer = { decision: 'agreed', actions: [{ text: 'Weekly safety meeting', owners: ['Head of Safety'], targets: [{ raw: 'June 2026' }] }] };

  it('refuses answers that make no sense (422) and unknown items (404)', async () => {
    const noDecision = await api.request('PUT', `/plans/${draftId}/items/1.1/response`, {
      token: tokens.bristolStaff,
      body: { decision: null, actions: [] },
    });
    expect(noDecision.status).toBe(422);
    expect(noDecision.body.errors.map((issue: { pointer: string }) => issue.pointer)).toEqual(['body.decision', 'body.actions']);
    expect((await api.request('PUT', `/plans/${draftId}/items/9.9/response`, { token: tokens.bristolStaff, body: answer })).status).toBe(404);
  });

  it('stores answers with optimistic concurrency, and the last one makes the plan parsed', async () => {
    const first = await api.request('PUT', `/plans/${draftId}/items/1.1/response`, { token: tokens.bristolStaff, body: { ...answer, version: 0 } });
    expect(first.status).toBe(200);
    expect(first.body.item).toMatchObject({ ref: '1.1', version: 1, actions: [{ targets: [{ raw: 'June 2026', due: '2026-06-30' }] }] });
    expect(first.body.plan).toMatchObject({ status: 'awaiting_response', answeredItems: 1, itemCount: 2 });

    const stale = await api.request('PUT', `/plans/${draftId}/items/1.1/response`, { token: tokens.bristolStaff, body: { ...answer, version: 0 } });
    expect(stale.status).toBe(409);
    const mixed = await api.request('PUT', `/plans/${draftId}/items/1.2/response`, {
      token: tokens.bristolStaff,
      body: { ...answer, decision: 'accepted' },
    });
    expect(mixed.status).toBe(422);

    const last = await api.request('PUT', `/plans/${draftId}/items/1.2/response`, { token: tokens.admin, body: answer });
    expect(last.body.plan).toMatchObject({ status: 'parsed', answeredItems: 2 });
    const plan = await api.request('GET', `/plans/${draftId}`, { token: tokens.viewer });
    expect(plan.body.plan).toMatchObject({ status: 'parsed', format: 'agreed-2018' });
    const actions = await api.request('GET', '/actions?owner=head%20of%20safety', { token: tokens.viewer });
    expect(actions.body.items.filter((action: { planId: string }) => action.planId === draftId)).toHaveLength(2);

    const again = await api.request('PUT', `/plans/${draftId}/items/1.1/response`, { token: tokens.bristolStaff, body: answer });
    expect(again.status).toBe(409);
  });
});

describe('contract', () => {
  it('every response matched its OpenAPI operation', () => {
    expect(api.contract.failures).toEqual([]);
  });

  it('every route was exercised with a success response, and every secured one with an error', () => {
    // The approval flow's routes are exercised with the flow, in approval-api.test.ts.
    const unseen = api.contract.unseen((route) => [route.method === 'POST' ? 201 : 200]);
    expect(unseen.filter((key) => !API_ROUTES.some((route) => APPROVAL_ROUTE_IDS.includes(route.id) && key.startsWith(`${route.method} ${route.path} `)))).toEqual([]);
    const seen = [...api.contract.seen];
    const withoutError = API_ROUTES.filter(
      (route) => route.auth === 'required' && !APPROVAL_ROUTE_IDS.includes(route.id) && !seen.some((key) => key.startsWith(`${route.method} ${route.path} 4`)),
    ).map((route) => `${route.method} ${route.path}`);
    expect(withoutError).toEqual([]);
  });
});
