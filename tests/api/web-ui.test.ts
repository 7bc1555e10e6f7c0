import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { resetApprovalApiDependencies } from '../../functions/lib/approval-runtime.ts';
import { type LocalApproval, startLocalApproval } from '../../infra/local/local-approval.ts';
import { createWebUi, type WebUiHandler } from '../../infra/local/web-ui.ts';
import { OutboxEmailSender } from '../../shared/adapters/local/outbox-email-sender.ts';
import { SENT_FOR_APPROVAL_MESSAGE } from '../../shared/presentation/web/plan-page.ts';
import { waitFor, waitForEmails } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { BRISTOL_REPORT } from '../helpers/reports.ts';
import { signInToWebUi } from '../helpers/web-ui-sign-in.ts';
import { type Api, startApi } from './api-harness.ts';

/**
 * The local web UI on DynamoDB Local: pages built from the same use-cases as the API, the approval
 * button without and with the approval flow running, the outbox, and requests left to the gateway.
 * Signed in as an admin (tests/security/local-stack-ui.test.ts covers the sign-in and the roles).
 */

let api: Api;
let server: Server;
let baseUrl: string;
let liverpoolId: string;
let longLartinId: string;
let draftId: string;
let emailId: string;
let session: string;
const outbox = mkdtempSync(join(tmpdir(), 'web-ui-outbox-'));
const notADirectory = join(outbox, 'not-a-folder.txt');
const unhandled: string[] = [];

async function serve(handler: WebUiHandler): Promise<{ server: Server; baseUrl: string }> {
  const created = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    void handler(request, response).then((handled) => {
      if (handled) return;
      unhandled.push(`${request.method} ${request.url}`);
      response.writeHead(418, { 'content-type': 'text/plain' }).end('for the gateway');
    });
  });
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  return { server: created, baseUrl: `http://127.0.0.1:${(created.address() as AddressInfo).port}` };
}

const ADMIN = { name: 'Ada Admin', role: 'admin' };

async function get(path: string, base = baseUrl, cookie = session) {
  const response = await fetch(base + path, { redirect: 'manual', headers: { cookie } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function post(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl, cookie: session, ...headers },
    body: '',
  });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

beforeAll(async () => {
  api = await startApi();
  delete process.env.STATE_MACHINE_ARN;
  delete process.env.STEP_FUNCTIONS_ENDPOINT;
  delete process.env.DEFAULT_APPROVAL_CHAIN;
  resetApprovalApiDependencies();
  liverpoolId = (await api.seedPlan(loadTruth('hmp-liverpool-2018'))).planId;
  longLartinId = (await api.seedPlan(loadTruth('hmp-long-lartin-2023'))).planId;
  draftId = (await api.seedDraft(BRISTOL_REPORT)).planId;
  const sender = new OutboxEmailSender({ directory: outbox, clock: { now: () => new Date('2026-03-01T09:00:00Z') } });
  emailId = (await sender.send({ to: ['ann@example.gov.uk'], subject: 'Please approve <now>', text: 'Text', html: '<p>Hi</p>', category: 'approval-request' })).messageId;
  writeFileSync(notADirectory, 'x');
  ({ server, baseUrl } = await serve(
    createWebUi({ uploadToken: async () => 'local-token-123', outboxDir: outbox, now: () => new Date('2018-06-01T12:00:00Z') }),
  ));
  session = await signInToWebUi(baseUrl, ADMIN);
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await api?.stop();
  resetApprovalApiDependencies();
  rmSync(outbox, { recursive: true, force: true });
});

describe('the plans page', () => {
  it('lists the stored plans, drafts included, newest report first, each linking to its page', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const links = [...response.text.matchAll(/<th scope="row"><a href="\/ui\/plans\/([^"]+)">/g)].map((match) => match[1]);
    expect(links).toEqual([draftId, longLartinId, liverpoolId]);
    expect(response.text).toContain('<a href="/ui/plans/' + liverpoolId + '">HMP Liverpool</a>');
    expect(response.text).toContain('<td>72</td>');
    expect(response.text).toContain('<strong class="tag tag-grey">Awaiting response</strong>');
    expect(response.text).toContain('<option value="liverpool">HMP Liverpool</option>');
    expect(response.text).not.toContain('Next page');
  });

  it('filters by establishment and status', async () => {
    const liverpool = await get('/?establishment=liverpool');
    expect([...liverpool.text.matchAll(/<th scope="row">/g)]).toHaveLength(1);
    expect(liverpool.text).toContain('<option value="liverpool" selected>HMP Liverpool</option>');
    const approved = await get('/?status=approved');
    expect(approved.status).toBe(200);
    expect(approved.text).toContain('No plans match these filters.');
  });

  it('follows the API\'s cursor to the next page', async () => {
    const first = await api.request('GET', '/plans?limit=1', { token: await api.token('admin') });
    expect(first.body.items[0].planId).toBe(draftId);
    const next = await get(`/?cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(next.status).toBe(200);
    const links = [...next.text.matchAll(/<th scope="row"><a href="\/ui\/plans\/([^"]+)">/g)].map((match) => match[1]);
    expect(links).toEqual([longLartinId, liverpoolId]);
    expect(next.text).toContain('<a href="/">First page</a>');
  });

  it('shows what is wrong with the filters (400), never a crash', async () => {
    const reversed = await get('/?from=2020-01-01&to=2019-01-01');
    expect(reversed.status).toBe(400);
    expect(reversed.text).toContain('<li>from is after to</li>');
    const badDate = await get('/?from=yesterday&status=nonsense');
    expect(badDate.status).toBe(400);
    expect(badDate.text).toContain('Published from must be a date, such as 2018-01-19');
    expect(badDate.text).toContain('Choose a status from the list');
    const badCursor = await get('/?cursor=not-a-cursor');
    expect(badCursor.status).toBe(400);
    expect(badCursor.text).toContain('class="error-summary"');
  });
});

describe('a plan\'s page', () => {
  it('shows the plan\'s counts, charts and items', async () => {
    const response = await get(`/ui/plans/${liverpoolId}`);
    expect(response.status).toBe(200);
    expect(response.text).toContain('<h1>HMP Liverpool action plan</h1>');
    expect(response.text).toMatch(/<strong>72<\/strong> items/);
    expect(response.text).toMatch(/<strong>55<\/strong> agreed/);
    expect(response.text).toMatch(/<strong>10<\/strong> partly agreed/);
    expect(response.text).toMatch(/<strong>7<\/strong> not agreed/);
    expect(response.text).toContain('<desc id="decision-chart-desc">Agreed: 55, Partly agreed: 10, Not agreed: 7</desc>');
    expect(response.text.split('<article class="item"')).toHaveLength(73);
    expect(response.text).toContain('<h3>Other <span class="hint">(7 items)</span></h3>');
    // Today is 1 June 2018 for this UI: March 2018's targets are overdue.
    expect(response.text).toContain('<strong class="tag tag-red overdue">Overdue</strong>');
    expect(response.text).toContain('<p class="plan-status">Status: <strong class="tag tag-blue tag-large">Parsed</strong></p>');
    expect(response.text).toContain(`<form method="post" action="/ui/plans/${liverpoolId}/approval" class="approval-form">`);
  });

  it('shows a draft, without the approval button', async () => {
    const response = await get(`/ui/plans/${draftId}`);
    expect(response.status).toBe(200);
    expect(response.text).toContain('Awaiting response');
    expect(response.text).toContain('<strong class="tag tag-grey decision">No decision</strong>');
    expect(response.text).not.toContain('Send for approval</button>');
  });

  it('answers 404 for a plan that does not exist', async () => {
    const response = await get('/ui/plans/no-such-plan');
    expect(response.status).toBe(404);
    expect(response.text).toContain('There is no plan no-such-plan.');
    expect((await get('/ui/plans/%E0%A4%A')).status).toBe(404);
  });
});

describe('sending for approval without the approval flow running', () => {
  it('redirects back to the plan with a clear error, and the plan stays parsed', async () => {
    const response = await post(`/ui/plans/${liverpoolId}/approval`);
    expect(response.status).toBe(303);
    const location = new URL(response.location!, baseUrl);
    expect(location.pathname).toBe(`/ui/plans/${liverpoolId}`);
    expect(location.searchParams.get('error')).toMatch(/approval flow is not running/);
    const shown = await get(location.pathname + location.search);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('<h2 id="error-summary-title">There is a problem</h2>');
    expect(shown.text).toContain('The approval flow is not running here');
    expect(shown.text).toContain('Status: <strong class="tag tag-blue tag-large">Parsed</strong>');
  });

  it('answers 404 for an unknown plan, and 403 to a form from another site', async () => {
    expect((await post('/ui/plans/no-such-plan/approval')).status).toBe(404);
    expect((await post(`/ui/plans/${liverpoolId}/approval`, { origin: 'https://evil.example' })).status).toBe(403);
  });
});

describe('the other pages', () => {
  it('serves the upload page with the local token', async () => {
    const response = await get('/ui/upload');
    expect(response.status).toBe(200);
    expect(response.text).toContain('data-token="local-token-123"');
    expect(response.text).toContain('<input type="file"');
    expect(response.text).toContain('aria-current="page">Upload</a>');
  });

  it('serves the outbox and each email, with the navigation', async () => {
    const list = await get('/outbox');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`<a href="/outbox/${emailId}">Please approve &lt;now&gt;</a>`);
    expect(list.text).toContain('aria-current="page">Outbox</a>');
    const email = await get(`/outbox/${emailId}`);
    expect(email.status).toBe(200);
    expect(email.text).toContain('<h1>Please approve &lt;now&gt;</h1>');
    expect((await get('/outbox/unknown')).status).toBe(404);
  });

  it('answers the favicon with 204', async () => {
    const response = await get('/favicon.ico');
    expect(response.status).toBe(204);
  });

  it('leaves the API\'s routes to the gateway', async () => {
    unhandled.length = 0;
    expect((await get('/plans')).status).toBe(418);
    expect((await get('/openapi.json')).status).toBe(418);
    expect((await get('/approvals/abc')).status).toBe(418);
    const uploads = await fetch(`${baseUrl}/uploads`, { method: 'POST', body: '{}' });
    expect(uploads.status).toBe(418);
    expect(unhandled).toEqual(['GET /plans', 'GET /openapi.json', 'GET /approvals/abc', 'POST /uploads']);
  });

  it('answers an unexpected failure with the error page (500), logged', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const broken = await serve(createWebUi({ uploadToken: async () => 't', outboxDir: notADirectory }));
    try {
      const response = await get('/outbox', broken.baseUrl, await signInToWebUi(broken.baseUrl, ADMIN));
      expect(response.status).toBe(500);
      expect(response.text).toContain('Sorry, there is a problem with the service');
      expect(errors).toHaveBeenCalled();
    } finally {
      errors.mockRestore();
      await new Promise<void>((resolve) => broken.server.close(() => resolve()));
    }
  });
});

describe('sending for approval with the local approval flow', () => {
  let local: LocalApproval;

  beforeAll(async () => {
    local = await startLocalApproval({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: api.tableName,
      outboxDir: outbox,
      linkBaseUrl: `${baseUrl}/approvals`,
    });
    resetApprovalApiDependencies();
  }, 60_000);

  afterAll(async () => {
    await local?.close();
  });

  it('refuses a draft with the use-case\'s reason', async () => {
    const response = await post(`/ui/plans/${draftId}/approval`);
    expect(response.status).toBe(303);
    expect(new URL(response.location!, baseUrl).searchParams.get('error')).toMatch(/is a draft/);
  });

  it('sends the plan, says so, emails the approvers, and the plan awaits approval', async () => {
    const response = await post(`/ui/plans/${liverpoolId}/approval`);
    expect(response.status).toBe(303);
    expect(response.location).toBe(`/ui/plans/${liverpoolId}?sent=1`);
    const shown = await get(response.location!);
    expect(shown.text).toContain(SENT_FOR_APPROVAL_MESSAGE);
    const [request] = await waitForEmails(outbox, (email) => email.id !== emailId);
    expect(request!.to.length).toBeGreaterThan(0);
    const page = await waitFor(async () => {
      const current = await get(`/ui/plans/${liverpoolId}`);
      return current.text.includes('Awaiting approval') ? current.text : null;
    }, 'the plan awaiting approval');
    expect(page).not.toContain('Send for approval</button>');
    expect((await get('/outbox')).text.split('<tr>').length - 1).toBeGreaterThanOrEqual(2);
  });
});
