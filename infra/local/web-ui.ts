import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { apiDependencies } from '../../functions/lib/api-runtime.ts';
import { approvalApiDependencies } from '../../functions/lib/approval-runtime.ts';
import { readOutbox } from '../../shared/adapters/local/outbox-email-sender.ts';
import { assertCanUpload, canWorkOnEstablishment, type Principal, type Role, ROLES } from '../../shared/domain/access.ts';
import { PLAN_STATUSES, type PlanItem } from '../../shared/domain/plan.ts';
import { ForbiddenError, NotFoundError, RequestError } from '../../shared/domain/request-errors.ts';
import type { HtmlPage } from '../../shared/presentation/html.ts';
import { renderOutboxEmailPage, renderOutboxPage } from '../../shared/presentation/outbox-page.ts';
import { renderMessagePage, renderNotFoundPage, withLayout, withSignedInUser } from '../../shared/presentation/web/layout.ts';
import { renderPlanPage } from '../../shared/presentation/web/plan-page.ts';
import { type PlanFilters, planHref, renderPlansPage } from '../../shared/presentation/web/plans-page.ts';
import { renderSignInPage, type SignInValues } from '../../shared/presentation/web/sign-in-page.ts';
import { renderUploadPage } from '../../shared/presentation/web/upload-page.ts';
import { sendPlanForApproval } from '../../shared/usecases/approval/approval-api.ts';
import { getPlan } from '../../shared/usecases/get-plan.ts';
import { listEstablishments } from '../../shared/usecases/list-establishments.ts';
import { listPlanItems } from '../../shared/usecases/list-plan-items.ts';
import { listPlans } from '../../shared/usecases/list-plans.ts';
import { todayOf } from '../../shared/usecases/query-views.ts';
import { createUiSessions, type UiSession } from './ui-sessions.ts';

/**
 * The local web UI, offered each request before the local API gateway: the sign-in
 * (`/ui/sign-in`, and `/ui/sign-out`), the plans list (`/`), a plan (`/ui/plans/{id}`) and its
 * "Send for approval" button, the upload page, and the email outbox. Every page but the sign-in
 * needs a signed-in session (else it redirects to the sign-in) and shows who is signed in; its
 * data come from the same use-cases as the API's handlers, called as that person, so a viewer
 * sees and does what a viewer may through the API. A developer's tool on their own machine,
 * never deployed: the sign-in is a stand-in for Cognito's.
 */

export interface WebUiOptions {
  /** A short-lived bearer token of the signed-in person, for the upload page's calls to the local API. */
  uploadToken: (principal: Principal) => Promise<string>;
  /** The local email outbox (EMAIL_OUTBOX_DIR of the approval flow). */
  outboxDir: string;
  /** Today, for overdue actions (default: the system clock). */
  now?: () => Date;
}

export type WebUiHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/** Who lists the establishments on the sign-in page, before anyone has signed in: the least a reader may be. */
const SIGN_IN_PAGE_READER: Principal = { subject: 'local-ui-sign-in', role: 'viewer', establishmentId: null, email: null };

const ESTABLISHMENT_ID = /^[a-z0-9-]{1,80}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const PLAN_PATH = /^\/ui\/plans\/([^/]+)$/;
const APPROVAL_PATH = /^\/ui\/plans\/([^/]+)\/approval$/;
const OUTBOX_EMAIL_PATH = /^\/outbox\/([^/]+)$/;
const SIGN_IN_PATH = '/ui/sign-in';
const SIGN_OUT_PATH = '/ui/sign-out';
const PERSON_NAME = /^[\p{L}\p{M}][\p{L}\p{M} .'’-]{0,79}$/u;
const MAX_FORM_BYTES = 64 * 1024;
const ITEM_PAGE_SIZE = 100;

const refusedPage = (message: string): HtmlPage => renderMessagePage({ title: 'Not allowed', message, status: 403 });

const isValidDate = (text: string) => ISO_DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));

function send(response: ServerResponse, rendered: HtmlPage): void {
  response.writeHead(rendered.status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  response.end(rendered.html);
}

function redirect(response: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  response.writeHead(303, { location, 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(`See ${location}`);
}

/**
 * A page of this UI to return to after signing in: a path of this site, never another site
 * ("//x", or "/\\x" and "/\t/x", which browsers read as "//x"); "/" otherwise.
 */
function localNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || /[\p{Cc}\\]/u.test(next)) return '/';
  return next;
}

/** A subject for a person signed in by name: `local-` and the name's letters and digits. */
function subjectOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `local-${slug || 'person'}`;
}

/** A path segment as sent, decoded; null when it is not valid percent-encoding. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Reads a (small) form body. */
async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('The form body is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A browser's cross-site form POST says so: refuse it (a sign-in, sign-out or sending made by
 * another site's page). Browsers send `Sec-Fetch-Site`; the pages' no-referrer policy makes
 * Chromium send `Origin: null` even on the same site, so the Origin decides only when it names a site.
 */
function isCrossSite(request: IncomingMessage): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string') return fetchSite !== 'same-origin' && fetchSite !== 'none';
  const origin = request.headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

export function createWebUi(options: WebUiOptions): WebUiHandler {
  const now = options.now ?? (() => new Date());
  const clock = { now };
  const sessions = createUiSessions();

  async function signInPage(next: string, values?: SignInValues, problems?: string[]): Promise<HtmlPage> {
    const establishments = await listEstablishments({ limit: 100 }, SIGN_IN_PAGE_READER, apiDependencies());
    return renderSignInPage({ establishments: establishments.items, next, ...(values ? { values } : {}), ...(problems ? { problems } : {}) });
  }

  /** A sign-in form sent: the session's cookie and where to go, or the form again with what is wrong. */
  async function signIn(form: URLSearchParams): Promise<{ cookie: string; location: string } | { page: HtmlPage }> {
    const values = { name: form.get('name')?.trim() ?? '', role: form.get('role') ?? '', establishment: form.get('establishment')?.trim() ?? '' };
    const next = localNext(form.get('next'));
    const problems: string[] = [];
    if (!PERSON_NAME.test(values.name)) problems.push('Enter your name (letters, spaces, dots, apostrophes and dashes; at most 80)');
    const role = (ROLES as readonly string[]).includes(values.role) ? (values.role as Role) : null;
    if (!role) problems.push('Choose your role');
    // Staff belong to an establishment; an approver may name the one they approve for (as the
    // `custom:establishment` attribute does on AWS); viewers and admins have none.
    const takesEstablishment = role === 'staff' || role === 'approver';
    if (role === 'staff' && !values.establishment) problems.push('Staff belong to an establishment: pick or type yours');
    else if (takesEstablishment && values.establishment && !ESTABLISHMENT_ID.test(values.establishment)) {
      problems.push('An establishment id is lower case letters, digits and dashes, such as liverpool');
    }
    if (problems.length || !role) return { page: await signInPage(next, values, problems) };
    const subject = subjectOf(values.name);
    const principal: Principal = {
      subject,
      role,
      establishmentId: takesEstablishment && values.establishment ? values.establishment : null,
      email: `${subject}@example.gov.uk`,
    };
    return { cookie: sessions.start(values.name, principal), location: next };
  }

  async function plansPage(url: URL, principal: Principal): Promise<HtmlPage> {
    const query = url.searchParams;
    const problems: string[] = [];
    const filters: PlanFilters = {};
    const establishment = query.get('establishment')?.trim();
    if (establishment) {
      if (ESTABLISHMENT_ID.test(establishment)) filters.establishment = establishment;
      else problems.push('Choose an establishment from the list');
    }
    const status = query.get('status');
    if (status) {
      const parsed = z.enum(PLAN_STATUSES).safeParse(status);
      if (parsed.success) filters.status = parsed.data;
      else problems.push('Choose a status from the list');
    }
    for (const [name, label] of [
      ['from', 'Published from'],
      ['to', 'Published to'],
    ] as const) {
      const value = query.get(name)?.trim();
      if (!value) continue;
      if (isValidDate(value)) filters[name] = value;
      else problems.push(`${label} must be a date, such as 2018-01-19`);
    }
    const cursor = query.get('cursor') || undefined;
    const deps = apiDependencies();
    const establishments = await listEstablishments({ limit: 100 }, principal, deps);
    const base = { filters, establishments: establishments.items, ...(cursor ? { cursor } : {}) };
    if (problems.length) return renderPlansPage({ ...base, page: null, problems });
    try {
      const plans = await listPlans({ ...filters, limit: 50, ...(cursor ? { cursor } : {}) }, principal, deps);
      return renderPlansPage({ ...base, page: plans });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      return renderPlansPage({ ...base, page: null, problems: [error.message] });
    }
  }

  async function planPage(planId: string, url: URL, principal: Principal): Promise<HtmlPage> {
    const deps = apiDependencies();
    try {
      const detail = await getPlan(planId, principal, { plans: deps.plans, clock });
      const items: PlanItem[] = [];
      let cursor: string | undefined;
      do {
        const { page } = await listPlanItems({ planId, limit: ITEM_PAGE_SIZE, ...(cursor ? { cursor } : {}) }, principal, deps);
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      const error = url.searchParams.get('error')?.trim();
      return renderPlanPage({
        detail,
        items,
        today: todayOf(now()),
        sent: url.searchParams.get('sent') === 'already' ? 'already' : url.searchParams.get('sent') === '1',
        canSend: canWorkOnEstablishment(principal, detail.plan.establishmentId),
        ...(error ? { error: error.slice(0, 500) } : {}),
      });
    } catch (error) {
      if (error instanceof NotFoundError) return renderNotFoundPage(`There is no plan ${planId}.`);
      if (error instanceof ForbiddenError) return refusedPage(error.message);
      throw error;
    }
  }

  async function sendForApproval(planId: string, principal: Principal): Promise<{ location: string } | { page: HtmlPage }> {
    const deps = approvalApiDependencies();
    const back = planHref(planId);
    try {
      // What the plan's page shows decides first: an unknown plan is a 404, another establishment's draft a 403.
      await getPlan(planId, principal, { plans: apiDependencies().plans, clock });
    } catch (error) {
      if (error instanceof NotFoundError) return { page: renderNotFoundPage(`There is no plan ${planId}.`) };
      if (error instanceof ForbiddenError) return { page: refusedPage(error.message) };
      throw error;
    }
    if (!deps.configured) {
      const message =
        'The approval flow is not running here (no state machine is configured), so the plan was not sent. Start the whole local stack with npm start to send plans for approval.';
      return { location: `${back}?error=${encodeURIComponent(message)}` };
    }
    try {
      const sent = await sendPlanForApproval(planId, principal, deps);
      return { location: `${back}?sent=${sent.alreadyStarted ? 'already' : '1'}` };
    } catch (error) {
      if (error instanceof ForbiddenError) return { page: refusedPage(error.message) };
      if (!(error instanceof RequestError)) throw error;
      return { location: `${back}?error=${encodeURIComponent(error.message)}` };
    }
  }

  function uploadPage(principal: Principal): Promise<HtmlPage> | HtmlPage {
    try {
      assertCanUpload(principal);
    } catch (error) {
      if (error instanceof ForbiddenError) return refusedPage(`${error.message}: sign in as staff or an admin to upload.`);
      throw error;
    }
    return options.uploadToken(principal).then((token) => renderUploadPage({ token }));
  }

  async function outboxPage(): Promise<HtmlPage> {
    const emails = await readOutbox(options.outboxDir);
    return withLayout(renderOutboxPage(emails, { emailHref: (id) => `/outbox/${encodeURIComponent(id)}` }), 'outbox');
  }

  async function outboxEmailPage(id: string): Promise<HtmlPage> {
    const email = (await readOutbox(options.outboxDir)).find((candidate) => candidate.id === id);
    if (!email) return renderNotFoundPage(`There is no email ${id} in the outbox.`);
    return withLayout(renderOutboxEmailPage(email), 'outbox');
  }

  /** Whether the request is one of the UI's (the others are the gateway's). */
  function isUiRequest(method: string, path: string): boolean {
    if (method === 'GET' || method === 'HEAD') {
      return path === '/' || path === '/favicon.ico' || path === SIGN_IN_PATH || path === '/ui/upload' || path === '/outbox' || OUTBOX_EMAIL_PATH.test(path) || PLAN_PATH.test(path);
    }
    return method === 'POST' && (path === SIGN_IN_PATH || path === SIGN_OUT_PATH || APPROVAL_PATH.test(path));
  }

  /** The page for a signed-in person's request (one of the UI's). */
  async function signedInRoute(request: IncomingMessage, response: ServerResponse, url: URL, session: UiSession): Promise<HtmlPage | 'sent'> {
    const { principal } = session;
    const path = url.pathname;
    if (request.method === 'POST') {
      const approvalMatch = APPROVAL_PATH.exec(path)!;
      const planId = decodeSegment(approvalMatch[1]!);
      if (planId === null) return renderNotFoundPage('There is no such plan.');
      const outcome = await sendForApproval(planId, principal);
      if ('page' in outcome) return outcome.page;
      redirect(response, outcome.location);
      return 'sent';
    }
    if (path === '/') return plansPage(url, principal);
    if (path === '/ui/upload') return uploadPage(principal);
    if (path === '/outbox') return outboxPage();
    const emailMatch = OUTBOX_EMAIL_PATH.exec(path);
    if (emailMatch) {
      const id = decodeSegment(emailMatch[1]!);
      return id === null ? renderNotFoundPage('There is no such email in the outbox.') : outboxEmailPage(id);
    }
    const planId = decodeSegment(PLAN_PATH.exec(path)![1]!);
    return planId === null ? renderNotFoundPage('There is no such plan.') : planPage(planId, url, principal);
  }

  /** The page for a request, or null when the request is not the UI's. */
  async function route(request: IncomingMessage, response: ServerResponse): Promise<HtmlPage | 'sent' | null> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!isUiRequest(method, path)) return null;
    if (path === '/favicon.ico') {
      response.writeHead(204, { 'cache-control': 'max-age=86400' }).end();
      return 'sent';
    }
    const form = method === 'POST' ? await readForm(request) : null;
    if (form && isCrossSite(request)) {
      return renderMessagePage({ title: 'Request refused', message: 'This form can only be sent from the local web UI’s own pages.', status: 403 });
    }
    if (path === SIGN_IN_PATH) {
      if (!form) return signInPage(localNext(url.searchParams.get('next')));
      const outcome = await signIn(form);
      if ('page' in outcome) return outcome.page;
      redirect(response, outcome.location, { 'set-cookie': outcome.cookie });
      return 'sent';
    }
    if (path === SIGN_OUT_PATH) {
      redirect(response, SIGN_IN_PATH, { 'set-cookie': sessions.end(request) });
      return 'sent';
    }
    const session = sessions.find(request);
    if (!session) {
      redirect(response, method === 'GET' || method === 'HEAD' ? `${SIGN_IN_PATH}?next=${encodeURIComponent(path + url.search)}` : SIGN_IN_PATH);
      return 'sent';
    }
    const page = await signedInRoute(request, response, url, session);
    return page === 'sent' ? page : withSignedInUser(page, { name: session.name, role: session.principal.role, establishmentId: session.principal.establishmentId });
  }

  return async (request, response) => {
    try {
      const outcome = await route(request, response);
      if (outcome === null) return false;
      if (outcome !== 'sent') send(response, outcome);
      return true;
    } catch (error) {
      console.error(`web UI: ${request.method ?? 'GET'} ${request.url ?? ''} failed:`, error);
      if (!response.headersSent) {
        send(
          response,
          renderMessagePage({
            title: 'Sorry, there is a problem with the service',
            message: 'The page could not be shown. Nothing you did caused it; the details are in the terminal running npm start.',
            status: 500,
          }),
        );
      }
      else response.end();
      return true;
    }
  };
}
