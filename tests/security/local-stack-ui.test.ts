import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack, TABLE_NAME, UPLOAD_PAGE_TOKEN_SECONDS } from '../../infra/local/local-stack.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/free-port.ts';
import { BRISTOL_REPORT } from '../helpers/reports.ts';
import { storePlanRevision, storeReportDraft } from '../helpers/stored-plans.ts';
import { staffUploader } from '../helpers/uploaders.ts';
import { postSignInForm, sessionCookieOf, signInToWebUi } from '../helpers/web-ui-sign-in.ts';

/**
 * The local web UI (`npm start`'s) is not an admin console open to whoever reaches it: every page
 * needs a sign-in, the session is an HttpOnly SameSite=Strict cookie naming nothing but a random
 * id, the pages call the use-cases as the person signed in (a viewer cannot send a plan for
 * approval, staff of one prison cannot open another's draft), and the upload page carries that
 * person's short-lived token, never an admin's.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-ui-'));
let stack: LocalStack;
let base: string;
let liverpoolId: string;
let draftId: string;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir, port: await freePort(), signingKeyPath: join(dataDir, 'dev-signing-key') });
  base = stack.baseUrl;
  const client = createDocumentClient({ region: 'local', endpoint: process.env.DYNAMODB_ENDPOINT! });
  const plans = new DynamoPlanStore({ client, tableName: TABLE_NAME });
  const uploads = new DynamoUploadStore({ client, tableName: TABLE_NAME });
  liverpoolId = (await storePlanRevision({ uploads, plans }, loadTruth('hmp-liverpool-2018'))).planId;
  draftId = (await storeReportDraft({ uploads, plans }, BRISTOL_REPORT, { uploadedBy: staffUploader('bristol') })).planId;
  client.destroy();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await postSignInForm(base, fields, headers);
  return { status: response.status, location: response.headers.get('location'), setCookie: response.headers.get('set-cookie'), cookie: sessionCookieOf(response), text: await response.text() };
}

const as = (name: string, role: string, establishment = '') => signInToWebUi(base, { name, role, establishment });

async function get(path: string, cookie?: string) {
  const response = await fetch(base + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

async function post(path: string, cookie?: string) {
  const response = await fetch(base + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, ...(cookie ? { cookie } : {}) },
    body: '',
  });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

const planStatus = async (cookie: string) => /Status: <strong class="tag [^"]+">([^<]+)</.exec((await get(`/ui/plans/${liverpoolId}`, cookie)).text)?.[1];

describe('without signing in', () => {
  it('every UI page redirects to the sign-in, coming back to it after', async () => {
    for (const path of ['/', '/?status=parsed', '/ui/upload', '/outbox', '/outbox/some-email', `/ui/plans/${liverpoolId}`]) {
      const response = await get(path);
      expect(response.status, path).toBe(303);
      expect(response.location, path).toBe(`/ui/sign-in?next=${encodeURIComponent(path)}`);
      expect(response.text).not.toContain('HMP Liverpool');
    }
    expect((await get('/ui/plans/no-such-plan', 'ui_session=made-up-value')).status).toBe(303);
  });

  it('sends no plan for approval', async () => {
    const response = await post(`/ui/plans/${liverpoolId}/approval`);
    expect(response.status).toBe(303);
    expect(response.location).toBe('/ui/sign-in');
    expect(await planStatus(await as('Ada Admin', 'admin'))).toBe('Parsed');
  });

  it('the upload page gives no token at all', async () => {
    const response = await get('/ui/upload');
    expect(response.text).not.toContain('data-token');
  });

  it('the sign-in page lists the known establishments to pick from', async () => {
    const page = await get('/ui/sign-in');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<option value="liverpool">HMP Liverpool</option>');
    expect(page.text).toContain('name="role" value="viewer"');
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie of a random id, and goes to the page asked for', async () => {
    const first = await signIn({ name: 'Sam Staff', role: 'staff', establishment: 'liverpool', next: '/outbox' });
    expect(first.status).toBe(303);
    expect(first.location).toBe('/outbox');
    expect(first.setCookie).toMatch(/^ui_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800$/);
    const second = await signIn({ name: 'Sam Staff', role: 'staff', establishment: 'liverpool' });
    expect(second.cookie).not.toBe(first.cookie);
    expect(first.cookie).not.toMatch(/staff|liverpool|Sam/i);
  });

  it('refuses a sign-in form sent from another site (403, no cookie)', async () => {
    const crossSite = await signIn({ name: 'Eve', role: 'admin' }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.setCookie).toBeNull();
    const fetchSite = await signIn({ name: 'Eve', role: 'admin' }, { 'sec-fetch-site': 'cross-site' });
    expect(fetchSite.status).toBe(403);
    expect(fetchSite.setCookie).toBeNull();
  });

  it('says what is wrong with the form (400), and signs no one in', async () => {
    const empty = await signIn({ name: '', role: 'emperor' });
    expect(empty.status).toBe(400);
    expect(empty.setCookie).toBeNull();
    expect(empty.text).toContain('Enter your name');
    expect(empty.text).toContain('Choose your role');
    const homeless = await signIn({ name: 'Sam Staff', role: 'staff', establishment: '' });
    expect(homeless.status).toBe(400);
    expect(homeless.text).toContain('Staff belong to an establishment');
    const badId = await signIn({ name: 'Sam Staff', role: 'staff', establishment: '../../etc' });
    expect(badId.status).toBe(400);
  });

  it('goes back only to a page of this site', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/\t/evil.example', '/\n/evil.example']) {
      expect((await signIn({ name: 'Sam Staff', role: 'viewer', next })).location).toBe('/');
    }
  });

  it('shows who is signed in on every page, and signing out ends the session', async () => {
    const cookie = await as('Vera Viewer', 'viewer');
    const home = await get('/', cookie);
    expect(home.status).toBe(200);
    expect(home.text).toContain('Signed in as <strong>Vera Viewer</strong> (viewer)');
    expect((await get('/outbox', cookie)).text).toContain('Signed in as <strong>Vera Viewer</strong>');
    const out = await post('/ui/sign-out', cookie);
    expect(out.status).toBe(303);
    expect(out.location).toBe('/ui/sign-in');
    expect((await get('/', cookie)).status).toBe(303);
  });

  it('keeps the establishment an approver approves for (as custom:establishment does on AWS), and none for a viewer', async () => {
    expect((await get('/', await as('Ann Approver', 'approver', 'liverpool'))).text).toContain('Signed in as <strong>Ann Approver</strong> (approver, liverpool)');
    expect((await get('/', await as('Ann Approver', 'approver'))).text).toContain('Signed in as <strong>Ann Approver</strong> (approver)');
    expect((await get('/', await as('Vera Viewer', 'viewer', 'liverpool'))).text).toContain('Signed in as <strong>Vera Viewer</strong> (viewer)');
  });
});

describe('the pages act as the person signed in', () => {
  it('a viewer sees no "Send for approval" button, and a viewer\'s sending is refused (403), the plan still parsed', async () => {
    const viewer = await as('Vera Viewer', 'viewer');
    const page = await get(`/ui/plans/${liverpoolId}`, viewer);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Send for approval</button>');
    const sent = await post(`/ui/plans/${liverpoolId}/approval`, viewer);
    expect(sent.status).toBe(403);
    expect(sent.text).toContain('Only staff of liverpool and admins may send plan');
    expect(await planStatus(viewer)).toBe('Parsed');
    expect(existsSync(stack.outboxDir) ? readdirSync(stack.outboxDir) : []).toEqual([]);
  });

  it('staff of one establishment cannot open another\'s draft, nor see it listed; its own staff can', async () => {
    const liverpoolStaff = await as('Sam Staff', 'staff', 'liverpool');
    const refused = await get(`/ui/plans/${draftId}`, liverpoolStaff);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('Reduce violence');
    expect((await get('/', liverpoolStaff)).text).not.toContain(draftId);
    expect((await post(`/ui/plans/${draftId}/approval`, liverpoolStaff)).status).toBe(403);
    const viewer = await as('Vera Viewer', 'viewer');
    expect((await get(`/ui/plans/${draftId}`, viewer)).status).toBe(403);
    const bristolStaff = await as('Bo Bristol', 'staff', 'bristol');
    const own = await get(`/ui/plans/${draftId}`, bristolStaff);
    expect(own.status).toBe(200);
    expect(own.text).toContain('Reduce violence');
    expect((await get('/', bristolStaff)).text).toContain(`/ui/plans/${draftId}`);
  });

  it('staff of another establishment see no button on Liverpool\'s plan', async () => {
    const bristolStaff = await as('Bo Bristol', 'staff', 'bristol');
    expect((await get(`/ui/plans/${liverpoolId}`, bristolStaff)).text).not.toContain('Send for approval</button>');
  });
});

describe('the upload page', () => {
  const tokenOf = (text: string) => /data-token="([^"]+)"/.exec(text)?.[1];

  it('carries the signed-in person\'s own short-lived token, not an admin\'s', async () => {
    const page = await get('/ui/upload', await as('Sam Staff', 'staff', 'liverpool'));
    expect(page.status).toBe(200);
    const token = tokenOf(page.text)!;
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'local-sam-staff', 'custom:role': 'staff', 'custom:establishment': 'liverpool', 'cognito:groups': ['staff'] });
    expect(claims.exp! - claims.iat!).toBe(UPLOAD_PAGE_TOKEN_SECONDS);
    expect(UPLOAD_PAGE_TOKEN_SECONDS).toBeLessThanOrEqual(30 * 60);
    // The API takes it as that person: staff may upload, and the draft of Bristol stays hidden.
    const granted = await fetch(`${base}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'plan', fileName: 'x.pdf' }),
    });
    expect(granted.status).toBe(201);
    const draft = await fetch(`${base}/plans/${draftId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(draft.status).toBe(403);
  });

  it('is refused to those who may not upload, with no token', async () => {
    const page = await get('/ui/upload', await as('Vera Viewer', 'viewer'));
    expect(page.status).toBe(403);
    expect(page.text).toContain('The viewer role may not upload documents');
    expect(tokenOf(page.text)).toBeUndefined();
  });
});
