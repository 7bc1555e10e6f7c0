import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { apiDependencies } from '../../functions/lib/api-runtime.ts';
import { approvalApiDependencies } from '../../functions/lib/approval-runtime.ts';
import { readOutbox } from '../../shared/adapters/local/outbox-email-sender.ts';
import type { Principal } from '../../shared/domain/access.ts';
import { PLAN_STATUSES, type PlanItem } from '../../shared/domain/plan.ts';
import { NotFoundError, RequestError } from '../../shared/domain/request-errors.ts';
import type { HtmlPage } from '../../shared/presentation/html.ts';
import { renderOutboxEmailPage, renderOutboxPage } from '../../shared/presentation/outbox-page.ts';
import { renderMessagePage, renderNotFoundPage, withLayout } from '../../shared/presentation/web/layout.ts';
import { renderPlanPage } from '../../shared/presentation/web/plan-page.ts';
import { type PlanFilters, planHref, renderPlansPage } from '../../shared/presentation/web/plans-page.ts';
import { renderUploadPage } from '../../shared/presentation/web/upload-page.ts';
import { sendPlanForApproval } from '../../shared/usecases/approval/approval-api.ts';
import { getPlan } from '../../shared/usecases/get-plan.ts';
import { listEstablishments } from '../../shared/usecases/list-establishments.ts';
import { listPlanItems } from '../../shared/usecases/list-plan-items.ts';
import { listPlans } from '../../shared/usecases/list-plans.ts';
import { todayOf } from '../../shared/usecases/query-views.ts';

/**
 * The local web UI, offered each request before the local API gateway: the plans list (`/`), a
 * plan (`/ui/plans/{id}`) and its "Send for approval" button, the upload page, and the email
 * outbox. Its data come from the same use-cases as the API's handlers, as a local admin: this is a
 * developer's tool on their own machine, never deployed.
 */

export interface WebUiOptions {
  /** A bearer token for the upload page's calls to the local API (an admin's, minted locally). */
  uploadToken: () => Promise<string>;
  /** The local email outbox (EMAIL_OUTBOX_DIR of the approval flow). */
  outboxDir: string;
  /** Today, for overdue actions (default: the system clock). */
  now?: () => Date;
}

export type WebUiHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/** Who the UI acts as. */
export const LOCAL_UI_PRINCIPAL: Principal = { subject: 'local-ui', role: 'admin', establishmentId: null, email: 'local-ui@localhost' };

const ESTABLISHMENT_ID = /^[a-z0-9-]{1,80}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const PLAN_PATH = /^\/ui\/plans\/([^/]+)$/;
const APPROVAL_PATH = /^\/ui\/plans\/([^/]+)\/approval$/;
const OUTBOX_EMAIL_PATH = /^\/outbox\/([^/]+)$/;
const MAX_FORM_BYTES = 64 * 1024;
const ITEM_PAGE_SIZE = 100;

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

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8' });
  response.end(`See ${location}`);
}

/** A path segment as sent, decoded; null when it is not valid percent-encoding. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Reads and drops a (small) request body. */
async function drain(request: IncomingMessage): Promise<void> {
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('The form body is too large');
  }
}

/**
 * A browser's cross-site form POST says so: refuse it (the UI acts as an admin). Browsers send
 * `Sec-Fetch-Site`; the pages' no-referrer policy makes Chromium send `Origin: null` even on the
 * same site, so the Origin decides only when it names a site.
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

  async function plansPage(url: URL): Promise<HtmlPage> {
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
    const establishments = await listEstablishments({ limit: 100 }, LOCAL_UI_PRINCIPAL, deps);
    const base = { filters, establishments: establishments.items, ...(cursor ? { cursor } : {}) };
    if (problems.length) return renderPlansPage({ ...base, page: null, problems });
    try {
      const plans = await listPlans({ ...filters, limit: 50, ...(cursor ? { cursor } : {}) }, LOCAL_UI_PRINCIPAL, deps);
      return renderPlansPage({ ...base, page: plans });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      return renderPlansPage({ ...base, page: null, problems: [error.message] });
    }
  }

  async function planPage(planId: string, url: URL): Promise<HtmlPage> {
    const deps = apiDependencies();
    try {
      const detail = await getPlan(planId, LOCAL_UI_PRINCIPAL, { plans: deps.plans, clock });
      const items: PlanItem[] = [];
      let cursor: string | undefined;
      do {
        const { page } = await listPlanItems({ planId, limit: ITEM_PAGE_SIZE, ...(cursor ? { cursor } : {}) }, LOCAL_UI_PRINCIPAL, deps);
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      const error = url.searchParams.get('error')?.trim();
      return renderPlanPage({
        detail,
        items,
        today: todayOf(now()),
        sent: url.searchParams.get('sent') === 'already' ? 'already' : url.searchParams.get('sent') === '1',
        ...(error ? { error: error.slice(0, 500) } : {}),
      });
    } catch (error) {
      if (error instanceof NotFoundError) return renderNotFoundPage(`There is no plan ${planId}.`);
      throw error;
    }
  }

  async function sendForApproval(planId: string): Promise<{ location: string } | { page: HtmlPage }> {
    const deps = approvalApiDependencies();
    const back = planHref(planId);
    if (!(await deps.plans.getPlan(planId))) return { page: renderNotFoundPage(`There is no plan ${planId}.`) };
    if (!deps.configured) {
      const message =
        'The approval flow is not running here (no state machine is configured), so the plan was not sent. Start the whole local stack with npm start to send plans for approval.';
      return { location: `${back}?error=${encodeURIComponent(message)}` };
    }
    try {
      const sent = await sendPlanForApproval(planId, LOCAL_UI_PRINCIPAL, deps);
      return { location: `${back}?sent=${sent.alreadyStarted ? 'already' : '1'}` };
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      return { location: `${back}?error=${encodeURIComponent(error.message)}` };
    }
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

  /** The page for a request, or null when the request is not the UI's. */
  async function route(request: IncomingMessage, response: ServerResponse): Promise<HtmlPage | 'sent' | null> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/favicon.ico') {
        response.writeHead(204, { 'cache-control': 'max-age=86400' }).end();
        return 'sent';
      }
      if (path === '/') return plansPage(url);
      if (path === '/ui/upload') return renderUploadPage({ token: await options.uploadToken() });
      if (path === '/outbox') return outboxPage();
      const emailMatch = OUTBOX_EMAIL_PATH.exec(path);
      if (emailMatch) {
        const id = decodeSegment(emailMatch[1]!);
        return id === null ? renderNotFoundPage('There is no such email in the outbox.') : outboxEmailPage(id);
      }
      const planMatch = PLAN_PATH.exec(path);
      if (planMatch) {
        const planId = decodeSegment(planMatch[1]!);
        return planId === null ? renderNotFoundPage('There is no such plan.') : planPage(planId, url);
      }
      return null;
    }
    if (method === 'POST') {
      const approvalMatch = APPROVAL_PATH.exec(path);
      if (!approvalMatch) return null;
      await drain(request);
      const planId = decodeSegment(approvalMatch[1]!);
      if (planId === null) return renderNotFoundPage('There is no such plan.');
      if (isCrossSite(request)) {
        return renderMessagePage({ title: 'Request refused', message: 'This form can only be sent from the local web UI’s own pages.', status: 403 });
      }
      const outcome = await sendForApproval(planId);
      if ('page' in outcome) return outcome.page;
      redirect(response, outcome.location);
      return 'sent';
    }
    return null;
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
