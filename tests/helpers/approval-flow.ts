import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readOutbox, type OutboxEmail } from '../../shared/adapters/local/outbox-email-sender.ts';

/** An API Gateway (HTTP API, payload 2.0) event for the approval link route, as API Gateway sends it. */
export function linkEvent(
  method: 'GET' | 'POST',
  url: string,
  form?: Record<string, string>,
  client: { ip?: string; userAgent?: string } = {},
): APIGatewayProxyEventV2 {
  const parsed = new URL(url);
  const token = decodeURIComponent(parsed.pathname.split('/').pop() ?? '');
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return {
    version: '2.0',
    routeKey: `${method} /approvals/{token}`,
    rawPath: parsed.pathname,
    rawQueryString: parsed.search.slice(1),
    headers: { host: parsed.host, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(parsed.search ? { queryStringParameters: Object.fromEntries(parsed.searchParams) } : {}),
    pathParameters: { token },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: parsed.host,
      domainPrefix: 'local',
      http: { method, path: parsed.pathname, protocol: 'HTTP/1.1', sourceIp: client.ip ?? '192.0.2.10', userAgent: client.userAgent ?? 'vitest' },
      requestId: `request-${Math.random().toString(16).slice(2)}`,
      routeKey: `${method} /approvals/{token}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body: Buffer.from(body).toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

export type LinkHandler = (event: APIGatewayProxyEventV2, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

/** Waits until the outbox holds `count` emails matching the filter (the flow runs asynchronously). */
export async function waitForEmails(directory: string, filter: (email: OutboxEmail) => boolean, count = 1, timeoutMs = 15_000): Promise<OutboxEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const emails = (await readOutbox(directory)).filter(filter);
    if (emails.length >= count) return emails.reverse();
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} email(s); have ${emails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The approve and reject links of an approval email. */
export function linksOf(email: OutboxEmail): { approve: string; reject: string } {
  const approve = email.links.find((link) => link.includes('/approvals/') && link.endsWith('decision=approve'));
  const reject = email.links.find((link) => link.includes('/approvals/') && link.endsWith('decision=reject'));
  if (!approve || !reject) throw new Error(`Email "${email.subject}" has no approve and reject links`);
  return { approve, reject };
}
