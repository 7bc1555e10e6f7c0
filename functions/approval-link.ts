import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { ApprovalDecision } from '../shared/domain/approval.ts';
import { type HtmlPage, html, page } from '../shared/presentation/html.ts';
import {
  renderConfirmationPage,
  renderDecisionRecordedPage,
  renderErrorPage,
  renderLinkProblemPage,
} from '../shared/presentation/approval-pages.ts';
import { decideApprovalLink, openApprovalLink } from '../shared/usecases/approval/approval-links.ts';
import { approvalDependencies } from './lib/approval-runtime.ts';
import { logger } from './lib/runtime.ts';

/**
 * The page behind an emailed approval link, `GET|POST /approvals/{token}` (public: the token is the
 * credential). GET shows what would be decided and changes nothing; the form's POST decides.
 */
const dependencies = await approvalDependencies();

const LinkRequest = z.object({
  method: z.enum(['GET', 'POST']),
  token: z.string().max(200),
  preselected: ApprovalDecision.nullable(),
  form: z.object({ decision: ApprovalDecision.optional(), comment: z.string().max(5000).optional() }),
});

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    try {
      return respond(await handleLinkRequest(event));
    } catch (error) {
      logger.error('approval link request failed', { error });
      return respond(renderErrorPage());
    }
  });

async function handleLinkRequest(event: APIGatewayProxyEventV2): Promise<HtmlPage> {
  const parsed = LinkRequest.safeParse({
    method: event.requestContext.http.method,
    token: event.pathParameters?.token ?? '',
    preselected: ApprovalDecision.safeParse(event.queryStringParameters?.decision).data ?? null,
    form: formOf(event),
  });
  if (!parsed.success) {
    const badForm = parsed.error.issues.some((issue) => issue.path[0] === 'form');
    return badForm ? formNotUnderstoodPage() : renderLinkProblemPage({ problem: 'not_found' });
  }
  const request = parsed.data;
  logger.appendKeys({ linkId: request.token.split('.')[0] });

  if (request.method === 'GET') {
    const opened = await openApprovalLink(dependencies, request.token);
    if (opened.kind === 'problem') return renderLinkProblemPage(opened);
    return renderConfirmationPage({ ...opened, formAction: event.rawPath, preselected: request.preselected });
  }

  if (!request.form.decision) return renderLinkProblemPage({ problem: 'not_found' });
  const decided = await decideApprovalLink(dependencies, {
    token: request.token,
    decision: request.form.decision,
    comment: request.form.comment ?? null,
    clientIp: event.requestContext.http.sourceIp || null,
    userAgent: event.requestContext.http.userAgent || null,
    site: {
      secFetchSite: header(event, 'sec-fetch-site'),
      origin: header(event, 'origin'),
      host: header(event, 'host') ?? (event.requestContext.domainName || null),
    },
  });
  logger.info('approval link decision', { kind: decided.kind, ...(decided.kind === 'recorded' ? { effect: decided.effect } : {}) });
  if (decided.kind === 'problem') return renderLinkProblemPage(decided);
  if (decided.kind === 'comment_required') {
    return renderConfirmationPage({
      ...decided,
      formAction: event.rawPath,
      preselected: 'reject',
      problem: 'A rejection needs a comment: say what the plan’s owners should change.',
      comment: request.form.comment ?? '',
    });
  }
  return renderDecisionRecordedPage(decided);
}

function formNotUnderstoodPage(): HtmlPage {
  return page({
    title: 'The form was not understood',
    status: 400,
    body: html`<h1>The form was not understood</h1><p>Nothing was decided. Open the link from your email again and use the form on its page.</p>`,
  });
}

/** A request header (API Gateway's payload 2.0 gives them lower-cased; tests and other callers may not). */
function header(event: APIGatewayProxyEventV2, name: string): string | null {
  const found = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found?.[1] || null;
}

function formOf(event: APIGatewayProxyEventV2): Record<string, string> {
  if (event.requestContext.http.method !== 'POST' || !event.body) return {};
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return Object.fromEntries(new URLSearchParams(body));
}

/** HTML with headers for a page whose URL is a credential: never cached, never sent on as a referrer, never framed. */
function respond(page: HtmlPage): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: page.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-robots-tag': 'noindex, nofollow',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    },
    body: page.html,
  };
}
